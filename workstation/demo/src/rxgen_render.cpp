// Drawing the paper: the hospital form with its content, and the pharmacy's stamp and initials.
#include "workstation/rxgen.h"

#include <algorithm>
#include <cmath>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include "rxgen_internal.h"

namespace rx::ws {

namespace {

struct Fonts {
  cv::Ptr<cv::freetype::FreeType2> face[3];
  Fonts() {
    const char* files[3] = {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"};
    const int index[3] = {2, 2, 0};
    for (int i = 0; i < 3; ++i) {
      face[i] = cv::freetype::createFreeType2();
      face[i]->loadFontData(files[i], index[i]);
    }
  }
};
Fonts& fonts() {
  thread_local Fonts f;
  return f;
}

// Draws UTF-8 `text` with its top-left at `at`; returns its width.
int draw(cv::Mat& img, const std::string& text, cv::Point at, int height, int font,
         cv::Scalar color = {20, 20, 20}) {
  auto& ft = fonts().face[font];
  int baseline = 0;
  cv::Size size = ft->getTextSize(text, height, -1, &baseline);
  ft->putText(img, text, {at.x, at.y + height}, height, color, -1, cv::LINE_AA, true);
  return size.width;
}

int drawCentered(cv::Mat& img, const std::string& text, int y, int height, int font) {
  int baseline = 0;
  cv::Size size = fonts().face[font]->getTextSize(text, height, -1, &baseline);
  draw(img, text, {(img.cols - size.width) / 2, y}, height, font);
  return size.width;
}

// Draws `text` in at most `width` pixels, smaller than `height` if it must be; returns its width.
int drawFitted(cv::Mat& img, const std::string& text, cv::Point at, int width, int height,
               int font) {
  int baseline = 0;
  while (height > 16 && fonts().face[font]->getTextSize(text, height, -1, &baseline).width > width)
    height -= 2;
  return draw(img, text, {at.x, at.y + 4}, height, font);
}

// How a layout sets its text: the typeface, the body size and the side margins.
struct FormStyle {
  int font;  // Noto Sans, Noto Serif, WenQuanYi Micro Hei
  int body;
  int margin;
  int right;  // where the text's right margin is
};

const cv::Scalar kInk(30, 30, 30);

// Draws a ruled line across the text column.
void rule(cv::Mat& page, const FormStyle& s, int y) {
  cv::line(page, {s.margin, y}, {s.right, y}, kInk, 2, cv::LINE_AA);
}

// Draws the patient block of layouts 0 and 3 (number top right, date on its own line) from `y`;
// returns where the prescription part starts.
int drawPatientRuled(cv::Mat& page, const GenRx& rx, const std::string& date, const FormStyle& s,
                     int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  draw(page, "费别：自费", {margin, y}, body, font);
  draw(page, "No：" + rx.rxNumber, {right - 430, y}, body, font);
  y += 66;
  rule(page, s, y - 12);
  draw(page, "姓名：" + rx.patientName, {margin, y}, body, font);
  draw(page, "性别：" + rx.sex, {margin + 420, y}, body, font);
  draw(page, "年龄：" + rx.age, {margin + 700, y}, body, font);
  y += 62;
  draw(page, "门诊号：" + rx.outpatientId, {margin, y}, body, font);
  draw(page, "科别：" + rx.department, {margin + 620, y}, body, font);
  y += 62;
  draw(page, "临床诊断：" + rx.diagnosis, {margin, y}, body, font);
  y += 62;
  draw(page, "日期：" + date, {margin, y}, body, font);
  return y + 70;
}

// Draws the patient block of layouts 1 and 4 (number and date on top, the patient in a box).
int drawPatientBoxed(cv::Mat& page, const GenRx& rx, const std::string& date, const FormStyle& s,
                     int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  draw(page, "处方编号：" + rx.rxNumber, {margin, y}, body, font);
  draw(page, "日期：" + date, {right - 420, y}, body, font);
  y += 70;
  cv::rectangle(page, {margin, y - 14}, {right, y + 190}, kInk, 2, cv::LINE_AA);
  draw(page, "患者姓名：" + rx.patientName, {margin + 16, y}, body, font);
  draw(page, "性别：" + rx.sex, {margin + 500, y}, body, font);
  draw(page, "年龄：" + rx.age, {margin + 760, y}, body, font);
  y += 64;
  draw(page, "科室：" + rx.department, {margin + 16, y}, body, font);
  draw(page, "门诊号：" + rx.outpatientId, {margin + 500, y}, body, font);
  y += 64;
  draw(page, "诊断：" + rx.diagnosis, {margin + 16, y}, body, font);
  return y + 90;
}

// Draws the patient block of layouts 2 and 5 (department first, 病历号 and 开具日期).
int drawPatientByDepartment(cv::Mat& page, const GenRx& rx, const std::string& date,
                            const FormStyle& s, int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  draw(page, "科别：" + rx.department, {margin, y}, body, font);
  draw(page, "No." + rx.rxNumber, {right - 440, y}, body, font);
  y += 64;
  draw(page, "姓名：" + rx.patientName, {margin, y}, body, font);
  draw(page, "性别：" + rx.sex, {margin + 400, y}, body, font);
  draw(page, "年龄：" + rx.age, {margin + 650, y}, body, font);
  y += 64;
  draw(page, "病历号：" + rx.outpatientId, {margin, y}, body, font);
  draw(page, "开具日期：" + date, {margin + 520, y}, body, font);
  y += 64;
  draw(page, "临床诊断：" + rx.diagnosis, {margin, y}, body, font);
  return y + 72;
}

// Draws Rp and the numbered drugs with their usage from `y`; returns the y below them.
int drawDrugs(cv::Mat& page, const GenRx& rx, const FormStyle& s, int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  rule(page, s, y - 10);
  draw(page, "Rp", {margin, y + 6}, 56, font);
  y += 90;
  int n = 0;
  for (const GenDrug& d : rx.drugs) {
    std::string first = std::to_string(++n) + ". " + d.name;
    int w = draw(page, first, {margin + 30, y}, body, font);
    draw(page, d.spec, {std::max(margin + 30 + w + 40, margin + 560), y}, body, font);
    draw(page, "×" + std::to_string(d.quantity) + d.unit, {right - 150, y}, body, font);
    y += 58;
    draw(page, "用法：" + d.usage, {margin + 80, y}, body - 4, font);
    y += 72;
  }
  return y;
}

// Draws the drugs in a ruled table (名称 | 规格 | 数量 | 用法用量) from `y`; returns the y below
// it.
int drawDrugTable(cv::Mat& page, const GenRx& rx, const FormStyle& s, int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  draw(page, "Rp", {margin, y}, 50, font);
  y += 76;
  const int w = right - margin;
  const int x[5] = {margin, margin + w * 40 / 100, margin + w * 60 / 100, margin + w * 70 / 100,
                    right};
  const int header = 56, row = 72;
  const char* titles[4] = {"药品名称", "规格", "数量", "用法用量"};
  for (int c = 0; c < 4; ++c)
    drawFitted(page, titles[c], {x[c] + 10, y + 6}, x[c + 1] - x[c] - 20, body - 8, font);
  const int bottom = y + header + row * static_cast<int>(rx.drugs.size());
  for (int r = 0; r <= static_cast<int>(rx.drugs.size()) + 1; ++r) {
    const int ry = r == 0 ? y : y + header + row * (r - 1);
    cv::line(page, {margin, ry}, {right, ry}, kInk, 2, cv::LINE_AA);
  }
  for (int c = 0; c < 5; ++c) cv::line(page, {x[c], y}, {x[c], bottom}, kInk, 2, cv::LINE_AA);
  int ry = y + header;
  for (const GenDrug& d : rx.drugs) {
    const std::string cells[4] = {d.name, d.spec, std::to_string(d.quantity) + d.unit, d.usage};
    for (int c = 0; c < 4; ++c)
      drawFitted(page, cells[c], {x[c] + 10, ry + 12}, x[c + 1] - x[c] - 20,
                 c == 3 ? body - 10 : body - 2, font);
    ry += row;
  }
  return bottom + 40;
}

// Draws a boxed 普通 (or 儿科 for children) at the top right, on the title's line.
void drawCategoryBox(cv::Mat& page, const GenRx& rx, const FormStyle& s) {
  const std::string text = rx.department == "儿科" ? "儿科" : "普通";
  const int left = s.right - 120;
  cv::rectangle(page, {left, 62}, {s.right, 134}, kInk, 2, cv::LINE_AA);
  draw(page, text, {left + 18, 76}, 40, s.font);
}

// Multiplies the coloured `stamp` layer (white where there is nothing) into `page`, pressed
// unevenly as a hand stamp is.
void pressInk(cv::Mat& page, const cv::Mat& stamp, cv::RNG rng) {
  cv::Mat mask(page.size(), CV_32F);
  rng.fill(mask, cv::RNG::UNIFORM, 0.55, 1.0);
  cv::Mat pageF, stampF;
  page.convertTo(pageF, CV_32FC3, 1.0 / 255);
  stamp.convertTo(stampF, CV_32FC3, 1.0 / 255);
  std::vector<cv::Mat> pc, sc;
  cv::split(pageF, pc);
  cv::split(stampF, sc);
  for (int k = 0; k < 3; ++k) pc[k] = pc[k].mul(1 - (1 - sc[k]).mul(mask));  // ink multiplies
  cv::merge(pc, pageF);
  pageF.convertTo(page, CV_8UC3, 255);
}

// Draws `text` on `layer` centred at `at`, turned by `degrees` (counter-clockwise).
void drawTurned(cv::Mat& layer, const std::string& text, cv::Point at, int height, double degrees,
                cv::Scalar colour) {
  int baseline = 0;
  const cv::Size t = fonts().face[0]->getTextSize(text, height, -1, &baseline);
  const int size = std::max(height * 2, t.width + height);
  cv::Mat glyph(size, size, CV_8UC3, cv::Scalar::all(255));
  draw(glyph, text, {(size - t.width) / 2, (size - height) / 2 - height / 8}, height, 0, colour);
  cv::warpAffine(glyph, glyph,
                 cv::getRotationMatrix2D(cv::Point2f(size / 2.0f, size / 2.0f), degrees, 1.0),
                 glyph.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
  const cv::Rect want(at.x - size / 2, at.y - size / 2, size, size);
  const cv::Rect inside = want & cv::Rect(0, 0, layer.cols, layer.rows);
  if (inside.empty()) return;
  cv::Mat target = layer(inside);
  cv::min(target, glyph(inside - want.tl()), target);
}

// Presses the hospital's round red seal (its name on the arc, a star, 处方专用章) centred at `c`.
void pressSeal(cv::Mat& page, const std::string& hospital, cv::Point c, cv::RNG rng) {
  const int r = 118;
  const cv::Scalar red(60, 50, 205);
  cv::Mat seal(page.size(), CV_8UC3, cv::Scalar::all(255));
  cv::circle(seal, c, r, red, 6, cv::LINE_AA);
  std::vector<cv::Point> star;
  for (int k = 0; k < 10; ++k) {
    const double a = -CV_PI / 2 + k * CV_PI / 5, radius = k % 2 ? 13 : 32;
    star.emplace_back(c.x + static_cast<int>(radius * std::cos(a)),
                      c.y - 8 + static_cast<int>(radius * std::sin(a)));
  }
  cv::fillPoly(seal, std::vector<std::vector<cv::Point>>{star}, red, cv::LINE_AA);
  std::vector<std::string> name;  // its characters (UTF-8 sequences)
  for (unsigned char ch : hospital)
    if ((ch & 0xC0) != 0x80 || name.empty())
      name.emplace_back(1, static_cast<char>(ch));
    else
      name.back() += static_cast<char>(ch);
  const int n = static_cast<int>(name.size());
  for (int i = 0; i < n; ++i) {
    // Along the upper arc, from lower left over the top to lower right.
    const double deg = -210 + 240.0 * (i + 0.5) / n, a = deg * CV_PI / 180;
    const cv::Point at(c.x + static_cast<int>(0.76 * r * std::cos(a)),
                       c.y + static_cast<int>(0.76 * r * std::sin(a)));
    drawTurned(seal, name[static_cast<std::size_t>(i)], at, 30, -deg - 90, red);
  }
  drawTurned(seal, "处方专用章", {c.x, c.y + 58}, 24, 0, red);
  pressInk(page, seal, rng);
}

// Draws the doctor, the amount and the pharmacists' lines at the foot of the page; returns the
// doctor's line.
int drawFooter(cv::Mat& page, const GenRx& rx, const FormStyle& s, int y) {
  const int margin = s.margin, right = s.right, body = s.body, font = s.font;
  y = std::max(y + 30, 1420);
  rule(page, s, y - 14);
  draw(page, "医师：" + rx.doctor, {margin, y}, body, font);
  draw(page, "金额：" + rx.amount + "元", {right - 360, y}, body, font);
  y += 70;
  draw(page, "审核药师：", {margin, y}, body, font);
  draw(page, "调配药师：", {margin + 380, y}, body, font);
  draw(page, "核对/发药：", {margin + 760, y}, body - 4, font);
  return y - 70;
}

}  // namespace

cv::Mat RxGenerator::render(const GenRx& rx) const {
  cv::Mat page(1754, 1240, CV_8UC3, cv::Scalar(250, 250, 248));
  const int L = rx.layout;
  const int margin = 90 + (L % 3) * 10;
  const FormStyle style{L % 3, 38 + (L % 2) * 4, margin, page.cols - margin};
  const rxgen_internal::FormLook look =
      otherForms_ ? rxgen_internal::formLook(rx.hospital, L) : rxgen_internal::FormLook{};
  int y = 70;
  const int titleWidth = drawCentered(page, rx.hospital, y, 54 + (L % 2) * 6, style.font);
  y += 84;
  drawCentered(page, L % 2 ? "门诊处方笺" : "处 方 笺", y, 46, style.font);
  y += 80;
  const std::string date = rxgen_internal::printedDate(rx.date, rx.hospital, L, variedFormats_);
  switch (L) {
    case 0:
    case 3:
      y = drawPatientRuled(page, rx, date, style, y);
      break;
    case 1:
    case 4:
      y = drawPatientBoxed(page, rx, date, style, y);
      break;
    default:
      y = drawPatientByDepartment(page, rx, date, style, y);
      break;
  }
  if (look.categoryBox) drawCategoryBox(page, rx, style);
  y = look.drugTable ? drawDrugTable(page, rx, style, y) : drawDrugs(page, rx, style, y);
  const int doctorY = drawFooter(page, rx, style, y);
  if (otherForms_) {
    // The same paper prints the same way on every photo of it.
    const std::uint64_t paper =
        rxgen_internal::hospitalStyle(rx.hospital + rx.rxNumber + rx.date + rx.patientName);
    cv::RNG rng(paper);
    rxgen_internal::printOnPaper(page, look, rng);
    if (look.seal == rxgen_internal::FormLook::Seal::kOverHospital)
      pressSeal(page, rx.hospital, {(page.cols + titleWidth) / 2 - 40, 110}, cv::RNG(paper + 1));
    if (look.seal == rxgen_internal::FormLook::Seal::kOverDoctor)
      pressSeal(page, rx.hospital, {style.margin + 230, doctorY + 20}, cv::RNG(paper + 1));
  }
  return page;
}

std::string RxGenerator::printedAs(const GenRx& rx) const {
  return otherForms_ ? rxgen_internal::lookName(rxgen_internal::formLook(rx.hospital, rx.layout))
                     : "laser+white";
}

void RxGenerator::addPharmacyMarks(cv::Mat& page) {
  std::uniform_real_distribution<double> u(0, 1);
  auto range = [&](double a, double b) { return a + (b - a) * u(rng_); };
  // The stamp: a red ring with 已调配 and the date line, pressed unevenly.
  const cv::Point c(static_cast<int>(range(0.25, 0.75) * page.cols),
                    static_cast<int>(range(0.4, 0.9) * page.rows));
  const int r = static_cast<int>(range(90, 130));
  const cv::Scalar red(range(40, 80), range(30, 60), range(170, 220));
  cv::Mat stamp(page.size(), CV_8UC3, cv::Scalar(255, 255, 255));
  cv::circle(stamp, c, r, red, 6, cv::LINE_AA);
  draw(stamp, "已调配", {c.x - 3 * r / 4, c.y - r / 4}, r / 2, 0, red);
  pressInk(page, stamp, cv::RNG(rng_()));  // uneven ink (see Draws::pixels)
  // Initials: a few quick pen strokes near the pharmacist's line.
  cv::Point at(static_cast<int>(range(0.3, 0.8) * page.cols),
               static_cast<int>(range(0.82, 0.95) * page.rows));
  std::vector<cv::Point> stroke;
  for (int k = 0; k < 14; ++k) {
    at += cv::Point(static_cast<int>(range(4, 14)), static_cast<int>(range(-22, 22)));
    stroke.push_back(at);
  }
  cv::polylines(page, stroke, false, cv::Scalar(range(90, 140), range(30, 60), range(20, 40)), 3,
                cv::LINE_AA);
}

}  // namespace rx::ws
