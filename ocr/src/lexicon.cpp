#include "ocr/lexicon.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/drug_class.h"
#include "base/utf8.h"
#include "confusion_table.h"

namespace rx::ocr {

// data/catalogue/confusions.tsv, embedded by CMake (drug_confusions_data.cpp).
extern const char* const kDrugConfusions;

Result<DrugLexicon> DrugLexicon::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read the drug catalogue " + path);
  DrugLexicon lex;
  std::string line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::istringstream fields(line);
    for (std::string c; std::getline(fields, c, '\t');) cols.push_back(c);
    if (cols.size() != 4)
      return Status(ErrorCode::kCorrupt,
                    path + ":" + std::to_string(lineNo) + ": expected 4 tab-separated columns");
    DrugEntry e{cols[0], cols[1], cols[2] == "ephedrine", {}};
    if (!isKnownDrugClass(e.drugClass))
      return Status(ErrorCode::kCorrupt,
                    path + ":" + std::to_string(lineNo) + ": unknown class '" + e.drugClass + "'");
    if (cols[3] != "-") {
      std::istringstream names(cols[3]);
      for (std::string n; std::getline(names, n, ',');) e.otherNames.push_back(n);
    }
    lex.entries_.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < lex.entries_.size(); ++i) {
    lex.names_.emplace_back(toU32(lex.entries_[i].name), i);
    for (const auto& n : lex.entries_[i].otherNames) lex.names_.emplace_back(toU32(n), i);
  }
  if (lex.entries_.empty()) return Status(ErrorCode::kCorrupt, path + " holds no drugs");
  // Built into the program and checked by the tests: an error is a build defect.
  RX_ASSIGN_OR_RETURN(auto confusions,
                      parseConfusions(kDrugConfusions, "catalogue/confusions.tsv"));
  for (const Confusion& c : confusions) lex.confusions_[{c.read, c.meant}] += c.count;
  return lex;
}

int allowedMisreadings(std::size_t length) {
  return std::max<int>(1, (2 * static_cast<int>(length) + 4) / 5);
}

std::optional<DrugSnap> DrugLexicon::snap(const std::string& text) const {
  const std::u32string t = toU32(text);
  if (t.empty()) return std::nullopt;
  int best = 1 << 30, second = 1 << 30;
  std::size_t bestEntry = 0, bestLen = 0;
  for (const auto& [name, entry] : names_) {
    // A cheap bound first: the length difference is a lower bound on the distance.
    const int lengthGap = std::abs(static_cast<int>(name.size()) - static_cast<int>(t.size()));
    if (lengthGap > second) continue;
    const int d = editDistance(t, name);
    if (entry == bestEntry && best < (1 << 30)) {
      if (d < best || (d == best && name.size() > bestLen)) {  // another name of the same drug
        best = d;
        bestLen = name.size();
      }
    } else if (d < best || (d == best && name.size() > bestLen)) {
      second = best;
      best = d;
      bestEntry = entry;
      bestLen = name.size();
    } else if (d < second) {
      second = d;
    }
  }
  // Up to 40% of the characters may differ (the model cannot emit some of them at all), but only
  // when one drug is clearly nearest; of two drugs as near, one is taken only when the model is
  // known to misread the other's characters as what was read far less often (likeliestMisread).
  const int allowed = allowedMisreadings(std::max(t.size(), bestLen));
  if (best > allowed) return nearByMisreadings(t);
  if (best > 0 && second <= best) {
    const auto likeliest = likeliestMisread(t, best);
    if (!likeliest) return std::nullopt;
    return DrugSnap{&entries_[*likeliest], best, true};
  }
  return DrugSnap{&entries_[bestEntry], best};
}

