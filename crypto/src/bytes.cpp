#include "crypto/bytes.h"

#include <cryptopp/misc.h>
#include <cryptopp/osrng.h>

namespace rx::crypto {

Bytes randomBytes(std::size_t n) {
  Bytes out(n);
  CryptoPP::OS_GenerateRandomBlock(false, out.data(), out.size());
  return out;
}

SecretBytes randomSecret(std::size_t n) {
  SecretBytes out(n);
  CryptoPP::OS_GenerateRandomBlock(false, out.data(), out.size());
  return out;
}

std::string toHex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0f];
  }
  return out;
}

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode64(const std::uint8_t* data, std::size_t size, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  std::size_t rest = size - i;
  if (rest == 1) {
    std::uint32_t v = data[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

Result<Bytes> decode64(std::string_view text, const char* alphabet, bool padded) {
  int table[256];
  for (int& t : table) t = -1;
  for (int k = 0; k < 64; ++k) table[static_cast<unsigned char>(alphabet[k])] = k;
  if (padded) {
    if (text.size() % 4 != 0)
      return Status(ErrorCode::kInvalidArgument, "base64 length is not a multiple of 4");
    std::size_t padCount = 0;
    while (padCount < 2 && padCount < text.size() && text[text.size() - 1 - padCount] == '=')
      ++padCount;
    text.remove_suffix(padCount);
  }
  if (text.size() % 4 == 1)
    return Status(ErrorCode::kInvalidArgument, "base64 length is impossible");
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int v = table[static_cast<unsigned char>(text[i])];
    if (v < 0)
      return Status(ErrorCode::kInvalidArgument,
                    "invalid base64 character at position " + std::to_string(i));
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  // Non-canonical encodings carry set bits after the last byte; refuse them so that every byte
  // string has exactly one accepted encoding.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return Status(ErrorCode::kInvalidArgument, "base64 has non-zero trailing bits");
  return out;
}
}  // namespace

Result<Bytes> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Status(ErrorCode::kInvalidArgument, "hex has an odd length");
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return Status(ErrorCode::kInvalidArgument, "invalid hex character at position " +
                                                     std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return out;
}

std::string toBase64Url(const std::uint8_t* data, std::size_t size) {
  return encode64(data, size, kB64Url, false);
}
Result<Bytes> fromBase64Url(std::string_view text) { return decode64(text, kB64Url, false); }
std::string toBase64(const std::uint8_t* data, std::size_t size) {
  return encode64(data, size, kB64Std, true);
}
Result<Bytes> fromBase64(std::string_view text) { return decode64(text, kB64Std, true); }

bool constantTimeEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size) {
  return CryptoPP::VerifyBufsEqual(a, b, size);
}

}  // namespace rx::crypto
