-- rxdesk chain registry, schema 3: restores of a store's audit log (issue 25). A store restored from
-- a backup goes on from the backup's entries: its `store.restore` audit entry is the first entry of
-- the new log, and the heads it sent from that entry on belong to the log the restore replaced. The
-- store says so here, once per restore (the restore entry's number and hash, and when it was made),
-- and heads sent after it carry the number of the restore they follow (after_restore), so that the
-- heads of the replaced log are kept, not overwritten, and not reported as a rewrite. A restore is
-- visible to the chain's office here and in `rxdesk-cli audit verify`; it never hides a change of
-- an entry before the backup's last one.
CREATE TABLE audit_restores (
  store       text NOT NULL REFERENCES stores(code) DEFAULT current_user,
  number      integer NOT NULL CHECK (number > 0),        -- 1 for the store's first restore
  seq         bigint NOT NULL CHECK (seq > 0),            -- the store.restore entry
  head        bytea NOT NULL CHECK (length(head) = 32),   -- its hash: no content of it
  restored_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store, number)
);

GRANT SELECT ON audit_restores TO rxdesk_store;
GRANT INSERT (number, seq, head, restored_at) ON audit_restores TO rxdesk_store;
ALTER TABLE audit_restores ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_own ON audit_restores FOR SELECT USING (store = current_user);
CREATE POLICY add_own ON audit_restores FOR INSERT WITH CHECK (store = current_user);

ALTER TABLE audit_anchors ADD COLUMN after_restore integer NOT NULL DEFAULT 0
  CHECK (after_restore >= 0);
ALTER TABLE audit_anchors DROP CONSTRAINT audit_anchors_pkey;
ALTER TABLE audit_anchors ADD PRIMARY KEY (store, after_restore, seq);
GRANT INSERT (after_restore) ON audit_anchors TO rxdesk_store;
