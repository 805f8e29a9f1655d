#include "data/audit.h"

#include <algorithm>
#include <iterator>

#include "base/text.h"

#include "base/time.h"
#include "crypto/json.h"
#include "data/pharmacy.h"

namespace rx::data {

namespace {
constexpr std::string_view kAuditColumns =
    "seq, at, actor, event, subject, detail, prev_hash, hash";

crypto::Digest256 toDigest(const Bytes& b) {
  crypto::Digest256 d{};
  if (b.size() == d.size()) std::copy(b.begin(), b.end(), d.begin());
  return d;
}
Bytes toBytes(const crypto::Digest256& d) { return Bytes(d.begin(), d.end()); }

Result<AuditEntry> readEntry(const Statement& st) {
  AuditEntry e;
  e.seq = st.columnInt(0);
  e.at = st.columnText(1);
  e.actor = st.columnText(2);
  e.event = st.columnText(3);
  e.subject = st.columnText(4);
  // A detail that no longer parses is itself evidence of tampering; keep the raw text so the
  // recomputed hash differs instead of failing the walk.
  e.detail = nlohmann::json::parse(st.columnText(5), nullptr, false);
  if (e.detail.is_discarded()) e.detail = st.columnText(5);
  e.prevHash = toDigest(st.columnBlob(6));
  e.hash = toDigest(st.columnBlob(7));
  return e;
}

std::string checkpointMessage(std::int64_t seq, const crypto::Digest256& hash,
                              const std::string& at) {
  return "rxdesk audit checkpoint v1|" + std::to_string(seq) + "|" + crypto::toHex(hash) + "|" + at;
}
}  // namespace

crypto::Digest256 AuditLog::entryHash(const AuditEntry& e) {
  nlohmann::json body = {{"seq", e.seq},     {"at", e.at},           {"actor", e.actor},
                         {"event", e.event}, {"subject", e.subject}, {"detail", e.detail}};
  std::string input(e.prevHash.begin(), e.prevHash.end());
  input += crypto::canonicalJson(body);
  return crypto::sha256(input);
}

Result<AuditEntry> AuditLog::append(const std::string& actor, const std::string& event,
                                    const std::string& subject, const nlohmann::json& detail) {
  AuditEntry e;
  e.at = utcTimestamp();
  e.actor = actor;
  e.event = event;
  e.subject = utf8OrEscaped(subject);  // a file name may be any bytes
  e.detail = detail.is_null() ? nlohmann::json::object() : crypto::withValidUtf8(detail);
  // Reading the head and appending after it is one write transaction (a savepoint inside the
  // caller's): another process appending between the two would otherwise take the same seq.
  Transaction tx(conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  {
    RX_ASSIGN_OR_RETURN(Statement last,
                        conn_.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    RX_ASSIGN_OR_RETURN(bool row, last.step());
    e.seq = row ? last.columnInt(0) + 1 : 1;
    if (row) e.prevHash = toDigest(last.columnBlob(1));
  }
  e.hash = entryHash(e);
  RX_ASSIGN_OR_RETURN(Statement ins,
                      conn_.prepare("INSERT INTO audit_log(" + std::string(kAuditColumns) +
                                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  RX_RETURN_IF_ERROR(ins.bind(1, e.seq)
                         .bind(2, e.at)
                         .bind(3, e.actor)
                         .bind(4, e.event)
                         .bind(5, e.subject)
                         .bind(6, e.detail.dump())
                         .bind(7, toBytes(e.prevHash))
                         .bind(8, toBytes(e.hash))
                         .run());
  if (e.seq % kCheckpointInterval == 0) RX_RETURN_IF_ERROR(checkpoint());
  RX_RETURN_IF_ERROR(tx.commit());
  return e;
}

Status AuditLog::checkpoint() {
  Transaction tx(conn_);  // the head read and its signature written as one (see append)
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(Statement last,
                      conn_.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  RX_ASSIGN_OR_RETURN(bool row, last.step());
  if (!row) return Status::ok();
  const std::int64_t seq = last.columnInt(0);
  const crypto::Digest256 hash = toDigest(last.columnBlob(1));
  {
    RX_ASSIGN_OR_RETURN(Statement done,
                        conn_.prepare("SELECT 1 FROM audit_checkpoints WHERE seq = ?"));
    done.bind(1, seq);
    RX_ASSIGN_OR_RETURN(bool already, done.step());
    if (already) return Status::ok();
  }
  RX_ASSIGN_OR_RETURN(crypto::SigningKey key, loadPharmacyKey(conn_));
  const std::string at = utcTimestamp();
  const std::string msg = checkpointMessage(seq, hash, at);
  RX_ASSIGN_OR_RETURN(Bytes sig, key.sign(crypto::toBytes(msg)));
  RX_ASSIGN_OR_RETURN(Statement ins, conn_.prepare("INSERT INTO audit_checkpoints(seq, hash, at, "
                                                   "key_id, signature) VALUES (?, ?, ?, ?, ?)"));
  RX_RETURN_IF_ERROR(ins.bind(1, seq)
                         .bind(2, toBytes(hash))
                         .bind(3, at)
                         .bind(4, key.publicKey().keyId())
                         .bind(5, sig)
                         .run());
  return tx.commit();
}

namespace {
Result<std::vector<AuditEntry>> readEntries(Statement& st) {
  std::vector<AuditEntry> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(AuditEntry e, readEntry(st));
    out.push_back(std::move(e));
  }
  return out;
}
}  // namespace

Result<std::vector<AuditEntry>> AuditLog::entries(std::int64_t from, std::int64_t to) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT " + std::string(kAuditColumns) +
                                    " FROM audit_log WHERE seq BETWEEN ? AND ? ORDER BY seq"));
  st.bind(1, from).bind(2, to);
  return readEntries(st);
}

Result<std::vector<AuditEntry>> AuditLog::landmarks(const std::string& event) {
  if (std::find(std::begin(kLandmarkEvents), std::end(kLandmarkEvents), event) ==
      std::end(kLandmarkEvents))
    return Status(ErrorCode::kInvalidArgument, "'" + event + "' is not a landmark audit event");
  // The index's own condition repeated, so that SQLite uses the partial index
  // (audit_log_landmarks, migration 12).
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT " + std::string(kAuditColumns) +
                    " FROM audit_log WHERE event IN ('store.create', 'key.root', 'store.restore') "
                    "AND event = ? ORDER BY seq"));
  st.bind(1, event);
  return readEntries(st);
}

