#include "rx_summary.h"

#include <wx/intl.h>

#include "workstation/drug_lines.h"
#include "workstation/review.h"
#include "wx_convert.h"

namespace rx::gui {

wxString electronicSummary(const data::PrescriptionRecord& rx) {
  wxString text;
  text << _("E-prescription") << " " << toWx(rx.rxNumber.value_or("")) << "\n";
  text << _("Issuer:") << " " << toWx(ws::issuerShown(rx)) << "\n";
  text << _("Issued:") << " " << toWx(rx.issuedOn.value_or("")) << "\n";
  text << _("Patient:") << " " << toWx(rx.patientName.value_or("")) << "\n";
  text << _("Prescriber:") << " " << toWx(rx.prescriber.value_or("")) << "\n";
  text << _("Diagnosis:") << " " << toWx(rx.diagnosis.value_or("")) << "\n";
  text << (rx.verified.value_or(false) ? wxString::Format(_("Signature verified; agreement %s"),
                                                          toWx(rx.agreementNo.value_or("")))
                                       : _("Signature NOT verified"))
       << "\n\n";
  for (const auto& item : rx.items)
    text << "• " << toWx(item.drugName) << "  " << toWx(item.spec) << "  × "
         << toWx(ws::quantityText(item.quantity)) << " " << toWx(item.unit) << "\n    "
         << toWx(item.usage) << "\n";
  return text;
}

}  // namespace rx::gui
