-- rxdesk chain registry, schema 2: the heads of each store's audit chain, kept where nobody at the
-- store can rewrite them. A store holding its own database key can rewrite its audit log and
-- re-sign the checkpoints with the pharmacy key kept inside it; the heads it sent here before the
-- rewrite no longer match, and `rxdesk-cli audit verify` names the earliest kept head that differs.
-- A store adds its own heads and reads them; nobody but the registry's owner changes or deletes one.
CREATE TABLE audit_anchors (
  store       text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  seq         bigint NOT NULL CHECK (seq > 0),
  head        bytea NOT NULL CHECK (length(head) = 32),  -- the entry's hash: no content of it
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, seq)
);

GRANT SELECT ON audit_anchors TO rxdesk_store;
GRANT INSERT (seq, head) ON audit_anchors TO rxdesk_store;  -- store and received_at: the defaults
ALTER TABLE audit_anchors ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_own ON audit_anchors FOR SELECT USING (store = current_user);
CREATE POLICY add_own ON audit_anchors FOR INSERT WITH CHECK (store = current_user);
