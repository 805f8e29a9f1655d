-- rxdesk chain registry, schema 1: stores, shared presentations (keyed hashes only), claims and
-- alerts. Every store connects as its own role (a member of rxdesk_store) named by its store code;
-- row-level security lets it add and change its own rows and read the shared lookup data, never
-- change or delete another store's rows. No patient name, prescription number or image is kept:
-- fingerprints and claim keys are keyed with the chain key, which the registry never sees.
CREATE TABLE stores (
  code      text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,32}$'),
  name      text NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now()
);

-- Every change of a shared row takes the next number: a store asks for what changed after the
-- last number it saw.
CREATE SEQUENCE change_seq;
CREATE FUNCTION next_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changed := nextval('change_seq');
  RETURN NEW;
END $$;

CREATE TABLE presentations (
  id            bigserial PRIMARY KEY,
  store         text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  local_id      bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('paper', 'electronic')),
  fingerprint   text NOT NULL,           -- dedup::Fingerprint, keyed with the chain key
  number_keys   bigint[] NOT NULL DEFAULT '{}',
  patient_key   bigint,
  date_key      bigint,
  state         text NOT NULL CHECK (state IN ('presented', 'handed-out')),
  presented_at  timestamptz NOT NULL,
  handed_out_at timestamptz,
  changed       bigint NOT NULL DEFAULT 0,
  UNIQUE (store, local_id)
);
CREATE INDEX presentations_by_number ON presentations USING gin (number_keys);
CREATE INDEX presentations_by_patient ON presentations (patient_key, date_key);
CREATE INDEX presentations_by_change ON presentations (changed);
CREATE INDEX presentations_by_time ON presentations (presented_at);
CREATE TRIGGER presentations_changed BEFORE INSERT OR UPDATE ON presentations
  FOR EACH ROW EXECUTE FUNCTION next_change();
-- An intake's lookup by number keys. The planner cannot tell how selective `&&` on random keys
-- is (no common elements to count) and chose a whole-table scan; the GIN index it is.
CREATE FUNCTION presentations_with_number(keys bigint[]) RETURNS SETOF presentations
  LANGUAGE sql STABLE SET enable_seqscan = off
  AS $$ SELECT * FROM presentations WHERE number_keys && keys $$;

-- One row per prescription or package handed out in the chain: the first claim wins.
CREATE TABLE claims (
  key        bytea PRIMARY KEY CHECK (length(key) = 32),
  kind       text NOT NULL CHECK (kind IN ('prescription', 'package')),
  store      text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  local_id   bigint NOT NULL,
  claimed_at timestamptz NOT NULL,
  offline    boolean NOT NULL DEFAULT false,
  changed    bigint NOT NULL DEFAULT 0
);
CREATE INDEX claims_by_change ON claims (changed);
CREATE TRIGGER claims_changed BEFORE INSERT OR UPDATE ON claims
  FOR EACH ROW EXECUTE FUNCTION next_change();

-- Two stores handed out the same prescription or package while apart: raised by the second one
-- when its claim reaches the registry, read by both.
CREATE TABLE alerts (
  id           bigserial PRIMARY KEY,
  key          bytea NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('prescription', 'package')),
  first_store  text NOT NULL REFERENCES stores(code),
  first_local  bigint NOT NULL,
  first_at     timestamptz NOT NULL,
  second_store text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  second_local bigint NOT NULL,
  second_at    timestamptz NOT NULL,
  raised_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (key, second_store, second_local)
);

CREATE ROLE rxdesk_store NOLOGIN;
GRANT SELECT ON stores TO rxdesk_store;
GRANT SELECT, INSERT ON presentations, claims, alerts TO rxdesk_store;
GRANT UPDATE (fingerprint, number_keys, patient_key, date_key, state, handed_out_at)
  ON presentations TO rxdesk_store;
GRANT DELETE ON claims TO rxdesk_store;  -- its own, released when its hand-out did not commit
GRANT USAGE ON SEQUENCE presentations_id_seq, alerts_id_seq, change_seq TO rxdesk_store;
GRANT EXECUTE ON FUNCTION presentations_with_number(bigint[]) TO rxdesk_store;

ALTER TABLE presentations ENABLE ROW LEVEL SECURITY;
ALTER TABLE claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON presentations FOR SELECT USING (true);
CREATE POLICY add_own ON presentations FOR INSERT WITH CHECK (store = current_user);
CREATE POLICY change_own ON presentations FOR UPDATE USING (store = current_user)
  WITH CHECK (store = current_user);
CREATE POLICY read_all ON claims FOR SELECT USING (true);
CREATE POLICY add_own ON claims FOR INSERT WITH CHECK (store = current_user);
CREATE POLICY release_own ON claims FOR DELETE USING (store = current_user);
CREATE POLICY read_involved ON alerts FOR SELECT
  USING (first_store = current_user OR second_store = current_user);
CREATE POLICY raise_own ON alerts FOR INSERT WITH CHECK (second_store = current_user);
