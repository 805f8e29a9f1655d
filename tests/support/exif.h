// EXIF as a camera writes it, put into a JPEG made by the tests: an APP1 "Exif" segment right
// after SOI with a TIFF structure holding IFD0 (Orientation, DateTime) and an Exif sub-IFD
// (DateTimeOriginal). Both byte orders, as phones of either kind write them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rx::test {

struct ExifTags {
  std::uint16_t orientation = 0;  // 0: not written
  std::string dateTime;           // IFD0 0x0132, "YYYY:MM:DD HH:MM:SS"; empty: not written
  std::string dateTimeOriginal;   // Exif 0x9003; empty: not written
  bool bigEndian = false;         // "MM" instead of "II"
};

inline std::vector<std::uint8_t> withExif(std::vector<std::uint8_t> jpeg, const ExifTags& t) {
  std::vector<std::uint8_t> tiff;
  auto put16 = [&](std::vector<std::uint8_t>& v, std::size_t at, std::uint16_t x) {
    v[at] = static_cast<std::uint8_t>(t.bigEndian ? x >> 8 : x & 0xff);
    v[at + 1] = static_cast<std::uint8_t>(t.bigEndian ? x & 0xff : x >> 8);
  };
  auto put32 = [&](std::vector<std::uint8_t>& v, std::size_t at, std::uint32_t x) {
    for (int i = 0; i < 4; ++i)
      v[at + (t.bigEndian ? 3 - i : i)] = static_cast<std::uint8_t>(x >> (8 * i));
  };
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t count;
    std::uint32_t value;  // or the offset of the data, filled in below
    std::string text;
  };
  std::vector<Entry> ifd0, exif;
  if (t.orientation != 0) ifd0.push_back({0x0112, 3, 1, t.orientation, {}});
  if (!t.dateTime.empty()) ifd0.push_back({0x0132, 2, 20, 0, t.dateTime});
  if (!t.dateTimeOriginal.empty()) exif.push_back({0x9003, 2, 20, 0, t.dateTimeOriginal});
  if (!exif.empty()) ifd0.push_back({0x8769, 4, 1, 0, {}});
  // Layout: header (8), IFD0, Exif IFD, then the strings.
  const std::size_t ifd0At = 8, exifAt = ifd0At + 2 + 12 * ifd0.size() + 4;
  const std::size_t dataAt = exifAt + (exif.empty() ? 0 : 2 + 12 * exif.size() + 4);
  tiff.assign(dataAt, 0);
  tiff[0] = tiff[1] = t.bigEndian ? 'M' : 'I';
  put16(tiff, 2, 42);
  put32(tiff, 4, static_cast<std::uint32_t>(ifd0At));
  auto writeIfd = [&](std::size_t at, std::vector<Entry>& entries) {
    put16(tiff, at, static_cast<std::uint16_t>(entries.size()));
    for (std::size_t i = 0; i < entries.size(); ++i) {
      Entry& e = entries[i];
      if (e.tag == 0x8769) e.value = static_cast<std::uint32_t>(exifAt);
      if (!e.text.empty()) {
        e.value = static_cast<std::uint32_t>(tiff.size());
        tiff.insert(tiff.end(), e.text.begin(), e.text.end());
        tiff.push_back(0);
      }
      const std::size_t p = at + 2 + 12 * i;
      put16(tiff, p, e.tag);
      put16(tiff, p + 2, e.type);
      put32(tiff, p + 4, e.count);
      if (e.type == 3)  // SHORT: left-justified in the value field
        put16(tiff, p + 8, static_cast<std::uint16_t>(e.value));
      else
        put32(tiff, p + 8, e.value);
    }
  };
  writeIfd(ifd0At, ifd0);
  if (!exif.empty()) writeIfd(exifAt, exif);
  std::vector<std::uint8_t> app1 = {0xFF, 0xE1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  app1.insert(app1.end(), tiff.begin(), tiff.end());
  const std::size_t len = app1.size() - 2;
  app1[2] = static_cast<std::uint8_t>(len >> 8);
  app1[3] = static_cast<std::uint8_t>(len & 0xff);
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  return jpeg;
}

}  // namespace rx::test
