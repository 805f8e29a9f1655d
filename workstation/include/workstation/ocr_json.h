// The JSON form of an OCR result, as printed by `rxdesk-cli ocr` and embedded in intake output.
// Field names are stable and documented in docs/ocr-output.md.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "ocr/reader.h"

namespace rx::ws {

nlohmann::json ocrResultJson(const std::string& input, const ocr::ReadResult& r);

}  // namespace rx::ws
