// Taking the paper: a simulated phone photo, and scans, photocopies, screens, creases and dim
// light.
#include "workstation/rxgen.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace rx::ws {

namespace {

// Uniform draws from the generator's engine. Each call takes one number, so the steps of a photo
// draw in exactly the order they are called: the photos must stay the same for a given seed.
class Draws {
 public:
  explicit Draws(std::mt19937_64& rng) : rng_(rng) {}
  double unit() { return u_(rng_); }
  double range(double a, double b) { return a + (b - a) * u_(rng_); }
  std::mt19937_64& engine() { return rng_; }
  // Pixel noise from an OpenCV generator seeded by one draw. Never cv::randn/randu: they use
  // OpenCV's per-thread generator, so a photo would depend on which thread made it and what that
  // thread made before.
  cv::RNG pixels() { return cv::RNG(rng_()); }

 private:
  std::mt19937_64& rng_;
  std::uniform_real_distribution<double> u_{0, 1};
};

// Returns the orientation of the phone relative to the page: 0, 90, 180 or 270.
int chooseRotation(Draws& d, const CaptureOptions& o) {
  double r = d.unit();
  if (r < o.sidewaysProbability) return d.unit() < 0.5 ? 90 : 270;
  if (r < o.sidewaysProbability + o.upsideDownProbability) return 180;
  return 0;
}

// `page` turned `rotation` degrees clockwise, as a new image. (Turned into a copy of `page`'s
// header, a half turn, which keeps the size, was made in `page`'s own pixels: the caller's page
// came back upside down, and so did its next photo.)
cv::Mat rotated(const cv::Mat& page, int rotation) {
  if (rotation == 0) return page;
  cv::Mat turned;
  cv::rotate(page, turned,
             rotation == 90    ? cv::ROTATE_90_CLOCKWISE
             : rotation == 180 ? cv::ROTATE_180
                               : cv::ROTATE_90_COUNTERCLOCKWISE);
  return turned;
}

// The desk: a flat colour with texture.
cv::Mat desk(Draws& d, int W, int H) {
  cv::Mat photo(H, W, CV_8UC3, cv::Scalar(d.range(60, 140), d.range(70, 140), d.range(80, 160)));
  cv::Mat texture(H / 8 + 1, W / 8 + 1, CV_8UC3);
  d.pixels().fill(texture, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(12));
  cv::resize(texture, texture, photo.size(), 0, 0, cv::INTER_LINEAR);
  photo += texture;
  return photo;
}

// Adds normal noise of `sigma` grey levels to each channel of `photo`.
void addNoise(Draws& d, cv::Mat& photo, double sigma) {
  cv::Mat noise(photo.size(), CV_16SC3), wide;
  d.pixels().fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(sigma));
  photo.convertTo(wide, CV_16SC3);
  wide += noise;
  wide.convertTo(photo, CV_8UC3);
}

