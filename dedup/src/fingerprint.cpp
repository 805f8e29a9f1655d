#include "dedup/fingerprint.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <sstream>

#include <opencv2/imgproc.hpp>

#include "base/time.h"
#include "base/utf8.h"
#include "crypto/hash.h"

namespace rx::dedup {

const char* inkRegionName(int region) {
  static const char* kNames[] = {"number", "date", "patient", "drugs"};
  return region >= 0 && region < kInkRegions ? kNames[region] : "?";
}

std::string normalizeNumber(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) out += c;
  }
  return out;
}

std::string normalizeName(std::string_view s) {
  std::u32string out;
  for (char32_t c : toU32(s)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c <= 0x7F && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      continue;
    if (c == 0x3000 || c == 0x00B7 || c == 0x30FB || (c >= 0x3001 && c <= 0x3011)) continue;
    out += c;
  }
  return toUtf8(out);
}

std::uint64_t Fingerprinter::keyed(std::string_view domain, std::string_view value) const {
  std::string message(domain);
  message += '\0';
  message.append(value);
  const auto mac =
      crypto::hmacSha256(key_.data(), key_.size(),
                         reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | mac[i];
  return v == 0 ? 1 : v;  // 0 means "unknown"
}

namespace {

// 4x16 low DCT frequencies of the ink, thresholded at their median.
std::uint64_t dctBits(const cv::Mat& ink) {
  cv::Mat f;
  ink.convertTo(f, CV_32F, 1.0 / 255);
  cv::Mat resized;
  cv::resize(f, resized, cv::Size(128, 32), 0, 0, cv::INTER_AREA);
  cv::Mat freq;
  cv::dct(resized, freq);
  std::array<float, 64> c{};
  int k = 0;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 16; ++x) c[k++] = freq.at<float>(y, x + (y == 0 ? 1 : 0));
  std::array<float, 64> sorted = c;
  std::nth_element(sorted.begin(), sorted.begin() + 32, sorted.end());
  const float median = sorted[32];
  std::uint64_t bits = 0;
  for (int i = 0; i < 64; ++i)
    if (c[i] > median) bits |= std::uint64_t{1} << i;
  return bits;
}

}  // namespace

std::optional<std::uint64_t> inkHash(const cv::Mat& pageGray, const cv::Rect& box) {
  if (pageGray.empty() || pageGray.type() != CV_8UC1) return std::nullopt;
  const int pad = std::max(4, box.height / 4);
  cv::Rect r(box.x - pad, box.y - pad, box.width + 2 * pad, box.height + 2 * pad);
  r &= cv::Rect(0, 0, pageGray.cols, pageGray.rows);
  if (r.width < 8 || r.height < 8) return std::nullopt;
  cv::Mat ink;
  cv::threshold(pageGray(r), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  // Ink shorter than a stroke is noise (specks, grain), and a near-empty box is not evidence.
  cv::morphologyEx(ink, ink, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {2, 2}));
  const cv::Rect bounds = cv::boundingRect(ink);
  if (bounds.area() == 0 || cv::countNonZero(ink) < 40) return std::nullopt;
  return dctBits(ink(bounds));
}

void Fingerprinter::setIdentity(Fingerprint& fp, const PresentationContent& content) const {
  fp.number = 0;
  fp.numberRead = fp.numberSure = false;
  fp.numberNear.clear();
  const std::string number = normalizeNumber(content.rxNumber);
  if (number.size() >= 4) {
    fp.number = keyed("number", number);
    fp.numberRead = content.numberRead;
    fp.numberSure = content.numberRead && content.numberSure;
    fp.numberNear.push_back(fp.number);
    for (std::size_t i = 0; i < number.size(); ++i)
      fp.numberNear.push_back(keyed("number", number.substr(0, i) + number.substr(i + 1)));
    std::sort(fp.numberNear.begin(), fp.numberNear.end());
    fp.numberNear.erase(std::unique(fp.numberNear.begin(), fp.numberNear.end()),
                        fp.numberNear.end());
  }
  const std::string issuer = normalizeName(content.issuer);
  fp.issuer = issuer.empty() ? 0 : keyed("issuer", issuer);
  fp.date = isIsoDate(content.date) ? keyed("date", content.date) : 0;
  const std::string patient = normalizeName(content.patient);
  fp.patient = patient.empty() ? 0 : keyed("patient", patient);
}

void Fingerprinter::setDrugs(Fingerprint& fp, const std::vector<std::string>& names) const {
  fp.drugs.clear();
  for (const auto& d : names)
    if (auto name = normalizeName(d); !name.empty()) fp.drugs.push_back(keyed("drug", name));
  std::sort(fp.drugs.begin(), fp.drugs.end());
  fp.drugs.erase(std::unique(fp.drugs.begin(), fp.drugs.end()), fp.drugs.end());
}

