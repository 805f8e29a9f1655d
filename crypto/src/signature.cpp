#include "crypto/signature.h"

#include <cryptopp/asn.h>
#include <cryptopp/eccrypto.h>
#include <cryptopp/filters.h>
#include <cryptopp/integer.h>
#include <cryptopp/oids.h>
#include <cryptopp/osrng.h>
#include <cryptopp/queue.h>
#include <cryptopp/rsa.h>
#include <cryptopp/sha.h>
#include <cryptopp/sm3.h>
#include <cryptopp/xed25519.h>

#include <array>
#include <cstring>

#include "crypto/hash.h"
#include "ec_internal.h"
#include "ec_tables.h"
#include "openssl_ec.h"

namespace rx::crypto {

using CryptoPP::ECP;
using CryptoPP::Integer;
using EcParams = CryptoPP::DL_GroupParameters_EC<ECP>;
using EcdsaP256 = CryptoPP::ECDSA<ECP, CryptoPP::SHA256>;

namespace {

Status bad(std::string reason) { return Status(ErrorCode::kBadSignature, std::move(reason)); }
Status badKey(std::string reason) { return Status(ErrorCode::kInvalidArgument, std::move(reason)); }

using internal::p256Params;
using internal::sm2Params;

bool sameCurve(const EcParams& a, const EcParams& b) {
  return a.GetSubgroupOrder() == b.GetSubgroupOrder() &&
         a.GetSubgroupGenerator() == b.GetSubgroupGenerator() &&
         a.GetCurve().GetField().GetModulus() == b.GetCurve().GetField().GetModulus();
}

Integer toInteger(const std::uint8_t* p, std::size_t n) {
  return Integer(p, n, Integer::UNSIGNED, CryptoPP::BIG_ENDIAN_ORDER);
}

Bytes encodeInteger(const Integer& v, std::size_t size) {
  Bytes out(size);
  v.Encode(out.data(), out.size());
  return out;
}

// SubjectPublicKeyInfo of every Ed25519 key: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }.
constexpr std::array<std::uint8_t, 12> kEd25519SpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                             0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

// The eight points of small order on edwards25519, in their canonical encodings; a key equal to
// one of them (or to a non-canonical encoding, refused separately) verifies forged signatures.
const std::array<std::string_view, 7> kEd25519SmallOrder = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
};
constexpr std::string_view kEd25519SmallOrderLast =
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa";

// Returns true iff the little-endian 32-byte value `v` is below `limit` (also little-endian).
bool lessThanLittleEndian(const std::uint8_t* v, const std::uint8_t* limit) {
  for (int i = 31; i >= 0; --i) {
    if (v[i] != limit[i]) return v[i] < limit[i];
  }
  return false;
}

// The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
constexpr std::uint8_t kEd25519L[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
// p = 2^255 - 19, little-endian.
constexpr std::uint8_t kEd25519P[32] = {
    0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};

}  // namespace

struct PublicKey::Impl {
  KeyType type;
  Bytes spki;
  int bits = 0;
  std::unique_ptr<CryptoPP::ed25519Verifier> ed25519;
  ECP::Point point;  // EC keys
  // The curve arithmetic of verification (issue 24). P-256 keys: the same point for OpenSSL's
  // assembly P-256 code (about 10 times Crypto++'s speed), with a table of its multiples once the
  // key is in steady use. SM2 keys: a table of the point's multiples (OpenSSL 3.0 has only generic
  // code for SM2; the tables are about 3 times its speed and 10 times Crypto++'s), and Z_A of the
  // default signer ID, hashed once.
  std::unique_ptr<internal::OpenSslP256Key> openssl;
  std::unique_ptr<internal::EcPointTable> table;
  Digest256 sm2DefaultUserHash{};
  std::unique_ptr<CryptoPP::RSA::PublicKey> rsa;
};

std::string_view keyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEd25519:
      return "Ed25519";
    case KeyType::kEcP256:
      return "EC P-256";
    case KeyType::kSm2:
      return "SM2";
    case KeyType::kRsa:
      return "RSA";
  }
  return "?";
}

