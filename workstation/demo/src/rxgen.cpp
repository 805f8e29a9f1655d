#include "workstation/rxgen.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <opencv2/freetype.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace rx::ws {

namespace {

const std::vector<std::string> kHospitals = {
    "北京市朝阳区第三人民医院", "上海市徐汇区中心医院",     "广州市越秀区人民医院",
    "深圳市南山区妇幼保健院",   "杭州市西湖区中医院",       "成都市武侯区社区卫生服务中心",
    "武汉市江汉区第一医院",     "南京市鼓楼区红十字医院",   "西安市雁塔区人民医院",
    "天津市和平区口腔医院",     "重庆市渝中区第二人民医院", "苏州市姑苏区中西医结合医院"};
const std::vector<std::string> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",
                                            "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林",
                                            "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩",
                                            "冯", "邓", "曹", "彭", "曾", "萧", "田", "董", "潘"};
const std::vector<std::string> kGiven = {
    "伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",   "军",   "洋",   "勇",
    "艳",   "杰",   "娟",   "涛",   "明",   "超",   "秀英", "霞",   "平",   "刚",   "桂英",
    "建华", "文",   "玉兰", "志强", "海燕", "晓东", "春梅", "国庆", "子涵", "雨轩", "浩然",
    "欣怡", "梓萱", "宇航", "思远", "嘉怡", "俊杰", "婷婷", "建国", "红梅", "德明", "淑珍"};
const std::vector<std::string> kDepartments = {"内科",     "外科",     "儿科",     "妇科",
                                               "皮肤科",   "呼吸内科", "消化内科", "心血管内科",
                                               "内分泌科", "神经内科", "耳鼻喉科", "全科门诊"};
const std::vector<std::string> kDiagnoses = {
    "上呼吸道感染",   "急性支气管炎", "高血压病", "2型糖尿病", "慢性胃炎",
    "过敏性鼻炎",     "高脂血症",     "急性咽炎", "尿路感染",  "冠心病",
    "甲状腺功能亢进", "痛风",         "失眠",     "湿疹",      "急性肠胃炎"};
const std::vector<std::string> kUnits = {"盒", "瓶", "袋", "支"};
const std::vector<std::string> kSpecs = {"0.25g×24粒", "0.5g×48片", "10mg×28片", "100mg×6粒",
                                         "5mg×30片",   "0.1g×12片", "20mg×14粒", "50mg×20片",
                                         "0.3g×20粒",  "2mg×60片"};
const std::vector<std::string> kUsages = {"口服 一次1片 一日3次",   "口服 一次2粒 一日2次",
                                          "口服 一次1粒 一日1次",   "口服 一次1片 一日2次 饭后",
                                          "口服 一次0.5片 一日1次", "口服 一次2片 一日3次 饭前"};

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

std::string chineseDate(const std::string& iso) {
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

// A hospital keeps one numbering scheme and one way of writing the date on all its forms; which
// one is a fixed function of its name (FNV-1a), so the same form, a monthly repeat and the second
// prescription of a visit share them.
std::uint32_t hospitalStyle(const std::string& hospital) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : hospital) h = (h ^ c) * 16777619u;
  return h;
}

// Prescription numbers as hospitals print them: 2026 and 8 digits, 10 or 12 digits,
// CF-20261105-7510 (the date and a counter), RX261108-43512.
enum class NumberScheme { kYearAndEight, kTen, kTwelve, kDatedHyphen, kLetteredShortDate };

NumberScheme numberScheme(const std::string& hospital, int layout) {
  switch ((hospitalStyle(hospital) >> 4) % 6) {
    case 3:
      return NumberScheme::kDatedHyphen;
    case 4:
      return NumberScheme::kLetteredShortDate;
    case 5:
      return NumberScheme::kTwelve;
    default:
      return layout % 2 ? NumberScheme::kTen : NumberScheme::kYearAndEight;
  }
}

// The date as the form prints it: 2026年11月9日 or 2026-11-09 by layout; with `varied`, some
// hospitals print 2026/11/09.
std::string printedDate(const std::string& iso, const std::string& hospital, int layout,
                        bool varied) {
  if (varied && (hospitalStyle(hospital) >> 8) % 4 == 3) {
    std::string s = iso;
    std::replace(s.begin(), s.end(), '-', '/');
    return s;
  }
  return layout % 3 == 1 ? iso : chineseDate(iso);
}
}  // namespace

