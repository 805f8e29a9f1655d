// The generator's promise to the benchmarks and tests built on it: a seed gives the same photos,
// whichever thread makes them and whatever that thread made before (rxdesk-bench-reuse makes its
// corpus on several threads and compares runs).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
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

// The generator says where the paper lies in each photo (lastPaper), whichever way it was taken:
// turned sideways or upside down, cut by the frame, scanned, photocopied, or shown on a screen.
// A page black in its top left corner and white elsewhere: a point inside lastPaper()'s first
// corner is dark, points inside the other three are light.
TEST(RxGen, TheGeneratorSaysWhereThePaperLiesInItsPhoto) {
  cv::Mat page(1754, 1240, CV_8UC3, cv::Scalar(245, 245, 245));
  cv::rectangle(page, cv::Rect(0, 0, 340, 340), cv::Scalar(20, 20, 20), cv::FILLED);
  struct Way {
    const char* name;
    Conditions conditions;
    double sideways, upsideDown, crop;
  };
  const Way ways[] = {{"upright", {}, 0, 0, 0},
                      {"sideways", {}, 1, 0, 0},
                      {"upside down", {}, 0, 1, 0},
                      {"cut by the frame", {}, 0.5, 0, 1},
                      {"in low light", {Medium::kPhone, false, true, false}, 0, 0, 0},
                      {"scanned", {Medium::kScan, false, false, false}, 0, 0, 0},
                      {"photocopied", {Medium::kPhotocopy, false, false, false}, 0.5, 0, 0},
                      {"on a screen", {Medium::kScreen, false, false, false}, 0.5, 0.2, 0}};
  for (std::uint64_t seed = 1; seed <= 2; ++seed)
    for (const Way& way : ways) {
      RxGenerator gen(seed, RXDESK_CATALOGUE);
      CaptureOptions options;
      options.busyDesk = seed == 2;
      options.minMegapixels = options.maxMegapixels = 1;
      options.sidewaysProbability = way.sideways;
      options.upsideDownProbability = way.upsideDown;
      options.cropProbability = way.crop;
      const cv::Mat photo =
          cv::imdecode(gen.take(page, way.conditions, options), cv::IMREAD_GRAYSCALE);
      const auto& paper = gen.lastPaper();
      cv::Point2f centre(0, 0);
      for (const auto& corner : paper) centre += corner * 0.25f;
      // Each corner's point a quarter of the way to the centre (on the black square for the first;
      // inside the frame where the frame cut off up to a tenth of the page).
      std::array<double, 4> level{};
      for (std::size_t k = 0; k < 4; ++k) {
        const cv::Point2f at = paper[k] + 0.25f * (centre - paper[k]);
        ASSERT_TRUE(cv::Rect(0, 0, photo.cols, photo.rows).contains(at))
            << way.name << ", seed " << seed << ", corner " << k << " at " << at;
        level[k] = photo.at<std::uint8_t>(cv::Point(at));
      }
      for (std::size_t k = 1; k < 4; ++k)
        EXPECT_LT(level[0], 0.6 * level[k])
            << way.name << ", seed " << seed << ": corner " << k << " against the dark first";
    }
}

}  // namespace
}  // namespace rx::test
