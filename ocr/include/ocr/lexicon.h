// The drug catalogue (data/catalogue/drugs.tsv) and snapping of OCR'd names to it. Debian's
// chi_sim model cannot emit some characters common in drug names (肟 胍 苄 噻 吲 哚 呋 脒 巯); the
// nearest catalogue name by edit distance is how 头孢克肟 and 二甲双胍 still come out right. Where
// two drugs are as near, the characters the model is known to read in place of others
// (data/catalogue/confusions.tsv, measured by tests/tools/name_confusions_main.cpp and built into
// the program) choose: 页那普利片 is 贝那普利片 (贝 is read as 页), not 依那普利片.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace rx::ocr {

struct DrugEntry {
  std::string name;
  std::string drugClass;  // rx, otc-a, otc-b, or a special-management class
  bool ephedrine = false;
  std::vector<std::string> otherNames;
};

// How many characters of a drug's name of `length` characters may be read otherwise for the
// catalogue to take it: 40%, at least one.
int allowedMisreadings(std::size_t length);

struct DrugSnap {
  const DrugEntry* entry = nullptr;
  // Edit distance in characters from what was read; for a name further than allowedMisreadings
  // (furtherThanAllowed), the characters read otherwise in place.
  int distance = 0;
  // Another drug was as near, or the name is further than 40%; this one was taken for the
  // misreadings the model is known to make (confusions.tsv). The pharmacist confirms such a name.
  bool chosenByMisreadings = false;
  // Further than allowedMisreadings from what was read: chosen only on misreadings. Such a name
  // is for a line numbered as printed, with a strength or a quantity (extractFields), and names
  // no drug to anything else (a hint, a count of drugs on a line).
  bool furtherThanAllowed = false;
};

class DrugLexicon {
 public:
  // Loads the catalogue; errors name the line.
  static Result<DrugLexicon> load(const std::string& path);

  // Returns the catalogue entry nearest to `text` when it is close enough to be trusted: at most
  // 40% of the characters differ, and no other drug is as near — or, of drugs as near by names as
  // long as what was read, none of them a special-management drug, the model is known to misread
  // one's characters so (twice or more) more than twice as often as any other's; or, further
  // than 40%, the name as long as what was read that is within it when each character the model
  // is known to misread so counts half (nearByMisreadings). Both are marked chosenByMisreadings.
  std::optional<DrugSnap> snap(const std::string& text) const;
  // The entry named exactly `name`, by its catalogue name or else one of its other names (a brand
  // name such as 新康泰克); null when the catalogue has no such name.
  const DrugEntry* find(const std::string& name) const;
  const std::vector<DrugEntry>& entries() const { return entries_; }

 private:
  std::vector<DrugEntry> entries_;
  std::vector<std::pair<std::u32string, std::size_t>> names_;  // every name and other name -> entry
  std::map<std::pair<char32_t, char32_t>, int> confusions_;    // (read, meant) -> times seen

  // Of the drugs whose names are `distance` from `read`, the one whose characters the model is
  // known to misread as those read far more often than any other's; none otherwise.
  std::optional<std::size_t> likeliestMisread(const std::u32string& read, int distance) const;
  // The drug whose name, as long as `read` and further than 40% from it, the model is known to
  // misread so in most of the characters that differ; none when another is as near.
  std::optional<DrugSnap> nearByMisreadings(const std::u32string& read) const;
  // The cost of reading `name` as `read` (as long as it) in half characters: 1 for a character
  // the model is known to misread so (seen twice or more), 2 for any other read otherwise.
  struct Misreading {
    int cost = 0;
    int misread = 0;  // characters read otherwise
    int unknown = 0;  // of them, ones the model is not known to misread so
    int times = 0;    // how often the model was seen misreading them so, summed
  };
  Misreading misreading(const std::u32string& read, const std::u32string& name) const;
};

// Returns the default catalogue path: $RXDESK_CATALOGUE, else beside the executable
// (<bin>/../share/rxdesk/drugs.tsv, in the build tree and when installed), else /usr/share/rxdesk.
std::string defaultCataloguePath();

}  // namespace rx::ocr
