#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include "base/utf8.h"
#include "ocr/fields.h"
#include "ocr/names.h"
#include "ocr/reader.h"
#include "ocr/recognizer.h"
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

// A character the model reads before a name where there is none (the label's separator read as
// 有: rx-photos-v1 gave a prescriber 有周文丽) is dropped when a family name
// follows it; a name with no family name after it keeps its first character, mended as before.
TEST(NameLexicon, ACharacterReadBeforeTheFamilyNameIsDropped) {
  const NameLexicon& names = NameLexicon::standard();
  EXPECT_EQ(names.mend("有周文丽").value, "周文丽");
  EXPECT_EQ(names.mend("有欧阳娜").value, "欧阳娜");
  EXPECT_TRUE(names.mend("有周文丽").changed);
  // 和 is a family name itself: 和梁欣怡 may be a name of four characters.
  EXPECT_EQ(names.mend("和梁欣怡").value, "和梁欣怡");
  // No family name after it: not dropped.
  EXPECT_EQ(toU32(names.mend("有晓东").value).size(), 3u);
  EXPECT_NE(names.mend("有晓东").value, "晓东");
  // A family name read first stays, whatever follows.
  EXPECT_EQ(names.mend("周梁丽").value, "周梁丽");
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

// `text` drawn in black into `page` at `at` (the text's top left), `height` px high, in face
// `index` of the font collection `file`.
void draw(cv::Mat& page, const std::string& text, cv::Point at, int height, const char* file,
          int index) {
  auto face = cv::freetype::createFreeType2();
  face->loadFontData(file, index);
  face->putText(page, text, {at.x, at.y + height}, height, cv::Scalar::all(0), -1, cv::LINE_AA,
                true);
}

TEST(NameLexicon, JapaneseFormsOfTheFontCollectionsFirstFaceAreMended) {
  // A program that does not ask for the Simplified Chinese face of Debian's Noto CJK collections
  // prints with their first, Japanese one, whose 曾 chi_sim reads as 便 even on a clean page.
  auto recognizer = makeTesseractRecognizer("chi_sim");
  for (const int height : {26, 42}) {
    cv::Mat line(height * 2, height * 8, CV_8UC3, cv::Scalar::all(255));
    draw(line, "姓名：曾国", {height / 2, height / 4}, height,
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0);
    cv::Mat gray;
    cv::cvtColor(line, gray, cv::COLOR_BGR2GRAY);
    auto lines = recognizer->recognize(gray, Layout::kSingleLine);
    RX_ASSERT_OK(lines);
    const ExtractedFields f = extractFields(*lines, nullptr);
    ASSERT_TRUE(f.fields.count("patient_name")) << height << " px";
    const FieldValue& name = f.fields.at("patient_name");
    EXPECT_EQ(name.value, "曾国") << height << " px, read as " << name.readAs.value_or("itself");
    EXPECT_LT(name.confidence, 0.8f) << height << " px";  // put back, so confirmed by hand
  }
}

TEST(Recognizer, AReadingPastItsDeadlineIsNothingAndOneWithinItIsAsWithout) {
  // The reader gives the next likeliest outline of a photo a deadline (a desk's grain can keep
  // Tesseract busy for seconds): past it, what is read is nothing; within it, or once it is
  // lifted, the line reads as it does without one.
  cv::Mat colour(80, 480, CV_8UC3, cv::Scalar::all(255));
  draw(colour, "姓名：王建华", {20, 20}, 40,
       "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2);
  cv::Mat gray;
  cv::cvtColor(colour, gray, cv::COLOR_BGR2GRAY);
  auto recognizer = makeTesseractRecognizer("chi_sim");
  auto name = [&]() -> std::string {
    auto lines = recognizer->recognize(gray, Layout::kSingleLine);
    if (!lines) return "<" + lines.status().message() + ">";
    const ExtractedFields f = extractFields(*lines, nullptr);
    return f.fields.count("patient_name") ? f.fields.at("patient_name").value : "<none>";
  };
  EXPECT_EQ(name(), "王建华");
  recognizer->setDeadline(std::chrono::steady_clock::now() - std::chrono::milliseconds(1));
  EXPECT_EQ(name(), "<none>");
  recognizer->setDeadline(std::chrono::steady_clock::now() + std::chrono::minutes(1));
  EXPECT_EQ(name(), "王建华");
  recognizer->setDeadline(std::nullopt);
  EXPECT_EQ(name(), "王建华");
}

TEST(Recognizer, LeptonicasMessagesAreNotPrinted) {
  // Tesseract hands Leptonica a line image too thin to scale now and then (the straightened page
  // of busy desks' photo 119, seed 31415: thin grey bars of a desk), and Leptonica printed "Error
  // in pixScaleAreaMap: pixd too small" and three more lines on the terminal of whoever ran
  // rxdesk-cli. That page's own bars are not made again here (no simpler image found makes
  // Tesseract do it): once a recognizer has read something, an error Leptonica reports in this
  // process, as it would from inside Tesseract, prints nothing.
  // Leptonica would print an error of this kind (were it set to print none, nothing below
  // would be shown).
  const l_int32 severity = setMsgSeverity(L_SEVERITY_INFO);
  setMsgSeverity(severity);
  ASSERT_LE(severity, L_SEVERITY_ERROR);
  auto recognizer = makeTesseractRecognizer("chi_sim");
  cv::Mat gray(60, 200, CV_8UC1, cv::Scalar::all(255));
  RX_ASSERT_OK(recognizer->recognize(gray, Layout::kSingleLine));
  testing::internal::CaptureStderr();
  PIX* none = pixScale(nullptr, 0.5f, 0.5f);  // "Error in pixScale: pixs not defined"
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_EQ(none, nullptr);
  EXPECT_EQ(printed, "");
}

TEST(NameLine, ANamesLineIsCutWithoutTheLinesAboveAndBelowAndTheRuleBesideIt) {
  // A form's rule beside the labels and lines set 3 px apart: the name's line cut out as it was
  // (its box and a sixth of its height more) took in the rule and the neighbouring lines' strokes,
  // and Tesseract found the name in one of the three re-readings.
  const char* noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  cv::Mat colour(700, 1240, CV_8UC3, cv::Scalar::all(255));
  draw(colour, "北京市第一人民医院", {380, 60}, 48, noto, 2);
  const int rule = 90, top = 220, height = 34;
  cv::line(colour, {rule, top - 20}, {rule, 650}, cv::Scalar::all(0), 2);
  const char* rows[] = {"处方编号：2026110512345        日期：2026-11-05",
                        "姓名：王建华        性别：男        年龄：45岁",
                        "门诊号：MZ20261105        科别：内科", "临床诊断：上呼吸道感染"};
  for (int i = 0; i < 4; ++i)
    draw(colour, rows[i], {rule + 12, top + i * (height + 3)}, height, noto, 2);
  cv::Mat page;
  cv::cvtColor(colour, page, cv::COLOR_BGR2GRAY);
  auto recognizer = makeTesseractRecognizer("chi_sim");
  auto lines = recognizer->recognize(page, Layout::kPage);
  RX_ASSERT_OK(lines);
  const ExtractedFields onPage = extractFields(*lines, nullptr);
  ASSERT_TRUE(onPage.fields.count("patient_name"));
  const cv::Rect box = onPage.fields.at("patient_name").box;
  const cv::Mat line = nameLine(page, box);
  ASSERT_FALSE(line.empty());
  // Read again as PrescriptionReader does: the text scaled to 24, 40 and 48 px, on a white margin.
  for (const int textHeight : {24, 40, 48}) {
    cv::Mat region;
    const double scale = static_cast<double>(textHeight) / box.height;
    cv::resize(line, region, cv::Size(), scale, scale, cv::INTER_AREA);
    cv::copyMakeBorder(region, region, textHeight / 3, textHeight / 3, textHeight / 3,
                       textHeight / 3, cv::BORDER_CONSTANT, cv::Scalar(255));
    auto again = recognizer->recognize(region, Layout::kSingleLine);
    RX_ASSERT_OK(again);
    const ExtractedFields read = extractFields(*again, nullptr, LabelMatch::kExact);
    ASSERT_TRUE(read.fields.count("patient_name")) << textHeight << " px";
    EXPECT_EQ(read.fields.at("patient_name").value, "王建华") << textHeight << " px";
  }
}

}  // namespace
}  // namespace rx::ocr
