#include "ocr/page.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "stage_clock.h"

namespace rx::ocr {

namespace {

std::array<cv::Point2f, 4> orderCorners(const std::vector<cv::Point2f>& pts) {
  // tl has the smallest x+y, br the largest; tr the smallest y-x, bl the largest.
  std::array<cv::Point2f, 4> out;
  auto sum = [](const cv::Point2f& p) { return p.x + p.y; };
  auto diff = [](const cv::Point2f& p) { return p.y - p.x; };
  out[0] =
      *std::min_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[2] =
      *std::max_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[1] = *std::min_element(pts.begin(), pts.end(),
                             [&](auto& a, auto& b) { return diff(a) < diff(b); });
  out[3] = *std::max_element(pts.begin(), pts.end(),
                             [&](auto& a, auto& b) { return diff(a) < diff(b); });
  return out;
}

double distance(const cv::Point2f& a, const cv::Point2f& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// Mean confidence weighted by the number of characters: how much readable text there is.
double readability(const std::vector<RecognizedLine>& lines) {
  double score = 0;
  for (const auto& l : lines)
    for (const auto& w : l.words) score += w.confidence * static_cast<double>(w.text.size());
  return score;
}
// Mean confidence of the characters read (0-100).
double meanConfidence(const std::vector<RecognizedLine>& lines) {
  double characters = 0;
  for (const auto& l : lines)
    for (const auto& w : l.words) characters += static_cast<double>(w.text.size());
  return characters > 0 ? readability(lines) / characters : 0;
}
// Whether `outline` is shaped like a sheet: solid (it fills most of its smallest enclosing
// rectangle) and not a strip.
bool sheetShaped(const std::vector<cv::Point>& outline) {
  const cv::RotatedRect r = cv::minAreaRect(outline);
  const double longSide = std::max(r.size.width, r.size.height);
  const double shortSide = std::max(1.0f, std::min(r.size.width, r.size.height));
  return cv::contourArea(outline) >= 0.8 * r.size.area() && longSide / shortSide <= 2.5;
}

// A four-sided outline counts as a paper inside what the bright region found when it is this much
// brighter (paper-likeness, 0-255) than the band round it and less than this share of the region.
constexpr double kPaperContrast = 40;
constexpr double kInnerPaperAtMost = 0.7;
// A bright region this share of the frame or more is not taken for the paper as it is.
constexpr double kFillsTheFrame = 0.85;

// A paper seen inside something darker that the bright region took in with it — the paper on a
// phone's screen, on a dark tray or in a folder: the outline (convex hull) of the largest
// four-sided run of edges in `score` (the paper-likeness of the small photo) that is much
// brighter inside than in the band round it. A corner hidden by a thumb or a shadow leaves it a
// fifth or sixth side. Empty when there is none. (Found on the generator's photos of a phone
// screen, where the bright region was the whole frame or the screen with its glare.)
std::vector<cv::Point> brightOutline(const cv::Mat& score) {
  cv::Mat edges;
  cv::Canny(score, edges, 30, 90);
  cv::dilate(edges, edges, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(edges, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  std::vector<cv::Point> best;
  double bestContrast = kPaperContrast;
  cv::Mat inside(score.size(), CV_8U), core, around;
  for (const auto& c : contours) {
    std::vector<cv::Point> hull, poly;
    cv::convexHull(c, hull);
    cv::approxPolyDP(hull, poly, 0.02 * cv::arcLength(hull, true), true);
    if (poly.size() < 4 || poly.size() > 6) continue;
    const double area = cv::contourArea(hull);
    if (area < score.total() / 30.0 || area > 0.8 * score.total() || !sheetShaped(hull)) continue;
    inside.setTo(0);
    cv::fillConvexPoly(inside, hull, cv::Scalar(255));
    const cv::RotatedRect r = cv::minAreaRect(hull);
    const int band = std::max(3, static_cast<int>(std::min(r.size.width, r.size.height) * 0.04));
    const cv::Mat round = cv::getStructuringElement(cv::MORPH_RECT, {2 * band + 1, 2 * band + 1});
    cv::erode(inside, core, round);
    cv::dilate(inside, around, round);
    around -= inside;
    const double contrast = cv::mean(score, core)[0] - cv::mean(score, around)[0];
    if (contrast > bestContrast) {
      best = hull;
      bestContrast = contrast;
    }
  }
  return best;
}

// A sheet's edge seen in colour: from this distance (Lab, 8-bit units) between the mean colour
// inside an outline and that of a thin ring just outside it, on its worst side (ringContrast).
// A form's ruled border inside the paper has the paper's margin outside it: a few units.
constexpr double kSheetEdge = 10;

// How much an outline's inside differs in colour from a thin ring just outside it, on its worst
// side: the least, over the four quarters round its centre (split along the diagonals), of the
// distance between the mean Lab colour of the inside (kept off the edge; its print counted in
// the mean) and of the ring's pixels in that quarter. -1 when a quarter has (nearly) no ring in
// the picture (an outline along the frame's edge), or the outline has no inside off its edge.
double ringContrast(const cv::Mat& lab, const std::vector<cv::Point>& outline) {
  const cv::RotatedRect r = cv::minAreaRect(outline);
  const int gap = 2;
  const int ring = std::max(3, static_cast<int>(std::min(r.size.width, r.size.height) * 0.015));
  // Only the outline's bounding box and the ring round it are looked at (the rest of the photo is
  // neither inside nor ring), so a small outline costs little.
  const int pad = gap + ring + 1;
  const cv::Rect box =
      (cv::boundingRect(outline) + cv::Size(2 * pad, 2 * pad) - cv::Point(pad, pad)) &
      cv::Rect(0, 0, lab.cols, lab.rows);
  if (box.empty()) return -1;
  const cv::Mat part = lab(box);
  std::vector<cv::Point> shifted;
  for (const auto& q : outline) shifted.push_back(q - box.tl());
  cv::Mat inside(part.size(), CV_8U, cv::Scalar(0)), core, near, far;
  cv::fillConvexPoly(inside, shifted, cv::Scalar(255));
  const cv::Mat wide =
      cv::getStructuringElement(cv::MORPH_RECT, {2 * (gap + ring) + 1, 2 * (gap + ring) + 1});
  cv::erode(inside, core, wide);
  cv::dilate(inside, near, cv::getStructuringElement(cv::MORPH_RECT, {2 * gap + 1, 2 * gap + 1}));
  cv::dilate(inside, far, wide);
  const cv::Mat band = far - near;
  const cv::Moments m = cv::moments(shifted);
  if (m.m00 <= 0 || cv::countNonZero(core) == 0) return -1;
  const double cx = m.m10 / m.m00, cy = m.m01 / m.m00;
  const cv::Scalar in = cv::mean(part, core);
  double sum[4][3] = {}, n[4] = {};
  for (int y = 0; y < part.rows; ++y) {
    const uchar* b = band.ptr<uchar>(y);
    const cv::Vec3b* p = part.ptr<cv::Vec3b>(y);
    for (int x = 0; x < part.cols; ++x)
      if (b[x]) {
        const double a = std::atan2(y - cy, x - cx) + CV_PI + CV_PI / 4;
        const int k = static_cast<int>(a / (CV_PI / 2)) % 4;
        for (int c = 0; c < 3; ++c) sum[k][c] += p[x][c];
        n[k] += 1;
      }
  }
  double worst = 1e9;
  for (int k = 0; k < 4; ++k) {
    if (n[k] < 20) return -1;
    double d2 = 0;
    for (int c = 0; c < 3; ++c) d2 += (in[c] - sum[k][c] / n[k]) * (in[c] - sum[k][c] / n[k]);
    worst = std::min(worst, std::sqrt(d2));
  }
  return worst;
}

// Paper, even coloured or recycled, is light and nearly grey: the mean Lab colour inside
// `outline` at least kPaperLightness light and within kPaperChroma of grey (8-bit Lab, grey at
// 128).
constexpr double kPaperLightness = 150, kPaperChroma = 30;
bool paperColoured(const cv::Mat& lab, const std::vector<cv::Point>& outline) {
  const cv::Rect box = cv::boundingRect(outline) & cv::Rect(0, 0, lab.cols, lab.rows);
  if (box.empty()) return false;
  std::vector<cv::Point> shifted;
  for (const auto& q : outline) shifted.push_back(q - box.tl());
  cv::Mat inside(box.size(), CV_8U, cv::Scalar(0));
  cv::fillConvexPoly(inside, shifted, cv::Scalar(255));
  const cv::Scalar mean = cv::mean(lab(box), inside);
  return mean[0] >= kPaperLightness && std::hypot(mean[1] - 128, mean[2] - 128) <= kPaperChroma;
}

// The outlines that could be a sheet among the colour edges of the small photo (`lab`, and `smooth`
// the same through a 5x5 Gaussian): Canny on
// each Lab channel finds a paper's edge against any desk (a beige or green paper on a grey counter
// differs in colour more than in brightness), and each closed run of edges gives the convex hull
// of its outline. A closed run has an outline inside as well as outside: the inside one follows
// the paper's own edge even where a receipt's edges touch it. Kept: four to six sides, shaped
// like a sheet, light and nearly grey inside as paper is (a box or a phone is not), from a
// thirtieth to nine tenths of the photo. With `closedAtFrame` the frame's edge counts as an edge,
// so a sheet cut off by the frame has an outline too.
std::vector<std::vector<cv::Point>> colourEdgeOutlines(const cv::Mat& lab, const cv::Mat& smooth,
                                                       bool closedAtFrame) {
  std::vector<cv::Mat> ch;
  cv::split(smooth, ch);
  cv::Mat edges = cv::Mat::zeros(lab.size(), CV_8U), e;
  for (int c = 0; c < 3; ++c) {
    // Lightness 15/45; the colour channels span less, so half of that.
    cv::Canny(ch[static_cast<std::size_t>(c)], e, c == 0 ? 15 : 7.5, c == 0 ? 45 : 22.5);
    edges |= e;
  }
  cv::dilate(edges, edges, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  if (closedAtFrame) cv::rectangle(edges, cv::Rect({0, 0}, edges.size()), cv::Scalar(255), 1);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(edges, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  const double total = static_cast<double>(lab.total());
  std::vector<std::vector<cv::Point>> outlines;
  for (const auto& c : contours) {
    std::vector<cv::Point> hull, poly;
    cv::convexHull(c, hull);
    const double area = cv::contourArea(hull);
    if (area < total / 30.0 || area > 0.9 * total) continue;
    cv::approxPolyDP(hull, poly, 0.02 * cv::arcLength(hull, true), true);
    if (poly.size() < 4 || poly.size() > 6 || !sheetShaped(hull)) continue;
    if (paperColoured(lab, hull)) outlines.push_back(std::move(hull));
  }
  return outlines;
}

// The paper among the colour edges (colourEdgeOutlines), where the bright region could not be it:
// on a light counter as bright as paper it is the whole frame or its lighter part, and a receipt
// or another sheet touching the paper joins it. Of the outlines, the one whose inside differs
// most from a thin ring round it (ringContrast, at least kSheetEdge): the outside outline of a
// closed run takes a touching receipt in and differs less from what is round it; a box or table
// printed on the paper has the paper round it (its print, counted in its inside's mean, can still
// make it differ: on a paper whose own edge is fainter, such a box could win; not seen on the
// corpora), and a sheet cut off by the frame has no ring on that side. Empty when there is none.
std::vector<cv::Point> sheetByColourEdges(const cv::Mat& lab, const cv::Mat& smooth) {
  std::vector<cv::Point> best;
  double bestContrast = kSheetEdge;
  for (auto& hull : colourEdgeOutlines(lab, smooth, false)) {
    const double contrast = ringContrast(lab, hull);
    if (contrast >= bestContrast) {
      best = std::move(hull);
      bestContrast = contrast;
    }
  }
  return best;
}

// `quad`'s corners on whole pixels.
std::vector<cv::Point> rounded(const std::vector<cv::Point2f>& quad) {
  std::vector<cv::Point> out;
  for (const auto& q : quad) out.emplace_back(cvRound(q.x), cvRound(q.y));
  return out;
}

// Whether four corners look like a photographed sheet: convex, every corner between 60 and 120
// degrees.
bool sheetCorners(const std::vector<cv::Point2f>& quad) {
  if (quad.size() != 4 || !cv::isContourConvex(quad)) return false;
  for (int k = 0; k < 4; ++k) {
    const cv::Point2f u = quad[(k + 3) % 4] - quad[k], v = quad[(k + 1) % 4] - quad[k];
    if (std::abs(u.dot(v) / (cv::norm(u) * cv::norm(v) + 1e-9)) >= 0.5) return false;
  }
  return true;
}

// Every choice of four of `poly`'s sides, in their order round it, whose neighbours' lines meet
// inside `frame` in corners that look like a photographed sheet (sheetCorners): `use` is given
// the four corners.
template <typename Use>
void forEachSheetOfSides(const std::vector<cv::Point>& poly, const cv::Rect2f& frame, Use&& use) {
  const std::size_t n = poly.size();
  auto intersect = [&](std::size_t i, std::size_t j, cv::Point2f& out) {
    const cv::Point2f a1 = poly[i], a2 = poly[(i + 1) % n], b1 = poly[j], b2 = poly[(j + 1) % n];
    const cv::Point2f da = a2 - a1, db = b2 - b1;
    const float denom = da.x * db.y - da.y * db.x;
    if (std::abs(denom) < 1e-3f) return false;
    const float t = ((b1.x - a1.x) * db.y - (b1.y - a1.y) * db.x) / denom;
    out = a1 + t * da;
    return true;
  };
  for (std::size_t a = 0; a < n; ++a)
    for (std::size_t b = a + 1; b < n; ++b)
      for (std::size_t c = b + 1; c < n; ++c)
        for (std::size_t d = c + 1; d < n; ++d) {
          const std::size_t side[4] = {a, b, c, d};
          std::vector<cv::Point2f> quad(4);
          bool ok = true;
          for (int k = 0; k < 4 && ok; ++k)
            ok = intersect(side[k], side[(k + 1) % 4], quad[k]) && frame.contains(quad[k]);
          if (ok && sheetCorners(quad)) use(quad);
        }
}

std::vector<cv::Point2f> outlineCorners(const std::vector<cv::Point>& outline, double area,
                                        const cv::Size& small, double scale,
                                        const cv::Size& photo) {
  std::vector<cv::Point> hull;
  cv::convexHull(outline, hull);
  std::vector<cv::Point> poly;
  cv::approxPolyDP(hull, poly, 0.01 * cv::arcLength(hull, true), true);
  std::vector<cv::Point2f> pts;
  const cv::Rect2f frame(-0.1f * small.width, -0.1f * small.height, 1.2f * small.width,
                         1.2f * small.height);
  if (poly.size() >= 4 && poly.size() <= 12) {
    // The paper's edges are four of the outline's sides; extra sides come from corners cut off by
    // a shadow, a finger or the frame. Try every choice of four sides, intersect neighbours, and
    // keep the smallest quadrilateral that looks like a photographed sheet: convex, corners near
    // right angles, holding the whole outline.
    double bestArea = 1e18;
    forEachSheetOfSides(poly, frame, [&](const std::vector<cv::Point2f>& quad) {
      for (const auto& p : hull)
        if (cv::pointPolygonTest(
                quad, cv::Point2f(static_cast<float>(p.x), static_cast<float>(p.y)), true) < -3)
          return;
      const double qa = cv::contourArea(quad);
      if (qa < bestArea) {
        bestArea = qa;
        pts.clear();
        for (const auto& q : quad)
          pts.emplace_back(static_cast<float>(q.x / scale), static_cast<float>(q.y / scale));
      }
    });
  }
  const cv::Rect2f bounds(-0.1f * photo.width, -0.1f * photo.height, 1.2f * photo.width,
                          1.2f * photo.height);
  bool sane = pts.size() == 4;
  for (const auto& p : pts) sane = sane && bounds.contains(p);
  if (sane) sane = cv::isContourConvex(pts) && cv::contourArea(pts) >= 0.9 * area / (scale * scale);
  if (!sane) {
    pts.clear();
    cv::Point2f box[4];
    cv::minAreaRect(hull).points(box);
    for (const auto& p : box)
      pts.emplace_back(static_cast<float>(p.x / scale), static_cast<float>(p.y / scale));
  }
  return pts;
}

// How far a point is from the line through `a` and `b`.
double distanceToLine(const cv::Point2f& p, const cv::Point2f& a, const cv::Point2f& b) {
  const cv::Point2f d = b - a;
  const double length = std::hypot(d.x, d.y);
  if (length < 1e-6) return std::hypot(p.x - a.x, p.y - a.y);
  return std::abs(d.x * (p.y - a.y) - d.y * (p.x - a.x)) / length;
}

// A sheet inside a region that took in something touching it (a receipt under the paper's
// corner, another sheet beside it): four of the straight stretches of the region's outline, in
// their order round it, are the paper's sides; the others belong to what joined it. The sheet-
// shaped quadrilaterals their lines make (a thirtieth of the photo or more, corners within a tenth
// of the frame round it) along whose sides the outline runs for half their total length or more
// (its stretches within 1.5% of the quadrilateral's size of a side's line), the kAlongKept it runs
// along furthest (a sheet's side interrupted by a receipt is still the side; which
// is the paper, the colour across the sides tells: sideSupport). None when the outline has fewer
// than four or more than 24 stretches.
constexpr std::size_t kAlongKept = 6;
std::vector<std::vector<cv::Point2f>> quadsAlongOutline(const std::vector<cv::Point>& outline,
                                                        const cv::Size& size) {
  std::vector<cv::Point> poly;
  cv::approxPolyDP(outline, poly, 0.008 * cv::arcLength(outline, true), true);
  const std::size_t n = poly.size();
  if (n < 4 || n > 24) return {};
  const cv::Rect2f frame(-0.1f * size.width, -0.1f * size.height, 1.2f * size.width,
                         1.2f * size.height);
  std::vector<std::pair<double, std::vector<cv::Point2f>>> followed;  // share followed, quad
  const double least = static_cast<double>(size.area()) / 30.0;
  forEachSheetOfSides(poly, frame, [&](std::vector<cv::Point2f>& quad) {
    const double area = cv::contourArea(quad);
    if (area < least) return;
    if (!sheetShaped(rounded(quad))) return;
    // The outline's stretches that lie along one of the quadrilateral's sides.
    const double near = std::max(3.0, 0.015 * std::sqrt(area));
    double perimeter = 0, along = 0;
    for (int k = 0; k < 4; ++k) perimeter += cv::norm(quad[(k + 1) % 4] - quad[k]);
    for (std::size_t i = 0; i < n; ++i) {
      const cv::Point2f p = poly[i], q = poly[(i + 1) % n];
      for (int k = 0; k < 4; ++k)
        if (distanceToLine(p, quad[k], quad[(k + 1) % 4]) <= near &&
            distanceToLine(q, quad[k], quad[(k + 1) % 4]) <= near &&
            cv::pointPolygonTest(quad, (p + q) * 0.5f, true) >= -near) {
          along += cv::norm(q - p);
          break;
        }
    }
    if (along >= 0.5 * perimeter) followed.emplace_back(along / perimeter, std::move(quad));
  });
  std::stable_sort(followed.begin(), followed.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  std::vector<std::vector<cv::Point2f>> quads;
  for (std::size_t i = 0; i < followed.size() && i < kAlongKept; ++i)
    quads.push_back(std::move(followed[i].second));
  return quads;
}

// A sheet's side is where the colour changes across it: from this distance (Lab, 8-bit units)
// between the two sides of a point of it.
constexpr double kColourStep = 12;

// The share of a quadrilateral's sides along which the colour changes across them (by
// kColourStep, between points a little inside and a little outside), on the (smoothed Lab) small
// photo: a paper's outline on its desk has it all round, save where something as light touches
// it; an outline that took in a receipt, a box or a piece of desk runs partly through the desk.
// Where the point outside is beyond the frame, the side counts where the paper reaches the frame
// (the point inside within kColourStep of the paper's colour just inside the sides where they
// step), so that an outline stretched to the frame over the desk is not supported there. The
// sides' ends are left out (a shadow or a thumb at a corner), and so is a side with less than
// half of it judged. -1 when fewer than three sides are left. `atFrame`, when given, is set to the
// share of the points inside the picture whose point outside is beyond the frame.
double sideSupport(const cv::Mat& lab, const std::vector<cv::Point2f>& quad,
                   double* atFrame = nullptr) {
  cv::Point2f centre(0, 0);
  for (const auto& q : quad) centre += q * 0.25f;
  double shortest = 1e9;
  for (int k = 0; k < 4; ++k) shortest = std::min(shortest, cv::norm(quad[(k + 1) % 4] - quad[k]));
  const float across = static_cast<float>(std::max(3.0, 0.012 * shortest));
  const cv::Rect picture(1, 1, lab.cols - 2, lab.rows - 2);
  auto labDistance = [](const cv::Vec3b& u, const cv::Vec3d& v) {
    double d2 = 0;
    for (int c = 0; c < 3; ++c) d2 += (u[c] - v[c]) * (u[c] - v[c]);
    return std::sqrt(d2);
  };
  struct Side {
    int samples = 0, seen = 0, steps = 0;
    std::vector<cv::Point> atFrame;  // points inside where the point outside is beyond the frame
  };
  std::array<Side, 4> sides;
  cv::Vec3d paper(0, 0, 0);
  int paperSeen = 0;
  for (int k = 0; k < 4; ++k) {
    const cv::Point2f a = quad[k], d = quad[(k + 1) % 4] - quad[k];
    const float length = std::hypot(d.x, d.y);
    if (length < 1) continue;
    cv::Point2f out(-d.y / length, d.x / length);
    if (out.dot(a + 0.5f * d - centre) < 0) out = -out;
    Side& side = sides[static_cast<std::size_t>(k)];
    side.samples = std::max(8, static_cast<int>(length / 4));
    for (int i = 0; i < side.samples; ++i) {
      const float t =
          0.1f + 0.8f * (static_cast<float>(i) + 0.5f) / static_cast<float>(side.samples);
      const cv::Point2f p = a + t * d;
      const cv::Point in(cvRound(p.x - out.x * across), cvRound(p.y - out.y * across));
      const cv::Point outside(cvRound(p.x + out.x * across), cvRound(p.y + out.y * across));
      if (!picture.contains(in)) continue;
      if (!picture.contains(outside)) {
        side.atFrame.push_back(in);
        continue;
      }
      ++side.seen;
      const cv::Vec3b u = lab.at<cv::Vec3b>(in);
      if (labDistance(u, cv::Vec3d(lab.at<cv::Vec3b>(outside))) >= kColourStep) {
        ++side.steps;
        paper += cv::Vec3d(u);
        ++paperSeen;
      }
    }
  }
  if (paperSeen > 0) paper /= paperSeen;
  if (atFrame) {
    std::size_t beyond = 0, inside = 0;
    for (const Side& side : sides) {
      beyond += side.atFrame.size();
      inside += static_cast<std::size_t>(side.seen) + side.atFrame.size();
    }
    *atFrame = inside > 0 ? static_cast<double>(beyond) / static_cast<double>(inside) : 0;
  }
  double sum = 0;
  int judged = 0;
  for (Side& side : sides) {
    if (paperSeen > 0)
      for (const cv::Point& in : side.atFrame) {
        ++side.seen;
        if (labDistance(lab.at<cv::Vec3b>(in), paper) < kColourStep) ++side.steps;
      }
    if (side.samples > 0 && side.seen * 2 >= side.samples) {
      sum += static_cast<double>(side.steps) / side.seen;
      ++judged;
    }
  }
  return judged >= 3 ? sum / judged : -1;
}

// A sheet's outline is taken for the paper when its sides are this well supported (sideSupport).
constexpr double kSupported = 0.85;
// Another outline must be at least this share of the area of what was found first, unless that
// fills the frame (a receipt or a box beside a faintly edged paper is not the paper).
constexpr double kSmallestOther = 0.2;
// Outlines supported within this much of the best are told apart by how they are framed.
constexpr double kSupportTie = 0.05;
// What was found first stands against an outline mostly outside it (a sheet beside it) that is
// framed no better, when its own sides are supported this much (sideSupport); supported less, the
// regions brighter than each level are weighed besides (brightLevelSheets).
constexpr double kPlausible = 0.5;
// Two outlines whose overlap is this share of their union or more are taken for the same paper.
constexpr double kSamePaper = 0.85;
// An outline inside the one chosen (all but kOutside of its area), from kInnerAtLeast of the
// chosen one's area up to kInnerAtMost, is taken instead when it is a sheet of its own (its inside
// differs from the ring round it by kSheetEdge on every side: not a form's ruled border, which has
// a margin of the same paper outside it) and is supported kInnerGain more than the one chosen, or
// within kSupportTie where the one chosen has a side along the frame (kAlongTheFrame of its points
// there, which the paper's colour supports wherever a light counter reaches the frame).
constexpr double kOutside = 0.05;
constexpr double kInnerAtLeast = 0.5;
constexpr double kInnerAtMost = 0.97;
constexpr double kInnerGain = 0.04;
constexpr double kAlongTheFrame = 0.1;
// Of the colour-edge outlines, the largest this many are weighed (each closed run of edges gives
// one inside and one outside; a tiled mat gives hundreds of small ones).
constexpr std::size_t kColourOutlinesWeighed = 8;

// The area that `a` and `b` both cover, in pixels of an image of `size` (cv::intersectConvexConvex
// is not used: OpenCV 4.6 gets it wrong for outlines that nearly coincide or share a side, which
// is what two outlines of one paper do).
double sharedArea(const std::vector<cv::Point2f>& a, const std::vector<cv::Point2f>& b,
                  const cv::Size& size) {
  auto filled = [&](const std::vector<cv::Point2f>& q) {
    cv::Mat mask(size, CV_8U, cv::Scalar(0));
    cv::fillConvexPoly(mask, rounded(q), cv::Scalar(255));
    return mask;
  };
  return cv::countNonZero(filled(a) & filled(b));
}

// The sheet-like outlines among the colour edges (colourEdgeOutlines, closed at the frame), the
// largest kColourOutlinesWeighed: each by its corners (outlineCorners), then the quadrilaterals
// along it (quadsAlongOutline). In the small photo's coordinates.
std::vector<std::vector<cv::Point2f>> colourEdgeSheets(const cv::Mat& lab, const cv::Mat& smooth) {
  auto hulls = colourEdgeOutlines(lab, smooth, true);
  std::stable_sort(hulls.begin(), hulls.end(), [](const auto& x, const auto& y) {
    return cv::contourArea(x) > cv::contourArea(y);
  });
  if (hulls.size() > kColourOutlinesWeighed) hulls.resize(kColourOutlinesWeighed);
  std::vector<std::vector<cv::Point2f>> sheets;
  for (const auto& hull : hulls) {
    sheets.push_back(outlineCorners(hull, cv::contourArea(hull), lab.size(), 1, lab.size()));
    for (auto& quad : quadsAlongOutline(hull, lab.size())) sheets.push_back(std::move(quad));
  }
  return sheets;
}

// How a photographer would have framed `quad` as the paper, in a photo of `size`: the square root
// of its share of the photo times one less its centre's distance from the photo's centre over half
// the diagonal. The paper is large and central; a receipt or a sheet cut off by the frame is
// smaller and off centre.
double framing(const std::vector<cv::Point2f>& quad, const cv::Size& size) {
  const double total = static_cast<double>(size.area());
  cv::Point2f centre(0, 0);
  for (const auto& p : quad) centre += p * 0.25f;
  const cv::Point2f middle(static_cast<float>(size.width) / 2, static_cast<float>(size.height) / 2);
  return std::sqrt(cv::contourArea(quad) / total) *
         (1 - cv::norm(centre - middle) / std::hypot(middle.x, middle.y));
}

// Whether `quad` could be the paper at all: four corners, a thirtieth of the photo (`lab`) or more,
// and paper-coloured inside.
bool paperSized(const cv::Mat& lab, const std::vector<cv::Point2f>& quad) {
  return quad.size() == 4 && cv::contourArea(quad) >= static_cast<double>(lab.total()) / 30.0 &&
         paperColoured(lab, rounded(quad));
}

// `quad` with every point multiplied by `factor` (from the small photo to the photo, or back).
std::vector<cv::Point2f> scaled(const std::vector<cv::Point2f>& quad, double factor) {
  std::vector<cv::Point2f> out;
  for (const auto& p : quad) out.push_back(p * static_cast<float>(factor));
  return out;
}

// The paper among the outlines a busy desk offers: `found` (what the bright region gave, or the
// whole frame when it gave no sheet: the frame's sides are never supported, so it is never
// chosen; `foundSupport` its sideSupport, measured by the caller), the quadrilaterals along the
// bright region's `region` outline (quadsAlongOutline; none when it is empty), those in
// `levelSheets` (brightLevelSheets), and the largest sheet-like colour-edge outlines (closed at the
// frame) with the quadrilaterals along them. Of those paper-coloured, a thirtieth of the photo or
// more, at least kSmallestOther of `found` (unless that fills the frame) and supported
// (kSupported), within kSupportTie of the best support: the best framed (framing), as a
// photographer frames the paper. An outline joining a receipt to the paper runs through the desk
// and is less supported. Then, again and again while there is one, an outline inside the one chosen
// that is a sheet of its own and better supported is taken instead (kInnerGain; within kSupportTie
// where the one chosen has a side along the frame, kAlongTheFrame): the one chosen took in a
// receipt touching the paper, a strip of a light counter to the frame, or the phone round a paper
// shown on its screen. `found` stands (none is returned) when the outline chosen is another
// outline of the same paper (kSamePaper) and no sheet inside it better supported (kInnerGain), or
// lies mostly outside a `found` supported at least kPlausible and framed as well (a sheet beside
// a faintly edged paper). `foundAtFrame` is the share of `found`'s side points along the frame
// (sideSupport). All in the small photo's coordinates (`lab`, and `smooth` the same through a 5x5
// Gaussian).
std::optional<std::vector<cv::Point2f>> betterSheet(
    const cv::Mat& lab, const cv::Mat& smooth, const std::vector<cv::Point>& region,
    const std::vector<cv::Point2f>& found, double foundSupport, double foundAtFrame,
    const std::vector<std::vector<cv::Point2f>>& levelSheets) {
  if (found.size() != 4) return std::nullopt;
  const cv::Size size = lab.size();
  std::vector<std::vector<cv::Point2f>> outlines{found};
  if (!region.empty())
    for (auto& quad : quadsAlongOutline(region, size)) outlines.push_back(std::move(quad));
  outlines.insert(outlines.end(), levelSheets.begin(), levelSheets.end());
  for (auto& quad : colourEdgeSheets(lab, smooth)) outlines.push_back(std::move(quad));
  const double total = static_cast<double>(lab.total());
  const double foundArea = cv::contourArea(found);
  const bool foundIsFrame = foundArea >= kFillsTheFrame * total;
  struct Scored {
    double support, framing;
    double atFrame;  // sideSupport's share of points along the frame
  };
  std::vector<Scored> scored;
  double bestSupport = -1;
  for (std::size_t i = 0; i < outlines.size(); ++i) {
    const auto& q = outlines[i];
    const double area = cv::contourArea(q);
    const bool candidate =
        (i == 0 || foundIsFrame || area >= kSmallestOther * foundArea) && paperSized(lab, q);
    double atFrame = i == 0 ? foundAtFrame : 0;
    const double support = !candidate ? -1
                           : i == 0   ? foundSupport
                                      : sideSupport(smooth, q, &atFrame);
    scored.push_back({support >= kSupported ? support : -1, framing(q, size), atFrame});
    bestSupport = std::max(bestSupport, scored.back().support);
  }
  if (bestSupport < 0) return std::nullopt;
  std::size_t pick = 0;
  double bestFraming = -1;
  for (std::size_t i = 0; i < outlines.size(); ++i)
    if (scored[i].support >= 0 && scored[i].support >= bestSupport - kSupportTie &&
        scored[i].framing > bestFraming) {
      bestFraming = scored[i].framing;
      pick = i;
    }
  // Whether outline j (its area `area`) is a sheet inside `outer` (its area `outerArea`, supported
  // `outerSupport`, `outerAtFrame` of its points along the frame) that is better supported
  // (kInnerGain): `outer` took in a strip of desk to the frame, a receipt touching the paper, or
  // the phone round a paper shown on its screen. (An outline reaching the frame has no ring there
  // and is never such a sheet.)
  auto sheetInside = [&](std::size_t j, double area, const std::vector<cv::Point2f>& outer,
                         double outerArea, double outerSupport, double outerAtFrame) {
    return outerSupport >= 0 && scored[j].support >= 0 &&
           scored[j].support >=
               outerSupport + (outerAtFrame >= kAlongTheFrame ? -kSupportTie : kInnerGain) &&
           area >= kInnerAtLeast * outerArea && area <= kInnerAtMost * outerArea &&
           sharedArea(outlines[j], outer, size) >=
               (1 - kOutside) * sharedArea(outlines[j], outlines[j], size) &&
           ringContrast(lab, rounded(outlines[j])) >= kSheetEdge;
  };
  // The best supported (then best framed) sheet inside the one chosen is chosen instead, as long
  // as there is one.
  for (bool moved = true; moved;) {
    moved = false;
    std::size_t inner = pick;
    for (std::size_t j = 0; j < outlines.size(); ++j) {
      if (!sheetInside(j, cv::contourArea(outlines[j]), outlines[pick],
                       cv::contourArea(outlines[pick]), scored[pick].support, scored[pick].atFrame))
        continue;
      if (inner == pick || scored[j].support > scored[inner].support ||
          (scored[j].support == scored[inner].support && scored[j].framing > scored[inner].framing))
        inner = j;
    }
    if (inner != pick) {
      pick = inner;
      moved = true;
    }
  }
  if (pick == 0) return std::nullopt;
  // Another outline of the same paper (the colour edges' or the region's own, a few pixels off)
  // leaves what was found as it was, unless it is a sheet inside what was found (sheetInside, its
  // areas counted on masks like the overlap here).
  const double pickArea = sharedArea(outlines[pick], outlines[pick], size);
  const double ownArea = sharedArea(found, found, size);
  const double shared = sharedArea(outlines[pick], found, size);
  const double joined = pickArea + ownArea - shared;
  if (joined > 0 && shared / joined >= kSamePaper &&
      !sheetInside(pick, pickArea, found, ownArea, foundSupport, foundAtFrame))
    return std::nullopt;
  // An outline mostly outside what was found (a sheet beside it, not the paper within what the
  // bright region took in) must also be framed better than it, where what was found has its sides
  // mostly supported: a faintly edged paper in the middle stands against a sheet at the edge.
  if (shared < 0.5 * pickArea && !foundIsFrame && foundSupport >= kPlausible &&
      scored[0].framing >= scored[pick].framing)
    return std::nullopt;
  return outlines[pick];
}

// A photo taken in low light has even its brightest part, the paper, far below white: on the
// generator's photos in low light the 99th percentile of the brightest channel is 50-92, on all
// others (phone photos, scans, screens, rx-photos-v1) 145 or more. Below kUnderexposed, the small
// photo is brightened until that percentile is kExposedPaper, as a camera's exposure would have
// done, so that the paper is as light as paper and its edges step as far as on a lit desk. The
// threshold lies in the gap between the two (a photo just below it is brightened by 1.7, one
// just above it not at all). A photo darker than kDarkest shows next to nothing: brightened, its
// noise would fill the frame as a bright region. Returns whether the photo was brightened.
constexpr int kUnderexposed = 128;
constexpr double kExposedPaper = 220;
constexpr int kDarkest = 32;
bool exposeForPaper(cv::Mat& small) {
  CV_Assert(small.type() == CV_8UC3);
  std::array<std::size_t, 256> histogram{};
  for (int y = 0; y < small.rows; ++y) {
    const auto* p = small.ptr<cv::Vec3b>(y);
    for (int x = 0; x < small.cols; ++x) ++histogram[std::max({p[x][0], p[x][1], p[x][2]})];
  }
  std::size_t above = 0;
  int brightest = 255;
  while (brightest > 0 &&
         (above += histogram[static_cast<std::size_t>(brightest)]) < small.total() / 100)
    --brightest;
  if (brightest < kDarkest || brightest >= kUnderexposed) return false;
  small.convertTo(small, -1, kExposedPaper / brightest);
  return true;
}

// The paper-likeness levels at which a paper is looked for as a region of its own: from
// kFirstLevel up, every kLevelStep.
constexpr int kFirstLevel = 100;
constexpr int kLevelStep = 10;
// The regions brighter than each level of `score` (paper-likeness), a thirtieth of the photo up to
// kFillsTheFrame, as quadrilaterals: a sheet-shaped one (sheetShaped) by its corners
// (outlineCorners), another by the quadrilaterals along its outline (quadsAlongOutline: a receipt
// under the paper joins it at every level). At some level the paper stands apart from what is a
// little less bright round it: lit tiles of a mat, a light counter. (Weighed only where findPage
// has no sheet from the bright region, or what it found is poorly supported: a shadow across a
// paper splits it at some level into two sheet-shaped parts, and the lit part's sides step as a
// sheet's do.)
std::vector<std::vector<cv::Point2f>> brightLevelSheets(const cv::Mat& score) {
  std::vector<std::vector<cv::Point2f>> sheets;
  const double total = static_cast<double>(score.total());
  const cv::Mat open = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
  for (int level = kFirstLevel; level < 255; level += kLevelStep) {
    cv::Mat mask;
    cv::threshold(score, mask, level, 255, cv::THRESH_BINARY);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, open);
    std::vector<std::vector<cv::Point>> regions;
    cv::findContours(mask, regions, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    for (const auto& region : regions) {
      const double area = cv::contourArea(region);
      if (area < total / 30.0 || area > kFillsTheFrame * total) continue;
      if (sheetShaped(region))
        sheets.push_back(outlineCorners(region, area, score.size(), 1, score.size()));
      else
        for (auto& quad : quadsAlongOutline(region, score.size()))
          sheets.push_back(std::move(quad));
    }
  }
  return sheets;
}

// The photo as the paper is looked for in it: 800 px on its longer side, brightened when taken in
// low light, and its paper-likeness.
struct SmallPhoto {
  double scale = 1;  // of the small photo over the photo
  cv::Mat small;     // BGR
  // Paper is bright and unsaturated; a desk or a hand is darker or coloured. Shadows darken the
  // paper but keep it unsaturated: brightness less saturation (HSV), through a 5x5 Gaussian.
  cv::Mat score;
  bool dim = false;  // taken in low light (exposeForPaper brightened it)
};

SmallPhoto smallPhoto(const cv::Mat& bgr) {
  SmallPhoto p;
  p.scale = 800.0 / std::max(bgr.cols, bgr.rows);
  cv::resize(bgr, p.small, cv::Size(), p.scale, p.scale, cv::INTER_AREA);
  p.dim = exposeForPaper(p.small);
  cv::Mat hsv;
  cv::cvtColor(p.small, hsv, cv::COLOR_BGR2HSV);
  std::vector<cv::Mat> ch;
  cv::split(hsv, ch);
  cv::addWeighted(ch[2], 1.0, ch[1], -1.0, 0, p.score);
  cv::GaussianBlur(p.score, p.score, cv::Size(5, 5), 0);
  return p;
}

// The small photo in Lab (`lab`), and the same through a 5x5 Gaussian (`smooth`), for the colour
// edges.
void inLab(const cv::Mat& small, cv::Mat& lab, cv::Mat& smooth) {
  cv::cvtColor(small, lab, cv::COLOR_BGR2Lab);
  cv::GaussianBlur(lab, smooth, cv::Size(5, 5), 0);
}

// A paper's sides: the longer pair (opposite sides added) at most this many times the shorter. A
// receipt is a strip; a band of a paper cut off by a shadow or a rule is too.
constexpr double kSheetAspect = 2;

bool stripShaped(const std::vector<cv::Point2f>& quad) {
  const double across = cv::norm(quad[1] - quad[0]) + cv::norm(quad[3] - quad[2]);
  const double down = cv::norm(quad[2] - quad[1]) + cv::norm(quad[0] - quad[3]);
  return std::max(across, down) > kSheetAspect * std::min(across, down);
}

// The next likeliest outline of the paper besides `found` (what findPage chose, or the whole frame
// when it found none): of the regions brighter than each level (brightLevelSheets) and the colour
// edges' sheets (colourEdgeSheets), those paper-coloured, a thirtieth of the photo or more, no
// strip (kSheetAspect), another outline than `found` (overlapping it less than kSamePaper) and
// supported kPlausible or more: the one whose support times framing is the most. Read when what was
// found read nothing (a receipt, a light counter with the paper on it, a phone round a screen, a
// band of the paper under a shadow): on the generator's busy desks it is the paper for a quarter of
// the photos whose page found is not (31 of 123, seeds 4242 and 9191). None when there is none.
// All in the small photo's coordinates (`lab`, `smooth` as for betterSheet, `score` its
// paper-likeness).
std::optional<std::vector<cv::Point2f>> otherSheet(const cv::Mat& lab, const cv::Mat& smooth,
                                                   const cv::Mat& score,
                                                   const std::vector<cv::Point2f>& found) {
  const cv::Size size = lab.size();
  std::vector<std::vector<cv::Point2f>> outlines = brightLevelSheets(score);
  for (auto& quad : colourEdgeSheets(lab, smooth)) outlines.push_back(std::move(quad));
  const double foundArea = sharedArea(found, found, size);
  std::optional<std::vector<cv::Point2f>> best;
  double bestScore = -1;
  for (const auto& q : outlines) {
    if (!paperSized(lab, q) || stripShaped(q)) continue;
    const double area = sharedArea(q, q, size), shared = sharedArea(q, found, size);
    if (shared >= kSamePaper * (area + foundArea - shared)) continue;
    const double support = sideSupport(smooth, q);
    if (support < kPlausible) continue;
    const double likely = support * framing(q, size);
    if (likely > bestScore) {
      bestScore = likely;
      best = q;
    }
  }
  return best;
}

// findPage, and whether the photo was taken in low light (exposeForPaper brightened it).
bool findPageIn(const cv::Mat& bgr, std::array<cv::Point2f, 4>& corners, bool& dim) {
  const SmallPhoto photo = smallPhoto(bgr);
  dim = photo.dim;
  const double scale = photo.scale;
  const cv::Mat& small = photo.small;
  const cv::Mat& score = photo.score;
  cv::Mat mask;
  cv::threshold(score, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(15, 15)));
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  if (contours.empty()) return false;
  auto largest = std::max_element(contours.begin(), contours.end(), [](auto& a, auto& b) {
    return cv::contourArea(a) < cv::contourArea(b);
  });
  const double area = cv::contourArea(*largest);
  cv::Mat lab, smooth;
  // A sheet down to a thirtieth of the frame is looked for (a paper a quarter of the frame's width
  // on a desk). Below a sixth, the bright region must also be shaped like a sheet: solid (it fills
  // most of its smallest enclosing rectangle) and not a strip, so a lamp or a white cup is not
  // taken for the page. When the bright region is smaller than a thirtieth, or than a sixth and no
  // sheet's shape (lit tiles joined to the paper), the paper is looked for among the regions
  // brighter than each level and the colour edges, weighed as against the whole frame
  // (betterSheet: every outline may be taken, however small beside the frame). None is found when
  // no paper-coloured outline is supported (kSupported), or the one chosen covers most of the
  // frame (kSamePaper).
  if (area < small.total() / 30.0 || (area < small.total() / 6.0 && !sheetShaped(*largest))) {
    const auto w = static_cast<float>(small.cols), h = static_cast<float>(small.rows);
    const std::vector<cv::Point2f> frame{{0, 0}, {w, 0}, {w, h}, {0, h}};
    inLab(small, lab, smooth);
    double frameAtFrame = 0;
    const double frameSupport = sideSupport(smooth, frame, &frameAtFrame);
    const auto sheet =
        betterSheet(lab, smooth, {}, frame, frameSupport, frameAtFrame, brightLevelSheets(score));
    if (!sheet) return false;
    corners = orderCorners(scaled(*sheet, 1 / scale));
    return true;
  }
  std::vector<cv::Point2f> pts = outlineCorners(*largest, area, small.size(), scale, bgr.size());
  // What was found (`pts`; `region` the outline it came from, or that the colour edges' outline
  // replaced) is checked against the other outlines the photo offers: on a busy desk the bright
  // region can be a receipt or another sheet, or the paper with what touches it. (What was found is
  // kept to the last bit when it stands: the page is read through it.) Where what was found is
  // poorly supported (a strip of receipt cut off by the frame, the whole of a light counter), the
  // regions brighter than each level are weighed with the rest.
  auto weighedAgainstTheRest = [&](const std::vector<cv::Point>& region) {
    const std::vector<cv::Point2f> found = scaled(pts, scale);
    double foundAtFrame = 0;
    const double foundSupport = sideSupport(smooth, found, &foundAtFrame);
    const auto levels = foundSupport < kPlausible ? brightLevelSheets(score)
                                                  : std::vector<std::vector<cv::Point2f>>{};
    if (const auto other =
            betterSheet(lab, smooth, region, found, foundSupport, foundAtFrame, levels))
      pts = scaled(*other, 1 / scale);
  };
  // A paper-bright outline much smaller than what was found, inside it, is taken for the paper,
  // and weighed against the rest like the bright region's (its hull can take in a receipt or a
  // dark box touching the paper).
  const std::vector<cv::Point> paper = brightOutline(score);
  if (!paper.empty() &&
      cv::contourArea(paper) < kInnerPaperAtMost * cv::contourArea(pts) * scale * scale) {
    const cv::Moments m = cv::moments(paper);
    const cv::Point2f centre(static_cast<float>(m.m10 / m.m00 / scale),
                             static_cast<float>(m.m01 / m.m00 / scale));
    if (cv::pointPolygonTest(pts, centre, false) > 0) {
      pts = outlineCorners(paper, cv::contourArea(paper), small.size(), scale, bgr.size());
      inLab(small, lab, smooth);
      weighedAgainstTheRest(paper);
      corners = orderCorners(pts);
      return true;
    }
  }
  // A bright region that fills the frame (a light counter) or is no sheet's shape (a receipt or
  // another sheet joined to the paper): the paper is looked for among the colour edges.
  inLab(small, lab, smooth);
  if (area >= kFillsTheFrame * small.total() || !sheetShaped(*largest)) {
    const std::vector<cv::Point> sheet = sheetByColourEdges(lab, smooth);
    if (!sheet.empty())
      pts = outlineCorners(sheet, cv::contourArea(sheet), small.size(), scale, bgr.size());
  }
  weighedAgainstTheRest(*largest);
  corners = orderCorners(pts);
  return true;
}

}  // namespace

bool findPage(const cv::Mat& bgr, std::array<cv::Point2f, 4>& corners) {
  bool dim = false;
  return findPageIn(bgr, corners, dim);
}

namespace {

// Above this redness (red over the larger of green and blue, on paper as bright as 255) a pixel is
// red ink, not paper; at twice it, nothing but red ink.
constexpr float kRedInk = 24;

// The paper's brightness in one 8-bit channel, at the channel's size: at a quarter of the size,
// the ink's strokes closed away by a 9x9 maximum, smoothed, then enlarged again.
cv::Mat paperLevel(const cv::Mat& channel) {
  cv::Mat paper;
  cv::resize(channel, paper, cv::Size(std::max(1, channel.cols / 4), std::max(1, channel.rows / 4)),
             0, 0, cv::INTER_AREA);
  cv::dilate(paper, paper, cv::getStructuringElement(cv::MORPH_RECT, {9, 9}));
  cv::blur(paper, paper, cv::Size(9, 9));
  cv::resize(paper, paper, channel.size(), 0, 0, cv::INTER_LINEAR);
  return paper;
}

// How far red stands above green and blue in each pixel, scaled to paper as bright as 255 (CV_8U,
// 0 where it does not), and the paper's brightness (its brightest channel) that it was scaled by.
// A seal photographed in low light, or on a screen turned down, is as red as in daylight but a
// quarter as bright: measured against the brightness of the paper around it, it is red ink all
// the same.
cv::Mat rednessOf(const cv::Mat& bgr, cv::Mat* paperOut = nullptr) {
  cv::Mat brightest(bgr.size(), CV_8U);
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* p = bgr.ptr<cv::Vec3b>(y);
    uchar* out = brightest.ptr<uchar>(y);
    for (int x = 0; x < bgr.cols; ++x) out[x] = std::max({p[x][0], p[x][1], p[x][2]});
  }
  const cv::Mat paper = paperLevel(brightest);
  cv::Mat redness(bgr.size(), CV_8U);
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b* p = bgr.ptr<cv::Vec3b>(y);
    const uchar* level = paper.ptr<uchar>(y);
    uchar* out = redness.ptr<uchar>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const int red = p[x][2] - std::max(p[x][0], p[x][1]);
      out[x] =
          red <= 0 ? 0 : static_cast<uchar>(std::min(255, red * 255 / std::max(32, int{level[x]})));
    }
  }
  if (paperOut) *paperOut = paper;
  return redness;
}

}  // namespace

bool hasRedInk(const cv::Mat& photo, const std::array<cv::Point2f, 4>* page) {
  if (photo.channels() < 3 || photo.empty()) return false;
  // At an eighth of the size a seal's ring or a stamp's letters still stand out; a few red pixels
  // of noise do not add up to 1/2000 of the paper. The photo's last few rows and columns beyond a
  // multiple of 8 are left out: each small pixel is then the mean of 8 x 8 (of a photo at least
  // 8 px each way), which OpenCV takes in a third of the time of a fractional scale.
  cv::Mat small;
  const int cols = photo.cols >= 8 ? photo.cols / 8 * 8 : photo.cols;
  const int rows = photo.rows >= 8 ? photo.rows / 8 * 8 : photo.rows;
  cv::resize(photo(cv::Rect(0, 0, cols, rows)), small,
             cv::Size(std::max(1, cols / 8), std::max(1, rows / 8)), 0, 0, cv::INTER_AREA);
  if (small.channels() == 4) cv::cvtColor(small, small, cv::COLOR_BGRA2BGR);
  const cv::Mat redness = rednessOf(small);
  cv::Mat inside(small.size(), CV_8U, cv::Scalar(255));
  if (page) {
    // Only on the paper, 4% of its size in from the outline found: a red or brown desk is not
    // ink, and the outline can take in a little of the desk.
    inside.setTo(0);
    std::vector<cv::Point> outline;
    for (const cv::Point2f& c : *page) outline.emplace_back(cv::Point(c * (1.0f / 8)));
    cv::fillConvexPoly(inside, outline, cv::Scalar(255));
    const cv::Rect extent = cv::boundingRect(outline);
    const int margin = std::max(2, std::min(extent.width, extent.height) / 25);
    cv::erode(inside, inside,
              cv::getStructuringElement(cv::MORPH_RECT, {2 * margin + 1, 2 * margin + 1}));
  }
  return cv::countNonZero((redness > 2 * kRedInk) & inside) > cv::countNonZero(inside) / 2000;
}

cv::Mat inkGray(const cv::Mat& photo) {
  if (photo.channels() == 1) return photo.clone();
  cv::Mat bgr = photo, gray;
  if (photo.channels() == 4) cv::cvtColor(photo, bgr, cv::COLOR_BGRA2BGR);
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  // A pixel of red ink takes the paper's grey around it. A seal's ink (R 170-220 over G, B 30-80
  // in daylight) is far above the threshold; paper under a warm light stays below it. Colour that
  // is not ink — the moiré of a photographed screen, a dim photo's colour noise, JPEG's fringes —
  // changes from pixel to pixel: only redness that holds over its 5x5 neighbourhood counts.
  // Between the threshold and twice it, the grey is taken part of the way.
  cv::Mat paper;
  cv::Mat redness = rednessOf(bgr, &paper), around;
  cv::blur(redness, around, cv::Size(5, 5));
  cv::min(redness, around, redness);
  const cv::Mat paperGray = paperLevel(gray);
  for (int y = 0; y < gray.rows; ++y) {
    const uchar* r = redness.ptr<uchar>(y);
    const cv::Vec3b* p = bgr.ptr<cv::Vec3b>(y);
    const uchar* level = paper.ptr<uchar>(y);
    const uchar* target = paperGray.ptr<uchar>(y);
    uchar* out = gray.ptr<uchar>(y);
    for (int x = 0; x < gray.cols; ++x) {
      if (r[x] <= kRedInk) continue;
      // Red ink is nearly as bright as the paper in the red channel; print under the seal is
      // dark in it, though the seal tints it red: below half the paper's brightness it is print,
      // and keeps its grey (weighed in from half to 0.7).
      const float redness01 = std::min(1.0f, (r[x] - kRedInk) / kRedInk);
      const float bright = static_cast<float>(p[x][2]) / std::max(32, int{level[x]});
      const float weight = redness01 * std::clamp((bright - 0.5f) * 5.0f, 0.0f, 1.0f);
      out[x] = cv::saturate_cast<uchar>(out[x] + weight * (target[x] - out[x]));
    }
  }
  return gray;
}

namespace {

// The dilation (`dilate`) or erosion of the 8-bit `src` by `kernel`, pixel for pixel as cv::dilate
// and cv::erode give it (anchor at the centre, the image's border ignored), for a kernel whose rows
// are runs centred on its middle column (an ellipse): the extreme, over the kernel's rows, of the
// image shifted by the row and taken over the row's width. Each width is the one before widened
// by a pixel each side, so a page takes one pass per width and one per row, where OpenCV takes a
// pass per row over the row's whole width (a 31 px ellipse's closing: ~32 ms, ~23 so, and ~15
// with the passes taken a strip of rows at a time).
cv::Mat byRowRuns(const cv::Mat& src, const cv::Mat& kernel, bool dilate) {
  CV_Assert(src.type() == CV_8UC1 && kernel.type() == CV_8UC1 && kernel.cols % 2 == 1);
  const int anchorY = kernel.rows / 2, anchorX = kernel.cols / 2;
  std::vector<int> half(static_cast<std::size_t>(kernel.rows), -1);  // -1: an empty row
  int widest = 0;
  for (int i = 0; i < kernel.rows; ++i) {
    const uchar* k = kernel.ptr<uchar>(i);
    int left = -1, right = -1;
    for (int j = 0; j < kernel.cols; ++j)
      if (k[j]) {
        if (left < 0) left = j;
        right = j;
      }
    if (left < 0) continue;
    CV_Assert(anchorX - left == right - anchorX);  // centred
    half[static_cast<std::size_t>(i)] = right - anchorX;
    widest = std::max(widest, right - anchorX);
  }
  const uchar neutral = dilate ? 0 : 255;
  cv::Mat padded;
  cv::copyMakeBorder(src, padded, anchorY, kernel.rows - 1 - anchorY, widest, widest,
                     cv::BORDER_CONSTANT, cv::Scalar(neutral));
  auto extreme = [dilate](const cv::Mat& a, const cv::Mat& b, cv::Mat& out) {
    if (dilate)
      cv::max(a, b, out);
    else
      cv::min(a, b, out);
  };
  cv::Mat out(src.size(), CV_8U, cv::Scalar(neutral));
  // The page is taken a strip of rows at a time, so that the passes over a strip find it in the
  // processor's cache (whole, the ~47 passes of a page's dilation or erosion by a 31 px ellipse
  // each went to memory: half as fast). A strip is widened with the kernel's reach of rows below
  // it: at least as many rows as that, so the widening is done at most twice over.
  const int reach = kernel.rows - 1;
  const int stripRows = std::max(64, reach);
  cv::Mat buffers[2] = {cv::Mat(stripRows + reach, padded.cols, CV_8U),
                        cv::Mat(stripRows + reach, padded.cols, CV_8U)};
  for (int top = 0; top < src.rows; top += stripRows) {
    const int rows = std::min(stripRows, src.rows - top);
    const cv::Mat in = padded.rowRange(top, top + rows + reach);
    cv::Mat strip = out.rowRange(top, top + rows);
    // `current`: each pixel the extreme of `in` over columns c ... c + 2w (two buffers taken in
    // turn, so a width is never written over the one it is made from).
    cv::Mat current = in;
    for (int w = 0; w <= widest; ++w) {
      if (w > 0) {
        const int n = current.cols;
        cv::Mat next = buffers[w % 2](cv::Rect(0, 0, n - 2, in.rows));
        if (w == 1) {  // columns c, c + 1 and c + 2
          extreme(current.colRange(0, n - 2), current.colRange(1, n - 1), next);
          extreme(next, current.colRange(2, n), next);
        } else {  // c ... c + 2w - 2 and c + 2 ... c + 2w
          extreme(current.colRange(0, n - 2), current.colRange(2, n), next);
        }
        current = next;
      }
      for (int i = 0; i < kernel.rows; ++i)
        if (half[static_cast<std::size_t>(i)] == w)
          extreme(strip, current(cv::Rect(widest - w, i, src.cols, rows)), strip);
    }
  }
  return out;
}

}  // namespace

cv::Mat closeWithEllipse(const cv::Mat& gray, int diameter) {
  const cv::Mat ellipse =
      cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(diameter, diameter));
  return byRowRuns(byRowRuns(gray, ellipse, true), ellipse, false);
}

cv::Mat flattenLighting(const cv::Mat& gray) {
  // The background (paper) brightness, estimated by closing away the dark strokes of text, then
  // smoothing; dividing by it turns gradients and shadow edges into a flat white.
  const int k = std::max(15, gray.cols / 40) | 1;
  cv::Mat background = closeWithEllipse(gray, k);
  cv::GaussianBlur(background, background, cv::Size(k, k), 0);
  cv::Mat flat;
  cv::divide(gray, background, flat, 255.0);
  // Stretch so that the darkest ink is black.
  double lo, hi;
  cv::minMaxLoc(flat, &lo, &hi);
  cv::Mat out;
  flat.convertTo(out, CV_8U, 255.0 / std::max(1.0, 255.0 - lo * 0.9),
                 -lo * 0.9 * 255.0 / std::max(1.0, 255.0 - lo * 0.9));
  return out;
}

cv::Mat withoutTexture(const cv::Mat& gray) {
  // Ink is a small part of a page, and flattened paper is white: a page with a fifth of its
  // pixels or more in mid grey (kMidGrey; rx-photos-v1's pages hold at most 7%) has a texture on
  // its paper. The texture's lower edge is found by Otsu's threshold among the pixels no lighter
  // than the page's median (the ink against the texture): what is lighter than a third of the
  // way from it to the median is paper.
  CV_Assert(gray.empty() || gray.type() == CV_8UC1);
  if (gray.empty()) return gray;
  std::array<double, 256> histogram{};
  for (int y = 0; y < gray.rows; ++y) {
    const uchar* g = gray.ptr<uchar>(y);
    for (int x = 0; x < gray.cols; ++x) ++histogram[g[x]];
  }
  const double total = static_cast<double>(gray.total());
  double mid = 0;
  for (int v = kMidGrey.start; v < kMidGrey.end; ++v) mid += histogram[static_cast<std::size_t>(v)];
  if (mid < kTexturedPaper * total) return gray;
  int median = 0;
  for (double seen = 0; median < 255; ++median) {
    seen += histogram[static_cast<std::size_t>(median)];
    if (seen >= total / 2) break;
  }
  // A page mostly darker than mid grey is no paper with a texture (a dark photo that was not
  // flattened): left alone.
  if (median < kMidGrey.start) return gray;
  // Otsu over 0..median.
  double count = 0, sum = 0;
  for (int v = 0; v <= median; ++v) {
    count += histogram[static_cast<std::size_t>(v)];
    sum += v * histogram[static_cast<std::size_t>(v)];
  }
  double below = 0, belowSum = 0, best = -1;
  int threshold = median;
  for (int v = 0; v < median; ++v) {
    below += histogram[static_cast<std::size_t>(v)];
    belowSum += v * histogram[static_cast<std::size_t>(v)];
    const double above = count - below;
    if (below == 0 || above == 0) continue;
    const double d = belowSum / below - (sum - belowSum) / above;
    const double between = below * above * d * d;
    if (between > best) {
      best = between;
      threshold = v;
    }
  }
  const int paper = threshold + (median - threshold) / 3;
  cv::Mat out = gray.clone();
  out.setTo(255, gray > paper);
  return out;
}

cv::Mat withoutGrain(const cv::Mat& gray) {
  // How grainy the paper is: the mean difference between each paper pixel and the median of its
  // 3x3 neighbourhood, measured here (before the rules are erased). rx-photos-v1's 160 pages
  // measure 0.3-1.5, the generator's plain phone photos up to 2.8; its low-light photos 2.8-7.7,
  // where Tesseract reads the grain as characters and loses the lines it sits between. Photos of
  // a screen, photocopies and crumpled paper measure 2.6-3.2 and read better through the median
  // too: at 3.0 instead of 2.5, the generator's hard photos lost 3 patients' names and a hospital
  // more than they gained; at 2.5, one of its 48 plain photos (2.6) lost a patient's name.
  cv::Mat median, difference;
  cv::medianBlur(gray, median, 3);
  cv::absdiff(gray, median, difference);
  const double grain = cv::mean(difference, median > 180)[0];
  return grain > kGrainyPaper ? median : gray;
}

cv::Mat withoutSpecks(const cv::Mat& gray) {
  // Flecks in recycled paper, dust on a scanner's glass, a photocopier's toner spots: Tesseract
  // reads them as punctuation and breaks the lines they sit in (a whole header line lost). A
  // speck is a bit of ink no bigger than a full stop's dot with no bigger ink near it (within
  // about half a text line): a colon or a decimal point is near its characters and stays. (Within
  // a third of a line, a full-width colon's upper dot was left out on rx-photos-v1 and labels
  // were lost with it.) Ink is taken in bits that a 1 px dilation joins, so the dots of
  // dot-matrix print are characters, not specks.
  const int joined = std::max(1, gray.cols / 1000), near = std::max(2, gray.cols / 60);
  const int maxArea = std::max(4, gray.cols * gray.cols / 50000);
  cv::Mat ink, bits, labels;
  cv::adaptiveThreshold(gray, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                        (gray.cols / 40) | 1, 15);
  cv::dilate(ink, bits,
             cv::getStructuringElement(cv::MORPH_RECT, {2 * joined + 1, 2 * joined + 1}));
  const int n = cv::connectedComponents(bits, labels, 8, CV_32S);
  std::vector<int> area(static_cast<std::size_t>(n), 0);
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    const int* label = labels.ptr<int>(y);
    for (int x = 0; x < ink.cols; ++x)
      if (in[x]) ++area[static_cast<std::size_t>(label[x])];
  }
  auto small = [&](int label) { return area[static_cast<std::size_t>(label)] <= maxArea; };
  // A few stray dots are left: Tesseract reads such a page as well with them, and taking them out
  // moves where it cuts the lines (rx-photos-v1's pages have up to 190 such pixels; taking them
  // out lost a date and an outpatient number there). A flecked page has thousands.
  const std::size_t few = gray.total() / 2000;
  std::size_t inSmall = 0;
  for (int i = 1; i < n; ++i)
    if (small(i)) inSmall += static_cast<std::size_t>(area[static_cast<std::size_t>(i)]);
  if (inSmall < few) return gray;
  // Where bigger ink is near: a disc round it, drawn at half the size (a square reaches 40% further
  // along its diagonals and kept flecks beside dot-matrix print; with a full-size disc this step
  // took 54-114 ms, now about 28).
  cv::Mat big = cv::Mat::zeros(gray.size(), CV_8U);
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    const int* label = labels.ptr<int>(y);
    uchar* b = big.ptr<uchar>(y);
    for (int x = 0; x < ink.cols; ++x)
      if (in[x] && !small(label[x])) b[x] = 255;
  }
  cv::Mat half;
  cv::resize(big, half, cv::Size((big.cols + 1) / 2, (big.rows + 1) / 2), 0, 0, cv::INTER_AREA);
  cv::dilate(half > 0, half,
             cv::getStructuringElement(cv::MORPH_ELLIPSE, {(near + 1) | 1, (near + 1) | 1}));
  cv::resize(half, big, big.size(), 0, 0, cv::INTER_NEAREST);
  std::vector<char> kept(static_cast<std::size_t>(n), 0);
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    const int* label = labels.ptr<int>(y);
    const uchar* b = big.ptr<uchar>(y);
    for (int x = 0; x < ink.cols; ++x)
      if (in[x] && b[x]) kept[static_cast<std::size_t>(label[x])] = 1;
  }
  cv::Mat specks = cv::Mat::zeros(gray.size(), CV_8U);
  std::size_t count = 0;
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    const int* label = labels.ptr<int>(y);
    uchar* speck = specks.ptr<uchar>(y);
    for (int x = 0; x < ink.cols; ++x)
      if (in[x] && small(label[x]) && !kept[static_cast<std::size_t>(label[x])]) {
        speck[x] = 255;
        ++count;
      }
  }
  if (count < few) return gray;
  // With the grey fringe round each speck.
  cv::dilate(specks, specks, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  cv::Mat out = gray.clone();
  out.setTo(255, specks);
  return out;
}

