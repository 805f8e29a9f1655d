// Key derivation from passwords (scrypt), AES-256-GCM sealing, and X25519 sealed boxes.
// These wrap the store's database key for each user: the user's password unlocks the user's
// X25519 private key, which opens the database key sealed to that user's public key. Sealing to a
// public key lets an admin re-key the store for the remaining users without their passwords.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/bytes.h"

namespace rx::crypto {

struct ScryptParams {
  std::uint64_t cost = 1u << 15;  // N: ~32 MiB and ~0.1 s per derivation on the target desktop
  std::uint32_t blockSize = 8;    // r
  std::uint32_t parallelism = 1;  // p
};

// Returns true iff `p` is a parameter set rxdesk accepts from a file (power-of-two N within
// bounds that keep a derivation under a few seconds and a few hundred MiB).
bool scryptParamsAcceptable(const ScryptParams& p);

// Derives a 32-byte key from `password` and `salt` with scrypt.
Result<SecretBytes> deriveKeyFromPassword(std::string_view password, const Bytes& salt,
                                          const ScryptParams& params);

inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

struct Sealed {
  Bytes nonce;       // 12 bytes, random per seal
  Bytes ciphertext;  // ciphertext followed by the 16-byte tag
};

// Encrypts `plaintext` with AES-256-GCM under `key` (32 bytes), authenticating `aad` too.
Sealed aesGcmSeal(const SecretBytes& key, const std::uint8_t* plaintext, std::size_t size,
                  std::string_view aad);
// Decrypts and authenticates; fails with kAuthFailed if the key, nonce, aad or data are wrong.
Result<SecretBytes> aesGcmOpen(const SecretBytes& key, const Sealed& sealed, std::string_view aad);

struct X25519KeyPair {
  SecretBytes privateKey;  // 32 bytes
  Bytes publicKey;         // 32 bytes
};

X25519KeyPair generateX25519();
// Returns the public key belonging to a 32-byte X25519 private key.
Bytes x25519PublicFromPrivate(const SecretBytes& privateKey);

struct SealedToKey {
  Bytes ephemeralPublic;  // 32 bytes
  Sealed box;
};

// Seals `secret` to `recipientPublic`: ephemeral X25519, HKDF-SHA-256 over the shared secret and
// both public keys, then AES-256-GCM with `aad`.
Result<SealedToKey> sealToPublicKey(const Bytes& recipientPublic, const SecretBytes& secret,
                                    std::string_view aad);
// Opens a box sealed with sealToPublicKey; kAuthFailed if it was not sealed to this key or aad.
Result<SecretBytes> openSealed(const SecretBytes& recipientPrivate, const SealedToKey& sealed,
                               std::string_view aad);

}  // namespace rx::crypto
