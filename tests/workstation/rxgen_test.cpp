// The generator's promise to the benchmarks and tests built on it: a seed gives the same photos,
// whichever thread makes them and whatever that thread made before (rxdesk-bench-reuse makes its
// corpus on several threads and compares runs).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "rxgen.h"

namespace rx::test {
namespace {

// A phone photo and a crumpled photocopy in low light under a thumb, of one prescription with the
// pharmacy's marks (small frames: the noise is what matters, not the size).
std::vector<std::vector<std::uint8_t>> captures(std::uint64_t seed) {
  RxGenerator gen(seed, RXDESK_CATALOGUE);
  cv::Mat page = gen.render(gen.content(1));
  gen.addPharmacyMarks(page);
  CaptureOptions small;
  small.minMegapixels = small.maxMegapixels = 1;
  return {gen.photograph(page, small),
          gen.take(page, {Medium::kPhotocopy, /*crumpled=*/true, /*lowLight=*/true, /*thumb=*/true},
                   small)};
}

TEST(RxGen, ASeedGivesTheSamePhotosOnAnyThreadWhateverItDrewBefore) {
  const auto here = captures(77);
  std::vector<std::vector<std::uint8_t>> there;
  std::thread other([&] {
    cv::Mat scratch(64, 64, CV_8U);
    cv::randu(scratch, 0, 255);  // OpenCV's per-thread generator is not where a fresh one starts
    captures(78);                // and this thread made other photos first
    there = captures(77);
  });
  other.join();
  ASSERT_EQ(here.size(), there.size());
  for (std::size_t i = 0; i < here.size(); ++i) EXPECT_TRUE(here[i] == there[i]) << "capture " << i;
  EXPECT_FALSE(captures(79)[0] == here[0]);  // and another seed gives another photo
}

// With other forms on, a paper is printed once: every photo of it starts from the same page, and
// another paper of the same form is printed the same way (same paper, printer and form), while its
// content differs. A re-photo must not become another paper because the printer drew again.
TEST(RxGen, OtherFormsPrintOnePaperTheSameWayForEveryPhoto) {
  RxGenerator gen(91, RXDESK_CATALOGUE);
  gen.setOtherForms(true);
  const GenRx first = gen.content(2);
  const GenRx other = gen.sameForm(first);
  const cv::Mat page = gen.render(first);
  EXPECT_EQ(cv::norm(page, gen.render(first), cv::NORM_INF), 0);
  EXPECT_GT(cv::norm(page, gen.render(other), cv::NORM_L1), 0);
  EXPECT_EQ(gen.printedAs(first), gen.printedAs(other));
  gen.setOtherForms(false);
  EXPECT_EQ(gen.printedAs(first), "laser+white");
  EXPECT_GT(cv::norm(page, gen.render(first), cv::NORM_L1), 0);  // the look is the option's
}

// The generator says where the paper lies in each photo (lastPaper), whichever way it was taken.
// The page is black in its top left corner and white elsewhere; a point of the page is found in the
// photo through the homography from the page's corners to lastPaper().
class WhereThePaperLies : public ::testing::Test {
 protected:
  WhereThePaperLies() : page_(1754, 1240, CV_8UC3, cv::Scalar(245, 245, 245)) {
    cv::rectangle(page_, cv::Rect(0, 0, 340, 340), cv::Scalar(20, 20, 20), cv::FILLED);
  }

