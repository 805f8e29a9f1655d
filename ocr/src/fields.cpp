#include "ocr/fields.h"

#include <algorithm>
#include <cctype>

#include "base/utf8.h"
#include "ocr/names.h"

namespace rx::ocr {

namespace {

// Normalised text of one line, remembering for every character the word it came from, so a
// value's confidence and box can be taken from the words it was read from.
struct Span {
  std::u32string text;
  std::vector<int> word;  // -1 for separators
};

bool isDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool isAsciiAlnum(char32_t c) { return c < 0x80 && std::isalnum(static_cast<int>(c)); }

char32_t normalizeChar(char32_t c) {
  switch (c) {
    case U'：':
      return ':';
    case U'，':
      return ',';
    case U'．':
    case U'。':
      return '.';
    case U'（':
      return '(';
    case U'）':
      return ')';
    case U'　':
      return ' ';
    case U'／':
      return '/';
    case U'Ｘ':
    case U'╳':
    case U'✕':
      return U'×';
    default:
      break;
  }
  if (c >= U'０' && c <= U'９') return '0' + (c - U'０');
  if (c >= U'Ａ' && c <= U'Ｚ') return 'A' + (c - U'Ａ');
  if (c >= U'ａ' && c <= U'ｚ') return 'a' + (c - U'ａ');
  return c;
}

Span normalizeLine(const RecognizedLine& line) {
  Span raw;
  for (std::size_t w = 0; w < line.words.size(); ++w) {
    if (!raw.text.empty()) {
      raw.text.push_back(' ');
      raw.word.push_back(-1);
    }
    for (char32_t c : toU32(line.words[w].text)) {
      raw.text.push_back(normalizeChar(c));
      raw.word.push_back(static_cast<int>(w));
    }
  }
  // Words are separated by one space; a wider gap on the page (between fields) is kept as two.
  // A word's box a pixel or two high (a character whose box the model lost) counts as high as
  // the line's words typically are: its gap to the next is no field separator.
  std::vector<int> heights;
  for (const auto& w : line.words)
    if (w.box.height > 2) heights.push_back(w.box.height);
  int typical = line.box.height;  // every box lost
  if (!heights.empty()) {
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    typical = heights[heights.size() / 2];
  }
  auto height = [typical](const cv::Rect& r) {
    return r.height * 4 < typical ? typical : r.height;
  };
  Span out;
  for (std::size_t i = 0; i < raw.text.size(); ++i) {
    char32_t c = raw.text[i];
    if (c == ' ') {
      std::size_t j = i;
      while (j < raw.text.size() && raw.text[j] == ' ') ++j;
      // Chinese is written without spaces: a single gap next to a Chinese character is an OCR
      // artefact ("2 型糖尿病"), except before a list number's dot ("1. 阿莫西林").
      const bool betweenHan = i > 0 && j < raw.text.size() &&
                              (isHan(raw.text[i - 1]) || isHan(raw.text[j])) &&
                              raw.text[i - 1] != '.';
      // A gap wider than ~1.5 characters between words reads as a field separator.
      bool wide = false;
      if (i > 0 && j < raw.text.size() && raw.word[i - 1] >= 0 && raw.word[j] >= 0) {
        const cv::Rect& a = line.words[raw.word[i - 1]].box;
        const cv::Rect& b = line.words[raw.word[j]].box;
        wide = b.x - (a.x + a.width) > 1.5 * std::max(height(a), height(b));
      }
      if (wide) {
        out.text += U"  ";
        out.word.insert(out.word.end(), {-1, -1});
      } else if (!betweenHan) {
        out.text.push_back(' ');
        out.word.push_back(-1);
      }
      i = j - 1;
      continue;
    }
    // X or x standing for × between a digit or letter and a digit ("20mgX14粒", "X5盒").
    if ((c == 'X' || c == 'x') && i + 1 < raw.text.size() && isDigit(raw.text[i + 1]) &&
        (i == 0 || !(raw.text[i - 1] >= 'A' && raw.text[i - 1] <= 'Z')))
      c = U'×';
    out.text.push_back(c);
    out.word.push_back(raw.word[i]);
  }
  return out;
}

FieldValue valueOf(const Span& s, std::size_t from, std::size_t to, const RecognizedLine& line,
                   std::u32string text) {
  FieldValue v;
  v.value = toUtf8(text);
  float conf = 100;
  cv::Rect box;
  bool any = false;
  int last = -2;
  for (std::size_t i = from; i < to && i < s.word.size(); ++i) {
    const int w = s.word[i];
    if (w < 0 || w == last) continue;
    last = w;
    conf = std::min(conf, line.words[w].confidence);
    box = any ? (box | line.words[w].box) : line.words[w].box;
    any = true;
  }
  v.confidence = any ? conf / 100.0f : line.confidence / 100.0f;
  v.box = any ? box : line.box;
  return v;
}

struct Label {
  std::u32string text;
  const char* field;  // nullptr: a label that only ends the previous value
};

const std::vector<Label>& labels() {
  static const std::vector<Label> kLabels = [] {
    std::vector<Label> l = {{U"处方编号", "rx_number"},
                            {U"处方号", "rx_number"},
                            {U"No", "rx_number"},
                            {U"NO", "rx_number"},
                            {U"N0", "rx_number"},
                            {U"患者姓名", "patient_name"},
                            {U"姓名", "patient_name"},
                            {U"性别", "sex"},
                            {U"年龄", "age"},
                            {U"门诊号", "outpatient_id"},
                            {U"病历号", "outpatient_id"},
                            {U"科别", "department"},
                            {U"科室", "department"},
                            {U"临床诊断", "diagnosis"},
                            {U"诊断", "diagnosis"},
                            {U"开具日期", "date"},
                            {U"日期", "date"},
                            {U"医师", "doctor"},
                            {U"金额", "amount"},
                            {U"费别", nullptr},
                            {U"审核药师", nullptr},
                            {U"调配药师", nullptr},
                            {U"核对/发药", nullptr},
                            {U"用法", "usage"}};
    // Longest first, so 临床诊断 wins over 诊断 at the same position.
    std::stable_sort(l.begin(), l.end(),
                     [](const Label& a, const Label& b) { return a.text.size() > b.text.size(); });
    return l;
  }();
  return kLabels;
}

struct Occurrence {
  std::size_t start, end;
  const Label* label;
  bool tolerant = false;  // read with one character wrong (tolerantLabel)
};

bool isLabelSeparator(char32_t c) {
  return c == ':' || c == ';' || c == U'】' || c == ']' || c == ')' || c == U'；';
}

// A hyphen as OCR reads it: a dash of any width, or the Chinese 一 between two letters or digits.
bool isDash(char32_t c) {
  return c == '-' || c == U'‐' || c == U'‑' || c == U'‒' || c == U'–' || c == U'—' || c == U'―' ||
         c == U'－' || c == U'一' || c == U'_';
}

// The label printed at `i` in `t`, or null.
const Label* exactLabelAt(const std::u32string& t, std::size_t i) {
  for (const Label& l : labels()) {
    if (t.compare(i, l.text.size(), l.text) != 0) continue;
    // "No" must stand alone (not inside a word) and be followed by ':' or what OCR reads it as
    // ('.', ',', ';', a space), or by a digit.
    if (l.text[0] == 'N') {
      const std::size_t after = i + l.text.size();
      if ((i > 0 && isAsciiAlnum(t[i - 1])) || after >= t.size()) continue;
      const char32_t c = t[after];
      if (!(c == ':' || c == '.' || c == ',' || c == ';' || c == ' ' || isDigit(c))) continue;
    }
    return &l;
  }
  return nullptr;
}

// Words printed on prescription forms that are one character off a label but are not it (医师
// and 签名, 用法 and 用量): never taken for the label.
bool isFormWord(std::u32string_view w) {
  static const std::u32string_view kWords[] = {U"签名", U"药师", U"医嘱", U"医保", U"医生",
                                               U"用量", U"用药", U"日用", U"医用", U"科室"};
  for (auto word : kWords)
    if (w == word) return true;
  return false;
}

// Whether a label is printed at one of the positions [from, to) of `t`.
bool holdsPrintedLabel(const std::u32string& t, std::size_t from, std::size_t to) {
  for (std::size_t k = from; k < to; ++k)
    if (exactLabelAt(t, k)) return true;
  return false;
}

bool isLetterOrHan(char32_t c) { return isHan(c) || (isAsciiAlnum(c) && !isDigit(c)); }

// A label as OCR misread it, and how many characters of the text it takes.
struct MisreadLabel {
  const Label* label = nullptr;
  std::size_t length = 0;
};

// A label of three or more characters whose first character the model read as one or two others,
// or dropped, the rest read right (和内诊号, m诊号, 诊号 for 门诊号; 1由诊号 with the row's number
// before it): at `i`, after anything but a Chinese character or a letter; what stands for the
// first character is letters or Chinese; the rest holds no label as printed and is followed by a
// label's separator. Several labels sharing the rest would give nothing (none do).
MisreadLabel labelWithFirstMisread(const std::u32string& t, std::size_t i) {
  if (i > 0 && isLetterOrHan(t[i - 1])) return {};
  MisreadLabel hit;
  for (const Label& l : labels()) {
    const std::size_t n = l.text.size();
    if (!l.field || n < 3 || !isHan(l.text[0])) continue;
    const std::u32string_view rest = std::u32string_view(l.text).substr(1);
    for (std::size_t junk = 0; junk <= 2; ++junk) {
      const std::size_t at = i + junk;
      if (at + rest.size() >= t.size()) break;
      // What the first character was read as: letters or Chinese, and no label's start (the 处
      // of 【处方编号】 is the label's). Not a digit: that is the end of the value before
      // (年龄:45由诊号: keeps its 45).
      if (junk > 0 && (!isLetterOrHan(t[at - 1]) || exactLabelAt(t, at - 1))) break;
      if (t.compare(at, rest.size(), rest) != 0 || !isLabelSeparator(t[at + rest.size()])) continue;
      // A label printed inside the rest is that label (就诊者姓名: 姓名, as printed).
      if (holdsPrintedLabel(t, at, at + rest.size())) break;
      if (hit.label && hit.label != &l) return {};
      hit = {&l, junk + rest.size()};
      break;
    }
  }
  return hit;
}

// A label whose one character the model misread (痊名, 门诊易, 处方坊号 for 姓名, 门诊号,
// 处方编号): at the start of a word, followed by a label's separator, every other character right,
// no label printed inside it, not a word of its own, and no other label fitting as well; or "No"
// with its colon lost before the number's letters; or a longer label with its first character
// misread as two or lost (labelWithFirstMisread). Returns no label when none or several fit.
MisreadLabel tolerantLabel(const std::u32string& t, std::size_t i) {
  // "No" with its colon lost before the number's own letters (NoRX261108-44954): one to three
  // capitals, then a digit or a hyphen. (A colon read as a capital would join the number.)
  // Like "No" as printed, it must not stand inside a Latin word.
  for (const Label& l : labels()) {
    if (l.text[0] != 'N' || (i > 0 && isAsciiAlnum(t[i - 1])) ||
        t.compare(i, l.text.size(), l.text) != 0)
      continue;
    std::size_t k = i + l.text.size();
    while (k < t.size() && t[k] >= 'A' && t[k] <= 'Z') ++k;
    const std::size_t capitals = k - i - l.text.size();
    if (capitals >= 1 && capitals <= 3 && k < t.size() && (isDigit(t[k]) || isDash(t[k])))
      return {&l, l.text.size()};
  }
  if (i > 0 && !(t[i - 1] == ' ' || t[i - 1] == ':' || t[i - 1] == U'【' || t[i - 1] == '[' ||
                 t[i - 1] == '(' || t[i - 1] == '|' || t[i - 1] == U'“' || t[i - 1] == U'”' ||
                 t[i - 1] == '"' || isLabelSeparator(t[i - 1])))
    return labelWithFirstMisread(t, i);
  const Label* hit = nullptr;
  for (const Label& l : labels()) {
    const std::size_t n = l.text.size();
    if (!l.field || n < 2 || !isHan(l.text[0]) || i + n >= t.size() || !isLabelSeparator(t[i + n]))
      continue;
    int wrong = 0;
    for (std::size_t k = 0; k < n && wrong < 2; ++k)
      if (t[i + k] != l.text[k]) wrong += isHan(t[i + k]) ? 1 : 2;
    if (wrong != 1 || isFormWord(std::u32string_view(t).substr(i, n))) continue;
    // 患考姓名: the 姓名 printed inside is the label, found where it starts.
    if (holdsPrintedLabel(t, i + 1, i + n)) continue;
    if (hit && std::string_view(hit->field) != l.field) return {};
    hit = &l;
  }
  if (hit) return {hit, hit->text.size()};
  return labelWithFirstMisread(t, i);
}

// The labels in `t`, in order. `tolerant`: also labels read with one character wrong.
std::vector<Occurrence> findLabels(const std::u32string& t, bool tolerant = false) {
  std::vector<Occurrence> out;
  for (std::size_t i = 0; i < t.size();) {
    MisreadLabel hit{exactLabelAt(t, i), 0};
    bool misread = false;
    if (hit.label) {
      hit.length = hit.label->text.size();
    } else if (tolerant && (hit = tolerantLabel(t, i)).label) {
      misread = true;
    }
    if (hit.label) {
      out.push_back({i, i + hit.length, hit.label, misread});
      i += hit.length;
    } else {
      ++i;
    }
  }
  return out;
}

// Strips spaces and stray punctuation from both ends, and from the front also what ends a label
// (the 】 of 【临床诊断】 when only 诊断 was found as the label); a value's own closing bracket at
// its end ("(2级)") stays.
std::u32string trim(std::u32string s) {
  auto junk = [](char32_t c) {
    return c == ' ' || c == ':' || c == '.' || c == ',' || c == ';' || c == '|';
  };
  while (!s.empty() && (junk(s.front()) || isLabelSeparator(s.front()))) s.erase(s.begin());
  while (!s.empty() && junk(s.back())) s.pop_back();
  return s;
}

std::u32string onlyHan(const std::u32string& s) {
  std::u32string out;
  for (char32_t c : s)
    if (isHan(c)) out.push_back(c);
  return out;
}

// The prescription number as printed: letters, digits and hyphens (CF-20261105-7510,
// RX261108-43512, 20261113783287), upper case, up to where something else starts. A single space
// between digits is a gap OCR put into the number and is closed. Empty when the text holds no
// number (fewer than 6 digits, or more than 4 letters: a word, not a number). With `dotRead`,
// the text is OCR's reading of a photo: a dot between two letters or digits is a hyphen read as a
// dot (RX260123.72183; no number is printed with a dot), and *dotRead says whether there was one.
std::u32string printedNumber(const std::u32string& raw, bool* dotRead = nullptr) {
  // Up to the number: spaces and punctuation ("No.:", the 】 of a 【处方编号】 label), not words.
  std::size_t i = 0;
  while (i < raw.size() && !isAsciiAlnum(raw[i]) && !isHan(raw[i])) ++i;
  std::u32string out;
  for (; i < raw.size(); ++i) {
    const char32_t c = raw[i];
    const bool alnumNext = i + 1 < raw.size() && isAsciiAlnum(raw[i + 1]);
    if (isAsciiAlnum(c))
      out.push_back(c >= 'a' && c <= 'z' ? c - 32 : c);
    else if (isDash(c) && !out.empty() && out.back() != '-' && alnumNext)
      out.push_back('-');
    else if (dotRead && (c == '.' || c == U'·' || c == U'・') && !out.empty() &&
             isAsciiAlnum(out.back()) && alnumNext) {
      out.push_back('-');
      *dotRead = true;
    } else if (c == ' ' && !out.empty() && isDigit(out.back()) && i + 1 < raw.size() &&
               isDigit(raw[i + 1])) {
      // A gap inside the number, unless joining would make it longer than numbers are (14
      // digits): then what follows is another value (a phone number, an unlabelled id).
      std::size_t next = i + 1;
      while (next < raw.size() && isDigit(raw[next])) ++next;
      std::size_t have = 0;
      for (char32_t d : out) have += isDigit(d) ? 1 : 0;
      if (have + (next - i - 1) > 14) break;
      continue;
    } else {
      break;
    }
  }
  std::size_t digits = 0, letters = 0;
  for (char32_t c : out) (isDigit(c) ? digits : letters) += c != '-';
  return digits >= 6 && letters <= 4 && out.size() <= 24 ? out : U"";
}

// Letters belong in front of a number's digits (CF-, RX); a letter after its first digit is a
// misread digit or a speck, not how numbers are printed. O and I/L next to a digit or hyphen are
// put back as 0 and 1; any other is left as read. Returns the cap this puts on the number's
// confidence: 0.6 when a digit was put back or a lone letter is stuck to the front (a speck read
// as a letter), 0.5 when a letter is left after the first digit, else 1.
float mendNumber(std::u32string& n) {
  float cap = 1.0f;
  const std::size_t firstDigit = n.find_first_of(U"0123456789");
  if (firstDigit == std::u32string::npos) return cap;
  auto digitOrHyphen = [&](std::size_t k) {
    return k < n.size() && (isDigit(n[k]) || n[k] == '-');
  };
  for (std::size_t i = firstDigit + 1; i < n.size(); ++i) {
    if (isDigit(n[i]) || n[i] == '-') continue;
    if ((n[i] == 'O' || n[i] == 'I' || n[i] == 'L') &&
        (digitOrHyphen(i - 1) || digitOrHyphen(i + 1))) {
      n[i] = n[i] == 'O' ? '0' : '1';
      cap = std::min(cap, 0.6f);
    } else {
      cap = std::min(cap, 0.5f);
    }
  }
  if (n.size() > 1 && !isDigit(n[0]) && isDigit(n[1])) cap = std::min(cap, 0.6f);
  return cap;
}

// The issue date a number carries, as many hospitals print it (20261113…, CF-20261105-7510,
// RX261108-…): the first run of digits, when it starts with a valid 20yymmdd or (after letters)
// yymmdd. Returns YYYY-MM-DD, or an empty string.
std::u32string dateInNumber(const std::u32string& n) {
  std::size_t k = 0;
  while (k < n.size() && !isDigit(n[k])) ++k;
  std::size_t e = k;
  while (e < n.size() && isDigit(n[e])) ++e;
  const std::string run = toUtf8(n.substr(k, e - k));
  std::string ymd;
  if (run.size() >= 8 && run.compare(0, 2, "20") == 0)
    ymd = run.substr(0, 8);
  else if (run.size() == 6 && k > 0)
    ymd = "20" + run;
  if (ymd.empty()) return U"";
  const int m = std::stoi(ymd.substr(4, 2)), d = std::stoi(ymd.substr(6, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return U"";
  return toU32(ymd.substr(0, 4) + "-" + ymd.substr(4, 2) + "-" + ymd.substr(6, 2));
}

// A name's value ends at the first wide gap after it starts (normalizeLine keeps such a gap as two
// spaces): what follows is the next field, perhaps a label too misread to be found ("医师:郑雪斌
// 人  核对:", "【医师】元雪证  人金略:"). A gap after a single character is inside the name.
std::u32string nameSegment(const std::u32string& raw) {
  std::size_t start = 0;
  while (start < raw.size() && !isHan(raw[start])) ++start;
  for (std::size_t gap = raw.find(U"  ", start); gap != std::u32string::npos;
       gap = raw.find(U"  ", gap + 2))
    if (onlyHan(raw.substr(start, gap - start)).size() >= 2) return raw.substr(0, gap);
  return raw;
}

// A name longer than this was read with something else glued on (see cleanValue).
constexpr std::size_t kLongestName = 4;

// Cleans a raw value for its field; returns an empty string when nothing usable remains. `guessed`,
// when given, is set when the value was mended beyond what was read (a number's hyphen read as a
// dot, a date's digits split without separators) or is not as such values are printed (an amount
// without its two decimals, yuan with jiao and fen: its point or last digits not read): the
// pharmacist should confirm it.
std::u32string cleanValue(const std::string& field, const std::u32string& raw,
                          bool* guessed = nullptr) {
  if (field == "rx_number") return printedNumber(raw, guessed);
  if (field == "patient_name" || field == "doctor") {
    std::u32string h = onlyHan(nameSegment(raw));
    // A 性别 label right after the name whose 别 was not read leaves its 性 on the name (no name
    // has it after its first two characters).
    if (const std::size_t sex = h.find(U'性', 2); sex != std::u32string::npos) h.resize(sex);
    // More than 4 characters: something was read onto the name with no gap between them. All of
    // it is kept and the field asks for confirmation (extractFields caps its confidence): cut to 4
    // characters it was as often a wrong name shown as read right.
    return h.size() >= 2 ? h : U"";
  }
  if (field == "department") return onlyHan(raw);
  if (field == "sex") {
    for (char32_t c : raw)
      if (c == U'男' || c == U'女') return std::u32string(1, c);
    return U"";
  }
  if (field == "age") {
    std::u32string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (isDigit(raw[i]))
        out.push_back(raw[i]);
      else if (!out.empty() && (raw[i] == U'岁' || raw[i] == U'月' || raw[i] == U'天')) {
        out.push_back(raw[i]);
        break;
      } else if (!out.empty())
        break;
    }
    if (!out.empty() && isDigit(out.back())) out.push_back(U'岁');
    return out;
  }
  if (field == "outpatient_id") {
    std::u32string out;
    for (char32_t c : raw) {
      if (isAsciiAlnum(c))
        out.push_back(c >= 'a' && c <= 'z' ? c - 32 : c);
      else if (!out.empty() && c == ' ')
        break;
    }
    return out;
  }
  if (field == "amount") {
    std::u32string out;
    bool dot = false;
    for (char32_t c : raw) {
      if (isDigit(c))
        out.push_back(c);
      else if ((c == '.' || c == ',') && !dot && !out.empty()) {
        out.push_back('.');
        dot = true;
      } else if (!out.empty())
        break;
    }
    if (guessed && !out.empty() && (!dot || out.size() < 3 || out[out.size() - 3] != '.'))
      *guessed = true;
    return out;
  }
  if (field == "date") {
    // 2026年2月13日, 2026-02-13, 2026.2.13, with OCR'd separators in between.
    std::vector<std::u32string> parts;
    std::u32string cur;
    for (char32_t c : raw) {
      if (isDigit(c))
        cur.push_back(c);
      else if (!cur.empty()) {
        parts.push_back(cur);
        cur.clear();
      }
    }
    if (!cur.empty()) parts.push_back(cur);
    // 20261109: printed so, or its separators lost (2026/11/09 read as one run of digits; but
    // 2026/1/3 with its slashes read as 1 gives 20261113 too): to be confirmed.
    if (parts.size() == 1 && parts[0].size() == 8 && parts[0].rfind(U"20", 0) == 0) {
      parts = {parts[0].substr(0, 4), parts[0].substr(4, 2), parts[0].substr(6, 2)};
      if (guessed) *guessed = true;
    }
    // 2026/10110, 2026/097124: the year's separator read, the month's read as 1 or 7 (or both):
    // a two-digit month, one or two such characters, a two-digit day. To be confirmed.
    if (parts.size() == 2 && parts[0].size() == 4 && parts[0].rfind(U"20", 0) == 0 &&
        (parts[1].size() == 5 || parts[1].size() == 6)) {
      const std::u32string& rest = parts[1];
      const std::u32string between = rest.substr(2, rest.size() - 4);
      if (std::all_of(between.begin(), between.end(),
                      [](char32_t c) { return c == '1' || c == '7'; })) {
        parts = {parts[0], rest.substr(0, 2), rest.substr(rest.size() - 2)};
        if (guessed) *guessed = true;
      }
    }
    if (parts.size() < 3 || parts[0].size() != 4) return U"";
    const int m = std::stoi(toUtf8(parts[1])), d = std::stoi(toUtf8(parts[2]));
    if (m < 1 || m > 12 || d < 1 || d > 31) return U"";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s-%02d-%02d", toUtf8(parts[0]).c_str(), m, d);
    return toU32(buf);
  }
  if (field == "diagnosis") {
    // What a wide gap parts from the end of the diagnosis is not part of it when it is no more
    // than two characters, at most one of them Chinese: a speck or a stroke read as 二, 了 or "Ce".
    // A second diagnosis so parted (高血压  糖尿病) stays.
    std::u32string t = trim(raw);
    const std::size_t gap = t.rfind(U"  ");
    if (gap != std::u32string::npos) {
      const std::u32string tail = trim(t.substr(gap));
      if (tail.size() <= 2 && onlyHan(tail).size() <= 1) t = trim(t.substr(0, gap));
    }
    return t;
  }
  return trim(raw);
}

bool isUnitChar(char32_t c) {
  return c == U'盒' || c == U'瓶' || c == U'袋' || c == U'支' || c == U'粒' || c == U'片' ||
         c == U'板' || c == U'贴';
}

// What OCR makes of a table's border or a speck at the start of a line ("|  1. 阿莫西林…", "|RP.")
// or of a column's rule ("5盒 ”口服…").
bool isBorder(char32_t c) {
  return c == ' ' || c == '|' || c == '[' || c == ']' || c == '(' || c == ')' || c == U'“' ||
         c == U'”' || c == '"' || c == U'《' || c == U'》';
}

// What a ruled table's rules and a dot-matrix printer's stray dots are read as before or after a
// row's text ("，奥美拉唑肠溶片", "- 硝苯地平控释片 …5盒。"): anything but a Chinese character, a
// letter or a digit.
bool isStray(char32_t c) { return !isHan(c) && !isAsciiAlnum(c); }

// Where the usage starts on a drug's own line (a ruled table's last column, or a form that prints
// it after the quantity): the first usage word with a strength or quantity before it, so that a
// name holding such a word (葡萄糖酸钙口服溶液) is not cut. npos when the line has no usage.
std::size_t usageStart(const std::u32string& t, std::size_t from) {
  static const std::u32string_view kWords[] = {
      U"口服",   U"外用", U"含服", U"舌下", U"吸入", U"雾化", U"滴眼",
      U"滴耳",   U"滴鼻", U"静滴", U"静注", U"肌注", U"皮下", U"涂患处",
      U"遵医嘱", U"一次", U"每次", U"一日", U"每日", U"每晚", U"睡前"};
  bool counted = false;
  for (std::size_t k = from; k < t.size(); ++k) {
    if (counted && k > from + 2)
      for (std::u32string_view w : kWords)
        if (t.compare(k, w.size(), w) == 0) return k;
    counted = counted || isDigit(t[k]);
  }
  return std::u32string::npos;
}

// A ruled table's header row over the drugs: two or more of its column titles, and no digits.
bool isDrugTableHeader(const std::u32string& t) {
  if (std::any_of(t.begin(), t.end(), isDigit)) return false;
  int titles = 0;
  for (std::u32string_view w : {U"名称", U"规格", U"数量", U"用法", U"剂量", U"单位"})
    titles += t.find(w) != std::u32string::npos;
  return titles >= 2;
}

// Splits a drug line (up to `end`) into name, spec and "×N unit" and snaps the name to the
// catalogue. `numbered`: the line starts with its number as printed ("1.").
DrugLine parseDrugLine(const Span& s, std::size_t from, std::size_t end, const RecognizedLine& line,
                       const DrugLexicon* lexicon, bool numbered) {
  DrugLine d;
  const std::u32string& t = s.text;
  // A wide gap after the number ("1.", then the name where the table's next column starts): the
  // name starts past it when what follows, up to the next wide gap, holds a Chinese character
  // other than a unit's ("|阿莫西林胶囊", "0.9%氯化钠注射液"); not when no name was read and a
  // strength follows ("0.25gx24粒").
  std::size_t named = from;
  while (named < end && t[named] == ' ') ++named;
  const std::size_t field = std::min(end, t.find(U"  ", named));
  if (std::any_of(t.begin() + static_cast<std::ptrdiff_t>(named),
                  t.begin() + static_cast<std::ptrdiff_t>(field),
                  [](char32_t c) { return isHan(c) && !isUnitChar(c); }))
    from = named;
  // Quantity and unit at the end: ×5瓶 (× sometimes lost); in a table, before the rule of the
  // usage column, which OCR reads as |, a bracket, a quotation mark or a full stop.
  while (end > from && isStray(t[end - 1])) --end;
  std::size_t qtyStart = end;
  if (end > from && isUnitChar(t[end - 1])) {
    std::size_t digitsEnd = end - 1;
    while (digitsEnd > from && t[digitsEnd - 1] == ' ')
      --digitsEnd;  // "×5 瓶": OCR split the words
    std::size_t k = digitsEnd;
    while (k > from && isDigit(t[k - 1])) --k;
    if (k < digitsEnd) {
      d.quantity = valueOf(s, k, digitsEnd, line, t.substr(k, digitsEnd - k));
      d.unit = valueOf(s, end - 1, end, line, t.substr(end - 1, 1));
      qtyStart = k;
      while (qtyStart > from &&
             (t[qtyStart - 1] == U'×' || t[qtyStart - 1] == '*' || t[qtyStart - 1] == ' '))
        --qtyStart;
    }
  }
  // Name: the leading run up to a wide gap, or up to the first digit that starts a strength.
  std::size_t nameEnd = from;
  while (nameEnd < qtyStart &&
         !(t[nameEnd] == ' ' && nameEnd + 1 < qtyStart && t[nameEnd + 1] == ' '))
    ++nameEnd;
  std::u32string name = trim(t.substr(from, nameEnd - from));
  std::size_t specStart = nameEnd;
  // Where a strength starts right after the name with no gap ("…粉雾剂0.25g×24粒"): the first
  // digit that follows a Chinese character, perhaps with punctuation OCR made of a speck between
  // them ("…缓释片”10mg"). Names with digits (聚乙二醇4000散) keep theirs when the whole segment
  // matches the catalogue better.
  std::size_t cut = 0, cutSpec = 0, letterCut = 0;
  for (std::size_t k = from + 2; k < std::min(qtyStart, t.size()) && !cut; ++k) {
    if (!isDigit(t[k])) continue;
    std::size_t j = k;
    while (j > from + 2 && !isHan(t[j - 1]) && !isAsciiAlnum(t[j - 1]) && t[j - 1] != ' ') --j;
    if (isHan(t[j - 1])) {
      cut = j;
      cutSpec = k;
    }
  }
  // A strength whose first digit was read as a letter ("…地平片smg×7片"): tried only against the
  // catalogue, since names have letters too (维生素B6片).
  for (std::size_t k = from + 2; k < std::min(qtyStart, t.size()); ++k)
    if (isAsciiAlnum(t[k]) && !isDigit(t[k]) && isHan(t[k - 1])) {
      letterCut = k;
      break;
    }
  auto cleanName = [](const std::u32string& n) {
    std::u32string c;
    for (char32_t ch : n)
      if (isHan(ch) || isAsciiAlnum(ch)) c.push_back(ch);
    return c;
  };
  struct Candidate {
    std::u32string name;
    std::size_t end;        // where the name ends
    std::size_t specStart;  // where the strength starts
  };
  std::vector<Candidate> candidates = {{cleanName(name), from + name.size(), nameEnd}};
  if (cut) candidates.push_back({cleanName(trim(t.substr(from, cut - from))), cut, cutSpec});
  if (letterCut && (!cut || letterCut < cut))
    candidates.push_back({cleanName(trim(t.substr(from, letterCut - from))), letterCut, letterCut});
  // The name's leading run of Chinese characters, for a row whose rules or specks OCR read between
  // the name and its strength ("舍曲林片“，， ，，0.1gX12片"): tried only against the catalogue.
  std::size_t hanEnd = from;
  while (hanEnd < qtyStart && isHan(t[hanEnd])) ++hanEnd;
  if (hanEnd - from >= 3 && hanEnd - from < candidates.front().name.size())
    candidates.push_back({t.substr(from, hanEnd - from), hanEnd, hanEnd});
  std::optional<DrugSnap> best;
  std::size_t chosen = 0;
  if (lexicon) {
    // A name within the catalogue's 40% before one further, chosen on misreadings; then the
    // nearest. One further only on a line numbered as printed.
    auto rank = [](const DrugSnap& snap) {
      return std::pair(snap.furtherThanAllowed, snap.distance);
    };
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      auto snap = lexicon->snap(toUtf8(candidates[c].name));
      if (snap && snap->furtherThanAllowed && !numbered) snap.reset();
      if (snap && (!best || rank(*snap) < rank(*best))) {
        best = snap;
        chosen = c;
      }
    }
  }
  // A name the catalogue does not know ends where its strength starts: digits after a drug name
  // are its strength far more often than part of it.
  // (Only a cut within the name's own segment: past a wide gap the digits are the strength's.)
  if (!best && cut && cut <= nameEnd) chosen = 1;
  const Candidate& pick = candidates[chosen];
  specStart = pick.specStart;
  d.name = valueOf(s, from, pick.end, line, pick.name);
  while (specStart < qtyStart && isStray(t[specStart])) ++specStart;
  std::u32string spec;
  for (char32_t c : trim(t.substr(specStart, qtyStart > specStart ? qtyStart - specStart : 0)))
    if (c != ' ') spec.push_back(c);
  d.spec = valueOf(s, specStart, qtyStart, line, spec);
  // ...and with a strength or a quantity after it: a line of OCR junk among the drugs has neither.
  if (best && best->furtherThanAllowed && !std::any_of(spec.begin(), spec.end(), isDigit) &&
      d.quantity.value.empty())
    best.reset();
  if (lexicon) {
    if (best) {
      if (best->entry->name != d.name.value) {
        d.readAs = d.name.value;
        // A snapped name is as trustworthy as its distance allows; one of two drugs as near, chosen
        // by how the model misreads, is the pharmacist's to confirm.
        d.name.confidence = std::min(
            d.name.confidence, std::max(0.0f, 1.0f - 0.25f * static_cast<float>(best->distance)));
        if (best->chosenByMisreadings) d.name.confidence = std::min(d.name.confidence, 0.5f);
      }
      d.misread = best->distance;
      d.name.value = best->entry->name;
      d.drugClass = best->entry->drugClass;
      d.ephedrine = best->entry->ephedrine;
    } else {
      d.name.confidence = std::min(d.name.confidence, 0.3f);  // not in the catalogue: check by hand
    }
  }
  return d;
}

// Where the text of a numbered item ("1. 阿莫西林胶囊 …", "2、…") starts; npos if `t` is not one.
// `loose`: also the forms OCR makes of the number when its dot is lost or misread — the digits
// then a space, '_', ':' or ';' ("1 . 阿司匹林…", "2_ 阿莫西林…", "2: 氯吡格雷片"), or right before
// a Chinese character ("1起但司特…"). These are read often enough for other text too that the
// caller takes such a line only when its name is in the catalogue.
std::size_t itemStart(const std::u32string& t, bool loose = false) {
  std::size_t k = 0;
  while (k < t.size() && isBorder(t[k])) ++k;
  std::size_t digits = k;
  while (digits < t.size() && isDigit(t[digits])) ++digits;
  if (digits == k || digits >= t.size()) return std::u32string::npos;
  const char32_t c = t[digits];
  if (c == '.' || c == U'、' || c == ',') return digits + 1;
  if (loose && (c == ' ' || c == '_' || c == ':' || c == ';')) return digits + 1;
  if (loose && isHan(c)) return digits;
  return std::u32string::npos;
}

// A name snapped from a line numbered only in itemStart's loose form is shown for confirmation.
constexpr float kLooseItemConfidence = 0.79f;

bool containsAny(const std::u32string& t, std::initializer_list<std::u32string_view> words) {
  for (auto w : words)
    if (t.find(w) != std::u32string::npos) return true;
  return false;
}

// Where the institution's name ends in the header line `t`: after the last word that says what the
// institution is (医院, 卫生院, 中心, ...). What follows on the same line is something else: a
// 普通/急诊 box beside the name, the form's title, a seal's strokes read as characters.
std::size_t hospitalNameEnd(const std::u32string& t) {
  static const std::u32string_view kEnds[] = {U"医院",   U"卫生院", U"保健院", U"中心",
                                              U"诊所",   U"门诊部", U"卫生室", U"卫生所",
                                              U"医务室", U"分院",   U"院区"};
  std::size_t cut = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    for (std::u32string_view e : kEnds)
      if (t.compare(i, e.size(), e) == 0) cut = std::max(cut, i + e.size());
  return cut ? cut : t.size();
}

// What kind of institution a hospital's name says it is, as its name ends (人民医院, 妇幼保健院,
// 社区卫生服务中心...): the words of four or more characters Chinese medical institutions'
// names end with. (Shorter ones, 中医院 or 卫生院, are one character off too many names' ends:
// 协和医院 read doubtfully would become 协中医院.)
constexpr std::u32string_view kInstitutionKinds[] = {
    U"人民医院",   U"中心医院",         U"中医医院",      U"中西医结合医院", U"妇幼保健院",
    U"妇产医院",   U"儿童医院",         U"红十字医院",    U"口腔医院",       U"肿瘤医院",
    U"眼科医院",   U"骨科医院",         U"附属医院",      U"互联网医院",     U"精神卫生中心",
    U"中心卫生院", U"社区卫生服务中心", U"社区卫生服务站"};

// Other words institutions' names end with, shorter or rarer: never put back, but a name ending
// with one read as printed is not one of kInstitutionKinds misread (上海市第一妇婴保健院 is not
// 妇幼保健院, 北京大学口腔医学院 not 口腔医院).
constexpr std::initializer_list<std::u32string_view> kOtherInstitutionKinds = {
    U"中医院",           U"卫生院",   U"门诊部",   U"诊所",     U"卫生所",     U"卫生室",
    U"医务室",           U"医疗中心", U"医学中心", U"防治中心", U"眼科中心",   U"诊疗中心",
    U"急救中心",         U"体检中心", U"康复中心", U"保健中心", U"妇婴保健院", U"保健所",
    U"计划生育服务中心", U"医学院",   U"总医院",   U"专科医院", U"康复医院",   U"医疗集团"};

// A kind of institution misread at the end of a hospital's name (人代医沈 for 人民医院, 妇幼储奸院
// for 妇幼保健院): in `han` (Chinese characters only), the span nearest one of kInstitutionKinds,
// one or two characters off, and nearer it than any other kind. None when a kind is read as
// printed, or two kinds are as near: 协和医院 is as near 人民医院 as 中心医院, and is a name of its
// own.
struct KindMisread {
  std::size_t from = 0, to = 0;  // in `han`
  std::u32string_view kind;
};
std::optional<KindMisread> misreadKind(const std::u32string& han) {
  struct Nearest {
    int distance = 1 << 30;
    KindMisread at;
  };
  std::vector<Nearest> nearest;
  for (std::u32string_view kind : kInstitutionKinds) {
    Nearest n{1 << 30, {0, 0, kind}};
    for (std::size_t from = 0; from < han.size(); ++from)
      for (std::size_t len = kind.size() - 1; len <= kind.size() + 1 && from + len <= han.size();
           ++len) {
        // On a tie the longer span, so what was read keeps the misread characters (人代医沈,
        // not 人代医).
        const int d = editDistance(std::u32string_view(han).substr(from, len), kind);
        if (d < n.distance || (d == n.distance && len > n.at.to - n.at.from))
          n = {d, {from, from + len, kind}};
      }
    nearest.push_back(n);
  }
  // A kind read as printed: nothing to put back. Kinds not put back count here too (广州市越秀区
  // 中医院 is one character off 中心医院, 上海儿童医学中心 two off 儿童医院).
  if (std::any_of(nearest.begin(), nearest.end(), [](const auto& n) { return n.distance == 0; }) ||
      containsAny(han, kOtherInstitutionKinds))
    return std::nullopt;
  std::vector<Nearest> near;  // one or two characters off, nearest first, then longest
  for (const auto& n : nearest)
    if (n.distance <= 2) near.push_back(n);
  if (near.empty()) return std::nullopt;
  std::stable_sort(near.begin(), near.end(), [](const auto& a, const auto& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.at.kind.size() > b.at.kind.size();
  });
  // A longer kind misread round the nearest one is the name's (中西医结人党医院: 中西医结合医院,
  // not 人民医院 for 人党医院).
  auto holds = [](const KindMisread& a, const KindMisread& b) {
    return a.from <= b.from && b.to <= a.to;
  };
  Nearest best = near.front();
  for (const auto& n : near)
    if (n.at.kind.size() > best.at.kind.size() && holds(n.at, best.at)) best = n;
  // As near another kind (but one inside the longer kind taken): which is unknown.
  for (const auto& n : near)
    if (n.at.kind != best.at.kind && n.distance <= best.distance &&
        !(best.at.kind.size() > n.at.kind.size() && holds(best.at, n.at)))
      return std::nullopt;
  return best.at;
}

// A hospital's name read with less confidence than this may have its kind misread (misreadKind).
// Names read surely are kept as read: 人和医院 is one character off 人民医院, and a hospital's own.
constexpr float kDoubtfulHospital = 0.7f;

// Whether the character at `k` of `s` is the only one read, and doubtfully (below 50), of a word
// whose box is not shaped like one of the line's characters: lower than 60% of the surely read
// words' middle height, or more than twice as wide as it. (Words of more characters can have
// boxes far off their ink: ”北京 read right in a box a third of the line's height.)
bool unlikeTheLine(const Span& s, std::size_t k, const RecognizedLine& line) {
  if (k >= s.word.size() || s.word[k] < 0) return false;
  const RecognizedWord& w = line.words[static_cast<std::size_t>(s.word[k])];
  if (w.confidence >= 50 || onlyHan(toU32(w.text)).size() != 1) return false;
  std::vector<int> heights;
  for (const auto& other : line.words)
    if (other.confidence >= 80) heights.push_back(other.box.height);
  if (heights.size() < 3) return false;
  std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
  const int h = heights[heights.size() / 2];
  return h > 0 && (w.box.height * 10 < h * 6 || w.box.width > 2 * h);
}

// The hospital's name on the header line `s`: its Chinese characters up to the word that says
// what the institution is (hospitalNameEnd), or, when the line was read with little confidence,
// up to a kind of institution misread (misreadKind), put back and shown for confirmation (at
// most 0.6, with what was read). None when the line names no institution.
std::optional<FieldValue> hospitalIn(const Span& s, const RecognizedLine& line) {
  const std::u32string& t = s.text;
  const std::u32string han = onlyHan(t);
  const bool named = containsAny(han, {U"医院", U"中心", U"卫生", U"诊所", U"门诊部", U"保健院"});
  const std::optional<KindMisread> misread = misreadKind(han);
  if (!named && !misread) return std::nullopt;
  std::vector<std::size_t> at;  // the position in `t` of each Chinese character
  for (std::size_t k = 0; k < t.size(); ++k)
    if (isHan(t[k])) at.push_back(k);
  // Where the name ends, among its Chinese characters: a speck read inside a word of it
  // (`服务中\心共通`) does not hide where it ends.
  std::size_t end = hospitalNameEnd(t);
  const std::size_t cut = hospitalNameEnd(han);
  if (cut > 0 && cut < at.size()) end = std::min(end, at[cut - 1] + 1);
  // A lone character a wide gap parts from the name at its start is something else: the
  // edge of a phone's screen or of the form read as 二 or 一, a stroke of a box.
  std::size_t start = 0;
  const std::size_t gap = t.find(U"  ");
  if (gap != std::u32string::npos && gap + 2 < end && onlyHan(t.substr(0, gap)).size() <= 1 &&
      onlyHan(t.substr(gap, end - gap)).size() >= 4)
    start = gap + 2;
  // Nor is a character read doubtfully before it that is not the size of the name's characters
  // (a speck or a logo's stroke read as 和), when four or more follow.
  auto toHan = [&] {
    while (start < end && !isHan(t[start])) ++start;
  };
  toHan();
  if (start < end && unlikeTheLine(s, start, line) &&
      onlyHan(t.substr(start + 1, end - start - 1)).size() >= 4) {
    ++start;
    toHan();
  }
  if (misread && at[misread->from] >= start) {
    const std::size_t kindEnd = at[misread->to - 1] + 1;
    const std::u32string before = onlyHan(t.substr(start, at[misread->from] - start));
    FieldValue v = valueOf(s, start, kindEnd, line, before + std::u32string(misread->kind));
    if (v.confidence < kDoubtfulHospital && !before.empty()) {
      v.readAs = toUtf8(onlyHan(t.substr(start, kindEnd - start)));
      v.confidence = std::min(v.confidence, 0.6f);
      return v;
    }
  }
  if (!named) return std::nullopt;
  return valueOf(s, start, end, line, onlyHan(t.substr(start, end - start)));
}

// Puts back name characters the model reads as characters no name uses (ocr/names.h). A mended
// name keeps what was read and is shown for confirmation: the character put back is the likeliest
// one, not a certain one.
void mendNames(ExtractedFields& out) {
  for (const char* field : {"patient_name", "doctor"}) {
    auto it = out.fields.find(field);
    if (it == out.fields.end()) continue;
    MendedName mended = NameLexicon::standard().mend(it->second.value);
    if (!mended.changed) continue;
    it->second.readAs = it->second.value;
    it->second.value = std::move(mended.value);
    it->second.confidence = std::min(it->second.confidence, kMendedNameConfidence);
  }
}

}  // namespace

std::optional<std::string> numberInCode(const std::string& payload) {
  if (payload.size() > 64) return std::nullopt;
  std::u32string t = toU32(payload);
  for (char32_t& c : t) c = normalizeChar(c);
  // An optional label: letters or Chinese characters, then ':', '.', '=' or '#'.
  std::size_t start = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == ':' || t[i] == '.' || t[i] == '=' || t[i] == '#') {
      start = i + 1;
      break;
    }
    if (!(isHan(t[i]) || (t[i] < 0x80 && std::isalpha(static_cast<int>(t[i]))))) break;
  }
  const std::u32string token = trim(t.substr(start));
  for (char32_t c : token)
    if (!isAsciiAlnum(c) && c != '-') return std::nullopt;
  const std::u32string number = printedNumber(token);
  if (number.size() != token.size()) return std::nullopt;
  return toUtf8(number);
}

