// Reuse detection end to end on generated phone photos, through OCR and the store: re-photos of the
// same paper are caught with the right earlier record; monthly repeats and other prescriptions on
// the same hospital form are not flagged. The corpus (seed 77, layouts 0 and 1) is not the
// benchmark's (rxdesk-bench-reuse: seed 9091, layouts 2-5).
#include <gtest/gtest.h>

#include <thread>

#include <opencv2/core.hpp>

#include "ocr/reader.h"
#include "presenting.h"
#include "reuse_corpus.h"
#include "rxgen.h"
#include "store_fixture.h"
#include "workstation/intake.h"
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
    auto id = test::presented(IntakeService(review).presentPaper(
        read->fields, "photo.jpg", read->page.gray, read->qrPayloads));
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
    auto id = test::presented(IntakeService(review).presentPaper(ocr::ExtractedFields{},
                                                                 "photo.jpg", read->page.gray, {}));
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

// A new store at `path` with one straightened take of `page` presented with nothing read (its id in
// `first`), then `sql` run on it as an older or damaged store would have it.
void presentEarlierPage(const std::string& path, const cv::Mat& page, const std::string& sql,
                        std::int64_t& first) {
  auto wang = pharmacistOnNewStore(path);
  RX_ASSERT_OK(wang);
  ReviewService review(**wang);
  auto id = test::presented(IntakeService(review).presentPaper(
      ocr::ExtractedFields{}, "a.jpg", test::straightenedPage(page, 1), {}));
  RX_ASSERT_OK(id);
  first = *id;
  RX_ASSERT_OK((*wang)->store().connection().exec(sql));
}

// Another take of `page` with nothing read is a suspected reuse of `first`, found by its page.
void expectFoundByItsPage(ReviewService& review, const cv::Mat& page, std::int64_t first) {
  auto again = test::presented(IntakeService(review).presentPaper(
      ocr::ExtractedFields{}, "b.jpg", test::straightenedPage(page, 2), {}));
  RX_ASSERT_OK(again);
  auto f = review.reuse().finding(*again);
  RX_ASSERT_OK(f);
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->verdict, dedup::Verdict::kSuspected) << (*f)->toJson().dump();
  ASSERT_FALSE((*f)->matches.empty());
  EXPECT_EQ((*f)->matches[0].record, first);
  EXPECT_EQ((*f)->matches[0].signals["page"]["same_paper"], true);
}

// A store from before page features were kept (migration 10) has pages without them: loading the
// reuse index gives them theirs, with progress, so a re-photo of such a paper with nothing read is
// still caught by its page.
TEST(ReuseOcr, PagesKeptBeforePageFeaturesGetThemAtLoadAndAreMatched) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  test::RxGenerator gen(4242, RXDESK_CATALOGUE);
  const cv::Mat page = gen.render(gen.content(0));
  std::int64_t first = 0;
  // As an older version left the store: the page kept, no features.
  ASSERT_NO_FATAL_FAILURE(presentEarlierPage(path, page, "DELETE FROM page_features", first));
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  ReviewService review(**wang);
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  RX_ASSERT_OK(review.reuse().load(
      {}, [&](std::size_t done, std::size_t total) { progress.emplace_back(done, total); }));
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0], std::make_pair(std::size_t{1}, std::size_t{1}));

  ASSERT_NO_FATAL_FAILURE(expectFoundByItsPage(review, page, first));

  // Done once: the next load has nothing left to do.
  progress.clear();
  RX_ASSERT_OK(review.reuse().load(
      {}, [&](std::size_t done, std::size_t total) { progress.emplace_back(done, total); }));
  EXPECT_TRUE(progress.empty());
}

// Page features are derived data: a damaged row is made again from the kept page when the index
// loads, instead of stopping every intake, and the paper is still found by its page.
TEST(ReuseOcr, DamagedPageFeaturesAreMadeAgainFromTheKeptPage) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  test::RxGenerator gen(4242, RXDESK_CATALOGUE);
  const cv::Mat page = gen.render(gen.content(0));
  std::int64_t first = 0;
  ASSERT_NO_FATAL_FAILURE(
      presentEarlierPage(path, page, "UPDATE page_features SET data = x'50463100'", first));
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  ReviewService review(**wang);
  ASSERT_NO_FATAL_FAILURE(expectFoundByItsPage(review, page, first));
}

// Two programs on one store (the window and a CLI intake) loading at the same time both give the
// old pages their features: the same rows, written in short transactions, none lost or refused.
TEST(ReuseOcr, TwoProgramsGivingOldPagesTheirFeaturesAtOnceAgree) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  test::RxGenerator gen(31, RXDESK_CATALOGUE);
  constexpr int kPages = 12;
  {
    auto wang = pharmacistOnNewStore(path);
    RX_ASSERT_OK(wang);
    ReviewService review(**wang);
    for (int i = 0; i < kPages; ++i)
      RX_ASSERT_OK(test::presented(IntakeService(review).presentPaper(
          ocr::ExtractedFields{}, "p.jpg",
          test::straightenedPage(gen.render(gen.content(i % 2)), i), {})));
    RX_ASSERT_OK((*wang)->store().connection().exec("DELETE FROM page_features"));
  }
  std::vector<Status> results(2);
  std::vector<std::size_t> totals(2, 0);
  std::vector<std::thread> programs;
  for (int p = 0; p < 2; ++p)
    programs.emplace_back([&, p] {
      auto session = Session::login(path, "wang", "w", test::fastStoreOptions());
      if (!session) {
        results[p] = session.status();
        return;
      }
      ReviewService review(**session);
      results[p] =
          review.reuse().load({}, [&](std::size_t, std::size_t total) { totals[p] = total; });
    });
  for (auto& t : programs) t.join();
  for (const Status& s : results) RX_EXPECT_OK(s);
  // Whichever came first did the work; the other found less or nothing left.
  EXPECT_EQ(std::max(totals[0], totals[1]), static_cast<std::size_t>(kPages));

  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  ReviewService review(**wang);
  std::size_t left = 0;
  RX_ASSERT_OK(review.reuse().load({}, [&](std::size_t, std::size_t total) { left = total; }));
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace rx::ws
