// Package codes read from photos of drug boxes: the codes are drawn with zint (Debian's libzint),
// placed on a box-coloured background, turned a little, blurred and JPEG-compressed, then read
// back and parsed as the dispensing step parses a scanner's input.
#include "ocr/barcodes.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dedup/traceability.h"
#include "status_matchers.h"
#include "symbols.h"

namespace rx::ocr {
namespace {

cv::Mat drawCode(int symbology, const std::string& data, bool gs1, float scale) {
  cv::Mat out = test::drawSymbol(symbology, data, {gs1, scale});
  EXPECT_FALSE(out.empty()) << "zint could not draw " << data;
  return out;
}

// A photo of a box side carrying `codes` one under the other.
cv::Mat photo(const std::vector<cv::Mat>& codes, double degrees) {
  int width = 1600, height = 240;
  for (const auto& c : codes) {
    width = std::max(width, c.cols + 400);
    height += c.rows + 120;
  }
  cv::Mat box(std::max(height, 1200), width, CV_8UC3, cv::Scalar(215, 228, 240));
  int y = 120;
  for (const auto& c : codes) {
    c.copyTo(box(cv::Rect((width - c.cols) / 2, y, c.cols, c.rows)));
    y += c.rows + 120;
  }
  cv::Mat turned;
  cv::warpAffine(box, turned,
                 cv::getRotationMatrix2D(cv::Point2f(box.cols / 2.f, box.rows / 2.f), degrees, 1.0),
                 box.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::GaussianBlur(turned, turned, cv::Size(0, 0), 0.8);
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", turned, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

TEST(PackageCodes, NmpaCodeInCode128) {
  auto codes =
      readPackageCodes(photo({drawCode(BARCODE_CODE128, "81234560000012345678", false, 3)}, 4));
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_EQ(codes[0].symbology, "code128");
  auto parsed = dedup::parseTraceCode(codes[0].text);
  RX_ASSERT_OK(parsed);
  EXPECT_EQ(parsed->canonical, "81234560000012345678");
}

TEST(PackageCodes, Gs1ElementStringsInGs1_128AndDataMatrix) {
  const std::string gs1 = "[01]06901234567892[17]280630[10]B2301[21]SN0001";
  for (const auto& [symbology, code] :
       {std::pair{"code128", drawCode(BARCODE_GS1_128, gs1, true, 1.5f)},
        std::pair{"datamatrix", drawCode(BARCODE_DATAMATRIX, gs1, true, 8)}}) {
    auto codes = readPackageCodes(photo({code}, -3));
    ASSERT_EQ(codes.size(), 1u) << symbology;
    EXPECT_EQ(codes[0].symbology, symbology);
    // What a scanner sends: element strings with GS after variable-length ones.
    auto parsed = dedup::parseTraceCode(codes[0].text);
    RX_ASSERT_OK(parsed) << symbology;
    EXPECT_EQ(parsed->productCode, "06901234567892");
    EXPECT_EQ(parsed->batch.value_or(""), "B2301") << symbology;
    EXPECT_EQ(parsed->serial.value_or(""), "SN0001") << symbology;
    EXPECT_EQ(parsed->expiry.value_or(""), "2028-06-30") << symbology;
  }
  // The same package printed in both symbologies is one code.
  auto both = readPackageCodes(photo(
      {drawCode(BARCODE_GS1_128, gs1, true, 1.5f), drawCode(BARCODE_DATAMATRIX, gs1, true, 8)}, 2));
  EXPECT_EQ(both.size(), 1u);
}

TEST(PackageCodes, DataMatrixAloneAndTwoCodesInReadingOrder) {
  auto dm =
      readPackageCodes(photo({drawCode(BARCODE_DATAMATRIX, "81234560000099999999", false, 8)}, 6));
  ASSERT_EQ(dm.size(), 1u);
  EXPECT_EQ(dm[0].symbology, "datamatrix");
  EXPECT_EQ(dm[0].text, "81234560000099999999");
  auto two =
      readPackageCodes(photo({drawCode(BARCODE_CODE128, "81234560000011111111", false, 3),
                              drawCode(BARCODE_DATAMATRIX, "81234560000022222222", false, 8)},
                             2));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].text, "81234560000011111111");
  EXPECT_EQ(two[1].text, "81234560000022222222");
}

TEST(PackageCodes, NoCodeNoResult) {
  EXPECT_TRUE(readPackageCodes(photo({}, 0)).empty());
  EXPECT_TRUE(readPackageCodes(cv::Mat()).empty());
}

}  // namespace
}  // namespace rx::ocr