std::string_view schemeName(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kEd25519:
      return "Ed25519";
    case SignatureScheme::kEcdsaP256Sha256:
      return "ECDSA P-256 SHA-256";
    case SignatureScheme::kRsaPkcs1Sha256:
      return "RSA PKCS#1 v1.5 SHA-256";
    case SignatureScheme::kRsaPssSha256:
      return "RSA-PSS SHA-256";
    case SignatureScheme::kSm2Sm3:
      return "SM2 with SM3";
  }
  return "?";
}

std::string_view jwsAlgorithm(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::kEd25519:
      return "EdDSA";
    case SignatureScheme::kEcdsaP256Sha256:
      return "ES256";
    case SignatureScheme::kRsaPkcs1Sha256:
      return "RS256";
    case SignatureScheme::kRsaPssSha256:
      return "PS256";
    case SignatureScheme::kSm2Sm3:
      return "SM2-SM3";
  }
  return "?";
}

Result<SignatureScheme> schemeFromJwsAlgorithm(std::string_view alg) {
  for (auto s :
       {SignatureScheme::kEd25519, SignatureScheme::kEcdsaP256Sha256,
        SignatureScheme::kRsaPkcs1Sha256, SignatureScheme::kRsaPssSha256, SignatureScheme::kSm2Sm3})
    if (jwsAlgorithm(s) == alg) return s;
  return Status(
      ErrorCode::kInvalidArgument,
      "JWS alg \"" + std::string(alg) + "\" is not accepted (EdDSA, ES256, RS256, PS256, SM2-SM3)");
}

bool schemeFitsKey(SignatureScheme scheme, KeyType type) {
  switch (scheme) {
    case SignatureScheme::kEd25519:
      return type == KeyType::kEd25519;
    case SignatureScheme::kEcdsaP256Sha256:
      return type == KeyType::kEcP256;
    case SignatureScheme::kRsaPkcs1Sha256:
    case SignatureScheme::kRsaPssSha256:
      return type == KeyType::kRsa;
    case SignatureScheme::kSm2Sm3:
      return type == KeyType::kSm2;
  }
  return false;
}

KeyType PublicKey::type() const { return impl_->type; }
const Bytes& PublicKey::spki() const { return impl_->spki; }
int PublicKey::bits() const { return impl_->bits; }
std::string PublicKey::keyId() const {
  Digest256 d = sha256(impl_->spki);
  return toBase64Url(d.data(), d.size());
}

Result<PublicKey> PublicKey::fromEd25519(const Bytes& raw) {
  if (raw.size() != 32)
    return badKey("an Ed25519 public key has 32 bytes, not " + std::to_string(raw.size()));
  Bytes y = raw;
  y[31] &= 0x7f;
  if (!lessThanLittleEndian(y.data(), kEd25519P))
    return badKey("Ed25519 public key is not canonically encoded");
  const std::string hex = toHex(raw);
  for (auto small : kEd25519SmallOrder)
    if (hex == small) return badKey("Ed25519 public key is a point of small order");
  if (hex == kEd25519SmallOrderLast) return badKey("Ed25519 public key is a point of small order");
  auto impl = std::make_shared<Impl>();
  impl->type = KeyType::kEd25519;
  impl->bits = 256;
  impl->spki.assign(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end());
  impl->spki.insert(impl->spki.end(), raw.begin(), raw.end());
  try {
    impl->ed25519 = std::make_unique<CryptoPP::ed25519Verifier>(raw.data());
    CryptoPP::AutoSeededRandomPool rng;
    if (!impl->ed25519->GetPublicKey().Validate(rng, 3))
      return badKey("Ed25519 public key is not a valid point");
  } catch (const CryptoPP::Exception& e) {
    return badKey(std::string("Ed25519 public key rejected: ") + e.what());
  }
  return PublicKey(std::move(impl));
}

