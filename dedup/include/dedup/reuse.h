// The reuse decision: compares a presentation's fingerprint with the earlier ones and says `new`,
// `reuse-suspected` or `reuse-certain`, with every signal's value so the pharmacist can see why.
//
// Content decides, not the look of the page: a monthly repeat (same patient, drugs and form; new
// number and date) and another prescription on the same hospital form must stay `new`, while a
// re-photo of the same paper must be caught even when OCR misreads a character of the number.
// "Same patient" below also holds when OCR read the names differently but their ink is alike.
// The rules (compare()) in order:
//   certain    same number (and issuer not different) with the same date or the same patient;
//   suspected  same number otherwise, unless issuer, date and patient all differ;
//              number one character off, same date, drugs not disjoint, and the patient, the
//              drugs or the number's ink agreeing;
//              number read differently, same date, the number's ink alike (a misread number on
//              the same paper), drugs not disjoint, and the patient or the drugs the same;
//              number unreadable, same issuer, date and patient;
//              number unreadable, same date, patient and drugs (the issuer misread);
//              number read differently by OCR (one of the two unsure), issuer not different, same
//              date, the patient's name read the same, a drug read on both;
//              the ink alike in 3 of the 4 regions (all 4 if the dates differ), drugs not disjoint.
// ReuseIndex finds the earlier fingerprints worth comparing (same number or one character off,
// same patient, same date, whole ink hash close) without scanning them all.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dedup/fingerprint.h"
#include "dedup/hamming_index.h"

namespace rx::dedup {

enum class Verdict { kNew, kSuspected, kCertain };
std::string_view verdictName(Verdict v);  // new | reuse-suspected | reuse-certain

enum class Agreement { kUnknown, kSame, kNear, kDiffer };
std::string_view agreementName(Agreement a);  // unknown | same | near | differ

struct Signals {
  Agreement number = Agreement::kUnknown;
  Agreement issuer = Agreement::kUnknown;
  Agreement date = Agreement::kUnknown;
  Agreement patient = Agreement::kUnknown;
  double drugs = -1;  // Jaccard similarity of the drug sets; -1 unknown
  int text = -1;      // Hamming distance of the text fingerprints (of 256); -1 unknown
  std::array<int, kInkRegions> ink{-1, -1, -1, -1};  // per region (of 64); -1 unknown
  // The page image (dedup/page_match.h): whether the pages were compared, and what was found.
  struct Page {
    bool compared = false;      // the earlier page was registered on this one
    int features = 0;           // matched features agreeing with the registration
    int inkFound = 0;           // ink cells of the earlier page found in place
    int inkDifferent = 0;       // cells holding different writing
    int inkUnseen = 0;          // cells cut off, hidden or faded
    bool samePaper = false;     // the same written page
    bool otherWriting = false;  // same form, different writing
  } page;
};

// The thresholds, measured on the generated corpus (docs/reuse.md says how).
struct ReuseThresholds {
  int inkClose = 14;   // of 64 bits: the same ink
  int inkSearch = 23;  // of 256 bits: whole-ink radius searched in the index
};

struct Comparison {
  Verdict verdict = Verdict::kNew;
  double score = 0;  // 0..1, how alike; ranks the matches
  Signals signals;
  std::string rule;  // the rule that fired, in words; empty for new
};

Comparison compare(const Fingerprint& query, const Fingerprint& earlier,
                   const ReuseThresholds& t = {});

struct ReuseMatch {
  std::int64_t record = 0;
  Comparison comparison;
};

class ReuseIndex {
 public:
  explicit ReuseIndex(ReuseThresholds t = {}) : thresholds_(t) {}

  // Adds a presentation; adding a record again replaces its fingerprint.
  void add(std::int64_t record, const Fingerprint& fp);
  // Around loading many fingerprints at once: the ink index is built once at the end.
  void beginBulkLoad(std::size_t expected);
  void endBulkLoad() { ink_.deferIndexing(false); }
  std::size_t size() const { return latest_.size(); }
  // The current fingerprint of `record`, or null.
  const Fingerprint* fingerprint(std::int64_t record) const;

  // Earlier presentations that `fp` may be a reuse of (suspected or certain), strongest first;
  // `exclude` (the record itself) is left out. Also returns how many were compared.
  std::vector<ReuseMatch> find(const Fingerprint& fp, std::optional<std::int64_t> exclude = {},
                               std::size_t* compared = nullptr) const;

  const ReuseThresholds& thresholds() const { return thresholds_; }

 private:
  ReuseThresholds thresholds_;
  std::vector<std::pair<std::int64_t, Fingerprint>> records_;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> byNumber_, byPatient_, byDate_;
  std::unordered_map<std::int64_t, std::uint32_t> latest_;  // record -> its current entry
  HammingIndex ink_;
};

// The verdict of a list of matches: the strongest one's, or new.
Verdict overallVerdict(const std::vector<ReuseMatch>& matches);

}  // namespace rx::dedup