RxGenerator::RxGenerator(std::uint64_t seed, std::string catalogue) : rng_(seed) {
  std::ifstream in(catalogue);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, cls;
    std::getline(fields, name, '\t');
    std::getline(fields, cls, '\t');
    if (cls == "rx" || cls == "otc-a" || cls == "otc-b") drugNames_.push_back(name);
  }
}

std::string RxGenerator::pick(const std::vector<std::string>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng_)];
}

std::string RxGenerator::randomName() {
  std::string n = pick(kSurnames) + pick(kGiven);
  if (std::uniform_int_distribution<int>(0, 2)(rng_) == 0 && n.size() <= 6) n += pick(kGiven);
  return n;
}

std::vector<GenDrug> RxGenerator::randomDrugs() {
  std::vector<GenDrug> drugs;
  const int n = std::uniform_int_distribution<int>(1, 4)(rng_);
  for (int i = 0; i < n; ++i) {
    GenDrug d{pick(drugNames_), pick(kSpecs), std::uniform_int_distribution<int>(1, 6)(rng_),
              pick(kUnits), pick(kUsages)};
    bool dup = false;
    for (const auto& e : drugs) dup = dup || e.name == d.name;
    if (!dup) drugs.push_back(d);
  }
  return drugs;
}

std::string RxGenerator::digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += static_cast<char>('0' + std::uniform_int_distribution<int>(0, 9)(rng_));
  return s;
}

std::string RxGenerator::newNumber(const GenRx& rx) {
  std::string ymd = rx.date.substr(0, 4) + rx.date.substr(5, 2) + rx.date.substr(8, 2);
  const NumberScheme scheme =
      variedFormats_ ? numberScheme(rx.hospital, rx.layout)
                     : (rx.layout % 2 ? NumberScheme::kTen : NumberScheme::kYearAndEight);
  switch (scheme) {
    case NumberScheme::kYearAndEight:
      return "2026" + digits(8);
    case NumberScheme::kTen:
      return digits(10);
    case NumberScheme::kTwelve:
      return digits(12);
    case NumberScheme::kDatedHyphen:
      return "CF-" + ymd + "-" + digits(4);
    case NumberScheme::kLetteredShortDate:
      return "RX" + ymd.substr(2) + "-" + digits(5);
  }
  return digits(10);
}

GenRx RxGenerator::content(int layout) {
  GenRx rx;
  rx.layout = layout;
  rx.hospital = pick(kHospitals);
  const int month = std::uniform_int_distribution<int>(1, 12)(rng_);
  const int day = std::uniform_int_distribution<int>(1, 28)(rng_);
  char date[16];
  std::snprintf(date, sizeof date, "2026-%02d-%02d", month, day);
  rx.date = date;
  rx.rxNumber = newNumber(rx);
  rx.patientName = randomName();
  rx.sex = std::uniform_int_distribution<int>(0, 1)(rng_) ? "男" : "女";
  rx.age = std::to_string(std::uniform_int_distribution<int>(1, 90)(rng_)) + "岁";
  rx.outpatientId = "MZ" + digits(9);
  rx.department = pick(kDepartments);
  rx.diagnosis = pick(kDiagnoses);
  rx.drugs = randomDrugs();
  rx.doctor = randomName();
  char amount[32];
  std::snprintf(amount, sizeof amount, "%.2f",
                std::uniform_int_distribution<int>(500, 80000)(rng_) / 100.0);
  rx.amount = amount;
  return rx;
}

GenRx RxGenerator::monthlyRepeat(const GenRx& previous) {
  GenRx rx = content(previous.layout);
  rx.hospital = previous.hospital;
  rx.patientName = previous.patientName;
  rx.sex = previous.sex;
  rx.age = previous.age;
  rx.outpatientId = previous.outpatientId;
  rx.department = previous.department;
  rx.diagnosis = previous.diagnosis;
  rx.drugs = previous.drugs;
  rx.doctor = previous.doctor;
  rx.amount = previous.amount;
  int month = std::stoi(previous.date.substr(5, 2)) % 12 + 1;
  char date[16];
  std::snprintf(date, sizeof date, "2026-%02d-%s", month, previous.date.substr(8, 2).c_str());
  rx.date = date;
  if (variedFormats_) rx.rxNumber = newNumber(rx);  // the number may carry the date
  return rx;
}

