// Drug traceability codes as scanners deliver them: the 20-digit 药品追溯码 (NMPA, leading 8) and
// GS1 element strings (AI 01 GTIN, 10 batch, 17 expiry, 21 serial) with FNC1 as ASCII GS or in the
// printed "(01)…(17)…" form. One package, one code: the canonical form is what gets stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace rx::dedup {

enum class TraceCodeKind { kNmpa20, kGs1 };

struct TraceCode {
  TraceCodeKind kind = TraceCodeKind::kNmpa20;
  // The key that identifies this package: the 20 digits, or "01<gtin>21<serial>" for GS1.
  std::string canonical;
  std::string productCode;  // NMPA: first 7 digits; GS1: the 14-digit GTIN
  std::optional<std::string> batch;
  std::optional<std::string> expiry;  // YYYY-MM-DD (GS1 day 00 means the last day of the month)
  std::optional<std::string> serial;
};

// Parses a scanned code (surrounding whitespace and a trailing CR/LF from keyboard-wedge scanners
// are ignored). Errors name what is wrong: length, a non-digit, the leading digit, a bad GTIN
// check digit, an unknown AI, a missing serial.
Result<TraceCode> parseTraceCode(std::string_view scanned);

// Returns true iff the 14-digit GTIN's last digit is its GS1 mod-10 check digit.
bool gtinCheckDigitValid(std::string_view gtin14);

}  // namespace rx::dedup
