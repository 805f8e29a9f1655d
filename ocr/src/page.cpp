#include "ocr/page.h"

#include <algorithm>
#include <numeric>

#include <opencv2/imgproc.hpp>

namespace rx::ocr {

namespace {

std::array<cv::Point2f, 4> orderCorners(const std::vector<cv::Point2f>& pts) {
  // tl has the smallest x+y, br the largest; tr the smallest y-x, bl the largest.
  std::array<cv::Point2f, 4> out;
  auto sum = [](const cv::Point2f& p) { return p.x + p.y; };
  auto diff = [](const cv::Point2f& p) { return p.y - p.x; };
  out[0] = *std::min_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[2] = *std::max_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return sum(a) < sum(b); });
  out[1] = *std::min_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return diff(a) < diff(b); });
  out[3] = *std::max_element(pts.begin(), pts.end(), [&](auto& a, auto& b) { return diff(a) < diff(b); });
  return out;
}

double distance(const cv::Point2f& a, const cv::Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Mean confidence weighted by the number of characters: how much readable text there is.
double readability(const std::vector<RecognizedLine>& lines) {
  double score = 0;
  for (const auto& l : lines)
    for (const auto& w : l.words) score += w.confidence * static_cast<double>(w.text.size());
  return score;
}
}  // namespace

bool findPage(const cv::Mat& bgr, std::array<cv::Point2f, 4>& corners) {
  const double scale = 800.0 / std::max(bgr.cols, bgr.rows);
  cv::Mat small, gray, mask;
  cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  // Paper is bright and unsaturated; a desk or a hand is darker or coloured. Shadows darken the
  // paper but keep it unsaturated, so combine brightness with low saturation.
  cv::Mat hsv;
  cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);
  std::vector<cv::Mat> ch;
  cv::split(hsv, ch);
  cv::Mat score;
  cv::addWeighted(ch[2], 1.0, ch[1], -1.0, 0, score);
  cv::GaussianBlur(score, score, cv::Size(5, 5), 0);
  cv::threshold(score, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(15, 15)));
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(7, 7)));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  if (contours.empty()) return false;
  auto largest = std::max_element(contours.begin(), contours.end(),
                                  [](auto& a, auto& b) { return cv::contourArea(a) < cv::contourArea(b); });
  const double area = cv::contourArea(*largest);
  if (area < small.total() / 6.0) return false;
  std::vector<cv::Point> hull;
  cv::convexHull(*largest, hull);
  std::vector<cv::Point> quad;
  const double perimeter = cv::arcLength(hull, true);
  for (double eps = 0.01; eps < 0.1; eps += 0.005) {
    cv::approxPolyDP(hull, quad, eps * perimeter, true);
    if (quad.size() <= 4) break;
  }
  std::vector<cv::Point2f> pts;
  if (quad.size() == 4) {
    for (const auto& p : quad) pts.emplace_back(static_cast<float>(p.x / scale), static_cast<float>(p.y / scale));
  } else {
    cv::Point2f box[4];
    cv::minAreaRect(hull).points(box);
    for (const auto& p : box) pts.emplace_back(static_cast<float>(p.x / scale), static_cast<float>(p.y / scale));
  }
  corners = orderCorners(pts);
  return true;
}

cv::Mat flattenLighting(const cv::Mat& gray) {
  // The background (paper) brightness, estimated by closing away the dark strokes of text, then
  // smoothing; dividing by it turns gradients and shadow edges into a flat white.
  const int k = std::max(15, gray.cols / 40) | 1;
  cv::Mat background;
  cv::morphologyEx(gray, background, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(k, k)));
  cv::GaussianBlur(background, background, cv::Size(k, k), 0);
  cv::Mat flat;
  cv::divide(gray, background, flat, 255.0);
  // Stretch so that the darkest ink is black.
  double lo, hi;
  cv::minMaxLoc(flat, &lo, &hi);
  cv::Mat out;
  flat.convertTo(out, CV_8U, 255.0 / std::max(1.0, 255.0 - lo * 0.9), -lo * 0.9 * 255.0 / std::max(1.0, 255.0 - lo * 0.9));
  return out;
}

Result<PreparedPage> preparePage(const cv::Mat& bgr, Recognizer& recognizer) {
  if (bgr.empty()) return Status(ErrorCode::kInvalidArgument, "empty image");
  PreparedPage result;
  std::array<cv::Point2f, 4> corners;
  result.pageFound = findPage(bgr, corners);
  if (!result.pageFound) {
    corners = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(bgr.cols), 0),
               cv::Point2f(static_cast<float>(bgr.cols), static_cast<float>(bgr.rows)),
               cv::Point2f(0, static_cast<float>(bgr.rows))};
  }
  const double w = std::max(distance(corners[0], corners[1]), distance(corners[3], corners[2]));
  const double h = std::max(distance(corners[0], corners[3]), distance(corners[1], corners[2]));
  // Portrait pages: a landscape quadrilateral is a page photographed sideways.
  const bool sideways = w > h * 1.05;
  const double pageW = sideways ? h : w, pageH = sideways ? w : h;
  const int outW = kPageWidth;
  const int outH = static_cast<int>(std::round(kPageWidth * pageH / pageW));
  // Destination corners: when sideways, rotate the page 90° clockwise on the way.
  std::array<cv::Point2f, 4> dst;
  const cv::Point2f TL(0, 0), TR(static_cast<float>(outW), 0), BR(static_cast<float>(outW), static_cast<float>(outH)),
      BL(0, static_cast<float>(outH));
  if (sideways) dst = {TR, BR, BL, TL};
  else dst = {TL, TR, BR, BL};
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::Mat H = cv::getPerspectiveTransform(corners.data(), dst.data());
  cv::Mat page;
  cv::warpPerspective(gray, page, H, cv::Size(outW, outH), cv::INTER_AREA, cv::BORDER_REPLICATE);
  page = flattenLighting(page);

  // Upright or upside down: read the top band both ways and keep the more readable.
  const int band = std::max(120, outH / 5);
  cv::Mat top = page(cv::Rect(0, 0, outW, band));
  cv::Mat flipped;
  cv::rotate(page, flipped, cv::ROTATE_180);
  cv::Mat topFlipped = flipped(cv::Rect(0, 0, outW, band));
  RX_ASSIGN_OR_RETURN(auto a, recognizer.recognize(top, Layout::kPage));
  RX_ASSIGN_OR_RETURN(auto b, recognizer.recognize(topFlipped, Layout::kPage));
  bool upsideDown = readability(b) > readability(a);
  if (upsideDown) page = flipped;
  result.rotation = (sideways ? 90 : 0) + (upsideDown ? 180 : 0);

  // Page-to-photo mapping (for drawing field boxes over the photo).
  cv::Mat Hinv = H.inv();
  if (upsideDown) {
    cv::Mat R = (cv::Mat_<double>(3, 3) << -1, 0, outW, 0, -1, outH, 0, 0, 1);
    Hinv = Hinv * R;
  }
  result.pageToPhoto = cv::Matx33d(reinterpret_cast<double*>(Hinv.data));
  // Corners of the upright page, in photo coordinates.
  std::vector<cv::Point2f> uprightCorners = {TL, TR, BR, BL}, inPhoto;
  cv::perspectiveTransform(uprightCorners, inPhoto, Hinv);
  for (int i = 0; i < 4; ++i) result.corners[i] = inPhoto[i];
  result.gray = page;
  return result;
}

}  // namespace rx::ocr
