// Reuse decided from the fields and the page image together (docs/reuse.md, "Which signal
// decides"): the fields' rules (reuse.h) run first; then the earlier pages found by the page index,
// and those the fields matched, are compared with this page (page_match.h).
//   - The same written page (the earlier page's ink in place) is a suspected reuse even when no
//     field was read; a certain verdict of the fields stays certain. Not when the two numbers
//     differ and either the dates differ too or both numbers are taken as read (signed, or read
//     by OCR with confidence): the fields decide then. The ink comparison sees where writing is,
//     not which digit it is, so a repeat whose number alone changed looks like the same page.
//   - Writing mostly found in place (PageEvidence::mostlyFound), whatever the different cells
//     side by side, is a suspected reuse when the number was not read on one of the two and the
//     date and patient read the same and half the drugs or more: a crumpled sheet whose folds
//     left words unlike, its hospital and a drug misread.
//   - Registered on the same form but with different writing in many places vetoes a suspicion
//     the fields raised without the same number (a same-visit pair's patient and date, a misread
//     number's ink): the picture shows another prescription.
//   - Writing mostly other than the earlier page's overrules the same number when OCR read it on
//     both papers (`NumberReadings::bothByOcr`): the next number of a visit misread by one digit.
//     A signed number (an e-prescription or its QR) is never overruled.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "dedup/page_match.h"
#include "dedup/reuse.h"

namespace rx::dedup {

inline constexpr std::size_t kPageCandidates = 24;  // asked of the page index per lookup
inline constexpr std::size_t kInkComparisons = 8;   // registered pages beyond the field matches
                                                    // whose ink is compared, per stage
// The index's candidates looked at when the query's number was not read and no page compared in
// ink among the first kPageCandidates is the same written page (findWithPages).
inline constexpr std::size_t kDeeperCandidates = 64;

// The straightened grey page of an earlier record (empty if not kept).
using EarlierPageLoader = std::function<cv::Mat(std::int64_t record)>;

struct PageLookup {
  std::size_t candidates = 0;  // from the page index
  std::size_t registered = 0;  // with a homography
  std::size_t inkCompared = 0;
  bool deeper = false;  // the index's candidates beyond kPageCandidates were looked at too
  // Each compared record's evidence (to draw the matched points), strongest first.
  std::vector<std::pair<std::int64_t, PageEvidence>> evidence;
};

// How the two numbers `c.signals.number` compares were obtained.
struct NumberReadings {
  // OCR read both (either may be misread).
  bool bothByOcr = false;
  // Neither is an unsure OCR reading: each is signed, or read by OCR with confidence.
  bool bothTakenAsRead = false;
  static NumberReadings of(const Fingerprint& query, const Fingerprint& earlier);
};

// The page index's candidates that a lookup registers, for a query page's `voteFeatures`
// (QueryFeatures::vote): of the index's `depth` best, those with at least a quarter of the best's
// votes, most votes first. `asked`: how many the index named.
std::vector<PageIndex::Candidate> candidatesToRegister(const PageIndex& pages,
                                                       const PageFeatures& voteFeatures,
                                                       std::size_t* asked = nullptr,
                                                       std::size_t depth = kPageCandidates);

// Returns `c` with the page signal filled in and the verdict changed as the header says.
Comparison withPage(Comparison c, const PageEvidence& e, NumberReadings numbers = {});

// The earlier presentations `fp` (with page `page` and its features `query`, queryFeatures(page))
// may be a reuse of, strongest first: ReuseIndex::find's, combined with the page evidence. The
// page index votes with `query.vote` (with `query.kept` when that is empty), registration pairs
// `query.kept`. The field matches and the index's first kPageCandidates are registered, and the
// field matches and up to kInkComparisons others compared in ink; when the query's number was not
// read (unknown) and no page compared is the same written page, the index's candidates ranked
// after those, up to kDeeperCandidates, are registered too and up to kInkComparisons of them
// compared in ink. `exclude`: the record itself.
std::vector<ReuseMatch> findWithPages(const ReuseIndex& fields, const PageIndex& pages,
                                      const Fingerprint& fp, const QueryFeatures& query,
                                      const cv::Mat& page, const EarlierPageLoader& earlierPage,
                                      std::optional<std::int64_t> exclude = {},
                                      PageLookup* lookup = nullptr);

}  // namespace rx::dedup
