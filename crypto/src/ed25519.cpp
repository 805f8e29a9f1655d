#include "crypto/ed25519.h"

#include <cryptopp/osrng.h>
#include <cryptopp/xed25519.h>

namespace rx::crypto {

Ed25519KeyPair generateEd25519() {
  Ed25519KeyPair kp{randomSecret(32), Bytes(32)};
  CryptoPP::ed25519Signer signer(kp.privateKey.data());
  const auto& pub = dynamic_cast<const CryptoPP::ed25519PrivateKey&>(signer.GetPrivateKey());
  std::copy(pub.GetPublicKeyBytePtr(), pub.GetPublicKeyBytePtr() + 32, kp.publicKey.begin());
  return kp;
}

Bytes ed25519Sign(const SecretBytes& privateKey, const std::uint8_t* message, std::size_t size) {
  CryptoPP::ed25519Signer signer(privateKey.data());
  Bytes sig(signer.MaxSignatureLength());
  // Ed25519 signing is deterministic: the generator is never used.
  std::size_t n = signer.SignMessage(CryptoPP::NullRNG(), message, size, sig.data());
  sig.resize(n);
  return sig;
}

}  // namespace rx::crypto
