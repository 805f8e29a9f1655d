#include "confusion_table.h"

#include <charconv>

#include "base/utf8.h"

namespace rx::ocr {

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> splitTabs(std::string_view line) {
  std::vector<std::string_view> cells;
  while (true) {
    const std::size_t tab = line.find('\t');
    cells.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
  return cells;
}

Status lineError(const char* file, std::size_t line, const std::string& what) {
  return Status(ErrorCode::kInvalidArgument,
                std::string(file) + " line " + std::to_string(line) + ": " + what);
}

Result<std::vector<Confusion>> parseConfusions(std::string_view text, const char* file) {
  std::vector<Confusion> out;
  const auto lines = splitLines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty() || line[0] == '#') continue;
    const auto cells = splitTabs(line);
    int count = 0;
    const bool ok = cells.size() == 3 && isValidUtf8(cells[0]) && isValidUtf8(cells[1]) &&
                    toU32(cells[0]).size() == 1 && toU32(cells[1]).size() == 1 &&
                    toU32(cells[0])[0] != kReadWhereNone &&
                    std::from_chars(cells[2].data(), cells[2].data() + cells[2].size(), count).ec ==
                        std::errc() &&
                    count > 0;
    if (!ok)
      return lineError(file, i + 1,
                       "expected the character read, the character meant and a count, "
                       "tab-separated");
    out.push_back({toU32(cells[0])[0], toU32(cells[1])[0], count});
  }
  return out;
}

}  // namespace rx::ocr
