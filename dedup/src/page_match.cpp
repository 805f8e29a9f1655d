#include "dedup/page_match.h"

#include <algorithm>
#include <array>
#include <bit>
#include <bitset>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>

#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include "dedup/descriptor_distances.h"
#include "ocr/page.h"
#include "popcount.h"
#include "two_threads.h"

namespace rx::dedup {

namespace {

constexpr std::uint8_t kMagic[4] = {'P', 'F', '1', 0};

void putU16(std::vector<std::uint8_t>& out, int v) {
  const auto u = static_cast<std::uint16_t>(std::clamp(v, 0, 65535));
  out.push_back(static_cast<std::uint8_t>(u & 0xFF));
  out.push_back(static_cast<std::uint8_t>(u >> 8));
}

int getU16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }

// Grid used to spread the features: strongest kept per cell.
constexpr int kGridCols = 6, kGridRows = 8;

}  // namespace

std::vector<std::uint8_t> PageFeatures::serialize() const {
  std::vector<std::uint8_t> out(kMagic, kMagic + 4);
  putU16(out, width);
  putU16(out, height);
  putU16(out, static_cast<int>(points.size()));
  for (std::size_t i = 0; i < points.size(); ++i) {
    // Positions in eighths of a pixel: 8191 px is more than any page.
    putU16(out, static_cast<int>(std::lround(points[i].x * 8)));
    putU16(out, static_cast<int>(std::lround(points[i].y * 8)));
    for (std::uint64_t w : descriptors[i])
      for (int b = 0; b < 8; ++b) out.push_back(static_cast<std::uint8_t>(w >> (8 * b)));
  }
  return out;
}

Result<PageFeatures> PageFeatures::parse(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 4) != 0)
    return Status(ErrorCode::kCorrupt, "page features: not in the PF1 format");
  PageFeatures f;
  f.width = getU16(&bytes[4]);
  f.height = getU16(&bytes[6]);
  const std::size_t n = static_cast<std::size_t>(getU16(&bytes[8]));
  if (bytes.size() != 10 + n * 36)
    return Status(ErrorCode::kCorrupt, "page features: " + std::to_string(bytes.size()) +
                                           " bytes for " + std::to_string(n) + " features");
  f.points.reserve(n);
  f.descriptors.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &bytes[10 + i * 36];
    f.points.emplace_back(static_cast<float>(getU16(p)) / 8, static_cast<float>(getU16(p + 2)) / 8);
    Hash256 d{};
    for (int w = 0; w < 4; ++w)
      for (int b = 0; b < 8; ++b) d[w] |= static_cast<std::uint64_t>(p[4 + w * 8 + b]) << (8 * b);
    f.descriptors.push_back(d);
  }
  return f;
}

PageFeatures pageFeatures(const cv::Mat& pageGray, int maxFeatures) {
  PageFeatures f;
  if (pageGray.empty()) return f;
  cv::Mat gray = pageGray;
  if (gray.channels() != 1) cv::cvtColor(pageGray, gray, cv::COLOR_BGR2GRAY);
  f.width = gray.cols;
  f.height = gray.rows;
  auto orb = cv::ORB::create(maxFeatures * 4, 1.3f, 5, 19, 0, 2, cv::ORB::HARRIS_SCORE, 19, 12);
  std::vector<cv::KeyPoint> all;
  orb->detect(gray, all);
  // Strongest per grid cell, so every part of the page has its share.
  const int cells = kGridCols * kGridRows;
  const std::size_t perCell = static_cast<std::size_t>(std::max(1, maxFeatures / cells));
  std::vector<std::vector<cv::KeyPoint>> grid(cells);
  for (const auto& k : all) {
    const int gx = std::clamp(static_cast<int>(k.pt.x * kGridCols / gray.cols), 0, kGridCols - 1);
    const int gy = std::clamp(static_cast<int>(k.pt.y * kGridRows / gray.rows), 0, kGridRows - 1);
    grid[gy * kGridCols + gx].push_back(k);
  }
  std::vector<cv::KeyPoint> kept, spare;
  for (auto& g : grid) {
    std::sort(g.begin(), g.end(),
              [](const cv::KeyPoint& a, const cv::KeyPoint& b) { return a.response > b.response; });
    for (std::size_t i = 0; i < g.size(); ++i) (i < perCell ? kept : spare).push_back(g[i]);
  }
  // Cells without ink leave room: fill it with the strongest of the rest.
  std::sort(spare.begin(), spare.end(),
            [](const cv::KeyPoint& a, const cv::KeyPoint& b) { return a.response > b.response; });
  for (std::size_t i = 0; i < spare.size() && kept.size() < static_cast<std::size_t>(maxFeatures);
       ++i)
    kept.push_back(spare[i]);
  cv::Mat desc;
  orb->compute(gray, kept, desc);
  for (int i = 0; i < desc.rows; ++i) {
    Hash256 d{};
    std::memcpy(d.data(), desc.ptr<std::uint8_t>(i), 32);
    f.points.push_back(kept[static_cast<std::size_t>(i)].pt);
    f.descriptors.push_back(d);
  }
  return f;
}

QueryFeatures queryFeatures(const cv::Mat& pageGray) {
  QueryFeatures q;
  onTwoThreads(2, [&](std::size_t k) {
    if (k == 0)
      q.kept = pageFeatures(pageGray, kPageFeatureCount);
    else
      q.vote = pageFeatures(pageGray, kVoteFeatureCount);
  });
  return q;
}

// --- registration ---------------------------------------------------------------------------

namespace {

constexpr int kMatchDistance = 64;      // of 256 bits: a descriptor seen again
constexpr double kRatio = 0.85;         // best against second best, against repeated characters
constexpr int kMinInliers = 16;         // a homography worth checking the ink for
constexpr double kReprojection = 6;     // px on the query page
constexpr int kGuidedDistance = 80;     // of 256 bits, for a feature found where it should be
constexpr float kGuidedRadius = 16;     // px on the query page
constexpr int kGuidedPasses = 3;        // at most; each pass must find more inliers than the last
constexpr int kRobust = cv::USAC_FAST;  // the homographies' robust estimator

// The query's features by square cells at least a little wider than the guided radius, so that
// a predicted point looks at the features of the nine cells around it instead of at every
// feature (a registration spent half its time measuring distances to features hundreds of pixels
// away). A feature within the radius is always in one of the nine: a cell is at least one pixel
// wider than the radius, more than a float's rounding of a page's distances (the features are
// ORB's or PageFeatures::parse's: finite, under 8192 px). The nine cells are three runs of the
// features in cell order, one per row of cells; the loop over them stays in the caller, which is
// built with POPCNT.
class NearbyFeatures {
 public:
  struct Run {
    const int* from = nullptr;  // feature numbers, cell after cell, ascending within a cell
    const int* to = nullptr;
  };

