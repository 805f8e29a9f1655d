// Prescription content: names, drugs, numbers and dates as the hospitals write them.
#include "workstation/rxgen.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "rxgen_internal.h"

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

std::string chineseDate(const std::string& iso) {
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

// Prescription numbers as hospitals print them: 2026 and 8 digits, 10 or 12 digits,
// CF-20261105-7510 (the date and a counter), RX261108-43512.
enum class NumberScheme { kYearAndEight, kTen, kTwelve, kDatedHyphen, kLetteredShortDate };

NumberScheme numberScheme(const std::string& hospital, int layout) {
  switch ((rxgen_internal::hospitalStyle(hospital) >> 4) % 6) {
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

}  // namespace

namespace rxgen_internal {

std::uint32_t hospitalStyle(const std::string& hospital) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : hospital) h = (h ^ c) * 16777619u;
  return h;
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

}  // namespace rxgen_internal

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

}  // namespace rx::ws
