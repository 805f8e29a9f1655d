// Other forms' paper and printers: recycled and coloured paper, dot-matrix, low-toner and faded
// thermal printing, for the bench's harder cases (RxGenerator::setOtherForms).
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "rxgen_internal.h"

namespace rx::ws::rxgen_internal {

FormLook formLook(const std::string& hospital, int layout) {
  // The hospital's style mixed with the layout, so that one hospital's two forms may differ.
  std::uint64_t h =
      hospitalStyle(hospital) + 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(layout + 1);
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;  // splitmix64's finaliser: every bit mixed
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  FormLook look;
  look.drugTable = (h >> 12) % 2 == 1;
  look.categoryBox = (h >> 13) % 2 == 1;
  look.seal = static_cast<FormLook::Seal>((h >> 14) % 3);
  look.paper = static_cast<FormLook::Paper>((h >> 16) % 4);
  look.printing = static_cast<FormLook::Printing>((h >> 18) % 4);
  return look;
}

std::string lookName(const FormLook& look) {
  static const char* kPaper[] = {"white", "yellow", "green", "grey-recycled"};
  static const char* kPrinting[] = {"laser", "dot-matrix", "low-toner", "thermal"};
  std::string name = std::string(kPrinting[static_cast<int>(look.printing)]) + "+" +
                     kPaper[static_cast<int>(look.paper)];
  if (look.drugTable) name += "+table";
  if (look.categoryBox) name += "+box";
  if (look.seal == FormLook::Seal::kOverHospital) name += "+seal-title";
  if (look.seal == FormLook::Seal::kOverDoctor) name += "+seal-doctor";
  return name;
}

namespace {

// A smooth random field in [lo, hi] with features about `scale` pixels wide.
cv::Mat smoothField(cv::RNG& rng, cv::Size size, int scale, double lo, double hi) {
  cv::Mat coarse(std::max(2, size.height / scale), std::max(2, size.width / scale), CV_32F);
  rng.fill(coarse, cv::RNG::UNIFORM, lo, hi);
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  return cv::max(cv::min(field, hi), lo);
}

// How much ink (0..1) the printer leaves where the page asks for `ink`.
cv::Mat printed(const cv::Mat& ink, FormLook::Printing printing, cv::RNG& rng) {
  cv::Mat out = ink.clone();
  switch (printing) {
    case FormLook::Printing::kLaser:
      break;
    case FormLook::Printing::kDotMatrix: {
      // Pins strike on a grid about 3 px apart; each dot is a soft blob, the ribbon wears in bands.
      cv::Mat dots(ink.size(), CV_32F, cv::Scalar(0));
      const int pitch = 3;
      for (int y = 1; y < dots.rows; y += pitch)
        for (int x = 1; x < dots.cols; x += pitch) dots.at<float>(y, x) = 1;
      cv::GaussianBlur(dots, dots, cv::Size(0, 0), 0.9);
      cv::normalize(dots, dots, 0, 1, cv::NORM_MINMAX);
      cv::Mat spread;
      cv::dilate(ink, spread, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
      out = spread.mul(dots);
      cv::Mat ribbon = smoothField(rng, {1, ink.rows}, 40, 0.55, 1.0);
      for (int y = 0; y < out.rows; ++y) {
        cv::Mat row = out.row(y);
        row *= ribbon.at<float>(y, 0);
      }
      break;
    }
    case FormLook::Printing::kLowToner: {
      // Toner runs out unevenly: pale patches and white streaks down the page.
      out = out.mul(smoothField(rng, ink.size(), 120, 0.3, 1.0));
      cv::Mat streaks(1, ink.cols, CV_32F);
      rng.fill(streaks, cv::RNG::UNIFORM, 0.0, 1.0);
      for (int x = 0; x < ink.cols; ++x)
        streaks.at<float>(0, x) = streaks.at<float>(0, x) < 0.04f ? 0.25f : 1.0f;
      cv::GaussianBlur(streaks, streaks, cv::Size(0, 0), 1.5);
      for (int x = 0; x < out.cols; ++x) {
        cv::Mat column = out.col(x);
        column *= streaks.at<float>(0, x);
      }
      break;
    }
    case FormLook::Printing::kThermal:
      // Faded thermal paper: grey, low-contrast print, fading towards one end.
      out = out.mul(smoothField(rng, ink.size(), 600, 0.35, 0.65));
      break;
  }
  return out;
}

}  // namespace

void printOnPaper(cv::Mat& page, const FormLook& look, cv::RNG& rng) {
  cv::Mat grey;
  cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  cv::Mat ink;
  grey.convertTo(ink, CV_32F, -1.0 / 220, 250.0 / 220);  // 250 (paper) -> 0, 30 (ink) -> 1
  ink = cv::max(cv::min(ink, 1.0), 0.0);
  ink = printed(ink, look.printing, rng);

  cv::Scalar paper(248, 250, 250);
  if (look.paper == FormLook::Paper::kYellow) paper = cv::Scalar(196, 236, 248);
  if (look.paper == FormLook::Paper::kGreen) paper = cv::Scalar(212, 238, 214);
  if (look.paper == FormLook::Paper::kGreyRecycled) paper = cv::Scalar(196, 202, 204);
  const cv::Scalar inkColour = look.printing == FormLook::Printing::kThermal
                                   ? cv::Scalar(70, 60, 60)
                               : look.printing == FormLook::Printing::kDotMatrix
                                   ? cv::Scalar(60, 40, 30)  // a worn blue-black ribbon
                                   : cv::Scalar(25, 25, 25);
  cv::Mat shade = smoothField(rng, page.size(), 200, 0.96, 1.02);
  if (look.paper == FormLook::Paper::kGreyRecycled) {
    // Recycled paper: fibres and flecks.
    cv::Mat flecks(page.size(), CV_32F);
    rng.fill(flecks, cv::RNG::UNIFORM, 0.0, 1.0);
    cv::threshold(flecks, flecks, 0.9985, 1.0, cv::THRESH_BINARY);
    cv::dilate(flecks, flecks, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
    cv::GaussianBlur(flecks, flecks, cv::Size(0, 0), 0.8);
    shade -= 0.35 * flecks;
  }
  std::vector<cv::Mat> channels(3);
  for (int k = 0; k < 3; ++k) {
    const double p = paper[k], c = inkColour[k];
    channels[k] = shade * p - ink * (p - c);
  }
  cv::Mat out;
  cv::merge(channels, out);
  out.convertTo(page, CV_8UC3);
}

}  // namespace rx::ws::rxgen_internal
