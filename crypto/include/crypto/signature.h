// Strict verification of signatures made elsewhere: Ed25519, ECDSA P-256/SHA-256, RSA PKCS#1 v1.5
// and PSS with SHA-256, and SM2 with SM3 (GB/T 32918.2). Keys are checked when they are enrolled
// (parsed), signatures when they are verified; nothing throws, every failure carries a reason.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "crypto/bytes.h"

namespace rx::crypto {

enum class KeyType { kEd25519, kEcP256, kSm2, kRsa };

enum class SignatureScheme {
  kEd25519,          // JWS "EdDSA"
  kEcdsaP256Sha256,  // JWS "ES256"
  kRsaPkcs1Sha256,   // JWS "RS256"
  kRsaPssSha256,     // JWS "PS256": MGF1-SHA-256, 32-byte salt
  kSm2Sm3,           // JWS "SM2-SM3" (rxdesk's name; raw r‖s like ES256)
};

// How an (r, s) signature is laid out: raw r‖s (JWS, IEEE P1363) or an ASN.1 DER SEQUENCE.
enum class SignatureEncoding { kRaw, kDer };

inline constexpr std::string_view kSm2DefaultUserId = "1234567812345678";

std::string_view keyTypeName(KeyType type);
std::string_view schemeName(SignatureScheme scheme);
// Returns the JWS "alg" name of `scheme`.
std::string_view jwsAlgorithm(SignatureScheme scheme);
// Parses a JWS "alg" value; kInvalidArgument naming it if rxdesk does not accept it (e.g. "none").
Result<SignatureScheme> schemeFromJwsAlgorithm(std::string_view alg);
// Returns true iff `scheme` verifies with keys of `type`.
bool schemeFitsKey(SignatureScheme scheme, KeyType type);

// A validated public key. Cheap to copy (shared, immutable).
class PublicKey {
 public:
  // Parses a DER SubjectPublicKeyInfo. Refuses non-canonical DER, unknown algorithms or curves,
  // points not on the curve, small-order or non-canonical Ed25519 keys, and RSA keys under 2048
  // bits or with an even or tiny exponent.
  static Result<PublicKey> fromSpki(const Bytes& spkiDer);
  // An Ed25519 key from its 32 bytes.
  static Result<PublicKey> fromEd25519(const Bytes& raw32);
  // A P-256 or SM2 key from its uncompressed point (0x04 ‖ X ‖ Y).
  static Result<PublicKey> fromEcPoint(KeyType curve, const Bytes& uncompressed);

  KeyType type() const;
  // The canonical DER SubjectPublicKeyInfo.
  const Bytes& spki() const;
  // base64url(SHA-256(SPKI)): the JWS "kid" that names this key.
  std::string keyId() const;
  // Modulus size for RSA keys, else the curve size.
  int bits() const;

  // The parsed key; only signature.cpp can see inside.
  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const Impl> impl_;
};

// Verifies `signature` over `message`. Returns ok, or kBadSignature with the reason (wrong length,
// non-canonical DER, scalar out of range, mismatch), or kInvalidArgument if `scheme` does not
// fit the key. `sm2UserId` is the signer ID hashed into Z_A (SM2 only).
Status verifySignature(const PublicKey& key, SignatureScheme scheme, const std::uint8_t* message,
                       std::size_t size, const Bytes& signature,
                       SignatureEncoding encoding = SignatureEncoding::kRaw,
                       std::string_view sm2UserId = kSm2DefaultUserId);
inline Status verifySignature(const PublicKey& key, SignatureScheme scheme, const Bytes& message,
                              const Bytes& signature,
                              SignatureEncoding encoding = SignatureEncoding::kRaw,
                              std::string_view sm2UserId = kSm2DefaultUserId) {
  return verifySignature(key, scheme, message.data(), message.size(), signature, encoding,
                         sm2UserId);
}

// Converts a strict DER ECDSA/SM2 signature to raw r‖s of `scalarSize` bytes each.
Result<Bytes> derSignatureToRaw(const Bytes& der, std::size_t scalarSize);

}  // namespace rx::crypto
