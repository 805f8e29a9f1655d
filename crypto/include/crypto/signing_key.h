// Private keys that sign: the pharmacy key, pharmacists' personal keys, and the keys the provider
// tooling (`rxdesk-cli provider keygen`, demo data, tests) signs e-prescriptions and agreements
// with.
#pragma once

#include <memory>

#include "crypto/signature.h"

namespace rx::crypto {

class SigningKey {
 public:
  // A fresh key; RSA keys have 3072 bits.
  static SigningKey generate(KeyType type);
  // Restores a key saved with serialize().
  static Result<SigningKey> deserialize(const SecretBytes& data);
  // Returns the key in rxdesk's private-key encoding (type tag + raw secret or PKCS#8 for RSA).
  SecretBytes serialize() const;

  KeyType type() const;
  const PublicKey& publicKey() const;
  // The scheme this key signs with by default (PS256 for RSA).
  SignatureScheme defaultScheme() const;

  // Signs `message`; ECDSA and SM2 signatures are raw r‖s (as in JWS).
  Result<Bytes> sign(SignatureScheme scheme, const std::uint8_t* message, std::size_t size,
                     std::string_view sm2UserId = kSm2DefaultUserId) const;
  Result<Bytes> sign(const Bytes& message) const {
    return sign(defaultScheme(), message.data(), message.size());
  }

  struct Impl;

 private:
  explicit SigningKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace rx::crypto
