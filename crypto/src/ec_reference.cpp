#include "ec_reference.h"

#include <cryptopp/eccrypto.h>
#include <cryptopp/filters.h>
#include <cryptopp/sha.h>

#include "ec_internal.h"

namespace rx::crypto::internal {

using CryptoPP::ECP;
using CryptoPP::Integer;
using EcdsaP256 = CryptoPP::ECDSA<ECP, CryptoPP::SHA256>;

namespace {
Status bad(std::string reason) { return Status(ErrorCode::kBadSignature, std::move(reason)); }

Integer toInteger(const std::uint8_t* p, std::size_t n) {
  return Integer(p, n, Integer::UNSIGNED, CryptoPP::BIG_ENDIAN_ORDER);
}
}  // namespace

// What PublicKey::Impl held for EC keys before issue 24.
struct CryptoPPEcVerifier::Tables {
  std::unique_ptr<EcdsaP256::Verifier> ecdsa;
  ECP::Point point;
  // A fixed-base table for the public point: verification computes s·G + t·Q with both tables.
  std::unique_ptr<EcdsaP256::PublicKey> ecPublic;
};

CryptoPPEcVerifier::CryptoPPEcVerifier(const PublicKey& key) : type_(key.type()) {
  if (type_ != KeyType::kEcP256 && type_ != KeyType::kSm2) return;
  // The SPKI is canonical and its point validated: PublicKey made it.
  EcdsaP256::PublicKey parsed;
  CryptoPP::ArraySource src(key.spki().data(), key.spki().size(), true);
  parsed.BERDecode(src);
  EcdsaP256::PublicKey k;
  k.Initialize(type_ == KeyType::kSm2 ? sm2Params() : p256Params(), parsed.GetPublicElement());
  k.Precompute();
  tables_ = std::make_unique<Tables>();
  tables_->point = parsed.GetPublicElement();
  if (type_ == KeyType::kEcP256) tables_->ecdsa = std::make_unique<EcdsaP256::Verifier>(k);
  tables_->ecPublic = std::make_unique<EcdsaP256::PublicKey>(k);
}

CryptoPPEcVerifier::~CryptoPPEcVerifier() = default;

Status CryptoPPEcVerifier::verify(SignatureScheme scheme, const std::uint8_t* msg, std::size_t n,
                                  const Bytes& sig, SignatureEncoding enc,
                                  std::string_view userId) const {
  if (!schemeFitsKey(scheme, type_))
    return Status(ErrorCode::kInvalidArgument, std::string(schemeName(scheme)) +
                                                   " cannot be verified with an " +
                                                   std::string(keyTypeName(type_)) + " key");
  try {
    if (scheme == SignatureScheme::kEcdsaP256Sha256) {
      RX_ASSIGN_OR_RETURN(Bytes raw,
                          ecSignatureScalars(sig, enc, p256Params().GetSubgroupOrder(), "ECDSA"));
      if (!tables_->ecdsa->VerifyMessage(msg, n, raw.data(), raw.size()))
        return bad("ECDSA signature does not match");
      return Status::ok();
    }
    if (scheme == SignatureScheme::kSm2Sm3) {
      const auto& params = sm2Params();
      const Integer& order = params.GetSubgroupOrder();
      RX_ASSIGN_OR_RETURN(Bytes raw, ecSignatureScalars(sig, enc, order, "SM2"));
      if (userId.size() > 8191) return bad("SM2 signer ID longer than 8191 bytes");
      const Integer e = sm2Digest(tables_->point, userId, msg, n);
      const Integer r = toInteger(raw.data(), 32), s = toInteger(raw.data() + 32, 32);
      const Integer t = (r + s) % order;
      if (t.IsZero()) return bad("SM2 signature: (r + s) mod n is zero");
      // s·G and t·Q each from its fixed-base table, then one addition.
      const ECP::Point p = params.GetCurve().Add(params.ExponentiateBase(s),
                                                 tables_->ecPublic->ExponentiatePublicElement(t));
      if (p.identity) return bad("SM2 signature does not match");
      if ((e + p.x) % order != r) return bad("SM2 signature does not match");
      return Status::ok();
    }
  } catch (const CryptoPP::Exception& e) {
    return bad(std::string("signature could not be checked: ") + e.what());
  }
  return Status(ErrorCode::kInvalidArgument, "the reference verifier checks ECDSA and SM2 only");
}

}  // namespace rx::crypto::internal