namespace {

// The ink (255) of a grey page scaled down to at most 600 px wide (by `*scaleOut`, when asked):
// enough to measure its lines' slope and its strokes' slant.
cv::Mat smallInk(const cv::Mat& gray, double* scaleOut = nullptr) {
  cv::Mat small, ink;
  const double scale = std::min(1.0, 600.0 / std::max(1, gray.cols));
  if (scaleOut) *scaleOut = scale;
  cv::resize(gray, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::threshold(small, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  return ink;
}

// The value within ±`most` where `peakedness` is largest: searched in steps of `step`, then of
// `fineStep` a step either side of the best; `gain` is how much larger it is there than at 0.
template <typename Peakedness>
double mostPeaked(const Peakedness& peakedness, double most, double step, double fineStep,
                  double& gain) {
  auto search = [&](double from, double to, double by, double& best) {
    double bestScore = -1;
    for (double m = from; m <= to + 1e-9; m += by)
      if (const double score = peakedness(m); score > bestScore) {
        bestScore = score;
        best = m;
      }
    return bestScore;
  };
  double coarse = 0, fine = 0;
  search(-most, most, step, coarse);
  const double bestScore = search(coarse - step, coarse + step, fineStep, fine);
  const double atZero = peakedness(0);
  gain = atZero > 0 ? bestScore / atZero : 1;
  return fine;
}

// The slope (dy/dx) of the text lines among `points` (ink pixels, x measured from the centre): the
// slope at which the points' rows are most peaked (the sum of squared row counts is largest).
// Searched in steps of 0.02 over ±0.22 (±12°), then 0.002 around the best; `gain` is how much
// more peaked the best slope is than level.
double lineSlope(const std::vector<cv::Point2f>& points, int rows, double& gain) {
  std::vector<double> counts(static_cast<std::size_t>(rows) * 2 + 2);
  auto peakedness = [&](double m) {
    std::fill(counts.begin(), counts.end(), 0.0);
    for (const auto& p : points) {
      const int y = static_cast<int>(std::lround(p.y - m * p.x)) + rows / 2;
      if (y >= 0 && y < static_cast<int>(counts.size())) counts[static_cast<std::size_t>(y)] += 1;
    }
    double sum = 0;
    for (double c : counts) sum += c * c;
    return sum;
  };
  return mostPeaked(peakedness, 0.22, 0.02, 0.002, gain);
}

}  // namespace

cv::Matx33d levelTextLines(const cv::Mat& gray) {
  // Where the frame or a shadow cut a corner of the paper off, the outline found is wrong and the
  // straightened page keeps its text lines at an angle — often a different one at the top and at
  // the bottom. The slope of the lines is measured in the top and the bottom half of the page; a
  // perspective correction makes both level.
  double scale = 1;
  const cv::Mat ink = smallInk(gray, &scale);
  const cv::Matx33d identity = cv::Matx33d::eye();
  double slope[2] = {0, 0}, centre[2] = {0, 0};
  bool found[2] = {false, false};
  const int half = ink.rows / 2;
  for (int band = 0; band < 2; ++band) {
    const cv::Rect r(0, band * half, ink.cols, band ? ink.rows - half : half);
    std::vector<cv::Point> on;
    cv::findNonZero(ink(r), on);
    if (on.size() < 300) continue;  // next to no ink: nothing to level
    std::vector<cv::Point2f> points;
    points.reserve(on.size());
    double ySum = 0;
    for (const auto& p : on) {
      points.emplace_back(static_cast<float>(p.x - ink.cols / 2.0),
                          static_cast<float>(p.y - r.height / 2.0));
      ySum += p.y;
    }
    double gain = 1;
    slope[band] = lineSlope(points, r.height, gain);
    centre[band] = (r.y + ySum / static_cast<double>(on.size())) / scale;
    // A band without clear lines gives a flat score: it decides nothing.
    found[band] = gain > 1.02;
  }
  if (!found[0] && !found[1]) return identity;
  if (!found[0]) slope[0] = slope[1];
  if (!found[1]) slope[1] = slope[0];
  if (!found[0] || !found[1]) {
    centre[0] = gray.rows * 0.25;
    centre[1] = gray.rows * 0.75;
  }
  if (std::abs(slope[0]) < 0.0035 && std::abs(slope[1]) < 0.0035) return identity;  // < 0.2°
  const float w = static_cast<float>(gray.cols), cx = w / 2;
  const float y0 = static_cast<float>(centre[0]), y1 = static_cast<float>(centre[1]);
  const float m0 = static_cast<float>(slope[0]), m1 = static_cast<float>(slope[1]);
  // The line through (cx, y0) with slope m0 goes to y = y0, the one through (cx, y1) to y = y1.
  const cv::Point2f from[4] = {
      {0, y0 - m0 * cx}, {w, y0 + m0 * cx}, {w, y1 + m1 * cx}, {0, y1 - m1 * cx}};
  const cv::Point2f to[4] = {{0, y0}, {w, y0}, {w, y1}, {0, y1}};
  const cv::Mat H = cv::getPerspectiveTransform(from, to);
  return cv::Matx33d(reinterpret_cast<const double*>(H.data));
}

namespace {

// The slant (dx/dy) of the upright strokes of the binary `ink` (a page's ink, 255), cut into
// strips `bandHeight` high (about a text line; not aligned with the lines): the shear at which each
// band's columns are most peaked (the sum of squared column counts, a pixel shared between its two
// nearest columns, is largest). Within a band a character's upright strokes line up; across bands
// the characters fall anywhere, so each band is counted apart. Only the strokes' left edges are
// counted (a third of the ink pixels, and the same answer). Within about 0.04; a slant under 0.1
// (6°) can measure 0. Searched in steps of 0.02 over ±0.4 (±22°), then 0.004 around the best;
// `gain` is how much more peaked the best slant is than none.
double strokeSlant(const cv::Mat& ink, int bandHeight, double& gain) {
  constexpr double kMost = 0.4, kStep = 0.02;
  // Room either side for the most a row moves (the fine search goes a step past kMost).
  const int margin = static_cast<int>(std::ceil((kMost + kStep) * bandHeight / 2.0)) + 2;
  const int width = ink.cols + 2 * margin;
  const int bands = (ink.rows + bandHeight - 1) / bandHeight;
  struct Edge {
    float x, dy;  // column (margin added) and height above or below its band's middle
    int row;      // its band's first count
  };
  std::vector<Edge> edges;
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    const int band = y / bandHeight;
    const float dy = static_cast<float>(y - (band + 0.5) * bandHeight);
    for (int x = 1; x < ink.cols; ++x)
      if (in[x] && !in[x - 1]) edges.push_back({static_cast<float>(x + margin), dy, band * width});
  }
  std::vector<float> counts(static_cast<std::size_t>(bands) * static_cast<std::size_t>(width));
  auto peakedness = [&](double slant) {
    std::fill(counts.begin(), counts.end(), 0.0f);
    const float m = static_cast<float>(slant);
    for (const Edge& e : edges) {
      const float x = e.x - m * e.dy;  // within [2, width - 3]: the margin allows for it
      const int left = static_cast<int>(x);
      const float right = x - static_cast<float>(left);
      counts[static_cast<std::size_t>(e.row + left)] += 1 - right;
      counts[static_cast<std::size_t>(e.row + left + 1)] += right;
    }
    // Squared after smoothing over five columns (1 4 6 4 1): a pixel shared between two columns
    // counts less squared than one in a single column, which would favour no slant at all.
    double sum = 0;
    for (int band = 0; band < bands; ++band) {
      const float* row = counts.data() + static_cast<std::size_t>(band) * width;
      for (int x = 2; x + 2 < width; ++x) {
        const double c = row[x - 2] + 4 * row[x - 1] + 6 * row[x] + 4 * row[x + 1] + row[x + 2];
        sum += c * c;
      }
    }
    return sum;
  };
  return mostPeaked(peakedness, kMost, kStep, 0.004, gain);
}

}  // namespace

cv::Matx33d uprightStrokes(const cv::Mat& gray) {
  const cv::Mat ink = smallInk(gray);  // the slant is the same at any scale
  const cv::Matx33d identity = cv::Matx33d::eye();
  if (cv::countNonZero(ink) < 300) return identity;  // next to no ink
  double gain = 1;
  const double slant = strokeSlant(ink, std::max(8, ink.rows / 40), gain);
  // Straight pages (83 of the generator's 84 hard photos) measure 0 exactly; the one page sheared,
  // 0.28 with a gain of 1.03; generated pages sheared by 0.12, 0.2 and 0.3, 1.003 to 1.06.
  if (std::abs(slant) < 0.03 || gain < 1.001) return identity;
  // x' = x - slant (y - the page's middle): the middle row stays where it is.
  return cv::Matx33d(1, -slant, slant * gray.rows / 2.0, 0, 1, 0, 0, 0, 1);
}

// How much more the better way up of a band must read to settle the page's orientation alone, and
// (in readability's units: confidence 0-100 times characters) a band's reading too small to count.
constexpr double kClearlyBetter = 1.5;
constexpr double kFewCharacters = 20 * 100;
// A header band read upright that gives this much (readability) at this mean confidence is
// upright (surelyUpright). Measured on the header read alone (v1: rx-photos-v1's 160 photos; hard:
// the generator's 84 with --hard --other-forms --varied-formats, seed 777; gen: the generator's
// 48, seed 4242): of the pages found upside down, none read more than 3,650 or above a mean
// confidence of 33. Taken from the whole page's reading, it settles 139 of 160 photos (v1), 51 of
// 84 (hard) and 38 of 48 (gen), none of them one that reads better turned.
constexpr double kSurelyUpright = 6000;
constexpr double kSurelyUprightConfidence = 60;
// A header band whose reading (from the whole page's) gives less than this says next to nothing
// about the page's orientation: readUpright then reads the whole page turned rather than
// the bands. Measured as above: the pages found upside down read at most 2,835 there (v1; 2,113
// hard), the upright ones at least 4,483 (hard; 8,396 v1). Between the two it decides only which
// reading is paid for: either way the better way up is kept.
constexpr double kHeaderSaysLittle = 3500;

// keepSmoothedIfSurer: a page read at a mean confidence (meanConfidence: words' confidences
// weighed by their text's length) below kSureReading is read again through a Gaussian blur of
// kSmoothing px (sigma), and the smoothed page is kept when its mean confidence is kSurerSmoothed
// higher and it reads as much (readability). Measured on the page pass alone (values found of
// number, date, patient and hospital, and drug lines) of the generator's 120 hard re-photos (seed
// 60221: screens, scans, photocopies, crumpled paper, low light, thumbs) and rx-photos-v1's 160
// photos: every page smoothed found 10 more values and 17 more drugs on the generator, but fewer
// on 9 of its pages and on 6 of rx-photos-v1's; at 2.5 px, fewer on 41 and 123 pages. Tried below
// 70 and kept when 5 surer, it was tried on 60 and 27 pages, kept on 31 and 3, and found fewer on
// 2 and none; asking for as much text too gives up one of those 2 and nothing else.
constexpr double kSureReading = 70;
constexpr double kSmoothing = 1.5;
constexpr double kSurerSmoothed = 5;

// The opening of each row of the binary `ink` by a 1 x `length` rectangle, exactly as
// cv::morphologyEx(MORPH_OPEN) gives it (anchor at length / 2, the image's border ignored), from
// the runs of ink: a run at least `length` long is kept, one pixel to the right of where it lies
// when `length` is even (OpenCV erodes and dilates with the same window), and a run that touches
// the image's edge needs only to reach past its anchor. A scan of the row
// instead of a minimum and maximum over `length` pixels for each (a page's rules took 30-40 ms
// so, now 3-7).
cv::Mat openRows(const cv::Mat& ink, int length) {
  CV_Assert(ink.type() == CV_8UC1 && length >= 1);
  cv::Mat out = cv::Mat::zeros(ink.size(), CV_8U);
  const int n = ink.cols, anchor = length / 2;
  for (int y = 0; y < ink.rows; ++y) {
    const uchar* in = ink.ptr<uchar>(y);
    uchar* row = out.ptr<uchar>(y);
    for (int x = 0; x < n;) {
      if (!in[x]) {
        ++x;
        continue;
      }
      const int first = x;
      while (x < n && in[x]) ++x;
      const int last = x - 1;
      // Eroded: where the window (x - anchor ... x - anchor + length - 1) holds only this run's
      // ink, the part beyond the image not counted. Then dilated by the same window.
      const int lo = first == 0 ? 0 : first + anchor;
      const int hi = last == n - 1 ? n - 1 : last - length + 1 + anchor;
      if (lo > hi) continue;
      std::fill(row + std::max(0, lo + anchor - length + 1), row + std::min(n - 1, hi + anchor) + 1,
                uchar{255});
    }
  }
  return out;
}

cv::Mat openColumns(const cv::Mat& ink, int length) {
  cv::Mat turned, opened;
  cv::transpose(ink, turned);
  cv::transpose(openRows(turned, length), opened);
  return opened;
}

cv::Mat eraseRules(const cv::Mat& gray) {
  // Long thin dark runs are the form's ruling, not text; Tesseract drops text lines that touch
  // them.
  cv::Mat ink;
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  const cv::Mat horizontal = openRows(ink, std::max(40, gray.cols / 6));
  const cv::Mat vertical = openColumns(ink, std::max(40, gray.rows / 10));
  cv::Mat rules = horizontal | vertical;
  cv::dilate(rules, rules, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  cv::Mat out = gray.clone();
  out.setTo(255, rules);
  return out;
}

namespace {

// The page within `corners` (tl, tr, br, bl) of `bgr`, straightened, levelled and cleaned, turned
// portrait (straightenPage). `dim`: the photo was taken in low light (its grain is not a texture).
PreparedPage straighten(const cv::Mat& bgr, std::array<cv::Point2f, 4> corners, bool dim) {
  PreparedPage result;
  const double w = std::max(distance(corners[0], corners[1]), distance(corners[3], corners[2]));
  const double h = std::max(distance(corners[0], corners[3]), distance(corners[1], corners[2]));
  // Portrait pages: a landscape quadrilateral is a page photographed sideways.
  const bool sideways = w > h * 1.05;
  const double pageW = sideways ? h : w, pageH = sideways ? w : h;
  const int outW = kPageWidth;
  const int outH = static_cast<int>(std::round(kPageWidth * pageH / pageW));
  // Destination corners: when sideways, rotate the page 90° clockwise on the way.
  std::array<cv::Point2f, 4> dst;
  const cv::Point2f TL(0, 0), TR(static_cast<float>(outW), 0),
      BR(static_cast<float>(outW), static_cast<float>(outH)), BL(0, static_cast<float>(outH));
  if (sideways)
    dst = {TR, BR, BL, TL};
  else
    dst = {TL, TR, BR, BL};
  cv::Mat H = cv::getPerspectiveTransform(corners.data(), dst.data());
  cv::Mat page;
  if (hasRedInk(bgr, &corners)) {
    // Straightened in colour (the page is smaller than the photo), then grey without the red ink.
    cv::warpPerspective(bgr, page, H, cv::Size(outW, outH), cv::INTER_AREA, cv::BORDER_REPLICATE);
    page = inkGray(page);
  } else {
    cv::Mat gray;
    cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
    cv::warpPerspective(gray, page, H, cv::Size(outW, outH), cv::INTER_AREA, cv::BORDER_REPLICATE);
  }
  page = withoutGrain(withoutSpecks(flattenLighting(page)));
  // The grey of a page photographed in low light is the sensor's grain, not a texture: made white
  // as a screen's dots are, it takes faint print with it (withoutTexture).
  if (!dim) page = withoutTexture(page);
  // Text left at an angle by a wrong outline (a corner cut off by the frame or a shadow) loses
  // whole lines in Tesseract: level it.
  // Twice: a badly wrong outline bends the lines more than two halves can tell at once.
  // A correction of the straightened page: applied to it, and taken into the photo-to-page mapping.
  // Returns false for none.
  auto correct = [&](const cv::Matx33d& correction) {
    if (correction == cv::Matx33d::eye()) return false;
    cv::warpPerspective(page, page, cv::Mat(correction), page.size(), cv::INTER_LINEAR,
                        cv::BORDER_CONSTANT, cv::Scalar(255));
    H = cv::Mat(correction) * H;
    return true;
  };
  for (int pass = 0; pass < 2; ++pass)
    if (!correct(levelTextLines(page))) break;
  // The same wrong outline can leave the page sheared, its characters slanted like italics:
  // Tesseract then reads 姓名 as 座名 and the labels are lost. Stand them upright.
  correct(uprightStrokes(page));
  result.gray = eraseRules(page);
  result.rotation = sideways ? 90 : 0;
  // Page-to-photo mapping (for drawing field boxes over the photo), and the page's corners there.
  cv::Mat Hinv = H.inv();
  result.pageToPhoto = cv::Matx33d(reinterpret_cast<double*>(Hinv.data));
  std::vector<cv::Point2f> pageCorners = {TL, TR, BR, BL}, inPhoto;
  cv::perspectiveTransform(pageCorners, inPhoto, Hinv);
  for (int i = 0; i < 4; ++i) result.corners[i] = inPhoto[i];
  return result;
}

}  // namespace

Result<PreparedPage> straightenPage(const cv::Mat& bgr) {
  if (bgr.empty()) return Status(ErrorCode::kInvalidArgument, "empty image");
  std::array<cv::Point2f, 4> corners;
  bool dim = false;
  const bool found = findPageIn(bgr, corners, dim);
  if (!found) {
    corners = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(bgr.cols), 0),
               cv::Point2f(static_cast<float>(bgr.cols), static_cast<float>(bgr.rows)),
               cv::Point2f(0, static_cast<float>(bgr.rows))};
  }
  PreparedPage result = straighten(bgr, corners, dim);
  result.pageFound = found;
  return result;
}

