#include "dedup/traceability.h"

#include <gtest/gtest.h>

#include "status_matchers.h"

namespace rx::dedup {
namespace {

TEST(TraceCode, Nmpa20DigitsWithScannerEnter) {
  auto c = parseTraceCode("81234560000012345678\r\n");
  RX_ASSERT_OK(c);
  EXPECT_EQ(c->kind, TraceCodeKind::kNmpa20);
  EXPECT_EQ(c->canonical, "81234560000012345678");
  EXPECT_EQ(c->productCode, "8123456");
}

TEST(TraceCode, Gs1RawAndHumanReadableGiveSameCanonicalKey) {
  // GTIN 06901234567892 (check digit 2), batch B2301, expiry 2027-06-30, serial SN0001.
  auto raw = parseTraceCode(
      "]d2010690123456789217270630"
      "10B2301\x1d"
      "21SN0001");
  auto printed = parseTraceCode("(01)06901234567892(17)270630(10)B2301(21)SN0001");
  RX_ASSERT_OK(raw);
  RX_ASSERT_OK(printed);
  EXPECT_EQ(raw->canonical, printed->canonical);
  EXPECT_EQ(raw->canonical, "010690123456789221SN0001");
  EXPECT_EQ(raw->batch, "B2301");
  EXPECT_EQ(raw->expiry, "2027-06-30");
  EXPECT_EQ(raw->serial, "SN0001");
}

TEST(TraceCode, Gs1DayZeroMeansEndOfMonth) {
  auto c = parseTraceCode("(01)06901234567892(17)280200(21)X1");
  RX_ASSERT_OK(c);
  EXPECT_EQ(c->expiry, "2028-02-29");
}

TEST(TraceCode, ErrorsNameTheProblem) {
  struct Case {
    const char* input;
    const char* mention;
  } cases[] = {
      {"", "empty"},
      {"8123456000001234567", "19"},
      {"71234560000012345678", "starts with 8"},
      {"(01)06901234567893(21)X", "check digit"},
      {"(01)06901234567892(17)271301(21)X", "month"},
      {"(01)06901234567892(10)B1", "no AI 21"},
      {"(01)06901234567892(99)ZZ(21)X", "AI 99"},
      {"8123A560000012345678", "position 5"},
  };
  for (const auto& c : cases) {
    auto r = parseTraceCode(c.input);
    ASSERT_FALSE(r) << c.input;
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos)
        << c.input << " -> " << r.status().message();
  }
}

TEST(Gtin, CheckDigit) {
  EXPECT_TRUE(gtinCheckDigitValid("06901234567892"));
  EXPECT_FALSE(gtinCheckDigitValid("06901234567891"));
  EXPECT_FALSE(gtinCheckDigitValid("0690123456789"));
}

}  // namespace
}  // namespace rx::dedup
