#include "data/consultations.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "base/utf8.h"

namespace rx::data {

using nlohmann::json;

std::string cjkPairs(const std::string& text) {
  const std::u32string s = toU32(text);
  std::string out;
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (isHan(s[i]) && isHan(s[i + 1])) {
      if (!out.empty()) out += ' ';
      out += toUtf8(s.substr(i, 2));
    }
  return out;
}

namespace {

constexpr std::string_view kConsultationColumns =
    "c.id, c.pharmacist, c.patient_name, c.patient_id_no, c.prescription_id, c.channel, "
    "c.question, c.advice, c.drugs, c.follow_up, c.minutes, c.transcript, c.at, c.retain_until";

ConsultationRecord readOne(const Statement& s) {
  ConsultationRecord c;
  c.id = s.columnInt(0);
  c.pharmacist = s.columnText(1);
  c.patientName = s.columnOptionalText(2);
  c.patientIdNo = s.columnOptionalText(3);
  if (!s.columnIsNull(4)) c.prescriptionId = s.columnInt(4);
  c.channel = s.columnText(5);
  c.question = s.columnText(6);
  c.advice = s.columnText(7);
  json drugs = json::parse(s.columnText(8), nullptr, false);
  if (drugs.is_array())
    for (const auto& d : drugs)
      if (d.is_string()) c.drugs.push_back(d.get<std::string>());
  c.followUp = s.columnOptionalText(9);
  c.minutes = static_cast<int>(s.columnInt(10));
  c.transcript = s.columnOptionalText(11);
  c.at = s.columnText(12);
  c.retainUntil = s.columnText(13);
  return c;
}

// Who a pharmacist serves: their own consultations' patients and those whose prescriptions they
// decided (table served_patients). ?1 is the pharmacist (NULL: everyone is visible).
constexpr std::string_view kVisible =
    "(?1 IS NULL OR c.pharmacist = ?1 OR EXISTS (SELECT 1 FROM served_patients s WHERE "
    "s.pharmacist = ?1 AND s.patient_id_no = c.patient_id_no))";

std::string ftsPhrase(const std::string& term) {
  std::string q = "\"";
  for (char c : term) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string likePattern(const std::string& term) {
  std::string p = "%";
  for (char c : term) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

}  // namespace

Result<std::int64_t> ConsultationRepository::insert(const ConsultationRecord& c) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("INSERT INTO consultations(pharmacist, patient_name, patient_id_no, "
                    "prescription_id, channel, question, advice, drugs, follow_up, minutes, "
                    "transcript, at, retain_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id"));
  st.bind(1, c.pharmacist)
      .bind(2, c.patientName)
      .bind(3, c.patientIdNo)
      .bind(4, c.prescriptionId)
      .bind(5, c.channel)
      .bind(6, c.question)
      .bind(7, c.advice)
      .bind(8, json(c.drugs).dump())
      .bind(9, c.followUp)
      .bind(10, c.minutes)
      .bind(11, c.transcript)
      .bind(12, c.at)
      .bind(13, c.retainUntil);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kInternal, "no id returned for a new consultation");
  const std::int64_t id = st.columnInt(0);
  RX_RETURN_IF_ERROR(st.run());
  std::string all = c.patientName.value_or("") + " " + c.question + " " + c.advice + " " +
                    json(c.drugs).dump() + " " + c.followUp.value_or("") + " " +
                    c.transcript.value_or("");
  RX_ASSIGN_OR_RETURN(Statement pairs,
                      conn_.prepare("INSERT INTO consultations_pairs(rowid, pairs) VALUES (?, ?)"));
  RX_RETURN_IF_ERROR(pairs.bind(1, id).bind(2, cjkPairs(all)).run());
  return id;
}

Result<ConsultationRecord> ConsultationRepository::find(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kConsultationColumns) +
                                                  " FROM consultations c WHERE c.id = ?"));
  st.bind(1, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(ErrorCode::kNotFound, "there is no consultation " + std::to_string(id));
  return readOne(st);
}

Result<std::vector<ConsultationRecord>> ConsultationRepository::search(const ConsultationQuery& q) {
  std::vector<std::string> params;  // ?2, ?3, ... (?1 is the visibility)
  auto param = [&](std::string v) {
    params.push_back(std::move(v));
    return "?" + std::to_string(params.size() + 1);
  };
  // Words of three characters or more go to the trigram index, two-character Chinese words to the
  // pair index, each as one AND expression; anything shorter is a LIKE over the text.
  std::string trigram, pairs, where;
  std::string word;
  std::istringstream words(q.text);
  while (words >> word) {
    const std::u32string w = toU32(word);
    if (w.size() >= 3) {
      trigram += (trigram.empty() ? "" : " AND ") + ftsPhrase(word);
    } else if (w.size() == 2 && isHan(w[0]) && isHan(w[1])) {
      pairs += (pairs.empty() ? "" : " AND ") + ftsPhrase(word);
    } else {
      where +=
          " AND (coalesce(c.patient_name, '') || ' ' || c.question || ' ' || c.advice || ' ' "
          "|| c.drugs || ' ' || coalesce(c.follow_up, '') || ' ' || coalesce(c.transcript, "
          "'')) LIKE " +
          param(likePattern(word)) + " ESCAPE '\\'";
    }
  }
  // The first index used drives the query newest first (FTS5 walks its rowids backwards, and
  // consultations get their ids in the order they are recorded), so LIMIT stops it early.
  std::string from = "consultations c";
  std::string order = "c.id DESC";
  if (!trigram.empty()) {
    from = "consultations_text t JOIN consultations c ON c.id = t.rowid";
    where += " AND consultations_text MATCH " + param(trigram);
    order = "t.rowid DESC";
    if (!pairs.empty())
      where +=
          " AND c.id IN (SELECT rowid FROM consultations_pairs WHERE consultations_pairs "
          "MATCH " +
          param(pairs) + ")";
  } else if (!pairs.empty()) {
    from = "consultations_pairs t JOIN consultations c ON c.id = t.rowid";
    where += " AND consultations_pairs MATCH " + param(pairs);
    order = "t.rowid DESC";
  }
  if (q.from) where += " AND c.at >= " + param(*q.from);
  if (q.to) where += " AND c.at < " + param(*q.to + "T99");  // the whole last day
  if (q.pharmacist) where += " AND c.pharmacist = " + param(*q.pharmacist);
  if (q.patient) {
    const std::string p = param(*q.patient);
    where += " AND (c.patient_name = " + p + " OR c.patient_id_no = " + p + ")";
  }
  if (q.drug)
    where += " AND c.drugs LIKE " + param(likePattern("\"" + *q.drug + "\"")) + " ESCAPE '\\'";
  const std::string sql = "SELECT " + std::string(kConsultationColumns) + " FROM " + from +
                          " WHERE " + std::string(kVisible) + where + " ORDER BY " + order +
                          " LIMIT " + std::to_string(q.limit);
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare(sql));
  st.bind(1, q.visibleTo);
  for (std::size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 2), params[i]);
  return st.collect(readOne);
}

Result<bool> ConsultationRepository::visible(std::int64_t id, const std::string& pharmacist) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_.prepare("SELECT 1 FROM consultations c WHERE c.id = ?2 AND " + std::string(kVisible)));
  st.bind(1, pharmacist).bind(2, id);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  return row;
}

}  // namespace rx::data
