// Chinese personal names: the family names and given-name characters in common use
// (data/names/names.tsv), and the characters Debian's chi_sim model reads in their place
// (data/names/confusions.tsv, measured by tests/tools/name_confusions_main.cpp). Both are built
// into the program.
//
// chi_sim reads some of the commonest name characters as characters no name uses, even on a clean
// page: 萱 (the commonest girl's given name 梓萱) as 营/曹/董, 磊 as 舌. A name is mended where one
// of its characters is not a name character in its place (family name first, then given name) and
// the model is known to read a name character that way; the likeliest such one is put back (how
// often the model reads it so, times how common it is in names), or, where the model is known to
// read a character where there is none (晓 read as 了晓), the character is dropped. A character
// read that is itself a name character elsewhere is changed only on a confusion seen more than
// once. A name that reads as name characters throughout is never changed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace rx::ocr {

struct MendedName {
  std::string value;
  bool changed = false;
};

class NameLexicon {
 public:
  // `names`: lines "surname|compound|given <TAB> common|less-common <TAB> characters";
  // `confusions`: lines "read <TAB> meant <TAB> count", where "meant" may be '-' (read where the
  // name has no character). '#' starts a comment line. Errors name the file and the line.
  static Result<NameLexicon> parse(std::string_view names, std::string_view confusions);
  // The lexicon built into the program.
  static const NameLexicon& standard();

  MendedName mend(std::string_view name) const;

  bool isSurname(char32_t c) const { return surnames_.count(c) > 0; }
  bool isGiven(char32_t c) const { return given_.count(c) > 0; }

 private:
  // In confusions.tsv, "meant" for a character read where the name has none (晓 read as 了晓).
  static constexpr char32_t kNothing = U'-';

  // The name character of the right kind (family or given) most likely meant by `read`, kNothing
  // when it is likelier to be a character read where there was none (only if `mayDrop`), or 0.
  char32_t likeliest(char32_t read, const std::map<char32_t, float>& kind, bool mayDrop) const;

  std::map<char32_t, float> surnames_, given_;  // character -> weight of its frequency class
  std::set<std::u32string> compounds_;
  std::map<char32_t, std::vector<std::pair<int, char32_t>>> confusions_;  // read -> (count, meant)
};

}  // namespace rx::ocr
