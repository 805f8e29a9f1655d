#include "registry/client.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace rx::registry {

namespace {

using Param = std::optional<std::string>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out = "\\x";
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(std::string_view text) {
  if (text.substr(0, 2) == "\\x") text.remove_prefix(2);
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
  return out;
}

std::string arrayLiteral(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + std::to_string(values[i]);
  return out + "}";
}

std::vector<std::int64_t> parseArray(std::string_view text) {
  std::vector<std::int64_t> out;
  std::string inner(text.substr(1, text.size() >= 2 ? text.size() - 2 : 0));
  std::stringstream in(inner);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(std::stoll(item));
  return out;
}

// Timestamps leave the registry as the store writes them: ISO 8601 in UTC.
constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
std::string iso(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', " + kIso + ")";
}

}  // namespace

struct Client::Impl {
  PGconn* conn = nullptr;
  ~Impl() {
    if (conn) PQfinish(conn);
  }

  Status lost(const std::string& what) const {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    if (PQstatus(conn) != CONNECTION_OK)
      return Status(ErrorCode::kUnavailable, "chain registry: connection lost while " + what +
                                                 (message.empty() ? "" : ": " + message));
    return Status(ErrorCode::kInternal, "chain registry: " + what + ": " + message);
  }

  Result<PgResult> exec(const std::string& what, const std::string& sql,
                        const std::vector<Param>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PgResult r(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    if (r) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      const std::string code = state ? state : "";
      const std::string message = PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY)
                                      ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY)
                                      : "";
      if (code == "42501")  // insufficient_privilege, row-level security among them
        return Status(ErrorCode::kPermissionDenied,
                      "chain registry refused " + what + ": " + message);
      if (code == "57014")  // query_canceled: the statement timeout
        return Status(ErrorCode::kUnavailable, "chain registry: " + what + " timed out");
      if (!code.empty() && PQstatus(conn) == CONNECTION_OK)
        return Status(ErrorCode::kInternal,
                      "chain registry: " + what + ": " + message + " (SQLSTATE " + code + ")");
    }
    return lost(what);
  }

  Status run(const std::string& what, const std::string& sql,
             const std::vector<Param>& params = {}) {
    return exec(what, sql, params).status();
  }
};

Client::Client(std::unique_ptr<Impl> impl, std::string store)
    : impl_(std::move(impl)), store_(std::move(store)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Result<Client> Client::connect(const Endpoint& e) {
  const std::string port = std::to_string(e.port);
  const std::string timeout = std::to_string(std::max(1, e.timeoutSeconds));
  // No parallel workers and no JIT for this session's statements: they are index probes of a
  // few rows. presentations_with_number plans its statement without the keys, expects 1% of the
  // table, and at ten million presentations chose a parallel bitmap scan with JIT: 44 / 80 ms
  // p50 / p99 a lookup, 2.6 / 6.7 ms without parallel workers (docs/registry.md). Set here, not
  // in a migration, so a registry and its stores need not be upgraded together.
  const std::string options = "-c statement_timeout=" + std::to_string(e.timeoutSeconds * 1000) +
                              " -c TimeZone=UTC -c max_parallel_workers_per_gather=0 -c jit=off";
  const std::string userTimeout = std::to_string(e.timeoutSeconds * 1000);
  // A link that dies in the middle is noticed within a few seconds (keepalives, TCP user
  // timeout), so a counter never waits on a registry that went away.
  const char* keys[] = {"host",
                        "port",
                        "dbname",
                        "user",
                        "sslmode",
                        "sslrootcert",
                        "sslcert",
                        "sslkey",
                        "connect_timeout",
                        "options",
                        "application_name",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "tcp_user_timeout",
                        nullptr};
  const char* values[] = {e.host.c_str(),
                          port.c_str(),
                          e.dbname.c_str(),
                          e.store.c_str(),
                          "verify-full",
                          e.caFile.c_str(),
                          e.certFile.c_str(),
                          e.keyFile.c_str(),
                          timeout.c_str(),
                          options.c_str(),
                          "rxdesk",
                          "5",
                          "2",
                          "2",
                          userTimeout.c_str(),
                          nullptr};
  auto impl = std::make_unique<Impl>();
  impl->conn = PQconnectdbParams(keys, values, 0);
  if (!impl->conn) return Status(ErrorCode::kInternal, "chain registry: out of memory");
  // The server's notices ("terminating connection") are not for the counter's terminal.
  PQsetNoticeProcessor(
      impl->conn, [](void*, const char*) {}, nullptr);
  if (PQstatus(impl->conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(impl->conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    std::replace(message.begin(), message.end(), '\n', ' ');  // one line, for logs and --json
    std::replace(message.begin(), message.end(), '\t', ' ');
    const bool refused = message.find("certificate") != std::string::npos ||
                         message.find("authentication") != std::string::npos ||
                         message.find("pg_hba") != std::string::npos ||
                         message.find("SSL error") != std::string::npos ||
                         message.find("does not exist") != std::string::npos;
    return Status(refused ? ErrorCode::kAuthFailed : ErrorCode::kUnavailable,
                  "chain registry at " + e.host + ":" + port + " " +
                      (refused ? "refused store '" + e.store + "'" : "cannot be reached") + ": " +
                      message);
  }
  RX_ASSIGN_OR_RETURN(PgResult v,
                      impl->exec("reading its schema version",
                                 "SELECT coalesce(max(version), 0) FROM registry_migrations"));
  const int version = std::atoi(PQgetvalue(v.get(), 0, 0));
  if (version != kSchemaVersion)
    return Status(
        ErrorCode::kUnsupported,
        "chain registry has schema version " + std::to_string(version) + "; this rxdesk needs " +
            std::to_string(kSchemaVersion) +
            (version < kSchemaVersion ? " (run 'rxdesk-registry migrate' on the registry machine)"
                                      : " (upgrade rxdesk at this store)"));
  return Client(std::move(impl), e.store);
}

Result<std::vector<Store>> Client::stores() {
  RX_ASSIGN_OR_RETURN(
      PgResult r, impl_->exec("reading the stores", "SELECT code, name FROM stores ORDER BY code"));
  std::vector<Store> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1)});
  return out;
}

