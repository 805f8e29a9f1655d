#include "crypto/keywrap.h"

#include <new>

#include <cryptopp/aes.h>
#include <cryptopp/filters.h>
#include <cryptopp/gcm.h>
#include <cryptopp/osrng.h>
#include <cryptopp/scrypt.h>
#include <cryptopp/xed25519.h>

#include "crypto/hash.h"

namespace rx::crypto {

bool scryptParamsAcceptable(const ScryptParams& p) {
  const bool powerOfTwo = p.cost >= 2 && (p.cost & (p.cost - 1)) == 0;
  // Upper bounds keep a hostile slot file from making an open take minutes or gigabytes. Each
  // parameter is bounded before they are multiplied, so the product cannot wrap (N = 2^57 once
  // passed as a small number and ended in std::bad_alloc).
  if (!powerOfTwo || p.cost < (1u << 10) || p.cost > (1u << 22) || p.blockSize < 1 ||
      p.blockSize > 32 || p.parallelism < 1 || p.parallelism > 16)
    return false;
  const std::uint64_t memory = 128ull * p.cost * p.blockSize * p.parallelism;
  return memory <= (1ull << 30);
}

Result<SecretBytes> deriveKeyFromPassword(std::string_view password, const Bytes& salt,
                                          const ScryptParams& params) {
  if (!scryptParamsAcceptable(params))
    return Status(ErrorCode::kInvalidArgument, "scrypt parameters out of the accepted range");
  if (salt.size() < 16)
    return Status(ErrorCode::kInvalidArgument, "scrypt salt shorter than 16 bytes");
  SecretBytes key(32);
  try {
    CryptoPP::Scrypt scrypt;
    scrypt.DeriveKey(key.data(), key.size(),
                     reinterpret_cast<const CryptoPP::byte*>(password.data()), password.size(),
                     salt.data(), salt.size(), params.cost, params.blockSize, params.parallelism);
  } catch (const CryptoPP::Exception& e) {
    return Status(ErrorCode::kInternal, std::string("scrypt failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Status(ErrorCode::kInvalidArgument, "scrypt parameters need more memory than there is");
  }
  return key;
}

Sealed aesGcmSeal(const SecretBytes& key, const std::uint8_t* plaintext, std::size_t size,
                  std::string_view aad) {
  Sealed out;
  out.nonce = randomBytes(kGcmNonceSize);
  CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
  enc.SetKeyWithIV(key.data(), key.size(), out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(size + kGcmTagSize);
  enc.EncryptAndAuthenticate(out.ciphertext.data(), out.ciphertext.data() + size, kGcmTagSize,
                             out.nonce.data(), static_cast<int>(out.nonce.size()),
                             reinterpret_cast<const CryptoPP::byte*>(aad.data()), aad.size(),
                             plaintext, size);
  return out;
}

Result<SecretBytes> aesGcmOpen(const SecretBytes& key, const Sealed& sealed, std::string_view aad) {
  if (key.size() != 32) return Status(ErrorCode::kInternal, "AES-256-GCM key must be 32 bytes");
  if (sealed.nonce.size() != kGcmNonceSize)
    return Status(ErrorCode::kCorrupt, "GCM nonce must be 12 bytes");
  if (sealed.ciphertext.size() < kGcmTagSize)
    return Status(ErrorCode::kCorrupt, "GCM ciphertext shorter than its tag");
  const std::size_t size = sealed.ciphertext.size() - kGcmTagSize;
  SecretBytes plain(size);
  CryptoPP::GCM<CryptoPP::AES>::Decryption dec;
  dec.SetKeyWithIV(key.data(), key.size(), sealed.nonce.data(), sealed.nonce.size());
  const bool ok = dec.DecryptAndVerify(plain.data(), sealed.ciphertext.data() + size, kGcmTagSize,
                                       sealed.nonce.data(), static_cast<int>(sealed.nonce.size()),
                                       reinterpret_cast<const CryptoPP::byte*>(aad.data()),
                                       aad.size(), sealed.ciphertext.data(), size);
  if (!ok)
    return Status(ErrorCode::kAuthFailed, "authentication failed (wrong key or altered data)");
  return plain;
}

X25519KeyPair generateX25519() {
  CryptoPP::AutoSeededRandomPool rng;
  CryptoPP::x25519 ecdh;
  X25519KeyPair kp{SecretBytes(32), Bytes(32)};
  ecdh.GenerateKeyPair(rng, kp.privateKey.data(), kp.publicKey.data());
  return kp;
}

Bytes x25519PublicFromPrivate(const SecretBytes& privateKey) {
  CryptoPP::x25519 ecdh;
  Bytes pub(32);
  ecdh.GeneratePublicKey(CryptoPP::NullRNG(), privateKey.data(), pub.data());
  return pub;
}

namespace {
SecretBytes boxKey(const SecretBytes& shared, const Bytes& ephemeralPublic,
                   const Bytes& recipientPublic) {
  Bytes salt(ephemeralPublic);
  salt.insert(salt.end(), recipientPublic.begin(), recipientPublic.end());
  return hkdfSha256(shared, salt, "rxdesk sealed box v1", 32);
}
}  // namespace

Result<SealedToKey> sealToPublicKey(const Bytes& recipientPublic, const SecretBytes& secret,
                                    std::string_view aad) {
  if (recipientPublic.size() != 32)
    return Status(ErrorCode::kInvalidArgument, "X25519 public key must be 32 bytes");
  CryptoPP::x25519 ecdh;
  X25519KeyPair eph = generateX25519();
  SecretBytes shared(32);
  if (!ecdh.Agree(shared.data(), eph.privateKey.data(), recipientPublic.data(), true))
    return Status(ErrorCode::kInvalidArgument, "X25519 public key is invalid or of small order");
  SecretBytes key = boxKey(shared, eph.publicKey, recipientPublic);
  SealedToKey out;
  out.ephemeralPublic = eph.publicKey;
  out.box = aesGcmSeal(key, secret.data(), secret.size(), aad);
  return out;
}

Result<SecretBytes> openSealed(const SecretBytes& recipientPrivate, const SealedToKey& sealed,
                               std::string_view aad) {
  if (recipientPrivate.size() != 32 || sealed.ephemeralPublic.size() != 32)
    return Status(ErrorCode::kCorrupt, "sealed box has a malformed key");
  CryptoPP::x25519 ecdh;
  SecretBytes shared(32);
  if (!ecdh.Agree(shared.data(), recipientPrivate.data(), sealed.ephemeralPublic.data(), true))
    return Status(ErrorCode::kCorrupt, "sealed box ephemeral key is invalid");
  SecretBytes key =
      boxKey(shared, sealed.ephemeralPublic, x25519PublicFromPrivate(recipientPrivate));
  return aesGcmOpen(key, sealed.box, aad);
}

}  // namespace rx::crypto