std::string normalizeText(const std::string& text) {
  RecognizedLine line;
  line.text = text;
  line.words.push_back({text, 100, {}});
  return toUtf8(normalizeLine(line).text);
}

// When the label of the date or of the number was not read (cut off by the frame, smudged), a
// date, or a run of 8-14 digits that is no other value, above the drugs is taken instead, at 60%
// of its confidence: review then asks the pharmacist to confirm it.
void findUnlabelled(const std::vector<Span>& spans, const std::vector<RecognizedLine>& lines,
                    std::size_t rpLine, ExtractedFields& out) {
  const bool wantDate = !out.fields.count("date"), wantNumber = !out.fields.count("rx_number");
  if (!wantDate && !wantNumber) return;
  std::optional<FieldValue> date, number;
  for (std::size_t li = 0; li < std::min(rpLine, lines.size()); ++li) {
    const std::u32string& t = spans[li].text;
    for (std::size_t k = 0; k < t.size();) {
      if (!isDigit(t[k])) {
        ++k;
        continue;
      }
      std::size_t e = k;
      while (e < t.size() && isDigit(t[e])) ++e;
      const std::size_t len = e - k;
      const bool afterLetter = k > 0 && isAsciiAlnum(t[k - 1]) && !isDigit(t[k - 1]);
      const bool yearLike = len == 4 && t[k] == '2' && t[k + 1] == '0' && e < t.size() &&
                            (t[e] == U'年' || t[e] == '-' || t[e] == '.' || t[e] == '/');
      if (wantDate && !date && yearLike) {
        const std::size_t to = std::min(t.size(), k + 12);
        const std::u32string value = cleanValue("date", t.substr(k, to - k));
        if (!value.empty()) date = valueOf(spans[li], k, to, lines[li], value);
      } else if (wantNumber && !number && !afterLetter && len >= 8 && len <= 14 &&
                 !(len == 11 && t[k] == '1') && !(e < t.size() && t[e] == '.')) {
        number = valueOf(spans[li], k, e, lines[li], t.substr(k, len));
      }
      k = e;
    }
  }
  for (auto& [name, v] : {std::pair{"date", &date}, std::pair{"rx_number", &number}})
    if (*v) {
      (*v)->confidence *= 0.6f;
      out.fields[name] = **v;
    }
}

