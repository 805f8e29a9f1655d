#include "ocr/exif.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rx::ocr {

namespace {

// Random access to a picture's bytes, in memory or in a file.
class Source {
 public:
  virtual ~Source() = default;
  // Copies the `n` bytes at `offset` to `out`; false when they are not all there.
  virtual bool read(std::uint64_t offset, std::size_t n, std::uint8_t* out) = 0;
};

class MemorySource : public Source {
 public:
  MemorySource(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool read(std::uint64_t offset, std::size_t n, std::uint8_t* out) override {
    if (offset > size_ || n > size_ - offset) return false;
    std::memcpy(out, data_ + offset, n);
    return true;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

class FileSource : public Source {
 public:
  // Opened without blocking and only if it is a regular file: a pipe must not hang the caller.
  explicit FileSource(const std::string& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ >= 0 && (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  bool open() const { return fd_ >= 0; }
  bool read(std::uint64_t offset, std::size_t n, std::uint8_t* out) override {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      done += static_cast<std::size_t>(got);
    }
    return true;
  }

 private:
  int fd_;
};

constexpr std::uint16_t kExifIfdPointer = 0x8769;
constexpr std::uint16_t kDateTimeOriginal = 0x9003;
constexpr std::uint16_t kDateTimeDigitized = 0x9004;
constexpr std::uint16_t kDateTime = 0x0132;
constexpr std::uint16_t kAscii = 2, kLong = 4, kIfd = 13;  // kIfd: a few writers' pointer type
constexpr unsigned kMaxEntries = 1000;  // a directory claiming more is not a camera's

// "YYYY:MM:DD HH:MM:SS" as EXIF writes it → "YYYY-MM-DDTHH:MM:SS"; nothing for the zeros or blanks
// a camera writes when its clock was never set, or for anything else.
std::optional<std::string> isoTime(const std::uint8_t* s) {
  static constexpr char kShape[] = "dddd:dd:dd dd:dd:dd";
  int fields[6] = {0, 0, 0, 0, 0, 0};
  int field = 0;
  for (int i = 0; i < 19; ++i) {
    const char c = static_cast<char>(s[i]);
    if (kShape[i] == 'd') {
      if (c < '0' || c > '9') return std::nullopt;
      fields[field] = fields[field] * 10 + (c - '0');
    } else {
      if (c != kShape[i]) return std::nullopt;
      ++field;
    }
  }
  const int year = fields[0], month = fields[1], day = fields[2];
  if (year < 1990 || month < 1 || month > 12 || day < 1 || day > 31 || fields[3] > 23 ||
      fields[4] > 59 || fields[5] > 60)
    return std::nullopt;
  std::string out(reinterpret_cast<const char*>(s), 19);
  out[4] = out[7] = '-';
  out[10] = 'T';
  return out;
}

// A TIFF structure (a TIFF file, or the EXIF block of a JPEG) starting at `base` in the source.
class Tiff {
 public:
  Tiff(Source& source, std::uint64_t base) : source_(source), base_(base) {}

  // Reads the byte order and the first directory's offset.
  bool open() {
    std::uint8_t h[8];
    if (!source_.read(base_, 8, h)) return false;
    if (h[0] == 'I' && h[1] == 'I')
      little_ = true;
    else if (h[0] == 'M' && h[1] == 'M')
      little_ = false;
    else
      return false;
    if (u16(h + 2) != 42) return false;
    ifd0_ = u32(h + 4);
    return true;
  }

  std::optional<std::string> captureTime() {
    std::optional<std::string> picture = timeIn(ifd0_, kDateTime);
    if (auto exif = find(ifd0_, kExifIfdPointer);
        exif && (exif->type == kLong || exif->type == kIfd)) {
      if (auto t = timeIn(exif->value, kDateTimeOriginal)) return t;
      if (auto t = timeIn(exif->value, kDateTimeDigitized)) return t;
    }
    return picture;
  }

 private:
  struct Entry {
    std::uint16_t type = 0;
    std::uint32_t count = 0;
    std::uint32_t value = 0;  // the value itself when it fits in 4 bytes, else its offset
  };

  std::uint16_t u16(const std::uint8_t* p) const {
    return little_ ? static_cast<std::uint16_t>(p[0] | p[1] << 8)
                   : static_cast<std::uint16_t>(p[0] << 8 | p[1]);
  }
  std::uint32_t u32(const std::uint8_t* p) const {
    return little_ ? (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
                      std::uint32_t{p[3]} << 24)
                   : (std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 |
                      std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]});
  }

  std::optional<Entry> find(std::uint32_t ifd, std::uint16_t tag) {
    std::uint8_t countBytes[2];
    if (ifd < 8 || !source_.read(base_ + ifd, 2, countBytes)) return std::nullopt;
    const unsigned count = u16(countBytes);
    if (count > kMaxEntries) return std::nullopt;
    for (unsigned i = 0; i < count; ++i) {
      std::uint8_t e[12];
      if (!source_.read(base_ + ifd + 2 + 12ull * i, 12, e)) return std::nullopt;
      if (u16(e) == tag) return Entry{u16(e + 2), u32(e + 4), u32(e + 8)};
    }
    return std::nullopt;
  }

  std::optional<std::string> timeIn(std::uint32_t ifd, std::uint16_t tag) {
    auto entry = find(ifd, tag);
    // 20 with the closing NUL; a few writers leave it out or pad the string.
    if (!entry || entry->type != kAscii || entry->count < 19 || entry->count > 32)
      return std::nullopt;
    std::uint8_t text[19];
    if (!source_.read(base_ + entry->value, 19, text)) return std::nullopt;
    return isoTime(text);
  }

  Source& source_;
  std::uint64_t base_;
  bool little_ = true;
  std::uint32_t ifd0_ = 0;
};

// The offset of the TIFF structure inside a JPEG's APP1 "Exif" segment, which cameras write
// before the picture data (the scan stops at the picture's start of scan).
std::optional<std::uint64_t> jpegExifBase(Source& source) {
  std::uint64_t at = 2;  // after SOI
  for (int segment = 0; segment < 64; ++segment) {
    std::uint8_t m[4];
    if (!source.read(at, 4, m) || m[0] != 0xFF) return std::nullopt;
    if (m[1] == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (m[1] == 0xDA || m[1] == 0xD9) return std::nullopt;  // picture data, or the end
    const std::uint32_t length = std::uint32_t{m[2]} << 8 | m[3];
    if (length < 2) return std::nullopt;
    if (m[1] == 0xE1 && length >= 2 + 6 + 8) {  // length, "Exif\0\0", a TIFF header
      std::uint8_t id[6];
      if (source.read(at + 4, 6, id) && std::memcmp(id, "Exif\0\0", 6) == 0) return at + 10;
    }
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<std::string> captureTimeIn(Source& source) {
  std::uint8_t magic[4];
  if (!source.read(0, 4, magic)) return std::nullopt;
  std::uint64_t base = 0;
  if (magic[0] == 0xFF && magic[1] == 0xD8) {
    auto exif = jpegExifBase(source);
    if (!exif) return std::nullopt;
    base = *exif;
  } else if (!((magic[0] == 'I' && magic[1] == 'I') || (magic[0] == 'M' && magic[1] == 'M'))) {
    return std::nullopt;
  }
  Tiff tiff(source, base);
  if (!tiff.open()) return std::nullopt;
  return tiff.captureTime();
}

}  // namespace

std::optional<std::string> exifCaptureTime(const std::uint8_t* data, std::size_t size) {
  MemorySource source(data, size);
  return captureTimeIn(source);
}

std::optional<std::string> exifCaptureTimeOfFile(const std::string& path) {
  FileSource source(path);
  if (!source.open()) return std::nullopt;
  return captureTimeIn(source);
}

}  // namespace rx::ocr
