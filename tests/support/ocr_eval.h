// Scoring OCR'd fields against generated ground truth: exact match per field, drug names, the
// character error rate over all field values, and values read confidently but wrong; and whether
// the page found is where the generator put the paper (quadOverlap).
#pragma once

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "base/utf8.h"
#include "ocr/fields.h"
#include "rxgen.h"

namespace rx::test {

class OcrScore {
 public:
  static const std::vector<std::string>& fieldNames() {
    static const std::vector<std::string> names = {
        "rx_number",     "date",       "patient_name", "hospital", "sex",   "age",
        "outpatient_id", "department", "diagnosis",    "doctor",   "amount"};
    return names;
  }

  static std::map<std::string, std::string> truthFields(const GenRx& t) {
    return {{"rx_number", t.rxNumber},
            {"date", t.date},
            {"patient_name", t.patientName},
            {"hospital", t.hospital},
            {"sex", t.sex},
            {"age", t.age},
            {"outpatient_id", t.outpatientId},
            {"department", t.department},
            {"diagnosis", t.diagnosis},
            {"doctor", t.doctor},
            {"amount", t.amount}};
  }

  // Records one photo; returns the names of the fields that were wrong (for messages).
  std::vector<std::string> add(const GenRx& truth, const ocr::ExtractedFields& got) {
    std::vector<std::string> wrong;
    ++photos_;
    for (const auto& [name, want] : truthFields(truth)) {
      auto it = got.fields.find(name);
      const std::string have = it == got.fields.end() ? "" : it->second.value;
      if (!have.empty() && it->second.confidence >= kConfident) {
        ++confident_;
        if (have != want) {
          ++confidentWrong_;
          wrong.push_back("CONFIDENT " + name + " (" + std::to_string(it->second.confidence) + ")");
        }
      }
      if (have == want)
        ++exact_[name];
      else
        wrong.push_back(name + ": want '" + want + "' got '" + have + "'" +
                        (it != got.fields.end() && it->second.readAs
                             ? " (read " + *it->second.readAs + ")"
                             : std::string()));
      const std::u32string w = toU32(want), h = toU32(have);
      charErrors_ += editDistance(w, h);
      chars_ += static_cast<long>(w.size());
    }
    std::multiset<std::string> names;
    for (const auto& d : got.drugs) names.insert(d.name.value);
    for (const auto& d : truth.drugs) {
      ++drugs_;
      auto it = names.find(d.name);
      if (it != names.end()) {
        ++drugsRight_;
        names.erase(it);
      } else {
        std::string read;
        for (const auto& g : got.drugs)
          read += (read.empty() ? "" : ", ") + g.name.value +
                  (g.readAs ? " (read " + *g.readAs + ")" : std::string());
        wrong.push_back("drug " + d.name + " not among: " + read);
      }
    }
    return wrong;
  }

  double exact(const std::string& field) const {
    auto it = exact_.find(field);
    return photos_ ? (it == exact_.end() ? 0.0 : it->second) / photos_ : 0.0;
  }
  double allFields() const {
    double sum = 0;
    for (const auto& n : fieldNames()) sum += exact(n);
    return sum / static_cast<double>(fieldNames().size());
  }
  double drugNames() const { return drugs_ ? static_cast<double>(drugsRight_) / drugs_ : 0.0; }
  double characterErrorRate() const {
    return chars_ ? static_cast<double>(charErrors_) / chars_ : 0.0;
  }
  int photos() const { return photos_; }
  // Values read with a confidence of at least kConfident, and how many of them were wrong: the
  // worst outcome, as review does not ask to confirm them.
  static constexpr float kConfident = 0.8f;
  int confident() const { return confident_; }
  int confidentWrong() const { return confidentWrong_; }

 private:
  int photos_ = 0;
  std::map<std::string, int> exact_;
  long charErrors_ = 0, chars_ = 0;
  int drugs_ = 0, drugsRight_ = 0;
  int confident_ = 0, confidentWrong_ = 0;
};

// A page found "is the paper" when it overlaps where the paper lies this much (quadOverlap).
inline constexpr double kIsThePaper = 0.9;

// How much two quadrilaterals (convex, in one photo's pixels) overlap within the photo (`photo`,
// its size; corners may lie outside it, where the frame cut the paper off): the area they share
// over the area they cover together, 0-1. Counted on a raster at most 1,000 px across both
// (cv::intersectConvexConvex gets outlines that nearly coincide wrong).
inline double quadOverlap(const std::array<cv::Point2f, 4>& a, const std::array<cv::Point2f, 4>& b,
                          cv::Size photo) {
  cv::Point2f lo = a[0], hi = a[0];
  for (const auto* q : {&a, &b})
    for (const auto& p : *q) {
      lo = {std::min(lo.x, p.x), std::min(lo.y, p.y)};
      hi = {std::max(hi.x, p.x), std::max(hi.y, p.y)};
    }
  if (hi.x <= lo.x || hi.y <= lo.y) return 0;
  const float scale = 1000 / std::max(hi.x - lo.x, hi.y - lo.y);
  auto toRaster = [&](cv::Point2f p) { return cv::Point((p - lo) * scale); };
  cv::Mat inPhoto(1002, 1002, CV_8U, cv::Scalar(0));
  cv::rectangle(inPhoto,
                cv::Rect(toRaster({0, 0}), toRaster({static_cast<float>(photo.width),
                                                     static_cast<float>(photo.height)})),
                cv::Scalar(255), cv::FILLED);
  auto filled = [&](const std::array<cv::Point2f, 4>& q) {
    cv::Mat mask(inPhoto.size(), CV_8U, cv::Scalar(0));
    std::vector<cv::Point> corners;
    for (const auto& p : q) corners.push_back(toRaster(p));
    cv::fillConvexPoly(mask, corners, cv::Scalar(255));
    return mask & inPhoto;
  };
  const cv::Mat ma = filled(a), mb = filled(b);
  const int joined = cv::countNonZero(ma | mb);
  return joined > 0 ? static_cast<double>(cv::countNonZero(ma & mb)) / joined : 0;
}

}  // namespace rx::test