std::optional<std::size_t> DrugLexicon::likeliestMisread(const std::u32string& read,
                                                         int distance) const {
  // Judged only on names as long as what was read, `distance` characters of it read otherwise in
  // place: which character was read for which is then certain (with one lost or read twice, the
  // alignment would be a guess), and the name is within 40% of what was read on its own. A drug
  // as near by a name that cannot be so judged leaves the choice to the pharmacist, and so does a
  // special-management drug as near (a narcotic, a psychotropic): its name is never chosen, nor
  // chosen away from, on how the model misreads.
  const int allowed = allowedMisreadings(read.size());
  std::map<std::size_t, int> seen;  // entry -> times its misreadings were seen, at best
  for (const auto& [name, entry] : names_) {
    if (editDistance(read, name) != distance) continue;
    if (name.size() != read.size() || distance > allowed) return std::nullopt;
    const Misreading m = misreading(read, name);
    if (m.misread != distance) return std::nullopt;
    if (isSpecialManagementClass(entries_[entry].drugClass)) return std::nullopt;
    seen[entry] = std::max(seen[entry], m.times);
  }
  std::optional<std::size_t> best;
  int bestTimes = 0, secondTimes = 0;
  for (const auto& [entry, times] : seen) {
    if (times > bestTimes) {
      secondTimes = bestTimes;
      bestTimes = times;
      best = entry;
    } else {
      secondTimes = std::max(secondTimes, times);
    }
  }
  // Seen more than once, and more than twice as often as for any other: a confusion the table saw
  // once is no ground to choose a drug.
  if (bestTimes < 2 || bestTimes <= 2 * secondTimes) return std::nullopt;
  return best;
}

DrugLexicon::Misreading DrugLexicon::misreading(const std::u32string& read,
                                                const std::u32string& name) const {
  Misreading m;
  for (std::size_t i = 0; i < read.size() && i < name.size(); ++i) {
    if (read[i] == name[i]) continue;
    ++m.misread;
    const auto it = confusions_.find({read[i], name[i]});
    if (it != confusions_.end()) m.times += it->second;
    const bool known = it != confusions_.end() && it->second >= 2;
    m.unknown += !known;
    m.cost += known ? 1 : 2;
  }
  return m;
}

std::optional<DrugSnap> DrugLexicon::nearByMisreadings(const std::u32string& read) const {
  // A name as long as what was read, further than 40% from it, whose characters read otherwise
  // are mostly ones the model is known to misread so (seen twice or more): such a misreading
  // counts half a character (misreading()), and the name is within the 40% so. Only for names of
  // four characters or more; one character beyond the 40% at most, and of the characters read
  // otherwise at most half the 40% not known misreadings. Refused when another drug comes as
  // near: by names as long, within one character more (a special-management drug's, within one
  // character more too); by names of another length, whose characters cannot be compared in
  // place, fewer edits away (a special-management drug's, as few). Nor is a special-management
  // drug ever so chosen.
  const std::size_t n = read.size();
  if (n < 4) return std::nullopt;
  const int allowed = allowedMisreadings(n);
  constexpr int kUnset = 1 << 30;
  std::map<std::size_t, int> costs;  // entry -> its names' lowest cost
  int best = kUnset;
  std::size_t bestEntry = 0;
  Misreading chosen;
  for (const auto& [name, entry] : names_) {
    if (name.size() != n) continue;
    const Misreading m = misreading(read, name);
    const auto [it, fresh] = costs.emplace(entry, m.cost);
    if (!fresh) it->second = std::min(it->second, m.cost);
    if (m.cost < best) {
      best = m.cost;
      bestEntry = entry;
      chosen = m;
    }
  }
  if (best == kUnset || best > 2 * allowed || chosen.misread > allowed + 1 ||
      chosen.unknown > allowed / 2 || isSpecialManagementClass(entries_[bestEntry].drugClass))
    return std::nullopt;
  for (const auto& [entry, cost] : costs) {
    if (entry == bestEntry) continue;
    if (cost < best + 2 ||
        (cost == best + 2 && isSpecialManagementClass(entries_[entry].drugClass)))
      return std::nullopt;
  }
  // No drug is fewer edits away than the characters the chosen one has read otherwise: snap()
  // asks only when none is within the 40%, and those are one more at most. A special-management
  // drug of another length as few edits away refuses.
  for (const auto& [name, entry] : names_) {
    if (name.size() == n || !isSpecialManagementClass(entries_[entry].drugClass)) continue;
    if (editDistance(read, name) <= chosen.misread) return std::nullopt;
  }
  DrugSnap snap{&entries_[bestEntry], chosen.misread, true};
  snap.furtherThanAllowed = true;
  return snap;
}

const DrugEntry* DrugLexicon::find(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return &e;
  for (const auto& e : entries_)
    if (std::find(e.otherNames.begin(), e.otherNames.end(), name) != e.otherNames.end()) return &e;
  return nullptr;
}

std::string defaultCataloguePath() {
  if (const char* env = std::getenv("RXDESK_CATALOGUE")) return env;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path().parent_path() / "share" / "rxdesk" / "drugs.tsv";
    if (std::filesystem::exists(installed)) return installed.string();
  }
  return "/usr/share/rxdesk/drugs.tsv";
}

}  // namespace rx::ocr
