#include "crypto/signing_key.h"

#include <cryptopp/eccrypto.h>
#include <cryptopp/filters.h>
#include <cryptopp/nbtheory.h>
#include <cryptopp/osrng.h>
#include <cryptopp/pssr.h>
#include <cryptopp/rsa.h>
#include <cryptopp/sha.h>
#include <cryptopp/xed25519.h>

#include "crypto/ed25519.h"
#include "ec_internal.h"

namespace rx::crypto {

using CryptoPP::ECP;
using CryptoPP::Integer;

struct SigningKey::Impl {
  KeyType type;
  SecretBytes secret;  // Ed25519 seed, EC scalar (32 bytes), or RSA PKCS#8 DER
  std::optional<PublicKey> pub;
  CryptoPP::RSA::PrivateKey rsa;
};

namespace {
// Serialized form: one type byte, then the secret.
constexpr std::uint8_t kTagEd25519 = 1, kTagP256 = 2, kTagSm2 = 3, kTagRsa = 4;

Integer scalar(const SecretBytes& s) { return Integer(s.data(), s.size()); }

Result<std::shared_ptr<SigningKey::Impl>> build(KeyType type, SecretBytes secret) {
  auto impl = std::make_shared<SigningKey::Impl>();
  impl->type = type;
  impl->secret = std::move(secret);
  try {
    switch (type) {
      case KeyType::kEd25519: {
        if (impl->secret.size() != 32)
          return Status(ErrorCode::kCorrupt, "Ed25519 private key must be 32 bytes");
        CryptoPP::ed25519Signer signer(impl->secret.data());
        const auto& pk = dynamic_cast<const CryptoPP::ed25519PrivateKey&>(signer.GetPrivateKey());
        RX_ASSIGN_OR_RETURN(
            impl->pub,
            PublicKey::fromEd25519(Bytes(pk.GetPublicKeyBytePtr(), pk.GetPublicKeyBytePtr() + 32)));
        break;
      }
      case KeyType::kEcP256:
      case KeyType::kSm2: {
        const auto& params = type == KeyType::kSm2 ? internal::sm2Params() : internal::p256Params();
        if (impl->secret.size() != 32)
          return Status(ErrorCode::kCorrupt, "EC private key must be 32 bytes");
        Integer d = scalar(impl->secret);
        if (d.IsZero() || d >= params.GetSubgroupOrder() - 1)
          return Status(ErrorCode::kCorrupt, "EC private key out of range");
        ECP::Point q = params.ExponentiateBase(d);
        Bytes point(65);
        point[0] = 0x04;
        q.x.Encode(&point[1], 32);
        q.y.Encode(&point[33], 32);
        RX_ASSIGN_OR_RETURN(impl->pub, PublicKey::fromEcPoint(type, point));
        break;
      }
      case KeyType::kRsa: {
        CryptoPP::ArraySource src(impl->secret.data(), impl->secret.size(), true);
        impl->rsa.BERDecode(src);
        CryptoPP::RSA::PublicKey pub(impl->rsa);
        Bytes spki;
        CryptoPP::VectorSink sink(spki);
        pub.DEREncode(sink);
        RX_ASSIGN_OR_RETURN(impl->pub, PublicKey::fromSpki(spki));
        break;
      }
    }
  } catch (const CryptoPP::Exception& e) {
    return Status(ErrorCode::kCorrupt, std::string("private key rejected: ") + e.what());
  }
  return impl;
}
}  // namespace

SigningKey SigningKey::generate(KeyType type) {
  CryptoPP::AutoSeededRandomPool rng;
  SecretBytes secret;
  switch (type) {
    case KeyType::kEd25519:
      secret = randomSecret(32);
      break;
    case KeyType::kEcP256:
    case KeyType::kSm2: {
      const auto& params = type == KeyType::kSm2 ? internal::sm2Params() : internal::p256Params();
      // d in [1, n-2] (SM2 needs 1 + d invertible).
      Integer d(rng, Integer::One(), params.GetSubgroupOrder() - 2);
      secret.resize(32);
      d.Encode(secret.data(), 32);
      break;
    }
    case KeyType::kRsa: {
      CryptoPP::RSA::PrivateKey key;
      key.GenerateRandomWithKeySize(rng, 3072);
      std::string der;
      CryptoPP::StringSink sink(der);
      key.DEREncode(sink);
      secret.Assign(reinterpret_cast<const CryptoPP::byte*>(der.data()), der.size());
      std::fill(der.begin(), der.end(), '\0');
      break;
    }
  }
  auto impl = build(type, std::move(secret));
  if (!impl)
    throw std::logic_error("a freshly generated key was refused: " + impl.status().message());
  return SigningKey(std::move(*impl));
}

SecretBytes SigningKey::serialize() const {
  std::uint8_t tag = impl_->type == KeyType::kEd25519  ? kTagEd25519
                     : impl_->type == KeyType::kEcP256 ? kTagP256
                     : impl_->type == KeyType::kSm2    ? kTagSm2
                                                       : kTagRsa;
  SecretBytes out(1 + impl_->secret.size());
  out[0] = tag;
  std::copy(impl_->secret.begin(), impl_->secret.end(), out.begin() + 1);
  return out;
}

Result<SigningKey> SigningKey::deserialize(const SecretBytes& data) {
  if (data.size() < 2) return Status(ErrorCode::kCorrupt, "private key data is too short");
  KeyType type;
  switch (data[0]) {
    case kTagEd25519:
      type = KeyType::kEd25519;
      break;
    case kTagP256:
      type = KeyType::kEcP256;
      break;
    case kTagSm2:
      type = KeyType::kSm2;
      break;
    case kTagRsa:
      type = KeyType::kRsa;
      break;
    default:
      return Status(ErrorCode::kCorrupt, "private key data has an unknown type tag");
  }
  RX_ASSIGN_OR_RETURN(auto impl, build(type, SecretBytes(data.data() + 1, data.size() - 1)));
  return SigningKey(std::move(impl));
}

KeyType SigningKey::type() const { return impl_->type; }
const PublicKey& SigningKey::publicKey() const { return *impl_->pub; }

SignatureScheme SigningKey::defaultScheme() const {
  switch (impl_->type) {
    case KeyType::kEd25519:
      return SignatureScheme::kEd25519;
    case KeyType::kEcP256:
      return SignatureScheme::kEcdsaP256Sha256;
    case KeyType::kSm2:
      return SignatureScheme::kSm2Sm3;
    case KeyType::kRsa:
      return SignatureScheme::kRsaPssSha256;
  }
  return SignatureScheme::kEd25519;
}

Result<Bytes> SigningKey::sign(SignatureScheme scheme, const std::uint8_t* message,
                               std::size_t size, std::string_view sm2UserId) const {
  if (!schemeFitsKey(scheme, impl_->type))
    return Status(ErrorCode::kInvalidArgument, std::string(schemeName(scheme)) +
                                                   " does not fit a " +
                                                   std::string(keyTypeName(impl_->type)) + " key");
  CryptoPP::AutoSeededRandomPool rng;
  try {
    switch (scheme) {
      case SignatureScheme::kEd25519:
        return ed25519Sign(impl_->secret, message, size);
      case SignatureScheme::kEcdsaP256Sha256: {
        CryptoPP::ECDSA<ECP, CryptoPP::SHA256>::Signer signer;
        signer.AccessKey().Initialize(internal::p256Params(), scalar(impl_->secret));
        Bytes sig(signer.MaxSignatureLength());
        sig.resize(signer.SignMessage(rng, message, size, sig.data()));
        return sig;
      }
      case SignatureScheme::kRsaPkcs1Sha256: {
        CryptoPP::RSASS<CryptoPP::PKCS1v15, CryptoPP::SHA256>::Signer signer(impl_->rsa);
        Bytes sig(signer.MaxSignatureLength());
        sig.resize(signer.SignMessage(rng, message, size, sig.data()));
        return sig;
      }
      case SignatureScheme::kRsaPssSha256: {
        // Crypto++'s PSS uses a salt as long as the digest: 32 bytes, as rxdesk verifies.
        CryptoPP::RSASS<CryptoPP::PSS, CryptoPP::SHA256>::Signer signer(impl_->rsa);
        Bytes sig(signer.MaxSignatureLength());
        sig.resize(signer.SignMessage(rng, message, size, sig.data()));
        return sig;
      }
      case SignatureScheme::kSm2Sm3: {
        // GB/T 32918.2 section 6.1.
        const auto& params = internal::sm2Params();
        const Integer& n = params.GetSubgroupOrder();
        const Integer d = scalar(impl_->secret);
        const Integer e = internal::sm2Digest(params.ExponentiateBase(d), sm2UserId, message, size);
        const Integer inv = (d + 1).InverseMod(n);
        for (;;) {
          Integer k(rng, Integer::One(), n - 1);
          ECP::Point p = params.ExponentiateBase(k);
          Integer r = (e + p.x) % n;
          if (r.IsZero() || r + k == n) continue;
          Integer t = (k - r * d) % n;
          if (t.IsNegative()) t += n;
          Integer s = (inv * t) % n;
          if (s.IsZero()) continue;
          Bytes sig(64);
          r.Encode(sig.data(), 32);
          s.Encode(sig.data() + 32, 32);
          return sig;
        }
      }
    }
  } catch (const CryptoPP::Exception& e) {
    return Status(ErrorCode::kInternal, std::string("signing failed: ") + e.what());
  }
  return Status(ErrorCode::kInternal, "unknown signature scheme");
}

}  // namespace rx::crypto
