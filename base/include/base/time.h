// UTC timestamps as rxdesk writes them: "YYYY-MM-DDThh:mm:ssZ", and calendar dates "YYYY-MM-DD".
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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

// Returns true iff `d` is a real calendar date written YYYY-MM-DD.
inline bool isIsoDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  int v[8], k = 0;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
    v[k++] = d[i] - '0';
  }
  const int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5],
            day = v[6] * 10 + v[7];
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || day < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return day <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// The calendar day of a YYYY-MM-DD date, or nullopt when it is not one.
inline std::optional<std::chrono::sys_days> toDays(const std::string& iso) {
  if (!isIsoDate(iso)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{std::stoi(iso.substr(0, 4))},
                           month{static_cast<unsigned>(std::stoi(iso.substr(5, 2)))},
                           day{static_cast<unsigned>(std::stoi(iso.substr(8, 2)))}};
  return sys_days{ymd};
}

// A calendar day as YYYY-MM-DD.
inline std::string fromDays(std::chrono::sys_days d) {
  const std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// A UTC timestamp ("YYYY-MM-DDThh:mm…") as China Standard Time (UTC+8), "YYYY-MM-DD hh:mm";
// empty when it is not one. Printouts and vouchers show this time.
inline std::string chinaTime(const std::string& utc) {
  if (utc.size() < 16 || utc[10] != 'T' || utc[13] != ':') return "";
  auto day = toDays(utc.substr(0, 10));
  const auto digits = [&](int at) {
    const char a = utc[at], b = utc[at + 1];
    return a >= '0' && a <= '9' && b >= '0' && b <= '9' ? (a - '0') * 10 + (b - '0') : -1;
  };
  int hour = digits(11);
  const int minute = digits(14);
  if (!day || hour < 0 || hour > 23 || minute < 0 || minute > 59) return "";
  hour += 8;
  if (hour >= 24) {
    hour -= 24;
    *day += std::chrono::days(1);
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", hour, minute);
  return fromDays(*day) + " " + buf;
}

// What a person reads of a UTC timestamp: its China Standard Time (chinaTime), or the text as it is
// when it is not a timestamp (a damaged backup header, say), never nothing.
inline std::string readableTime(const std::string& utc) {
  std::string t = chinaTime(utc);
  return t.empty() ? utc : t;
}

// The calendar day at a Chinese counter: the Beijing date of the UTC instant `utc` (YYYY-MM-DD).
// Prescription dates, validity and "today" are Beijing days; from 00:00 to 08:00 Beijing time the
// UTC date is still yesterday's.
inline std::string beijingDate(const std::string& utc) { return datePart(chinaTime(utc)); }
inline std::string beijingToday() { return beijingDate(utcTimestamp()); }

// The instant the Beijing day of `t` began: 00:00 China Standard Time (UTC+8, no daylight saving).
inline std::chrono::system_clock::time_point beijingDayBegan(
    std::chrono::system_clock::time_point t) {
  using std::chrono::hours;
  return std::chrono::floor<std::chrono::days>(t + hours(8)) - hours(8);
}

// The Beijing days `from`..`to` (YYYY-MM-DD, inclusive) as the UTC interval [start, end) that
// stored timestamps are compared with; nullopt when a date is not one or `to` is before `from`.
inline std::optional<std::pair<std::string, std::string>> beijingDaysAsUtc(const std::string& from,
                                                                           const std::string& to) {
  auto f = toDays(from), t = toDays(to);
  if (!f || !t || *t < *f) return std::nullopt;
  using namespace std::chrono;
  return std::make_pair(utcTimestamp(sys_seconds(*f) - hours(8)),
                        utcTimestamp(sys_seconds(*t + days(1)) - hours(8)));
}

}  // namespace rx
