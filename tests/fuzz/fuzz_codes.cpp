// libFuzzer: scanner input (药品追溯码 and GS1 element strings) and stored reuse fingerprints.
#include <cstdint>
#include <string>

#include "dedup/fingerprint.h"
#include "dedup/traceability.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)rx::dedup::parseTraceCode(text);
  (void)rx::dedup::Fingerprint::parse(text);
  return 0;
}
