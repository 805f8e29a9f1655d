// Re-photo matching without OCR: the same piece of paper is the same picture.
//
// Three steps. (1) Local features of the straightened page (ORB keypoints with their 256-bit
// descriptors; derived data, kept encrypted in the store) are indexed by keys of their bits, so the
// earlier pages worth a look are found by votes without comparing against every stored page;
// keys that many stored pages share (the printed form, common characters) weigh little and the
// commonest are skipped, like a stop list learned from the store. (2) The few candidates are
// registered to the query by a RANSAC homography of matched features. (3) The printed form would
// register two prescriptions of one hospital as well, so registration alone decides nothing: the
// ink of the earlier page is looked up in place on the query, cell by cell (32 px, about one
// character). The same paper has every earlier ink cell present on the query (marks added later
// only add ink; cells cut off by the frame or hidden by a thumb are "unseen", not different);
// another prescription on the same form — a monthly repeat with its new number and date, a
// second prescription of the same visit with other drugs — has cells where the query holds
// different ink. Those "conflicts" decide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"
#include "dedup/fingerprint.h"

namespace rx::dedup {

inline constexpr int kPageFeatureCount = 500;
// A query page's features for the page index's vote (PageIndex::candidates): twice as many as a
// page keeps. Another photo of the paper keeps other features among its strongest 500 (a photo's
// blur and noise reorder their responses), so a stored feature finds its like in the query's
// 1,000 more often than in its 500; registration still pairs the 500.
inline constexpr int kVoteFeatureCount = 1000;

// Keypoints of a straightened page (page pixels) and their ORB descriptors.
struct PageFeatures {
  int width = 0, height = 0;
  std::vector<cv::Point2f> points;
  std::vector<Hash256> descriptors;

  bool empty() const { return points.empty(); }
  // Compact binary form for the store (about 36 bytes a feature); parse() reads it back.
  std::vector<std::uint8_t> serialize() const;
  static Result<PageFeatures> parse(const std::vector<std::uint8_t>& bytes);
};

// Up to `maxFeatures` ORB features of a grey page, spread over the page (strongest per grid cell)
// so dense bold print (the hospital's name) does not take them all. Empty page: no features.
PageFeatures pageFeatures(const cv::Mat& pageGray, int maxFeatures = kPageFeatureCount);

// A page's features as a lookup takes them: those a page keeps (kPageFeatureCount: stored, and
// paired by registration) and those the page index's vote takes (kVoteFeatureCount), each
// pageFeatures' own, found on two threads (each pass takes ~30 ms, most of it finding keypoints).
struct QueryFeatures {
  PageFeatures kept, vote;
};
QueryFeatures queryFeatures(const cv::Mat& pageGray);

// How an earlier page looks on a query page.
struct PageEvidence {
  bool registered = false;  // a consistent homography was found
  int inliers = 0;          // features agreeing with it
  cv::Matx33d earlierToQuery = cv::Matx33d::eye();
  // Ink cells of the earlier page: found in place on the query, different ink in their place,
  // and neither (outside the query's frame, hidden, faded).
  int confirmed = 0, conflicts = 0, unseen = 0;
  int clustered = 0;  // conflicting cells beside another on the same line (changed words)
  // Matched feature positions (earlier page, query page), to draw.
  std::vector<std::pair<cv::Point2f, cv::Point2f>> pairs;
  // Earlier-page rectangles of conflicting cells (to draw).
  std::vector<cv::Rect> conflictCells;

  // Returns true iff the query shows the same written page: registered, enough ink cells
  // confirmed across the page, and no more conflicts than photo noise gives.
  bool samePaper() const;
  // Returns true iff the earlier page's writing is mostly found in place, however many of the few
  // conflicts lie side by side: samePaper() without its limit on changed words, which a crumpled
  // sheet's folds can exceed.
  bool mostlyFound() const;
  // Returns true iff the query is registered on the earlier page (same form) and holds different
  // writing in many places: another prescription, whatever the fields read.
  bool otherWriting() const;
  // Returns true iff the writing is mostly other than the earlier page's: registered with enough
  // of the form found in place, and more of the earlier page's ink cells different than found.
  bool mostlyOtherWriting() const;
};

// Registers `earlier` on `query` (features only; no image needed). nullopt when no homography
// with enough inliers is found.
std::optional<PageEvidence> registerPages(const PageFeatures& query, const PageFeatures& earlier);

// registerPages of `query` with each of `earlier` (null or empty: nullopt), in the same order,
// half of them on a second thread.
std::vector<std::optional<PageEvidence>> registerAll(
    const PageFeatures& query, const std::vector<const PageFeatures*>& earlier);

// Completes `evidence` (from registerPages) with the ink comparison of the two grey pages.
void compareInk(const cv::Mat& queryPage, const cv::Mat& earlierPage, PageEvidence& evidence);

// Feature index: in each of four tables a descriptor's key is 16 bits, each the majority of three
// of its tests (a photo's noise changes such a bit about half as often as one test). A stored
// feature votes for its page only where it lies near a query feature of the same key and 24 sampled
// bits of the two descriptors (the table's signature) are alike (both pages are straightened and
// upright, so the same paper has its features in about the same place; a key shared by chance
// with other writing, or with a character of the printed form elsewhere on the page, adds
// nothing).
class PageIndex {
 public:
  struct Candidate {
    std::int64_t record;
    double votes;
    bool operator==(const Candidate&) const = default;
  };
  // Where a stored feature votes: within kNear cells of a kGrid x kGrid grid over the page (about
  // a tenth of the page each way) of a query feature of the same key, with at most
  // kSignatureDistance of the 24 signature bits different (a photo's noise flips 15-30% of a
  // descriptor's bits; two unrelated descriptors differ in half, and pass 3% of the time).
  static constexpr int kGrid = 32, kNear = 3, kSignatureDistance = 7;
  // A key's vote also says how far the stored feature lies from the query's (in cells, within
  // kNear each way). The same paper photographed again has its features shifted alike (by the
  // difference of the two outlines), a page that shares keys by chance has them shifted every
  // way: of the kPool pages with most votes, a page counts only the votes whose shifts lie
  // within kAlong cells of one shift (weak geometric consistency, Jegou et al., 2008).
  static constexpr int kAlong = 1;
  static constexpr std::size_t kPool = 1000;

