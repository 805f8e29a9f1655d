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

// Review and dispensing (M8-M10, M13, M15, G16): presented prescriptions and their drugs, signed
// review decisions, the prepare/check/hand-out steps, one row per dispensed package (one object,
// one code), and each user's personal signing key (wrapped under a key from their key slot).
constexpr std::string_view kV4Review = R"SQL(
CREATE TABLE user_keys (
  id              INTEGER PRIMARY KEY,
  user_name       TEXT NOT NULL REFERENCES users(name),
  key_id          TEXT NOT NULL UNIQUE,
  public_key      BLOB NOT NULL,
  wrapped_private BLOB NOT NULL,
  nonce           BLOB NOT NULL,
  created_at      TEXT NOT NULL,
  retired_at      TEXT
) STRICT;
CREATE UNIQUE INDEX user_keys_current ON user_keys(user_name) WHERE retired_at IS NULL;

CREATE TABLE prescriptions (
  id             INTEGER PRIMARY KEY,
  kind           TEXT NOT NULL CHECK (kind IN ('paper', 'electronic')),
  state          TEXT NOT NULL CHECK (state IN ('queued', 'in_review', 'approved', 'rejected', 'needs_info',
                                                'partially_dispensed', 'dispensed', 'closed')),
  arrived_at     TEXT NOT NULL,
  arrived_by     TEXT NOT NULL,
  rx_number      TEXT,
  issuer         TEXT,
  issued_on      TEXT,
  validity_days  INTEGER NOT NULL DEFAULT 1,
  patient_name   TEXT,
  patient_id_no  TEXT,
  prescriber     TEXT,
  diagnosis      TEXT,
  fields         TEXT NOT NULL,
  source         TEXT NOT NULL,
  verified       INTEGER,
  agreement_no   TEXT,
  agreement_scope TEXT,
  locked_by      TEXT,
  locked_at      TEXT,
  retain_until   TEXT NOT NULL
) STRICT;
CREATE INDEX prescriptions_by_state ON prescriptions(state, arrived_at);
CREATE INDEX prescriptions_by_number ON prescriptions(issuer, rx_number);

CREATE TABLE prescription_items (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  line_no         INTEGER NOT NULL,
  drug_name       TEXT NOT NULL,
  drug_class      TEXT,
  ephedrine       INTEGER NOT NULL DEFAULT 0,
  spec            TEXT,
  quantity        REAL NOT NULL,
  unit            TEXT,
  usage           TEXT
) STRICT;

CREATE TABLE review_decisions (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  decision        TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'ask')),
  payload         TEXT NOT NULL,
  signature       BLOB NOT NULL,
  key_id          TEXT NOT NULL,
  decided_by      TEXT NOT NULL,
  decided_at      TEXT NOT NULL
) STRICT;

CREATE TABLE dispensing_steps (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  step            TEXT NOT NULL CHECK (step IN ('prepare', 'check', 'hand_out')),
  by_user         TEXT NOT NULL,
  at              TEXT NOT NULL,
  UNIQUE (prescription_id, step)
) STRICT;

CREATE TABLE dispensed_packages (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  trace_code      TEXT NOT NULL UNIQUE,
  product_code    TEXT NOT NULL,
  batch           TEXT,
  expiry          TEXT,
  dispensed_by    TEXT NOT NULL,
  dispensed_at    TEXT NOT NULL
) STRICT;

CREATE TABLE used_prescriptions (
  issuer          TEXT NOT NULL,
  rx_number       TEXT NOT NULL,
  prescription_id INTEGER NOT NULL,  -- no foreign key: the mark outlives a purged record
  used_at         TEXT NOT NULL,
  PRIMARY KEY (issuer, rx_number)
) STRICT;
)SQL";

// Reuse detection (dedup/): the secret of the keyed hashes, one fingerprint per presentation, and
// what each presentation matched. Fingerprints hold keyed hashes only and have no foreign key: they
// outlive a purged record, so a re-photo of a purged prescription is still caught.
constexpr const char* kV5Reuse = R"SQL(
CREATE TABLE dedup_secret (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  key BLOB NOT NULL CHECK (length(key) = 32)
) STRICT;