Status Client::publish(const SharedPresentation& p) {
  return impl_->run(
      "recording presentation " + std::to_string(p.localId),
      "INSERT INTO presentations(local_id, kind, fingerprint, number_keys, patient_key, date_key, "
      "state, presented_at, handed_out_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "ON CONFLICT (store, local_id) DO UPDATE SET fingerprint = excluded.fingerprint, "
      "number_keys = excluded.number_keys, patient_key = excluded.patient_key, "
      "date_key = excluded.date_key, "
      "state = CASE WHEN presentations.state = 'handed-out' THEN 'handed-out' ELSE excluded.state "
      "END, handed_out_at = coalesce(presentations.handed_out_at, excluded.handed_out_at)",
      {std::to_string(p.localId), p.kind, p.fingerprint, arrayLiteral(p.numberKeys),
       p.patientKey ? Param(std::to_string(*p.patientKey)) : Param(),
       p.dateKey ? Param(std::to_string(*p.dateKey)) : Param(), p.state, p.presentedAt,
       p.handedOutAt});
}

namespace {
Claim claimAt(PGresult* r, int row) {
  Claim c;
  c.key = unhex(PQgetvalue(r, row, 0));
  c.kind = PQgetvalue(r, row, 1);
  c.store = PQgetvalue(r, row, 2);
  c.localId = std::atoll(PQgetvalue(r, row, 3));
  c.at = PQgetvalue(r, row, 4);
  c.changed = std::atoll(PQgetvalue(r, row, 5));
  return c;
}
const std::string kClaimColumns = "key, kind, store, local_id, " + iso("claimed_at") + ", changed";
}  // namespace

