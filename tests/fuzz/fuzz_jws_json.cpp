// libFuzzer: strict JSON parsing with limits, RFC 8785 canonicalisation of what parses, and the
// JWS compact parsers (detached and attached).
#include <cstdint>
#include <string_view>

#include "crypto/json.h"
#include "crypto/jws.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto j = rx::crypto::parseStrictJson(text, "fuzz")) (void)rx::crypto::canonicalJson(*j);
  (void)rx::crypto::parseDetached(text);
  (void)rx::crypto::parseAttached(text);
  return 0;
}