// The patient's name when its 姓名 label was not read (a seal or a fleck over it, a table's rule
// read into it: "号 草娜  性别: 女", "[地 张建华  性别: 男"): a prescription prints the name right
// before the sex on one line, so the two to four Chinese characters just before a 性别 label that
// starts its line's labels are taken, when they read as a name (a family name, then given-name
// characters, after mending: ocr/names.h), at a confidence that asks the pharmacist to confirm
// it.
void findUnlabelledName(const std::vector<Span>& spans, const std::vector<RecognizedLine>& lines,
                        std::size_t rpLine, ExtractedFields& out) {
  if (out.fields.count("patient_name")) return;
  const NameLexicon& names = NameLexicon::standard();
  for (std::size_t li = 0; li < std::min(rpLine, lines.size()); ++li) {
    const std::u32string& t = spans[li].text;
    const auto found = findLabels(t);
    if (found.empty() || !found.front().label->field ||
        std::string(found.front().label->field) != "sex")
      continue;
    std::size_t end = found.front().start;
    while (end > 0 && !isHan(t[end - 1])) --end;
    std::size_t run = end;
    while (run > 0 && isHan(t[run - 1])) --run;
    if (end - run < 2 || end - run > kLongestName + 1) continue;
    // The longest end of the word that reads as a name: what the label was read as may be
    // glued to it ("[地张建华").
    for (std::size_t start = run; start + 2 <= end; ++start) {
      if (end - start > kLongestName) continue;
      const std::u32string word = t.substr(start, end - start);
      const std::u32string mended = toU32(names.mend(toUtf8(word)).value);
      if (mended.size() < 2 || !names.isSurname(mended[0]) ||
          !std::all_of(mended.begin() + 1, mended.end(),
                       [&](char32_t c) { return names.isGiven(c); }))
        continue;
      FieldValue v = valueOf(spans[li], start, end, lines[li], word);
      v.confidence = std::min(v.confidence, 0.6f);
      out.fields["patient_name"] = std::move(v);
      return;
    }
  }
}

