// Internals of ECDSA P-256 and SM2 shared by signing, verification and the Crypto++ reference
// verifier: the curve parameters, SM2's message digest e = SM3(Z_A ‖ M), and the strict reading of
// an (r, s) signature.
#pragma once

#include <cryptopp/eccrypto.h>
#include <cryptopp/integer.h>

#include <string_view>

#include "crypto/hash.h"
#include "crypto/signature.h"

namespace rx::crypto::internal {

const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& sm2Params();
const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& p256Params();

// Returns Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) for public key `q` and signer ID
// `userId` (GB/T 32918.2 section 5.5). `userId` must be shorter than 8192 bytes.
Digest256 sm2UserHash(const CryptoPP::ECP::Point& q, std::string_view userId);

// Returns e = SM3(Z_A ‖ M) as bytes (GB/T 32918.2 section 6.1).
Digest256 sm2MessageHash(const Digest256& za, const std::uint8_t* message, std::size_t size);

// Returns e for public key `q`, signer ID `userId` and `message` (GB/T 32918.2 sections 5.5, 6.1).
CryptoPP::Integer sm2Digest(const CryptoPP::ECP::Point& q, std::string_view userId,
                            const std::uint8_t* message, std::size_t size);

// Returns the raw r‖s (32 bytes each) of an ECDSA or SM2 signature in `encoding`, or kBadSignature
// for a wrong length, non-canonical DER, or r or s outside [1, n-1] (`what` names the scheme).
Result<Bytes> ecSignatureScalars(const Bytes& signature, SignatureEncoding encoding,
                                 const CryptoPP::Integer& order, const char* what);

}  // namespace rx::crypto::internal
