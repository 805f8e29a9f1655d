// Reading photos and scans of prescriptions safely: only JPEG, PNG, TIFF and WebP; size and pixel
// limits checked before decoding; truncated files refused; EXIF orientation applied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"

namespace rx::ocr {

struct ImageLimits {
  std::size_t maxFileBytes = 60u << 20;  // 60 MiB: a 50-MP phone JPEG is well under this
  // 50 MP: a phone's full-resolution photo (48-50 MP sensors); decoded as BGR it takes 150 MB,
  // which keeps the workstation within its memory budget whatever a file claims.
  std::int64_t maxPixels = 50'000'000;
  int maxSide = 20'000;
};

enum class ImageFormat { kUnknown, kJpeg, kPng, kTiff, kWebp };

// Returns the format named by the first bytes of a file.
ImageFormat sniffImageFormat(const std::uint8_t* data, std::size_t size);

// Decodes `bytes` (named `name` in errors) to an 8-bit BGR image, upright per EXIF orientation.
Result<cv::Mat> decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& name,
                            const ImageLimits& limits = {});
// Reads and decodes the file at `path`.
Result<cv::Mat> loadImage(const std::string& path, const ImageLimits& limits = {});

}  // namespace rx::ocr
