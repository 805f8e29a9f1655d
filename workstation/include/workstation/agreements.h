// Provider agreements at the pharmacy (M9, M23): import with verification and countersignature,
// suspension and revocation with reasons, and the verdict on an e-prescription's source.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/agreements.h"
#include "workstation/agreement_document.h"
#include "workstation/eprescription.h"
#include "workstation/session.h"

namespace rx::ws {

struct AgreementSummary {
  data::AgreementRecord record;
  data::AgreementStatus status = data::AgreementStatus::kActive;
  std::vector<data::StatusChange> history;
};

class AgreementService {
 public:
  explicit AgreementService(Session& session) : session_(session) {}

  // Parses the document and verifies the provider's signature, without storing anything: what
  // the supervisor is asked to accept.
  Result<AgreementDocument> inspect(std::string_view text, std::string_view source) const;
  // Supervisors and admins: verifies, countersigns with the pharmacy key, stores, audits.
  Result<AgreementSummary> import(std::string_view text, std::string_view source);
  Result<std::vector<AgreementSummary>> list();
  Result<AgreementSummary> show(const std::string& agreementNo);
  // Supervisors and admins: suspend, resume (to active) or revoke (final) with a reason.
  Result<AgreementSummary> changeStatus(const std::string& agreementNo, data::AgreementStatus to,
                                        const std::string& reason);

 private:
  Result<AgreementSummary> summarize(data::AgreementRecord record);
  Session& session_;
};

struct ErxVerdict {
  std::string rxNumber;
  std::string documentHash;
  std::string issuedAt;
  std::string keyId;
  std::string algorithm;
  std::string signingTime;
  bool signatureValid = false;
  std::string signatureDetail;
  std::optional<std::string> agreementNo;
  std::optional<std::int64_t> agreementId;
  std::string providerName;
  bool issuerMatchesAgreement = false;
  bool agreementActiveAtIssue = false;
  bool agreementActiveNow = false;
  std::string agreementDetail;
  bool drugsInScope = false;
  std::vector<std::string> outOfScope;  // "name (class)"
  bool prescriberNamed = false;

  // Returns true iff every check passed.
  bool accepted() const {
    return signatureValid && agreementNo && issuerMatchesAgreement && agreementActiveAtIssue &&
           agreementActiveNow && drugsInScope && prescriberNamed;
  }
  // The verdict as JSON (no patient data).
  nlohmann::json toJson() const;
};

// Verifies e-prescriptions against the agreements in the session's store. Parsed keys are cached,
// so verifying many prescriptions costs one database lookup each.
class ErxVerifier {
 public:
  explicit ErxVerifier(Session& session) : session_(session) {}
  // Returns the verdict at time `now` (UTC timestamp), writing nothing.
  Result<ErxVerdict> evaluate(const EPrescription& rx, const std::string& now);
  // Evaluates and records the verification (table and audit chain) in one transaction.
  Result<ErxVerdict> verifyAndRecord(const EPrescription& rx);
  // Verifies a QR payload from a paper copy: signature by a key pinned in an agreement.
  Result<ErxVerdict> evaluateQr(const RxQr& qr, const std::string& now);

 private:
  Result<crypto::PublicKey> keyFor(const data::PinnedKey& pinned);
  // Fills the agreement part of `v` from the agreements that pin the signing key.
  Status checkAgreement(ErxVerdict& v, const std::vector<data::AgreementRecord>& agreements,
                        const std::string& issuerUscc, const std::string& issuedAt,
                        const std::string& now);
  Session& session_;
  std::map<std::string, crypto::PublicKey> keys_;
};

// Whether a drug of `drugClass` may be dispensed under an agreement whose scope lists `scope`:
// special-management classes never are, whatever it lists (M8). The verification and the review's
// scope check both ask this.
bool inAgreementScope(std::string_view drugClass, const std::vector<std::string>& scope);

// The message the pharmacy key signs to countersign an agreement.
std::string countersignatureMessage(const std::string& canonicalAgreement);

}  // namespace rx::ws
