// What someone holding a store's database key can do to its audit log with SQL (issue 25, shown
// with a pharmacist's own password): drop the append-only triggers, change entry 1's actor,
// recompute the whole chain and re-sign the checkpoints with the pharmacy key kept in the store.
// The store's own checks pass afterwards; only heads kept outside the store catch it.
#pragma once

#include "base/status.h"
#include "crypto/bytes.h"
#include "data/audit.h"
#include "data/connection.h"

namespace rx::test {

inline Status rewriteAuditLogAsAnInsider(data::Connection& conn) {
  RX_RETURN_IF_ERROR(
      conn.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_checkpoints_no_delete"));
  data::AuditLog log(conn);
  RX_ASSIGN_OR_RETURN(data::AuditReport report, log.verify());
  RX_ASSIGN_OR_RETURN(auto entries, log.entries(1, report.entries));
  if (entries.empty()) return Status(ErrorCode::kInvalidArgument, "the audit log is empty");
  entries.front().actor = "someone-else";
  crypto::Digest256 prev{};
  for (data::AuditEntry& e : entries) {
    e.prevHash = prev;
    e.hash = data::AuditLog::entryHash(e);
    prev = e.hash;
    RX_ASSIGN_OR_RETURN(
        auto update,
        conn.prepare("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?"));
    RX_RETURN_IF_ERROR(update.bind(1, e.actor)
                           .bind(2, crypto::Bytes(e.prevHash.begin(), e.prevHash.end()))
                           .bind(3, crypto::Bytes(e.hash.begin(), e.hash.end()))
                           .bind(4, e.seq)
                           .run());
  }
  RX_RETURN_IF_ERROR(conn.exec("DELETE FROM audit_checkpoints"));
  return log.checkpoint();  // re-signed with the pharmacy key from the store
}

}  // namespace rx::test
