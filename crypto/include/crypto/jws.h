// Detached JSON Web Signatures (RFC 7515 appendix F) in compact form: "<header>..<signature>",
// the payload travelling separately (here: the JCS form of the signed document).
#pragma once

#include <optional>
#include <string>

#include "crypto/signature.h"
#include "crypto/signing_key.h"

namespace rx::crypto {

struct JwsHeader {
  SignatureScheme algorithm = SignatureScheme::kEd25519;
  std::string keyId;        // "kid": base64url SHA-256 of the signer's SPKI
  std::string signingTime;  // "sigT" (as in ETSI JAdES): UTC, YYYY-MM-DDThh:mm:ssZ
};

struct DetachedJws {
  JwsHeader header;
  std::string encodedHeader;  // the protected header exactly as received (base64url)
  Bytes signature;
  std::string payload;  // only for the attached form (parseAttached); empty when detached
};

// Signs `payload` and returns the compact detached JWS.
Result<std::string> signDetached(const SigningKey& key, const std::string& payload,
                                 const std::string& signingTime);

// Parses a compact detached JWS strictly: three parts with an empty middle one, a header of
// exactly {alg, kid, sigT} (no "crit", no "b64", no "jwk"/"x5u": keys come only from agreements).
Result<DetachedJws> parseDetached(std::string_view compact);

// Verifies `jws` over `payload` with `key` (which must match the header's kid and alg).
Status verifyDetached(const DetachedJws& jws, const PublicKey& key, const std::string& payload);

// The attached compact form "<header>.<payload>.<signature>", small enough for a QR code.
Result<std::string> signAttached(const SigningKey& key, const std::string& payload, const std::string& signingTime);
// Parses an attached compact JWS with the same header rules; `payload` holds the decoded payload.
Result<DetachedJws> parseAttached(std::string_view compact);

// Returns true iff `t` is a UTC timestamp of the form YYYY-MM-DDThh:mm:ssZ with valid fields.
bool isUtcTimestamp(std::string_view t);

}  // namespace rx::crypto
