// libFuzzer: the e-prescription reader (JWS + FHIR bundle + checks) and what is computed from a
// parsed one (reuse content, the QR payload parser on the same bytes).
#include <cstdint>
#include <string_view>

#include "workstation/content.h"
#include "workstation/eprescription.h"
#include "workstation/reuse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto rx = rx::ws::parseEPrescription(text, "fuzz")) (void)rx::ws::contentOf(*rx);
  (void)rx::ws::parseRxQr(text);
  return 0;
}