GenRx RxGenerator::sameForm(const GenRx& other) {
  GenRx rx = content(other.layout);
  rx.hospital = other.hospital;
  if (variedFormats_) rx.rxNumber = newNumber(rx);  // in the hospital's scheme
  return rx;
}

cv::Mat RxGenerator::render(const GenRx& rx) const {
  cv::Mat page(1754, 1240, CV_8UC3, cv::Scalar(250, 250, 248));
  const int L = rx.layout;
  const int font = L % 3;  // Noto Sans, Noto Serif, WenQuanYi Micro Hei
  const int body = 38 + (L % 2) * 4;
  const int margin = 90 + (L % 3) * 10;
  const int right = page.cols - margin;
  const cv::Scalar ink(30, 30, 30);
  int y = 70;
  drawCentered(page, rx.hospital, y, 54 + (L % 2) * 6, font);
  y += 84;
  drawCentered(page, L % 2 ? "门诊处方笺" : "处 方 笺", y, 46, font);
  y += 80;
  const std::string date = printedDate(rx.date, rx.hospital, L, variedFormats_);
  auto line = [&](int yy) { cv::line(page, {margin, yy}, {right, yy}, ink, 2, cv::LINE_AA); };
  switch (L) {
    case 0:
    case 3: {
      draw(page, "费别：自费", {margin, y}, body, font);
      draw(page, "No：" + rx.rxNumber, {right - 430, y}, body, font);
      y += 66;
      line(y - 12);
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
      y += 70;
      break;
    }
    case 1:
    case 4: {
      draw(page, "处方编号：" + rx.rxNumber, {margin, y}, body, font);
      draw(page, "日期：" + date, {right - 420, y}, body, font);
      y += 70;
      cv::rectangle(page, {margin, y - 14}, {right, y + 190}, ink, 2, cv::LINE_AA);
      draw(page, "患者姓名：" + rx.patientName, {margin + 16, y}, body, font);
      draw(page, "性别：" + rx.sex, {margin + 500, y}, body, font);
      draw(page, "年龄：" + rx.age, {margin + 760, y}, body, font);
      y += 64;
      draw(page, "科室：" + rx.department, {margin + 16, y}, body, font);
      draw(page, "门诊号：" + rx.outpatientId, {margin + 500, y}, body, font);
      y += 64;
      draw(page, "诊断：" + rx.diagnosis, {margin + 16, y}, body, font);
      y += 90;
      break;
    }
    default: {
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
      y += 72;
      break;
    }
  }
  line(y - 10);
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
  y = std::max(y + 30, 1420);
  line(y - 14);
  draw(page, "医师：" + rx.doctor, {margin, y}, body, font);
  draw(page, "金额：" + rx.amount + "元", {right - 360, y}, body, font);
  y += 70;
  draw(page, "审核药师：", {margin, y}, body, font);
  draw(page, "调配药师：", {margin + 380, y}, body, font);
  draw(page, "核对/发药：", {margin + 760, y}, body - 4, font);
  return page;
}

std::vector<std::uint8_t> RxGenerator::photograph(const cv::Mat& page, const CaptureOptions& o) {
  int rotation = 0;
  return photograph(page, o, &rotation);
}

