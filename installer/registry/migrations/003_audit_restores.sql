-- rxdesk chain registry, schema 3: restores of a store's audit log (issue 25). A store restored from
-- a backup goes on from the backup's entries: the heads it sent of entries after the backup's last
-- one (from_seq) belong to the log the restore replaced. The store says so here, once per restore
-- (from_seq, its `store.restore` entry's number and hash, and when it was made), and heads sent
-- after it carry the number of the restore they follow (after_restore), so that the heads of the
-- replaced log are kept, not overwritten, and not reported as a rewrite. A restore is visible to
-- the chain's office here (received_at is the registry's own clock) and in `rxdesk-cli audit
-- verify`; it never hides a change of an entry up to from_seq.
CREATE TABLE audit_restores (
  store       text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  number      integer NOT NULL CHECK (number > 0),        -- 1 for the store's first restore
  from_seq    bigint NOT NULL CHECK (from_seq >= 0),      -- the backup's last entry: kept up to it
  seq         bigint NOT NULL CHECK (seq > from_seq),     -- the store.restore entry
  head        bytea NOT NULL CHECK (length(head) = 32),   -- its hash: no content of it
  restored_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, number)
);

GRANT SELECT ON audit_restores TO rxdesk_store;
GRANT INSERT (number, from_seq, seq, head, restored_at) ON audit_restores TO rxdesk_store;
ALTER TABLE audit_restores ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_own ON audit_restores FOR SELECT USING (store = current_user);
CREATE POLICY add_own ON audit_restores FOR INSERT WITH CHECK (store = current_user);

ALTER TABLE audit_anchors ADD COLUMN after_restore integer NOT NULL DEFAULT 0
  CHECK (after_restore >= 0);
ALTER TABLE audit_anchors DROP CONSTRAINT audit_anchors_pkey;
ALTER TABLE audit_anchors ADD PRIMARY KEY (store, after_restore, seq);
-- The newest head of the log as it is now, found from the top at every exchange.
CREATE INDEX audit_anchors_newest ON audit_anchors (store, seq DESC);
GRANT INSERT (after_restore) ON audit_anchors TO rxdesk_store;
