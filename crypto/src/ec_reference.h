// The Crypto++ verification of ECDSA P-256 and SM2 signatures that rxdesk used until issue 24 moved
// the curve arithmetic to OpenSSL, kept whole as the reference the cross-check test compares the
// new path with (tests/crypto/ec_crosscheck_test.cpp). Not used by the application (internal).
#pragma once

#include <memory>
#include <string_view>

#include "crypto/signature.h"

namespace rx::crypto::internal {

class CryptoPPEcVerifier {
 public:
  // Builds the old verifier, with fixed-base tables for the public point, for `key` (any type:
  // verify() refuses schemes that do not fit it, as verifySignature does).
  explicit CryptoPPEcVerifier(const PublicKey& key);
  ~CryptoPPEcVerifier();

  // Verifies as verifySignature did before issue 24, for kEcdsaP256Sha256 and kSm2Sm3 only
  // (kInvalidArgument for other schemes).
  Status verify(SignatureScheme scheme, const std::uint8_t* message, std::size_t size,
                const Bytes& signature, SignatureEncoding encoding = SignatureEncoding::kRaw,
                std::string_view sm2UserId = kSm2DefaultUserId) const;

 private:
  struct Tables;
  KeyType type_;
  std::unique_ptr<Tables> tables_;
};

}  // namespace rx::crypto::internal
