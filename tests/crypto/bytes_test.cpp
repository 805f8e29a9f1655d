#include "crypto/bytes.h"

#include <gtest/gtest.h>

namespace rx::crypto {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 40; ++n) {
    Bytes data = randomBytes(n);
    std::string text = toBase64Url(data);
    EXPECT_EQ(text.find('='), std::string::npos) << n;
    auto back = fromBase64Url(text);
    ASSERT_TRUE(back) << n << ": " << back.status().message();
    EXPECT_EQ(*back, data) << n;
  }
}

TEST(Base64Url, RefusesNonCanonicalInput) {
  struct Case {
    const char* text;
    const char* why;
  } cases[] = {
      {"QQ==", "padding is not allowed in base64url"},
      {"QR", "trailing bits set (canonical is QQ)"},
      {"Q", "impossible length"},
      {"QU+B", "standard alphabet character"},
      {"QU B", "whitespace"},
  };
  for (const auto& c : cases) EXPECT_FALSE(fromBase64Url(c.text)) << c.text << ": " << c.why;
}

TEST(Base64, MatchesRfc4648Examples) {
  EXPECT_EQ(toBase64(toBytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(toBase64(toBytes("fo")), "Zm8=");
  EXPECT_EQ(*fromBase64("Zm9vYg=="), toBytes("foob"));
  EXPECT_FALSE(fromBase64("Zm9vYg="));
}

TEST(Hex, RoundTripAndErrors) {
  EXPECT_EQ(toHex(toBytes("\x01\xab")), "01ab");
  EXPECT_EQ(*fromHex("01AB"), toBytes("\x01\xab"));
  auto bad = fromHex("0g");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("position 1"), std::string::npos);
  EXPECT_FALSE(fromHex("abc"));
}

}  // namespace
}  // namespace rx::crypto
