// From what OCR read on a paper prescription to the fingerprint's inputs.
#pragma once

#include "dedup/fingerprint.h"
#include "ocr/fields.h"

namespace rx::dedup {

// The content of a read paper prescription (values only, never the printed labels).
PresentationContent contentFromFields(const ocr::ExtractedFields& fields);
// Where the filled-in number, date, patient name and drug lines are on the straightened page.
InkBoxes inkBoxesFromFields(const ocr::ExtractedFields& fields);

}  // namespace rx::dedup