// A pattern over the frame, drawn at a quarter of its size and enlarged: `value(x, y)` in frame
// pixels gives each pixel's change of brightness, added to every channel.
template <typename Value>
void addPattern(cv::Mat& photo, Value value) {
  cv::Mat small((photo.rows + 3) / 4, (photo.cols + 3) / 4, CV_16SC1);
  for (int y = 0; y < small.rows; ++y)
    for (int x = 0; x < small.cols; ++x)
      small.at<short>(y, x) = static_cast<short>(value(4 * x, 4 * y));
  cv::resize(small, small, photo.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat wide, channels[3];
  photo.convertTo(wide, CV_16SC3);
  cv::split(wide, channels);
  for (auto& c : channels) c += small;
  cv::merge(channels, 3, wide);
  wide.convertTo(photo, CV_8UC3);
}

// A filled quadrilateral `w` x `h` round `centre`, turned by `degrees`; its corners.
std::vector<cv::Point> turnedBox(cv::Point2f centre, double w, double h, double degrees) {
  const cv::RotatedRect r(centre, cv::Size2f(static_cast<float>(w), static_cast<float>(h)),
                          static_cast<float>(degrees));
  cv::Point2f p[4];
  r.points(p);
  return {p[0], p[1], p[2], p[3]};
}

// Grey lines of print across the quadrilateral `box` (corners in order), as a receipt or a sheet
// has them: rows every `pitch` px, each of random length.
void printLines(Draws& d, cv::Mat& photo, const std::vector<cv::Point>& box, double pitch) {
  const cv::Point2f a = box[1], b = box[2], c = box[0];  // along a->b and a->c
  const cv::Point2f along = b - a, down = c - a;
  const double height = cv::norm(down);
  const int rows = static_cast<int>(height / pitch);
  const int thick = std::max(2, static_cast<int>(pitch / 4));
  for (int r = 1; r < rows; ++r) {
    const float t = static_cast<float>(r * pitch / height);
    const float from = static_cast<float>(d.range(0.05, 0.2)),
                to = static_cast<float>(d.range(0.3, 0.95));
    cv::line(photo, a + down * t + along * from, a + down * t + along * to,
             cv::Scalar::all(d.range(40, 110)), thick, cv::LINE_AA);
  }
}

// busyDesk (CaptureOptions): a light counter, wood or a patterned mat, with two to four things
// on it. The paper is drawn over it afterwards, so what lies under the paper is hidden.
cv::Mat busyDesk(Draws& d, int W, int H) {
  const int kind = std::min(2, static_cast<int>(d.unit() * 3));
  cv::Mat photo;
  if (kind == 0) {
    // A light laminate counter: grey, nearly as bright as paper, speckled.
    const double base = d.range(175, 220);
    photo = cv::Mat(
        H, W, CV_8UC3,
        cv::Scalar(base + d.range(-10, 10), base + d.range(-10, 10), base + d.range(-6, 6)));
    addNoise(d, photo, d.range(4, 12));
  } else if (kind == 1) {
    // Wood: brown, with grain along one direction that wanders.
    photo =
        cv::Mat(H, W, CV_8UC3, cv::Scalar(d.range(40, 80), d.range(75, 115), d.range(115, 170)));
    const double angle = d.range(-0.4, 0.4), period = d.range(18, 60), wander = d.range(20, 80);
    const double c = std::cos(angle), s = std::sin(angle);
    addPattern(photo, [&](int x, int y) {
      const double u = x * c + y * s, v = -x * s + y * c;
      return 22 * std::sin(2 * CV_PI * (v + wander * std::sin(u / 300.0)) / period);
    });
  } else {
    // A patterned mat: checks of two colours.
    photo =
        cv::Mat(H, W, CV_8UC3, cv::Scalar(d.range(40, 200), d.range(40, 200), d.range(40, 200)));
    const double period = d.range(40, 140), angle = d.range(-0.5, 0.5);
    const double c = std::cos(angle), s = std::sin(angle), contrast = d.range(25, 60);
    addPattern(photo, [&](int x, int y) {
      const int u = static_cast<int>(std::floor((x * c + y * s) / period));
      const int v = static_cast<int>(std::floor((-x * s + y * c) / period));
      return (u + v) % 2 == 0 ? contrast : -contrast;
    });
  }
  const int things = 2 + static_cast<int>(d.unit() * 3);
  for (int k = 0; k < things; ++k) {
    const cv::Point2f at(static_cast<float>(d.range(0, W)), static_cast<float>(d.range(0, H)));
    const double turn = d.range(-30, 30);
    switch (std::min(4, static_cast<int>(d.unit() * 5))) {
      case 0: {  // a till receipt: a narrow white strip with print
        const auto box = turnedBox(at, W * d.range(0.1, 0.18), H * d.range(0.3, 0.6), turn);
        cv::fillConvexPoly(photo, box, cv::Scalar::all(d.range(225, 250)), cv::LINE_AA);
        printLines(d, photo, box, W * 0.012);
        break;
      }
      case 1: {  // another printed sheet, cut off by the frame's edge
        const cv::Point2f edge(d.unit() < 0.5 ? 0.0f : static_cast<float>(W), at.y);
        const auto box = turnedBox(edge, W * d.range(0.4, 0.6), H * d.range(0.4, 0.7), turn / 3);
        cv::fillConvexPoly(photo, box, cv::Scalar::all(d.range(215, 245)), cv::LINE_AA);
        printLines(d, photo, box, W * 0.02);
        break;
      }
      case 2: {  // a pen
        const double a = d.range(0, CV_PI), length = W * d.range(0.15, 0.3);
        const cv::Point2f half(static_cast<float>(std::cos(a) * length / 2),
                               static_cast<float>(std::sin(a) * length / 2));
        const cv::Scalar ink = d.unit() < 0.5 ? cv::Scalar(120, 40, 20) : cv::Scalar(25, 25, 25);
        cv::line(photo, at - half, at + half, ink, std::max(6, W / 150), cv::LINE_AA);
        break;
      }
      case 3: {  // a coloured box
        const auto box = turnedBox(at, W * d.range(0.1, 0.25), H * d.range(0.1, 0.2), turn);
        cv::fillConvexPoly(
            photo, box, cv::Scalar(d.range(0, 255), d.range(0, 255), d.range(0, 255)), cv::LINE_AA);
        break;
      }
      default: {  // a phone, dark
        const auto box = turnedBox(at, W * d.range(0.12, 0.16), H * d.range(0.22, 0.28), turn);
        cv::fillConvexPoly(photo, box, cv::Scalar::all(d.range(15, 40)), cv::LINE_AA);
        break;
      }
    }
  }
  return photo;
}

// Returns where the page's corners land in a W x H frame: it covers minFill-maxFill of the frame's
// short side, with perspective and a small rotation.
std::vector<cv::Point2f> placePage(Draws& d, cv::Size src, int W, int H, const CaptureOptions& o) {
  const double fill = d.range(o.minFill, o.maxFill);
  const double scale = std::min(W * fill / src.width, H * fill / src.height);
  const double pw = src.width * scale, ph = src.height * scale;
  const cv::Point2f centre(static_cast<float>(W / 2 + d.range(-0.05, 0.05) * W),
                           static_cast<float>(H / 2 + d.range(-0.05, 0.05) * H));
  const double angle = d.range(-12, 12) * CV_PI / 180;
  std::vector<cv::Point2f> corners;
  const double jitter = 0.06;
  for (auto [sx, sy] :
       {std::pair{-0.5, -0.5}, std::pair{0.5, -0.5}, std::pair{0.5, 0.5}, std::pair{-0.5, 0.5}}) {
    double x = sx * pw * (1 + d.range(-jitter, jitter)),
           y = sy * ph * (1 + d.range(-jitter, jitter));
    corners.emplace_back(static_cast<float>(centre.x + x * std::cos(angle) - y * std::sin(angle)),
                         static_cast<float>(centre.y + x * std::sin(angle) + y * std::cos(angle)));
  }
  // Keep the whole page in the frame: shrink it towards the centre until it fits (a page cut off by
  // the frame is a different test, made on purpose with cropped photos).
  for (int attempt = 0; attempt < 20; ++attempt) {
    bool inside = true;
    for (const auto& c : corners)
      inside = inside && c.x >= 2 && c.y >= 2 && c.x < W - 2 && c.y < H - 2;
    if (inside) break;
    for (auto& c : corners) c = centre + (c - centre) * 0.95f;
  }
  return corners;
}

// The corners of a `size` image, clockwise from its top left.
std::array<cv::Point2f, 4> cornersOf(cv::Size size) {
  const auto w = static_cast<float>(size.width), h = static_cast<float>(size.height);
  return {cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
}

void warpOnto(const cv::Mat& src, const std::vector<cv::Point2f>& corners, cv::Mat& photo) {
  const cv::Mat M = cv::getPerspectiveTransform(cornersOf(src.size()).data(), corners.data());
  cv::warpPerspective(src, photo, M, photo.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);
}

// A hard shadow (a hand, a phone) over one corner of the frame, as a factor on the light.
cv::Mat cornerShadow(Draws& d, int W, int H) {
  std::vector<cv::Point> poly;
  const int edge = static_cast<int>(d.range(0, 4));
  const double depth = d.range(0.15, 0.4);
  if (edge == 0)
    poly = {{0, 0}, {static_cast<int>(W * d.range(0.3, 0.9)), 0}, {0, static_cast<int>(H * depth)}};
  else if (edge == 1)
    poly = {{W, H},
            {W - static_cast<int>(W * depth), H},
            {W, H - static_cast<int>(H * d.range(0.3, 0.8))}};
  else if (edge == 2)
    poly = {
        {0, H}, {static_cast<int>(W * depth), H}, {0, H - static_cast<int>(H * d.range(0.3, 0.8))}};
  else
    poly = {
        {W, 0}, {W - static_cast<int>(W * d.range(0.3, 0.9)), 0}, {W, static_cast<int>(H * depth)}};
  cv::Mat shadow(H, W, CV_32F, cv::Scalar(1));
  cv::fillConvexPoly(shadow, poly, cv::Scalar(d.range(0.5, 0.75)), cv::LINE_AA);
  cv::GaussianBlur(shadow, shadow, cv::Size(0, 0), d.range(2, 8));
  return shadow;
}

// Light: a gradient across the frame, sometimes a hard shadow. Returns a factor per pixel.
cv::Mat lighting(Draws& d, const CaptureOptions& o, int W, int H) {
  cv::Mat light(H, W, CV_32F);
  const double a = d.range(0, 2 * CV_PI), lo = d.range(0.55, 0.9);
  for (int yy = 0; yy < H; ++yy) {
    float* row = light.ptr<float>(yy);
    for (int xx = 0; xx < W; ++xx) {
      double t =
          ((xx - W / 2.0) * std::cos(a) + (yy - H / 2.0) * std::sin(a)) / std::max(W, H) + 0.5;
      row[xx] = static_cast<float>(lo + (1.0 - lo) * std::clamp(t, 0.0, 1.0));
    }
  }
  if (d.unit() < o.shadowProbability) light = light.mul(cornerShadow(d, W, H));
  return light;
}

void applyLight(cv::Mat& photo, const cv::Mat& light) {
  cv::Mat photoF;
  photo.convertTo(photoF, CV_32FC3);
  std::vector<cv::Mat> ch;
  cv::split(photoF, ch);
  for (auto& c : ch) c = c.mul(light);
  cv::merge(ch, photoF);
  photoF.convertTo(photo, CV_8UC3);
}

// The lens and the sensor: blur that grows with the resolution `mp` (pixels), and noise.
void blurAndNoise(Draws& d, cv::Mat& photo, double mp) {
  const double sigma = d.range(0.2, 1.3) * std::sqrt(mp / 4e6);
  cv::GaussianBlur(photo, photo, cv::Size(0, 0), sigma);
  cv::Mat noise(photo.size(), CV_16SC3);
  const double spread = d.range(2, 7);
  d.pixels().fill(noise, cv::RNG::NORMAL, cv::Scalar::all(0), cv::Scalar::all(spread));
  cv::Mat photo16;
  photo.convertTo(photo16, CV_16SC3);
  photo16 += noise;
  photo16.convertTo(photo, CV_8UC3);
}

// Cuts the frame inside the page (its `corners`) on one side; returns where the frame kept begins.
cv::Point cropIntoPage(Draws& d, cv::Mat& photo, const std::vector<cv::Point2f>& corners) {
  const int W = photo.cols, H = photo.rows;
  const cv::Rect page = cv::boundingRect(corners);
  const int side = static_cast<int>(d.range(0, 4)) % 4;
  const double cut = d.range(0.03, 0.10);
  cv::Rect keep(0, 0, W, H);
  if (side == 0) keep.x = page.x + static_cast<int>(cut * page.width);
  if (side == 1) keep.width = page.br().x - static_cast<int>(cut * page.width);
  if (side == 2) keep.y = page.y + static_cast<int>(cut * page.height);
  if (side == 3) keep.height = page.br().y - static_cast<int>(cut * page.height);
  keep.width -= keep.x;
  keep.height -= keep.y;
  keep &= cv::Rect(0, 0, W, H);
  photo = photo(keep).clone();
  return keep.tl();
}

// `points` through the 3x3 or 2x3 transform `m`.
std::array<cv::Point2f, 4> mapped(const cv::Mat& m, const std::array<cv::Point2f, 4>& points) {
  std::vector<cv::Point2f> in(points.begin(), points.end()), out;
  if (m.rows == 2)
    cv::transform(in, out, m);
  else
    cv::perspectiveTransform(in, out, m);
  return {out[0], out[1], out[2], out[3]};
}

}  // namespace

std::vector<std::uint8_t> RxGenerator::photograph(const cv::Mat& page, const CaptureOptions& o) {
  int rotation = 0;
  return photograph(page, o, &rotation);
}

std::vector<std::uint8_t> RxGenerator::photograph(const cv::Mat& page, const CaptureOptions& o,
                                                  int* rotation) {
  Draws d(rng_);
  *rotation = chooseRotation(d, o);
  const cv::Mat src = rotated(page, *rotation);
  const double mp = d.range(o.minMegapixels, o.maxMegapixels) * 1e6;
  const bool portrait = src.rows > src.cols;
  int W = static_cast<int>(std::sqrt(mp * (portrait ? 3.0 / 4 : 4.0 / 3)));
  int H = static_cast<int>(mp / W);
  cv::Mat photo = o.busyDesk ? busyDesk(d, W, H) : desk(d, W, H);
  const std::vector<cv::Point2f> corners = placePage(d, src.size(), W, H, o);
  warpOnto(src, corners, photo);
  applyLight(photo, lighting(d, o, W, H));
  blurAndNoise(d, photo, mp);
  cv::Point2f origin(0, 0);
  if (o.cropProbability > 0 && d.unit() < o.cropProbability)
    origin = cropIntoPage(d, photo, corners);
  // The page's corner k is the turned page's corner (k + rotation / 90) mod 4 (clockwise turns).
  for (std::size_t k = 0; k < 4; ++k)
    lastPaper_[k] = corners[(k + static_cast<std::size_t>(*rotation / 90)) % 4] - origin;
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", photo, jpeg,
               {cv::IMWRITE_JPEG_QUALITY,
                std::uniform_int_distribution<int>(o.minJpegQuality, o.maxJpegQuality)(rng_)});
  return jpeg;
}