Result<std::optional<AuditAnchor>> AuditLog::head() {
  RX_ASSIGN_OR_RETURN(Statement last,
                      conn_.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
  RX_ASSIGN_OR_RETURN(bool row, last.step());
  if (!row) return std::optional<AuditAnchor>();
  return std::optional<AuditAnchor>(
      AuditAnchor{last.columnInt(0), toDigest(last.columnBlob(1)), ""});
}

Result<AuditReport> AuditLog::verify(
    const std::function<void(std::int64_t, std::int64_t)>& progress,
    const std::vector<AuditAnchor>& anchors) {
  AuditReport report;
  std::int64_t total = 0;
  {
    RX_ASSIGN_OR_RETURN(Statement count, conn_.prepare("SELECT count(*) FROM audit_log"));
    RX_ASSIGN_OR_RETURN(bool row, count.step());
    total = row ? count.columnInt(0) : 0;
  }
  // Walk in rowid order: reordering rows shows up as a break in seq or in the hash links.
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kAuditColumns) +
                                                  " FROM audit_log ORDER BY rowid"));
  crypto::Digest256 prev{};
  std::int64_t expectSeq = 1;
  std::map<std::int64_t, crypto::Digest256> hashes;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(AuditEntry e, readEntry(st));
    ++report.entries;
    if (progress && report.entries % 10000 == 0) progress(report.entries, total);
    if (!report.problem) {
      if (e.seq > expectSeq) {
        report.problem = AuditProblem{
            expectSeq, "entry " + std::to_string(expectSeq) + " is missing (the log jumps from " +
                           std::to_string(expectSeq - 1) + " to " + std::to_string(e.seq) + ")"};
      } else if (e.seq < expectSeq) {
        report.problem = AuditProblem{
            e.seq, "entry " + std::to_string(e.seq) + " appears out of order or twice"};
      } else if (e.prevHash != prev) {
        report.problem =
            AuditProblem{e.seq, "entry " + std::to_string(e.seq) + " does not link to entry " +
                                    std::to_string(e.seq - 1) +
                                    " (inserted, reordered, or its predecessor replaced)"};
      } else if (entryHash(e) != e.hash) {
        report.problem =
            AuditProblem{e.seq, "entry " + std::to_string(e.seq) +
                                    " was modified (its content no longer matches its hash)"};
      }
    }
    hashes[e.seq] = e.hash;
    prev = e.hash;
    expectSeq = e.seq + 1;
  }
  if (progress) progress(report.entries, total);

  RX_ASSIGN_OR_RETURN(crypto::SigningKey key, loadPharmacyKey(conn_));
  RX_ASSIGN_OR_RETURN(
      Statement cps,
      conn_.prepare("SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY id"));
  std::int64_t lastCheckpointSeq = 0;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, cps.step());
    if (!row) break;
    ++report.checkpoints;
    const std::int64_t seq = cps.columnInt(0);
    const crypto::Digest256 hash = toDigest(cps.columnBlob(1));
    const std::string at = cps.columnText(2);
    Status sig = crypto::verifySignature(key.publicKey(), key.defaultScheme(),
                                         crypto::toBytes(checkpointMessage(seq, hash, at)),
                                         cps.columnBlob(4));
    lastCheckpointSeq = std::max(lastCheckpointSeq, seq);
    if (report.problem) continue;
    if (!sig) {
      report.problem = AuditProblem{
          seq, "the checkpoint at entry " + std::to_string(seq) + " has an invalid signature"};
    } else if (!hashes.count(seq)) {
      report.problem =
          AuditProblem{seq, "entry " + std::to_string(seq) +
                                ", signed in a checkpoint, is missing (the log was truncated)"};
    } else if (hashes[seq] != hash) {
      report.problem =
          AuditProblem{seq, "the chain up to entry " + std::to_string(seq) +
                                " differs from the signed checkpoint (entries were rewritten)"};
    }
  }
  for (const AuditAnchor& a : anchors) {
    ++report.anchors;
    if (report.problem && report.problem->seq <= a.seq) continue;
    auto it = hashes.find(a.seq);
    if (it == hashes.end())
      report.problem =
          AuditProblem{a.seq, "entry " + std::to_string(a.seq) + ", the head kept in " + a.source +
                                  ", is missing (the log was truncated)"};
    else if (it->second != a.hash)
      report.problem =
          AuditProblem{a.seq, "the chain up to entry " + std::to_string(a.seq) +
                                  " differs from the head kept in " + a.source +
                                  ": entries up to it were rewritten since (and their checkpoints "
                                  "re-signed with the store's own key)"};
  }
  return report;
}

}  // namespace rx::data
