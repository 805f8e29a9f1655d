#include "crypto/hash.h"

#include <cryptopp/hkdf.h>
#include <cryptopp/hmac.h>
#include <cryptopp/sha.h>
#include <cryptopp/sm3.h>

namespace rx::crypto {

Digest256 sha256(const std::uint8_t* data, std::size_t size) {
  Digest256 out;
  CryptoPP::SHA256().CalculateDigest(out.data(), data, size);
  return out;
}

struct Sha256Stream::State {
  CryptoPP::SHA256 h;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {}
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(const std::uint8_t* data, std::size_t size) {
  state_->h.Update(data, size);
}

Digest256 Sha256Stream::finish() {
  Digest256 out;
  state_->h.Final(out.data());
  return out;
}

Digest256 hmacSha256(const std::uint8_t* key, std::size_t keySize, const std::uint8_t* data,
                     std::size_t size) {
  Digest256 out;
  CryptoPP::HMAC<CryptoPP::SHA256> mac(key, keySize);
  mac.CalculateDigest(out.data(), data, size);
  return out;
}

SecretBytes hkdfSha256(const SecretBytes& ikm, const Bytes& salt, std::string_view info,
                       std::size_t length) {
  SecretBytes out(length);
  CryptoPP::HKDF<CryptoPP::SHA256> hkdf;
  hkdf.DeriveKey(out.data(), out.size(), ikm.data(), ikm.size(), salt.data(), salt.size(),
                 reinterpret_cast<const CryptoPP::byte*>(info.data()), info.size());
  return out;
}

Digest256 sm3(const std::uint8_t* data, std::size_t size) {
  Digest256 out;
  CryptoPP::SM3().CalculateDigest(out.data(), data, size);
  return out;
}

}  // namespace rx::crypto