std::vector<std::uint8_t> RxGenerator::photograph(const cv::Mat& page, const CaptureOptions& o,
                                                  int* rotation) {
  std::uniform_real_distribution<double> u(0, 1);
  auto range = [&](double a, double b) { return a + (b - a) * u(rng_); };
  // Orientation of the phone relative to the page.
  cv::Mat src = page;
  *rotation = 0;
  double r = u(rng_);
  if (r < o.sidewaysProbability)
    *rotation = u(rng_) < 0.5 ? 90 : 270;
  else if (r < o.sidewaysProbability + o.upsideDownProbability)
    *rotation = 180;
  if (*rotation == 90)
    cv::rotate(page, src, cv::ROTATE_90_CLOCKWISE);
  else if (*rotation == 180)
    cv::rotate(page, src, cv::ROTATE_180);
  else if (*rotation == 270)
    cv::rotate(page, src, cv::ROTATE_90_COUNTERCLOCKWISE);

  const double mp = range(o.minMegapixels, o.maxMegapixels) * 1e6;
  const bool portrait = src.rows > src.cols;
  int W = static_cast<int>(std::sqrt(mp * (portrait ? 3.0 / 4 : 4.0 / 3)));
  int H = static_cast<int>(mp / W);
  // The desk: a flat colour with texture.
  cv::Mat photo(H, W, CV_8UC3, cv::Scalar(range(60, 140), range(70, 140), range(80, 160)));
  cv::Mat texture(H / 8 + 1, W / 8 + 1, CV_8UC3);
  cv::randn(texture, cv::Scalar::all(0), cv::Scalar::all(12));
  cv::resize(texture, texture, photo.size(), 0, 0, cv::INTER_LINEAR);
  photo += texture;

  // The page covers 55-85% of the frame's short side, with perspective and a small rotation.
  const double fill = range(0.62, 0.88);
  const double scale = std::min(W * fill / src.cols, H * fill / src.rows);
  const double pw = src.cols * scale, ph = src.rows * scale;
  const cv::Point2f centre(static_cast<float>(W / 2 + range(-0.05, 0.05) * W),
                           static_cast<float>(H / 2 + range(-0.05, 0.05) * H));
  const double angle = range(-12, 12) * CV_PI / 180;
  std::vector<cv::Point2f> corners;
  const double jitter = 0.06;
  for (auto [sx, sy] :
       {std::pair{-0.5, -0.5}, std::pair{0.5, -0.5}, std::pair{0.5, 0.5}, std::pair{-0.5, 0.5}}) {
    double x = sx * pw * (1 + range(-jitter, jitter)), y = sy * ph * (1 + range(-jitter, jitter));
    corners.emplace_back(static_cast<float>(centre.x + x * std::cos(angle) - y * std::sin(angle)),
                         static_cast<float>(centre.y + x * std::sin(angle) + y * std::cos(angle)));
  }
  // Keep the whole page in the frame: shrink it towards the centre until it fits (a page cut off by
  // the frame is a different test, made on purpose with cropped photos).
  for (int attempt = 0; attempt < 20; ++attempt) {
    bool inside = true;
    for (const auto& c : corners)
      inside = inside && c.x >= 2 && c.y >= 2 && c.x < W - 2 && c.y < H - 2;
    if (inside) break;
    for (auto& c : corners) c = centre + (c - centre) * 0.95f;
  }
  std::vector<cv::Point2f> srcCorners = {
      {0, 0},
      {static_cast<float>(src.cols), 0},
      {static_cast<float>(src.cols), static_cast<float>(src.rows)},
      {0, static_cast<float>(src.rows)}};
  cv::Mat M = cv::getPerspectiveTransform(srcCorners, corners);
  cv::warpPerspective(src, photo, M, photo.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);

  // Light: a gradient across the frame, sometimes a hard shadow (a hand, a phone).
  cv::Mat light(H, W, CV_32F);
  const double a = range(0, 2 * CV_PI), lo = range(0.55, 0.9);
  for (int yy = 0; yy < H; ++yy) {
    float* row = light.ptr<float>(yy);
    for (int xx = 0; xx < W; ++xx) {
      double t =
          ((xx - W / 2.0) * std::cos(a) + (yy - H / 2.0) * std::sin(a)) / std::max(W, H) + 0.5;
      row[xx] = static_cast<float>(lo + (1.0 - lo) * std::clamp(t, 0.0, 1.0));
    }
  }
  if (u(rng_) < o.shadowProbability) {
    std::vector<cv::Point> poly;
    const int edge = static_cast<int>(range(0, 4));
    const double depth = range(0.15, 0.4);
    if (edge == 0)
      poly = {{0, 0}, {static_cast<int>(W * range(0.3, 0.9)), 0}, {0, static_cast<int>(H * depth)}};
    else if (edge == 1)
      poly = {{W, H},
              {W - static_cast<int>(W * depth), H},
              {W, H - static_cast<int>(H * range(0.3, 0.8))}};
    else if (edge == 2)
      poly = {
          {0, H}, {static_cast<int>(W * depth), H}, {0, H - static_cast<int>(H * range(0.3, 0.8))}};
    else
      poly = {
          {W, 0}, {W - static_cast<int>(W * range(0.3, 0.9)), 0}, {W, static_cast<int>(H * depth)}};
    cv::Mat shadow(H, W, CV_32F, cv::Scalar(1));
    cv::fillConvexPoly(shadow, poly, cv::Scalar(range(0.5, 0.75)), cv::LINE_AA);
    cv::GaussianBlur(shadow, shadow, cv::Size(0, 0), range(2, 8));
    light = light.mul(shadow);
  }
  cv::Mat photoF;
  photo.convertTo(photoF, CV_32FC3);
  std::vector<cv::Mat> ch;
  cv::split(photoF, ch);
  for (auto& c : ch) c = c.mul(light);
  cv::merge(ch, photoF);
  photoF.convertTo(photo, CV_8UC3);

  const double sigma = range(0.2, 1.3) * std::sqrt(mp / 4e6);
  cv::GaussianBlur(photo, photo, cv::Size(0, 0), sigma);
  cv::Mat noise(photo.size(), CV_16SC3);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(range(2, 7)));
  cv::Mat photo16;
  photo.convertTo(photo16, CV_16SC3);
  photo16 += noise;
  photo16.convertTo(photo, CV_8UC3);

  if (o.cropProbability > 0 && u(rng_) < o.cropProbability) {
    // Cut the frame inside the page on one side.
    const cv::Rect page = cv::boundingRect(corners);
    const int side = static_cast<int>(range(0, 4)) % 4;
    const double cut = range(0.03, 0.10);
    cv::Rect keep(0, 0, W, H);
    if (side == 0) keep.x = page.x + static_cast<int>(cut * page.width);
    if (side == 1) keep.width = page.br().x - static_cast<int>(cut * page.width);
    if (side == 2) keep.y = page.y + static_cast<int>(cut * page.height);
    if (side == 3) keep.height = page.br().y - static_cast<int>(cut * page.height);
    keep.width -= keep.x;
    keep.height -= keep.y;
    photo = photo(keep & cv::Rect(0, 0, W, H)).clone();
  }

  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", photo, jpeg,
               {cv::IMWRITE_JPEG_QUALITY,
                std::uniform_int_distribution<int>(o.minJpegQuality, o.maxJpegQuality)(rng_)});
  return jpeg;
}

