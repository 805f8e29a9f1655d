// What the prescription generator's files share: how a hospital prints its date, and how its
// forms look when other forms are on.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace rx::ws::rxgen_internal {

// A fixed function of a hospital's name (FNV-1a): a hospital keeps one numbering scheme, one way
// of writing the date and one form on all its papers, so the same form, a monthly repeat and the
// second prescription of a visit share them.
std::uint32_t hospitalStyle(const std::string& hospital);

// Returns the date `iso` (YYYY-MM-DD) as `hospital`'s form on `layout` prints it; with `varied`,
// in the hospital's own way (see RxGenerator::setVariedFormats).
std::string printedDate(const std::string& iso, const std::string& hospital, int layout,
                        bool varied);

// How a hospital's form on one layout looks and is printed (RxGenerator::setOtherForms).
struct FormLook {
  bool drugTable = false;    // drugs in a ruled table: name | spec | quantity | usage
  bool categoryBox = false;  // a boxed 普通 / 儿科 / 急诊 at the top right, beside the title
  enum class Seal { kNone, kOverHospital, kOverDoctor } seal = Seal::kNone;
  enum class Paper { kWhite, kYellow, kGreen, kGreyRecycled } paper = Paper::kWhite;
  enum class Printing { kLaser, kDotMatrix, kLowToner, kThermal } printing = Printing::kLaser;
};
FormLook formLook(const std::string& hospital, int layout);
std::string lookName(const FormLook& look);

// Puts the black-on-white page `page` on the look's paper as its printer would have printed it.
// `rng` draws the paper's fibres and the printer's unevenness (seeded by the paper, so every
// photo of one paper sees the same print).
void printOnPaper(cv::Mat& page, const FormLook& look, cv::RNG& rng);

}  // namespace rx::ws::rxgen_internal
