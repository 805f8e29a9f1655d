// Reuse detection end to end on generated phone photos, through OCR and the store: re-photos of the
// same paper are caught with the right earlier record; monthly repeats and other prescriptions on
// the same hospital form are not flagged. The corpus (seed 77, layouts 0 and 1) is not the
// benchmark's (rxdesk-bench-reuse: seed 9091, layouts 2-5).
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "ocr/reader.h"
#include "reuse_corpus.h"
#include "rxgen.h"
#include "store_fixture.h"
#include "workstation/review.h"

namespace rx::ws {
namespace {

// A new store at `path` with one pharmacist, wang, logged in.
Result<std::unique_ptr<Session>> pharmacistOnNewStore(const std::string& path) {
  auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
  if (!admin) return admin.status();
  if (auto added = (*admin)->addUser(test::pharmacistUser("wang"), "w"); !added)
    return added.status();
  admin->reset();
  return Session::login(path, "wang", "w", test::fastStoreOptions());
}

TEST(ReuseOcr, RePhotosAreCaughtRepeatsAndSameFormAreNot) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  auto wang = pharmacistOnNewStore(path);
  RX_ASSERT_OK(wang);

  test::CorpusSpec spec;
  spec.seed = 77;
  spec.layouts = {0, 1};
  spec.prescriptions = 4;
  spec.photos = 2;
  const auto corpus = test::makeReuseCorpus(spec, RXDESK_CATALOGUE);
  auto lexicon = ocr::DrugLexicon::load(RXDESK_CATALOGUE);
  RX_ASSERT_OK(lexicon);
  auto reader = ocr::makeStandardReader(&*lexicon);
  ReviewService review(**wang);

  std::map<int, std::int64_t> firstRecordOfGroup;
  int rePhotos = 0, caught = 0;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const auto& photo = corpus[i];
    auto read = reader->read(photo.jpeg, "photo.jpg");
    RX_ASSERT_OK(read);
    auto id = review.presentPaper(read->fields, "photo.jpg", read->page.gray, read->qrPayloads);
    RX_ASSERT_OK(id);
    auto finding = review.reuse().finding(*id);
    RX_ASSERT_OK(finding);
    ASSERT_TRUE(finding->has_value());
    const ReuseFinding& f = **finding;
    auto page = review.reuse().page(*id);  // kept to show beside a later presentation
    RX_ASSERT_OK(page);
    EXPECT_FALSE(page->empty());
    if (photo.category == "re-photo") {
      ++rePhotos;
      const bool right =
          !f.matches.empty() && f.matches[0].record == firstRecordOfGroup[photo.group];
      caught += f.verdict != dedup::Verdict::kNew && right ? 1 : 0;
      EXPECT_TRUE(f.verdict == dedup::Verdict::kNew || right)
          << "re-photo " << i << " matched a wrong record: " << f.toJson().dump();
    } else {
      firstRecordOfGroup[photo.group] = *id;
      EXPECT_EQ(f.verdict, dedup::Verdict::kNew)
          << photo.category << " photo " << i << " was flagged: " << f.toJson().dump();
    }
  }
  EXPECT_EQ(rePhotos, 4);
  // Tesseract's results vary slightly between CPUs (SIMD paths): one photo of margin.
  EXPECT_GE(caught, 3) << "re-photos caught";
}

// The misses: photos where OCR read nothing at all. The page the reader straightened is all
// there is; the same paper must still be caught, and a same-visit pair (next number, same patient
// and day, other drugs) and a monthly repeat must not be flagged by the picture.
TEST(ReuseOcr, ARePhotoWithNothingReadIsCaughtByItsPageAndOtherPapersAreNot) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  auto wang = pharmacistOnNewStore(path);
  RX_ASSERT_OK(wang);
  auto lexicon = ocr::DrugLexicon::load(RXDESK_CATALOGUE);
  RX_ASSERT_OK(lexicon);
  auto reader = ocr::makeStandardReader(&*lexicon);
  ReviewService review(**wang);

  // The photographs draw part of their noise from OpenCV's per-thread generator: start it where a
  // fresh thread starts it, so the photos do not depend on the tests run before. (With another
  // draw of that noise the stamped re-photo was missed once: the page match is not yet robust.)
  cv::theRNG().state = 0xffffffff;
  test::RxGenerator gen(5150, RXDESK_CATALOGUE);
  const test::GenRx rx = gen.content(2);
  const test::GenRx visit = gen.sameVisit(rx);
  const test::GenRx repeat = gen.monthlyRepeat(rx);
  cv::Mat stamped = gen.render(rx);
  gen.addPharmacyMarks(stamped);
  test::CaptureOptions plain;
  plain.sidewaysProbability = plain.upsideDownProbability = plain.shadowProbability = 0;
  // Each photo's page as the reader straightens it, with nothing read from it.
  auto present = [&](const std::vector<std::uint8_t>& jpeg) -> std::int64_t {
    auto read = reader->read(jpeg, "photo.jpg");
    EXPECT_TRUE(static_cast<bool>(read)) << read.status().message();
    if (!read) return 0;
    auto id = review.presentPaper(ocr::ExtractedFields{}, "photo.jpg", read->page.gray, {});
    EXPECT_TRUE(static_cast<bool>(id)) << id.status().message();
    return id ? *id : 0;
  };
  auto findingOf = [&](std::int64_t id) {
    auto f = review.reuse().finding(id);
    EXPECT_TRUE(f && f->has_value());
    return f && f->has_value() ? **f : ReuseFinding{};
  };

  const std::int64_t first = present(gen.photograph(gen.render(rx), plain));
  EXPECT_EQ(findingOf(first).verdict, dedup::Verdict::kNew);
  for (const auto* other : {&visit, &repeat}) {
    const ReuseFinding f = findingOf(present(gen.photograph(gen.render(*other), plain)));
    EXPECT_EQ(f.verdict, dedup::Verdict::kNew)
        << (other == &visit ? "same-visit pair" : "monthly repeat") << ": " << f.toJson().dump();
  }
  // The same paper, stamped and initialled since, photographed again.
  const ReuseFinding again = findingOf(present(gen.photograph(stamped, plain)));
  EXPECT_EQ(again.verdict, dedup::Verdict::kSuspected) << again.toJson().dump();
  ASSERT_FALSE(again.matches.empty());
  EXPECT_EQ(again.matches[0].record, first);
  EXPECT_EQ(again.matches[0].signals["page"]["same_paper"], true) << again.toJson().dump();
  EXPECT_NE(again.matches[0].rule.find("same written page"), std::string::npos);
  // The matched points are kept to be drawn beside the pages.
  EXPECT_GE(again.matches[0].pagePoints.size(), 16u);
}

}  // namespace
}  // namespace rx::ws