// The number and the date checked against each other. A misread digit in the number is put back
// or caps its confidence (mendNumber); a number that carries a date (see dateInNumber) which
// differs from the date read lowers both confidences (the date's to 0.5, the number's to 0.6),
// since one of them was misread (2026年11月9日 read as 2026-01-08) and the validity rule trusts
// the date. (The number's date is not offered when no date was read: reuse
// detection would then count the same digits twice, as the date and as the number's ink, and two
// prescriptions of one day were taken for the same paper.)
void checkNumberAndDate(ExtractedFields& out) {
  auto number = out.fields.find("rx_number");
  if (number == out.fields.end()) return;
  std::u32string n = toU32(number->second.value);
  const float cap = mendNumber(n);
  if (cap < 1.0f) {
    if (toUtf8(n) != number->second.value) number->second.readAs = number->second.value;
    number->second.value = toUtf8(n);
    number->second.confidence = std::min(number->second.confidence, cap);
  }
  const std::u32string carried = dateInNumber(n);
  if (carried.empty()) return;
  auto date = out.fields.find("date");
  if (date != out.fields.end() && toU32(date->second.value) != carried) {
    date->second.confidence = std::min(date->second.confidence, 0.5f);
    number->second.confidence = std::min(number->second.confidence, 0.6f);
  }
}

