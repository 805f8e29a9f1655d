#include "data/chain.h"

namespace rx::data {

namespace {

std::optional<std::string> optionalText(const Statement& st, int col) {
  return st.columnOptionalText(col);
}

ChainPresentationRow presentationAt(const Statement& st) {
  ChainPresentationRow r;
  r.registryId = st.columnInt(0);
  r.store = st.columnText(1);
  r.localId = st.columnInt(2);
  r.kind = st.columnText(3);
  r.fingerprint = st.columnText(4);
  r.state = st.columnText(5);
  r.presentedAt = st.columnText(6);
  r.handedOutAt = optionalText(st, 7);
  r.seq = st.columnInt(8);
  return r;
}

constexpr const char* kPresentationColumns =
    "registry_id, store, local_id, kind, fingerprint, state, presented_at, handed_out_at, seq";

}  // namespace

Result<std::optional<ChainMembership>> ChainRepository::membership() {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT store_code, store_name, request_key, host, port, dbname, cert_dir, "
                    "joined_at, last_exchange_at, last_error, presentations_cursor, "
                    "claims_cursor, alerts_cursor, audit_problem FROM chain_membership "
                    "WHERE id = 1"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<ChainMembership>();
  ChainMembership m;
  m.storeCode = st.columnText(0);
  m.storeName = st.columnText(1);
  const Bytes key = st.columnBlob(2);
  m.requestKey = SecretBytes(key.data(), key.size());
  m.host = optionalText(st, 3);
  m.port = st.columnIsNull(4) ? 5432 : static_cast<int>(st.columnInt(4));
  m.dbname = optionalText(st, 5).value_or("");
  m.certDir = optionalText(st, 6).value_or("");
  m.joinedAt = optionalText(st, 7);
  m.lastExchangeAt = optionalText(st, 8);
  m.lastError = optionalText(st, 9);
  m.presentationsCursor = st.columnInt(10);
  m.claimsCursor = st.columnInt(11);
  m.alertsCursor = st.columnInt(12);
  m.auditProblem = optionalText(st, 13);
  return std::optional<ChainMembership>(std::move(m));
}

Status ChainRepository::putMembership(const ChainMembership& m) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT OR REPLACE INTO chain_membership(id, store_code, store_name, "
                    "request_key, host, port, dbname, cert_dir, joined_at, last_exchange_at, "
                    "last_error, presentations_cursor, claims_cursor, alerts_cursor) VALUES (1, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return st.bind(1, m.storeCode)
      .bind(2, m.storeName)
      .bind(3, m.requestKey)
      .bind(4, m.host)
      .bind(5, m.port)
      .bind(6, m.dbname)
      .bind(7, m.certDir)
      .bind(8, m.joinedAt)
      .bind(9, m.lastExchangeAt)
      .bind(10, m.lastError)
      .bind(11, m.presentationsCursor)
      .bind(12, m.claimsCursor)
      .bind(13, m.alertsCursor)
      .run();
}

Status ChainRepository::recordExchange(const std::string& at,
                                       const std::optional<std::string>& error) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare(error ? "UPDATE chain_membership SET last_error = ? WHERE id = 1"
                          : "UPDATE chain_membership SET last_exchange_at = ?, last_error = NULL "
                            "WHERE id = 1"));
  return st.bind(1, error ? *error : at).run();
}

Status ChainRepository::recordAuditCheck(const std::optional<std::string>& problem) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE chain_membership SET audit_problem = ? WHERE id = 1"));
  return st.bind(1, problem).run();
}

Status ChainRepository::setCursors(std::int64_t presentations, std::int64_t claims,
                                   std::int64_t alerts) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE chain_membership SET presentations_cursor = ?, "
                                    "claims_cursor = ?, alerts_cursor = ? WHERE id = 1"));
  return st.bind(1, presentations).bind(2, claims).bind(3, alerts).run();
}

Status ChainRepository::enqueue(const OutboxItem& item) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO chain_outbox(kind, local_id, claim_key, "
                                    "claim_kind, at, offline) VALUES (?, ?, ?, ?, ?, ?)"));
  st.bind(1, item.kind == OutboxKind::kClaim ? "claim" : "presentation").bind(2, item.localId);
  if (item.kind == OutboxKind::kClaim)
    st.bind(3, item.claimKey).bind(4, item.claimKind);
  else
    st.bindNull(3).bindNull(4);
  return st.bind(5, item.at).bind(6, item.offline ? 1 : 0).run();
}

Result<std::vector<OutboxItem>> ChainRepository::outbox(int limit) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT seq, kind, local_id, claim_key, claim_kind, at, "
                                    "offline FROM chain_outbox ORDER BY seq LIMIT ?"));
  st.bind(1, limit);
  return st.collect([](const Statement& s) {
    OutboxItem i;
    i.seq = s.columnInt(0);
    i.kind = s.columnText(1) == "claim" ? OutboxKind::kClaim : OutboxKind::kPresentation;
    i.localId = s.columnInt(2);
    if (!s.columnIsNull(3)) i.claimKey = s.columnBlob(3);
    i.claimKind = s.columnOptionalText(4).value_or("");
    i.at = s.columnText(5);
    i.offline = s.columnInt(6) != 0;
    return i;
  });
}

