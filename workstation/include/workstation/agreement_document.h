// The provider agreement document (docs/agreement-format.md): JSON naming the pharmacy, the
// provider, the agreement number, validity window, scope and the provider's signing keys, signed
// by the provider with a detached JWS over the JCS form of the document without "signature".
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace rx::ws {

struct AgreementParty {
  std::string name;
  std::string uscc;                // 统一社会信用代码
  std::string institutionLicence;  // 医疗机构执业许可证 number (provider only)
};

struct AgreementDocument {
  std::string agreementNo;
  AgreementParty pharmacy;
  AgreementParty provider;
  std::string validFrom;           // YYYY-MM-DD
  std::string validUntil;          // YYYY-MM-DD, inclusive
  std::vector<std::string> scope;  // drug classes: rx, otc-a, otc-b
  std::vector<crypto::PublicKey> keys;
  crypto::DetachedJws signature;
  std::string canonical;      // JCS of the whole document, signature included
  std::string signedPayload;  // JCS of the document without "signature"
};

inline constexpr std::size_t kMaxAgreementBytes = 256 * 1024;

// Parses an agreement strictly and verifies the provider's signature with the key it names
// (which must be one of the keys the document pins). Errors name `source` and the field.
Result<AgreementDocument> parseAgreement(std::string_view text, std::string_view source);

// Provider tooling: adds the signing key to "keys" if missing, then signs. Returns the signed
// document as pretty JSON.
Result<std::string> signAgreement(nlohmann::json draft, const crypto::SigningKey& key,
                                  const std::string& signingTime);

}  // namespace rx::ws