  NearbyFeatures(const std::vector<cv::Point2f>& points, float radius) {
    if (points.empty()) return;
    lo_ = hi_ = points.front();
    for (const auto& p : points) {
      lo_.x = std::min(lo_.x, p.x);
      lo_.y = std::min(lo_.y, p.y);
      hi_.x = std::max(hi_.x, p.x);
      hi_.y = std::max(hi_.y, p.y);
    }
    // At most kMostCells cells a side, whatever the points' spread.
    cell_ = std::max(radius + 1, std::max(hi_.x - lo_.x, hi_.y - lo_.y) / (kMostCells - 1));
    cols_ = cellOf(hi_.x - lo_.x) + 1;
    rows_ = cellOf(hi_.y - lo_.y) + 1;
    start_.assign(static_cast<std::size_t>(cols_) * rows_ + 1, 0);
    std::vector<int> cellOfFeature(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      cellOfFeature[i] = cellOf(points[i].y - lo_.y) * cols_ + cellOf(points[i].x - lo_.x);
      ++start_[static_cast<std::size_t>(cellOfFeature[i]) + 1];
    }
    std::partial_sum(start_.begin(), start_.end(), start_.begin());
    inCellOrder_.resize(points.size());
    std::vector<int> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < points.size(); ++i)
      inCellOrder_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cellOfFeature[i])]++)] =
          static_cast<int>(i);
  }

  // The runs of features that may lie within the radius of p (with some that do not); how many
  // runs there are. A p that is not a number gets every feature: the old loop over every feature
  // let a NaN distance through its radius test.
  int near(cv::Point2f p, std::array<Run, 3>& runs) const {
    if (inCellOrder_.empty()) return 0;
    if (std::isnan(p.x) || std::isnan(p.y)) {
      runs[0] = {inCellOrder_.data(), inCellOrder_.data() + inCellOrder_.size()};
      return 1;
    }
    if (p.x < lo_.x - cell_ || p.y < lo_.y - cell_ || p.x > hi_.x + cell_ || p.y > hi_.y + cell_)
      return 0;
    // Offsets of at least zero here, so the conversions round down.
    const int cx = cellOf(p.x - lo_.x + cell_) - 1, cy = cellOf(p.y - lo_.y + cell_) - 1;
    const int x0 = std::max(0, cx - 1), x1 = std::min(cols_ - 1, cx + 1);
    int n = 0;
    for (int y = std::max(0, cy - 1); y <= std::min(rows_ - 1, cy + 1) && x0 <= x1; ++y) {
      const auto row = static_cast<std::size_t>(y * cols_);
      runs[static_cast<std::size_t>(n++)] = {inCellOrder_.data() + start_[row + x0],
                                             inCellOrder_.data() + start_[row + x1 + 1]};
    }
    return n;
  }

 private:
  static constexpr float kMostCells = 128;

  int cellOf(float offset) const { return static_cast<int>(offset / cell_); }

  float cell_ = 1;
  cv::Point2f lo_, hi_;
  int cols_ = 0, rows_ = 0;
  // The features of cell c: inCellOrder_[start_[c]] up to before inCellOrder_[start_[c + 1]],
  // cells row by row.
  std::vector<int> start_, inCellOrder_;
};

}  // namespace