Fingerprint Fingerprinter::make(const PresentationContent& content, const cv::Mat& page,
                                const InkBoxes& boxes) const {
  Fingerprint fp;
  setIdentity(fp, content);
  setDrugs(fp, content.drugs);

  // SimHash over character bigrams of the values, each bigram weighted once per occurrence.
  std::array<int, 256> votes{};
  int features = 0;
  for (const auto& v : content.values) {
    const std::u32string cps = toU32(normalizeName(v));
    for (std::size_t i = 0; i + 1 < cps.size(); ++i) {
      const std::string gram = toUtf8(cps.substr(i, 2));
      std::string message = "text";
      message += '\0';
      message += gram;
      const auto h =
          crypto::hmacSha256(key_.data(), key_.size(),
                             reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
      for (int b = 0; b < 256; ++b) votes[b] += (h[b / 8] >> (b % 8)) & 1 ? 1 : -1;
      ++features;
    }
  }
  if (features >= 4) {
    fp.hasText = true;
    for (int b = 0; b < 256; ++b)
      if (votes[b] > 0) fp.text[b / 64] |= std::uint64_t{1} << (b % 64);
  }

  if (!page.empty())
    for (int region = 0; region < kInkRegions; ++region) {
      if (!boxes[region]) continue;
      if (auto h = inkHash(page, *boxes[region])) {
        fp.ink[region] = *h;
        fp.inkRegions |= static_cast<std::uint8_t>(1 << region);
      }
    }
  return fp;
}

namespace {

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

bool parseHex64(const std::string& s, std::uint64_t& out) {
  if (s.size() != 16) return false;
  out = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    out = (out << 4) | static_cast<unsigned>(d);
  }
  return true;
}

std::string hexList(const std::vector<std::uint64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + hex64(v[i]);
  return out;
}

std::string hex256(const Hash256& h) {
  return hex64(h[0]) + hex64(h[1]) + hex64(h[2]) + hex64(h[3]);
}

}  // namespace

// One "name=value" per line; lists are comma separated; 256-bit hashes are 64 hex digits.
std::string Fingerprint::serialize() const {
  std::ostringstream out;
  out << "v=1\nnumber=" << hex64(number) << "\nread=" << (numberRead ? (numberSure ? 2 : 1) : 0)
      << "\nnear=" << hexList(numberNear) << "\nissuer=" << hex64(issuer)
      << "\ndate=" << hex64(date) << "\npatient=" << hex64(patient) << "\ndrugs=" << hexList(drugs)
      << "\ntext=" << (hasText ? hex256(text) : "") << "\nink=" << static_cast<int>(inkRegions)
      << ":" << hex256(ink) << "\n";
  return out.str();
}

Result<Fingerprint> Fingerprint::parse(const std::string& text) {
  Fingerprint fp;
  std::istringstream in(text);
  auto bad = [](const std::string& what) {
    return Status(ErrorCode::kCorrupt, "fingerprint: bad " + what);
  };
  auto list = [&](const std::string& v, std::vector<std::uint64_t>& out) {
    std::istringstream items(v);
    for (std::string item; std::getline(items, item, ',');) {
      std::uint64_t x;
      if (!parseHex64(item, x)) return false;
      out.push_back(x);
    }
    return true;
  };
  auto h256 = [&](const std::string& v, Hash256& out) {
    if (v.size() != 64) return false;
    for (int i = 0; i < 4; ++i)
      if (!parseHex64(v.substr(i * 16, 16), out[i])) return false;
    return true;
  };
  bool version = false;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return bad("line '" + line.substr(0, 20) + "'");
    const std::string key = line.substr(0, eq), v = line.substr(eq + 1);
    bool ok = true;
    if (key == "v") {
      ok = version = v == "1";
    } else if (key == "number") {
      ok = parseHex64(v, fp.number);
    } else if (key == "read") {
      ok = v == "0" || v == "1" || v == "2";
      fp.numberRead = v == "1" || v == "2";
      fp.numberSure = v == "2";
    } else if (key == "near") {
      ok = list(v, fp.numberNear);
    } else if (key == "issuer") {
      ok = parseHex64(v, fp.issuer);
    } else if (key == "date") {
      ok = parseHex64(v, fp.date);
    } else if (key == "patient") {
      ok = parseHex64(v, fp.patient);
    } else if (key == "drugs") {
      ok = list(v, fp.drugs);
    } else if (key == "text") {
      fp.hasText = !v.empty();
      ok = v.empty() || h256(v, fp.text);
    } else if (key == "ink") {
      const auto colon = v.find(':');
      ok = colon != std::string::npos && colon <= 2 && h256(v.substr(colon + 1), fp.ink);
      if (ok) {
        const int regions = std::atoi(v.substr(0, colon).c_str());
        ok = regions >= 0 && regions < 16;
        fp.inkRegions = static_cast<std::uint8_t>(regions);
      }
    } else {
      ok = false;
    }
    if (!ok) return bad("'" + key + "'");
  }
  if (!version) return bad("version (expected v=1)");
  return fp;
}

}  // namespace rx::dedup
