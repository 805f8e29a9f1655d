#include "workstation/records.h"

#include <chrono>

#include "base/time.h"
#include "dedup/traceability.h"

namespace rx::ws {

using nlohmann::json;

namespace {

std::string addYears(const std::string& iso, int years) {
  using namespace std::chrono;
  auto d = toDays(iso);
  if (!d) return iso;
  year_month_day ymd{*d};
  year_month_day shifted = (ymd.year() + std::chrono::years(years)) / ymd.month() / ymd.day();
  if (!shifted.ok())
    shifted = (ymd.year() + std::chrono::years(years)) / ymd.month() / last;  // 29 Feb
  return fromDays(sys_days{shifted});
}

}  // namespace

std::string retentionDate(const std::string& arrivedOn,
                          const std::optional<std::string>& latestExpiry) {
  std::string until = addYears(arrivedOn, 5);
  if (latestExpiry && isIsoDate(*latestExpiry)) until = std::max(until, addYears(*latestExpiry, 1));
  return until;
}

bool instructionsVisible(const data::PrescriptionRecord& rx) {
  using data::RxState;
  return rx.state == RxState::kApproved || rx.state == RxState::kPartiallyDispensed ||
         rx.state == RxState::kDispensed || rx.state == RxState::kClosed;
}

Result<std::vector<data::RecallRow>> RecordsService::recall(
    const std::optional<std::string>& drugName, const std::optional<std::string>& batch,
    const std::optional<std::string>& traceCode) {
  RX_RETURN_IF_ERROR(
      session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin}, "run a recall"));
  if (!drugName && !traceCode)
    return Status(ErrorCode::kInvalidArgument,
                  "a recall needs a drug name (and batch) or a traceability code");
  std::optional<std::string> code;
  if (traceCode) {
    RX_ASSIGN_OR_RETURN(dedup::TraceCode parsed, dedup::parseTraceCode(*traceCode));
    code = parsed.canonical;
  }
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(auto rows, data::PrescriptionRepository(conn).recall(drugName, batch, code));
  RX_RETURN_IF_ERROR(
      session_
          .audit("recall", drugName.value_or(code.value_or("")),
                 {{"batch", batch ? json(*batch) : json(nullptr)}, {"dispensings", rows.size()}})
          .status());
  return rows;
}

Result<std::vector<std::int64_t>> RecordsService::purge(bool dryRun, const std::string& today) {
  if (!dryRun) RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "purge records"));
  // Deleting records another program may have open (in review, at the dispensing counter) needs
  // the store alone.
  if (!dryRun) RX_RETURN_IF_ERROR(session_.store().takeAlone("purge records"));
  struct Share {
    data::Store& store;
    bool armed;
    ~Share() {
      if (armed) store.releaseAlone();
    }
  } share{session_.store(), !dryRun};
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto ids, repo.expiredRetention(today));
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  if (!dryRun)
    for (std::int64_t id : ids) RX_RETURN_IF_ERROR(repo.purge(id));
  RX_RETURN_IF_ERROR(
      session_.audit(dryRun ? "purge.dry-run" : "purge", today, {{"records", ids}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  return ids;
}

}  // namespace rx::ws
