#include "workstation/report.h"

#include <chrono>

#include "base/time.h"

namespace rx::ws {

Result<Report> makeReport(Session& session, const std::string& from, const std::string& to) {
  RX_RETURN_IF_ERROR(session.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                          "see the pharmacy's figures"));
  auto range = beijingDaysAsUtc(from, to);
  if (!range)
    return Status(ErrorCode::kInvalidArgument,
                  "the period " + from + " to " + to + " is not two YYYY-MM-DD dates in order");
  Report r{from, to, {}, {}};
  std::map<std::string, std::vector<data::CountRow>> raw;
  for (const auto& q : data::reportQueries()) {
    const auto start = std::chrono::steady_clock::now();
    RX_ASSIGN_OR_RETURN(
        raw[q.name], data::runReport(session.store().connection(), q, range->first, range->second));
    r.milliseconds[q.name] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  // UTC hours become Beijing days; the decisions give both per-day and per-pharmacist figures.
  auto sum = [](const std::vector<data::CountRow>& rows, auto key) {
    std::map<std::pair<std::string, std::string>, std::int64_t> total;
    for (const auto& row : rows) total[key(row)] += row.count;
    std::vector<data::CountRow> out;
    for (const auto& [k, n] : total) out.push_back({k.first, k.second, n, ""});
    return out;
  };
  auto day = [](const data::CountRow& row) { return datePart(chinaTime(row.key + ":00:00Z")); };
  r.figures["decisions_per_day"] = sum(raw["decisions_by_hour"], [&](const data::CountRow& row) {
    return std::pair(day(row), row.key2);
  });
  r.figures["decisions_per_pharmacist"] =
      sum(raw["decisions_by_hour"],
          [](const data::CountRow& row) { return std::pair(row.key3, row.key2); });
  r.figures["reuse_alerts_per_day"] =
      sum(raw["reuse_alerts_by_hour"],
          [&](const data::CountRow& row) { return std::pair(day(row), row.key2); });
  r.figures["consultations_per_day"] =
      sum(raw["consultations_by_hour"],
          [&](const data::CountRow& row) { return std::pair(day(row), row.key2); });
  for (const char* name :
       {"rejection_reasons", "reuse_overrules", "signature_failures_by_provider"})
    r.figures[name] = std::move(raw[name]);
  return r;
}

nlohmann::json reportJson(const Report& r) {
  nlohmann::json figures = nlohmann::json::object();
  for (const auto& [name, rows] : r.figures) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& row : rows) {
      nlohmann::json o = {{"key", row.key}, {"count", row.count}};
      if (!row.key2.empty()) o["of"] = row.key2;
      arr.push_back(o);
    }
    figures[name] = arr;
  }
  return {{"from", r.from}, {"to", r.to}, {"figures", figures}};
}

}  // namespace rx::ws
