#include "crypto/json.h"

#include "base/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

namespace rx::crypto {

using nlohmann::json;

namespace {
constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

// Throwing from the callback aborts the parse; the message travels in the exception.
struct StrictParseError {
  std::string message;
};
}  // namespace

Result<json> parseStrictJson(std::string_view text, std::string_view what,
                             const JsonLimits& limits) {
  const std::string name(what);
  if (text.size() > limits.maxBytes)
    return Status(ErrorCode::kInvalidArgument,
                  name + " is " + std::to_string(text.size()) + " bytes, above the " +
                      std::to_string(limits.maxBytes) + " bytes allowed");
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::vector<std::string> path;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
    if (depth > limits.maxDepth)
      throw StrictParseError{name + " nests deeper than " + std::to_string(limits.maxDepth) +
                             " levels"};
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        keys.pop_back();
        break;
      case json::parse_event_t::key: {
        const std::string& k = parsed.get_ref<const std::string&>();
        if (!keys.back().insert(k).second)
          throw StrictParseError{name + ": duplicate key \"" + k + "\""};
        break;
      }
      case json::parse_event_t::value:
        if (parsed.is_number_integer()) {
          const bool big = parsed.is_number_unsigned()
                               ? parsed.get<std::uint64_t>() > std::uint64_t(kMaxSafeInteger)
                               : parsed.get<std::int64_t>() < -kMaxSafeInteger ||
                                     parsed.get<std::int64_t>() > kMaxSafeInteger;
          if (big)
            throw StrictParseError{name + ": integer " + parsed.dump() +
                                   " is beyond ±2^53 (I-JSON)"};
        } else if (parsed.is_number_float() && !std::isfinite(parsed.get<double>())) {
          throw StrictParseError{name + ": number out of range"};
        }
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                       /*ignore_comments=*/false);
  } catch (const StrictParseError& e) {
    return Status(ErrorCode::kInvalidArgument, e.message);
  } catch (const json::exception& e) {
    // A syntax error (parse_error) or a number too large for a double (out_of_range, found by
    // fuzz_jws_json). nlohmann's message names the byte offset and what was expected.
    std::string msg = e.what();
    auto pos = msg.find("] ");
    return Status(
        ErrorCode::kInvalidArgument,
        name + " is not valid JSON: " + (pos == std::string::npos ? msg : msg.substr(pos + 2)));
  }
}

namespace {

std::u16string utf16(const std::string& s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int len;
    if (c < 0x80)
      cp = c, len = 1;
    else if ((c >> 5) == 6)
      cp = c & 0x1f, len = 2;
    else if ((c >> 4) == 14)
      cp = c & 0x0f, len = 3;
    else
      cp = c & 0x07, len = 4;
    for (int k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

void writeString(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// ECMAScript Number::toString for finite doubles (RFC 8785 section 3.2.2.3).
void writeNumber(double v, std::string& out) {
  if (v == 0) {
    out += '0';
    return;
  }
  if (v < 0) {
    out += '-';
    v = -v;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // shortest round-trip digits: d.ddde±x
  auto e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::stoi(sci.substr(e + 1));
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // position of the decimal point relative to the digits
  if (k <= n && n <= 21) {
    out += digits + std::string(n - k, '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, n) + "." + digits.substr(n);
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(-n, '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += "e";
    out += (n - 1 >= 0 ? "+" : "-");
    out += std::to_string(std::abs(n - 1));
  }
}

void write(const json& v, std::string& out) {
  switch (v.type()) {
    case json::value_t::null:
      out += "null";
      break;
    case json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      break;
    case json::value_t::number_integer:
      writeNumber(static_cast<double>(v.get<std::int64_t>()), out);
      break;
    case json::value_t::number_unsigned:
      writeNumber(static_cast<double>(v.get<std::uint64_t>()), out);
      break;
    case json::value_t::number_float:
      writeNumber(v.get<double>(), out);
      break;
    case json::value_t::string:
      writeString(v.get_ref<const std::string&>(), out);
      break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        write(e, out);
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      std::vector<std::pair<std::u16string, const std::string*>> members;
      members.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it)
        members.emplace_back(utf16(it.key()), &it.key());
      std::sort(members.begin(), members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      for (const auto& [sortKey, key] : members) {
        if (!first) out += ',';
        first = false;
        writeString(*key, out);
        out += ':';
        write(v.at(*key), out);
      }
      out += '}';
      break;
    }
    default:
      out += "null";
      break;  // binary and discarded values do not occur in parsed JSON
  }
}
}  // namespace

std::string canonicalJson(const json& value) {
  std::string out;
  write(value, out);
  return out;
}

const nlohmann::json& memberOrNull(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string textOr(const nlohmann::json& object, std::string_view key, std::string fallback) {
  const nlohmann::json& v = memberOrNull(object, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

std::optional<std::uint64_t> unsignedOr(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json& v = memberOrNull(object, key);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

nlohmann::json withValidUtf8(const nlohmann::json& value) {
  if (value.is_string()) return utf8OrEscaped(value.get_ref<const std::string&>());
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : value) out.push_back(withValidUtf8(v));
    return out;
  }
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : value.items()) out[utf8OrEscaped(k)] = withValidUtf8(v);
    return out;
  }
  return value;
}

}  // namespace rx::crypto
