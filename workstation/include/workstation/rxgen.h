// Synthetic Chinese paper prescriptions (处方笺) with ground truth, rendered with Debian's CJK
// fonts on several hospital layouts, and a simulation of photographing them with a phone:
// perspective, rotation (also sideways and upside down), lighting gradients, hard shadows, blur,
// noise, JPEG quality 55-95, 2-12 megapixels. The demo data's photos come from here, as do the
// OCR accuracy test and benchmark and the reuse detector's corpus. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace rx::ws {

struct GenDrug {
  std::string name;
  std::string spec;
  int quantity = 1;
  std::string unit;
  std::string usage;
};

struct GenRx {
  int layout = 0;
  std::string hospital;
  std::string rxNumber;
  std::string date;  // YYYY-MM-DD
  std::string patientName;
  std::string sex;  // 男 / 女
  std::string age;  // e.g. "45岁"
  std::string outpatientId;
  std::string department;
  std::string diagnosis;
  std::vector<GenDrug> drugs;
  std::string doctor;
  std::string amount;  // e.g. "56.80"
};

struct CaptureOptions {
  double minMegapixels = 2, maxMegapixels = 12;
  double sidewaysProbability = 0.2;    // 90° or 270°
  double upsideDownProbability = 0.1;  // 180°
  double shadowProbability = 0.5;
  int minJpegQuality = 55, maxJpegQuality = 95;
  // Probability that the frame cuts off one side of the page (3-10% of the page lost).
  double cropProbability = 0;
};

inline constexpr int kLayoutCount = 6;

class RxGenerator {
 public:
  // `catalogue` is data/catalogue/drugs.tsv; drugs are drawn from its rx/otc entries.
  RxGenerator(std::uint64_t seed, std::string catalogue);

  // Returns new random content on `layout` (0..kLayoutCount-1).
  GenRx content(int layout);
  // Returns a legitimate monthly repeat: same patient, hospital and drugs, new number and date.
  GenRx monthlyRepeat(const GenRx& previous);
  // Returns other content printed on the same hospital form (same hospital and layout).
  GenRx sameForm(const GenRx& other);

  // Renders the clean page (8-bit BGR, about 1240x1754: A5 at 210 dpi).
  cv::Mat render(const GenRx& rx) const;
  // Simulates a phone photo of `page`; returns JPEG bytes.
  std::vector<std::uint8_t> photograph(const cv::Mat& page, const CaptureOptions& options = {});
  // Same as photograph() but reports the rotation applied (0/90/180/270).
  std::vector<std::uint8_t> photograph(const cv::Mat& page, const CaptureOptions& options,
                                       int* rotation);

  std::mt19937_64& rng() { return rng_; }

 private:
  std::string pick(const std::vector<std::string>& v);
  std::string randomName();
  std::vector<GenDrug> randomDrugs();
  std::mt19937_64 rng_;
  std::vector<std::string> drugNames_;
};

}  // namespace rx::ws
