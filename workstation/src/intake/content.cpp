#include "workstation/content.h"

#include "base/time.h"
#include "dedup/presentation.h"

namespace rx::ws {

dedup::PresentationContent contentOf(const EPrescription& rx) {
  dedup::PresentationContent c;
  c.issuer = rx.organizationName;
  c.rxNumber = rx.rxNumber;
  // A printout shows the date in China (UTC+8); the bundle's timestamp is UTC.
  c.date = datePart(chinaTime(rx.issuedAt));
  c.patient = rx.patient.name;
  c.values = {rx.rxNumber, c.date, rx.patient.name, rx.diagnosis.value_or("")};
  for (const auto& d : rx.drugs) {
    c.drugs.push_back(d.name);
    c.values.push_back(d.name + d.strength.value_or("") + std::to_string(d.quantity) + d.unit +
                       d.usage);
  }
  return c;
}

dedup::PresentationContent contentOf(const ocr::ExtractedFields& read,
                                     const std::optional<RxQr>& verifiedQr) {
  dedup::PresentationContent c = dedup::contentFromFields(read);
  if (verifiedQr) {
    c.rxNumber = verifiedQr->rxNumber;
    c.numberRead = false;
    c.issuer.clear();  // the QR names the issuer by USCC; OCR's hospital name is not needed
    if (c.date.empty()) c.date = verifiedQr->issueDate;
  }
  return c;
}

dedup::PresentationContent contentOf(const data::PrescriptionRecord& r) {
  const bool paper = r.kind == data::RxKind::kPaper;
  dedup::PresentationContent c;
  c.rxNumber = r.rxNumber.value_or("");
  c.numberRead = paper;
  if (paper) c.issuer = r.issuer.value_or("");  // electronic: a USCC, not a name
  c.date = r.issuedOn.value_or("");
  c.patient = r.patientName.value_or("");
  c.values = {c.rxNumber, c.date, c.patient, r.diagnosis.value_or("")};
  for (const auto& item : r.items) {
    c.drugs.push_back(item.drugName);
    c.values.push_back(item.drugName + item.spec + item.unit + item.usage);
  }
  return c;
}

dedup::PresentationContent confirmedIdentity(const ReadFields& fields) {
  dedup::PresentationContent c;
  c.rxNumber = fields.value(FieldName::kRxNumber);
  c.numberRead = false;  // typed or confirmed by the pharmacist
  c.issuer = fields.value(FieldName::kHospital);
  c.date = fields.value(FieldName::kDate);
  c.patient = fields.value(FieldName::kPatientName);
  return c;
}

}  // namespace rx::ws
