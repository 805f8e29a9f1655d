// Tables of the characters Debian's chi_sim model reads in place of others, as
// tests/tools/name_confusions_main.cpp measures them (data/names/confusions.tsv,
// data/catalogue/confusions.tsv), and the plain-text parsing they share. Internal to ocr/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rx::ocr {

// `meant` read as `read`, `count` times.
struct Confusion {
  char32_t read = 0;
  char32_t meant = 0;
  int count = 0;
};

// For `meant`, a character read where there is none (晓 read as 了晓).
inline constexpr char32_t kReadWhereNone = U'-';

// Lines "read <TAB> meant <TAB> count" (one character each, a positive count; `meant` may be
// kReadWhereNone); '#' starts a comment line. Errors name `file` and the line.
Result<std::vector<Confusion>> parseConfusions(std::string_view text, const char* file);

std::vector<std::string_view> splitLines(std::string_view text);
std::vector<std::string_view> splitTabs(std::string_view line);
// An error in line `line` (1-based) of the embedded file `file`.
Status lineError(const char* file, std::size_t line, const std::string& what);

}  // namespace rx::ocr