Result<std::optional<PreparedPage>> straightenOtherPage(const cv::Mat& bgr,
                                                        const PreparedPage& first) {
  if (bgr.empty()) return Status(ErrorCode::kInvalidArgument, "empty image");
  const SmallPhoto photo = smallPhoto(bgr);
  cv::Mat lab, smooth;
  inLab(photo.small, lab, smooth);
  const auto other = otherSheet(lab, smooth, photo.score,
                                scaled({first.corners.begin(), first.corners.end()}, photo.scale));
  if (!other) return std::optional<PreparedPage>();
  PreparedPage result = straighten(bgr, orderCorners(scaled(*other, 1 / photo.scale)), photo.dim);
  result.pageFound = true;
  result.otherOutline = true;
  return std::optional<PreparedPage>(std::move(result));
}

void turnOver(PreparedPage& page) {
  cv::rotate(page.gray, page.gray, cv::ROTATE_180);
  page.rotation = (page.rotation + 180) % 360;
  const double w = page.gray.cols, h = page.gray.rows;
  page.pageToPhoto = page.pageToPhoto * cv::Matx33d(-1, 0, w, 0, -1, h, 0, 0, 1);
  std::swap(page.corners[0], page.corners[2]);
  std::swap(page.corners[1], page.corners[3]);
}