Result<std::vector<ClaimOutcome>> Client::claim(const std::vector<ClaimRequest>& requests,
                                                bool allOrNothing) {
  RX_RETURN_IF_ERROR(impl_->run("starting a claim", "BEGIN"));
  std::vector<ClaimOutcome> out;
  bool lostOne = false;
  Status failed;
  for (const auto& q : requests) {
    auto inserted = impl_->exec(
        "claiming a " + q.kind,
        "INSERT INTO claims(key, kind, local_id, claimed_at, offline) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (key) DO NOTHING RETURNING " +
            kClaimColumns,
        {hex(q.key), q.kind, std::to_string(q.localId), q.at, q.offline ? "true" : "false"});
    if (!inserted) {
      failed = inserted.status();
      break;
    }
    ClaimOutcome o;
    if (PQntuples(inserted->get()) == 1) {
      o.won = true;
      o.holder = claimAt(inserted->get(), 0);
    } else {
      auto held =
          impl_->exec("reading a claim", "SELECT " + kClaimColumns + " FROM claims WHERE key = $1",
                      {hex(q.key)});
      if (!held) {
        failed = held.status();
        break;
      }
      o.holder = claimAt(held->get(), 0);
      o.won = o.holder.store == store_ && o.holder.localId == q.localId;
      if (!o.won && !allOrNothing) {
        Status raised = impl_->run(
            "raising an alert",
            "INSERT INTO alerts(key, kind, first_store, first_local, first_at, second_local, "
            "second_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
            "ON CONFLICT (key, second_store, second_local) DO NOTHING",
            {hex(q.key), q.kind, o.holder.store, std::to_string(o.holder.localId), o.holder.at,
             std::to_string(q.localId), q.at});
        if (!raised) {
          failed = raised;
          break;
        }
      }
    }
    lostOne = lostOne || !o.won;
    out.push_back(std::move(o));
  }
  if (!failed.isOk() || (allOrNothing && lostOne)) {
    Status rolledBack = impl_->run("giving up a claim", "ROLLBACK");
    if (!failed.isOk()) return failed;
    RX_RETURN_IF_ERROR(rolledBack);
    return out;
  }
  RX_RETURN_IF_ERROR(impl_->run("committing a claim", "COMMIT"));
  return out;
}

Status Client::release(const std::vector<std::string>& keys, std::int64_t localId) {
  for (const auto& key : keys)
    RX_RETURN_IF_ERROR(
        impl_->run("releasing a claim",
                   "DELETE FROM claims WHERE key = $1 AND store = current_user AND local_id = $2",
                   {hex(key), std::to_string(localId)}));
  return Status();
}

namespace {
const std::string kPresentationColumns =
    "id, store, local_id, kind, fingerprint, number_keys, patient_key, date_key, state, " +
    iso("presented_at") + ", " + iso("handed_out_at") + ", changed";

std::vector<RemotePresentation> presentationsOf(PGresult* r) {
  std::vector<RemotePresentation> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    RemotePresentation x;
    x.id = std::atoll(PQgetvalue(r, i, 0));
    x.store = PQgetvalue(r, i, 1);
    x.p.localId = std::atoll(PQgetvalue(r, i, 2));
    x.p.kind = PQgetvalue(r, i, 3);
    x.p.fingerprint = PQgetvalue(r, i, 4);
    x.p.numberKeys = parseArray(PQgetvalue(r, i, 5));
    if (!PQgetisnull(r, i, 6)) x.p.patientKey = std::atoll(PQgetvalue(r, i, 6));
    if (!PQgetisnull(r, i, 7)) x.p.dateKey = std::atoll(PQgetvalue(r, i, 7));
    x.p.state = PQgetvalue(r, i, 8);
    x.p.presentedAt = PQgetvalue(r, i, 9);
    if (!PQgetisnull(r, i, 10)) x.p.handedOutAt = PQgetvalue(r, i, 10);
    x.changed = std::atoll(PQgetvalue(r, i, 11));
    out.push_back(std::move(x));
  }
  return out;
}
}  // namespace

Result<std::vector<RemotePresentation>> Client::presentationsSince(std::int64_t changed,
                                                                   const std::string& since,
                                                                   int limit) {
  RX_ASSIGN_OR_RETURN(
      PgResult r,
      impl_->exec("reading the chain's presentations",
                  "SELECT " + kPresentationColumns +
                      " FROM presentations WHERE changed > $1 AND store <> current_user "
                      "AND presented_at >= $2 ORDER BY changed LIMIT $3",
                  {std::to_string(changed), since, std::to_string(limit)}));
  return presentationsOf(r.get());
}

Result<std::int64_t> Client::firstChangeSince(const std::string& since) {
  RX_ASSIGN_OR_RETURN(PgResult r,
                      impl_->exec("finding where to start",
                                  // `changed + 0`: with min(changed) the planner walks the
                                  // index on `changed` from the chain's first change, filtering
                                  // on time — all of a 10-million registry before the last
                                  // month's rows (timed out in rxdesk-bench-registry). The
                                  // expression makes it take the month's rows by time instead.
                                  "SELECT coalesce(min(changed + 0), 1) - 1 FROM presentations "
                                  "WHERE presented_at >= $1",
                                  {since}));
  return std::atoll(PQgetvalue(r.get(), 0, 0));
}

