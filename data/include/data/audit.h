// The tamper-evident audit log. Every security-relevant event is appended as an entry whose hash
// covers the previous entry's hash and the entry's canonical JSON; the table refuses UPDATE and
// DELETE; checkpoints sign the chain head with the pharmacy key. verify() finds a modified,
// deleted, inserted or reordered entry and names it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "data/connection.h"

namespace rx::data {

struct AuditEntry {
  std::int64_t seq = 0;
  std::string at;       // UTC timestamp
  std::string actor;    // user name, or "system"
  std::string event;    // e.g. "login", "agreement.import", "rx.verify"
  std::string subject;  // what it is about (record id, user name); never patient data in clear
  nlohmann::json detail = nlohmann::json::object();
  crypto::Digest256 prevHash{};
  crypto::Digest256 hash{};
};

struct AuditProblem {
  std::int64_t seq = 0;  // the first entry that fails
  std::string what;      // e.g. "entry 17 was modified"
};

// A head of the chain recorded outside the store (in a backup, an export, the chain registry),
// where someone holding the database key cannot rewrite it.
struct AuditAnchor {
  std::int64_t seq = 0;
  crypto::Digest256 hash{};
  std::string source;  // where it was read, for messages ("backup /media/usb/… of 2026-11-22")
};

struct AuditReport {
  std::int64_t entries = 0;
  std::int64_t checkpoints = 0;
  std::int64_t anchors = 0;             // anchors checked
  std::optional<AuditProblem> problem;  // none: the chain is intact
};

class AuditLog {
 public:
  // Checkpoints are written every kCheckpointInterval entries (and on demand).
  static constexpr int kCheckpointInterval = 50;

  explicit AuditLog(Connection& conn) : conn_(conn) {}

  // Appends an event. Call inside the transaction that makes the change it records, so both
  // commit or neither does.
  Result<AuditEntry> append(const std::string& actor, const std::string& event,
                            const std::string& subject,
                            const nlohmann::json& detail = nlohmann::json::object());
  // Signs the current head with the pharmacy key.
  Status checkpoint();
  // Walks the whole chain and every checkpoint; `progress(done, total)` is called now and then.
  // Each anchor's entry must still carry the anchored hash: the checkpoints are signed with a key
  // inside the store, so a chain recomputed and re-signed by someone holding the database key
  // passes them, but not the anchors kept elsewhere.
  Result<AuditReport> verify(const std::function<void(std::int64_t, std::int64_t)>& progress = {},
                             const std::vector<AuditAnchor>& anchors = {});
  // The newest entry as an anchor to keep elsewhere; nothing while the log is empty.
  Result<std::optional<AuditAnchor>> head();
  // Returns entries with seq in [from, to], oldest first.
  Result<std::vector<AuditEntry>> entries(std::int64_t from, std::int64_t to);
  // The entries of one of the landmark events, oldest first: store.create and key.root (which
  // name the store's first admin key, data/user_keys.h) and store.restore (the restores the chain
  // registry is told of). kInvalidArgument for any other event. Indexed apart, so appending other
  // entries does not touch that index.
  static constexpr const char* kLandmarkEvents[] = {"store.create", "key.root", "store.restore"};
  Result<std::vector<AuditEntry>> landmarks(const std::string& event);

  // The hash of an entry: SHA-256(prevHash ‖ JCS({seq, at, actor, event, subject, detail})).
  static crypto::Digest256 entryHash(const AuditEntry& e);

 private:
  Connection& conn_;
};

}  // namespace rx::data
