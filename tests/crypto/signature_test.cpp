// Key enrolment rules, and a cross-check against an independent implementation: the system
// `openssl` generates keys and signs fresh messages; rxdesk must verify them and reject altered
// ones.
#include "crypto/signature.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "crypto/ed25519.h"
#include "status_matchers.h"
#include "temp_dir.h"

namespace rx::crypto {
namespace {

Bytes readFile(const std::string& path) {
  std::string s = test::readBytes(path);
  return Bytes(s.begin(), s.end());
}

void sh(const std::string& cmd) {
  ASSERT_EQ(std::system((cmd + " 2>/dev/null").c_str()), 0) << cmd;
}

struct OpenSslCase {
  const char* name;
  const char* genkey;  // openssl arguments generating key.pem
  const char* sign;    // openssl arguments signing msg into sig
  SignatureScheme scheme;
  SignatureEncoding encoding;
  KeyType type;
};

class OpenSslCrossCheck : public ::testing::TestWithParam<OpenSslCase> {};

TEST_P(OpenSslCrossCheck, VerifiesFreshSignaturesAndRejectsAlteredOnes) {
  const OpenSslCase& c = GetParam();
  test::TempDir dir;
  const std::string d = dir.path();
  sh("openssl " + std::string(c.genkey) + " -out " + d + "/key.pem");
  sh("openssl pkey -in " + d + "/key.pem -pubout -outform DER -out " + d + "/pub.der");
  auto key = PublicKey::fromSpki(readFile(d + "/pub.der"));
  RX_ASSERT_OK(key);
  EXPECT_EQ(key->type(), c.type);
  EXPECT_EQ(key->spki(), readFile(d + "/pub.der")) << "SPKI must round-trip byte for byte";
  for (int round = 0; round < 3; ++round) {
    Bytes msg = randomBytes(1 + round * 700);
    {
      std::ofstream(d + "/msg", std::ios::binary)
          .write(reinterpret_cast<const char*>(msg.data()), msg.size());
    }
    std::string sign = c.sign;
    sh("openssl " + sign + " -inkey " + d + "/key.pem -in " + d + "/msg -out " + d + "/sig");
    Bytes sig = readFile(d + "/sig");
    RX_EXPECT_OK(verifySignature(*key, c.scheme, msg, sig, c.encoding))
        << c.name << " round " << round;
    Bytes alteredMsg = msg;
    alteredMsg[alteredMsg.size() / 2] ^= 0x01;
    EXPECT_EQ(verifySignature(*key, c.scheme, alteredMsg, sig, c.encoding).code(),
              ErrorCode::kBadSignature);
    Bytes alteredSig = sig;
    alteredSig[alteredSig.size() - 3] ^= 0x40;
    EXPECT_FALSE(verifySignature(*key, c.scheme, msg, alteredSig, c.encoding).isOk());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, OpenSslCrossCheck,
    ::testing::Values(
        OpenSslCase{"Ed25519", "genpkey -algorithm ED25519", "pkeyutl -sign -rawin",
                    SignatureScheme::kEd25519, SignatureEncoding::kRaw, KeyType::kEd25519},
        OpenSslCase{"P256",
                    "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt "
                    "ec_param_enc:named_curve",
                    "pkeyutl -sign -rawin -digest sha256", SignatureScheme::kEcdsaP256Sha256,
                    SignatureEncoding::kDer, KeyType::kEcP256},
        OpenSslCase{"RSA_PKCS1", "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048",
                    "pkeyutl -sign -rawin -digest sha256", SignatureScheme::kRsaPkcs1Sha256,
                    SignatureEncoding::kRaw, KeyType::kRsa},
        OpenSslCase{"RSA_PSS", "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072",
                    "pkeyutl -sign -rawin -digest sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt "
                    "rsa_pss_saltlen:32",
                    SignatureScheme::kRsaPssSha256, SignatureEncoding::kRaw, KeyType::kRsa},
        // An SM2 key (not an EC key on the SM2 curve, which OpenSSL would use for ECDSA); the
        // signer ID is spelled out because OpenSSL 3's default differs between tools.
        OpenSslCase{"SM2", "genpkey -algorithm SM2",
                    "pkeyutl -sign -rawin -digest sm3 -pkeyopt distid:1234567812345678",
                    SignatureScheme::kSm2Sm3, SignatureEncoding::kDer, KeyType::kSm2}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(KeyEnrolment, RefusesSmallOrderAndNonCanonicalEd25519Keys) {
  auto identity = PublicKey::fromEd25519(
      *fromHex("0100000000000000000000000000000000000000000000000000000000000000"));
  ASSERT_FALSE(identity);
  EXPECT_NE(identity.status().message().find("small order"), std::string::npos);
  // y = p (non-canonical encoding of 0).
  auto nonCanonical = PublicKey::fromEd25519(
      *fromHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  EXPECT_FALSE(nonCanonical);
  EXPECT_FALSE(PublicKey::fromEd25519(Bytes(31, 1)));
  auto good = generateEd25519();
  RX_EXPECT_OK(PublicKey::fromEd25519(good.publicKey));
}

TEST(KeyEnrolment, RefusesWeakRsaKeysAndPointsOffTheCurve) {
  test::TempDir dir;
  sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out " + dir.file("k.pem"));
  sh("openssl pkey -in " + dir.file("k.pem") + " -pubout -outform DER -out " + dir.file("k.der"));
  auto weak = PublicKey::fromSpki(readFile(dir.file("k.der")));
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.status().message().find("2048"), std::string::npos) << weak.status().message();

  Bytes offCurve(65, 0x11);
  offCurve[0] = 0x04;
  EXPECT_FALSE(PublicKey::fromEcPoint(KeyType::kEcP256, offCurve));
  EXPECT_FALSE(PublicKey::fromEcPoint(KeyType::kSm2, offCurve));
}

TEST(KeyEnrolment, KeyIdIsBase64UrlSha256OfSpki) {
  auto kp = generateEd25519();
  auto key = PublicKey::fromEd25519(kp.publicKey);
  RX_ASSERT_OK(key);
  EXPECT_EQ(key->keyId().size(), 43u);
  EXPECT_EQ(key->spki().size(), 44u);
  RX_ASSERT_OK(PublicKey::fromSpki(key->spki()));
  EXPECT_EQ(PublicKey::fromSpki(key->spki())->keyId(), key->keyId());
}

TEST(Verify, SchemeMustFitTheKeyAndSignaturesHaveExactLengths) {
  auto kp = generateEd25519();
  auto key = PublicKey::fromEd25519(kp.publicKey);
  RX_ASSERT_OK(key);
  Bytes msg = toBytes("处方 RX-2026-000123");
  Bytes sig = ed25519Sign(kp.privateKey, msg);
  RX_EXPECT_OK(verifySignature(*key, SignatureScheme::kEd25519, msg, sig));
  EXPECT_EQ(verifySignature(*key, SignatureScheme::kEcdsaP256Sha256, msg, sig).code(),
            ErrorCode::kInvalidArgument);
  Bytes longer = sig;
  longer.push_back(0);
  EXPECT_EQ(verifySignature(*key, SignatureScheme::kEd25519, msg, longer).code(),
            ErrorCode::kBadSignature);
}

TEST(DerSignature, OnlyCanonicalEncodingsConvert) {
  // r = 1, s = 0x80 (needs a leading zero).
  RX_EXPECT_OK(derSignatureToRaw(*fromHex("3007020101020200"
                                          "80"),
                                 32));
  EXPECT_FALSE(derSignatureToRaw(*fromHex("30080201010203000080"), 32));  // superfluous zero
  EXPECT_FALSE(derSignatureToRaw(*fromHex("3006020101020180"), 32));      // negative s
  EXPECT_FALSE(derSignatureToRaw(*fromHex("308107020101020200"
                                          "80"),
                                 32));  // long-form short length
  EXPECT_FALSE(derSignatureToRaw(*fromHex("3007020101020200"
                                          "8000"),
                                 32));  // trailing byte
}

}  // namespace
}  // namespace rx::crypto
