// Hash functions: SHA-256, HMAC-SHA-256, HKDF-SHA-256, SM3.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "crypto/bytes.h"

namespace rx::crypto {

using Digest256 = std::array<std::uint8_t, 32>;

Digest256 sha256(const std::uint8_t* data, std::size_t size);
inline Digest256 sha256(std::string_view s) {
  return sha256(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
inline Digest256 sha256(const Bytes& b) { return sha256(b.data(), b.size()); }

// SHA-256 of data given in pieces (a file as it is copied). finish() returns the digest and starts
// over.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(const std::uint8_t* data, std::size_t size);
  void update(std::string_view s) {
    update(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
  }
  Digest256 finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Digest256 hmacSha256(const std::uint8_t* key, std::size_t keySize, const std::uint8_t* data,
                     std::size_t size);

// Returns `length` bytes of HKDF-SHA-256 (RFC 5869) output.
SecretBytes hkdfSha256(const SecretBytes& ikm, const Bytes& salt, std::string_view info,
                       std::size_t length);

Digest256 sm3(const std::uint8_t* data, std::size_t size);

inline std::string toHex(const Digest256& d) { return toHex(d.data(), d.size()); }

}  // namespace rx::crypto
