// The chain registry at the counter (docs/registry.md): a prescription or package handed out at one
// store of the chain is caught at every other. The registry (PostgreSQL, registry/) keeps every
// store's presentations as fingerprints keyed with the chain key, and the claims of hand-outs: the
// first claim of a prescription or a traceability code wins, chain-wide.
//
// A store works on when the registry cannot be reached: what it has to say waits in the outbox
// (written in the transaction of the presentation or hand-out), and its local copy of the chain's
// presentations and claims of the last `chain.copy_days` keeps cross-store detection going up to
// the last exchange. Hand-outs made while apart that meet later raise an alert at both stores.
//
// Office side (no store): `makeChainKey` and `sealChainKey`. Store side: `request` (the public
// key the chain key is sealed to), `join`, `exchange`, `status`, `alerts`; dispensing and intake
// call the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/chain.h"
#include "data/prescriptions.h"
#include "dedup/fingerprint.h"
#include "workstation/session.h"

namespace rx::ws {

// Office: writes a new chain key (32 random bytes) to `path`, readable by its owner only.
Status makeChainKey(const std::string& path);
// Office: seals the chain key in `keyFile` to the store that wrote `requestFile` (chain request).
Status sealChainKey(const std::string& keyFile, const std::string& requestFile,
                    const std::string& out);

struct JoinOptions {
  std::string host;
  int port = 5432;
  std::string dbname = "rxdesk_registry";
  std::string caFile, certFile, keyFile;  // the chain's CA, the store's certificate and key
  std::string sealedKeyFile;              // from sealChainKey
};

struct ChainStatus {
  bool joined = false;
  bool requested = false;  // a request was written, not joined yet
  std::string store, storeName, registry;
  bool online = false;  // the last attempt reached the registry
  std::int64_t waiting = 0;
  std::optional<std::string> lastExchange, lastError;
  // The registry keeps heads this store's audit log no longer matches (kept until an exchange
  // finds the log matching again; a network failure does not clear it).
  std::optional<std::string> auditProblem;
  std::size_t alerts = 0;
};

struct ExchangeReport {
  int sent = 0;  // outbox items
  int presentationsReceived = 0;
  int claimsReceived = 0;
  int alertsReceived = 0;
  int forgotten = 0;  // copies older than chain.copy_days
  // The registry keeps another head for an entry of this store's audit log: it was rewritten.
  std::optional<std::string> auditProblem;
};

// What a hand-out claimed, or will claim when the registry is back.
struct HandOutClaim {
  bool joined = false;
  bool online = false;  // claimed in the registry now
  std::string storeCode;
  std::vector<data::OutboxItem> claims;
};

using ExchangeProgress = std::function<void(std::string_view step, int done)>;

// A registry failure the counter works on through, offline: the registry out of reach, the store's
// certificate refused, or a registry of another schema version (its rxdesk or the registry not
// upgraded yet). Each is shown in the chain status and retried later.
bool chainWorksOffline(const Status& s);

// What the chain registry keeps of this store's audit log (ChainService::auditAnchors).
struct ChainAuditAnchors {
  struct Restore {
    int number = 0;
    std::int64_t fromSeq = 0;  // the backup's last entry: heads up to it are still checked
    std::int64_t seq = 0;      // the store.restore entry
    std::string restoredAt;    // as the store's entry says (ISO 8601 UTC)
    std::string receivedAt;    // the registry's own clock: when it heard of the restore
  };
  std::vector<data::AuditAnchor> heads;  // of the log as it is now, and each restore's entry
  std::vector<Restore> restores;
  int replacedHeads = 0;  // sent before a restore, of the log it replaced
};

class ChainService {
 public:
  explicit ChainService(Session& session) : session_(session) {}

  // Admins: makes this store's request to join (its code, name and the public key the chain key
  // is sealed to) and writes it to `out`.
  Status request(const std::string& code, const std::string& name, const std::string& out);
  // Admins: joins the chain. Opens the sealed chain key, keeps the certificates beside the store,
  // connects once to check them, then in one transaction takes the chain key for the keyed hashes,
  // re-keys every fingerprint and puts every presentation and hand-out so far in the outbox; then
  // exchanges.
  Result<ExchangeReport> join(const JoinOptions& options, const ExchangeProgress& progress = {});
  // At a restore, in the restored store: when the store it replaces (`replaced`) belongs to a chain
  // and the backup was made before it joined, the restored store stays in the chain. Its
  // membership and the chain key come over, every fingerprint is made again with the chain key and
  // everything presented and handed out waits to be sent (as at a join; the registry keeps what it
  // had once), and the local copy of the chain is fetched again. Returns the number of
  // presentations queued, or nothing when there was nothing to keep. Audited (chain.kept).
  Result<std::optional<int>> keepMembershipOf(Session& replaced);
  bool joined();
  // `probe`: try the registry now (else the last exchange's outcome).
  Result<ChainStatus> status(bool probe);
  // Sends the outbox, then fetches what the other stores did. kUnavailable when the registry
  // cannot be reached (recorded; the counter goes on).
  Result<ExchangeReport> exchange(const ExchangeProgress& progress = {});
  // Before an intake or a scan: exchange unless the registry failed a moment ago; never fails
  // because the registry is down.
  Status refresh();
  // Before an intake, once its fingerprint is made: asks the registry for the other stores'
  // presentations that share a number key (the number or one character off) or the patient and
  // date with `fp`, however old, and adds them to the local copy, so that a presentation older
  // than the copy keeps (chain.copy_days) is compared too. Nothing when the store has not joined
  // or the registry is away (the local copy then decides alone); never fails because of the
  // registry.
  Status lookUp(const dedup::Fingerprint& fp);
  // After a commit: sends the outbox now when the registry is there (as refresh); a failure is
  // only logged, the outbox keeps what was not sent.
  void flush();
  Result<std::vector<data::ChainAlertRow>> alerts();
  // The heads of this store's audit chain the registry keeps (every exchange sends the newest) and
  // the entries of its restores: anchors `audit verify` checks the log against. Heads of a log that
  // a restore replaced are counted, not checked. Empty when the store has not joined a chain;
  // kUnavailable when the registry cannot be reached.
  Result<ChainAuditAnchors> auditAnchors();

  // Inside a presentation's transaction: the presentation (its fingerprint, its state) is to be
  // sent.
  Status enqueuePresentation(std::int64_t id, const std::string& at);
  // The store holding package `traceCode` (claimed at another store), from the local copy.
  Result<std::optional<std::string>> packageHandedOutElsewhere(const std::string& traceCode);
  // Before a hand-out's transaction: claims the prescription and the packages in the registry.
  // Refused (kAlreadyExists) naming the store and time when another store holds a claim; when the
  // registry cannot be reached the claims wait for it (setting chain.offline_handout), else
  // kUnavailable.
  Result<HandOutClaim> claimHandOut(const data::PrescriptionRecord& r,
                                    const std::vector<std::string>& traceCodes);
  // Inside the hand-out's transaction: the claims made offline go to the outbox (audited), and the
  // presentation's new state.
  Status recordHandOut(const HandOutClaim& claim, std::int64_t id, const std::string& at);
  // The hand-out's transaction did not commit: gives back what claimHandOut claimed.
  void releaseHandOut(const HandOutClaim& claim, std::int64_t id);

 private:
  Result<ExchangeReport> exchange(const ExchangeProgress& progress, bool receiveToo);
  Status refresh(bool receiveToo);
  Session& session_;
};

}  // namespace rx::ws
