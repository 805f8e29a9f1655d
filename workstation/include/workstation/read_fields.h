// The fields of a presented prescription as the rules, the reuse check, the review window and the
// CLI see them: for paper, what OCR read (value, confidence, box on the stored page, and what a
// mended character was read as) and what the pharmacist confirmed; for an e-prescription, the
// verdict on its signature. Stored in the prescription's fields column; toStored() and
// fromStored() are the only code that knows that form (docs/intake.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core/types.hpp>

#include "ocr/fields.h"

namespace rx::ws {

enum class FieldName {
  kHospital,
  kRxNumber,
  kDate,
  kPatientName,
  kSex,
  kAge,
  kOutpatientId,
  kDepartment,
  kDiagnosis,
  kDoctor,
  kAmount,
};
// Every field, in the order a form shows them.
inline constexpr FieldName kAllFields[] = {
    FieldName::kHospital,  FieldName::kRxNumber, FieldName::kDate,         FieldName::kPatientName,
    FieldName::kSex,       FieldName::kAge,      FieldName::kOutpatientId, FieldName::kDepartment,
    FieldName::kDiagnosis, FieldName::kDoctor,   FieldName::kAmount};
// The stable key ("patient_name"), as in docs/ocr-output.md and the CLI's --field options.
std::string_view fieldKey(FieldName f);
std::optional<FieldName> fieldNamed(std::string_view key);

struct ReadField {
  std::string value;
  double confidence = 0;              // 0..1; 1 once confirmed
  cv::Rect box;                       // on the stored page; empty when unknown
  std::optional<std::string> readAs;  // what OCR read when a name character was put back
  bool confirmed = false;
  std::optional<std::string> confirmedBy;

  // The one rule for what the pharmacist must look at: read below `lowConfidence` and not yet
  // confirmed (setting review.low_confidence).
  bool needsConfirmation(double lowConfidence) const {
    return confidence < lowConfidence && !confirmed;
  }
};

// Where a drug's name was read on the stored page (paper), for the review window to box it; kept
// as read when the pharmacist corrects the drug lines.
struct ReadDrugBox {
  cv::Rect box;
  double confidence = 0;
  bool inCatalogue = false;  // snapped to a catalogue name
};

struct ReadFields {
  std::map<FieldName, ReadField> fields;  // only fields that were read
  std::vector<ReadDrugBox> drugBoxes;     // paper: one per drug line read with a box
  nlohmann::json signature;               // e-prescriptions: the verdict (ErxVerdict::toJson)

  static ReadFields fromOcr(const ocr::ExtractedFields& read);
  // Tolerant of stores written by earlier versions: what cannot be understood is left out.
  static ReadFields fromStored(std::string_view stored);
  std::string toStored() const;

  const ReadField* find(FieldName f) const;
  std::string value(FieldName f) const;  // empty when not read
  // The fields the pharmacist must still confirm, in form order.
  std::vector<FieldName> toConfirm(double lowConfidence) const;
  // Records a value the pharmacist typed or confirmed; the box on the page stays.
  void confirm(FieldName f, const std::string& value, const std::string& by);
};

}  // namespace rx::ws
