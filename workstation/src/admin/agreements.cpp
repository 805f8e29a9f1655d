#include "workstation/agreements.h"

#include "base/text.h"

#include <algorithm>

#include "base/drug_class.h"
#include "base/time.h"
#include "data/pharmacy.h"
#include "workstation/settings.h"

namespace rx::ws {

using nlohmann::json;

std::string countersignatureMessage(const std::string& canonicalAgreement) {
  return "rxdesk agreement countersignature v1|" + canonicalAgreement;
}

Result<AgreementDocument> AgreementService::inspect(std::string_view text,
                                                    std::string_view source) const {
  return parseAgreement(text, source);
}

Result<AgreementSummary> AgreementService::summarize(data::AgreementRecord record) {
  data::AgreementRepository repo(session_.store().connection());
  AgreementSummary s;
  RX_ASSIGN_OR_RETURN(s.history, repo.history(record.id));
  if (!s.history.empty()) s.status = s.history.back().status;
  s.record = std::move(record);
  return s;
}

Result<AgreementSummary> AgreementService::import(std::string_view text, std::string_view source) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                           "import provider agreements"));
  RX_ASSIGN_OR_RETURN(AgreementDocument doc, parseAgreement(text, source));
  // An agreement binds the provider to *this* pharmacy: one made out to another pharmacy would
  // let its keys sign prescriptions that are accepted here.
  RX_ASSIGN_OR_RETURN(PharmacyProfile pharmacy, SettingsService(session_).pharmacy());
  if (pharmacy.uscc.empty())
    return Status(ErrorCode::kConflict,
                  "this pharmacy's 统一社会信用代码 is not set, so agreement " + doc.agreementNo +
                      " cannot be checked against it; an admin sets it first (rxdesk-cli settings "
                      "set pharmacy.uscc …, or Administration ▸ Settings)");
  if (doc.pharmacy.uscc != pharmacy.uscc)
    return Status(ErrorCode::kConflict,
                  "agreement " + doc.agreementNo + " is made out to another pharmacy: '" +
                      doc.pharmacy.name + "', 统一社会信用代码 " + doc.pharmacy.uscc +
                      "; this pharmacy's is " + pharmacy.uscc + ". Nothing was imported");
  const std::string now = utcTimestamp();
  if (doc.validUntil < beijingDate(now))
    return Status(ErrorCode::kConflict,
                  "agreement " + doc.agreementNo + " expired on " + doc.validUntil);
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(crypto::SigningKey pharmacyKey, data::loadPharmacyKey(conn));
  RX_ASSIGN_OR_RETURN(crypto::Bytes countersignature,
                      pharmacyKey.sign(crypto::toBytes(countersignatureMessage(doc.canonical))));
  data::AgreementRecord rec;
  rec.agreementNo = doc.agreementNo;
  rec.providerName = doc.provider.name;
  rec.providerUscc = doc.provider.uscc;
  rec.providerLicence = doc.provider.institutionLicence;
  rec.validFrom = doc.validFrom;
  rec.validUntil = doc.validUntil;
  rec.scope = doc.scope;
  rec.document = doc.canonical;
  rec.countersignature = countersignature;
  rec.countersignKeyId = pharmacyKey.publicKey().keyId();
  rec.importedAt = now;
  for (const auto& k : doc.keys)
    rec.keys.push_back({k.keyId(), std::string(crypto::keyTypeName(k.type())), k.spki()});

  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::AgreementRepository repo(conn);
  RX_ASSIGN_OR_RETURN(std::int64_t id, repo.insert(rec, session_.user().name));
  json keyIds = json::array();
  for (const auto& k : rec.keys) keyIds.push_back(k.keyId);
  RX_RETURN_IF_ERROR(session_
                         .audit("agreement.import", rec.agreementNo,
                                {{"provider", rec.providerName},
                                 {"provider_uscc", rec.providerUscc},
                                 {"keys", keyIds},
                                 {"valid_until", rec.validUntil}})
                         .status());
  RX_RETURN_IF_ERROR(tx.commit());
  RX_ASSIGN_OR_RETURN(data::AgreementRecord stored, repo.findById(id));
  return summarize(std::move(stored));
}

Result<std::vector<AgreementSummary>> AgreementService::list() {
  RX_ASSIGN_OR_RETURN(auto records,
                      data::AgreementRepository(session_.store().connection()).list());
  std::vector<AgreementSummary> out;
  for (auto& r : records) {
    RX_ASSIGN_OR_RETURN(AgreementSummary s, summarize(std::move(r)));
    out.push_back(std::move(s));
  }
  return out;
}

Result<AgreementSummary> AgreementService::show(const std::string& agreementNo) {
  RX_ASSIGN_OR_RETURN(
      auto record,
      data::AgreementRepository(session_.store().connection()).findByNumber(agreementNo));
  return summarize(std::move(record));
}

