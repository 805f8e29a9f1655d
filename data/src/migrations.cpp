#include "data/migrations.h"

#include <string>

namespace rx::data {

namespace {
// Never edit a migration that has shipped; add a new one.
constexpr std::string_view kV1Core = R"SQL(
CREATE TABLE store_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE users (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  role         TEXT NOT NULL CHECK (role IN ('pharmacist', 'supervisor', 'admin')),
  display_name TEXT NOT NULL,
  licence_no   TEXT,
  created_at   TEXT NOT NULL,
  removed_at   TEXT,
  CHECK (role <> 'pharmacist' OR (licence_no IS NOT NULL AND length(licence_no) > 0))
) STRICT;

CREATE TABLE pharmacy_keys (
  id          INTEGER PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  private_key BLOB NOT NULL,
  public_key  BLOB NOT NULL,
  created_at  TEXT NOT NULL,
  retired_at  TEXT
) STRICT;

CREATE TABLE patients (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  id_number  TEXT,
  phone      TEXT,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX patients_by_name ON patients(name);
)SQL";

// The audit chain. The triggers make the table append-only for every connection to the store.
constexpr std::string_view kV2Audit = R"SQL(
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  event     TEXT NOT NULL,
  subject   TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash      BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE audit_checkpoints (
  id        INTEGER PRIMARY KEY,
  seq       INTEGER NOT NULL,
  hash      BLOB NOT NULL,
  at        TEXT NOT NULL,
  key_id    TEXT NOT NULL,
  signature BLOB NOT NULL
) STRICT;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
  BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
)SQL";

const std::vector<Migration> kMigrations = {
    {1, "core: store identity, users, pharmacy key, patients", kV1Core},
    {2, "audit chain and signed checkpoints", kV2Audit},
};

std::string nowUtc() {
  // SQLite's own clock keeps this file free of platform time code.
  return "strftime('%Y-%m-%dT%H:%M:%SZ','now')";
}
}  // namespace

const std::vector<Migration>& allMigrations() { return kMigrations; }

Result<int> schemaVersion(Connection& conn) {
  RX_RETURN_IF_ERROR(conn.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT"));
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? static_cast<int>(st.columnInt(0)) : 0;
}

Status migrate(Connection& conn) {
  RX_ASSIGN_OR_RETURN(int current, schemaVersion(conn));
  const int newest = kMigrations.empty() ? 0 : kMigrations.back().version;
  if (current > newest)
    return Status(ErrorCode::kUnsupported,
                  conn.path() + " has schema version " + std::to_string(current) +
                      ", newer than this rxdesk (" + std::to_string(newest) + "); update rxdesk");
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    Transaction tx(conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    RX_RETURN_IF_ERROR(conn.exec(m.sql).withContext("migration " + std::to_string(m.version)));
    RX_ASSIGN_OR_RETURN(Statement st,
                        conn.prepare("INSERT INTO schema_migrations(version, name, applied_at) "
                                     "VALUES (?, ?, " +
                                     nowUtc() + ")"));
    RX_RETURN_IF_ERROR(st.bind(1, m.version).bind(2, m.name).run());
    RX_RETURN_IF_ERROR(tx.commit());
  }
  return Status::ok();
}

}  // namespace rx::data
