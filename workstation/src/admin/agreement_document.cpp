#include "workstation/agreement_document.h"

#include "base/drug_class.h"
#include "crypto/json.h"
#include "workstation/identifiers.h"

namespace rx::ws {

using nlohmann::json;

namespace {

// Field readers: each error names the source and the JSON path of the field.
struct Reader {
  std::string source;
  Status fail(const std::string& path, const std::string& problem) const {
    return Status(ErrorCode::kInvalidArgument, source + ": field '" + path + "' " + problem);
  }
  Result<std::string> text(const json& obj, const std::string& parent, const char* key,
                           std::size_t maxLen = 200) const {
    const std::string path = parent.empty() ? key : parent + "." + key;
    if (!obj.is_object() || !obj.contains(key)) return fail(path, "is missing");
    if (!obj[key].is_string()) return fail(path, "must be a string");
    std::string v = obj[key];
    if (v.empty() || v.size() > maxLen)
      return fail(path, "must be 1-" + std::to_string(maxLen) + " bytes");
    return v;
  }
};

Result<AgreementParty> readParty(const Reader& r, const json& doc, const char* key, bool provider) {
  if (!doc.contains(key) || !doc[key].is_object()) return r.fail(key, "must be an object");
  AgreementParty p;
  RX_ASSIGN_OR_RETURN(p.name, r.text(doc[key], key, "name"));
  RX_ASSIGN_OR_RETURN(p.uscc, r.text(doc[key], key, "uscc", 18));
  if (!isValidUscc(p.uscc))
    return r.fail(std::string(key) + ".uscc",
                  "is not a valid 统一社会信用代码 (18 characters with a check character)");
  if (provider) {
    RX_ASSIGN_OR_RETURN(p.institutionLicence, r.text(doc[key], key, "institution_licence", 64));
  }
  return p;
}
}  // namespace

Result<AgreementDocument> parseAgreement(std::string_view text, std::string_view source) {
  Reader r{std::string(source)};
  RX_ASSIGN_OR_RETURN(json doc, crypto::parseStrictJson(text, source, {kMaxAgreementBytes, 16}));
  if (!doc.is_object())
    return Status(ErrorCode::kInvalidArgument, r.source + " is not a JSON object");
  if (crypto::textOr(doc, "type") != "rxdesk-provider-agreement")
    return r.fail("type", "must be \"rxdesk-provider-agreement\"");
  if (!doc.contains("version") || doc["version"] != 1) return r.fail("version", "must be 1");
  AgreementDocument a;
  RX_ASSIGN_OR_RETURN(a.agreementNo, r.text(doc, "", "agreement_no", 64));
  RX_ASSIGN_OR_RETURN(a.pharmacy, readParty(r, doc, "pharmacy", false));
  RX_ASSIGN_OR_RETURN(a.provider, readParty(r, doc, "provider", true));
  RX_ASSIGN_OR_RETURN(a.validFrom, r.text(doc, "", "valid_from", 10));
  RX_ASSIGN_OR_RETURN(a.validUntil, r.text(doc, "", "valid_until", 10));
  if (!isIsoDate(a.validFrom)) return r.fail("valid_from", "must be a date YYYY-MM-DD");
  if (!isIsoDate(a.validUntil)) return r.fail("valid_until", "must be a date YYYY-MM-DD");
  if (a.validUntil < a.validFrom) return r.fail("valid_until", "is before valid_from");

  if (!doc.contains("scope") || !doc["scope"].is_object() || !doc["scope"].contains("categories") ||
      !doc["scope"]["categories"].is_array() || doc["scope"]["categories"].empty())
    return r.fail("scope.categories", "must be a non-empty array of drug classes");
  for (const auto& c : doc["scope"]["categories"]) {
    if (!c.is_string()) return r.fail("scope.categories", "must hold strings");
    const std::string cls = c;
    if (isSpecialManagementClass(cls))
      return r.fail(
          "scope.categories",
          "lists \"" + cls + "\": special-management drugs are never in an agreement (M8)");
    if (!isKnownDrugClass(cls))
      return r.fail("scope.categories", "lists unknown class \"" + cls + "\" (rx, otc-a, otc-b)");
    if (std::find(a.scope.begin(), a.scope.end(), cls) != a.scope.end())
      return r.fail("scope.categories", "lists \"" + cls + "\" twice");
    a.scope.push_back(cls);
  }

  if (!doc.contains("keys") || !doc["keys"].is_array() || doc["keys"].empty() ||
      doc["keys"].size() > 16)
    return r.fail("keys", "must be an array of 1-16 signing keys");
  for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
    const std::string path = "keys[" + std::to_string(i) + "]";
    RX_ASSIGN_OR_RETURN(std::string spkiB64, r.text(doc["keys"][i], path, "spki", 4096));
    auto der = crypto::fromBase64(spkiB64);
    if (!der) return r.fail(path + ".spki", "is not base64: " + der.status().message());
    auto key = crypto::PublicKey::fromSpki(*der);
    if (!key) return r.fail(path + ".spki", "is not an acceptable key: " + key.status().message());
    RX_ASSIGN_OR_RETURN(std::string algorithm, r.text(doc["keys"][i], path, "algorithm", 32));
    if (algorithm != crypto::keyTypeName(key->type()))
      return r.fail(path + ".algorithm", "says \"" + algorithm + "\" but the key is " +
                                             std::string(crypto::keyTypeName(key->type())));
    a.keys.push_back(*key);
  }

  RX_ASSIGN_OR_RETURN(std::string jws, r.text(doc, "", "signature", 16384));
  auto parsed = crypto::parseDetached(jws);
  if (!parsed) return r.fail("signature", parsed.status().message());
  a.signature = std::move(*parsed);
  json unsignedDoc = doc;
  unsignedDoc.erase("signature");
  a.signedPayload = crypto::canonicalJson(unsignedDoc);
  a.canonical = crypto::canonicalJson(doc);
  auto signer = std::find_if(a.keys.begin(), a.keys.end(), [&](const crypto::PublicKey& k) {
    return k.keyId() == a.signature.header.keyId;
  });
  if (signer == a.keys.end())
    return Status(ErrorCode::kBadSignature, r.source + ": the agreement is signed with key " +
                                                a.signature.header.keyId +
                                                ", which it does not list");
  Status sig = crypto::verifyDetached(a.signature, *signer, a.signedPayload);
  if (!sig)
    return Status(ErrorCode::kBadSignature,
                  r.source + ": the provider's signature does not verify: " + sig.message());
  return a;
}

Result<std::string> signAgreement(json draft, const crypto::SigningKey& key,
                                  const std::string& signingTime) {
  if (!draft.is_object())
    return Status(ErrorCode::kInvalidArgument, "the agreement draft is not a JSON object");
  draft.erase("signature");
  if (!draft.contains("keys") || !draft["keys"].is_array()) draft["keys"] = json::array();
  const std::string spki = crypto::toBase64(key.publicKey().spki());
  bool listed = false;
  for (const auto& k : draft["keys"]) listed = listed || crypto::textOr(k, "spki") == spki;
  if (!listed)
    draft["keys"].push_back(
        {{"algorithm", std::string(crypto::keyTypeName(key.type()))}, {"spki", spki}});
  RX_ASSIGN_OR_RETURN(std::string jws,
                      crypto::signDetached(key, crypto::canonicalJson(draft), signingTime));
  draft["signature"] = jws;
  return draft.dump(2);
}

}  // namespace rx::ws