  // The mean grey of the photo's 5x5 pixels round where the page's point (`u`, `v`, as shares of
  // its width and height) lies; -1 outside the photo.
  double greyAt(const cv::Mat& photo, const std::array<cv::Point2f, 4>& paper, double u, double v) {
    const float w = static_cast<float>(page_.cols), h = static_cast<float>(page_.rows);
    const cv::Point2f corners[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
    std::vector<cv::Point2f> at;
    cv::perspectiveTransform(
        std::vector<cv::Point2f>{{static_cast<float>(u) * w, static_cast<float>(v) * h}}, at,
        cv::getPerspectiveTransform(corners, paper.data()));
    const cv::Rect window(cv::Point(at[0]) - cv::Point(2, 2), cv::Size(5, 5));
    if ((window & cv::Rect(0, 0, photo.cols, photo.rows)) != window) return -1;
    return cv::mean(photo(window))[0];
  }

  // The first corner's point (on the black square) is dark, the other three light.
  void expectTurnedRight(const cv::Mat& photo, const std::array<cv::Point2f, 4>& paper,
                         const std::string& what) {
    const double dark = greyAt(photo, paper, 0.1, 0.1);
    for (const auto [u, v] : {std::pair{0.9, 0.1}, {0.9, 0.9}, {0.1, 0.9}}) {
      const double light = greyAt(photo, paper, u, v);
      if (dark < 0 || light < 0) continue;  // cut off by the frame
      EXPECT_LT(dark, 0.6 * light) << what << ": the page's point " << u << "," << v;
    }
  }

  // Just inside each side's middle the paper is light; just outside, the desk is darker (a plain
  // desk is at most 0.6 as bright as the paper under the same light, and a dim photo is dim
  // throughout).
  void expectSidesInPlace(const cv::Mat& photo, const std::array<cv::Point2f, 4>& paper,
                          const std::string& what) {
    for (const auto [u, v, du, dv] : {std::array{0.5, 0.0, 0.0, 0.03},
                                      {1.0, 0.5, -0.03, 0.0},
                                      {0.5, 1.0, 0.0, -0.03},
                                      {0.0, 0.5, 0.03, 0.0}}) {
      const double inside = greyAt(photo, paper, u + du, v + dv);
      const double outside = greyAt(photo, paper, u - du, v - dv);
      if (inside < 0 || outside < 0) continue;  // cut off by the frame
      EXPECT_GT(inside, 1.25 * outside) << what << ": the side through " << u << "," << v;
    }
  }

  cv::Mat page_;
};

TEST_F(WhereThePaperLies, InAPhonePhotoTurnedAnyWayOrCutByTheFrame) {
  // Photos until every turn and a cut on every side have been seen.
  std::set<int> turns;
  std::set<std::string> cuts;
  for (std::uint64_t seed = 1; seed <= 60 && (turns.size() < 4 || cuts.size() < 4); ++seed) {
    RxGenerator gen(seed, RXDESK_CATALOGUE);
    CaptureOptions options;
    options.minMegapixels = options.maxMegapixels = 1;
    options.sidewaysProbability = 0.5;
    options.upsideDownProbability = 0.25;
    options.cropProbability = 0.5;
    options.shadowProbability = 0;
    int rotation = 0;
    const cv::Mat photo =
        cv::imdecode(gen.photograph(page_, options, &rotation), cv::IMREAD_GRAYSCALE);
    const auto& paper = gen.lastPaper();
    turns.insert(rotation);
    for (const auto& corner : paper) {
      if (corner.x < 0) cuts.insert("left");
      if (corner.y < 0) cuts.insert("top");
      if (corner.x > static_cast<float>(photo.cols)) cuts.insert("right");
      if (corner.y > static_cast<float>(photo.rows)) cuts.insert("bottom");
    }
    const std::string what =
        "seed " + std::to_string(seed) + ", turned " + std::to_string(rotation);
    expectTurnedRight(photo, paper, what);
    expectSidesInPlace(photo, paper, what);
  }
  EXPECT_EQ(turns.size(), 4u);
  EXPECT_EQ(cuts.size(), 4u) << "a corner the frame cut off lies outside the photo";
}

TEST_F(WhereThePaperLies, InAScanAPhotocopyAScreenAndLowLight) {
  struct Way {
    const char* name;
    Conditions conditions;
    bool sidesAgainstTheDesk;  // a scan's lid round the page is as white as the paper
  };
  const Way ways[] = {{"in low light", {Medium::kPhone, false, true, false}, true},
                      {"scanned", {Medium::kScan, false, false, false}, false},
                      {"photocopied", {Medium::kPhotocopy, false, false, false}, true},
                      {"on a screen", {Medium::kScreen, false, false, false}, false}};
  for (std::uint64_t seed = 1; seed <= 2; ++seed)
    for (const Way& way : ways) {
      RxGenerator gen(seed, RXDESK_CATALOGUE);
      CaptureOptions options;
      options.busyDesk = seed == 2;
      options.minMegapixels = options.maxMegapixels = 1;
      options.sidewaysProbability = 0.5;
      options.shadowProbability = 0;
      const cv::Mat photo =
          cv::imdecode(gen.take(page_, way.conditions, options), cv::IMREAD_GRAYSCALE);
      const std::string what = std::string(way.name) + ", seed " + std::to_string(seed);
      expectTurnedRight(photo, gen.lastPaper(), what);
      if (way.sidesAgainstTheDesk && !options.busyDesk)
        expectSidesInPlace(photo, gen.lastPaper(), what);
    }
}

}  // namespace
}  // namespace rx::test