CREATE TABLE fingerprints (
  prescription_id INTEGER PRIMARY KEY,
  data            TEXT NOT NULL,
  used_at         TEXT             -- set with the hand-out, in its transaction
) STRICT;

-- The straightened page of a paper prescription (grey JPEG): kept with the record (M15) and shown
-- beside an earlier presentation when reuse is suspected.
CREATE TABLE prescription_pages (
  prescription_id INTEGER PRIMARY KEY REFERENCES prescriptions(id),
  jpeg            BLOB NOT NULL
) STRICT;

CREATE TABLE reuse_findings (
  prescription_id INTEGER PRIMARY KEY REFERENCES prescriptions(id),
  verdict         TEXT NOT NULL CHECK (verdict IN ('new', 'reuse-suspected', 'reuse-certain')),
  matches         TEXT NOT NULL,   -- JSON array: record, score, rule, signals
  found_at        TEXT NOT NULL,
  overruled_by    TEXT,
  overruled_at    TEXT,
  overrule_reason TEXT,
  CHECK ((overruled_by IS NULL) = (overrule_reason IS NULL))
) STRICT;
)SQL";

// Settings an admin changes (pharmacy identity, review and dispensing rules), the pharmacy's
// product list (what a scanned package is, its maker and price: the sales voucher's lines, G16),
// each package's product details as sold, and hand-out in parts: a hand_out step may now be
// recorded more than once, and each package records the hand-out that gave it to the buyer.
constexpr const char* kV6Dispensing = R"SQL(
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at TEXT NOT NULL
) STRICT;

CREATE TABLE products (
  product_code TEXT PRIMARY KEY,        -- 药品追溯码 product part (7 digits) or GS1 GTIN-14
  drug_name    TEXT NOT NULL CHECK (length(drug_name) > 0),
  spec         TEXT NOT NULL,
  manufacturer TEXT NOT NULL CHECK (length(manufacturer) > 0),
  unit         TEXT NOT NULL CHECK (length(unit) > 0),
  price_fen    INTEGER NOT NULL CHECK (price_fen >= 0),
  approval_no  TEXT,                    -- 国药准字
  updated_by   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
) STRICT;

ALTER TABLE dispensed_packages ADD COLUMN drug_name TEXT;
ALTER TABLE dispensed_packages ADD COLUMN spec TEXT;
ALTER TABLE dispensed_packages ADD COLUMN manufacturer TEXT;
ALTER TABLE dispensed_packages ADD COLUMN unit TEXT;
ALTER TABLE dispensed_packages ADD COLUMN price_fen INTEGER;
ALTER TABLE dispensed_packages ADD COLUMN handed_out_at TEXT;
ALTER TABLE dispensed_packages ADD COLUMN hand_out_no INTEGER;  -- 1 = the first hand-out
UPDATE dispensed_packages SET handed_out_at = (SELECT s.at FROM dispensing_steps s WHERE
  s.prescription_id = dispensed_packages.prescription_id AND s.step = 'hand_out'),
  hand_out_no = 1 WHERE EXISTS (SELECT 1 FROM dispensing_steps s WHERE
  s.prescription_id = dispensed_packages.prescription_id AND s.step = 'hand_out');
CREATE INDEX dispensed_packages_rx ON dispensed_packages(prescription_id);

CREATE TABLE dispensing_steps_v6 (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  step            TEXT NOT NULL CHECK (step IN ('prepare', 'check', 'hand_out')),
  by_user         TEXT NOT NULL,
  at              TEXT NOT NULL
) STRICT;
INSERT INTO dispensing_steps_v6 SELECT id, prescription_id, step, by_user, at FROM dispensing_steps;
DROP TABLE dispensing_steps;
ALTER TABLE dispensing_steps_v6 RENAME TO dispensing_steps;
CREATE UNIQUE INDEX dispensing_steps_once ON dispensing_steps(prescription_id, step)
  WHERE step <> 'hand_out';
)SQL";

