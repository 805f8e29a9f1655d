#include "data/sampling.h"

#include <nlohmann/json.hpp>

namespace rx::data {

std::string_view sampleKindName(SampleKind k) {
  return k == SampleKind::kDecision ? "decision" : "consultation";
}

Result<SampleKind> parseSampleKind(std::string_view s) {
  if (s == "decision") return SampleKind::kDecision;
  if (s == "consultation") return SampleKind::kConsultation;
  return Status(ErrorCode::kInvalidArgument,
                "unknown kind of sampled item '" + std::string(s) + "'");
}

namespace {

// The lists are stored as JSON arrays of strings; what is not a string is left out.
std::vector<std::string> stringList(const std::string& stored) {
  std::vector<std::string> out;
  const auto list = nlohmann::json::parse(stored, nullptr, false);
  if (list.is_array())
    for (const auto& x : list)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

std::string storedList(const std::vector<std::string>& list) { return nlohmann::json(list).dump(); }

constexpr std::string_view kRoundColumns =
    "id, period_from, period_to, pharmacist, what, percent, count, seed, criteria, created_by, "
    "created_at, closed_at, summary, key_id, signature";
constexpr std::string_view kItemColumns =
    "round_id, kind, item_id, pharmacist, score, reasons, comment, scored_by, scored_at";

Result<ItemRecord> readItem(const Statement& s) {
  ItemRecord i;
  i.roundId = s.columnInt(0);
  RX_ASSIGN_OR_RETURN(i.kind, parseSampleKind(s.columnText(1)));
  i.itemId = s.columnInt(2);
  i.pharmacist = s.columnText(3);
  i.score = s.columnOptionalText(4);
  i.reasons = stringList(s.columnText(5));
  i.comment = s.columnOptionalText(6);
  i.scoredBy = s.columnOptionalText(7);
  i.scoredAt = s.columnOptionalText(8);
  return i;
}

Result<std::vector<ItemRecord>> readItems(Statement& st) {
  std::vector<ItemRecord> out;
  for (;;) {
    RX_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    RX_ASSIGN_OR_RETURN(ItemRecord item, readItem(st));
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::vector<Candidate>> candidates(Connection& conn, const std::string& sql,
                                          const std::string& fromUtc, const std::string& toUtc,
                                          const std::optional<std::string>& pharmacist) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare(sql));
  st.bind(1, fromUtc).bind(2, toUtc).bind(3, pharmacist);
  return st.collect([](const Statement& s) -> Candidate {
    return {s.columnInt(0), s.columnText(1)};
  });
}
}  // namespace

Result<std::int64_t> SamplingRepository::createRound(const RoundRecord& r) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT INTO audit_rounds(period_from, period_to, pharmacist, what, percent, "
                    "count, seed, criteria, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                    "?, ?, ?)"));
  RX_RETURN_IF_ERROR(st.bind(1, r.periodFrom)
                         .bind(2, r.periodTo)
                         .bind(3, r.pharmacist)
                         .bind(4, r.what)
                         .bind(5, r.percent)
                         .bind(6, r.count)
                         .bind(7, r.seed)
                         .bind(8, storedList(r.criteria))
                         .bind(9, r.createdBy)
                         .bind(10, r.createdAt)
                         .run());
  return conn_.lastInsertRowId();
}

namespace {
RoundRecord readRound(const Statement& st) {
  RoundRecord r;
  r.id = st.columnInt(0);
  r.periodFrom = st.columnText(1);
  r.periodTo = st.columnText(2);
  r.pharmacist = st.columnOptionalText(3);
  r.what = st.columnText(4);
  if (!st.columnIsNull(5)) r.percent = st.columnDouble(5);
  if (!st.columnIsNull(6)) r.count = st.columnInt(6);
  r.seed = st.columnInt(7);
  r.criteria = stringList(st.columnText(8));
  r.createdBy = st.columnText(9);
  r.createdAt = st.columnText(10);
  r.closedAt = st.columnOptionalText(11);
  r.summary = st.columnOptionalText(12);
  r.keyId = st.columnOptionalText(13);
  if (!st.columnIsNull(14)) r.signature = st.columnBlob(14);
  return r;
}
}  // namespace

Result<RoundRecord> SamplingRepository::round(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kRoundColumns) +
                                                  " FROM audit_rounds WHERE id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(auto found, st.collect(readRound));
  if (found.empty())
    return Status(ErrorCode::kNotFound, "there is no audit round " + std::to_string(id));
  return found.front();
}

