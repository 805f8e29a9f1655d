// The supervisor's figures for a period (dashboards in the GUI, `rxdesk-cli report --json`):
// decisions per day and per pharmacist, rejection reasons, reuse alerts and overrules, signature
// failures by provider, consultations per day. Supervisors and admins; no patient data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/reports.h"
#include "workstation/session.h"

namespace rx::ws {

struct Report {
  std::string from, to;                                        // Beijing dates, inclusive
  std::map<std::string, std::vector<data::CountRow>> figures;  // by data::ReportQuery name
  std::map<std::string, double> milliseconds;                  // time each figure took
};

Result<Report> makeReport(Session& session, const std::string& from, const std::string& to);
nlohmann::json reportJson(const Report& r);

}  // namespace rx::ws
