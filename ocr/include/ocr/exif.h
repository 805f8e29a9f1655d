// When a photo was taken, as its camera wrote it in EXIF: several photos of the counter's papers
// are taken in in the order they were taken, so that the first photo of a paper is the one kept as
// the original and the later ones are flagged as re-photos.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace rx::ocr {

// Returns the time the picture in `data` was taken — EXIF DateTimeOriginal, else
// DateTimeDigitized, else the picture's DateTime — as "YYYY-MM-DDTHH:MM:SS" (the camera's local
// time; EXIF has no zone), or nothing when it carries none. JPEG (the APP1 "Exif" segment) and
// TIFF; anything malformed gives nothing, never an error or a read outside `data`.
std::optional<std::string> exifCaptureTime(const std::uint8_t* data, std::size_t size);

// The same for the file at `path`, reading only the parts it needs (a JPEG's first segments, a
// TIFF's directories wherever they are). Nothing when the file cannot be read.
std::optional<std::string> exifCaptureTimeOfFile(const std::string& path);

}  // namespace rx::ocr
