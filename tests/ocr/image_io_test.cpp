#include "ocr/image_io.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "status_matchers.h"

namespace rx::ocr {
namespace {

std::vector<std::uint8_t> encode(const cv::Mat& m, const char* ext) {
  std::vector<std::uint8_t> out;
  cv::imencode(ext, m, out);
  return out;
}

cv::Mat landscape() {
  cv::Mat m(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::rectangle(m, {0, 0}, {40, 40}, cv::Scalar(0, 0, 255), cv::FILLED);  // red mark top-left
  return m;
}

// Inserts an EXIF APP1 segment carrying Orientation = `orientation` right after the SOI marker.
std::vector<std::uint8_t> withExifOrientation(std::vector<std::uint8_t> jpeg,
                                              std::uint16_t orientation) {
  const std::uint8_t tiff[] = {'I',
                               'I',
                               0x2A,
                               0,
                               8,
                               0,
                               0,
                               0,  // little-endian TIFF, IFD at 8
                               1,
                               0,  // one entry
                               0x12,
                               0x01,
                               3,
                               0,
                               1,
                               0,
                               0,
                               0,  // tag 0x0112 SHORT count 1
                               static_cast<std::uint8_t>(orientation),
                               0,
                               0,
                               0,
                               0,
                               0,
                               0,
                               0};  // no next IFD
  std::vector<std::uint8_t> app1 = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), std::begin(tiff), std::end(tiff));
  const std::size_t len = app1.size() - 2;
  app1[2] = static_cast<std::uint8_t>(len >> 8);
  app1[3] = static_cast<std::uint8_t>(len & 0xff);
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  return jpeg;
}

TEST(ImageIo, DecodesEachSupportedFormat) {
  for (const char* ext : {".jpg", ".png", ".tiff", ".webp"}) {
    auto img = decodeImage(encode(landscape(), ext), std::string("x") + ext);
    RX_ASSERT_OK(img) << ext;
    EXPECT_EQ(img->cols, 200) << ext;
    EXPECT_EQ(img->rows, 100) << ext;
    EXPECT_EQ(img->type(), CV_8UC3) << ext;
  }
}

TEST(ImageIo, SidewaysPhonePhotoComesOutUpright) {
  // EXIF 6: the camera was turned 90° clockwise; the stored pixels must be rotated to display.
  auto img = decodeImage(withExifOrientation(encode(landscape(), ".jpg"), 6), "phone.jpg");
  RX_ASSERT_OK(img);
  EXPECT_EQ(img->cols, 100);
  EXPECT_EQ(img->rows, 200);
  // The red mark that was top-left is now top-right.
  cv::Vec3b topRight = img->at<cv::Vec3b>(5, 94);
  EXPECT_GT(topRight[2], 200);
  EXPECT_LT(topRight[0], 80);
}

TEST(ImageIo, TruncatedFilesAreRefusedByName) {
  for (const char* ext : {".jpg", ".png"}) {
    auto bytes = encode(landscape(), ext);
    bytes.resize(bytes.size() * 2 / 3);
    auto img = decodeImage(bytes, std::string("cut") + ext);
    ASSERT_FALSE(img) << ext;
    EXPECT_NE(img.status().message().find("truncated"), std::string::npos)
        << img.status().message();
    EXPECT_NE(img.status().message().find(std::string("cut") + ext), std::string::npos);
  }
}

TEST(ImageIo, AbsurdDimensionsRefusedBeforeDecoding) {
  auto bytes = encode(landscape(), ".png");
  // Rewrite IHDR to claim 60000 x 60000 pixels; refused from the header alone.
  const std::uint32_t huge = 60000;
  for (int k = 0; k < 4; ++k) {
    bytes[16 + k] = static_cast<std::uint8_t>(huge >> (24 - 8 * k));
    bytes[20 + k] = static_cast<std::uint8_t>(huge >> (24 - 8 * k));
  }
  auto img = decodeImage(bytes, "bomb.png");
  ASSERT_FALSE(img);
  EXPECT_NE(img.status().message().find("60000x60000"), std::string::npos)
      << img.status().message();
}

TEST(ImageIo, NotAnImage) {
  std::vector<std::uint8_t> text = {'%', 'P', 'D', 'F', '-', '1', '.', '7'};
  auto img = decodeImage(text, "scan.pdf");
  ASSERT_FALSE(img);
  EXPECT_NE(img.status().message().find("not a JPEG, PNG, TIFF or WebP"), std::string::npos);
  EXPECT_EQ(loadImage("/nonexistent/photo.jpg").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace rx::ocr