RX_POPCNT_CLONES std::optional<PageEvidence> registerPages(const PageFeatures& query,
                                                           const PageFeatures& earlier) {
  if (query.points.size() < 8 || earlier.points.size() < 8) return std::nullopt;
  std::vector<cv::Point2f> from, to;
  // Each earlier feature's nearest query feature (the query's descriptors word by word, several
  // counted at once), paired when near enough and clearly nearer than the next (of equally near
  // ones, the first).
  const DescriptorSet queryDescriptors(query.descriptors);
  for (std::size_t j = 0; j < earlier.descriptors.size(); ++j) {
    const Nearest n = queryDescriptors.nearest(earlier.descriptors[j]);
    if (n.distance <= kMatchDistance && n.distance < kRatio * n.second) {
      from.push_back(earlier.points[j]);
      to.push_back(query.points[n.at]);
    }
  }
  if (static_cast<int>(from.size()) < kMinInliers) return std::nullopt;
  std::vector<std::uint8_t> mask;
  // OpenCV's USAC (a bad model given up on after a few points, a final least-squares polish)
  // rather than its plain RANSAC: the same pages register with as many inliers, a wrong page is
  // given up on sooner (a quarter of the time a registration took), and a crumpled sheet gets
  // homographies its ink is found with more often (docs/reuse.md).
  cv::Mat H = cv::findHomography(from, to, kRobust, kReprojection, mask, 500, 0.99);
  if (H.empty()) return std::nullopt;
  // Guided matching: with the first homography, every earlier feature is looked for near where it
  // should be (no ratio test: a repeated character is told apart by its place), which spreads the
  // matches over the page and makes the second homography hold away from where the first matches
  // clustered (a QR code, the header). Repeated while it finds more: a page whose writing is
  // mostly at the top gets a homography that is a few pixels off at the bottom after one pass,
  // enough to take the doctor's line of the same paper for other writing.
  int inliers = 0;
  for (auto m : mask) inliers += m ? 1 : 0;
  const NearbyFeatures nearby(query.points, kGuidedRadius);
  for (int pass = 0; pass < kGuidedPasses; ++pass) {
    std::vector<cv::Point2f> predicted;
    cv::perspectiveTransform(earlier.points, predicted, H);
    std::vector<cv::Point2f> gFrom, gTo;
    for (std::size_t j = 0; j < earlier.points.size(); ++j) {
      int best = kGuidedDistance + 1;
      std::size_t bestAt = 0;
      // The nearest in bits; of equally near ones, the first feature (the runs are in cell
      // order, not in the features' order).
      std::array<NearbyFeatures::Run, 3> runs;
      const int n = nearby.near(predicted[j], runs);
      for (int r = 0; r < n; ++r)
        for (const int* k = runs[static_cast<std::size_t>(r)].from;
             k != runs[static_cast<std::size_t>(r)].to; ++k) {
          const auto i = static_cast<std::size_t>(*k);
          const cv::Point2f d = query.points[i] - predicted[j];
          if (d.x * d.x + d.y * d.y > kGuidedRadius * kGuidedRadius) continue;
          const int h = hammingDistance(earlier.descriptors[j], query.descriptors[i]);
          if (h < best || (h == best && i < bestAt)) {
            best = h;
            bestAt = i;
          }
        }
      if (best <= kGuidedDistance) {
        gFrom.push_back(earlier.points[j]);
        gTo.push_back(query.points[bestAt]);
      }
    }
    // Estimated from at most a few matches per part of the page, so a dense patch (a QR code)
    // does not decide the whole page's homography; then every match is checked against it.
    std::vector<int> perCell(kGridCols * kGridRows, 0);
    std::vector<cv::Point2f> eFrom, eTo;
    for (std::size_t k = 0; k < gFrom.size(); ++k) {
      const int gx =
          std::clamp(static_cast<int>(gFrom[k].x * kGridCols / earlier.width), 0, kGridCols - 1);
      const int gy =
          std::clamp(static_cast<int>(gFrom[k].y * kGridRows / earlier.height), 0, kGridRows - 1);
      if (perCell[gy * kGridCols + gx]++ < 4) {
        eFrom.push_back(gFrom[k]);
        eTo.push_back(gTo[k]);
      }
    }
    if (eFrom.size() < 8) break;
    cv::Mat G = cv::findHomography(eFrom, eTo, kRobust, kReprojection, cv::noArray(), 500, 0.99);
    if (G.empty()) break;
    std::vector<cv::Point2f> back;
    cv::perspectiveTransform(gFrom, back, G);
    std::vector<std::uint8_t> gMask(gFrom.size(), 0);
    int n = 0;
    for (std::size_t k = 0; k < gFrom.size(); ++k)
      if (cv::norm(back[k] - gTo[k]) <= kReprojection) {
        gMask[k] = 1;
        ++n;
      }
    if (n <= inliers) break;
    H = G;
    inliers = n;
    from = std::move(gFrom);
    to = std::move(gTo);
    mask = std::move(gMask);
  }
  PageEvidence e;
  e.earlierToQuery = cv::Matx33d(H);
  for (std::size_t k = 0; k < from.size(); ++k)
    if (mask[k]) e.pairs.emplace_back(from[k], to[k]);
  e.inliers = static_cast<int>(e.pairs.size());
  // A homography that folds the page over, or squeezes it to a sliver, is no registration.
  std::vector<cv::Point2f> corners = {{0, 0},
                                      {static_cast<float>(earlier.width), 0},
                                      {static_cast<float>(earlier.width),
                                       static_cast<float>(earlier.height)},
                                      {0, static_cast<float>(earlier.height)}},
                           mapped;
  cv::perspectiveTransform(corners, mapped, H);
  const double area = std::abs(cv::contourArea(mapped));
  const double queryArea = static_cast<double>(query.width) * query.height;
  if (e.inliers < kMinInliers || !cv::isContourConvex(mapped) || area < 0.02 * queryArea ||
      area > 30 * queryArea)
    return std::nullopt;
  e.registered = true;
  return e;
}

std::vector<std::optional<PageEvidence>> registerAll(
    const PageFeatures& query, const std::vector<const PageFeatures*>& earlier) {
  std::vector<std::optional<PageEvidence>> out(earlier.size());
  onTwoThreads(earlier.size(), [&](std::size_t k) {
    if (earlier[k] && !earlier[k]->empty()) out[k] = registerPages(query, *earlier[k]);
  });
  return out;
}

// --- ink comparison -------------------------------------------------------------------------

