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
  for (const auto& q : data::reportQueries()) {
    const auto start = std::chrono::steady_clock::now();
    RX_ASSIGN_OR_RETURN(r.figures[q.name], data::runReport(session.store().connection(), q,
                                                           range->first, range->second));
    r.milliseconds[q.name] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
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