ExtractedFields extractFields(const std::vector<RecognizedLine>& lines, const DrugLexicon* lexicon,
                              LabelMatch labels) {
  ExtractedFields out;
  std::vector<Span> spans;
  spans.reserve(lines.size());
  for (const auto& l : lines) spans.push_back(normalizeLine(l));

  std::map<std::string, FieldValue>
      misreadLabelled;  // fields of labels read with a wrong character
  // A drug's line: numbered as printed; or in a looser form (itemStart), or not numbered at all
  // (a ruled table's row), when its name is in the catalogue — a name found so is shown for
  // confirmation. A usage on the same line (the table's last column) is the drug's usage.
  auto drugLine = [&](std::size_t li) -> std::optional<DrugLine> {
    const std::u32string& t = spans[li].text;
    auto parse = [&](std::size_t from, bool numbered = false) {
      const std::size_t usage = usageStart(t, from);
      DrugLine d =
          parseDrugLine(spans[li], from, std::min(usage, t.size()), lines[li], lexicon, numbered);
      if (usage != std::u32string::npos)
        d.usage = valueOf(spans[li], usage, t.size(), lines[li], trim(t.substr(usage)));
      return d;
    };
    if (const std::size_t from = itemStart(t); from != std::u32string::npos)
      return parse(from, /*numbered=*/true);
    // Where the name may start: after a number read loosely, perhaps behind specks, or behind one
    // or two characters read from specks and a gap ("了1. 阿司匹林…", "这    3. 莫沙必利片…",
    // "ee    3.吴塞米上…"); else at the line's first Chinese character past rules and specks,
    // past a letter glued to it (the number read as I or l: "I美洛昔康片"), past one or two
    // characters and a gap (a speck read as 时: "时  贝拉唑钠肠深片"), or past a ruled table's
    // first rule when a character or two stand before it (the number's column read as 人:
    // "人  |比罕洛尔片"). The start whose name is nearest the catalogue is taken.
    std::vector<std::size_t> starts;
    std::size_t k = 0;
    while (k < t.size() && isStray(t[k])) ++k;
    std::size_t from = itemStart(t, /*loose=*/true);
    std::size_t number = k;
    if (number < t.size() && !isDigit(t[number])) {
      ++number;
      // Two characters read from specks stand apart from what follows ("ee    3.吴塞米上").
      if (number + 1 < t.size() && t[number] != ' ' && !isDigit(t[number]) && t[number + 1] == ' ')
        ++number;
      while (number < t.size() && t[number] == ' ') ++number;
    }
    if (from == std::u32string::npos && number < t.size() && isDigit(t[number])) {
      if (const std::size_t after = itemStart(t.substr(number), /*loose=*/true);
          after != std::u32string::npos)
        from = number + after;
    }
    if (from != std::u32string::npos) {
      starts.push_back(from);
    } else {
      if (k < t.size() && isHan(t[k]))
        starts.push_back(k);
      else if (k + 1 < t.size() && isLetterOrHan(t[k]) && isHan(t[k + 1]))
        starts.push_back(k + 1);
      if (number > k + 1 && number < t.size() && isLetterOrHan(t[k]) && isHan(t[number]))
        starts.push_back(number);
      if (const std::size_t rule = t.find('|'); rule != std::u32string::npos) {
        const auto before = std::count_if(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(rule),
                                          [](char32_t c) { return c != ' '; });
        std::size_t j = rule + 1;
        while (j < t.size() && isStray(t[j])) ++j;
        if (before >= 1 && before <= 2 && j < t.size() && isHan(t[j])) starts.push_back(j);
      }
    }
    std::optional<DrugLine> best;
    for (const std::size_t from : starts) {
      DrugLine d = parse(from);
      // Read at least as long as the shortest names (叶酸片): "2 盒" is no drug line.
      if (d.drugClass.empty() || toU32(d.readAs.value_or(d.name.value)).size() < 3) continue;
      if (!best || d.misread < best->misread) best = std::move(d);
    }
    if (best) best->name.confidence = std::min(best->name.confidence, kLooseItemConfidence);
    return best;
  };
  bool inDrugs = false, drugsEnded = false;
  std::size_t rpLine = lines.size();
  for (std::size_t li = 0; li < lines.size(); ++li) {
    const Span& s = spans[li];
    const std::u32string& t = s.text;
    // The hospital: the first line naming an institution, before the fields start.
    if (!out.fields.count("hospital") && out.fields.size() <= 1 && onlyHan(t).size() >= 4 &&
        findLabels(t).empty()) {
      if (auto hospital = hospitalIn(s, lines[li])) {
        out.fields["hospital"] = std::move(*hospital);
        continue;
      }
    }
    std::size_t lead = 0;
    while (lead < t.size() && isBorder(t[lead])) ++lead;
    const std::u32string head = trim(t.substr(lead));
    if (head.rfind(U"Rp", 0) == 0 || head.rfind(U"RP", 0) == 0 || head == U"R" ||
        (!drugsEnded && isDrugTableHeader(t))) {
      inDrugs = true;
      rpLine = std::min(rpLine, li);
      continue;
    }
    // Within the drugs, a drug line's words ([医保], 用量) are never taken for misread labels: a
    // misread label counts only on a line that holds no label as printed and is no drug line.
    std::optional<std::optional<DrugLine>> drug;  // this line as a drug's, once asked
    auto drugHere = [&]() -> std::optional<DrugLine>& {
      if (!drug) drug = drugLine(li);
      return *drug;
    };
    auto found = findLabels(t, labels != LabelMatch::kExact && !inDrugs);
    if (labels == LabelMatch::kTolerant && inDrugs && found.empty() &&
        itemStart(t, /*loose=*/true) == std::u32string::npos && !drugHere())
      found = findLabels(t, /*tolerant=*/true);
    if (inDrugs && !found.empty() && found.front().label->field &&
        std::string(found.front().label->field) == "usage") {
      // A misread 用法 fills a drug's usage only when it has none.
      if (!out.drugs.empty() &&
          !(found.front().tolerant && !out.drugs.back().usage.value.empty())) {
        std::size_t from = found.front().end;
        FieldValue& usage = out.drugs.back().usage;
        usage = valueOf(s, from, t.size(), lines[li], trim(t.substr(from)));
        if (found.front().tolerant) usage.confidence = std::min(usage.confidence, 0.7f);
      }
      continue;
    }
    // The Rp mark is a single large glyph the model sometimes reads as something else ("AD");
    // the first numbered line followed by its usage line starts the drugs then.
    if (!inDrugs && !drugsEnded && found.empty() &&
        itemStart(t, /*loose=*/true) != std::u32string::npos && li + 1 < lines.size() &&
        spans[li + 1].text.find(U"用法") != std::u32string::npos && drugLine(li)) {
      inDrugs = true;
      rpLine = std::min(rpLine, li);
    }
    // Nor read the table's header (a stray digit in it, a title misread): below the patient's
    // fields, the first line naming a drug of the catalogue, a third of what was read of its name
    // misread at most (40%, as the catalogue allows, behind a number printed with its dot:
    // "2.弃尼徐片" for 泼尼松片), with a strength (digits) or a quantity after it, starts the
    // drugs. (A line only naming a drug — an allergy, a skin test — has neither.)
    auto startsDrugs = [&] {
      const auto& d = drugHere();
      if (!d || d->drugClass.empty()) return false;
      const auto read = static_cast<int>(toU32(d->readAs.value_or(d->name.value)).size());
      const std::u32string spec = toU32(d->spec.value);
      const bool numbered = itemStart(t) != std::u32string::npos;
      return (numbered ? d->misread <= allowedMisreadings(read) : d->misread * 3 <= read) &&
             (std::any_of(spec.begin(), spec.end(), isDigit) || !d->quantity.value.empty());
    };
    const bool belowPatient =
        out.fields.count("patient_name") || out.fields.count("sex") || out.fields.count("age");
    if (!inDrugs && !drugsEnded && found.empty() && belowPatient && startsDrugs()) {
      inDrugs = true;
      rpLine = std::min(rpLine, li);
    }
    if (inDrugs && found.empty()) {
      // "1. 阿莫西林胶囊  0.25g×24粒  ×2盒"
      if (auto& d = drugHere()) out.drugs.push_back(std::move(*d));
      continue;
    }
    for (std::size_t i = 0; i < found.size(); ++i) {
      const Occurrence& o = found[i];
      if (!o.label->field) continue;
      // Past the line's first label, a misread one only ends the value before it.
      if (o.tolerant && labels == LabelMatch::kFirstTolerant && i > 0) continue;
      const std::string field = o.label->field;
      if (field == "usage") continue;
      if (field == "doctor" || field == "amount") {
        inDrugs = false;
        drugsEnded = true;
      }
      auto& into = o.tolerant ? misreadLabelled : out.fields;
      if (out.fields.count(field) || into.count(field)) continue;
      const std::size_t to = i + 1 < found.size() ? found[i + 1].start : t.size();
      const std::u32string raw = t.substr(o.end, to - o.end);
      bool guessed = false;
      const std::u32string value = cleanValue(field, raw, &guessed);
      if (value.empty()) continue;
      std::size_t from = o.end;
      while (from < to && (t[from] == ' ' || isLabelSeparator(t[from]))) ++from;
      // A name's box and confidence are its own words', not those of what was cut off after it.
      const bool name = field == "patient_name" || field == "doctor";
      const std::size_t end = name ? o.end + nameSegment(raw).size() : to;
      into[field] = valueOf(s, from, end, lines[li], value);
      // The label itself was misread: the value may belong to another field; confirm it.
      if (o.tolerant) into[field].confidence = std::min(into[field].confidence, 0.7f);
      if (guessed) into[field].confidence = std::min(into[field].confidence, 0.6f);
      // A name with something read onto it (cleanValue): confirm it.
      if (name && value.size() > kLongestName)
        into[field].confidence = std::min(into[field].confidence, 0.5f);
    }
  }
  // A field whose label was misread counts only when no line carried the label as printed.
  for (auto& [field, value] : misreadLabelled) out.fields.emplace(field, std::move(value));
  findUnlabelled(spans, lines, rpLine, out);
  findUnlabelledName(spans, lines, rpLine, out);
  checkNumberAndDate(out);
  mendNames(out);
  return out;
}

}  // namespace rx::ocr