namespace {
Result<PublicKey> ecKey(KeyType type, const ECP::Point& q);
}

Result<PublicKey> PublicKey::fromEcPoint(KeyType curve, const Bytes& uncompressed) {
  if (curve != KeyType::kEcP256 && curve != KeyType::kSm2)
    return badKey("not an elliptic-curve key type");
  if (uncompressed.size() != 65 || uncompressed[0] != 0x04)
    return badKey("an EC public key must be an uncompressed point of 65 bytes starting with 04");
  ECP::Point q(toInteger(&uncompressed[1], 32), toInteger(&uncompressed[33], 32));
  return ecKey(curve, q);
}

namespace {
Result<PublicKey> ecKey(KeyType type, const ECP::Point& q) {
  const EcParams& params = type == KeyType::kSm2 ? sm2Params() : p256Params();
  const Integer& p = params.GetCurve().GetField().GetModulus();
  if (q.identity || q.x.IsNegative() || q.y.IsNegative() || q.x >= p || q.y >= p)
    return badKey(std::string(keyTypeName(type)) + " public key has coordinates out of range");
  if (!params.GetCurve().VerifyPoint(q) || !params.ValidateElement(3, q, nullptr))
    return badKey(std::string(keyTypeName(type)) +
                  " public key is not a point of the curve's group");
  auto impl = std::make_shared<PublicKey::Impl>();
  impl->type = type;
  impl->bits = 256;
  impl->point = q;
  try {
    EcdsaP256::PublicKey key;
    key.Initialize(params, q);
    key.AccessGroupParameters().SetEncodeAsOID(true);
    key.AccessGroupParameters().SetPointCompression(false);
    CryptoPP::VectorSink sink(impl->spki);
    key.DEREncode(sink);
  } catch (const CryptoPP::Exception& e) {
    return badKey(std::string("EC public key rejected: ") + e.what());
  }
  Bytes uncompressed(65);
  uncompressed[0] = 0x04;
  q.x.Encode(&uncompressed[1], 32);
  q.y.Encode(&uncompressed[33], 32);
  if (type == KeyType::kEcP256) {
    RX_ASSIGN_OR_RETURN(impl->openssl, internal::OpenSslP256Key::fromPoint(uncompressed.data()));
  } else {
    impl->table =
        std::make_unique<internal::EcPointTable>(type, &uncompressed[1], &uncompressed[33]);
    impl->sm2DefaultUserHash = internal::sm2UserHash(q, kSm2DefaultUserId);
  }
  return PublicKey(std::move(impl));
}

Result<PublicKey> rsaKey(const Bytes& spki) {
  auto impl = std::make_shared<PublicKey::Impl>();
  impl->type = KeyType::kRsa;
  impl->rsa = std::make_unique<CryptoPP::RSA::PublicKey>();
  try {
    CryptoPP::ArraySource src(spki.data(), spki.size(), true);
    impl->rsa->BERDecode(src);
    if (src.MaxRetrievable() != 0) return badKey("RSA public key has trailing bytes");
    CryptoPP::VectorSink sink(impl->spki);
    impl->rsa->DEREncode(sink);
  } catch (const CryptoPP::Exception& e) {
    return badKey(std::string("not a valid RSA SubjectPublicKeyInfo: ") + e.what());
  }
  if (impl->spki != spki) return badKey("RSA public key is not canonical DER");
  const Integer& n = impl->rsa->GetModulus();
  const Integer& e = impl->rsa->GetPublicExponent();
  impl->bits = static_cast<int>(n.BitCount());
  if (impl->bits < 2048)
    return badKey("RSA key of " + std::to_string(impl->bits) + " bits; at least 2048 required");
  if (impl->bits > 8192)
    return badKey("RSA key of " + std::to_string(impl->bits) + " bits is larger than 8192");
  if (n.IsEven()) return badKey("RSA modulus is even");
  if (e.IsEven() || e < Integer(3) || e >= n)
    return badKey("RSA public exponent must be odd, at least 3 and below n");
  return PublicKey(std::move(impl));
}
}  // namespace

