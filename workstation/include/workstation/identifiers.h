// Checks of Chinese identifiers that appear on agreements and prescriptions.
#pragma once

#include <string_view>

namespace rx::ws {

// Returns true iff `code` is an 18-character 统一社会信用代码 with a correct check character
// (GB 32100-2015).
bool isValidUscc(std::string_view code);

// Returns true iff `date` is a real calendar date written YYYY-MM-DD.
bool isIsoDate(std::string_view date);

}  // namespace rx::ws