Result<std::int64_t> ChainRepository::outboxSize() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT count(*) FROM chain_outbox"));
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnInt(0) : 0;
}

Status ChainRepository::sent(std::int64_t seq) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("DELETE FROM chain_outbox WHERE seq = ?"));
  return st.bind(1, seq).run();
}

Status ChainRepository::putPresentation(const ChainPresentationRow& r) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT OR REPLACE INTO chain_presentations(registry_id, store, local_id, "
                    "kind, fingerprint, state, presented_at, handed_out_at, seq) VALUES (?, ?, ?, "
                    "?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM chain_presentations))"));
  return st.bind(1, r.registryId)
      .bind(2, r.store)
      .bind(3, r.localId)
      .bind(4, r.kind)
      .bind(5, r.fingerprint)
      .bind(6, r.state)
      .bind(7, r.presentedAt)
      .bind(8, r.handedOutAt)
      .run();
}

Result<std::optional<ChainPresentationRow>> ChainRepository::presentation(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare(std::string("SELECT ") + kPresentationColumns +
                                    " FROM chain_presentations WHERE registry_id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<ChainPresentationRow>();
  return std::optional<ChainPresentationRow>(presentationAt(st));
}

Status ChainRepository::forEachPresentation(
    const std::function<Status(const ChainPresentationRow&)>& row, std::int64_t afterSeq) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare(std::string("SELECT ") + kPresentationColumns +
                                    " FROM chain_presentations WHERE seq > ? ORDER BY seq"));
  st.bind(1, afterSeq);
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return Status();
    RX_RETURN_IF_ERROR(row(presentationAt(st)));
  }
}

Result<int> ChainRepository::forgetPresentationsBefore(const std::string& date) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("DELETE FROM chain_presentations WHERE presented_at < ?"));
  RX_RETURN_IF_ERROR(st.bind(1, date).run());
  return conn_.changes();
}

Status ChainRepository::putClaim(const ChainClaimRow& r) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT OR REPLACE INTO chain_claims(key, kind, store, "
                                    "local_id, claimed_at) VALUES (?, ?, ?, ?, ?)"));
  return st.bind(1, r.key)
      .bind(2, r.kind)
      .bind(3, r.store)
      .bind(4, r.localId)
      .bind(5, r.claimedAt)
      .run();
}

Result<std::optional<ChainClaimRow>> ChainRepository::claim(const Bytes& key) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT kind, store, local_id, claimed_at FROM chain_claims WHERE key = ?"));
  st.bind(1, key);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<ChainClaimRow>();
  return std::optional<ChainClaimRow>(
      ChainClaimRow{key, st.columnText(0), st.columnText(1), st.columnInt(2), st.columnText(3)});
}

Status ChainRepository::putStore(const std::string& code, const std::string& name) {
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_.prepare("INSERT OR REPLACE INTO chain_stores(code, name) VALUES (?, ?)"));
  return st.bind(1, code).bind(2, name).run();
}

Result<std::string> ChainRepository::storeName(const std::string& code) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT name FROM chain_stores WHERE code = ?"));
  st.bind(1, code);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row ? st.columnText(0) : code;
}

Status ChainRepository::putAlert(const ChainAlertRow& a) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT OR IGNORE INTO chain_alerts(registry_id, kind, first_store, "
                    "first_local, first_at, second_store, second_local, second_at, raised_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return st.bind(1, a.registryId)
      .bind(2, a.kind)
      .bind(3, a.firstStore)
      .bind(4, a.firstLocal)
      .bind(5, a.firstAt)
      .bind(6, a.secondStore)
      .bind(7, a.secondLocal)
      .bind(8, a.secondAt)
      .bind(9, a.raisedAt)
      .run();
}

Result<std::vector<ChainAlertRow>> ChainRepository::alerts() {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT registry_id, kind, first_store, first_local, first_at, "
                                    "second_store, second_local, second_at, raised_at FROM "
                                    "chain_alerts ORDER BY registry_id"));
  return st.collect([](const Statement& s) {
    ChainAlertRow a;
    a.registryId = s.columnInt(0);
    a.kind = s.columnText(1);
    a.firstStore = s.columnText(2);
    a.firstLocal = s.columnInt(3);
    a.firstAt = s.columnText(4);
    a.secondStore = s.columnText(5);
    a.secondLocal = s.columnInt(6);
    a.secondAt = s.columnText(7);
    a.raisedAt = s.columnText(8);
    return a;
  });
}

}  // namespace rx::data
