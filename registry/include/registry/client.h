// The chain registry's client (PostgreSQL through libpq): what a store sends to the registry and
// reads from it. The only SQL of the registry lives in this module; the schema is
// installer/registry/migrations/, applied at the chain's office by installer/registry/
// rxdesk-registry. Nothing here knows a patient: fingerprints and claim keys arrive keyed with the
// chain key (docs/registry.md).
//
// Every connection is TLS with the server's certificate verified against the chain's CA
// (sslmode=verify-full) and the store's client certificate; the role is the store's code, and
// row-level security keeps a store to its own rows. Failures to reach the registry are
// kUnavailable (the counter goes on offline); a refused certificate is kAuthFailed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace rx::registry {

// The schema version this client needs (installer/registry/migrations/NNN_*.sql).
inline constexpr int kSchemaVersion = 3;

struct Endpoint {
  std::string host;
  int port = 5432;
  std::string dbname = "rxdesk_registry";
  std::string store;  // the store's code: its role and its certificate's CN
  std::string caFile, certFile, keyFile;
  int timeoutSeconds = 3;  // connecting, and each statement
};

// A presentation as the chain sees it.
struct SharedPresentation {
  std::int64_t localId = 0;
  std::string kind;         // paper | electronic
  std::string fingerprint;  // dedup::Fingerprint::serialize(), keyed with the chain key
  std::vector<std::int64_t> numberKeys;
  std::optional<std::int64_t> patientKey, dateKey;
  std::string state;        // presented | handed-out
  std::string presentedAt;  // ISO 8601 UTC
  std::optional<std::string> handedOutAt;
};

struct RemotePresentation {
  std::int64_t id = 0;  // the registry's row
  std::string store;
  SharedPresentation p;
  std::int64_t changed = 0;
};

// A prescription (its identity) or a package (its traceability code), keyed with the chain key.
struct ClaimRequest {
  std::string key;   // 32 bytes
  std::string kind;  // prescription | package
  std::int64_t localId = 0;
  std::string at;
  bool offline = false;  // handed out while the registry could not be reached
};

struct Claim {
  std::string key, kind, store;
  std::int64_t localId = 0;
  std::string at;
  std::int64_t changed = 0;
};

struct ClaimOutcome {
  bool won = false;
  Claim holder;  // who holds the claim (this store when won)
};

struct Alert {
  std::int64_t id = 0;
  std::string key, kind;
  std::string firstStore, firstAt, secondStore, secondAt;
  std::int64_t firstLocal = 0, secondLocal = 0;
  std::string raisedAt;
};

struct Store {
  std::string code, name;
};

// A head of this store's audit chain as the registry keeps it.
struct AuditHead {
  std::int64_t seq = 0;
  std::string hash;  // 32 bytes: the entry's hash
  std::string receivedAt;
  int afterRestore = 0;  // the number of the store's last restore when it was sent (0: none)
};

// A restore of this store from a backup: its store.restore audit entry starts a new log there.
struct AuditRestore {
  int number = 0;            // 1 for the store's first
  std::int64_t fromSeq = 0;  // the backup's last entry: the log is kept up to it
  std::int64_t seq = 0;
  std::string hash;  // 32 bytes: the store.restore entry's hash
  std::string restoredAt, receivedAt;
};

// The heads that belong to the store's log as it is now: a head sent before a restore counts only
// when it is for an entry up to the restored backup's last one (the rest were of the log the
// restore replaced).
std::vector<AuditHead> headsOfTheCurrentLog(const std::vector<AuditHead>& heads,
                                            const std::vector<AuditRestore>& restores);
// The restores whose own entry is in the store's log as it is now (a later restore to a backup
// from before one replaced that one's entry).
std::vector<AuditRestore> restoresOfTheCurrentLog(const std::vector<AuditRestore>& restores);

class Client {
 public:
  // Connects and checks the registry's schema version (kUnsupported when it is not kSchemaVersion).
  static Result<Client> connect(const Endpoint& endpoint);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();

  const std::string& store() const { return store_; }
  Result<std::vector<Store>> stores();

  // Adds or updates this store's presentation (idempotent: sending it twice changes nothing). A
  // presentation handed out stays handed out.
  Status publish(const SharedPresentation& p);

  // Claims in one registry transaction. `allOrNothing` (a hand-out at the counter): when any key
  // is held by another claim, nothing is claimed and the outcomes say who holds it. Otherwise
  // (claims sent from the outbox after working offline) each is claimed on its own and a key held
  // by another store raises an alert read by both stores. A key this store already holds for the
  // same record counts as won (a claim sent twice).
  Result<std::vector<ClaimOutcome>> claim(const std::vector<ClaimRequest>& requests,
                                          bool allOrNothing);
  // Gives back this store's claims on `keys` for record `localId` (its hand-out did not commit).
  Status release(const std::vector<std::string>& keys, std::int64_t localId);

  // Other stores' presentations changed after `changed`, presented at or after `since` (ISO
  // date), oldest change first, at most `limit`.
  Result<std::vector<RemotePresentation>> presentationsSince(std::int64_t changed,
                                                             const std::string& since, int limit);
  // Where a store's first sync starts: just before the first change of a presentation made at or
  // after `since` (none before it is wanted).
  Result<std::int64_t> firstChangeSince(const std::string& since);
  // Other stores' claims changed after `changed`, at most `limit`.
  Result<std::vector<Claim>> claimsSince(std::int64_t changed, int limit);
  // Presentations that share a number key, or the patient and date keys, with the given ones.
  Result<std::vector<RemotePresentation>> candidates(const std::vector<std::int64_t>& numberKeys,
                                                     std::optional<std::int64_t> patientKey,
                                                     std::optional<std::int64_t> dateKey);
  // Alerts this store is part of, after `afterId`.
  Result<std::vector<Alert>> alerts(std::int64_t afterId);

  // Keeps the head of this store's audit chain (entry `seq`, its 32-byte hash), sent after the
  // store's restore number `afterRestore` (0: none yet). The registry keeps every head and lets no
  // store change or delete one; the same head sent twice changes nothing. kConflict when the
  // registry holds another hash for that entry since that restore: the log was rewritten.
  Status anchorAudit(std::int64_t seq, const std::string& hash, int afterRestore);
  // Every head of this store's audit chain the registry keeps, oldest first (also those of logs a
  // restore replaced: headsOfTheCurrentLog() picks the others).
  Result<std::vector<AuditHead>> auditHeads();
  // The newest head of the log as it is now (as headsOfTheCurrentLog() would pick), found by the
  // registry; none before the first.
  Result<std::optional<AuditHead>> lastCurrentAuditHead();
  // This store's restores, oldest first.
  Result<std::vector<AuditRestore>> auditRestores();
  // Records a restore (its number is chosen here; fromSeq, seq, hash and restoredAt are used) and
  // returns its number. The same restore sent twice (two programs of the store at once) is
  // recorded once.
  Result<int> recordAuditRestore(const AuditRestore& restore);

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl, std::string store);
  std::unique_ptr<Impl> impl_;
  std::string store_;
};

}  // namespace rx::registry