  // Adds a page; adding a record again replaces it.
  void add(std::int64_t record, PageFeatures features);
  std::size_t size() const { return slotOf_.size(); }  // records held
  // The stored features of `record`, or null.
  const PageFeatures* features(std::int64_t record) const;

  // The `max` stored pages with most weighted key votes from `query` whose shifts agree (at least
  // `minVotes` of them, and at least one), most first. A key weighs the squared inverse of how
  // many stored features carry it; keys carried by more features than a twentieth of the pages
  // (at least 32) are not counted. Only the kPool pages with most votes of any shift are looked
  // at: a page beyond them is not a candidate, whatever its shifts. The four tables vote two on
  // each of two threads.
  std::vector<Candidate> candidates(const PageFeatures& query, std::size_t max = 8,
                                    double minVotes = 3) const;
  // The same answer computed by scanning every stored descriptor (the baseline).
  std::vector<Candidate> scanCandidates(const PageFeatures& query, std::size_t max = 8,
                                        double minVotes = 3) const;
  std::size_t memoryBytes() const;

 private:
  static constexpr int kTables = 4;
  static constexpr int kKeyBits = 16;
  // A stored feature in a bucket: its page's slot, its cell, its signature.
  using Entry = std::uint64_t;
  static constexpr int kSlotBits = 30, kCellBits = 10, kSignatureBits = 24;
  struct QueryFeature {
    std::uint16_t key, cell;
    std::uint32_t signature;
    auto operator<=>(const QueryFeature&) const = default;
  };
  static std::uint16_t key(const Hash256& d, int table);
  static std::uint32_t signature(const Hash256& d, int table);
  static std::uint16_t cell(const PageFeatures& page, std::size_t feature);
  static bool near(std::uint16_t a, std::uint16_t b);
  static bool alike(std::uint32_t a, std::uint32_t b);
  // A page's features by key in `table`.
  static std::vector<QueryFeature> byKey(const PageFeatures& page, int table);
  std::int64_t weight(std::size_t bucketSize) const;  // thousandths
  // A page's vote for a key: its slot, the shift of its stored feature from the query's, the
  // key's weight. Of a page's pairs for the key, the shift taken is the least (|dx| + |dy|, then
  // the code): a pair at no shift wins over the others.
  struct Vote {
    std::uint32_t slot;
    std::uint8_t shift;   // (dy + kNear) * kShifts + dx + kNear
    std::int32_t weight;  // thousandths, as weight() gives it (at most ~441,000 at 10^9 pages)
  };
  static constexpr int kShifts = 2 * kNear + 1;
  static_assert(kShifts * kShifts <= 256, "a shift is coded in a byte");
  static std::uint8_t shift(std::uint16_t stored, std::uint16_t query);
  // Keeps in `least` (-1: none yet) the lesser of it and `shift`.
  static void keepLeast(std::uint8_t shift, int& least);
  // Of the kPool pages with most votes, the votes of shifts within kAlong of one shift; the
  // `max` pages with most (at least `minVotes`).
  std::vector<Candidate> top(const std::vector<Vote>& votes, std::size_t max,
                             double minVotes) const;
  // Appends to `votes` those of table `t`'s postings for the query's features.
  void vote(const PageFeatures& query, int t, std::vector<Vote>& votes) const;

  std::vector<std::int64_t> records_;  // slot -> record (-1: replaced)
  std::vector<PageFeatures> pages_;
  std::unordered_map<std::int64_t, std::uint32_t> slotOf_;  // record -> its current slot
  std::vector<std::vector<Entry>> buckets_[kTables];        // key -> features (a page's together)
};

}  // namespace rx::dedup
