#include "ocr/names.h"

#include <algorithm>

#include "base/utf8.h"
#include "confusion_table.h"

namespace rx::ocr {

// data/names/names.tsv and data/names/confusions.tsv, embedded by CMake (names_data.cpp).
extern const char* const kNameCharacters;
extern const char* const kNameConfusions;

Result<NameLexicon> NameLexicon::parse(std::string_view names, std::string_view confusions) {
  NameLexicon lex;
  const auto nameLines = splitLines(names);
  for (std::size_t i = 0; i < nameLines.size(); ++i) {
    const std::string_view line = nameLines[i];
    if (line.empty() || line[0] == '#') continue;
    const auto cells = splitTabs(line);
    if (cells.size() != 3 || !isValidUtf8(cells[2]))
      return lineError("names.tsv", i + 1,
                       "expected a role, a frequency and UTF-8 characters, tab-separated");
    float weight = 0;
    if (cells[1] == "common")
      weight = 1.0f;
    else if (cells[1] == "less-common")
      weight = 0.2f;
    else
      return lineError(
          "names.tsv", i + 1,
          "unknown frequency '" + std::string(cells[1]) + "' (expected common or less-common)");
    const std::u32string chars = toU32(cells[2]);
    if (cells[0] == "surname") {
      for (char32_t c : chars) lex.surnames_.emplace(c, weight);
    } else if (cells[0] == "given") {
      for (char32_t c : chars) lex.given_.emplace(c, weight);
    } else if (cells[0] == "compound") {
      std::u32string word;
      for (char32_t c : chars + U" ") {
        if (c != U' ') {
          word.push_back(c);
          continue;
        }
        if (word.size() != 2)
          return lineError("names.tsv", i + 1, "a compound family name has two characters");
        lex.compounds_.insert(word);
        word.clear();
      }
    } else {
      return lineError(
          "names.tsv", i + 1,
          "unknown role '" + std::string(cells[0]) + "' (expected surname, compound or given)");
    }
  }
  RX_ASSIGN_OR_RETURN(auto table, parseConfusions(confusions, "names/confusions.tsv"));
  for (const Confusion& c : table) lex.confusions_[c.read].emplace_back(c.count, c.meant);
  return lex;
}

const NameLexicon& NameLexicon::standard() {
  static const NameLexicon lexicon = [] {
    auto parsed = parse(kNameCharacters, kNameConfusions);
    // The embedded files are checked by the tests; a broken one is a build defect.
    return parsed ? std::move(*parsed) : NameLexicon();
  }();
  return lexicon;
}

char32_t NameLexicon::likeliest(char32_t read, const std::map<char32_t, float>& kind,
                                bool mayDrop) const {
  // How often the model read `meant` as `read` (every character was read equally often when the
  // table was measured), times how likely `meant` is in a name; a character read where there was
  // none counts as it was seen.
  auto it = confusions_.find(read);
  if (it == confusions_.end()) return 0;
  const bool readIsName = isSurname(read) || isGiven(read);
  char32_t best = 0;
  float bestScore = 0;
  for (const auto& [count, meant] : it->second) {
    // A character read that is itself a name character (路, a family name) is taken for what it
    // is on a confusion the table saw once in its 90 readings of a character: one photographed
    // rendering of 鹭 read as 路 would turn the 路 of every given name into 鹭.
    if (count < 2 && readIsName) continue;
    float weight = 0;
    if (meant == kNothing) {
      weight = mayDrop ? 1.0f : 0.0f;
    } else if (auto w = kind.find(meant); w != kind.end()) {
      weight = w->second;
    }
    const float score = static_cast<float>(count) * weight;
    if (score > bestScore || (score == bestScore && score > 0 && meant < best)) {
      best = meant;
      bestScore = score;
    }
  }
  return best;
}

MendedName NameLexicon::mend(std::string_view name) const {
  MendedName out{std::string(name), false};
  std::u32string n = toU32(name);
  if (n.size() < 2) return out;
  auto compoundAt = [&](std::size_t i) {
    return n.size() >= i + 3 && compounds_.count(n.substr(i, 2)) > 0;
  };
  // A character read before the family name where there is none (有周文丽: the label's
  // separator read as 有) is dropped when the model is known to read it so, and a family name
  // follows it.
  if (n.size() >= 3 && !compoundAt(0) && !isSurname(n[0]) && (isSurname(n[1]) || compoundAt(1)) &&
      likeliest(n[0], surnames_, true) == kNothing) {
    n.erase(0, 1);
    out.changed = true;
  }
  std::size_t given = 1;
  if (compoundAt(0)) {
    given = 2;
  } else if (!isSurname(n[0])) {
    if (char32_t s = likeliest(n[0], surnames_, false)) {
      n[0] = s;
      out.changed = true;
    }
  }
  for (std::size_t i = given; i < n.size();) {
    if (isGiven(n[i])) {
      ++i;
      continue;
    }
    const char32_t g = likeliest(n[i], given_, n.size() > given + 1);
    if (g == kNothing) {
      n.erase(i, 1);
    } else if (g) {
      n[i++] = g;
    } else {
      ++i;
      continue;
    }
    out.changed = true;
  }
  if (out.changed) out.value = toUtf8(n);
  return out;
}

}  // namespace rx::ocr
