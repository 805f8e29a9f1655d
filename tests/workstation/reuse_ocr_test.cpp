// Reuse detection end to end on generated phone photos, through OCR and the store: re-photos of the
// same paper are caught with the right earlier record; monthly repeats and other prescriptions on
// the same hospital form are not flagged. The corpus (seed 77, layouts 0 and 1) is not the
// benchmark's (rxdesk-bench-reuse: seed 9091, layouts 2-5).
#include <gtest/gtest.h>

#include "ocr/reader.h"
#include "reuse_corpus.h"
#include "store_fixture.h"
#include "workstation/review.h"

namespace rx::ws {
namespace {

TEST(ReuseOcr, RePhotosAreCaughtRepeatsAndSameFormAreNot) {
  test::TempDir dir;
  const std::string path = dir.file("r.rxdb");
  auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("wang"), "w"));
  admin->reset();
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
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

}  // namespace
}  // namespace rx::ws
