// Drug classes as the regulations name them: what a pharmacy may sell against a prescription or
// over the counter, and the special-management classes it may never sell online (M8).
#pragma once

#include <array>
#include <string_view>

namespace rx {

// The classes a provider agreement's scope may list.
inline constexpr std::array<std::string_view, 3> kSellableDrugClasses = {"rx", "otc-a", "otc-b"};

// Special-management classes (M8, B VIII(4)2): never sold online, never in an agreement's scope.
inline constexpr std::array<std::string_view, 7> kSpecialManagementClasses = {
    "narcotic", "psychotropic", "toxic", "radioactive", "precursor", "vaccine", "blood-product"};

// Returns true iff `c` is one of the special-management classes.
constexpr bool isSpecialManagementClass(std::string_view c) {
  for (auto s : kSpecialManagementClasses)
    if (s == c) return true;
  return false;
}

// Returns true iff `c` is a class rxdesk knows (sellable or special-management).
constexpr bool isKnownDrugClass(std::string_view c) {
  for (auto s : kSellableDrugClasses)
    if (s == c) return true;
  return isSpecialManagementClass(c);
}

}  // namespace rx
