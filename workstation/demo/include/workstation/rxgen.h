// Synthetic Chinese paper prescriptions (处方笺) with ground truth, rendered with Debian's CJK
// fonts on several hospital layouts, and a simulation of photographing them with a phone:
// perspective, rotation (also sideways and upside down), lighting gradients, hard shadows, blur,
// noise, JPEG quality 55-95, 2-12 megapixels. The demo data's photos come from here, as do the
// OCR accuracy test and benchmark and the reuse detector's corpus. Deterministic for a given seed.
#pragma once

#include <array>
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
  // How much of the frame's short side the page covers.
  double minFill = 0.62, maxFill = 0.88;
  // The desk under the paper: a plain colour, or (busyDesk) a light counter as bright as paper,
  // wood grain or a patterned mat, with things on it — a till receipt with its own print, a second
  // printed sheet cut off by the frame, a pen, a coloured box, a phone. A photo of a phone's
  // screen then shows the paper on such a desk, and the phone lies on one too.
  bool busyDesk = false;
};

inline constexpr int kLayoutCount = 6;

// How a paper reaches the counter besides a phone photo of it, and what can be wrong with it.
enum class Medium { kPhone, kScan, kPhotocopy, kScreen };
struct Conditions {
  Medium medium = Medium::kPhone;
  bool crumpled = false;  // the paper was crumpled and smoothed out again
  bool lowLight = false;  // a dim counter: dark and noisy
  bool thumb = false;     // a thumb over a corner of the page
};
const char* mediumName(Medium m);  // phone | scan | photocopy | screen

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
  // Returns the second prescription of the same visit: same hospital, form, patient, date,
  // department and doctor; the next number; other drugs and diagnosis.
  GenRx sameVisit(const GenRx& first);
  // Draws what the pharmacy adds at the first dispensing: a red 已调配 stamp and a pharmacist's
  // initials, somewhere on the lower two thirds of the page.
  void addPharmacyMarks(cv::Mat& page);
  // Returns `page` as a sheet crumpled and smoothed out again: bent by a smooth displacement of up
  // to ~10 px (more where it adds up), lighter and darker in places, with a few creases. take()
  // does this for Conditions::crumpled.
  cv::Mat crumpled(const cv::Mat& page);
  // Returns JPEG bytes of `page` taken as `conditions` say: a phone photo (photograph()), a
  // flatbed scan, a phone photo of a photocopy, or a phone photo of a phone screen showing a photo
  // of the page; crumpled, in low light, or with a thumb over a corner.
  std::vector<std::uint8_t> take(const cv::Mat& page, const Conditions& conditions,
                                 const CaptureOptions& options = {});

  // Renders the clean page (8-bit BGR, about 1240x1754: A5 at 210 dpi).
  cv::Mat render(const GenRx& rx) const;
  // Simulates a phone photo of `page`; returns JPEG bytes.
  std::vector<std::uint8_t> photograph(const cv::Mat& page, const CaptureOptions& options = {});
  // Same as photograph() but reports the rotation applied (0/90/180/270).
  std::vector<std::uint8_t> photograph(const cv::Mat& page, const CaptureOptions& options,
                                       int* rotation);

  // Where the paper lies in the last photo photograph() or take() gave: its four corners (top
  // left, top right, bottom right, bottom left of the page as printed) in the photo's pixels. A
  // photocopy's are the copy sheet's, a screen's the paper's as the screen shows it, a scan's the
  // page's on the glass; a corner the frame cut off lies outside the photo. (Crumpling moves the
  // print within the sheet, not its edges.) Asks for nothing more of the random draws: the photos
  // stay the same for a seed.
  const std::array<cv::Point2f, 4>& lastPaper() const { return lastPaper_; }

  std::mt19937_64& rng() { return rng_; }
  // Numbers and dates as other hospitals print them (from then on): by hospital, one of
  // 2026+8 digits, 10 or 12 digits, CF-20261105-7510, RX261108-43512, and dates as 2026年11月9日,
  // 2026-11-09 or 2026/11/09. Off by default: the corpora and tests made before keep theirs.
  void setVariedFormats(bool on) { variedFormats_ = on; }
  // Forms and printing as other hospitals have them (from then on), by hospital and layout: drugs
  // in a ruled table, a boxed 普通 at the top right beside the title, a red round seal over the
  // hospital's name or the doctor; light yellow, green or grey recycled paper; dot-matrix,
  // low-toner or faded thermal printing. Off by default, like setVariedFormats.
  void setOtherForms(bool on) { otherForms_ = on; }
  // Names how `rx`'s paper looks ("dot-matrix+yellow+table+seal-title"; "laser+white" when other
  // forms are off), for figures by kind.
  std::string printedAs(const GenRx& rx) const;

 private:
  std::string pick(const std::vector<std::string>& v);
  std::string randomName();
  std::vector<GenDrug> randomDrugs();
  std::string digits(int n);
  // A new number in the scheme of `rx`'s hospital (some carry the date).
  std::string newNumber(const GenRx& rx);
  std::mt19937_64 rng_;
  std::array<cv::Point2f, 4> lastPaper_{};
  bool variedFormats_ = false;
  bool otherForms_ = false;
  std::vector<std::string> drugNames_;
};

}  // namespace rx::ws