// Consultations (G21: the complete content is kept) with full-text search in Chinese and English:
// an FTS5 trigram index finds any substring of three characters or more; for shorter Chinese
// words (咳嗽, 头孢) a second index holds the text's CJK character pairs as words.
constexpr const char* kV7Consultations = R"SQL(
CREATE TABLE consultations (
  id              INTEGER PRIMARY KEY,
  pharmacist      TEXT NOT NULL,
  patient_name    TEXT,                 -- NULL: anonymous
  patient_id_no   TEXT,
  prescription_id INTEGER REFERENCES prescriptions(id),
  channel         TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'online')),
  question        TEXT NOT NULL CHECK (length(question) > 0),
  advice          TEXT NOT NULL CHECK (length(advice) > 0),
  drugs           TEXT NOT NULL,        -- JSON array of drug names
  follow_up       TEXT,
  minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 600),
  transcript      TEXT,                 -- a pasted or imported chat, verbatim
  at              TEXT NOT NULL,
  retain_until    TEXT NOT NULL
) STRICT;
CREATE INDEX consultations_by_at ON consultations(at);
CREATE INDEX consultations_by_pharmacist ON consultations(pharmacist, at);
CREATE INDEX consultations_by_patient ON consultations(patient_id_no);

CREATE VIRTUAL TABLE consultations_text USING fts5(
  patient_name, question, advice, drugs, follow_up, transcript,
  content='consultations', content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE consultations_pairs USING fts5(pairs, content='', contentless_delete=1,
                                                   tokenize='unicode61');
-- Whom each pharmacist serves (a consultation with them, or a decision on their prescription):
-- what a pharmacist may read of other pharmacists' consultations. Kept by triggers.
CREATE TABLE served_patients (
  pharmacist    TEXT NOT NULL,
  patient_id_no TEXT NOT NULL,
  PRIMARY KEY (pharmacist, patient_id_no)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO served_patients SELECT d.decided_by, p.patient_id_no FROM review_decisions d
  JOIN prescriptions p ON p.id = d.prescription_id WHERE p.patient_id_no IS NOT NULL;
CREATE TRIGGER served_by_consultation AFTER INSERT ON consultations
  WHEN new.patient_id_no IS NOT NULL BEGIN
  INSERT OR IGNORE INTO served_patients VALUES (new.pharmacist, new.patient_id_no);
END;
CREATE TRIGGER served_by_decision AFTER INSERT ON review_decisions BEGIN
  INSERT OR IGNORE INTO served_patients SELECT new.decided_by, patient_id_no FROM prescriptions
    WHERE id = new.prescription_id AND patient_id_no IS NOT NULL;
END;
CREATE TRIGGER served_by_confirmed_id AFTER UPDATE OF patient_id_no ON prescriptions
  WHEN new.patient_id_no IS NOT NULL BEGIN
  INSERT OR IGNORE INTO served_patients SELECT decided_by, new.patient_id_no FROM review_decisions
    WHERE prescription_id = new.id;
END;

-- The supervisor's figures are counted over a period: each needs its time indexed.
CREATE INDEX review_decisions_by_time ON review_decisions(decided_at);
CREATE INDEX review_decisions_by_pharmacist ON review_decisions(decided_by);
CREATE INDEX reuse_findings_by_time ON reuse_findings(found_at);
CREATE INDEX erx_verifications_by_time ON erx_verifications(verified_at);
CREATE INDEX dispensed_packages_by_handout ON dispensed_packages(handed_out_at);
CREATE INDEX dispensed_packages_by_scan ON dispensed_packages(dispensed_at);
CREATE INDEX audit_log_by_time ON audit_log(at);

CREATE TRIGGER consultations_text_ai AFTER INSERT ON consultations BEGIN
  INSERT INTO consultations_text(rowid, patient_name, question, advice, drugs, follow_up, transcript)
  VALUES (new.id, new.patient_name, new.question, new.advice, new.drugs, new.follow_up,
          new.transcript);
END;
CREATE TRIGGER consultations_no_update BEFORE UPDATE ON consultations BEGIN
  SELECT RAISE(ABORT, 'consultations are kept as recorded');
END;
CREATE TRIGGER consultations_text_ad AFTER DELETE ON consultations BEGIN
  INSERT INTO consultations_text(consultations_text, rowid, patient_name, question, advice, drugs,
                                 follow_up, transcript)
  VALUES ('delete', old.id, old.patient_name, old.question, old.advice, old.drugs, old.follow_up,
          old.transcript);
END;
)SQL";

// Supervisor audit (处方点评): sampling rounds over a period, the items drawn (reproducible from
// the seed), each scored against the criteria, and the signed summary that closes the round.
constexpr const char* kV8Sampling = R"SQL(
CREATE TABLE audit_rounds (
  id           INTEGER PRIMARY KEY,
  period_from  TEXT NOT NULL,
  period_to    TEXT NOT NULL,
  pharmacist   TEXT,                    -- NULL: every pharmacist, each sampled separately
  what         TEXT NOT NULL,           -- JSON array: decisions, consultations
  percent      REAL,
  count        INTEGER,
  seed         INTEGER NOT NULL,
  criteria     TEXT NOT NULL,           -- JSON array of the reasons an item may be scored with
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  closed_at    TEXT,
  summary      TEXT,                    -- canonical JSON that was signed
  signature    BLOB,
  key_id       TEXT,
  CHECK ((percent IS NULL) <> (count IS NULL))
) STRICT;

CREATE TABLE audit_items (
  round_id   INTEGER NOT NULL REFERENCES audit_rounds(id),
  kind       TEXT NOT NULL CHECK (kind IN ('decision', 'consultation')),
  item_id    INTEGER NOT NULL,
  pharmacist TEXT NOT NULL,
  score      TEXT CHECK (score IN ('appropriate', 'inappropriate')),
  reasons    TEXT NOT NULL DEFAULT '[]',
  comment    TEXT,
  scored_by  TEXT,
  scored_at  TEXT,
  PRIMARY KEY (round_id, kind, item_id)
) STRICT;
CREATE INDEX audit_items_by_pharmacist ON audit_items(pharmacist);
)SQL";

