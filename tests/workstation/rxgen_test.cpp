// The generator's promise to the benchmarks and tests built on it: a seed gives the same photos,
// whichever thread makes them and whatever that thread made before (rxdesk-bench-reuse makes its
// corpus on several threads and compares runs).
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>

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

}  // namespace
}  // namespace rx::test