namespace {
// The band at the head or the foot of a page that tells which way up it is (the header holds the
// most text).
int orientationBand(const cv::Mat& page) {
  return std::min(page.rows, std::max(120, page.rows / 5));
}

// What `lines`, read from the whole page, read within rows [from, to).
std::vector<RecognizedLine> linesWithin(const std::vector<RecognizedLine>& lines, int from,
                                        int to) {
  std::vector<RecognizedLine> within;
  for (const auto& l : lines) {
    const int middle = l.box.y + l.box.height / 2;
    if (middle >= from && middle < to) within.push_back(l);
  }
  return within;
}

// The band's reading upright (from `read`, the page read upright, when given) and turned.
Result<std::pair<double, double>> readBothWays(const cv::Mat& page, int from, int to,
                                               Recognizer& recognizer,
                                               const std::vector<RecognizedLine>* read) {
  const cv::Mat band = page(cv::Rect(0, from, page.cols, to - from));
  double upright = 0;
  if (read) {
    upright = readability(linesWithin(*read, from, to));
  } else {
    RX_ASSIGN_OR_RETURN(auto lines, recognizer.recognize(band.clone(), Layout::kPage));
    upright = readability(lines);
  }
  cv::Mat turned;
  cv::rotate(band, turned, cv::ROTATE_180);
  RX_ASSIGN_OR_RETURN(auto lines, recognizer.recognize(turned, Layout::kPage));
  return std::pair{upright, readability(lines)};
}

// looksUpsideDown: the lines counted are runs of ink joined across the gaps between characters
// (a 60th of the page's width, 9 px or more), between these heights (of the page's) and at least
// kTitleAspect times as wide as they are high. A QR code's rows, a seal pressed over a short line
// of labels and a signature are higher for their width than a hospital's name of six characters
// or more.
constexpr double kLowestLine = 0.008, kHighestLine = 0.05;
constexpr double kTitleAspect = 6;
// Of its bounding box inked once joined: text, not a stray stroke.
constexpr double kSolidLine = 0.3;
// The tallest line at the foot must be this many times the tallest at the head, and at least this
// high (of the page's height): a hospital's name is printed 2.3-3.2% of the page high on the three
// sets measured (looksUpsideDown), and a short line at the foot of a page whose head holds none
// that counts (a header under a shadow, desk at the top) is no title.
constexpr double kClearlyTaller = 1.2;
constexpr double kTitleAtLeast = 0.016;
}  // namespace

