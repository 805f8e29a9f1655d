// OCR accuracy floors on a small fixed set of generated phone photos, with real Tesseract. The
// benchmark (rxdesk-bench-ocr) measures the targets on a larger set; this keeps regressions out.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "ocr/reader.h"
#include "ocr_eval.h"
#include "rxgen.h"
#include "status_matchers.h"

namespace rx::ocr {
namespace {

TEST(OcrAccuracy, FixedSetOfPhonePhotosMeetsFloors) {
  auto lexicon = DrugLexicon::load(RXDESK_CATALOGUE);
  RX_ASSERT_OK(lexicon);
  auto reader = makeStandardReader(&*lexicon);
  test::RxGenerator gen(20261122, RXDESK_CATALOGUE);
  test::OcrScore score;
  int rotationsRight = 0;
  const int kPhotos = 9;
  for (int i = 0; i < kPhotos; ++i) {
    test::GenRx truth = gen.content(i % test::kLayoutCount);
    test::CaptureOptions capture;
    capture.sidewaysProbability = 0.3;
    capture.upsideDownProbability = 0.15;
    int rotation = 0;
    auto jpeg = gen.photograph(gen.render(truth), capture, &rotation);
    const std::string name = "photo-" + std::to_string(i) + ".jpg";
    if (const char* dump = std::getenv("RXDESK_OCR_DUMP"))  // to look at a failing photo
      std::ofstream(std::string(dump) + "/" + name, std::ios::binary)
          .write(reinterpret_cast<const char*>(jpeg.data()),
                 static_cast<std::streamsize>(jpeg.size()));
    auto r = reader->read(jpeg, name);
    RX_ASSERT_OK(r);
    EXPECT_TRUE(r->page.pageFound) << "photo " << i;
    // The reader turns the page back by what the photographer turned it.
    rotationsRight += (r->page.rotation == (360 - rotation) % 360);
    std::printf("photo %d: turned %d by the photographer, %d by the reader\n", i, rotation,
                r->page.rotation);
    for (const auto& wrong : score.add(truth, r->fields))
      std::printf("photo %d: %s\n", i, wrong.c_str());
  }
  std::printf("rx_number %.2f date %.2f patient_name %.2f all %.3f drugs %.3f CER %.3f\n",
              score.exact("rx_number"), score.exact("date"), score.exact("patient_name"),
              score.allFields(), score.drugNames(), score.characterErrorRate());
  // Floors one photo below what this set measured when the test was written (8/9 for number and
  // date: a page on a light desk is not found). Tesseract's LSTM uses the CPU's SIMD instructions
  // and may round differently on another machine, so one photo of margin keeps this a regression
  // guard rather than a coin toss. The targets are measured by rxdesk-bench-ocr.
  EXPECT_EQ(rotationsRight, kPhotos);
  EXPECT_GE(score.exact("rx_number"), 7.0 / 9);
  EXPECT_GE(score.exact("date"), 7.0 / 9);
  EXPECT_GE(score.exact("patient_name"), 7.0 / 9);
  EXPECT_GE(score.allFields(), 0.85);
  EXPECT_GE(score.drugNames(), 0.85);
  EXPECT_LE(score.characterErrorRate(), 0.15);
}

}  // namespace
}  // namespace rx::ocr
