#include "workstation/intake.h"

#include "base/text.h"
#include "base/time.h"
#include "base/utf8.h"
#include "data/agreements.h"
#include "data/files.h"
#include "dedup/presentation.h"
#include "workstation/chain.h"
#include "workstation/content.h"
#include "workstation/records.h"
#include "workstation/review.h"
#include "workstation/session.h"

namespace rx::ws {

IntakeRead IntakeReader::read(const std::string& file) {
  IntakeRead r;
  r.file = file;
  if (looksLikeJsonFile(file)) {
    auto text = data::readWholeFile(file, kMaxErxBytes);
    auto erx = text ? parseEPrescription(*text, file) : Result<EPrescription>(text.status());
    if (erx)
      r.electronic = std::move(*erx);
    else
      r.error = erx.status();
    return r;
  }
  if (!reader_) {
    auto lexicon = ocr::DrugLexicon::load(ocr::defaultCataloguePath());
    if (!lexicon) {
      r.error = lexicon.status();
      return r;
    }
    lexicon_ = std::move(*lexicon);
    reader_ = ocr::makeStandardReader(&*lexicon_);
  }
  auto paper = reader_->readFile(file);
  if (paper)
    r.paper = std::move(*paper);
  else
    r.error = paper.status();
  return r;
}

IntakeService::IntakeService(ReviewService& review) : session_(review.session()), review_(review) {}

Result<Presentation> IntakeService::present(const IntakeRead& read) {
  if (read.electronic) return presentElectronic(*read.electronic, read.file);
  if (read.paper)
    return presentPaper(read.paper->fields, read.file, read.paper->page.gray,
                        read.paper->qrPayloads);
  if (!read.error.isOk()) return read.error;
  return Status(ErrorCode::kInternal, read.file + " was neither read nor refused");
}

Result<Presentation> IntakeService::presentElectronic(const EPrescription& erx,
                                                      const std::string& source) {
  auto& conn = session_.store().connection();
  // Before the transaction: what the chain's other stores presented and handed out since the last
  // exchange (docs/registry.md; nothing when the registry is away), and the first fingerprint
  // loads the reuse index; neither may hold the store's write lock meanwhile.
  RX_RETURN_IF_ERROR(ChainService(session_).refresh());
  RX_ASSIGN_OR_RETURN(dedup::Fingerprint fp, review_.reuse().fingerprint(contentOf(erx)));
  RX_RETURN_IF_ERROR(ChainService(session_).lookUp(fp));  // older than the local copy, too
  // The verification, the record and its reuse finding commit together or not at all.
  PendingReuse pending(review_.reuse());
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  ErxVerifier verifier(session_);
  RX_ASSIGN_OR_RETURN(ErxVerdict verdict, verifier.verifyAndRecord(erx));
  data::PrescriptionRecord r;
  r.kind = data::RxKind::kElectronic;
  r.rxNumber = erx.rxNumber;
  r.issuer = erx.organizationUscc;
  r.issuedOn = beijingDate(erx.issuedAt);
  r.patientName = erx.patient.name;
  r.patientIdNo = erx.patient.idNumber;
  r.prescriber = erx.prescriberName;
  r.diagnosis = erx.diagnosis;
  r.source = utf8OrEscaped(source);  // a file name may be any bytes
  r.verified = verdict.accepted();
  r.agreementNo = verdict.agreementNo;
  if (verdict.agreementId) {
    RX_ASSIGN_OR_RETURN(auto agreement,
                        data::AgreementRepository(conn).findById(*verdict.agreementId));
    r.agreementScope = agreement.scope;
  }
  for (const ErxDrug& d : erx.drugs)
    r.items.push_back(
        {0, 0, d.name, d.drugClass, false, d.strength.value_or(""), d.quantity, d.unit, d.usage});
  ReadFields fields;
  fields.signature = verdict.toJson();
  RX_ASSIGN_OR_RETURN(Presentation p, store(std::move(r), fields, fp, {},
                                            {{"kind", "electronic"},
                                             {"rx_number", erx.rxNumber},
                                             {"verified", verdict.accepted()}}));
  RX_RETURN_IF_ERROR(tx.commit());
  pending.committed();
  ChainService(session_).flush();  // sends it, when the registry is there
  p.signature = std::move(verdict);
  return p;
}

Result<Presentation> IntakeService::presentPaper(const ocr::ExtractedFields& read,
                                                 const std::string& source, const cv::Mat& page,
                                                 const std::vector<std::string>& qrPayloads) {
  data::PrescriptionRecord r;
  r.kind = data::RxKind::kPaper;
  const ReadFields fields = ReadFields::fromOcr(read);
  auto value = [&](FieldName f) -> std::optional<std::string> {
    const ReadField* v = fields.find(f);
    return v ? std::optional<std::string>(v->value) : std::nullopt;
  };
  r.rxNumber = value(FieldName::kRxNumber);
  r.issuer = value(FieldName::kHospital);
  r.issuedOn = value(FieldName::kDate);
  r.patientName = value(FieldName::kPatientName);
  r.prescriber = value(FieldName::kDoctor);
  r.diagnosis = value(FieldName::kDiagnosis);
  r.source = utf8OrEscaped(source);
  for (const auto& d : read.drugs) {
    double qty = 0;
    try {
      qty = d.quantity.value.empty() ? 0 : std::stod(d.quantity.value);
    } catch (...) {
      qty = 0;
    }
    r.items.push_back({0, 0, d.name.value, d.drugClass, d.ephedrine, d.spec.value, qty,
                       d.unit.value, d.usage.value});
  }
  // A QR code lends the paper its signed number only when its signature verifies with a key
  // pinned in an agreement: anyone can print a QR code.
  std::optional<RxQr> verifiedQr;
  std::vector<bool> qrVerified;
  ErxVerifier verifier(session_);
  for (const auto& payload : qrPayloads) {
    auto qr = parseRxQr(payload);
    bool valid = false;
    if (qr) {
      RX_ASSIGN_OR_RETURN(ErxVerdict v, verifier.evaluateQr(*qr, utcTimestamp()));
      valid = v.signatureValid;
    }
    qrVerified.push_back(valid);
    if (valid && !verifiedQr) verifiedQr = std::move(*qr);
  }
  RX_RETURN_IF_ERROR(ChainService(session_).refresh());  // as presentElectronic
  RX_ASSIGN_OR_RETURN(dedup::Fingerprint fp,
                      review_.reuse().fingerprint(contentOf(read, verifiedQr), page,
                                                  dedup::inkBoxesFromFields(read)));
  RX_RETURN_IF_ERROR(ChainService(session_).lookUp(fp));  // as presentElectronic
  PendingReuse pending(review_.reuse());
  data::Transaction tx(session_.store().connection());
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(Presentation p, store(std::move(r), fields, fp, page,
                                            {{"kind", "paper"},
                                             {"source", utf8OrEscaped(source)},
                                             {"qr_verified", verifiedQr.has_value()}}));
  RX_RETURN_IF_ERROR(tx.commit());
  pending.committed();
  ChainService(session_).flush();  // sends it, when the registry is there
  p.qrVerified = std::move(qrVerified);
  return p;
}

// Inside the caller's transaction; the caller commits it, then the pending reuse entry.
Result<Presentation> IntakeService::store(data::PrescriptionRecord r, const ReadFields& fields,
                                          const dedup::Fingerprint& fp, const cv::Mat& page,
                                          nlohmann::json auditDetails) {
  auto& conn = session_.store().connection();
  r.arrivedAt = utcTimestamp();
  r.arrivedBy = session_.user().name;
  r.fieldsJson = fields.toStored();
  r.retainUntil = retentionDate(datePart(r.arrivedAt), std::nullopt);
  Presentation p;
  RX_ASSIGN_OR_RETURN(p.record, data::PrescriptionRepository(conn).insert(r));
  r.id = p.record;
  RX_ASSIGN_OR_RETURN(p.finding, review_.reuse().record(p.record, fp, page));
  auditDetails["reuse"] = std::string(dedup::verdictName(p.finding.verdict));
  RX_RETURN_IF_ERROR(session_.audit("rx.present", std::to_string(p.record), auditDetails).status());
  RX_ASSIGN_OR_RETURN(p.checks, review_.checksFor(r, fields, p.finding, beijingDate(r.arrivedAt)));
  return p;
}

}  // namespace rx::ws
