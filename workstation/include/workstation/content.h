// What a presentation gives its fingerprint (dedup/fingerprint.h): the one place that builds
// dedup's content, for each way a prescription arrives or is corrected. Changing what goes in
// changes every stored fingerprint's meaning; docs/reuse.md says what each part is for.
#pragma once

#include <optional>

#include "data/prescriptions.h"
#include "dedup/fingerprint.h"
#include "ocr/fields.h"
#include "workstation/eprescription.h"
#include "workstation/read_fields.h"

namespace rx::ws {

// An e-prescription: its signed content, dated as a printout shows it (China time).
dedup::PresentationContent contentOf(const EPrescription& rx);
// A read paper prescription. A printed copy of an e-prescription carries its QR code: when that
// QR's signature was verified (`verifiedQr`), its number is the signed one and its issuer a USCC.
dedup::PresentationContent contentOf(const ocr::ExtractedFields& read,
                                     const std::optional<RxQr>& verifiedQr);
// A stored record presented before fingerprints were kept (no image evidence).
dedup::PresentationContent contentOf(const data::PrescriptionRecord& r);
// The identity a pharmacist confirmed or corrected (number, hospital, date, patient).
dedup::PresentationContent confirmedIdentity(const ReadFields& fields);

}  // namespace rx::ws