const char* mediumName(Medium m) {
  switch (m) {
    case Medium::kPhone:
      return "phone";
    case Medium::kScan:
      return "scan";
    case Medium::kPhotocopy:
      return "photocopy";
    case Medium::kScreen:
      return "screen";
  }
  return "?";
}

GenRx RxGenerator::sameVisit(const GenRx& first) {
  GenRx rx = sameForm(first);
  rx.patientName = first.patientName;
  rx.sex = first.sex;
  rx.age = first.age;
  rx.outpatientId = first.outpatientId;
  rx.department = first.department;
  rx.doctor = first.doctor;
  rx.date = first.date;
  // The next number: the last digits counted up by one.
  rx.rxNumber = first.rxNumber;
  for (int i = static_cast<int>(rx.rxNumber.size()) - 1; i >= 0; --i) {
    if (rx.rxNumber[static_cast<std::size_t>(i)] < '0') break;  // the counter's hyphen
    if (rx.rxNumber[static_cast<std::size_t>(i)] != '9') {
      ++rx.rxNumber[static_cast<std::size_t>(i)];
      break;
    }
    rx.rxNumber[static_cast<std::size_t>(i)] = '0';
  }
  while (rx.drugs.front().name == first.drugs.front().name) rx.drugs = randomDrugs();
  return rx;
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
  cv::Mat mask(page.size(), CV_32F);
  cv::randu(mask, 0.55, 1.0);  // uneven ink
  cv::Mat pageF, stampF;
  page.convertTo(pageF, CV_32FC3, 1.0 / 255);
  stamp.convertTo(stampF, CV_32FC3, 1.0 / 255);
  std::vector<cv::Mat> pc, sc;
  cv::split(pageF, pc);
  cv::split(stampF, sc);
  for (int k = 0; k < 3; ++k) pc[k] = pc[k].mul(1 - (1 - sc[k]).mul(mask));  // ink multiplies
  cv::merge(pc, pageF);
  pageF.convertTo(page, CV_8UC3, 255);
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

namespace {

// Bends the page as a crumpled and smoothed-out sheet: a smooth displacement (up to ~10 px) with
// light and dark creases.
cv::Mat crumple(const cv::Mat& page, std::mt19937_64& rng) {
  cv::Mat dx(9, 7, CV_32F), dy(9, 7, CV_32F), shade(9, 7, CV_32F);
  cv::RNG local(rng());
  local.fill(dx, cv::RNG::NORMAL, 0, 5);
  local.fill(dy, cv::RNG::NORMAL, 0, 5);
  local.fill(shade, cv::RNG::NORMAL, 1, 0.06);
  cv::resize(dx, dx, page.size(), 0, 0, cv::INTER_CUBIC);
  cv::resize(dy, dy, page.size(), 0, 0, cv::INTER_CUBIC);
  cv::resize(shade, shade, page.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat mapX(page.size(), CV_32F), mapY(page.size(), CV_32F);
  for (int y = 0; y < page.rows; ++y)
    for (int x = 0; x < page.cols; ++x) {
      mapX.at<float>(y, x) = static_cast<float>(x) + dx.at<float>(y, x);
      mapY.at<float>(y, x) = static_cast<float>(y) + dy.at<float>(y, x);
    }
  cv::Mat out;
  cv::remap(page, out, mapX, mapY, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::Mat f;
  out.convertTo(f, CV_32FC3);
  std::vector<cv::Mat> ch;
  cv::split(f, ch);
  for (auto& c : ch) c = c.mul(shade);
  cv::merge(ch, f);
  f.convertTo(out, CV_8UC3);
  // Creases: a few thin grey lines across the page.
  std::uniform_int_distribution<int> X(0, page.cols - 1), Y(0, page.rows - 1);
  for (int k = 0; k < 4; ++k)
    cv::line(out, {X(rng), 0}, {X(rng), page.rows - 1}, cv::Scalar(200, 200, 200), 1, cv::LINE_AA);
  for (int k = 0; k < 3; ++k)
    cv::line(out, {0, Y(rng)}, {page.cols - 1, Y(rng)}, cv::Scalar(205, 205, 205), 1, cv::LINE_AA);
  return out;
}

void thumbOver(cv::Mat& page, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const int corner = static_cast<int>(u(rng) * 4) % 4;
  const cv::Point c(corner % 2 ? page.cols : 0, corner / 2 ? page.rows : 0);
  const cv::Size axes(static_cast<int>(page.cols * (0.10 + 0.06 * u(rng))),
                      static_cast<int>(page.cols * (0.16 + 0.08 * u(rng))));
  cv::ellipse(page, c, axes, 360 * u(rng), 0, 360,
              cv::Scalar(110 + 30 * u(rng), 140 + 30 * u(rng), 200 + 30 * u(rng)), cv::FILLED,
              cv::LINE_AA);
}

cv::Mat photocopy(const cv::Mat& page, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  cv::Mat g;
  cv::cvtColor(page, g, cv::COLOR_BGR2GRAY);
  // Toner: harder contrast, a greyish sheet, specks; slightly smaller and turned on the glass.
  g.convertTo(g, CV_8U, 1.5, -100);
  cv::Mat grey;
  g.convertTo(grey, CV_8U, 0.9, 10 + 15 * u(rng));
  cv::Mat specks(g.size(), CV_16U);
  cv::RNG local(rng());
  local.fill(specks, cv::RNG::UNIFORM, 0, 1000);
  grey.setTo(40, specks < 2);
  const double angle = (u(rng) - 0.5) * 3, scale = 0.9 + 0.08 * u(rng);
  cv::Mat M = cv::getRotationMatrix2D({g.cols / 2.0f, g.rows / 2.0f}, angle, scale);
  cv::Mat out;
  cv::warpAffine(grey, out, M, g.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(235));
  cv::GaussianBlur(out, out, cv::Size(0, 0), 0.7);
  cv::cvtColor(out, out, cv::COLOR_GRAY2BGR);
  return out;
}

}  // namespace

std::vector<std::uint8_t> RxGenerator::take(const cv::Mat& original, const Conditions& c,
                                            const CaptureOptions& o) {
  std::uniform_real_distribution<double> u(0, 1);
  cv::Mat page = original.clone();
  if (c.crumpled) page = crumple(page, rng_);
  if (c.thumb && c.medium != Medium::kScan) thumbOver(page, rng_);
  std::vector<std::uint8_t> jpeg;
  switch (c.medium) {
    case Medium::kPhone:
      jpeg = photograph(page, o);
      break;
    case Medium::kPhotocopy:
      jpeg = photograph(photocopy(page, rng_), o);
      break;
    case Medium::kScan: {
      // A flatbed at 150-300 dpi (the page is 210 dpi), slightly turned, white lid around it.
      const double scale = 0.7 + 0.7 * u(rng_), angle = (u(rng_) - 0.5) * 4;
      cv::Mat bordered;
      cv::copyMakeBorder(page, bordered, 40, 40, 40, 40, cv::BORDER_CONSTANT,
                         cv::Scalar(252, 252, 252));
      cv::Mat M =
          cv::getRotationMatrix2D({bordered.cols / 2.0f, bordered.rows / 2.0f}, angle, scale);
      M.at<double>(0, 2) += (scale - 1) * bordered.cols / 2;
      M.at<double>(1, 2) += (scale - 1) * bordered.rows / 2;
      cv::Mat out;
      cv::warpAffine(bordered, out, M,
                     cv::Size(static_cast<int>(bordered.cols * scale),
                              static_cast<int>(bordered.rows * scale)),
                     cv::INTER_AREA, cv::BORDER_CONSTANT, cv::Scalar(252, 252, 252));
      cv::GaussianBlur(out, out, cv::Size(0, 0), 0.6);
      cv::imencode(".jpg", out, jpeg,
                   {cv::IMWRITE_JPEG_QUALITY, 70 + static_cast<int>(25 * u(rng_))});
      break;
    }
    case Medium::kScreen: {
      // The patient's own photo of the paper, shown on a phone screen (1080 px wide, pixel grid,
      // glare), photographed by the pharmacy's phone.
      CaptureOptions own = o;
      own.sidewaysProbability = 0;
      own.upsideDownProbability = 0;
      own.cropProbability = 0;
      own.minMegapixels = 3;
      own.maxMegapixels = 8;
      cv::Mat shown = cv::imdecode(photograph(page, own), cv::IMREAD_COLOR);
      const double s = 1080.0 / shown.cols;
      cv::resize(shown, shown, cv::Size(), s, s, cv::INTER_AREA);
      cv::resize(shown, shown, cv::Size(), 2, 2, cv::INTER_NEAREST);  // pixels seen up close
      for (int y = 0; y < shown.rows; ++y) {
        auto* row = shown.ptr<cv::Vec3b>(y);
        for (int x = 0; x < shown.cols; ++x)
          if (x % 2 == 1 || y % 2 == 1) row[x] = row[x] * 0.75;  // the grid between pixels
      }
      cv::Mat screen;
      cv::copyMakeBorder(shown, screen, 60, 60, 30, 30, cv::BORDER_CONSTANT,
                         cv::Scalar(15, 15, 15));
      cv::Mat glare(screen.size(), CV_8UC3, cv::Scalar(0, 0, 0));
      cv::ellipse(
          glare, {static_cast<int>(screen.cols * u(rng_)), static_cast<int>(screen.rows * u(rng_))},
          {screen.cols / 3, screen.rows / 6}, 360 * u(rng_), 0, 360, cv::Scalar(40, 40, 40),
          cv::FILLED);
      cv::GaussianBlur(glare, glare, cv::Size(0, 0), 40);
      screen += glare;
      jpeg = photograph(screen, o);
      break;
    }
  }
  if (c.lowLight) {
    cv::Mat img = cv::imdecode(jpeg, cv::IMREAD_COLOR);
    img.convertTo(img, CV_8UC3, 0.25 + 0.15 * u(rng_), 0);
    cv::Mat noise(img.size(), CV_16SC3);
    cv::RNG local(rng_());
    local.fill(noise, cv::RNG::NORMAL, 0, 6);
    cv::Mat img16;
    img.convertTo(img16, CV_16SC3);
    img16 += noise;
    img16.convertTo(img, CV_8UC3);
    jpeg.clear();
    cv::imencode(".jpg", img, jpeg, {cv::IMWRITE_JPEG_QUALITY, 70});
  }
  return jpeg;
}

}  // namespace rx::ws
