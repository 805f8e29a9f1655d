// UTC timestamps as rxdesk writes them: "YYYY-MM-DDThh:mm:ssZ", and calendar dates "YYYY-MM-DD".
#pragma once

#include <chrono>
#include <ctime>
#include <string>

namespace rx {

// Returns `t` (default: now) as YYYY-MM-DDThh:mm:ssZ.
inline std::string utcTimestamp(
    std::chrono::system_clock::time_point t = std::chrono::system_clock::now()) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Returns the UTC calendar date (YYYY-MM-DD) of a timestamp or date string.
inline std::string datePart(const std::string& timestamp) { return timestamp.substr(0, 10); }

}  // namespace rx
