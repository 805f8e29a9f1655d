// Checks of Chinese identifiers that appear on agreements and prescriptions.
#pragma once

#include <string_view>

#include "base/time.h"  // isIsoDate, used with these checks

namespace rx::ws {

// Returns true iff `code` is an 18-character 统一社会信用代码 with a correct check character
// (GB 32100-2015).
bool isValidUscc(std::string_view code);

}  // namespace rx::ws