Result<PublicKey> PublicKey::fromSpki(const Bytes& spki) {
  if (spki.size() > 2048) return badKey("SubjectPublicKeyInfo is larger than 2048 bytes");
  if (spki.size() == 44 &&
      std::equal(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end(), spki.begin()))
    return fromEd25519(Bytes(spki.begin() + 12, spki.end()));
  // id-ecPublicKey = 1.2.840.10045.2.1; rsaEncryption = 1.2.840.113549.1.1.1
  static const Bytes kEcOid = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
  static const Bytes kRsaOid = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
  auto contains = [&](const Bytes& needle) {
    return std::search(spki.begin(), spki.begin() + std::min<std::size_t>(spki.size(), 40),
                       needle.begin(),
                       needle.end()) != spki.begin() + std::min<std::size_t>(spki.size(), 40);
  };
  if (contains(kRsaOid)) return rsaKey(spki);
  if (!contains(kEcOid))
    return badKey("SubjectPublicKeyInfo names an algorithm rxdesk does not accept");
  EcdsaP256::PublicKey key;
  try {
    CryptoPP::ArraySource src(spki.data(), spki.size(), true);
    key.BERDecode(src);
    if (src.MaxRetrievable() != 0) return badKey("EC public key has trailing bytes");
  } catch (const CryptoPP::Exception& e) {
    return badKey(std::string("not a valid EC SubjectPublicKeyInfo: ") + e.what());
  }
  if (!key.GetGroupParameters().GetEncodeAsOID())
    return badKey("EC public key uses explicit curve parameters");
  KeyType type;
  if (sameCurve(key.GetGroupParameters(), p256Params()))
    type = KeyType::kEcP256;
  else if (sameCurve(key.GetGroupParameters(), sm2Params()))
    type = KeyType::kSm2;
  else
    return badKey("EC public key is on a curve rxdesk does not accept (P-256 and SM2 only)");
  auto parsed = ecKey(type, key.GetPublicElement());
  if (!parsed) return parsed;
  if (parsed->spki() != spki)
    return badKey("EC public key is not canonical DER (or uses a compressed point)");
  return parsed;
}

Result<Bytes> derSignatureToRaw(const Bytes& der, std::size_t scalarSize) {
  // SEQUENCE { INTEGER r, INTEGER s } in DER: definite minimal lengths, minimal positive integers,
  // nothing after. Anything else has more than one encoding and is refused.
  std::size_t i = 0;
  auto readLength = [&](std::size_t& len) -> bool {
    if (i >= der.size()) return false;
    std::uint8_t b = der[i++];
    if (b < 0x80) {
      len = b;
      return true;
    }
    if (b != 0x81 || i >= der.size()) return false;  // signatures here are < 256 bytes
    len = der[i++];
    return len >= 0x80;  // a long form for a short length is not DER
  };
  if (der.size() < 8 || der[i++] != 0x30) return bad("DER signature must start with a SEQUENCE");
  std::size_t seqLen;
  if (!readLength(seqLen) || i + seqLen != der.size())
    return bad("DER signature length is not canonical or has trailing bytes");
  Bytes raw;
  for (int k = 0; k < 2; ++k) {
    if (i >= der.size() || der[i++] != 0x02) return bad("DER signature: expected an INTEGER");
    std::size_t len;
    if (!readLength(len) || len == 0 || i + len > der.size())
      return bad("DER signature: bad INTEGER length");
    const std::uint8_t* p = &der[i];
    if (p[0] & 0x80) return bad("DER signature: negative INTEGER");
    if (len > 1 && p[0] == 0 && !(p[1] & 0x80))
      return bad("DER signature: INTEGER with a superfluous leading zero");
    if (p[0] == 0 && len > 1) {
      ++p;
      --len;
    }
    if (len > scalarSize) return bad("DER signature: INTEGER larger than the curve order");
    raw.insert(raw.end(), scalarSize - len, 0);
    raw.insert(raw.end(), p, p + len);
    i = static_cast<std::size_t>(p - der.data()) + len;
  }
  if (i != der.size()) return bad("DER signature has trailing bytes");
  return raw;
}

