#include "crypto/jws.h"

#include "crypto/json.h"

namespace rx::crypto {

using nlohmann::json;

bool isUtcTimestamp(std::string_view t) {
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z')
    return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
    if (t[i] < '0' || t[i] > '9') return false;
  auto num = [&](int pos, int len) { return std::stoi(std::string(t.substr(pos, len))); };
  const int month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60;
}

namespace {

std::string b64(const std::string& s) {
  return toBase64Url(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::string signingInput(const std::string& encodedHeader, const std::string& payload) {
  return encodedHeader + "." + b64(payload);
}

Result<std::string> signCompact(const SigningKey& key, const std::string& payload, const std::string& signingTime,
                                bool attached) {
  if (!isUtcTimestamp(signingTime))
    return Status(ErrorCode::kInvalidArgument, "signing time must be YYYY-MM-DDThh:mm:ssZ, not " + signingTime);
  json header = {{"alg", std::string(jwsAlgorithm(key.defaultScheme()))},
                 {"kid", key.publicKey().keyId()},
                 {"sigT", signingTime}};
  const std::string encodedHeader = b64(canonicalJson(header));
  const std::string input = signingInput(encodedHeader, payload);
  RX_ASSIGN_OR_RETURN(Bytes sig, key.sign(key.defaultScheme(), reinterpret_cast<const std::uint8_t*>(input.data()),
                                          input.size()));
  return encodedHeader + "." + (attached ? b64(payload) : "") + "." + toBase64Url(sig);
}

Result<DetachedJws> parseCompact(std::string_view compact, bool attached) {
  if (compact.size() > 16384) return Status(ErrorCode::kInvalidArgument, "JWS is longer than 16 KiB");
  const auto first = compact.find('.');
  const auto second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos)
    return Status(ErrorCode::kInvalidArgument, "JWS must have three dot-separated parts");
  if (!attached && second != first + 1)
    return Status(ErrorCode::kInvalidArgument, "JWS payload part must be empty (detached signature)");
  if (attached && second == first + 1) return Status(ErrorCode::kInvalidArgument, "JWS payload part is empty");
  DetachedJws jws;
  if (attached) {
    auto payload = fromBase64Url(compact.substr(first + 1, second - first - 1));
    if (!payload) return Status(ErrorCode::kInvalidArgument, "JWS payload: " + payload.status().message());
    jws.payload.assign(payload->begin(), payload->end());
  }
  jws.encodedHeader = std::string(compact.substr(0, first));
  auto headerBytes = fromBase64Url(jws.encodedHeader);
  if (!headerBytes) return Status(ErrorCode::kInvalidArgument, "JWS header: " + headerBytes.status().message());
  auto sig = fromBase64Url(compact.substr(second + 1));
  if (!sig) return Status(ErrorCode::kInvalidArgument, "JWS signature: " + sig.status().message());
  jws.signature = std::move(*sig);
  RX_ASSIGN_OR_RETURN(json header,
                      parseStrictJson(std::string_view(reinterpret_cast<const char*>(headerBytes->data()),
                                                       headerBytes->size()),
                                      "JWS header", {4096, 4}));
  if (!header.is_object()) return Status(ErrorCode::kInvalidArgument, "JWS header is not a JSON object");
  for (auto it = header.begin(); it != header.end(); ++it)
    if (it.key() != "alg" && it.key() != "kid" && it.key() != "sigT")
      return Status(ErrorCode::kInvalidArgument, "JWS header member \"" + it.key() + "\" is not accepted");
  for (const char* field : {"alg", "kid", "sigT"})
    if (!header.contains(field) || !header[field].is_string())
      return Status(ErrorCode::kInvalidArgument,
                    std::string("JWS header: field '") + field + "' missing or not a string");
  RX_ASSIGN_OR_RETURN(jws.header.algorithm, schemeFromJwsAlgorithm(header["alg"].get<std::string>()));
  jws.header.keyId = header["kid"];
  if (jws.header.keyId.size() != 43 || !fromBase64Url(jws.header.keyId))
    return Status(ErrorCode::kInvalidArgument,
                  "JWS header: 'kid' must be the base64url SHA-256 of the signer's SPKI");
  jws.header.signingTime = header["sigT"];
  if (!isUtcTimestamp(jws.header.signingTime))
    return Status(ErrorCode::kInvalidArgument, "JWS header: 'sigT' must be YYYY-MM-DDThh:mm:ssZ");
  return jws;
}

}  // namespace

Result<std::string> signDetached(const SigningKey& key, const std::string& payload, const std::string& signingTime) {
  return signCompact(key, payload, signingTime, false);
}
Result<std::string> signAttached(const SigningKey& key, const std::string& payload, const std::string& signingTime) {
  return signCompact(key, payload, signingTime, true);
}
Result<DetachedJws> parseDetached(std::string_view compact) { return parseCompact(compact, false); }
Result<DetachedJws> parseAttached(std::string_view compact) { return parseCompact(compact, true); }

Status verifyDetached(const DetachedJws& jws, const PublicKey& key, const std::string& payload) {
  if (key.keyId() != jws.header.keyId)
    return Status(ErrorCode::kBadSignature, "JWS kid " + jws.header.keyId + " does not name the key given");
  const std::string input = signingInput(jws.encodedHeader, payload);
  return verifySignature(key, jws.header.algorithm, reinterpret_cast<const std::uint8_t*>(input.data()), input.size(),
                         jws.signature);
}

}  // namespace rx::crypto