Result<std::vector<Claim>> Client::claimsSince(std::int64_t changed, int limit) {
  RX_ASSIGN_OR_RETURN(PgResult r, impl_->exec("reading the chain's claims",
                                              "SELECT " + kClaimColumns +
                                                  " FROM claims WHERE changed > $1 AND store <> "
                                                  "current_user ORDER BY changed LIMIT $2",
                                              {std::to_string(changed), std::to_string(limit)}));
  std::vector<Claim> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(claimAt(r.get(), i));
  return out;
}

Result<std::vector<RemotePresentation>> Client::candidates(
    const std::vector<std::int64_t>& numberKeys, std::optional<std::int64_t> patientKey,
    std::optional<std::int64_t> dateKey) {
  RX_ASSIGN_OR_RETURN(
      PgResult r,
      impl_->exec(
          "looking up candidates",
          // Two index probes (GIN on the number keys, btree on patient and date): one
          // query with OR was planned as a whole-table scan.
          "(SELECT " + kPresentationColumns +
              " FROM presentations_with_number($1) AS presentations WHERE store <> "
              "current_user LIMIT 200) UNION (SELECT " +
              kPresentationColumns +
              " FROM presentations WHERE patient_key = $2 AND date_key = $3 AND store <> "
              "current_user LIMIT 200)",
          {arrayLiteral(numberKeys), patientKey ? Param(std::to_string(*patientKey)) : Param(),
           dateKey ? Param(std::to_string(*dateKey)) : Param()}));
  return presentationsOf(r.get());
}

Result<std::vector<Alert>> Client::alerts(std::int64_t afterId) {
  RX_ASSIGN_OR_RETURN(
      PgResult r, impl_->exec("reading alerts",
                              "SELECT id, key, kind, first_store, first_local, " + iso("first_at") +
                                  ", second_store, second_local, " + iso("second_at") + ", " +
                                  iso("raised_at") + " FROM alerts WHERE id > $1 ORDER BY id",
                              {std::to_string(afterId)}));
  std::vector<Alert> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Alert a;
    a.id = std::atoll(PQgetvalue(r.get(), i, 0));
    a.key = unhex(PQgetvalue(r.get(), i, 1));
    a.kind = PQgetvalue(r.get(), i, 2);
    a.firstStore = PQgetvalue(r.get(), i, 3);
    a.firstLocal = std::atoll(PQgetvalue(r.get(), i, 4));
    a.firstAt = PQgetvalue(r.get(), i, 5);
    a.secondStore = PQgetvalue(r.get(), i, 6);
    a.secondLocal = std::atoll(PQgetvalue(r.get(), i, 7));
    a.secondAt = PQgetvalue(r.get(), i, 8);
    a.raisedAt = PQgetvalue(r.get(), i, 9);
    out.push_back(std::move(a));
  }
  return out;
}

Status Client::anchorAudit(std::int64_t seq, const std::string& hash, int afterRestore) {
  RX_ASSIGN_OR_RETURN(
      PgResult r,
      impl_->exec("keeping the audit chain's head",
                  "INSERT INTO audit_anchors (seq, head, after_restore) VALUES ($1, $2, $3) "
                  "ON CONFLICT (store, after_restore, seq) DO NOTHING RETURNING seq",
                  {std::to_string(seq), hex(hash), std::to_string(afterRestore)}));
  if (PQntuples(r.get()) == 1) return Status();
  RX_ASSIGN_OR_RETURN(PgResult kept,
                      impl_->exec("reading the audit chain's head",
                                  "SELECT head FROM audit_anchors WHERE store = current_user AND "
                                  "seq = $1 AND after_restore = $2",
                                  {std::to_string(seq), std::to_string(afterRestore)}));
  if (PQntuples(kept.get()) == 1 && unhex(PQgetvalue(kept.get(), 0, 0)) == hash) return Status();
  return Status(ErrorCode::kConflict,
                "the chain registry keeps another head for audit entry " + std::to_string(seq) +
                    ": this store's audit log was rewritten after it was sent (rxdesk-cli audit "
                    "verify names the earliest kept head that differs)");
}