Result<std::vector<RoundRecord>> SamplingRepository::rounds() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kRoundColumns) +
                                                  " FROM audit_rounds ORDER BY id DESC"));
  return st.collect(readRound);
}

Status SamplingRepository::addItem(const ItemRecord& i) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("INSERT INTO audit_items(round_id, kind, item_id, pharmacist) "
                                    "VALUES (?, ?, ?, ?)"));
  return st.bind(1, i.roundId)
      .bind(2, sampleKindName(i.kind))
      .bind(3, i.itemId)
      .bind(4, i.pharmacist)
      .run();
}

Result<std::vector<ItemRecord>> SamplingRepository::items(std::int64_t roundId) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("SELECT " + std::string(kItemColumns) +
                                    " FROM audit_items WHERE round_id = ? ORDER BY kind, item_id"));
  st.bind(1, roundId);
  return readItems(st);
}

Result<std::vector<ItemRecord>> SamplingRepository::closedItemsFor(const std::string& pharmacist) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT " + std::string(kItemColumns) +
                    " FROM audit_items WHERE pharmacist = ? AND round_id IN (SELECT id FROM "
                    "audit_rounds WHERE closed_at IS NOT NULL) ORDER BY round_id DESC, kind, "
                    "item_id"));
  st.bind(1, pharmacist);
  return readItems(st);
}

Status SamplingRepository::score(const ItemRecord& i) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE audit_items SET score = ?, reasons = ?, comment = ?, "
                                    "scored_by = ?, scored_at = ? WHERE round_id = ? AND kind = ? "
                                    "AND item_id = ?"));
  RX_RETURN_IF_ERROR(st.bind(1, i.score)
                         .bind(2, storedList(i.reasons))
                         .bind(3, i.comment)
                         .bind(4, i.scoredBy)
                         .bind(5, i.scoredAt)
                         .bind(6, i.roundId)
                         .bind(7, sampleKindName(i.kind))
                         .bind(8, i.itemId)
                         .run());
  if (conn_.changes() == 0)
    return Status(ErrorCode::kNotFound, "the " + std::string(sampleKindName(i.kind)) + " " +
                                            std::to_string(i.itemId) + " is not in audit round " +
                                            std::to_string(i.roundId));
  return Status();
}

Status SamplingRepository::close(std::int64_t roundId, const std::string& summary,
                                 const crypto::Bytes& signature, const std::string& keyId,
                                 const std::string& at) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE audit_rounds SET summary = ?, signature = ?, key_id = "
                                    "?, closed_at = ? WHERE id = ? AND closed_at IS NULL"));
  RX_RETURN_IF_ERROR(
      st.bind(1, summary).bind(2, signature).bind(3, keyId).bind(4, at).bind(5, roundId).run());
  if (conn_.changes() == 0)
    return Status(ErrorCode::kConflict, "audit round " + std::to_string(roundId) + " is closed");
  return Status();
}

Result<std::vector<Candidate>> SamplingRepository::decisions(
    const std::string& fromUtc, const std::string& toUtc,
    const std::optional<std::string>& pharmacist) {
  return candidates(conn_,
                    "SELECT id, decided_by FROM review_decisions WHERE decided_at >= ?1 AND "
                    "decided_at < ?2 AND (?3 IS NULL OR decided_by = ?3) ORDER BY id",
                    fromUtc, toUtc, pharmacist);
}

Result<std::vector<Candidate>> SamplingRepository::consultations(
    const std::string& fromUtc, const std::string& toUtc,
    const std::optional<std::string>& pharmacist) {
  return candidates(conn_,
                    "SELECT id, pharmacist FROM consultations WHERE at >= ?1 AND at < ?2 AND (?3 "
                    "IS NULL OR pharmacist = ?3) ORDER BY id",
                    fromUtc, toUtc, pharmacist);
}

}  // namespace rx::data
