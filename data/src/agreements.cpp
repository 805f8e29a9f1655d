#include "data/agreements.h"

#include <nlohmann/json.hpp>

namespace rx::data {

std::string_view agreementStatusName(AgreementStatus s) {
  switch (s) {
    case AgreementStatus::kActive:
      return "active";
    case AgreementStatus::kSuspended:
      return "suspended";
    case AgreementStatus::kRevoked:
      return "revoked";
  }
  return "?";
}

Result<AgreementStatus> parseAgreementStatus(std::string_view s) {
  if (s == "active") return AgreementStatus::kActive;
  if (s == "suspended") return AgreementStatus::kSuspended;
  if (s == "revoked") return AgreementStatus::kRevoked;
  return Status(ErrorCode::kCorrupt, "unknown agreement status '" + std::string(s) + "'");
}

namespace {
constexpr std::string_view kAgreementColumns =
    "id, agreement_no, provider_name, provider_uscc, provider_licence, valid_from, valid_until, "
    "scope, document, "
    "countersignature, countersign_key_id, imported_at, imported_by";
}

Result<AgreementRecord> AgreementRepository::readOne(Statement& st) {
  AgreementRecord a;
  a.id = st.columnInt(0);
  a.agreementNo = st.columnText(1);
  a.providerName = st.columnText(2);
  a.providerUscc = st.columnText(3);
  a.providerLicence = st.columnText(4);
  a.validFrom = st.columnText(5);
  a.validUntil = st.columnText(6);
  auto scope = nlohmann::json::parse(st.columnText(7), nullptr, false);
  if (!scope.is_array())
    return Status(ErrorCode::kCorrupt, "agreement " + a.agreementNo + " has a damaged scope");
  for (const auto& c : scope) a.scope.push_back(c.get<std::string>());
  a.document = st.columnText(8);
  a.countersignature = st.columnBlob(9);
  a.countersignKeyId = st.columnText(10);
  a.importedAt = st.columnText(11);
  a.importedBy = st.columnText(12);
  RX_ASSIGN_OR_RETURN(Statement keys,
                      conn_.prepare("SELECT key_id, key_type, spki FROM agreement_keys WHERE "
                                    "agreement_id = ? ORDER BY key_id"));
  keys.bind(1, a.id);
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, keys.step());
    if (!row) break;
    a.keys.push_back({keys.columnText(0), keys.columnText(1), keys.columnBlob(2)});
  }
  return a;
}

Result<std::int64_t> AgreementRepository::insert(const AgreementRecord& a,
                                                 const std::string& byUser) {
  Transaction tx(conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  if (findByNumber(a.agreementNo).isOk())
    return Status(ErrorCode::kAlreadyExists,
                  "agreement " + a.agreementNo + " was already imported");
  nlohmann::json scope = a.scope;
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("INSERT INTO agreements(" +
                                                  std::string(kAgreementColumns).substr(4) +
                                                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  RX_RETURN_IF_ERROR(st.bind(1, a.agreementNo)
                         .bind(2, a.providerName)
                         .bind(3, a.providerUscc)
                         .bind(4, a.providerLicence)
                         .bind(5, a.validFrom)
                         .bind(6, a.validUntil)
                         .bind(7, scope.dump())
                         .bind(8, a.document)
                         .bind(9, a.countersignature)
                         .bind(10, a.countersignKeyId)
                         .bind(11, a.importedAt)
                         .bind(12, byUser)
                         .run());
  const std::int64_t id = conn_.lastInsertRowId();
  for (const PinnedKey& k : a.keys) {
    RX_ASSIGN_OR_RETURN(Statement ks, conn_.prepare("INSERT INTO agreement_keys(agreement_id, "
                                                    "key_id, key_type, spki) VALUES (?, ?, ?, ?)"));
    RX_RETURN_IF_ERROR(ks.bind(1, id).bind(2, k.keyId).bind(3, k.keyType).bind(4, k.spki).run());
  }
  RX_RETURN_IF_ERROR(addStatus(id, {AgreementStatus::kActive, a.importedAt, "imported", byUser}));
  RX_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<AgreementRecord> AgreementRepository::findByNumber(const std::string& no) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kAgreementColumns) +
                                                  " FROM agreements WHERE agreement_no = ?"));
  st.bind(1, no);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kNotFound, "no agreement numbered '" + no + "'");
  return readOne(st);
}