const char* mediumName(Medium m) {
  switch (m) {
    case Medium::kPhone:
      return "phone";
    case Medium::kScan:
      return "scan";
    case Medium::kPhotocopy:
      return "photocopy";
    case Medium::kScreen:
      return "screen";
  }
  return "?";
}

namespace {

// Bends the page as a crumpled and smoothed-out sheet: a smooth displacement (up to ~10 px) with
// light and dark creases.
cv::Mat crumple(const cv::Mat& page, std::mt19937_64& rng) {
  cv::Mat dx(9, 7, CV_32F), dy(9, 7, CV_32F), shade(9, 7, CV_32F);
  cv::RNG local(rng());
  local.fill(dx, cv::RNG::NORMAL, 0, 5);
  local.fill(dy, cv::RNG::NORMAL, 0, 5);
  local.fill(shade, cv::RNG::NORMAL, 1, 0.06);
  cv::resize(dx, dx, page.size(), 0, 0, cv::INTER_CUBIC);
  cv::resize(dy, dy, page.size(), 0, 0, cv::INTER_CUBIC);
  cv::resize(shade, shade, page.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat mapX(page.size(), CV_32F), mapY(page.size(), CV_32F);
  for (int y = 0; y < page.rows; ++y)
    for (int x = 0; x < page.cols; ++x) {
      mapX.at<float>(y, x) = static_cast<float>(x) + dx.at<float>(y, x);
      mapY.at<float>(y, x) = static_cast<float>(y) + dy.at<float>(y, x);
    }
  cv::Mat out;
  cv::remap(page, out, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  applyLight(out, shade);
  // Creases: a few thin grey lines across the page.
  std::uniform_int_distribution<int> X(0, page.cols - 1), Y(0, page.rows - 1);
  for (int k = 0; k < 4; ++k)
    cv::line(out, {X(rng), 0}, {X(rng), page.rows - 1}, cv::Scalar(200, 200, 200), 1, cv::LINE_AA);
  for (int k = 0; k < 3; ++k)
    cv::line(out, {0, Y(rng)}, {page.cols - 1, Y(rng)}, cv::Scalar(205, 205, 205), 1, cv::LINE_AA);
  return out;
}

void thumbOver(cv::Mat& page, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const int corner = static_cast<int>(u(rng) * 4) % 4;
  const cv::Point c(corner % 2 ? page.cols : 0, corner / 2 ? page.rows : 0);
  const cv::Size axes(static_cast<int>(page.cols * (0.10 + 0.06 * u(rng))),
                      static_cast<int>(page.cols * (0.16 + 0.08 * u(rng))));
  cv::ellipse(page, c, axes, 360 * u(rng), 0, 360,
              cv::Scalar(110 + 30 * u(rng), 140 + 30 * u(rng), 200 + 30 * u(rng)), cv::FILLED,
              cv::LINE_AA);
}

cv::Mat photocopy(const cv::Mat& page, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  cv::Mat g;
  cv::cvtColor(page, g, cv::COLOR_BGR2GRAY);
  // Toner: harder contrast, a greyish sheet, specks; slightly smaller and turned on the glass.
  g.convertTo(g, CV_8U, 1.5, -100);
  cv::Mat grey;
  g.convertTo(grey, CV_8U, 0.9, 10 + 15 * u(rng));
  cv::Mat specks(g.size(), CV_16U);
  cv::RNG local(rng());
  local.fill(specks, cv::RNG::UNIFORM, 0, 1000);
  grey.setTo(40, specks < 2);
  const double angle = (u(rng) - 0.5) * 3, scale = 0.9 + 0.08 * u(rng);
  cv::Mat M = cv::getRotationMatrix2D({g.cols / 2.0f, g.rows / 2.0f}, angle, scale);
  cv::Mat out;
  cv::warpAffine(grey, out, M, g.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(235));
  cv::GaussianBlur(out, out, cv::Size(0, 0), 0.7);
  cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  return out;
}

// A flatbed at 150-300 dpi (the page is 210 dpi), slightly turned, white lid around it; returns
// JPEG bytes.
std::vector<std::uint8_t> scan(const cv::Mat& page, std::mt19937_64& rng,
                               std::array<cv::Point2f, 4>& paper) {
  std::uniform_real_distribution<double> u(0, 1);
  const double scale = 0.7 + 0.7 * u(rng), angle = (u(rng) - 0.5) * 4;
  constexpr int kLid = 40;  // px of the white lid round the page, before scaling
  cv::Mat bordered;
  cv::copyMakeBorder(page, bordered, kLid, kLid, kLid, kLid, cv::BORDER_CONSTANT,
                     cv::Scalar(252, 252, 252));
  cv::Mat M = cv::getRotationMatrix2D({bordered.cols / 2.0f, bordered.rows / 2.0f}, angle, scale);
  M.at<double>(0, 2) += (scale - 1) * bordered.cols / 2;
  M.at<double>(1, 2) += (scale - 1) * bordered.rows / 2;
  cv::Mat out;
  cv::warpAffine(
      bordered, out, M,
      cv::Size(static_cast<int>(bordered.cols * scale), static_cast<int>(bordered.rows * scale)),
      cv::INTER_AREA, cv::BORDER_CONSTANT, cv::Scalar(252, 252, 252));
  auto onGlass = cornersOf(page.size());
  for (auto& c : onGlass) c += cv::Point2f(kLid, kLid);
  paper = mapped(M, onGlass);
  cv::GaussianBlur(out, out, cv::Size(0, 0), 0.6);
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", out, jpeg, {cv::IMWRITE_JPEG_QUALITY, 70 + static_cast<int>(25 * u(rng))});
  return jpeg;
}

// The patient's own photo of the paper, shown on a phone screen (1080 px wide, pixel grid,
// glare): what the pharmacy's phone then photographs.
cv::Mat phoneScreen(RxGenerator& gen, const cv::Mat& page, const CaptureOptions& o,
                    std::array<cv::Point2f, 4>& paper) {
  std::uniform_real_distribution<double> u(0, 1);
  std::mt19937_64& rng = gen.rng();
  CaptureOptions own = o;
  own.sidewaysProbability = 0;
  own.upsideDownProbability = 0;
  own.cropProbability = 0;
  own.minMegapixels = 3;
  own.maxMegapixels = 8;
  cv::Mat shown = cv::imdecode(gen.photograph(page, own), cv::IMREAD_COLOR);
  const double s = 1080.0 / shown.cols;
  cv::resize(shown, shown, cv::Size(), s, s, cv::INTER_AREA);
  cv::resize(shown, shown, cv::Size(), 2, 2, cv::INTER_NEAREST);  // pixels seen up close
  constexpr int kRimSide = 30, kRimEnd = 60;  // px of the phone's rim beside and above the picture
  for (std::size_t k = 0; k < 4; ++k)
    paper[k] = gen.lastPaper()[k] * static_cast<float>(2 * s) + cv::Point2f(kRimSide, kRimEnd);
  for (int y = 0; y < shown.rows; ++y) {
    auto* row = shown.ptr<cv::Vec3b>(y);
    for (int x = 0; x < shown.cols; ++x)
      if (x % 2 == 1 || y % 2 == 1) row[x] = row[x] * 0.75;  // the grid between pixels
  }
  cv::Mat screen;
  cv::copyMakeBorder(shown, screen, kRimEnd, kRimEnd, kRimSide, kRimSide, cv::BORDER_CONSTANT,
                     cv::Scalar(15, 15, 15));
  cv::Mat glare(screen.size(), CV_8UC3, cv::Scalar(0, 0, 0));
  cv::ellipse(
      glare, {static_cast<int>(screen.cols * u(rng)), static_cast<int>(screen.rows * u(rng))},
      {screen.cols / 3, screen.rows / 6}, 360 * u(rng), 0, 360, cv::Scalar(40, 40, 40), cv::FILLED);
  cv::GaussianBlur(glare, glare, cv::Size(0, 0), 40);
  screen += glare;
  return screen;
}

// A dim counter: the photo `jpeg` darker and noisier, encoded again.
std::vector<std::uint8_t> inLowLight(const std::vector<std::uint8_t>& jpeg, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  cv::Mat img = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  img.convertTo(img, CV_8UC3, 0.25 + 0.15 * u(rng), 0);
  cv::Mat noise(img.size(), CV_16SC3);
  cv::RNG local(rng());
  local.fill(noise, cv::RNG::NORMAL, 0, 6);
  cv::Mat img16;
  img.convertTo(img16, CV_16SC3);
  img16 += noise;
  img16.convertTo(img, CV_8UC3);
  std::vector<std::uint8_t> out;
  cv::imencode(".jpg", img, out, {cv::IMWRITE_JPEG_QUALITY, 70});
  return out;
}

}  // namespace

std::vector<std::uint8_t> RxGenerator::take(const cv::Mat& original, const Conditions& c,
                                            const CaptureOptions& o) {
  cv::Mat page = original.clone();
  if (c.crumpled) page = crumpled(page);
  if (c.thumb && c.medium != Medium::kScan) thumbOver(page, rng_);
  std::vector<std::uint8_t> jpeg;
  switch (c.medium) {
    case Medium::kPhone:
      jpeg = photograph(page, o);
      break;
    case Medium::kPhotocopy:
      jpeg = photograph(photocopy(page, rng_), o);
      break;
    case Medium::kScan:
      jpeg = scan(page, rng_, lastPaper_);
      break;
    case Medium::kScreen: {
      std::array<cv::Point2f, 4> onScreen;
      const cv::Mat screen = phoneScreen(*this, page, o, onScreen);
      jpeg = photograph(screen, o);
      // The screen's corners are where photograph() put them; the paper is where it shows.
      const auto screenCorners = cornersOf(screen.size());
      lastPaper_ =
          mapped(cv::getPerspectiveTransform(screenCorners.data(), lastPaper_.data()), onScreen);
      break;
    }
  }
  if (c.lowLight) jpeg = inLowLight(jpeg, rng_);
  return jpeg;
}

cv::Mat RxGenerator::crumpled(const cv::Mat& page) { return crumple(page, rng_); }

}  // namespace rx::ws