namespace {

Status verifyEd25519(const PublicKey::Impl& key, const std::uint8_t* msg, std::size_t n,
                     const Bytes& sig) {
  if (sig.size() != 64)
    return bad("an Ed25519 signature has 64 bytes, not " + std::to_string(sig.size()));
  if (!lessThanLittleEndian(&sig[32], kEd25519L))
    return bad("Ed25519 signature scalar S is not below the group order");
  if (!key.ed25519->VerifyMessage(msg, n, sig.data(), sig.size()))
    return bad("Ed25519 signature does not match");
  return Status::ok();
}

}  // namespace

Result<Bytes> internal::ecSignatureScalars(const Bytes& sig, SignatureEncoding enc,
                                           const Integer& order, const char* what) {
  Bytes raw;
  if (enc == SignatureEncoding::kDer) {
    RX_ASSIGN_OR_RETURN(raw, derSignatureToRaw(sig, 32));
  } else {
    if (sig.size() != 64)
      return bad(std::string(what) + " signature (r‖s) has 64 bytes, not " +
                 std::to_string(sig.size()));
    raw = sig;
  }
  Integer r = toInteger(raw.data(), 32), s = toInteger(raw.data() + 32, 32);
  if (r.IsZero() || s.IsZero() || r >= order || s >= order)
    return bad(std::string(what) + " signature: r or s is outside [1, n-1]");
  return raw;
}

