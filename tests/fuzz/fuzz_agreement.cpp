// libFuzzer: the provider-agreement document parser (structure, dates, USCCs, pinned keys).
#include <cstdint>
#include <string_view>

#include "workstation/agreement_document.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)rx::ws::parseAgreement(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}
