#include <gtest/gtest.h>

#include "ocr/names.h"
#include "status_matchers.h"

namespace rx::ocr {
namespace {

// What a lexicon of `names` and `confusions` makes of `read` (the parse error, if any, in <>).
std::string mended(std::string_view names, std::string_view confusions, std::string_view read) {
  auto lex = NameLexicon::parse(names, confusions);
  return lex ? lex->mend(read).value : "<" + lex.status().message() + ">";
}

TEST(NameLexicon, CommonNamesChiSimMisreadAreMended) {
  // What Debian's chi_sim model made of names on generated phone photos (OCR benchmark, seed
  // 5151 and 4242): 萱 read 营, 磊 read 舌, 晓 read 了晓 — none of them a character of a name in
  // its place.
  struct Case {
    const char* read;
    const char* expect;
  } cases[] = {{"徐梓营", "徐梓萱"},
               {"高梓营", "高梓萱"},
               {"郑舌", "郑磊"},
               {"冯娟舌", "冯娟磊"},
               {"邓了晓东", "邓晓东"}};
  for (const auto& c : cases) {
    const MendedName m = NameLexicon::standard().mend(c.read);
    EXPECT_TRUE(m.changed) << c.read;
    EXPECT_EQ(m.value, c.expect) << c.read;
  }
}

TEST(NameLexicon, NamesOfNameCharactersAreNeverChanged) {
  // 莹 and 雪 are what 萱 and 霞 are sometimes read as, but they are name characters themselves:
  // a patient called 王莹 or 朱雪 keeps the name.
  for (const char* name :
       {"王莹", "朱雪", "李晨", "欧阳娜", "司马建国", "曹浩然", "黄平", "萧海燕"}) {
    const MendedName m = NameLexicon::standard().mend(name);
    EXPECT_FALSE(m.changed) << name;
    EXPECT_EQ(m.value, name);
  }
}

TEST(NameLexicon, FamilyNameAndGivenNameAreMendedEachFromItsOwnList) {
  // 染 is read for 梁 (a family name) and for 朵 (a given-name character): which one is put back
  // depends on where it stands.
  const char* place = "surname\tcommon\t梁王\ngiven\tcommon\t朵明\n";
  const char* placeConfusions = "染\t朵\t5\n染\t梁\t3\n";
  EXPECT_EQ(mended(place, placeConfusions, "染明"), "梁明");
  EXPECT_EQ(mended(place, placeConfusions, "王染"), "王朵");
  // Between name characters read the same way, the commoner one wins unless the other is read so
  // far more often.
  const char* weighed = "surname\tcommon\t王\ngiven\tcommon\t萱\ngiven\tless-common\t莺蔓\n";
  const char* weighedConfusions = "营\t莺\t23\n营\t萱\t23\n曹\t蔓\t20\n曹\t萱\t2\n";
  EXPECT_EQ(mended(weighed, weighedConfusions, "王营"), "王萱");
  EXPECT_EQ(mended(weighed, weighedConfusions, "王曹"), "王蔓");
  // A character the model reads where there is none is dropped — but never from a two-character
  // name.
  const char* split = "surname\tcommon\t邓\ngiven\tcommon\t晓东\ngiven\tless-common\t豫\n";
  const char* splitConfusions = "了\t-\t6\n了\t豫\t2\n";
  EXPECT_EQ(mended(split, splitConfusions, "邓了晓东"), "邓晓东");
  EXPECT_EQ(mended(split, splitConfusions, "邓了"), "邓豫");
  // A character no name character is read as stays as read.
  EXPECT_EQ(mended(place, placeConfusions, "王书"), "王书");
}

TEST(NameLexicon, BrokenListsNameTheLine) {
  auto role = NameLexicon::parse("# names\nsurname\tcommon\t王\nfamily\tcommon\t李\n", "");
  ASSERT_FALSE(role.isOk());
  EXPECT_NE(role.status().message().find("names.tsv line 3"), std::string::npos)
      << role.status().message();
  EXPECT_NE(role.status().message().find("family"), std::string::npos);
  auto compound = NameLexicon::parse("compound\tcommon\t欧阳 司\n", "");
  ASSERT_FALSE(compound.isOk());
  EXPECT_NE(compound.status().message().find("names.tsv line 1"), std::string::npos);
  auto frequency = NameLexicon::parse("given\toften\t明\n", "");
  ASSERT_FALSE(frequency.isOk());
  EXPECT_NE(frequency.status().message().find("often"), std::string::npos);
  auto count = NameLexicon::parse("", "营\t萱\t10\n营\t萱\tmany\n");
  ASSERT_FALSE(count.isOk());
  EXPECT_NE(count.status().message().find("confusions.tsv line 2"), std::string::npos)
      << count.status().message();
  auto twoChars = NameLexicon::parse("", "营营\t萱\t10\n");
  EXPECT_FALSE(twoChars.isOk());
}

}  // namespace
}  // namespace rx::ocr
