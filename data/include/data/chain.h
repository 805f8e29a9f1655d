// Storage of the store's side of the chain registry (docs/registry.md): membership, the outbox of
// what waits to be sent, and the local copy of the chain's presentations, claims, stores and
// alerts. Nothing here holds a patient's details: fingerprints and claim keys are keyed hashes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct ChainMembership {
  std::string storeCode, storeName;
  SecretBytes requestKey;  // X25519 private key the chain key is sealed to
  std::optional<std::string> host;
  int port = 5432;
  std::string dbname;
  std::string certDir;
  std::optional<std::string> joinedAt, lastExchangeAt, lastError;
  // What the last exchange that reached the registry found wrong with the audit log, if anything.
  std::optional<std::string> auditProblem;
  std::int64_t presentationsCursor = 0, claimsCursor = 0, alertsCursor = 0;
  bool joined() const { return joinedAt.has_value(); }
};

enum class OutboxKind { kPresentation, kClaim };

struct OutboxItem {
  std::int64_t seq = 0;
  OutboxKind kind = OutboxKind::kPresentation;
  std::int64_t localId = 0;  // the prescription
  Bytes claimKey;            // claims: 32 bytes
  std::string claimKind;     // claims: prescription | package
  std::string at;
  bool offline = false;  // claims made while the registry could not be reached
};

struct ChainPresentationRow {
  std::int64_t registryId = 0;
  std::string store;
  std::int64_t localId = 0;
  std::string kind, fingerprint, state, presentedAt;
  std::optional<std::string> handedOutAt;
  std::int64_t seq = 0;  // local order of arrival
};

struct ChainClaimRow {
  Bytes key;
  std::string kind, store;
  std::int64_t localId = 0;
  std::string claimedAt;
};

struct ChainAlertRow {
  std::int64_t registryId = 0;
  std::string kind, firstStore, firstAt, secondStore, secondAt, raisedAt;
  std::int64_t firstLocal = 0, secondLocal = 0;
};

class ChainRepository {
 public:
  explicit ChainRepository(Connection& conn) : conn_(conn) {}

  Result<std::optional<ChainMembership>> membership();
  Status putMembership(const ChainMembership& m);
  // After an exchange: its time when it succeeded (`error` empty), else the error.
  Status recordExchange(const std::string& at, const std::optional<std::string>& error);
  // After an exchange that compared the audit log with the heads the registry keeps.
  Status recordAuditCheck(const std::optional<std::string>& problem);
  Status setCursors(std::int64_t presentations, std::int64_t claims, std::int64_t alerts);

  Status enqueue(const OutboxItem& item);
  Result<std::vector<OutboxItem>> outbox(int limit);
  Result<std::int64_t> outboxSize();
  Status sent(std::int64_t seq);

  // Adds or replaces another store's presentation; it takes the next arrival number.
  Status putPresentation(const ChainPresentationRow& row);
  Result<std::optional<ChainPresentationRow>> presentation(std::int64_t registryId);
  // Calls `row` for each presentation that arrived after `afterSeq`, in arrival order.
  Status forEachPresentation(const std::function<Status(const ChainPresentationRow&)>& row,
                             std::int64_t afterSeq);
  // Forgets the copies of presentations made before `date` (ISO); returns how many.
  Result<int> forgetPresentationsBefore(const std::string& date);

  Status putClaim(const ChainClaimRow& row);
  Result<std::optional<ChainClaimRow>> claim(const Bytes& key);

  Status putStore(const std::string& code, const std::string& name);
  // The store's name, or its code when the store is not known yet.
  Result<std::string> storeName(const std::string& code);

  Status putAlert(const ChainAlertRow& row);
  Result<std::vector<ChainAlertRow>> alerts();

 private:
  Connection& conn_;
};

}  // namespace rx::data