namespace {

// rxdesk's checks (ecSignatureScalars) have passed when OpenSSL gets r and s, both in [1, n-1],
// and the 32-byte digest: it decides only whether the curve equation holds.
Status verifyEcdsa(const PublicKey::Impl& key, const std::uint8_t* msg, std::size_t n,
                   const Bytes& sig, SignatureEncoding enc) {
  RX_ASSIGN_OR_RETURN(
      Bytes raw, internal::ecSignatureScalars(sig, enc, p256Params().GetSubgroupOrder(), "ECDSA"));
  const Digest256 digest = sha256(msg, n);
  RX_ASSIGN_OR_RETURN(bool match, key.openssl->verifyDigest(raw.data(), digest.data()));
  if (!match) return bad("ECDSA signature does not match");
  return Status::ok();
}

Status verifySm2(const PublicKey::Impl& key, const std::uint8_t* msg, std::size_t n,
                 const Bytes& sig, SignatureEncoding enc, std::string_view userId) {
  const Integer& order = sm2Params().GetSubgroupOrder();
  RX_ASSIGN_OR_RETURN(Bytes raw, internal::ecSignatureScalars(sig, enc, order, "SM2"));
  if (userId.size() > 8191) return bad("SM2 signer ID longer than 8191 bytes");
  const Integer r = toInteger(raw.data(), 32), s = toInteger(raw.data() + 32, 32);
  if (((r + s) % order).IsZero()) return bad("SM2 signature: (r + s) mod n is zero");
  const Digest256 za = userId == kSm2DefaultUserId ? key.sm2DefaultUserHash
                                                   : internal::sm2UserHash(key.point, userId);
  // GB/T 32918.2 section 7.1: R = s·G + t·Q must not be infinity and (e + x(R)) mod n must be r,
  // i.e. x(R) ≡ r - e (mod n).
  const Digest256 h = internal::sm2MessageHash(za, msg, n);
  const Integer e = toInteger(h.data(), h.size()) % order;
  const Bytes t = encodeInteger((r + s) % order, 32);
  const Bytes v = encodeInteger((r + order - e) % order, 32);
  if (!internal::combinationMatches(internal::EcPointTable::generator(KeyType::kSm2), *key.table,
                                    raw.data() + 32, t.data(), v.data()))
    return bad("SM2 signature does not match");
  return Status::ok();
}

Status verifyRsaPkcs1(const PublicKey::Impl& key, const std::uint8_t* msg, std::size_t n,
                      const Bytes& sig) {
  const std::size_t k = key.rsa->GetModulus().ByteCount();
  if (sig.size() != k)
    return bad("RSA signature has " + std::to_string(sig.size()) + " bytes; the key needs " +
               std::to_string(k));
  if (toInteger(sig.data(), sig.size()) >= key.rsa->GetModulus())
    return bad("RSA signature is not below the modulus");
  // Crypto++ re-encodes the expected EMSA-PKCS1-v1_5 block and compares, so legacy or
  // malformed encodings (missing NULL, extra bytes) do not verify.
  CryptoPP::RSASS<CryptoPP::PKCS1v15, CryptoPP::SHA256>::Verifier verifier(*key.rsa);
  if (!verifier.VerifyMessage(msg, n, sig.data(), sig.size()))
    return bad("RSA PKCS#1 v1.5 signature does not match");
  return Status::ok();
}

// EMSA-PSS-VERIFY (RFC 8017 section 9.1.2) with SHA-256, MGF1-SHA-256 and exactly 32 bytes of salt.
Status verifyRsaPss(const PublicKey::Impl& key, const std::uint8_t* msg, std::size_t n,
                    const Bytes& sig) {
  const Integer& modulus = key.rsa->GetModulus();
  const std::size_t k = modulus.ByteCount();
  if (sig.size() != k)
    return bad("RSA-PSS signature has " + std::to_string(sig.size()) + " bytes; the key needs " +
               std::to_string(k));
  const Integer s = toInteger(sig.data(), sig.size());
  if (s >= modulus) return bad("RSA-PSS signature is not below the modulus");
  const std::size_t emBits = modulus.BitCount() - 1;
  const std::size_t emLen = (emBits + 7) / 8;
  constexpr std::size_t hLen = 32, sLen = 32;
  const Integer m = key.rsa->ApplyFunction(s);
  if (m.ByteCount() > emLen) return bad("RSA-PSS: encoded message too long");
  Bytes em = encodeInteger(m, emLen);
  if (emLen < hLen + sLen + 2) return bad("RSA-PSS: key too small for SHA-256 with a 32-byte salt");
  if (em.back() != 0xbc) return bad("RSA-PSS: trailer byte is not 0xbc");
  const std::size_t dbLen = emLen - hLen - 1;
  const std::uint8_t* hash = &em[dbLen];
  const unsigned topBits = static_cast<unsigned>(8 * emLen - emBits);
  const std::uint8_t topMask = static_cast<std::uint8_t>(0xff << (8 - topBits));
  if (topBits && (em[0] & topMask))
    return bad("RSA-PSS: leftmost bits of the encoded message are not zero");
  // MGF1-SHA-256(H, dbLen)
  Bytes db(em.begin(), em.begin() + static_cast<std::ptrdiff_t>(dbLen));
  for (std::uint32_t counter = 0, done = 0; done < dbLen; ++counter) {
    CryptoPP::SHA256 h;
    h.Update(hash, hLen);
    const std::uint8_t c[4] = {
        static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
        static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
    h.Update(c, 4);
    std::uint8_t block[hLen];
    h.Final(block);
    for (std::size_t j = 0; j < hLen && done < dbLen; ++j, ++done) db[done] ^= block[j];
  }
  if (topBits) db[0] &= static_cast<std::uint8_t>(~topMask);
  const std::size_t psLen = dbLen - sLen - 1;
  for (std::size_t j = 0; j < psLen; ++j)
    if (db[j] != 0) return bad("RSA-PSS: padding is not zero (or the salt is not 32 bytes)");
  if (db[psLen] != 0x01)
    return bad("RSA-PSS: separator byte is not 0x01 (or the salt is not 32 bytes)");
  Digest256 mHash = sha256(msg, n);
  CryptoPP::SHA256 h;
  const std::uint8_t zeros[8] = {};
  h.Update(zeros, 8);
  h.Update(mHash.data(), mHash.size());
  h.Update(&db[dbLen - sLen], sLen);
  std::uint8_t expected[hLen];
  h.Final(expected);
  if (!constantTimeEqual(expected, hash, hLen)) return bad("RSA-PSS signature does not match");
  return Status::ok();
}

}  // namespace

Status verifySignature(const PublicKey& key, SignatureScheme scheme, const std::uint8_t* message,
                       std::size_t size, const Bytes& signature, SignatureEncoding encoding,
                       std::string_view sm2UserId) {
  if (!schemeFitsKey(scheme, key.type()))
    return badKey(std::string(schemeName(scheme)) + " cannot be verified with an " +
                  std::string(keyTypeName(key.type())) + " key");
  if (encoding == SignatureEncoding::kDer && scheme != SignatureScheme::kEcdsaP256Sha256 &&
      scheme != SignatureScheme::kSm2Sm3)
    return badKey("DER signature encoding applies only to ECDSA and SM2");
  try {
    switch (scheme) {
      case SignatureScheme::kEd25519:
        return verifyEd25519(key.impl(), message, size, signature);
      case SignatureScheme::kEcdsaP256Sha256:
        return verifyEcdsa(key.impl(), message, size, signature, encoding);
      case SignatureScheme::kRsaPkcs1Sha256:
        return verifyRsaPkcs1(key.impl(), message, size, signature);
      case SignatureScheme::kRsaPssSha256:
        return verifyRsaPss(key.impl(), message, size, signature);
      case SignatureScheme::kSm2Sm3:
        return verifySm2(key.impl(), message, size, signature, encoding, sm2UserId);
    }
  } catch (const CryptoPP::Exception& e) {
    return bad(std::string("signature could not be checked: ") + e.what());
  }
  return Status(ErrorCode::kInternal, "unknown signature scheme");
}

namespace internal {

namespace {
// Fixed-base precomputation makes s·G several times faster; done once per curve and thread.
EcParams precomputed(const CryptoPP::OID& oid) {
  EcParams params(oid);
  params.Precompute();
  return params;
}
}  // namespace

// One copy per thread: Crypto++'s curve and field objects keep scratch results in mutable
// members, so even their const operations (s·G, point addition, VerifyPoint) race when two
// threads share one (two threads signing with SM2 crashed in the issue 24 cross-check).
const EcParams& p256Params() {
  static thread_local const EcParams params = precomputed(CryptoPP::ASN1::secp256r1());
  return params;
}
const EcParams& sm2Params() {
  static thread_local const EcParams params = precomputed(CryptoPP::ASN1::sm2p256v1());
  return params;
}

Digest256 sm2UserHash(const ECP::Point& q, std::string_view userId) {
  Bytes za;
  const std::size_t entl = userId.size() * 8;
  za.push_back(static_cast<std::uint8_t>(entl >> 8));
  za.push_back(static_cast<std::uint8_t>(entl & 0xff));
  za.insert(za.end(), userId.begin(), userId.end());
  const ECP& curve = sm2Params().GetCurve();
  const ECP::Point& g = sm2Params().GetSubgroupGenerator();
  for (const Integer* v : {&curve.GetA(), &curve.GetB(), &g.x, &g.y, &q.x, &q.y}) {
    Bytes b = encodeInteger(*v, 32);
    za.insert(za.end(), b.begin(), b.end());
  }
  return sm3(za.data(), za.size());
}

Digest256 sm2MessageHash(const Digest256& za, const std::uint8_t* message, std::size_t size) {
  CryptoPP::SM3 h;
  h.Update(za.data(), za.size());
  h.Update(message, size);
  Digest256 e;
  h.Final(e.data());
  return e;
}

Integer sm2Digest(const ECP::Point& q, std::string_view userId, const std::uint8_t* message,
                  std::size_t size) {
  const Digest256 e = sm2MessageHash(sm2UserHash(q, userId), message, size);
  return toInteger(e.data(), e.size());
}

}  // namespace internal
}  // namespace rx::crypto
