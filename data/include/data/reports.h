// The supervisor's figures (dashboards, `rxdesk-cli report`): counts grouped by Beijing day,
// pharmacist, reason, verdict or provider over a period. No patient data.
#pragma once

#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct CountRow {
  std::string key;   // e.g. the day, the pharmacist, the reason
  std::string key2;  // e.g. the decision or verdict; empty when not grouped twice
  std::int64_t count = 0;
  std::string key3;  // a third grouping (the pharmacist of decisions by hour), else empty
};

struct ReportQuery {
  const char* name;  // decisions_by_hour (key UTC hour "YYYY-MM-DDTHH", key2 decision, key3
                     // pharmacist), rejection_reasons, reuse_alerts_by_hour, reuse_overrules,
                     // signature_failures_by_provider, consultations_by_hour
  const char* sql;   // ?1 from, ?2 to (UTC timestamps); columns key, key2, count[, key3]
};
const std::vector<ReportQuery>& reportQueries();

Result<std::vector<CountRow>> runReport(Connection& conn, const ReportQuery& q,
                                        const std::string& fromUtc, const std::string& toUtc);

}  // namespace rx::data
