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

// Provider agreements (M9) with their pinned keys and status history (M23), and the record of
// every e-prescription verification ("verified on receipt").
constexpr std::string_view kV3Agreements = R"SQL(
CREATE TABLE agreements (
  id                 INTEGER PRIMARY KEY,
  agreement_no       TEXT NOT NULL UNIQUE,
  provider_name      TEXT NOT NULL,
  provider_uscc      TEXT NOT NULL,
  provider_licence   TEXT NOT NULL,
  valid_from         TEXT NOT NULL,
  valid_until        TEXT NOT NULL,
  scope              TEXT NOT NULL,
  document           TEXT NOT NULL,
  countersignature   BLOB NOT NULL,
  countersign_key_id TEXT NOT NULL,
  imported_at        TEXT NOT NULL,
  imported_by        TEXT NOT NULL
) STRICT;

CREATE TABLE agreement_keys (
  agreement_id INTEGER NOT NULL REFERENCES agreements(id),
  key_id       TEXT NOT NULL,
  key_type     TEXT NOT NULL,
  spki         BLOB NOT NULL,
  PRIMARY KEY (agreement_id, key_id)
) STRICT;
CREATE INDEX agreement_keys_by_key ON agreement_keys(key_id);

CREATE TABLE agreement_status (
  id           INTEGER PRIMARY KEY,
  agreement_id INTEGER NOT NULL REFERENCES agreements(id),
  status       TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
  effective_at TEXT NOT NULL,
  reason       TEXT NOT NULL,
  by_user      TEXT NOT NULL
) STRICT;
CREATE INDEX agreement_status_by_agreement ON agreement_status(agreement_id, effective_at);

CREATE TABLE erx_verifications (
  id            INTEGER PRIMARY KEY,
  rx_number     TEXT NOT NULL,
  document_hash TEXT NOT NULL,
  key_id        TEXT,
  agreement_id  INTEGER REFERENCES agreements(id),
  accepted      INTEGER NOT NULL,
  verdict       TEXT NOT NULL,
  verified_at   TEXT NOT NULL,
  verified_by   TEXT NOT NULL
) STRICT;
CREATE INDEX erx_verifications_by_number ON erx_verifications(rx_number);
)SQL";

const std::vector<Migration> kMigrations = {
    {1, "core: store identity, users, pharmacy key, patients", kV1Core},
    {2, "audit chain and signed checkpoints", kV2Audit},
    {3, "provider agreements, pinned keys, status history, e-prescription verifications",
     kV3Agreements},
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