namespace {

constexpr int kCell = 32;          // about one printed character
constexpr int kBlock = 96;         // local alignment (crumpled paper, residual of the homography)
constexpr int kMaxShift = 5;       // px searched per block round where it roughly lies
constexpr int kCellShift = 2;      // px a cell may lie off where its blocks put it (InkPages::pad
                                   // leaves 5-8 px beyond a block's largest shift)
constexpr int kWideShift = 24;     // px a block may roughly lie off the homography
constexpr int kMinCellInk = 24;    // pixels of ink that make a cell worth checking
constexpr double kBlur = 0;        // px, both pages, before the ink is found
constexpr double kConfirm = 0.9;   // share of the cell's ink found on the query
constexpr double kQueryInk = 0.5;  // query ink (share of the earlier's) that makes a conflict

// The two pages' ink in the earlier page's frame, at the coarser of the two resolutions: a paper a
// quarter of the frame is compared with its earlier full-page photo at its own scale, so its blur
// is not taken for other ink. The big buffers are kept per thread: fresh page-sized allocations
// each comparison cost more in page faults than the comparison itself.
struct InkPages {
  double f = 1;  // the earlier page's scale
  int cellSize = 0, blockSize = 0, maxShift = 0, minInk = 0, pad = 0;
  int roughReach = 0;               // small pixels a block's rough shift is searched
  cv::Mat earlierInk;               // earlier page's ink, ruled lines taken out
  cv::Mat seen;                     // where the query's frame covers the earlier page
  cv::Mat widePad, inkPad;          // query ink (dilated, and as found), padded by `pad`
  cv::Mat earlierSmall, wideSmall;  // the two at a quarter of the size, for rough shifts
  cv::Mat both;                     // scratch
};

constexpr int kSmall = 4;  // the rough shift's reduction

InkPages& inkPages(const cv::Mat& queryPage, const cv::Mat& earlierPage, const cv::Matx33d& H) {
  const cv::Point2d c(earlierPage.cols / 2.0, earlierPage.rows / 2.0);
  auto map = [&](cv::Point2d p) {
    const cv::Vec3d v = H * cv::Vec3d(p.x, p.y, 1);
    return cv::Point2d(v[0] / v[2], v[1] / v[2]);
  };
  const cv::Point2d o = map(c), ux = map(c + cv::Point2d(10, 0)), uy = map(c + cv::Point2d(0, 10));
  const cv::Point2d ax = ux - o, ay = uy - o;
  const double scale = std::sqrt(std::abs(ax.x * ay.y - ax.y * ay.x)) / 10;
  thread_local InkPages pages;
  thread_local cv::Mat warped, frame, ink, wide, rules;
  InkPages& p = pages;
  p.f = std::clamp(scale, 0.3, 1.0);
  const double f = p.f;
  cv::Mat earlier = earlierPage;
  if (earlier.channels() != 1) cv::cvtColor(earlierPage, earlier, cv::COLOR_BGR2GRAY);
  if (f < 1) cv::resize(earlier, earlier, cv::Size(), f, f, cv::INTER_AREA);
  const cv::Matx33d toFrame(f, 0, 0, 0, f, 0, 0, 0, 1);
  const cv::Mat frameToQuery(H * toFrame.inv());
  cv::Mat query = queryPage;
  if (query.channels() != 1) cv::cvtColor(queryPage, query, cv::COLOR_BGR2GRAY);
  cv::warpPerspective(query, warped, frameToQuery, earlier.size(),
                      cv::INTER_AREA | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  frame.create(query.size(), CV_8U);
  frame.setTo(255);
  cv::warpPerspective(frame, p.seen, frameToQuery, earlier.size(),
                      cv::INTER_NEAREST | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
  const int window = std::max(11, static_cast<int>(31 * f) | 1);
  if (kBlur > 0) {
    cv::GaussianBlur(earlier, earlier, cv::Size(0, 0), kBlur * f);
    cv::GaussianBlur(warped, warped, cv::Size(0, 0), kBlur * f);
  }
  cv::adaptiveThreshold(earlier, p.earlierInk, 255, cv::ADAPTIVE_THRESH_MEAN_C,
                        cv::THRESH_BINARY_INV, window, 25);
  // The form's ruled lines are not writing, and one photo's processing erases a rule (a table's
  // border, a faint box) that another's keeps: ink in straight runs longer than any character's
  // stroke is not counted on the earlier page. Kept, a rule lost on the query made a row of
  // different cells side by side, as other writing does.
  p.cellSize = std::max(12, static_cast<int>(std::lround(kCell * f)));
  const int ruleLength = 3 * p.cellSize;
  // A faint rule is found at a lower contrast (at the earlier's threshold it breaks into pieces
  // shorter than a character), and taken out with a pixel round it.
  cv::adaptiveThreshold(earlier, p.both, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                        window, 8);
  // The opening by a ruleLength-long line each way, from the runs of ink as the page stage finds
  // the form's rules (ocr::openRows): the same pixels as cv::morphologyEx, in less time.
  cv::bitwise_or(ocr::openRows(p.both, ruleLength), ocr::openColumns(p.both, ruleLength), rules);
  cv::dilate(rules, rules, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::subtract(p.earlierInk, rules, p.earlierInk);
  // The query's ink with a lower contrast: a softer photo's hairlines still count as ink there
  // (extra ink on the query never makes a cell different).
  cv::adaptiveThreshold(warped, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, window,
                        12);
  p.blockSize = p.cellSize * (kBlock / kCell);
  p.maxShift = std::max(3, static_cast<int>(std::lround(kMaxShift * f)));
  p.minInk = std::max(6, static_cast<int>(kMinCellInk * f * f));
  // A block may lie further off than maxShift (a crumpled sheet bends by 10-15 px over a few
  // blocks): its shift is first found roughly, at a quarter of the size, within kWideShift.
  p.roughReach = std::max(2, static_cast<int>(std::lround(kWideShift * f)) / kSmall);
  p.pad = (p.roughReach + 2 + p.maxShift / kSmall) * kSmall;  // whole small pixels
  cv::dilate(ink, wide, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  // Pad so every block may shift that far.
  cv::copyMakeBorder(wide, p.widePad, p.pad, p.pad, p.pad, p.pad, cv::BORDER_CONSTANT,
                     cv::Scalar(0));
  cv::copyMakeBorder(ink, p.inkPad, p.pad, p.pad, p.pad, p.pad, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::resize(p.earlierInk, p.earlierSmall, cv::Size(), 1.0 / kSmall, 1.0 / kSmall, cv::INTER_AREA);
  cv::resize(p.widePad, p.wideSmall, cv::Size(), 1.0 / kSmall, 1.0 / kSmall, cv::INTER_AREA);
  return p;
}

// Where each block of the earlier page lies on the query (local alignment), and each cell by it.
class BlockShifts {
 public:
  explicit BlockShifts(InkPages& p)
      : p_(p),
        W_(p.earlierInk.cols),
        H_(p.earlierInk.rows),
        cols_((W_ + p.blockSize - 1) / p.blockSize),
        rows_((H_ + p.blockSize - 1) / p.blockSize),
        inked_(static_cast<std::size_t>(cols_ * rows_), 0),
        shiftOf_(inked_.size(), cv::Point2f(0, 0)) {
    const auto rough = roughShifts();
    refine(rough, smoothed(rough));
  }

  // The shift at `p` of the earlier page: bilinear between the centres of the inked blocks (a bent
  // sheet moves a cell at a block's edge as much as its neighbour).
  cv::Point2f at(cv::Point2f p) const {
    const float u = std::clamp(p.x / static_cast<float>(p_.blockSize) - 0.5f, 0.0f,
                               static_cast<float>(cols_ - 1));
    const float v = std::clamp(p.y / static_cast<float>(p_.blockSize) - 0.5f, 0.0f,
                               static_cast<float>(rows_ - 1));
    const int x0 = static_cast<int>(u), y0 = static_cast<int>(v);
    cv::Point2f sum(0, 0);
    float weight = 0;
    for (int yy = y0; yy <= std::min(rows_ - 1, y0 + 1); ++yy)
      for (int xx = x0; xx <= std::min(cols_ - 1, x0 + 1); ++xx) {
        const auto b = index(xx, yy);
        if (!inked_[b]) continue;
        const float w =
            (1 - std::abs(u - static_cast<float>(xx))) * (1 - std::abs(v - static_cast<float>(yy)));
        sum += w * shiftOf_[b];
        weight += w;
      }
    return weight > 1e-3f ? sum / weight : shiftOf_[index(x0, y0)];
  }

 private:
  using Rough = std::vector<std::optional<cv::Point>>;

  std::size_t index(int bx, int by) const { return static_cast<std::size_t>(by * cols_ + bx); }
  cv::Rect blockAt(int bx, int by) const {
    return cv::Rect(bx * p_.blockSize, by * p_.blockSize,
                    std::min(p_.blockSize, W_ - bx * p_.blockSize),
                    std::min(p_.blockSize, H_ - by * p_.blockSize));
  }

  // 1. Each inked block's rough shift: the best correlation of the two inks at a quarter size.
  Rough roughShifts() {
    Rough rough(inked_.size());
    const int pad = p_.pad, reach = p_.roughReach;
    for (int by = 0; by < rows_; ++by)
      for (int bx = 0; bx < cols_; ++bx) {
        const cv::Rect block = blockAt(bx, by);
        if (cv::countNonZero(p_.earlierInk(block)) < p_.minInk) continue;
        inked_[index(bx, by)] = 1;
        const cv::Rect t(block.x / kSmall, block.y / kSmall, block.width / kSmall,
                         block.height / kSmall);
        if (t.width < 4 || t.height < 4) continue;
        const cv::Rect search(t.x + pad / kSmall - reach, t.y + pad / kSmall - reach,
                              t.width + 2 * reach, t.height + 2 * reach);
        if ((search & cv::Rect(0, 0, p_.wideSmall.cols, p_.wideSmall.rows)) != search) continue;
        cv::Mat score;
        cv::matchTemplate(p_.wideSmall(search), p_.earlierSmall(t), score, cv::TM_CCOEFF_NORMED);
        double best = 0;
        cv::Point at;
        cv::minMaxLoc(score, nullptr, &best, nullptr, &at);
        if (best > 0.2)  // below it, nothing on the query looks like the block
          rough[index(bx, by)] = cv::Point((search.x + at.x) * kSmall - pad - t.x * kSmall,
                                           (search.y + at.y) * kSmall - pad - t.y * kSmall);
      }
    return rough;
  }

  // 2. Smoothed: paper bends smoothly, so a block is taken to lie as its neighbours and itself do
  //    (the median of each coordinate). A block of other writing may find a chance shift of its
  //    own; the printed form round it does not.
  std::vector<cv::Point> smoothed(const Rough& rough) const {
    std::vector<cv::Point> around(rough.size(), cv::Point(0, 0));
    for (int by = 0; by < rows_; ++by)
      for (int bx = 0; bx < cols_; ++bx) {
        std::vector<int> xs, ys;
        for (int ny = std::max(0, by - 1); ny <= std::min(rows_ - 1, by + 1); ++ny)
          for (int nx = std::max(0, bx - 1); nx <= std::min(cols_ - 1, bx + 1); ++nx)
            if (const auto& r = rough[index(nx, ny)]) {
              xs.push_back(r->x);
              ys.push_back(r->y);
            }
        if (xs.empty()) continue;
        std::nth_element(xs.begin(), xs.begin() + xs.size() / 2, xs.end());
        std::nth_element(ys.begin(), ys.begin() + ys.size() / 2, ys.end());
        around[index(bx, by)] = {xs[xs.size() / 2], ys[ys.size() / 2]};
      }
    return around;
  }

  // 3. Each block's shift: the one that finds most of the ink within maxShift of where it roughly
  //    lies, every second pixel, then around the best.
  void refine(const Rough& rough, const std::vector<cv::Point>& around) {
    const int maxShift = p_.maxShift, pad = p_.pad;
    for (int byi = 0; byi < rows_; ++byi)
      for (int bxi = 0; bxi < cols_; ++bxi) {
        const auto b = index(bxi, byi);
        // Its own rough shift when its neighbours roughly agree (a sheet bends sharply in places),
        // else theirs (a stamp added later, or other writing, drew it elsewhere).
        const cv::Point centre =
            rough[b] && cv::norm(*rough[b] - around[b]) <= kSmall * 3 ? *rough[b] : around[b];
        shiftOf_[b] = centre;
        if (!inked_[b]) continue;
        const cv::Rect block = blockAt(bxi, byi);
        const cv::Mat eb = p_.earlierInk(block);
        int bestDx = 0, bestDy = 0, best = -1;
        auto tryShift = [&](int dx, int dy) {
          cv::bitwise_and(
              eb, p_.widePad(block + cv::Point(pad + centre.x + dx, pad + centre.y + dy)), p_.both);
          const int n = cv::countNonZero(p_.both);
          if (n > best ||
              (n == best && std::abs(dx) + std::abs(dy) < std::abs(bestDx) + std::abs(bestDy))) {
            best = n;
            bestDx = dx;
            bestDy = dy;
          }
        };
        for (int dy = -maxShift + 1; dy < maxShift; dy += 2)
          for (int dx = -maxShift + 1; dx < maxShift; dx += 2) tryShift(dx, dy);
        const int cx0 = bestDx, cy0 = bestDy;
        for (int dy = cy0 - 1; dy <= cy0 + 1; ++dy)
          for (int dx = cx0 - 1; dx <= cx0 + 1; ++dx)
            if ((dx != cx0 || dy != cy0) && std::abs(dx) <= maxShift && std::abs(dy) <= maxShift)
              tryShift(dx, dy);
        shiftOf_[b] = cv::Point2f(static_cast<float>(centre.x + bestDx),
                                  static_cast<float>(centre.y + bestDy));
      }
  }

  InkPages& p_;
  const int W_, H_, cols_, rows_;
  std::vector<char> inked_;
  std::vector<cv::Point2f> shiftOf_;
};

// Other writing changes whole words: conflicts side by side on a line. A soft photo's noise
// leaves them scattered. `at`: (row, column) of each conflicting cell.
int sideBySide(std::vector<std::pair<int, int>> at) {
  std::sort(at.begin(), at.end());
  int clustered = 0;
  for (std::size_t k = 0; k < at.size(); ++k) {
    const bool left =
        k > 0 && at[k - 1].first == at[k].first && at[k - 1].second + 1 == at[k].second;
    const bool right =
        k + 1 < at.size() && at[k + 1].first == at[k].first && at[k + 1].second == at[k].second + 1;
    clustered += left || right ? 1 : 0;
  }
  return clustered;
}

}  // namespace

void compareInk(const cv::Mat& queryPage, const cv::Mat& earlierPage, PageEvidence& e) {
  e.confirmed = e.conflicts = e.unseen = 0;
  e.conflictCells.clear();
  if (!e.registered || queryPage.empty() || earlierPage.empty()) return;
  InkPages& p = inkPages(queryPage, earlierPage, e.earlierToQuery);
  const BlockShifts shifts(p);
  // 4. Each cell where the blocks round it put it, within kCellShift.
  const int W = p.earlierInk.cols, Hh = p.earlierInk.rows, cellSize = p.cellSize;
  std::vector<std::pair<int, int>> conflictAt;  // (row, column) of each conflicting cell
  // The earlier page's edges, a cell wide each, are not compared: no form is written there, and
  // what a photo shows there is where the paper's outline was found (a strip of desk or of the
  // paper's shadow on one photo, margin on another). Counted, the strip along one edge made a
  // row of different cells side by side, as other writing does.
  for (int cy = cellSize; cy + 2 * cellSize <= Hh; cy += cellSize)
    for (int cx = cellSize; cx + 2 * cellSize <= W; cx += cellSize) {
      const cv::Rect cell(cx, cy, cellSize, cellSize);
      const cv::Mat ec = p.earlierInk(cell);
      const int n = cv::countNonZero(ec);
      if (n < p.minInk) continue;
      if (cv::countNonZero(p.seen(cell)) < cell.area() * 9 / 10) {
        ++e.unseen;
        continue;
      }
      const cv::Point2f at = shifts.at(cv::Point2f(static_cast<float>(cx + cell.width / 2),
                                                   static_cast<float>(cy + cell.height / 2)));
      const cv::Point base(p.pad + static_cast<int>(std::lround(at.x)),
                           p.pad + static_cast<int>(std::lround(at.y)));
      auto foundAt = [&](cv::Point at) {
        cv::bitwise_and(ec, p.widePad(cell + at), p.both);
        return cv::countNonZero(p.both);
      };
      // Most cells are found where the blocks put them; only the others are searched round it.
      int bestFound = foundAt(base);
      cv::Point shift = base;
      if (bestFound < kConfirm * n)
        for (int dy = -kCellShift; dy <= kCellShift; ++dy)
          for (int dx = -kCellShift; dx <= kCellShift; ++dx) {
            if (dx == 0 && dy == 0) continue;
            const int k = foundAt(base + cv::Point(dx, dy));
            if (k > bestFound) {
              bestFound = k;
              shift = base + cv::Point(dx, dy);
            }
          }
      const double found = static_cast<double>(bestFound) / n;
      const int queryInkHere = cv::countNonZero(p.inkPad(cell + shift));
      if (found >= kConfirm) {
        ++e.confirmed;
      } else if (queryInkHere >= kQueryInk * n) {
        ++e.conflicts;
        conflictAt.emplace_back(cy / cellSize, cx / cellSize);
        const double back = 1 / p.f;
        e.conflictCells.emplace_back(static_cast<int>(cell.x * back),
                                     static_cast<int>(cell.y * back),
                                     static_cast<int>(std::ceil(cell.width * back)),
                                     static_cast<int>(std::ceil(cell.height * back)));
      } else {
        ++e.unseen;
      }
    }
  e.clustered = sideBySide(std::move(conflictAt));
}

bool PageEvidence::mostlyFound() const {
  const int checked = confirmed + conflicts;
  return registered && confirmed >= 150 && conflicts * 10 <= checked;
}

bool PageEvidence::samePaper() const {
  // Enough of the earlier page's writing found in place; few conflicts, and hardly any side by
  // side (a changed word). Measured on rx-photos-v1 and the generated corpora (docs/reuse.md):
  // re-photos of one paper leave scattered conflicts where a soft photo lost a hairline.
  return mostlyFound() && clustered <= 4;
}

bool PageEvidence::otherWriting() const {
  return registered && confirmed >= 100 && clustered >= 12;
}

bool PageEvidence::mostlyOtherWriting() const {
  // No re-photo of one paper came near it on the generated corpora and rx-photos-v1 (the closest:
  // 193 different against 294 found, on a crumpled sheet); second prescriptions of a visit whose
  // numbers OCR read the same gave 343-436 different against 267-375 found.
  return registered && confirmed >= 150 && conflicts > confirmed && clustered >= 100;
}

// --- index ----------------------------------------------------------------------------------

namespace {

// How many of the descriptor's tests make one bit of a key: their majority. A photo's noise flips
// a test in 15-30% of features; the majority of three flips about half as often (at 20%, 10.4%),
// so a 16-bit key survives a photo six times as often (17% against 2.8%), while an unrelated
// descriptor still shares it about once in 2^16.
constexpr int kVoters = 3;

// Fixed bit positions of the descriptor's 256 tests, drawn once per table: the key's, in groups
// of kVoters, then the signature's, all different within a table.
struct IndexBits {
  std::array<std::array<std::uint8_t, 16 * kVoters>, 4> key;
  std::array<std::array<std::uint8_t, 24>, 4> signature;
};

const IndexBits& indexBits() {
  static const IndexBits bits = [] {
    IndexBits out{};
    std::uint64_t s = 0x9E3779B97F4A7C15ull;
    for (std::size_t t = 0; t < out.key.size(); ++t) {
      std::array<std::uint8_t, 256> order{};
      std::iota(order.begin(), order.end(), 0);
      for (int i = 255; i > 0; --i) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        std::swap(order[i], order[s % static_cast<std::uint64_t>(i + 1)]);
      }
      std::size_t next = 0;
      for (auto& b : out.key[t]) b = order[next++];
      for (auto& b : out.signature[t]) b = order[next++];
    }
    return out;
  }();
  return bits;
}

int bitOf(const Hash256& d, int bit) { return static_cast<int>((d[bit / 64] >> (bit % 64)) & 1); }

template <std::size_t N>
std::uint32_t sampled(const Hash256& d, const std::array<std::uint8_t, N>& bits) {
  std::uint32_t v = 0;
  for (const int bit : bits) v = (v << 1) | static_cast<std::uint32_t>(bitOf(d, bit));
  return v;
}

// A bit per group of kVoters tests: their majority.
template <std::size_t N>
std::uint32_t majorities(const Hash256& d, const std::array<std::uint8_t, N>& bits) {
  static_assert(N % kVoters == 0 && kVoters % 2 == 1);
  std::uint32_t v = 0;
  for (std::size_t g = 0; g < N; g += kVoters) {
    int ones = 0;
    for (std::size_t k = g; k < g + kVoters; ++k) ones += bitOf(d, bits[k]);
    v = (v << 1) | static_cast<std::uint32_t>(2 * ones > kVoters);
  }
  return v;
}

}  // namespace

std::uint16_t PageIndex::key(const Hash256& d, int table) {
  static_assert(kTables == 4 && kKeyBits == 16 && kSignatureBits == 24);
  return static_cast<std::uint16_t>(majorities(d, indexBits().key[table]));
}

std::uint32_t PageIndex::signature(const Hash256& d, int table) {
  return sampled(d, indexBits().signature[table]);
}

std::uint16_t PageIndex::cell(const PageFeatures& page, std::size_t feature) {
  const cv::Point2f p = page.points[feature];
  auto at = [](float v, int size) {
    const int c = size > 0 ? static_cast<int>(v * kGrid / static_cast<float>(size)) : 0;
    return std::clamp(c, 0, kGrid - 1);
  };
  return static_cast<std::uint16_t>(at(p.y, page.height) * kGrid + at(p.x, page.width));
}

bool PageIndex::near(std::uint16_t a, std::uint16_t b) {
  return std::abs(a % kGrid - b % kGrid) <= kNear && std::abs(a / kGrid - b / kGrid) <= kNear;
}

void PageIndex::add(std::int64_t record, PageFeatures features) {
  static_assert(kGrid * kGrid <= (1 << kCellBits) && kSlotBits + kCellBits + kSignatureBits == 64);
  if (buckets_[0].empty())
    for (auto& t : buckets_) t.resize(std::size_t{1} << kKeyBits);
  const auto slot = static_cast<std::uint32_t>(records_.size());
  if (auto it = slotOf_.find(record); it != slotOf_.end()) {
    records_[it->second] = -1;  // skipped from now on
    pages_[it->second] = {};
  }
  slotOf_[record] = slot;
  // Beyond 2^30 pages (terabytes of features) a page is kept for registration, not posted.
  const std::size_t n = slot < (std::size_t{1} << kSlotBits)
                            ? std::min(features.descriptors.size(), features.points.size())
                            : 0;
  for (std::size_t i = 0; i < n; ++i)
    for (int t = 0; t < kTables; ++t) {
      const Hash256& d = features.descriptors[i];
      buckets_[t][key(d, t)].push_back(Entry{slot} << (kCellBits + kSignatureBits) |
                                       Entry{cell(features, i)} << kSignatureBits |
                                       signature(d, t));
    }
  records_.push_back(record);
  pages_.push_back(std::move(features));
}

const PageFeatures* PageIndex::features(std::int64_t record) const {
  auto it = slotOf_.find(record);
  return it == slotOf_.end() ? nullptr : &pages_[it->second];
}

std::int64_t PageIndex::weight(std::size_t bucketSize) const {
  // The bucket holds a posting per feature: a key a page has many times (a character repeated
  // down the page) weighs less than one it has once, and a key carried by more features than a
  // twentieth of the pages have (at least 32) is not counted.
  const double n = static_cast<double>(slotOf_.size());
  if (bucketSize == 0 || static_cast<double>(bucketSize) > std::max(32.0, n / 20)) return 0;
  // Squared inverse document frequency: a key of one page weighs much more than a key of a few.
  // In thousandths, as an integer: sums are then exact, whatever order the votes come in.
  const double idf = std::log(1 + n / static_cast<double>(bucketSize));
  return std::llround(1000 * idf * idf);
}

std::uint8_t PageIndex::shift(std::uint16_t stored, std::uint16_t query) {
  const int dx = stored % kGrid - query % kGrid, dy = stored / kGrid - query / kGrid;
  return static_cast<std::uint8_t>((dy + kNear) * kShifts + dx + kNear);
}

void PageIndex::keepLeast(std::uint8_t shift, int& least) {
  auto rank = [](int sh) {  // how far (|dx| + |dy|), then the code
    const int dx = sh % kShifts - kNear, dy = sh / kShifts - kNear;
    return (std::abs(dx) + std::abs(dy)) * kShifts * kShifts + sh;
  };
  if (least < 0 || rank(shift) < rank(least)) least = shift;
}

std::vector<PageIndex::Candidate> PageIndex::top(const std::vector<Vote>& votes, std::size_t max,
                                                 double minVotes) const {
  // The pool: the pages with most votes, whatever their shifts.
  std::vector<std::int64_t> total(records_.size(), 0);
  for (const Vote& v : votes) total[v.slot] += v.weight;
  std::vector<std::uint32_t> pool;
  for (std::uint32_t s = 0; s < total.size(); ++s)
    if (total[s] > 0 && records_[s] >= 0) pool.push_back(s);
  if (pool.size() > kPool) {
    std::nth_element(
        pool.begin(), pool.begin() + kPool, pool.end(), [&](std::uint32_t a, std::uint32_t b) {
          return total[a] != total[b] ? total[a] > total[b] : records_[a] < records_[b];
        });
    pool.resize(kPool);
  }
  // Their votes by shift, and the most within kAlong cells of one shift.
  std::vector<std::int32_t> inPool(records_.size(), -1);
  for (std::size_t k = 0; k < pool.size(); ++k) inPool[pool[k]] = static_cast<std::int32_t>(k);
  std::vector<std::array<std::int64_t, kShifts * kShifts>> byShift(pool.size());
  for (auto& h : byShift) h.fill(0);
  for (const Vote& v : votes)
    if (const std::int32_t k = inPool[v.slot]; k >= 0)
      byShift[static_cast<std::size_t>(k)][v.shift] += v.weight;
  std::vector<Candidate> out;
  for (std::size_t k = 0; k < pool.size(); ++k) {
    std::int64_t most = 0;
    for (int cy = 0; cy < kShifts; ++cy)
      for (int cx = 0; cx < kShifts; ++cx) {
        std::int64_t sum = 0;
        for (int y = std::max(0, cy - kAlong); y <= std::min(kShifts - 1, cy + kAlong); ++y)
          for (int x = std::max(0, cx - kAlong); x <= std::min(kShifts - 1, cx + kAlong); ++x)
            sum += byShift[k][static_cast<std::size_t>(y * kShifts + x)];
        most = std::max(most, sum);
      }
    if (most >= minVotes * 1000)
      out.push_back({records_[pool[k]], static_cast<double>(most) / 1000});
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.votes != b.votes ? a.votes > b.votes : a.record < b.record;
  });
  if (out.size() > max) out.resize(max);
  return out;
}

std::vector<PageIndex::QueryFeature> PageIndex::byKey(const PageFeatures& page, int table) {
  std::vector<QueryFeature> keys;
  const std::size_t n = std::min(page.descriptors.size(), page.points.size());
  keys.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    keys.push_back(
        {key(page.descriptors[i], table), cell(page, i), signature(page.descriptors[i], table)});
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool PageIndex::alike(std::uint32_t a, std::uint32_t b) {
  return __builtin_popcount(a ^ b) <= kSignatureDistance;
}

RX_POPCNT_CLONES void PageIndex::vote(const PageFeatures& query, int t,
                                      std::vector<Vote>& votes) const {
  const auto keys = byKey(query, t);
  std::bitset<kGrid * kGrid> nearQuery;  // the cells near a query feature of the key
  for (auto from = keys.begin(); from != keys.end();) {
    // The query's features of one key, then the stored features of that key near one of them
    // and alike: a page votes once per key (a page's postings lie together in the bucket).
    const auto to =
        std::find_if(from, keys.end(), [&](const QueryFeature& q) { return q.key != from->key; });
    const auto& b = buckets_[t][from->key];
    const std::int64_t w = weight(b.size());
    if (w != 0) {
      nearQuery.reset();
      for (auto q = from; q != to; ++q)
        for (int y = std::max(0, q->cell / kGrid - kNear);
             y <= std::min(kGrid - 1, q->cell / kGrid + kNear); ++y)
          for (int x = std::max(0, q->cell % kGrid - kNear);
               x <= std::min(kGrid - 1, q->cell % kGrid + kNear); ++x)
            nearQuery.set(static_cast<std::size_t>(y * kGrid + x));
      std::uint32_t slot = ~0u;
      int least = -1;  // the slot's pair of least shift so far
      auto castVote = [&] {
        if (least >= 0)
          votes.push_back({slot, static_cast<std::uint8_t>(least), static_cast<std::int32_t>(w)});
      };
      for (Entry e : b) {
        const auto s = static_cast<std::uint32_t>(e >> (kCellBits + kSignatureBits));
        const auto c = static_cast<std::uint16_t>((e >> kSignatureBits) & ((1u << kCellBits) - 1));
        if (!nearQuery[c] || records_[s] < 0) continue;  // or replaced since
        if (s != slot) {
          castVote();
          slot = s;
          least = -1;
        }
        const auto sig = static_cast<std::uint32_t>(e & ((1u << kSignatureBits) - 1));
        for (auto q = from; q != to; ++q)
          if (near(q->cell, c) && alike(q->signature, sig)) keepLeast(shift(c, q->cell), least);
      }
      castVote();
    }
    from = to;
  }
}

std::vector<PageIndex::Candidate> PageIndex::candidates(const PageFeatures& query, std::size_t max,
                                                        double minVotes) const {
  if (records_.empty()) return {};
  // The tables are independent: two on each thread (the vote reads megabytes of postings at
  // 100,000 pages). Their votes are joined in the tables' order, as one thread cast them.
  std::array<std::vector<Vote>, kTables> byTable;
  onTwoThreads(byTable.size(), [&](std::size_t t) {
    byTable[t].reserve(1024);
    vote(query, static_cast<int>(t), byTable[t]);
  });
  std::vector<Vote> votes;
  std::size_t n = 0;
  for (const auto& v : byTable) n += v.size();
  votes.reserve(n);
  for (const auto& v : byTable) votes.insert(votes.end(), v.begin(), v.end());
  return top(votes, max, minVotes);
}

std::vector<PageIndex::Candidate> PageIndex::scanCandidates(const PageFeatures& query,
                                                            std::size_t max,
                                                            double minVotes) const {
  if (records_.empty()) return {};
  std::vector<Vote> votes;
  // Bucket sizes as the index has them (the weights), then every stored page's features compared
  // with the query's: same key, near cells, alike descriptors, once per key at the least shift.
  std::vector<std::vector<QueryFeature>> keys, stored;
  for (int t = 0; t < kTables; ++t) keys.push_back(byKey(query, t));
  for (std::size_t s = 0; s < pages_.size(); ++s) {
    if (records_[s] < 0) continue;
    stored.clear();
    for (int t = 0; t < kTables; ++t) stored.push_back(byKey(pages_[s], t));
    for (int t = 0; t < kTables; ++t)
      for (auto from = keys[t].begin(); from != keys[t].end();) {
        const auto to = std::find_if(from, keys[t].end(),
                                     [&](const QueryFeature& q) { return q.key != from->key; });
        int least = -1;
        for (auto it = std::lower_bound(stored[t].begin(), stored[t].end(),
                                        QueryFeature{from->key, 0, 0});
             it != stored[t].end() && it->key == from->key; ++it)
          for (auto q = from; q != to; ++q)
            if (near(q->cell, it->cell) && alike(q->signature, it->signature))
              keepLeast(shift(it->cell, q->cell), least);
        if (const std::int64_t w = weight(buckets_[t][from->key].size()); least >= 0 && w != 0)
          votes.push_back({static_cast<std::uint32_t>(s), static_cast<std::uint8_t>(least),
                           static_cast<std::int32_t>(w)});
        from = to;
      }
  }
  return top(votes, max, minVotes);
}

std::size_t PageIndex::memoryBytes() const {
  std::size_t bytes = 0;
  for (const auto& t : buckets_)
    for (const auto& b : t) bytes += b.capacity() * sizeof(Entry) + sizeof(b);
  for (const auto& p : pages_)
    bytes += p.points.capacity() * sizeof(cv::Point2f) +
             p.descriptors.capacity() * sizeof(Hash256) + sizeof(p);
  return bytes + records_.capacity() * sizeof(std::int64_t) + slotOf_.size() * 32;
}

}  // namespace rx::dedup