Result<AgreementRecord> AgreementRepository::findById(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kAgreementColumns) +
                                                  " FROM agreements WHERE id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kNotFound, "no agreement with id " + std::to_string(id));
  return readOne(st);
}

Result<std::vector<AgreementRecord>> AgreementRepository::list() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kAgreementColumns) +
                                                  " FROM agreements ORDER BY agreement_no"));
  std::vector<AgreementRecord> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(AgreementRecord a, readOne(st));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<AgreementRecord>> AgreementRepository::withKey(const std::string& keyId) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(
          "SELECT agreement_id FROM agreement_keys WHERE key_id = ? ORDER BY agreement_id"));
  st.bind(1, keyId);
  std::vector<std::int64_t> ids;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    ids.push_back(st.columnInt(0));
  }
  std::vector<AgreementRecord> out;
  for (std::int64_t id : ids) {
    RX_ASSIGN_OR_RETURN(AgreementRecord a, findById(id));
    out.push_back(std::move(a));
  }
  return out;
}

Status AgreementRepository::addStatus(std::int64_t agreementId, const StatusChange& c) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO agreement_status(agreement_id, status, "
                                    "effective_at, reason, by_user) VALUES (?, ?, ?, ?, ?)"));
  return st.bind(1, agreementId)
      .bind(2, agreementStatusName(c.status))
      .bind(3, c.effectiveAt)
      .bind(4, c.reason)
      .bind(5, c.byUser)
      .run();
}

Result<std::vector<StatusChange>> AgreementRepository::history(std::int64_t agreementId) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT status, effective_at, reason, by_user FROM agreement_status WHERE "
                    "agreement_id = ? ORDER BY effective_at, id"));
  st.bind(1, agreementId);
  std::vector<StatusChange> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(AgreementStatus s, parseAgreementStatus(st.columnText(0)));
    out.push_back({s, st.columnText(1), st.columnText(2), st.columnText(3)});
  }
  return out;
}

Result<std::optional<StatusChange>> AgreementRepository::statusAt(std::int64_t agreementId,
                                                                  const std::string& at) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT status, effective_at, reason, by_user FROM "
                                    "agreement_status WHERE agreement_id = ? AND effective_at <= ? "
                                    "ORDER BY effective_at DESC, id DESC LIMIT 1"));
  st.bind(1, agreementId).bind(2, at);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<StatusChange>();
  RX_ASSIGN_OR_RETURN(AgreementStatus s, parseAgreementStatus(st.columnText(0)));
  return std::optional<StatusChange>(
      StatusChange{s, st.columnText(1), st.columnText(2), st.columnText(3)});
}

Result<std::int64_t> AgreementRepository::recordVerification(const VerificationRecord& v) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO erx_verifications(rx_number, document_hash, "
                                    "key_id, agreement_id, accepted, verdict, verified_at, "
                                    "verified_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  RX_RETURN_IF_ERROR(st.bind(1, v.rxNumber)
                         .bind(2, v.documentHash)
                         .bind(3, v.keyId)
                         .bind(4, v.agreementId)
                         .bind(5, v.accepted ? 1 : 0)
                         .bind(6, v.verdictJson)
                         .bind(7, v.verifiedAt)
                         .bind(8, v.verifiedBy)
                         .run());
  return conn_.lastInsertRowId();
}

Result<std::vector<VerificationRecord>> AgreementRepository::verificationsOf(
    const std::string& rxNumber) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT rx_number, document_hash, key_id, agreement_id, "
                                    "accepted, verdict, verified_at, verified_by "
                                    "FROM erx_verifications WHERE rx_number = ? ORDER BY id"));
  st.bind(1, rxNumber);
  std::vector<VerificationRecord> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    VerificationRecord v;
    v.rxNumber = st.columnText(0);
    v.documentHash = st.columnText(1);
    v.keyId = st.columnOptionalText(2);
    if (!st.columnIsNull(3)) v.agreementId = st.columnInt(3);
    v.accepted = st.columnInt(4) != 0;
    v.verdictJson = st.columnText(5);
    v.verifiedAt = st.columnText(6);
    v.verifiedBy = st.columnText(7);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace rx::data
