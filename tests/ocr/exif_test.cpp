// When a photo was taken, from its EXIF: what orders several photos taken in at once.
#include "ocr/exif.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "exif.h"
#include "temp_dir.h"

namespace rx::ocr {
namespace {

std::vector<std::uint8_t> plainJpeg() {
  std::vector<std::uint8_t> out;
  cv::imencode(".jpg", cv::Mat(40, 60, CV_8UC3, cv::Scalar(200, 200, 200)), out);
  return out;
}

std::optional<std::string> timeOf(const std::vector<std::uint8_t>& bytes) {
  return exifCaptureTime(bytes.data(), bytes.size());
}

TEST(Exif, TheTimeAPhotoWasTakenIsReadInEitherByteOrder) {
  for (bool bigEndian : {false, true}) {
    test::ExifTags tags;
    tags.bigEndian = bigEndian;
    tags.orientation = 6;
    tags.dateTime = "2026:12:01 10:00:00";  // when it was last saved
    tags.dateTimeOriginal = "2026:12:01 09:30:05";
    EXPECT_EQ(timeOf(test::withExif(plainJpeg(), tags)), "2026-12-01T09:30:05") << bigEndian;
    tags.dateTimeOriginal.clear();  // a scanner writes only the picture's time
    EXPECT_EQ(timeOf(test::withExif(plainJpeg(), tags)), "2026-12-01T10:00:00") << bigEndian;
  }
  EXPECT_EQ(timeOf(plainJpeg()), std::nullopt) << "no EXIF: the caller falls back to file time";
}

TEST(Exif, AClockNeverSetOrABrokenSegmentGivesNoTimeAndReadsNothingOutside) {
  test::ExifTags zeros;
  zeros.dateTimeOriginal = "0000:00:00 00:00:00";
  EXPECT_EQ(timeOf(test::withExif(plainJpeg(), zeros)), std::nullopt);
  test::ExifTags blank;
  blank.dateTimeOriginal = "    :  :     :  :  ";
  EXPECT_EQ(timeOf(test::withExif(plainJpeg(), blank)), std::nullopt);

  test::ExifTags good;
  good.dateTimeOriginal = "2026:12:01 09:30:05";
  const auto whole = test::withExif(plainJpeg(), good);
  // Every truncation of the file: an answer or nothing, never a read past the end (ASan watches).
  for (std::size_t size = 0; size < 200 && size < whole.size(); ++size) {
    std::vector<std::uint8_t> cut(whole.begin(), whole.begin() + static_cast<long>(size));
    const auto t = timeOf(cut);
    if (t) {
      EXPECT_EQ(*t, "2026-12-01T09:30:05") << size;
    }
  }
  // Offsets pointing far outside, and an entry count no directory has.
  auto hostile = whole;
  for (std::size_t i = 12; i + 4 < 120; i += 4) {
    auto bytes = hostile;
    bytes[i] = bytes[i + 1] = bytes[i + 2] = bytes[i + 3] = 0xFF;
    (void)timeOf(bytes);
  }
  EXPECT_EQ(exifCaptureTime(nullptr, 0), std::nullopt);
}

TEST(Exif, AFileIsReadInPlaceAndAPipeOrAFolderGivesNothing) {
  test::TempDir dir;
  test::ExifTags tags;
  tags.dateTimeOriginal = "2026:11:30 18:45:00";
  const auto bytes = test::withExif(plainJpeg(), tags);
  const std::string photo = dir.file("IMG_0001.jpg");
  std::ofstream(photo, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  EXPECT_EQ(exifCaptureTimeOfFile(photo), "2026-11-30T18:45:00");
  EXPECT_EQ(exifCaptureTimeOfFile(dir.path()), std::nullopt);
  EXPECT_EQ(exifCaptureTimeOfFile(dir.file("missing.jpg")), std::nullopt);
  const std::string fifo = dir.file("pipe.jpg");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(exifCaptureTimeOfFile(fifo), std::nullopt) << "and it returned: no writer needed";
}

}  // namespace
}  // namespace rx::ocr