bool looksUpsideDown(const cv::Mat& page) {
  CV_Assert(page.empty() || page.type() == CV_8UC1);
  if (page.empty()) return false;
  cv::Mat ink, lines, labels, stats, centroids;
  cv::threshold(page, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  const int gap = std::max(9, page.cols / 60) | 1;
  cv::morphologyEx(ink, lines, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_RECT, {gap, 1}));
  const int n = cv::connectedComponentsWithStats(lines, labels, stats, centroids, 8);
  const double third = page.rows / 3.0;
  int head = 0, foot = 0;  // the tallest line's height in each third
  for (int k = 1; k < n; ++k) {
    const int x = stats.at<int>(k, cv::CC_STAT_LEFT), y = stats.at<int>(k, cv::CC_STAT_TOP);
    const int w = stats.at<int>(k, cv::CC_STAT_WIDTH), h = stats.at<int>(k, cv::CC_STAT_HEIGHT);
    if (h < kLowestLine * page.rows || h > kHighestLine * page.rows || w < kTitleAspect * h ||
        stats.at<int>(k, cv::CC_STAT_AREA) < kSolidLine * w * h)
      continue;
    // What touches the page's edge is the desk or the paper's shadow, not a line of print.
    if (x <= 1 || y <= 1 || x + w >= page.cols - 1 || y + h >= page.rows - 1) continue;
    const double middle = y + h / 2.0;
    if (middle < third)
      head = std::max(head, h);
    else if (middle > page.rows - third)
      foot = std::max(foot, h);
  }
  return foot >= kTitleAtLeast * page.rows && foot > kClearlyTaller * head;
}

