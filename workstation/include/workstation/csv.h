// CSV as spreadsheet users exchange it (RFC 4180): quoting for writing, one record at a time for
// reading. Files rxdesk writes start with a UTF-8 BOM so spreadsheets read the Chinese right.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rx::ws {

inline constexpr const char* kUtf8Bom = "\xEF\xBB\xBF";

// A field as written: quoted when it holds a comma, quote or line break; empty for nullopt.
std::string csvField(const std::optional<std::string>& value);

// Reads one record of `text` from `pos` (quotes honoured, CR ignored, surrounding blanks trimmed)
// and moves `pos` past its line end.
std::vector<std::string> csvRecord(const std::string& text, std::size_t& pos);

}  // namespace rx::ws
