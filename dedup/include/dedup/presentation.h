// From what OCR read on a paper prescription to the fingerprint's inputs.
#pragma once

#include "dedup/fingerprint.h"
#include "ocr/fields.h"

namespace rx::dedup {

// The confidence from which a read value is taken as read (the workstation asks below it).
inline constexpr float kSureReading = 0.8f;

// The content of a read paper prescription (values only, never the printed labels). Its number
// is OCR-read, and sure (numberSure: taken as read) when read with confidence ≥ kSureReading.
PresentationContent contentFromFields(const ocr::ExtractedFields& fields);
// Where the filled-in number, date, patient name and drug lines are on the straightened page.
InkBoxes inkBoxesFromFields(const ocr::ExtractedFields& fields);

}  // namespace rx::dedup
