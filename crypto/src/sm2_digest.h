// SM2's message digest e = SM3(Z_A ‖ M), shared by signing and verification (internal).
#pragma once

#include <cryptopp/eccrypto.h>
#include <cryptopp/integer.h>

#include <string_view>

namespace rx::crypto::internal {

const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& sm2Params();
const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& p256Params();

// Returns e for public key `q`, signer ID `userId` and `message` (GB/T 32918.2 sections 5.5, 6.1).
CryptoPP::Integer sm2Digest(const CryptoPP::ECP::Point& q, std::string_view userId,
                            const std::uint8_t* message, std::size_t size);

}  // namespace rx::crypto::internal
