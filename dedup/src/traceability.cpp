#include "dedup/traceability.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace rx::dedup {

namespace {
constexpr char kGroupSeparator = '\x1d';  // FNC1 as transmitted by scanners

bool allDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

int daysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

Result<std::string> gs1Date(std::string_view yymmdd) {
  if (yymmdd.size() != 6 || !allDigits(yymmdd))
    return Status(ErrorCode::kInvalidArgument, "AI 17 (expiry) must be 6 digits YYMMDD");
  int yy = std::stoi(std::string(yymmdd.substr(0, 2)));
  int mm = std::stoi(std::string(yymmdd.substr(2, 2)));
  int dd = std::stoi(std::string(yymmdd.substr(4, 2)));
  // GS1 General Specifications 7.12: a two-digit year within -49..+50 years of now; drugs on a
  // counter today expire in this century, so 20YY.
  int year = 2000 + yy;
  if (mm < 1 || mm > 12)
    return Status(ErrorCode::kInvalidArgument, "AI 17 (expiry) has month " + std::to_string(mm));
  if (dd == 0) dd = daysInMonth(year, mm);
  if (dd > daysInMonth(year, mm))
    return Status(ErrorCode::kInvalidArgument, "AI 17 (expiry) has day " + std::to_string(dd));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, mm, dd);
  return std::string(buf);
}

Result<TraceCode> parseNmpa(std::string_view s) {
  if (s.size() != 20)
    return Status(ErrorCode::kInvalidArgument,
                  "a 药品追溯码 has 20 digits; this code has " + std::to_string(s.size()));
  if (s.front() != '8')
    return Status(ErrorCode::kInvalidArgument,
                  "a 药品追溯码 starts with 8; this one starts with " + std::string(1, s.front()));
  TraceCode c;
  c.kind = TraceCodeKind::kNmpa20;
  c.canonical = std::string(s);
  c.productCode = std::string(s.substr(0, 7));
  c.serial = std::string(s.substr(7, 9));
  return c;
}

// Splits "(01)0123…(17)…" into the raw element string with GS separators.
Result<std::string> fromHumanReadable(std::string_view s) {
  std::string out;
  bool first = true;
  while (!s.empty()) {
    if (s.front() != '(')
      return Status(ErrorCode::kInvalidArgument, "expected '(' before a GS1 AI");
    auto close = s.find(')');
    if (close == std::string_view::npos)
      return Status(ErrorCode::kInvalidArgument, "unclosed '(' in GS1 code");
    std::string_view ai = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
    auto next = s.find('(');
    std::string_view value = s.substr(0, next);
    s.remove_prefix(value.size());
    if (!first) out += kGroupSeparator;
    out += std::string(ai) + std::string(value);
    first = false;
  }
  return out;
}

Result<TraceCode> parseGs1(std::string_view s) {
  TraceCode c;
  c.kind = TraceCodeKind::kGs1;
  std::optional<std::string> gtin;
  while (!s.empty()) {
    if (s.front() == kGroupSeparator) {
      s.remove_prefix(1);
      continue;
    }
    if (s.size() < 2) return Status(ErrorCode::kInvalidArgument, "GS1 code ends inside an AI");
    std::string ai(s.substr(0, 2));
    s.remove_prefix(2);
    auto takeFixed = [&](std::size_t n) -> Result<std::string> {
      if (s.size() < n)
        return Status(ErrorCode::kInvalidArgument,
                      "AI " + ai + " needs " + std::to_string(n) + " characters");
      std::string v(s.substr(0, n));
      s.remove_prefix(n);
      return v;
    };
    auto takeVariable = [&](std::size_t maxLen) -> Result<std::string> {
      auto end = s.find(kGroupSeparator);
      std::string v(s.substr(0, end));
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
      if (v.empty() || v.size() > maxLen)
        return Status(ErrorCode::kInvalidArgument,
                      "AI " + ai + " must have 1-" + std::to_string(maxLen) + " characters");
      if (!std::all_of(v.begin(), v.end(),
                       [](unsigned char ch) { return ch >= 0x21 && ch <= 0x7e; }))
        return Status(ErrorCode::kInvalidArgument,
                      "AI " + ai + " has a character outside GS1's set");
      return v;
    };
    if (ai == "01") {
      RX_ASSIGN_OR_RETURN(std::string v, takeFixed(14));
      if (!allDigits(v))
        return Status(ErrorCode::kInvalidArgument, "AI 01 (GTIN) must be 14 digits");
      if (!gtinCheckDigitValid(v))
        return Status(ErrorCode::kInvalidArgument,
                      "AI 01 (GTIN) " + v + " has a wrong check digit");
      gtin = v;
    } else if (ai == "17") {
      RX_ASSIGN_OR_RETURN(std::string v, takeFixed(6));
      RX_ASSIGN_OR_RETURN(c.expiry, gs1Date(v));
    } else if (ai == "10") {
      RX_ASSIGN_OR_RETURN(c.batch, takeVariable(20));
    } else if (ai == "21") {
      RX_ASSIGN_OR_RETURN(c.serial, takeVariable(20));
    } else {
      return Status(ErrorCode::kInvalidArgument,
                    "GS1 AI " + ai + " is not one rxdesk reads (01, 10, 17, 21)");
    }
  }
  if (!gtin) return Status(ErrorCode::kInvalidArgument, "GS1 code has no AI 01 (GTIN)");
  if (!c.serial)
    return Status(ErrorCode::kInvalidArgument,
                  "GS1 code has no AI 21 (serial): it does not identify one package");
  c.productCode = *gtin;
  c.canonical = "01" + *gtin + "21" + *c.serial;
  return c;
}
}  // namespace

bool gtinCheckDigitValid(std::string_view gtin) {
  if (gtin.size() != 14 || !allDigits(gtin)) return false;
  int sum = 0;
  for (int i = 0; i < 13; ++i) sum += (gtin[i] - '0') * (i % 2 == 0 ? 3 : 1);
  return (10 - sum % 10) % 10 == gtin[13] - '0';
}

Result<TraceCode> parseTraceCode(std::string_view scanned) {
  std::string_view s = trim(scanned);
  if (s.empty()) return Status(ErrorCode::kInvalidArgument, "the scanned code is empty");
  if (s.size() > 120)
    return Status(ErrorCode::kInvalidArgument, "the scanned code is longer than 120 characters");
  // Symbology identifiers some scanners prepend: ]C1 (GS1-128), ]d2 (GS1 DataMatrix), ]Q3 (GS1 QR).
  if (s.size() > 3 && s[0] == ']') s.remove_prefix(3);
  if (s.front() == '(') {
    RX_ASSIGN_OR_RETURN(std::string raw, fromHumanReadable(s));
    return parseGs1(raw);
  }
  if (allDigits(s) && s.size() == 20) return parseNmpa(s);
  if (s.size() > 2 && s.substr(0, 2) == "01") return parseGs1(s);
  if (allDigits(s)) return parseNmpa(s);  // for the length error message
  auto bad = std::find_if(s.begin(), s.end(),
                          [](char c) { return !std::isdigit(static_cast<unsigned char>(c)); });
  return Status(ErrorCode::kInvalidArgument,
                "not a 药品追溯码 (20 digits) nor a GS1 code starting with (01): character '" +
                    std::string(1, *bad) + "' at position " + std::to_string(bad - s.begin() + 1));
}

}  // namespace rx::dedup
