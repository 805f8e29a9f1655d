// Field extraction for Chinese paper prescriptions (处方笺): from recognised lines to named fields,
// each with a value, a confidence and its box on the page.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ocr/lexicon.h"
#include "ocr/recognizer.h"

namespace rx::ocr {

// The stable field names (documented in docs/ocr-output.md).
inline constexpr const char* kFieldNames[] = {
    "hospital",      "rx_number",  "date",      "patient_name", "sex",   "age",
    "outpatient_id", "department", "diagnosis", "doctor",       "amount"};

struct FieldValue {
  std::string value;
  float confidence = 0;  // 0..1
  cv::Rect box;          // on the prepared page
  // What OCR read, when a name character was put back (ocr/names.h).
  std::optional<std::string> readAs;
};

// A mended name is shown for confirmation: its confidence is at most this (the workstation asks
// below 0.8).
inline constexpr float kMendedNameConfidence = 0.6f;

struct DrugLine {
  FieldValue name;
  std::optional<std::string> readAs;  // what OCR read, when the name was snapped to the catalogue
  int misread = 0;                    // characters of it the snap changed (DrugSnap::distance)
  std::string drugClass;              // from the catalogue; empty when not in it
  bool ephedrine = false;
  FieldValue spec;
  FieldValue quantity;
  FieldValue unit;
  FieldValue usage;
};

struct ExtractedFields {
  std::map<std::string, FieldValue> fields;  // only fields that were found
  std::vector<DrugLine> drugs;
};

// How a field's label must be read to count.
enum class LabelMatch {
  kTolerant,       // as printed, or with one character misread (内诊号 for 门诊号)
  kExact,          // as printed only
  kFirstTolerant,  // as printed, or the first label of its line with one character misread (a
                   // name's line cut out and read again starts with the name's label); a misread
                   // label further on only ends the value before it
};

// Extracts the fields from recognised page lines; `lexicon` (may be null) snaps drug names. A
// label read with one character wrong (LabelMatch::kTolerant) gives its field only when no line
// carries that label as printed, at a confidence of at most 0.7, so review asks to confirm it.
ExtractedFields extractFields(const std::vector<RecognizedLine>& lines, const DrugLexicon* lexicon,
                              LabelMatch labels = LabelMatch::kTolerant);

// The prescription number a hospital's own QR code or barcode carries as plain text ("RX:2026…",
// "No.CF-2026…", or the bare number): a short payload that is an optional label and one token of
// letters, digits and hyphens with at least 6 digits. Returns the number as printed (upper case,
// hyphens kept, as read from the page); nothing for any other payload (a signed e-prescription
// code, a web address).
std::optional<std::string> numberInCode(const std::string& payload);

// Normalises recognised text: full-width punctuation to ASCII, spaces between Chinese characters
// removed, × variants unified.
std::string normalizeText(const std::string& text);

}  // namespace rx::ocr
