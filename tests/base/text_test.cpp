// Text checks at the boundary (base/utf8.h, base/text.h, crypto::withValidUtf8): what people type
// and file names from other systems must never make a record, a signature or JSON output fail.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "crypto/json.h"

namespace rx {
namespace {

TEST(Utf8, WellFormedTextIsAcceptedAndEveryMalformedKindRefused) {
  EXPECT_TRUE(isValidUtf8("阿莫西林胶囊 0.25g×24粒 ok"));
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x92\x8A"));  // U+1F48A, four bytes
  EXPECT_FALSE(isValidUtf8("\xFF"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));      // overlong, three bytes
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xE9\x98"));          // 阿 cut short
  EXPECT_EQ(toU32("\xE9\x98"), std::u32string(2, U'\xFFFD'));
  EXPECT_EQ(toU32("阿\xC0\xAF"), std::u32string(U"阿\xFFFD\xFFFD"));
}

TEST(Utf8, FileNamesInAnotherEncodingAreEscapedNotLost) {
  // "处方.jpg" as a Windows (GBK) system names it.
  EXPECT_EQ(utf8OrEscaped("\xB4\xA6\xB7\xBD.jpg"), "\\xB4\\xA6\\xB7\\xBD.jpg");
  EXPECT_EQ(utf8OrEscaped("处方.jpg"), "处方.jpg");
  nlohmann::json record = {{"source", "p\xFE.jpg"}, {"k\xFF", {"ok", "\xC3"}}};
  EXPECT_THROW((void)record.dump(), nlohmann::json::type_error);
  const std::string text = crypto::withValidUtf8(record).dump();
  EXPECT_NE(text.find("p\\\\xFE.jpg"), std::string::npos) << text;
  EXPECT_NE(text.find("k\\\\xFF"), std::string::npos) << text;
}

TEST(TextLimits, OversizedMalformedOrControlTextIsRefusedNamingTheField) {
  EXPECT_TRUE(checkText("the note", "请饭后服用。\n每日三次", kMaxNoteText, true).isOk());
  Status tooLong = checkText("the note", std::string(kMaxNoteText + 1, 'a'), kMaxNoteText, true);
  EXPECT_EQ(tooLong.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(tooLong.message().find("the note is 4001 bytes long; at most 4000"), std::string::npos)
      << tooLong.message();
  Status notUtf8 = checkText("the reason code", "bad\xFF", kMaxShortText);
  EXPECT_NE(notUtf8.message().find("the reason code is not UTF-8"), std::string::npos)
      << notUtf8.message();
  EXPECT_NE(notUtf8.message().find("bad\\xFF"), std::string::npos) << notUtf8.message();
  Status twoLines = checkText("field 'patient_name'", "张三\n李四", kMaxShortText);
  EXPECT_NE(twoLines.message().find("single line"), std::string::npos) << twoLines.message();
  EXPECT_FALSE(checkText("x", std::string("a\0b", 3), kMaxShortText).isOk());
}

}  // namespace
}  // namespace rx
