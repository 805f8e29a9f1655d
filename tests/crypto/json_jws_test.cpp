#include <gtest/gtest.h>

#include "crypto/json.h"
#include "crypto/jws.h"
#include "crypto/signing_key.h"
#include "status_matchers.h"

namespace rx::crypto {
namespace {

using nlohmann::json;

TEST(Jcs, NumbersFollowEcmaScript) {
  // RFC 8785 appendix B, and section 3.2.2.3.
  struct Case {
    const char* input;
    const char* canonical;
  } cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"1e21", "1e+21"},
      {"1e20", "100000000000000000000"},
      {"0.000001", "0.000001"},
      {"1e-7", "1e-7"},
      {"333333333.33333329", "333333333.3333333"},
      {"1E30", "1e+30"},
      {"4.50", "4.5"},
      {"2e-3", "0.002"},
      {"0.000000000000000000000000001", "1e-27"},
      {"-5e-324", "-5e-324"},
      {"9007199254740991", "9007199254740991"},
  };
  for (const auto& c : cases) {
    auto v = parseStrictJson(c.input, "number");
    RX_ASSERT_OK(v) << c.input;
    EXPECT_EQ(canonicalJson(*v), c.canonical) << c.input;
  }
}

TEST(Jcs, SortsMembersByUtf16CodeUnitsAndEscapesMinimally) {
  // RFC 8785 section 3.2.3's sorting example.
  auto v = parseStrictJson(
      R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",
    "1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})",
      "sorting example");
  RX_ASSERT_OK(v);
  std::string c = canonicalJson(*v);
  std::vector<std::string> order = {
      "\\r", "1", "\xc2\x80", "\xc3\xb6", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xac\xb3"};
  std::size_t last = 0;
  for (const auto& key : order) {
    auto pos = c.find("\"" + key + "\"");
    ASSERT_NE(pos, std::string::npos) << key;
    EXPECT_GE(pos, last) << key << " out of order in " << c;
    last = pos;
  }
  auto s = parseStrictJson(R"({"b":[1,"\u0007\"/\u4e2d"],"a":{"z":null,"y":true}})", "x");
  RX_ASSERT_OK(s);
  EXPECT_EQ(canonicalJson(*s), "{\"a\":{\"y\":true,\"z\":null},\"b\":[1,\"\\u0007\\\"/中\"]}");
}

TEST(StrictJson, RefusesAmbiguousOrHostileInput) {
  struct Case {
    std::string input;
    const char* mention;
  } cases[] = {
      {R"({"a":1,"a":2})", "duplicate key \"a\""},
      {R"({"a":9007199254740993})", "2^53"},
      {"{\"a\":\"\xff\"}", "not valid JSON"},
      {std::string(40, '[') + std::string(40, ']'), "deeper"},
      {R"({"a":1,})", "not valid JSON"},
      {"{\"a\":1} x", "not valid JSON"},
      // Found by fuzz_jws_json: a number beyond a double's range threw out of the parser.
      {"{\"a\":1e99999}", "not valid JSON"},
      {std::string(400, '4') + "e444", "not valid JSON"},
  };
  for (const auto& c : cases) {
    auto r = parseStrictJson(c.input, "rx.json");
    ASSERT_FALSE(r) << c.input;
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("rx.json"), std::string::npos) << r.status().message();
  }
  auto big = parseStrictJson(std::string(2000, ' '), "big.json", {1000, 8});
  ASSERT_FALSE(big);
  EXPECT_NE(big.status().message().find("1000 bytes"), std::string::npos);
}

class SigningKeys : public ::testing::TestWithParam<KeyType> {};

TEST_P(SigningKeys, SignVerifyAndSerializeRoundTrip) {
  SigningKey key = SigningKey::generate(GetParam());
  Bytes msg = toBytes("{\"resourceType\":\"Bundle\"}");
  auto sig = key.sign(msg);
  RX_ASSERT_OK(sig);
  RX_EXPECT_OK(verifySignature(key.publicKey(), key.defaultScheme(), msg, *sig));
  auto restored = SigningKey::deserialize(key.serialize());
  RX_ASSERT_OK(restored);
  EXPECT_EQ(restored->publicKey().spki(), key.publicKey().spki());
  auto sig2 = restored->sign(msg);
  RX_ASSERT_OK(sig2);
  RX_EXPECT_OK(verifySignature(key.publicKey(), key.defaultScheme(), msg, *sig2));
}

TEST_P(SigningKeys, DetachedJwsVerifiesAndDetectsTampering) {
  SigningKey key = SigningKey::generate(GetParam());
  const std::string payload = R"({"id":"RX-1","patient":"张三"})";
  auto compact = signDetached(key, payload, "2026-11-22T08:30:00Z");
  RX_ASSERT_OK(compact);
  EXPECT_NE(compact->find(".."), std::string::npos);
  auto jws = parseDetached(*compact);
  RX_ASSERT_OK(jws);
  EXPECT_EQ(jws->header.keyId, key.publicKey().keyId());
  EXPECT_EQ(jws->header.signingTime, "2026-11-22T08:30:00Z");
  RX_EXPECT_OK(verifyDetached(*jws, key.publicKey(), payload));
  EXPECT_EQ(verifyDetached(*jws, key.publicKey(), R"({"id":"RX-2","patient":"张三"})").code(),
            ErrorCode::kBadSignature);
  SigningKey other = SigningKey::generate(GetParam());
  EXPECT_EQ(verifyDetached(*jws, other.publicKey(), payload).code(), ErrorCode::kBadSignature);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, SigningKeys,
    ::testing::Values(KeyType::kEd25519, KeyType::kEcP256, KeyType::kSm2, KeyType::kRsa),
    [](const auto& info) {
      std::string n(keyTypeName(info.param));
      n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return !std::isalnum(c); }), n.end());
      return n;
    });

TEST(Jws, HeaderIsStrict) {
  auto enc = [](const std::string& h) { return toBase64Url(toBytes(h)); };
  const std::string kid = SigningKey::generate(KeyType::kEd25519).publicKey().keyId();
  struct Case {
    std::string compact;
    const char* mention;
  } cases[] = {
      {enc(R"({"alg":"none","kid":")" + kid + R"(","sigT":"2026-01-01T00:00:00Z"})") + "..AA",
       "\"none\""},
      {enc(R"({"alg":"EdDSA","kid":")" + kid + R"(","sigT":"2026-01-01T00:00:00Z","b64":false})") +
           "..AA",
       "b64"},
      {enc(R"({"alg":"EdDSA","kid":")" + kid + R"(","sigT":"yesterday"})") + "..AA", "sigT"},
      {enc(R"({"alg":"EdDSA","kid":"short","sigT":"2026-01-01T00:00:00Z"})") + "..AA", "kid"},
      {enc(R"({"alg":"EdDSA","kid":")" + kid + R"(","sigT":"2026-01-01T00:00:00Z"})") +
           ".cGF5bG9hZA.AA",
       "empty"},
      {"abc", "three"},
  };
  for (const auto& c : cases) {
    auto r = parseDetached(c.compact);
    ASSERT_FALSE(r) << c.compact;
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace rx::crypto