bool surelyUpright(const std::vector<RecognizedLine>& lines, const cv::Mat& page) {
  const auto header = linesWithin(lines, 0, orientationBand(page));
  return readability(header) >= kSurelyUpright &&
         meanConfidence(header) >= kSurelyUprightConfidence;
}

Result<bool> readsBetterTurned(const cv::Mat& page, Recognizer& recognizer,
                               const std::vector<RecognizedLine>* read) {
  // The same band of text read both ways up (comparing the top band with the bottom band would
  // compare different text).
  const int band = orientationBand(page);
  RX_ASSIGN_OR_RETURN(auto head, readBothWays(page, 0, band, recognizer, read));
  auto [upright, turned] = head;
  // The header usually settles it. When its band says little either way — the outline was found
  // badly and the band holds desk and the foot of the page, or a shadow or seal lies over the
  // header — the band at the other end is read both ways too and counted.
  if (std::max(upright, turned) < kClearlyBetter * std::min(upright, turned) + kFewCharacters) {
    RX_ASSIGN_OR_RETURN(auto foot,
                        readBothWays(page, page.rows - band, page.rows, recognizer, read));
    upright += foot.first;
    turned += foot.second;
  }
  return turned > upright;
}

Result<Upright> readUpright(PreparedPage& page, Recognizer& recognizer,
                            std::vector<RecognizedLine>& lines) {
  Upright out;
  bool settled = surelyUpright(lines, page.gray);
  auto t = Clock::now();
  if (!settled &&
      readability(linesWithin(lines, 0, orientationBand(page.gray))) < kHeaderSaysLittle) {
    // Next to nothing read in the header: nearly always upside down, so read whole turned at once.
    PreparedPage turned = page;
    turned.gray = page.gray.clone();  // turnOver turns the pixels in place
    turnOver(turned);
    RX_ASSIGN_OR_RETURN(auto again, recognizer.recognize(turned.gray, Layout::kPage));
    if (readability(again) > readability(lines)) {
      page = std::move(turned);
      lines = std::move(again);
      out.turned = true;
    }
    settled = true;
  }
  out.turningMs += msSince(t);
  // keepSmoothedIfSurer replaces page.gray rather than writing into it: `sharp` keeps the page.
  PreparedPage sharp = page;
  RX_ASSIGN_OR_RETURN(out.smoothed, keepSmoothedIfSurer(page, recognizer, lines));
  // An unsure page reads its header surer smoothed, and often surely upright then.
  if (settled || surelyUpright(lines, page.gray)) return out;
  t = Clock::now();
  RX_ASSIGN_OR_RETURN(out.turned, readsBetterTurned(page.gray, recognizer, &lines));
  if (!out.turned) {
    out.turningMs += msSince(t);
    return out;
  }
  // Smoothed or not as it read upside down says nothing of how it reads upright: the sharp page is
  // turned, read, and smoothed if that reads surer.
  page = std::move(sharp);
  turnOver(page);
  RX_ASSIGN_OR_RETURN(lines, recognizer.recognize(page.gray, Layout::kPage));
  out.turningMs += msSince(t);
  RX_ASSIGN_OR_RETURN(out.smoothed, keepSmoothedIfSurer(page, recognizer, lines));
  return out;
}

Result<bool> keepSmoothedIfSurer(PreparedPage& page, Recognizer& recognizer,
                                 std::vector<RecognizedLine>& lines) {
  const double sure = meanConfidence(lines);
  if (sure >= kSureReading) return false;
  cv::Mat smooth;
  cv::GaussianBlur(page.gray, smooth, cv::Size(0, 0), kSmoothing);
  RX_ASSIGN_OR_RETURN(auto again, recognizer.recognize(smooth, Layout::kPage));
  // Surer by dropping what it was unsure of is not better.
  if (meanConfidence(again) < sure + kSurerSmoothed || readability(again) < readability(lines))
    return false;
  page.gray = std::move(smooth);
  lines = std::move(again);
  return true;
}

}  // namespace rx::ocr
