#include "ocr/image_io.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

#include <opencv2/imgcodecs.hpp>

namespace rx::ocr {

namespace {

struct Dimensions {
  std::int64_t width = 0, height = 0;
};

std::uint32_t be16(const std::uint8_t* p) { return (p[0] << 8) | p[1]; }
std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// Walks the JPEG segments up to the first frame header; returns the frame size and whether an
// end-of-image marker follows the main image's scan data (a truncated upload has none).
Result<Dimensions> inspectJpeg(const std::vector<std::uint8_t>& b, const std::string& name) {
  std::size_t i = 2;
  Dimensions dim;
  bool sawFrame = false;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF)
      return Status(ErrorCode::kInvalidArgument, name + ": damaged JPEG (bad segment marker)");
    std::uint8_t marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    std::uint32_t len = be16(&b[i + 2]);
    if (len < 2 || i + 2 + len > b.size())
      return Status(ErrorCode::kInvalidArgument,
                    name + ": truncated JPEG (a segment runs past the end of the file)");
    bool isFrame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (isFrame && len >= 7) {
      dim.height = be16(&b[i + 5]);
      dim.width = be16(&b[i + 7]);
      sawFrame = true;
    }
    if (marker == 0xDA) {  // start of scan: entropy-coded data follows, with FF bytes stuffed
      if (!sawFrame)
        return Status(ErrorCode::kInvalidArgument,
                      name + ": damaged JPEG (scan before frame header)");
      for (std::size_t k = i + 2 + len; k + 1 < b.size(); ++k)
        if (b[k] == 0xFF && b[k + 1] == 0xD9) return dim;
      return Status(ErrorCode::kInvalidArgument,
                    name + ": truncated JPEG (no end-of-image marker; the file was cut off)");
    }
    i += 2 + len;
  }
  return Status(ErrorCode::kInvalidArgument, name + ": truncated JPEG (no image data)");
}

Result<Dimensions> inspectPng(const std::vector<std::uint8_t>& b, const std::string& name) {
  if (b.size() < 33 || std::memcmp(&b[12], "IHDR", 4) != 0)
    return Status(ErrorCode::kInvalidArgument, name + ": damaged PNG (no IHDR chunk)");
  Dimensions dim{be32(&b[16]), be32(&b[20])};
  // The last chunk must be IEND; search the tail (some tools append a few bytes after it).
  std::size_t from = b.size() > 64 ? b.size() - 64 : 0;
  for (std::size_t k = from; k + 4 <= b.size(); ++k)
    if (std::memcmp(&b[k], "IEND", 4) == 0) return dim;
  return Status(ErrorCode::kInvalidArgument,
                name + ": truncated PNG (no IEND chunk; the file was cut off)");
}

void capOpenCvDecoder(const ImageLimits& limits) {
  // OpenCV's own ceiling for formats whose size we do not parse (TIFF, WebP); read once by OpenCV.
  static std::once_flag once;
  std::call_once(
      once, [&] { setenv("CV_IO_MAX_IMAGE_PIXELS", std::to_string(limits.maxPixels).c_str(), 0); });
}
}  // namespace

ImageFormat sniffImageFormat(const std::uint8_t* d, std::size_t n) {
  if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat::kJpeg;
  if (n >= 8 && std::memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0) return ImageFormat::kPng;
  if (n >= 4 && (std::memcmp(d, "II*\0", 4) == 0 || std::memcmp(d, "MM\0*", 4) == 0))
    return ImageFormat::kTiff;
  if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0)
    return ImageFormat::kWebp;
  return ImageFormat::kUnknown;
}

Result<cv::Mat> decodeImage(const std::vector<std::uint8_t>& bytes, const std::string& name,
                            const ImageLimits& limits) {
  if (bytes.empty()) return Status(ErrorCode::kInvalidArgument, name + " is empty");
  if (bytes.size() > limits.maxFileBytes)
    return Status(ErrorCode::kInvalidArgument,
                  name + " is " + std::to_string(bytes.size() >> 20) + " MiB; photos larger than " +
                      std::to_string(limits.maxFileBytes >> 20) + " MiB are refused");
  const ImageFormat format = sniffImageFormat(bytes.data(), bytes.size());
  std::optional<Dimensions> dim;
  switch (format) {
    case ImageFormat::kUnknown:
      return Status(ErrorCode::kInvalidArgument, name + " is not a JPEG, PNG, TIFF or WebP image");
    case ImageFormat::kJpeg: {
      RX_ASSIGN_OR_RETURN(dim, inspectJpeg(bytes, name));
      break;
    }
    case ImageFormat::kPng: {
      RX_ASSIGN_OR_RETURN(dim, inspectPng(bytes, name));
      break;
    }
    default:
      break;
  }
  auto tooLarge = [&](std::int64_t w, std::int64_t h) {
    return w > limits.maxSide || h > limits.maxSide || w * h > limits.maxPixels;
  };
  if (dim && tooLarge(dim->width, dim->height))
    return Status(ErrorCode::kInvalidArgument,
                  name + " is " + std::to_string(dim->width) + "x" + std::to_string(dim->height) +
                      " pixels, above the " + std::to_string(limits.maxPixels / 1'000'000) +
                      " MP limit");
  capOpenCvDecoder(limits);
  cv::Mat image;
  try {
    // IMREAD_COLOR applies the EXIF orientation tag, so sideways phone photos come out upright.
    image = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8UC1,
                                 const_cast<std::uint8_t*>(bytes.data())),
                         cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return Status(ErrorCode::kInvalidArgument, name + " could not be decoded: " + e.err);
  }
  if (image.empty())
    return Status(ErrorCode::kInvalidArgument, name + " could not be decoded (damaged image data)");
  if (tooLarge(image.cols, image.rows))
    return Status(ErrorCode::kInvalidArgument, name + " is above the pixel limit");
  return image;
}

Result<cv::Mat> loadImage(const std::string& path, const ImageLimits& limits) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status(ErrorCode::kNotFound, "cannot open " + path);
  const auto size = static_cast<std::size_t>(in.tellg());
  if (size > limits.maxFileBytes)
    return Status(ErrorCode::kInvalidArgument,
                  path + " is " + std::to_string(size >> 20) + " MiB; photos larger than " +
                      std::to_string(limits.maxFileBytes >> 20) + " MiB are refused");
  std::vector<std::uint8_t> bytes(size);
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    return Status(ErrorCode::kIo, "cannot read " + path);
  return decodeImage(bytes, path, limits);
}

}  // namespace rx::ocr
