#include "ocr/image_io.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "exif.h"
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

// A JPEG as a phone writes it: EXIF Orientation = `orientation` (tests/support/exif.h).
std::vector<std::uint8_t> withExifOrientation(std::vector<std::uint8_t> jpeg,
                                              std::uint16_t orientation) {
  test::ExifTags tags;
  tags.orientation = orientation;
  return test::withExif(std::move(jpeg), tags);
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

// Rewrites the image size in a little-endian TIFF's first directory (as libtiff writes it here).
std::vector<std::uint8_t> withTiffSize(std::vector<std::uint8_t> tiff, std::uint32_t width,
                                       std::uint32_t height) {
  EXPECT_EQ(tiff[0], 'I');
  auto u16 = [&](std::size_t at) { return std::uint32_t(tiff[at] | (tiff[at + 1] << 8)); };
  const std::size_t ifd = tiff[4] | (tiff[5] << 8) | (tiff[6] << 16) | (std::size_t(tiff[7]) << 24);
  for (std::uint32_t e = 0; e < u16(ifd); ++e) {
    const std::size_t at = ifd + 2 + 12 * e;
    const std::uint32_t tag = u16(at);
    if (tag != 256 && tag != 257) continue;
    const std::uint32_t v = tag == 256 ? width : height;
    const int bytes = u16(at + 2) == 3 ? 2 : 4;
    for (int k = 0; k < bytes; ++k) tiff[at + 8 + k] = static_cast<std::uint8_t>(v >> (8 * k));
  }
  return tiff;
}

// Peak resident memory of this process, in MiB (VmHWM).
long peakMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return -1;
}

// Image bombs (issue 19 #10): a few hundred bytes whose header claims hundreds of megapixels.
// Each is refused from its header, naming its size, and decoding them all stays well inside the
// workstation's memory budget (measured in a child process, whose peak is its own).
TEST(ImageIo, TiffAndWebpBombsAreRefusedFromTheirHeadersWithinTheMemoryBudget) {
  struct Bomb {
    std::vector<std::uint8_t> bytes;
    std::string name, size;
  };
  std::vector<Bomb> bombs = {
      {withTiffSize(encode(landscape(), ".tiff"), 30000, 30000), "bomb.tiff", "30000x30000"},
      {withTiffSize(encode(landscape(), ".tiff"), 15000, 15000), "225mp.tiff", "15000x15000"}};
  auto webp = encode(landscape(), ".webp");
  const std::string chunk(webp.begin() + 12, webp.begin() + 16);
  if (chunk == "VP8L") {  // lossless: 14 bits of width - 1, then 14 of height - 1, from byte 21
    std::uint32_t bits =
        webp[21] | (webp[22] << 8) | (webp[23] << 16) | (std::uint32_t(webp[24]) << 24);
    bits = (bits & ~0x0fffffffu) | 0x3fffu | (0x3fffu << 14);
    for (int k = 0; k < 4; ++k) webp[21 + k] = static_cast<std::uint8_t>(bits >> (8 * k));
  } else {
    ASSERT_EQ(chunk, "VP8 ");
    for (int k : {26, 28}) {  // 14-bit width and height of the lossy frame
      webp[k] = 0xff;
      webp[k + 1] = 0x3f;
    }
  }
  bombs.push_back({webp, "bomb.webp", chunk == "VP8L" ? "16384x16384" : "16383x16383"});
  for (const Bomb& b : bombs) {
    auto img = decodeImage(b.bytes, b.name);
    ASSERT_FALSE(img) << b.name;
    EXPECT_EQ(img.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(img.status().message().find(b.size), std::string::npos) << img.status().message();
    EXPECT_NE(img.status().message().find(b.name), std::string::npos) << img.status().message();
  }
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (const Bomb& b : bombs)
      if (decodeImage(b.bytes, b.name)) _exit(2);
    _exit(peakMiB() < 300 ? 0 : 3);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: a bomb decoded; 3: memory peaked above 300 MiB";
}

TEST(ImageIo, AFolderOrAPipeGivenAsAPhotoIsRefusedAtOnce) {
  char folder[] = "/tmp/rxdesk-imageio-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  auto dir = loadImage(folder);
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.status().message().find("is a folder"), std::string::npos)
      << dir.status().message();
  const std::string fifo = std::string(folder) + "/photo.jpg";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] { return loadImage(fifo).status(); });
  ASSERT_EQ(read.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "reading a pipe given as a photo hangs";
  const Status s = read.get();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
  ::unlink(fifo.c_str());
  ::rmdir(folder);
}

}  // namespace
}  // namespace rx::ocr
