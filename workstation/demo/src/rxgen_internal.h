// What the prescription generator's files share: how a hospital prints its date.
#pragma once

#include <string>

namespace rx::ws::rxgen_internal {

// Returns the date `iso` (YYYY-MM-DD) as `hospital`'s form on `layout` prints it; with `varied`,
// in the hospital's own way (see RxGenerator::setVariedFormats).
std::string printedDate(const std::string& iso, const std::string& hospital, int layout,
                        bool varied);

}  // namespace rx::ws::rxgen_internal