// The supervisor's month of figures reads only these indexes (each figure counts tens of
// thousands of rows a month in a busy pharmacy; fetching each row made a month take 0.5 s).
constexpr const char* kV9ReportIndexes = R"SQL(
CREATE INDEX review_decisions_for_figures ON review_decisions(decided_at, decision, decided_by);
CREATE INDEX review_decisions_by_kind ON review_decisions(decision, decided_at);
CREATE INDEX consultations_for_figures ON consultations(at, channel);
CREATE INDEX reuse_findings_for_figures ON reuse_findings(found_at, verdict);
CREATE INDEX erx_verifications_for_figures ON erx_verifications(verified_at, accepted);
)SQL";

// Page features for re-photo matching without OCR (dedup/page_match.h): keypoint positions and
// binary descriptors of the straightened page, derived from the page kept in prescription_pages and
// deleted with it when the record is purged.
constexpr const char* kV10PageFeatures = R"SQL(
CREATE TABLE page_features (
  prescription_id INTEGER PRIMARY KEY REFERENCES prescriptions(id),
  data            BLOB NOT NULL
) STRICT;
)SQL";

// The chain registry (docs/registry.md): this store's membership, the outbox of what waits to be
// sent (written in the transaction of the presentation or hand-out it tells of), and the local copy
// of the chain's presentations, claims, stores and alerts that keeps cross-store detection working
// offline. The chain key itself replaces the dedup_secret when the store joins.
constexpr const char* kV11Chain = R"SQL(
CREATE TABLE chain_membership (
  id                   INTEGER PRIMARY KEY CHECK (id = 1),
  store_code           TEXT NOT NULL,
  store_name           TEXT NOT NULL,
  request_key          BLOB NOT NULL,   -- X25519 private key the chain key is sealed to
  host                 TEXT,
  port                 INTEGER,
  dbname               TEXT,
  cert_dir             TEXT,
  joined_at            TEXT,
  last_exchange_at     TEXT,
  last_error           TEXT,
  presentations_cursor INTEGER NOT NULL DEFAULT 0,
  claims_cursor        INTEGER NOT NULL DEFAULT 0,
  alerts_cursor        INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE chain_outbox (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind IN ('presentation', 'claim')),
  local_id   INTEGER NOT NULL,
  claim_key  BLOB,
  claim_kind TEXT CHECK (claim_kind IN ('prescription', 'package')),
  at         TEXT NOT NULL,
  offline    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE chain_presentations (
  registry_id   INTEGER PRIMARY KEY,
  store         TEXT NOT NULL,
  local_id      INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  state         TEXT NOT NULL,
  presented_at  TEXT NOT NULL,
  handed_out_at TEXT,
  seq           INTEGER NOT NULL
) STRICT;
CREATE INDEX chain_presentations_by_seq ON chain_presentations(seq);
CREATE INDEX chain_presentations_by_time ON chain_presentations(presented_at);

CREATE TABLE chain_claims (
  key        BLOB PRIMARY KEY,
  kind       TEXT NOT NULL,
  store      TEXT NOT NULL,
  local_id   INTEGER NOT NULL,
  claimed_at TEXT NOT NULL
) STRICT;

CREATE TABLE chain_stores (code TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;

CREATE TABLE chain_alerts (
  registry_id  INTEGER PRIMARY KEY,
  kind         TEXT NOT NULL,
  first_store  TEXT NOT NULL,
  first_local  INTEGER NOT NULL,
  first_at     TEXT NOT NULL,
  second_store TEXT NOT NULL,
  second_local INTEGER NOT NULL,
  second_at    TEXT NOT NULL,
  raised_at    TEXT NOT NULL
) STRICT;
)SQL";

// Personal signing keys registered by an admin and confirmed by their owner (issue 25): who
// registered a key, with which of their keys, when, and the two signatures (data/user_keys.h);
// audit entries found by event; the chain registry's audit finding kept for the window.
constexpr std::string_view kV12KeyRegistration = R"SQL(
ALTER TABLE user_keys ADD COLUMN registered_by TEXT;
ALTER TABLE user_keys ADD COLUMN registered_with TEXT;
ALTER TABLE user_keys ADD COLUMN registered_at TEXT;
ALTER TABLE user_keys ADD COLUMN registered_role TEXT;
ALTER TABLE user_keys ADD COLUMN registration BLOB;
ALTER TABLE user_keys ADD COLUMN confirmed_at TEXT;
ALTER TABLE user_keys ADD COLUMN confirmation BLOB;
-- The first admin key (store.create, key.root) and the restores (store.restore) are looked up at
-- every key check and every exchange with the chain registry. A partial index: the entries of
-- every other event (a login, a decision) do not touch it (AuditLog::landmarks).
CREATE INDEX audit_log_landmarks ON audit_log(event, seq)
  WHERE event IN ('store.create', 'key.root', 'store.restore');
-- What the last exchange with the chain registry found wrong with the audit log (kept apart from
-- the last error, which a network failure replaces).
ALTER TABLE chain_membership ADD COLUMN audit_problem TEXT;
)SQL";

const std::vector<Migration> kMigrations = {
    {1, "core: store identity, users, pharmacy key, patients", kV1Core},
    {2, "audit chain and signed checkpoints", kV2Audit},
    {3, "provider agreements, pinned keys, status history, e-prescription verifications",
     kV3Agreements},
    {4, "review and dispensing: prescriptions, decisions, steps, packages, personal keys",
     kV4Review},
    {5, "reuse detection: keyed-hash secret, fingerprints, findings, page images", kV5Reuse},
    {6, "settings, product list, package sale details, hand-out in parts", kV6Dispensing},
    {7, "consultations with full-text search; time indexes for reports and exports",
     kV7Consultations},
    {8, "supervisor audit: sampling rounds, scored items, signed summaries", kV8Sampling},
    {9, "covering indexes for the supervisor's figures", kV9ReportIndexes},
    {10, "page features for re-photo matching without OCR", kV10PageFeatures},
    {11, "chain registry: membership, outbox, local copy of the chain's marks", kV11Chain},
    {12, "personal signing keys registered by an admin and confirmed by their owner",
     kV12KeyRegistration},
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
