#include "ocr/image_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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

std::uint32_t le16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
std::uint32_t le24(const std::uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16); }
std::uint32_t le32(const std::uint8_t* p) { return le24(p) | (std::uint32_t(p[3]) << 24); }
std::uint64_t le64(const std::uint8_t* p) { return le32(p) | (std::uint64_t(le32(p + 4)) << 32); }
std::uint64_t be64(const std::uint8_t* p) { return (std::uint64_t(be32(p)) << 32) | be32(p + 4); }

// Reads the first image's width and height from a TIFF's first directory (classic and BigTIFF,
// either byte order) without decoding anything: the decoder's allocation follows these numbers.
Result<Dimensions> inspectTiff(const std::vector<std::uint8_t>& b, const std::string& name) {
  const bool little = b[0] == 'I';
  auto u16 = [&](std::size_t at) { return little ? le16(&b[at]) : be16(&b[at]); };
  auto u32 = [&](std::size_t at) { return little ? le32(&b[at]) : be32(&b[at]); };
  auto u64 = [&](std::size_t at) { return little ? le64(&b[at]) : be64(&b[at]); };
  const auto damaged = [&](const char* why) {
    return Status(ErrorCode::kInvalidArgument, name + ": damaged TIFF (" + why + ")");
  };
  if (b.size() < 16) return damaged("too short");
  const std::uint32_t version = u16(2);
  const bool big = version == 43;
  if (version != 42 && !big) return damaged("unknown version");
  const std::uint64_t ifd = big ? u64(8) : u32(4);
  const std::size_t countSize = big ? 8 : 2, entrySize = big ? 20 : 12;
  // Compared without adding to `ifd`, which comes from the file and may be near 2^64.
  if (ifd < 8 || ifd > b.size() || countSize > b.size() - ifd)
    return damaged("first directory outside the file");
  const std::uint64_t count = big ? u64(ifd) : u16(ifd);
  if (count == 0 || count > 4096 || ifd + countSize + count * entrySize > b.size())
    return damaged("first directory runs past the end of the file");
  Dimensions dim{-1, -1};
  for (std::uint64_t e = 0; e < count; ++e) {
    const std::size_t at = ifd + countSize + e * entrySize;
    const std::uint32_t tag = u16(at), type = u16(at + 2);
    if (tag != 256 && tag != 257) continue;  // ImageWidth, ImageLength
    const std::size_t value = at + (big ? 12 : 8);
    std::int64_t v;
    if (type == 3)
      v = u16(value);  // SHORT
    else if (type == 4)
      v = u32(value);  // LONG
    else if (type == 16 && big)
      v = static_cast<std::int64_t>(std::min<std::uint64_t>(u64(value), INT64_MAX / 4));  // LONG8
    else
      return damaged("image size of an unexpected type");
    (tag == 256 ? dim.width : dim.height) = v;
  }
  if (dim.width <= 0 || dim.height <= 0) return damaged("no image size");
  return dim;
}

// The canvas size of a WebP from its first chunk (lossy VP8, lossless VP8L or extended VP8X).
Result<Dimensions> inspectWebp(const std::vector<std::uint8_t>& b, const std::string& name) {
  const auto damaged = [&](const char* why) {
    return Status(ErrorCode::kInvalidArgument, name + ": damaged WebP (" + why + ")");
  };
  if (b.size() < 30) return damaged("too short");
  const std::uint8_t* chunk = &b[12];
  if (std::memcmp(chunk, "VP8X", 4) == 0)
    return Dimensions{std::int64_t(le24(&b[24])) + 1, std::int64_t(le24(&b[27])) + 1};
  if (std::memcmp(chunk, "VP8L", 4) == 0) {
    if (b[20] != 0x2f) return damaged("bad lossless signature");
    const std::uint32_t bits = le32(&b[21]);
    return Dimensions{std::int64_t(bits & 0x3fff) + 1, std::int64_t((bits >> 14) & 0x3fff) + 1};
  }
  if (std::memcmp(chunk, "VP8 ", 4) == 0) {
    if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a) return damaged("bad frame start code");
    return Dimensions{std::int64_t(le16(&b[26]) & 0x3fff), std::int64_t(le16(&b[28]) & 0x3fff)};
  }
  return damaged("unknown first chunk");
}

void capOpenCvDecoder(const ImageLimits& limits) {
  // OpenCV's own ceiling, behind rxdesk's check of the size in the file's header. OpenCV 4.6 reads
  // OPENCV_IO_MAX_IMAGE_PIXELS (once, on first use); the CV_IO_ spelling is from older versions.
  static std::once_flag once;
  std::call_once(once, [&] {
    const std::string cap = std::to_string(limits.maxPixels);
    setenv("OPENCV_IO_MAX_IMAGE_PIXELS", cap.c_str(), 0);
    setenv("CV_IO_MAX_IMAGE_PIXELS", cap.c_str(), 0);
  });
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
    case ImageFormat::kTiff: {
      RX_ASSIGN_OR_RETURN(dim, inspectTiff(bytes, name));
      break;
    }
    case ImageFormat::kWebp: {
      RX_ASSIGN_OR_RETURN(dim, inspectWebp(bytes, name));
      break;
    }
  }
  auto tooLarge = [&](std::int64_t w, std::int64_t h) {
    return w > limits.maxSide || h > limits.maxSide || w * h > limits.maxPixels;
  };
  if (tooLarge(dim->width, dim->height))
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
  // Non-blocking: a FIFO given as a photo must not hang intake; only regular files are read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  "cannot open " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool folder = S_ISDIR(st.st_mode);
    ::close(fd);
    return Status(ErrorCode::kInvalidArgument,
                  path + (folder ? " is a folder, not a photo"
                                 : " is not a regular file (a device or pipe), not a photo"));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > limits.maxFileBytes) {
    ::close(fd);
    return Status(ErrorCode::kInvalidArgument,
                  path + " is " + std::to_string(size >> 20) + " MiB; photos larger than " +
                      std::to_string(limits.maxFileBytes >> 20) + " MiB are refused");
  }
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (done != bytes.size()) return Status(ErrorCode::kIo, "cannot read " + path);
  return decodeImage(bytes, path, limits);
}

}  // namespace rx::ocr
