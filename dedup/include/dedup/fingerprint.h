// The fingerprint of one presentation of a prescription, from which reuse is decided.
//
// A fingerprint holds no patient data in clear: identity and field values are keyed hashes
// (HMAC-SHA-256 truncated to 64 bits, key kept inside the encrypted store), the text fingerprint is
// a SimHash of keyed character bigrams, and the image evidence is a perceptual hash of the
// filled-in ink in four regions of the straightened page (prescription number, date, patient
// name, drug lines), so the printed form that every prescription of a hospital shares does not
// make two different prescriptions look alike.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"
#include "crypto/bytes.h"

namespace rx::dedup {

using Hash256 = std::array<std::uint64_t, 4>;
// The number of bits in which `a` and `b` differ. Inline: in dedup's distance loops, built with
// and without POPCNT (dedup/src/popcount.h), it becomes the instruction where the CPU has it.
inline int hammingDistance(const Hash256& a, const Hash256& b) {
  return std::popcount(a[0] ^ b[0]) + std::popcount(a[1] ^ b[1]) + std::popcount(a[2] ^ b[2]) +
         std::popcount(a[3] ^ b[3]);
}

// Image regions of the ink hash; each is 64 of its 256 bits.
enum InkRegion { kInkNumber = 0, kInkDate = 1, kInkPatient = 2, kInkDrugs = 3 };
inline constexpr int kInkRegions = 4;
const char* inkRegionName(int region);

// What a presentation says, as read (OCR) or as signed (e-prescription).
struct PresentationContent {
  std::string issuer;    // hospital / organisation name
  std::string rxNumber;  // as written
  bool numberRead =
      false;  // true: OCR read it (may be misread); false: signed (e-prescription, QR)
  bool numberSure = false;  // OCR read it with confidence (dedup::kSureReading)
  std::string date;         // YYYY-MM-DD when known
  std::string patient;
  std::vector<std::string> drugs;  // names
  // The filled-in values (not the form's printed labels), in reading order, for the text
  // fingerprint: number, date, patient, sex, age, diagnosis, drug lines.
  std::vector<std::string> values;
};

// Boxes of the filled-in ink on the straightened page, per InkRegion; empty when not found.
using InkBoxes = std::array<std::optional<cv::Rect>, kInkRegions>;

struct Fingerprint {
  std::uint64_t number = 0;  // keyed hash of the normalised number; 0 = unknown
  bool numberRead = false;   // read by OCR (a one-character difference may be a misreading)
  bool numberSure = false;   // read by OCR with confidence: taken as read ("read=2")
  // Read by OCR without confidence: the number may be misread.
  bool numberUnsure() const { return numberRead && !numberSure; }
  // Keyed hashes of the number and of each variant with one character deleted: two numbers one
  // misread character apart share one of them, without either number being stored.
  std::vector<std::uint64_t> numberNear;
  std::uint64_t issuer = 0, date = 0, patient = 0;  // 0 = unknown
  std::vector<std::uint64_t> drugs;                 // sorted, unique
  bool hasText = false;
  Hash256 text{};               // SimHash of keyed character bigrams of the values
  std::uint8_t inkRegions = 0;  // bit i: region i was hashed
  Hash256 ink{};                // 64 bits per region

  bool hasInk(int region) const { return (inkRegions >> region) & 1; }
  // Compact text form for storage; parse() reads it back (errors name the bad part).
  std::string serialize() const;
  static Result<Fingerprint> parse(const std::string& text);
};

// Computes fingerprints with one store's secret key.
class Fingerprinter {
 public:
  explicit Fingerprinter(crypto::SecretBytes key) : key_(std::move(key)) {}

  // `page` is the straightened, lighting-flattened grey page (may be empty: no image evidence).
  Fingerprint make(const PresentationContent& content, const cv::Mat& page,
                   const InkBoxes& boxes) const;
  std::uint64_t keyed(std::string_view domain, std::string_view value) const;
  // Sets number, issuer, date and patient from `content` (the rest of `fp` is kept): used when a
  // pharmacist confirms or corrects what OCR read.
  void setIdentity(Fingerprint& fp, const PresentationContent& content) const;
  // Sets the drug set from `names` (the rest of `fp` is kept): when a pharmacist corrects the
  // drug lines.
  void setDrugs(Fingerprint& fp, const std::vector<std::string>& names) const;

 private:
  crypto::SecretBytes key_;
};

// The 64-bit perceptual hash of the ink inside `box` of a grey page: the box is binarised (Otsu),
// cropped to its ink, scaled to 128x32 and the signs of 4x16 low DCT frequencies (around their
// median) are the bits. nullopt when the box holds no ink.
std::optional<std::uint64_t> inkHash(const cv::Mat& pageGray, const cv::Rect& box);

// Normalisation used for the keyed hashes (exposed for tests): a number keeps ASCII letters and
// digits, upper-cased; a name or issuer drops spaces and punctuation.
std::string normalizeNumber(std::string_view s);
std::string normalizeName(std::string_view s);

}  // namespace rx::dedup