Result<std::vector<AuditHead>> Client::auditHeads() {
  RX_ASSIGN_OR_RETURN(
      PgResult r, impl_->exec("reading the audit chain's heads",
                              "SELECT seq, head, " + iso("received_at") +
                                  ", after_restore FROM audit_anchors WHERE store = current_user "
                                  "ORDER BY after_restore, seq"));
  std::vector<AuditHead> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({std::atoll(PQgetvalue(r.get(), i, 0)), unhex(PQgetvalue(r.get(), i, 1)),
                   PQgetvalue(r.get(), i, 2), std::atoi(PQgetvalue(r.get(), i, 3))});
  return out;
}

Result<std::optional<AuditHead>> Client::lastCurrentAuditHead() {
  RX_ASSIGN_OR_RETURN(
      PgResult r,
      impl_->exec("reading the audit chain's last head",
                  "SELECT a.seq, a.head, " + iso("a.received_at") +
                      ", a.after_restore FROM audit_anchors a WHERE a.store = current_user AND "
                      "NOT EXISTS (SELECT 1 FROM audit_restores r WHERE r.store = a.store AND "
                      "r.number > a.after_restore AND a.seq > r.from_seq) "
                      "ORDER BY a.seq DESC LIMIT 1"));
  if (PQntuples(r.get()) == 0) return std::optional<AuditHead>();
  return std::optional<AuditHead>(
      AuditHead{std::atoll(PQgetvalue(r.get(), 0, 0)), unhex(PQgetvalue(r.get(), 0, 1)),
                PQgetvalue(r.get(), 0, 2), std::atoi(PQgetvalue(r.get(), 0, 3))});
}

Result<std::vector<AuditRestore>> Client::auditRestores() {
  RX_ASSIGN_OR_RETURN(PgResult r, impl_->exec("reading the store's restores",
                                              "SELECT number, from_seq, seq, head, " +
                                                  iso("restored_at") + ", " + iso("received_at") +
                                                  " FROM audit_restores WHERE store = current_user "
                                                  "ORDER BY number"));
  std::vector<AuditRestore> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({std::atoi(PQgetvalue(r.get(), i, 0)), std::atoll(PQgetvalue(r.get(), i, 1)),
                   std::atoll(PQgetvalue(r.get(), i, 2)), unhex(PQgetvalue(r.get(), i, 3)),
                   PQgetvalue(r.get(), i, 4), PQgetvalue(r.get(), i, 5)});
  return out;
}

Result<int> Client::recordAuditRestore(const AuditRestore& restore) {
  // Two programs of the store may send the same restore at once: the second finds the first's.
  for (int attempt = 0; attempt < 3; ++attempt) {
    RX_ASSIGN_OR_RETURN(auto known, auditRestores());
    for (const AuditRestore& r : known)
      if (r.seq == restore.seq && r.hash == restore.hash) return r.number;
    const int number = known.empty() ? 1 : known.back().number + 1;
    RX_ASSIGN_OR_RETURN(
        PgResult r,
        impl_->exec("recording the store's restore",
                    "INSERT INTO audit_restores (number, from_seq, seq, head, restored_at) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store, number) DO NOTHING "
                    "RETURNING number",
                    {std::to_string(number), std::to_string(restore.fromSeq),
                     std::to_string(restore.seq), hex(restore.hash), restore.restoredAt}));
    if (PQntuples(r.get()) == 1) return number;
  }
  return Status(ErrorCode::kConflict,
                "the chain registry did not record this store's restore: other restores were "
                "being recorded at the same time");
}

std::vector<AuditHead> headsOfTheCurrentLog(const std::vector<AuditHead>& heads,
                                            const std::vector<AuditRestore>& restores) {
  std::vector<AuditHead> out;
  for (const AuditHead& h : heads) {
    const bool replaced = std::any_of(restores.begin(), restores.end(), [&](const AuditRestore& r) {
      return r.number > h.afterRestore && h.seq > r.fromSeq;
    });
    if (!replaced) out.push_back(h);
  }
  std::sort(out.begin(), out.end(),
            [](const AuditHead& a, const AuditHead& b) { return a.seq < b.seq; });
  return out;
}

std::vector<AuditRestore> restoresOfTheCurrentLog(const std::vector<AuditRestore>& restores) {
  std::vector<AuditRestore> out;
  for (const AuditRestore& r : restores) {
    const bool replaced = std::any_of(restores.begin(), restores.end(), [&](const auto& later) {
      return later.number > r.number && later.fromSeq < r.seq;
    });
    if (!replaced) out.push_back(r);
  }
  return out;
}

}  // namespace rx::registry
