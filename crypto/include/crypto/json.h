// Strict JSON for signed documents: parsing that refuses what could be read two ways (duplicate
// keys, invalid UTF-8, integers beyond 2^53, excessive size or depth), and the RFC 8785 (JCS)
// canonical form that signatures are computed over.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace rx::crypto {

struct JsonLimits {
  std::size_t maxBytes = 1u << 20;  // 1 MiB
  int maxDepth = 32;
};

// Parses `text` strictly. Errors name `what` (a file name or field) and the problem.
Result<nlohmann::json> parseStrictJson(std::string_view text, std::string_view what,
                                       const JsonLimits& limits = {});

// Reading untrusted documents without exceptions: nlohmann's value() and operator[] throw when a
// member has another type than expected (found by fuzz_agreement).
// The member `key` of `object`, or null when `object` is not an object or lacks it.
const nlohmann::json& memberOrNull(const nlohmann::json& object, std::string_view key);
// The string member `key`, or `fallback` when it is missing or not a string.
std::string textOr(const nlohmann::json& object, std::string_view key, std::string fallback = {});
// The non-negative integer member `key`, or nullopt.
std::optional<std::uint64_t> unsignedOr(const nlohmann::json& object, std::string_view key);

// `value` with every string (keys too) made valid UTF-8 by utf8OrEscaped (base/text.h): for records
// that carry file names, which on Linux may be any bytes and would make serialization throw.
nlohmann::json withValidUtf8(const nlohmann::json& value);

// Returns the RFC 8785 canonical serialization of `value`: members sorted by UTF-16 code units,
// no whitespace, ECMAScript number formatting, minimal string escaping.
std::string canonicalJson(const nlohmann::json& value);

}  // namespace rx::crypto
