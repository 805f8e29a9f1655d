// Ed25519 keys and signatures made by rxdesk itself (the pharmacy key, personal review keys).
// Verification of signatures made elsewhere goes through the strict verifiers in signature.h.
#pragma once

#include "crypto/bytes.h"

namespace rx::crypto {

struct Ed25519KeyPair {
  SecretBytes privateKey;  // 32-byte seed
  Bytes publicKey;         // 32 bytes
};

Ed25519KeyPair generateEd25519();
// Returns the 64-byte signature of `message` under the 32-byte seed `privateKey`.
Bytes ed25519Sign(const SecretBytes& privateKey, const std::uint8_t* message, std::size_t size);
inline Bytes ed25519Sign(const SecretBytes& privateKey, const Bytes& message) {
  return ed25519Sign(privateKey, message.data(), message.size());
}

}  // namespace rx::crypto