Result<AgreementSummary> AgreementService::changeStatus(const std::string& agreementNo,
                                                        data::AgreementStatus to,
                                                        const std::string& reason) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                           "suspend, resume or revoke agreements"));
  RX_RETURN_IF_ERROR(
      checkRequiredText("the reason for changing an agreement's status", reason, 500, true));
  RX_ASSIGN_OR_RETURN(AgreementSummary current, show(agreementNo));
  if (current.status == data::AgreementStatus::kRevoked)
    return Status(ErrorCode::kConflict,
                  "agreement " + agreementNo + " was revoked; a revocation is final");
  if (current.status == to)
    return Status(ErrorCode::kConflict, "agreement " + agreementNo + " is already " +
                                            std::string(data::agreementStatusName(to)));
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(data::AgreementRepository(conn).addStatus(
      current.record.id, {to, utcTimestamp(), reason, session_.user().name}));
  RX_RETURN_IF_ERROR(
      session_
          .audit(std::string("agreement.") + std::string(data::agreementStatusName(to)),
                 agreementNo, {{"reason", reason}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return show(agreementNo);
}

json ErxVerdict::toJson() const {
  json j = {{"accepted", accepted()},
            {"rx_number", rxNumber},
            {"document_sha256", documentHash},
            {"issued_at", issuedAt},
            {"signature",
             {{"valid", signatureValid},
              {"alg", algorithm},
              {"kid", keyId},
              {"signing_time", signingTime},
              {"detail", signatureDetail}}},
            {"agreement",
             {{"number", agreementNo ? json(*agreementNo) : json(nullptr)},
              {"provider", providerName},
              {"issuer_matches", issuerMatchesAgreement},
              {"active_at_issue", agreementActiveAtIssue},
              {"active_now", agreementActiveNow},
              {"detail", agreementDetail}}},
            {"scope", {{"all_drugs_in_scope", drugsInScope}, {"out_of_scope", outOfScope}}},
            {"prescriber_named", prescriberNamed}};
  return j;
}

Result<crypto::PublicKey> ErxVerifier::keyFor(const data::PinnedKey& pinned) {
  auto it = keys_.find(pinned.keyId);
  if (it != keys_.end()) return it->second;
  RX_ASSIGN_OR_RETURN(crypto::PublicKey key, crypto::PublicKey::fromSpki(pinned.spki));
  if (key.keyId() != pinned.keyId)
    return Status(ErrorCode::kCorrupt, "a pinned key does not match its key id");
  keys_.emplace(pinned.keyId, key);
  return key;
}

namespace {
// Returns the key `keyId` of an agreement found by that key id (so it is there).
const data::PinnedKey& pinnedKey(const data::AgreementRecord& a, const std::string& keyId) {
  return *std::find_if(a.keys.begin(), a.keys.end(),
                       [&](const data::PinnedKey& k) { return k.keyId == keyId; });
}

// Returns the reason the agreement is not active at `at`, or nothing when it is.
Result<std::optional<std::string>> inactiveReason(data::AgreementRepository& repo,
                                                  const data::AgreementRecord& a,
                                                  const std::string& at) {
  const std::string day = beijingDate(at);  // agreement dates are Beijing days
  if (day < a.validFrom)
    return std::optional<std::string>("agreement " + a.agreementNo + " starts on " + a.validFrom);
  if (day > a.validUntil)
    return std::optional<std::string>("agreement " + a.agreementNo + " ended on " + a.validUntil);
  RX_ASSIGN_OR_RETURN(auto status, repo.statusAt(a.id, at));
  if (status && status->status != data::AgreementStatus::kActive)
    return std::optional<std::string>("agreement " + a.agreementNo + " was " +
                                      std::string(data::agreementStatusName(status->status)) +
                                      " on " + status->effectiveAt + ": " + status->reason);
  return std::optional<std::string>();
}
}  // namespace

Status ErxVerifier::checkAgreement(ErxVerdict& v,
                                   const std::vector<data::AgreementRecord>& agreements,
                                   const std::string& issuerUscc, const std::string& issuedAt,
                                   const std::string& now) {
  if (agreements.empty()) {
    v.agreementDetail = "no agreement pins the signing key " + v.keyId;
    return Status::ok();
  }
  data::AgreementRepository repo(session_.store().connection());
  // Prefer an agreement that is active now; otherwise report on the most recent one.
  for (auto it = agreements.rbegin(); it != agreements.rend(); ++it) {
    const data::AgreementRecord& a = *it;
    RX_ASSIGN_OR_RETURN(auto atIssue, inactiveReason(repo, a, issuedAt));
    RX_ASSIGN_OR_RETURN(auto atNow, inactiveReason(repo, a, now));
    v.agreementNo = a.agreementNo;
    v.agreementId = a.id;
    v.providerName = a.providerName;
    v.issuerMatchesAgreement = a.providerUscc == issuerUscc;
    v.agreementActiveAtIssue = !atIssue;
    v.agreementActiveNow = !atNow;
    v.agreementDetail = atIssue ? "at issue: " + *atIssue : atNow ? "now: " + *atNow : "active";
    if (!v.issuerMatchesAgreement)
      v.agreementDetail =
          "the issuer " + issuerUscc + " is not the agreement's provider " + a.providerUscc;
    if (v.issuerMatchesAgreement && !atIssue && !atNow) break;
  }
  return Status::ok();
}

bool inAgreementScope(std::string_view drugClass, const std::vector<std::string>& scope) {
  return !isSpecialManagementClass(drugClass) &&
         std::find(scope.begin(), scope.end(), drugClass) != scope.end();
}

Result<ErxVerdict> ErxVerifier::evaluate(const EPrescription& rx, const std::string& now) {
  ErxVerdict v;
  v.rxNumber = rx.rxNumber;
  v.documentHash = rx.documentHash;
  v.issuedAt = rx.issuedAt;
  v.keyId = rx.signature.header.keyId;
  v.algorithm = std::string(crypto::jwsAlgorithm(rx.signature.header.algorithm));
  v.signingTime = rx.signature.header.signingTime;
  v.prescriberNamed = !rx.prescriberName.empty() && !rx.prescriberLicence.empty();

  data::AgreementRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(auto agreements, repo.withKey(v.keyId));
  if (agreements.empty()) {
    v.signatureDetail =
        "the signing key is not pinned in any agreement, so the signature cannot be checked";
  } else {
    RX_ASSIGN_OR_RETURN(crypto::PublicKey key, keyFor(pinnedKey(agreements.front(), v.keyId)));
    Status sig = crypto::verifyDetached(rx.signature, key, rx.signedPayload);
    v.signatureValid = sig.isOk();
    v.signatureDetail = sig.isOk() ? "valid" : sig.message();
  }
  RX_RETURN_IF_ERROR(checkAgreement(v, agreements, rx.organizationUscc, rx.issuedAt, now));
  v.drugsInScope = true;
  if (v.agreementId) {
    const auto& a =
        *std::find_if(agreements.begin(), agreements.end(),
                      [&](const data::AgreementRecord& r) { return r.id == *v.agreementId; });
    for (const ErxDrug& d : rx.drugs) {
      if (!inAgreementScope(d.drugClass, a.scope)) {
        v.drugsInScope = false;
        v.outOfScope.push_back(d.name + " (" + d.drugClass + ")");
      }
    }
  } else {
    v.drugsInScope = false;
  }
  return v;
}

Result<ErxVerdict> ErxVerifier::verifyAndRecord(const EPrescription& rx) {
  const std::string now = utcTimestamp();
  RX_ASSIGN_OR_RETURN(ErxVerdict v, evaluate(rx, now));
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::VerificationRecord rec{v.rxNumber,   v.documentHash,    v.keyId, v.agreementId,
                               v.accepted(), v.toJson().dump(), now,     session_.user().name};
  RX_RETURN_IF_ERROR(data::AgreementRepository(conn).recordVerification(rec).status());
  RX_RETURN_IF_ERROR(
      session_
          .audit("rx.verify", v.rxNumber,
                 {{"accepted", v.accepted()},
                  {"document_sha256", v.documentHash},
                  {"agreement", v.agreementNo ? json(*v.agreementNo) : json(nullptr)}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return v;
}

Result<ErxVerdict> ErxVerifier::evaluateQr(const RxQr& qr, const std::string& now) {
  ErxVerdict v;
  v.rxNumber = qr.rxNumber;
  v.issuedAt = qr.issueDate + "T00:00:00Z";
  v.keyId = qr.jws.header.keyId;
  v.algorithm = std::string(crypto::jwsAlgorithm(qr.jws.header.algorithm));
  v.signingTime = qr.jws.header.signingTime;
  v.prescriberNamed =
      true;               // not carried in the QR; the e-prescription itself names the prescriber
  v.drugsInScope = true;  // likewise: the QR ties the paper to its e-prescription, nothing more
  data::AgreementRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(auto agreements, repo.withKey(v.keyId));
  if (agreements.empty()) {
    v.signatureDetail = "the QR's signing key is not pinned in any agreement";
  } else {
    RX_ASSIGN_OR_RETURN(crypto::PublicKey key, keyFor(pinnedKey(agreements.front(), v.keyId)));
    Status sig = crypto::verifyDetached(qr.jws, key, qr.jws.payload);
    v.signatureValid = sig.isOk();
    v.signatureDetail = sig.isOk() ? "valid" : sig.message();
  }
  RX_RETURN_IF_ERROR(checkAgreement(v, agreements, qr.issuerUscc, v.issuedAt, now));
  return v;
}

}  // namespace rx::ws
