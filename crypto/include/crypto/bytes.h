// Byte strings, secrets and the text encodings rxdesk writes them in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <cryptopp/secblock.h>

#include "base/status.h"

namespace rx::crypto {

using Bytes = std::vector<std::uint8_t>;
// Key material: a Crypto++ secure block, zeroed when it is freed.
using SecretBytes = CryptoPP::SecByteBlock;

// Returns `n` bytes from the operating system's random source.
Bytes randomBytes(std::size_t n);
// Returns `n` secret bytes from the operating system's random source.
SecretBytes randomSecret(std::size_t n);

// Returns lowercase hex of `data`.
std::string toHex(const std::uint8_t* data, std::size_t size);
inline std::string toHex(const Bytes& b) { return toHex(b.data(), b.size()); }
// Parses hex (either case); fails naming the first bad character.
Result<Bytes> fromHex(std::string_view hex);

// RFC 4648 base64url without padding (as in JWS).
std::string toBase64Url(const std::uint8_t* data, std::size_t size);
inline std::string toBase64Url(const Bytes& b) { return toBase64Url(b.data(), b.size()); }
// Parses unpadded base64url strictly: rejects padding, whitespace and non-canonical trailing bits.
Result<Bytes> fromBase64Url(std::string_view text);

// Standard base64 with padding (for files and JSON fields that are not JWS).
std::string toBase64(const std::uint8_t* data, std::size_t size);
inline std::string toBase64(const Bytes& b) { return toBase64(b.data(), b.size()); }
Result<Bytes> fromBase64(std::string_view text);

inline Bytes toBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Returns true iff a and b are equal, in time independent of where they differ.
bool constantTimeEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size);

}  // namespace rx::crypto
