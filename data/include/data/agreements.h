// Storage of provider agreements, the signing keys they pin, their status history, and the
// record of e-prescription verifications. Validation and signatures live in the workstation layer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "data/connection.h"

namespace rx::data {

enum class AgreementStatus { kActive, kSuspended, kRevoked };
std::string_view agreementStatusName(AgreementStatus s);
Result<AgreementStatus> parseAgreementStatus(std::string_view s);

struct PinnedKey {
  std::string keyId;
  std::string keyType;
  crypto::Bytes spki;
};

struct AgreementRecord {
  std::int64_t id = 0;
  std::string agreementNo;
  std::string providerName;
  std::string providerUscc;
  std::string providerLicence;
  std::string validFrom;   // YYYY-MM-DD
  std::string validUntil;  // YYYY-MM-DD, inclusive
  std::vector<std::string> scope;
  std::string document;  // canonical JSON, provider signature included
  crypto::Bytes countersignature;
  std::string countersignKeyId;
  std::string importedAt;
  std::string importedBy;
  std::vector<PinnedKey> keys;
};

struct StatusChange {
  AgreementStatus status;
  std::string effectiveAt;  // UTC timestamp
  std::string reason;
  std::string byUser;
};

struct VerificationRecord {
  std::string rxNumber;
  std::string documentHash;
  std::optional<std::string> keyId;
  std::optional<std::int64_t> agreementId;
  bool accepted = false;
  std::string verdictJson;
  std::string verifiedAt;
  std::string verifiedBy;
};

class AgreementRepository {
 public:
  explicit AgreementRepository(Connection& conn) : conn_(conn) {}

  // Stores an agreement with its keys and an initial 'active' status; kAlreadyExists if the
  // agreement number is taken.
  Result<std::int64_t> insert(const AgreementRecord& a, const std::string& byUser);
  Result<AgreementRecord> findByNumber(const std::string& agreementNo);
  Result<AgreementRecord> findById(std::int64_t id);
  Result<std::vector<AgreementRecord>> list();
  // Returns the agreements that pin `keyId`.
  Result<std::vector<AgreementRecord>> withKey(const std::string& keyId);

  Status addStatus(std::int64_t agreementId, const StatusChange& change);
  Result<std::vector<StatusChange>> history(std::int64_t agreementId);
  // Returns the status in force at `at` (UTC timestamp); none before the agreement was imported.
  Result<std::optional<StatusChange>> statusAt(std::int64_t agreementId, const std::string& at);

  Result<std::int64_t> recordVerification(const VerificationRecord& v);
  Result<std::vector<VerificationRecord>> verificationsOf(const std::string& rxNumber);

 private:
  Result<AgreementRecord> readOne(Statement& st);
  Connection& conn_;
};

}  // namespace rx::data
