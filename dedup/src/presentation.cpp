#include "dedup/presentation.h"

namespace rx::dedup {

namespace {

const ocr::FieldValue* field(const ocr::ExtractedFields& f, const char* name) {
  auto it = f.fields.find(name);
  return it == f.fields.end() || it->second.value.empty() ? nullptr : &it->second;
}

}  // namespace

PresentationContent contentFromFields(const ocr::ExtractedFields& f) {
  PresentationContent c;
  auto value = [&](const char* name) {
    const auto* v = field(f, name);
    return v ? v->value : std::string();
  };
  c.issuer = value("hospital");
  c.rxNumber = value("rx_number");
  // A number read with confidence is taken as read: two such numbers that differ are two numbers
  // (consecutive ones of a visit), not a misreading; of the values read with confidence ≥ 0.8 none
  // was wrong on rx-photos-v1 (0/434). Below that, OCR may have misread it.
  const auto* number = field(f, "rx_number");
  c.numberRead = true;
  c.numberSure = number && number->confidence >= kSureReading;
  c.date = value("date");
  c.patient = value("patient_name");
  for (const char* name : {"rx_number", "date", "patient_name", "sex", "age", "outpatient_id",
                           "diagnosis", "doctor", "amount"})
    if (const auto* v = field(f, name)) c.values.push_back(v->value);
  for (const auto& d : f.drugs) {
    c.drugs.push_back(d.name.value);
    c.values.push_back(d.readAs.value_or(d.name.value) + d.spec.value + d.quantity.value +
                       d.unit.value + d.usage.value);
  }
  return c;
}

InkBoxes inkBoxesFromFields(const ocr::ExtractedFields& f) {
  InkBoxes boxes;
  auto box = [&](const char* name) -> std::optional<cv::Rect> {
    const auto* v = field(f, name);
    if (!v || v->box.area() == 0) return std::nullopt;
    return v->box;
  };
  boxes[kInkNumber] = box("rx_number");
  boxes[kInkDate] = box("date");
  boxes[kInkPatient] = box("patient_name");
  cv::Rect drugs;
  for (const auto& d : f.drugs)
    for (const auto* part : {&d.name, &d.spec, &d.quantity})
      if (part->box.area() > 0) drugs = drugs.area() == 0 ? part->box : (drugs | part->box);
  if (drugs.area() > 0) boxes[kInkDrugs] = drugs;
  return boxes;
}

}  // namespace rx::dedup
