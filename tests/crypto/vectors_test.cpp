// Every signature vector in RXDESK_TESTVECTORS (Project Wycheproof; SM2 vectors made by OpenSSL):
// each "valid" one verifies, each "invalid" one is rejected. rxdesk is strict: "acceptable"
// vectors (legacy encodings that some libraries tolerate, e.g. a PKCS#1 DigestInfo without the
// NULL parameter) are rejected too, and the test asserts that.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "crypto/signature.h"
#include "test_vectors.h"

namespace rx::crypto {
namespace {

using test::hexBytes;
using test::loadVectors;

using nlohmann::json;

struct Tally {
  int valid = 0, invalid = 0, acceptable = 0;
};

// Checks one vector; `key` is null when the group's key was refused at enrolment.
void checkVector(const std::string& file, const json& t, const Result<PublicKey>& key,
                 SignatureScheme scheme, SignatureEncoding enc, Tally& tally,
                 std::string_view userId = kSm2DefaultUserId) {
  const std::string result = t["result"];
  Status s =
      key ? verifySignature(*key, scheme, hexBytes(t["msg"]), hexBytes(t["sig"]), enc, userId)
          : key.status();
  const std::string context = file + " tcId " + std::to_string(t["tcId"].get<int>()) + " (" +
                              t.value("comment", "") + ", flags " +
                              t.value("flags", json::array()).dump() + "): " + s.message();
  if (result == "valid") {
    ++tally.valid;
    EXPECT_TRUE(s.isOk()) << "valid vector rejected: " << context;
  } else {
    ++(result == "acceptable" ? tally.acceptable : tally.invalid);
    EXPECT_FALSE(s.isOk()) << result << " vector accepted: " << context;
  }
}

void runWycheproof(const std::string& file, SignatureScheme scheme, SignatureEncoding enc,
                   int expectAtLeast) {
  json doc = loadVectors("wycheproof/" + file);
  ASSERT_TRUE(doc.is_object()) << file;
  Tally tally;
  for (const auto& group : doc["testGroups"]) {
    Result<PublicKey> key = scheme == SignatureScheme::kEd25519
                                ? PublicKey::fromEd25519(hexBytes(group["publicKey"]["pk"]))
                                : PublicKey::fromSpki(hexBytes(group["publicKeyDer"]));
    for (const auto& t : group["tests"]) checkVector(file, t, key, scheme, enc, tally);
  }
  EXPECT_GE(tally.valid + tally.invalid + tally.acceptable, expectAtLeast) << file;
  std::printf("%s: %d valid accepted, %d invalid and %d acceptable rejected\n", file.c_str(),
              tally.valid, tally.invalid, tally.acceptable);
}

TEST(WycheproofVectors, Ed25519) {
  runWycheproof("ed25519_test.json", SignatureScheme::kEd25519, SignatureEncoding::kRaw, 150);
}
TEST(WycheproofVectors, EcdsaP256Der) {
  runWycheproof("ecdsa_secp256r1_sha256_test.json", SignatureScheme::kEcdsaP256Sha256,
                SignatureEncoding::kDer, 480);
}
TEST(WycheproofVectors, EcdsaP256P1363) {
  runWycheproof("ecdsa_secp256r1_sha256_p1363_test.json", SignatureScheme::kEcdsaP256Sha256,
                SignatureEncoding::kRaw, 260);
}
TEST(WycheproofVectors, RsaPss2048Sha256) {
  runWycheproof("rsa_pss_2048_sha256_mgf1_32_test.json", SignatureScheme::kRsaPssSha256,
                SignatureEncoding::kRaw, 100);
}
TEST(WycheproofVectors, RsaPkcs1v15_2048Sha256) {
  runWycheproof("rsa_signature_2048_sha256_test.json", SignatureScheme::kRsaPkcs1Sha256,
                SignatureEncoding::kRaw, 250);
}

TEST(OpenSslVectors, Sm2WithSm3) {
  json doc = loadVectors("sm2/sm2_sm3_openssl.json");
  ASSERT_TRUE(doc.is_object());
  Tally tally;
  for (const auto& t : doc["tests"]) {
    auto key = PublicKey::fromEcPoint(KeyType::kSm2, hexBytes(t["publicKey"]));
    checkVector("sm2_sm3_openssl.json", t, key, SignatureScheme::kSm2Sm3, SignatureEncoding::kDer,
                tally, t["userId"].get<std::string>());
  }
  EXPECT_GE(tally.valid, 50);
  EXPECT_GE(tally.invalid, 150);
  std::printf("sm2: %d valid accepted, %d invalid rejected\n", tally.valid, tally.invalid);
}

}  // namespace
}  // namespace rx::crypto
