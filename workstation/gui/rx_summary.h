// The signed content of an e-prescription as text: what the review window shows in place of a page,
// and the "presented before?" window beside the earlier presentation.
#pragma once

#include <wx/string.h>

#include "data/prescriptions.h"

namespace rx::gui {

// Number, issuer, dates, patient, prescriber, diagnosis, the signature's verdict and every drug.
wxString electronicSummary(const data::PrescriptionRecord& rx);

}  // namespace rx::gui
