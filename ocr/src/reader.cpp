#include "ocr/reader.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "base/utf8.h"
#include "ocr/barcodes.h"
#include "stage_clock.h"

namespace rx::ocr {

namespace {
// A line cut from the page for reading again: scaled so that its text, `lineHeight` pixels high
// now, is `textHeight` high, on a white margin (Tesseract reads a line poorly that touches the
// image edge).
cv::Mat enlarged(const cv::Mat& crop, int lineHeight, int textHeight) {
  cv::Mat region;
  const double scale = static_cast<double>(textHeight) / std::max(1, lineHeight);
  cv::resize(crop, region, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
  const int border = textHeight / 3;
  cv::copyMakeBorder(region, region, border, border, border, border, cv::BORDER_CONSTANT,
                     cv::Scalar(255));
  return region;
}

// recoverMissedLines: a line Tesseract read with less confidence than this is read again. (A
// line's confidence is 100 plus 5 times its words' mean certainty, clipped at 0, and a word's
// certainty is its least sure character's: one speck read as a character at a very low certainty
// brings a line of sure characters to 0. On 12 of the generator's default photos, 5 lines of 160
// are below 30.)
constexpr float kDoubtfulLine = 30;
// A line no recognised line covered is kept when read with this confidence.
constexpr float kMissedLineConfidence = 50;
// At most so many bands of a page are read again, of lines nothing covered and again of
// doubtful ones.
constexpr int kMaxRereadLines = 8;

// A word read with this confidence or more is sure.
constexpr float kSureWord = 50;

// The characters of a line read with some confidence (letters, digits and Chinese characters of
// sure words): a re-reading takes doubtful lines' place when it has more of them.
int sureCharacters(const RecognizedLine& line) {
  int sure = 0;
  for (const auto& w : line.words) {
    if (w.confidence < kSureWord) continue;
    for (const char32_t c : toU32(w.text))
      if ((c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z') ||
          isHan(c))
        ++sure;
  }
  return sure;
}

}  // namespace

// A name's line cut from the page for reading again: from a little before its label to past the
// value, so that a following label ends it. What lies above and below the line itself is painted
// white, and so is a form's vertical rule: a name's box taller than its text (a stroke of the next
// line taken in) reaches into the lines above and below, and a rule beside the label joins them;
// Tesseract then reads two lines as one, or nothing (of 795 re-readings of rx-photos-v1's 159
// names at 24–56 px, 101 found no name as cut, 7 so cleaned). The line is the band of inked rows
// around the name's middle; ink is taken against its surroundings, so that a shadow across the
// photo is none. Empty when the crop leaves the page.
cv::Mat nameLine(const cv::Mat& page, const cv::Rect& box) {
  const int h = box.height, margin = h / 6;
  const cv::Rect crop =
      cv::Rect(box.x - h * 11 / 2, box.y - margin, box.width + h * 8, h + 2 * margin) &
      cv::Rect(0, 0, page.cols, page.rows);
  if (crop.area() <= 0) return {};
  cv::Mat line = page(crop).clone();
  cv::Mat ink, rules;
  cv::adaptiveThreshold(line, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                        (h | 1) + 2, 12);
  cv::morphologyEx(ink, rules, cv::MORPH_OPEN,
                   cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, h * 3 / 2)));
  cv::dilate(rules, rules, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
  line.setTo(255, rules);
  ink.setTo(0, rules);
  cv::Mat rows;
  cv::reduce(ink, rows, 1, cv::REDUCE_SUM, CV_32S);
  const auto inked = [&rows](int y) { return rows.at<int>(y) >= 2 * 255; };
  // Two blank rows end the band: one may fall inside a character.
  int top = std::clamp(box.y + h / 2 - crop.y, 0, line.rows - 1), bottom = top;
  for (int gap = 0; top > 0 && gap <= 1;) gap = inked(--top) ? 0 : gap + 1;
  for (int gap = 0; bottom < line.rows - 1 && gap <= 1;) gap = inked(++bottom) ? 0 : gap + 1;
  const int band = bottom - top + 1;
  if (band < h / 3) return line;  // no text around the middle: nothing to tell lines apart by
  const int pad = band / 6;
  line.rowRange(0, std::max(0, top - pad)).setTo(255);
  line.rowRange(std::min(line.rows, bottom + 1 + pad), line.rows).setTo(255);
  return line;
}

PrescriptionReader::PrescriptionReader(std::unique_ptr<Recognizer> recognizer,
                                       const DrugLexicon* lexicon, ImageLimits limits)
    : recognizer_(std::move(recognizer)), lexicon_(lexicon), limits_(limits) {}

std::unique_ptr<PrescriptionReader> makeStandardReader(const DrugLexicon* lexicon,
                                                       ImageLimits limits) {
  return std::make_unique<PrescriptionReader>(makeTesseractRecognizer("chi_sim"), lexicon, limits);
}

Result<ReadResult> PrescriptionReader::readFile(const std::string& path) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, loadImage(path, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(ReadResult r,
                      readPhoto(std::move(image), [&] { return loadImage(path, limits_); }));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
}

Result<ReadResult> PrescriptionReader::read(const std::vector<std::uint8_t>& bytes,
                                            const std::string& name) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, decodeImage(bytes, name, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(
      ReadResult r, readPhoto(std::move(image), [&] { return decodeImage(bytes, name, limits_); }));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
}

void PrescriptionReader::recoverMissedLines(const cv::Mat& page,
                                            std::vector<RecognizedLine>& lines) {
  // Tesseract's page layout sometimes drops a whole text line (seen: the number and date line
  // under the title of a photo whose top edge the frame cut), or takes a line together with what
  // lies next to it (a rule's remains, a table row's border) and reads nothing sure of it (seen:
  // `医师: 许磊  金额: 284.84元` under a rule read as `Re` at confidence 0). Rows of ink that no
  // line read with some confidence covers are read again as single lines. A re-read line takes
  // the place of the doubtful lines it lies in when it is surer than they were; a line no
  // recognised line covered is kept when it reads with some confidence.
  cv::Mat ink;
  cv::threshold(eraseRules(page), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  cv::Mat rows;
  cv::reduce(ink, rows, 1, cv::REDUCE_SUM, CV_32S);
  const int minInk = std::max(8, page.cols / 200) * 255;
  const auto doubtful = [](const RecognizedLine& l) { return l.confidence < kDoubtfulLine; };
  // Rows inside a line read with confidence are taken; what ink remains is in lines Tesseract
  // missed or read with none.
  for (const auto& l : lines)
    if (!doubtful(l))
      for (int y = std::max(0, l.box.y); y < std::min(rows.rows, l.box.y + l.box.height); ++y)
        rows.at<int>(y) = 0;
  std::vector<std::pair<int, int>> bands;  // [from, to)
  for (int y = 0, start = -1, gap = 0; y <= rows.rows; ++y) {
    const bool inked = y < rows.rows && rows.at<int>(y) >= minInk;
    if (inked) {
      if (start < 0) start = y;
      gap = 0;
    } else if (start >= 0 && (++gap > 3 || y == rows.rows)) {
      const int end = y - gap + 1;
      if (end - start >= 18 && end - start <= 90) bands.emplace_back(start, end);
      start = -1;
      gap = 0;
    }
  }
  // The doubtful lines each band lies in: those it overlaps by a third of the lower of the two
  // heights or more (a doubtful line may be lower than a band of it and the rows next to it).
  std::vector<std::vector<std::size_t>> under(bands.size());
  for (std::size_t b = 0; b < bands.size(); ++b)
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const cv::Rect& box = lines[i].box;
      const int overlap =
          std::min(bands[b].second, box.y + box.height) - std::max(bands[b].first, box.y);
      if (doubtful(lines[i]) &&
          3 * overlap >= std::min(bands[b].second - bands[b].first, box.height))
        under[b].push_back(i);
    }
  const auto readBand = [&](std::size_t b) {
    const auto [from, to] = bands[b];
    const cv::Rect band =
        cv::Rect(0, from - 6, page.cols, to - from + 12) & cv::Rect(0, 0, page.cols, page.rows);
    std::vector<RecognizedLine> read;
    auto again = recognizer_->recognize(page(band), Layout::kSingleLine);
    if (!again) return read;
    for (RecognizedLine& l : *again) {
      if (toU32(l.text).size() < 2) continue;
      l.box.y += band.y;
      for (auto& w : l.words) w.box.y += band.y;
      read.push_back(std::move(l));
    }
    return read;
  };
  std::vector<RecognizedLine> found;
  // Lines nothing covered first: kept when read with some confidence.
  int reread = 0;
  for (std::size_t b = 0; b < bands.size() && reread < kMaxRereadLines; ++b) {
    if (!under[b].empty()) continue;
    ++reread;
    for (RecognizedLine& l : readBand(b))
      if (l.confidence >= kMissedLineConfidence) found.push_back(std::move(l));
  }
  // Then doubtful lines, each with the bands that lie in it (a line Tesseract took over two rows
  // of text has two; a band across two lines joins them): their re-readings replace them when
  // they have more sure characters together, are no less sure, and name as many drugs the
  // catalogue knows, so that a drug's name misread but still snapped (`惰西汀胶`, which is
  // 氟西汀胶囊) is not given up for one misread otherwise (`鳞西洒胶惠`).
  std::vector<std::size_t> group(lines.size());
  std::iota(group.begin(), group.end(), 0);
  const auto root = [&group](std::size_t i) {
    while (group[i] != i) i = group[i] = group[group[i]];
    return i;
  };
  for (const auto& in : under)
    for (std::size_t k = 1; k < in.size(); ++k) group[root(in[k])] = root(in[0]);
  std::vector<bool> replaced(lines.size(), false), done(bands.size(), false);
  reread = 0;
  for (std::size_t b = 0; b < bands.size(); ++b) {
    if (under[b].empty() || done[b]) continue;
    const std::size_t g = root(under[b][0]);
    std::vector<std::size_t> itsBands;
    for (std::size_t c = b; c < bands.size(); ++c)
      if (!under[c].empty() && root(under[c][0]) == g) itsBands.push_back(c);
    // A group that no longer fits is left as read (all of it: a part of its bands read again
    // would replace all of its lines).
    for (const std::size_t c : itsBands) done[c] = true;
    if (reread + static_cast<int>(itsBands.size()) > kMaxRereadLines) continue;
    reread += static_cast<int>(itsBands.size());
    std::vector<RecognizedLine> again;
    for (const std::size_t c : itsBands)
      for (RecognizedLine& l : readBand(c)) again.push_back(std::move(l));
    std::vector<std::size_t> itsLines;
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (root(i) == g) itsLines.push_back(i);
    int sureBefore = 0, sureAfter = 0, drugsBefore = 0, drugsAfter = 0;
    float confidenceBefore = 0, confidenceAfter = 0;
    for (const std::size_t i : itsLines) {
      sureBefore += sureCharacters(lines[i]);
      drugsBefore += knownDrugs(lines[i]);
      confidenceBefore = std::max(confidenceBefore, lines[i].confidence);
    }
    for (const auto& l : again) {
      sureAfter += sureCharacters(l);
      drugsAfter += knownDrugs(l);
      confidenceAfter = std::max(confidenceAfter, l.confidence);
    }
    if (sureAfter <= sureBefore || confidenceAfter < confidenceBefore || drugsAfter < drugsBefore)
      continue;
    for (const std::size_t i : itsLines) replaced[i] = true;
    for (RecognizedLine& l : again) found.push_back(std::move(l));
  }
  // The lines kept, then those read again, in the order of the page (as read, where level).
  std::vector<RecognizedLine> out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (!replaced[i]) out.push_back(std::move(lines[i]));
  for (RecognizedLine& l : found) out.push_back(std::move(l));
  lines = std::move(out);
  std::stable_sort(
      lines.begin(), lines.end(),
      [](const RecognizedLine& a, const RecognizedLine& b) { return a.box.y < b.box.y; });
}

int PrescriptionReader::knownDrugs(const RecognizedLine& line) const {
  // Runs of three or more Chinese characters that snap to the catalogue.
  if (!lexicon_) return 0;
  int known = 0;
  const std::u32string text = toU32(line.text);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size() && isHan(text[end])) ++end;
    if (end - i >= 3) {
      // A name chosen only on misreadings, further than the catalogue's 40%, names no drug here.
      const auto snap = lexicon_->snap(toUtf8(text.substr(i, end - i)));
      known += snap && !snap->furtherThanAllowed;
    }
    i = std::max(end, i + 1);
  }
  return known;
}

Status PrescriptionReader::confirmNames(const cv::Mat& page, ExtractedFields& fields) {
  // Names are the fields the page pass gets wrong most (one similar-looking character), and the
  // reuse check keys on the patient's. Each is read again from its own line (nameLine) at text
  // heights of 24, 40 and 48 px. The value most readings agree on wins (measured on 296 names of
  // generated photos: 88.5% right from the page pass alone, 94.9% with these three re-readings;
  // each costs ~15 ms). Agreement sets the confidence, so a name the readings disagree on is shown
  // for confirmation. (Debian's Han script model as a second reader got 95.9%, but its engine costs
  // ~55 MB more and took the workstation over its 300 MB.) Every reading comes from extractFields,
  // so its name is already mended (ocr/names.h); a value only mended readings gave keeps read_as.
  const int textHeights[] = {24, 40, 48};
  for (const char* field : {"patient_name", "doctor"}) {
    auto it = fields.fields.find(field);
    if (it == fields.fields.end() || it->second.box.height <= 0) continue;
    const int h = it->second.box.height;
    const cv::Mat line = nameLine(page, it->second.box);
    if (line.empty()) continue;
    struct Tally {
      int votes = 0;
      float confidence = 0;               // summed
      int direct = 0;                     // readings of the value that were not mended
      std::optional<std::string> readAs;  // what a mended reading read (ocr/names.h)
    };
    std::map<std::string, Tally> tally;
    auto count = [&tally](const FieldValue& v) {
      Tally& t = tally[v.value];
      ++t.votes;
      t.confidence += v.confidence;
      if (v.readAs)
        t.readAs = t.readAs.value_or(*v.readAs);
      else
        ++t.direct;
    };
    count(it->second);
    // A label misread in the crop could put other text up for the vote: labels as printed. A
    // reading whose first label, the name's own, has one character misread (痊名) was of a crop
    // read poorly, and its name often with it (【起名】昔洋 for 【姓名】董洋): such readings count
    // only when every re-reading found the name and all agree.
    std::vector<std::pair<FieldValue, bool>> reread;  // the value, whether its label was misread
    for (const int textHeight : textHeights) {
      const cv::Mat region = enlarged(line, h, textHeight);
      RX_ASSIGN_OR_RETURN(auto lines, recognizer_->recognize(region, Layout::kSingleLine));
      bool misread = false;
      ExtractedFields again = extractFields(lines, nullptr, LabelMatch::kExact);
      if (!again.fields.count(field)) {
        again = extractFields(lines, nullptr, LabelMatch::kFirstTolerant);
        misread = true;
      }
      auto found = again.fields.find(field);
      if (found == again.fields.end() || found->second.value.empty()) continue;
      reread.emplace_back(found->second, misread);
    }
    bool agree = reread.size() == std::size(textHeights);
    for (const auto& [value, misread] : reread)
      agree = agree && value.value == reread.front().first.value;
    for (const auto& [value, misread] : reread)
      if (!misread || agree) count(value);
    auto best = tally.begin();
    for (auto t = tally.begin(); t != tally.end(); ++t)
      if (t->second.votes > best->second.votes ||
          (t->second.votes == best->second.votes && t->second.confidence > best->second.confidence))
        best = t;
    const int readings = 1 + static_cast<int>(std::size(textHeights));
    it->second.value = best->first;
    // Read so by any reading, the value is not a mended one.
    it->second.readAs = best->second.direct ? std::nullopt : best->second.readAs;
    it->second.confidence = best->second.confidence / static_cast<float>(readings);
  }
  return Status();
}

Status PrescriptionReader::recoverDate(const cv::Mat& page,
                                       const std::vector<RecognizedLine>& lines,
                                       ExtractedFields& fields) {
  // The page model often reads a lone digit beside Chinese as something else (2026年10月7日 came
  // back as "…10月了日", "…6月:日"), so the date does not parse and is lost. The line with the
  // date label is read again, allowed only the characters a date is written with (not ':', which
  // is what the lone 1 came back as).
  if (fields.fields.count("date")) return Status();
  static const std::string kDateCharacters = "0123456789年月日期开具.-/";
  for (const auto& line : lines) {
    const std::u32string text = toU32(normalizeText(line.text));
    if (text.find(U"日期") == std::u32string::npos) continue;
    const int h = std::max(1, line.box.height), margin = h / 4;
    const cv::Rect crop = cv::Rect(line.box.x - margin, line.box.y - margin,
                                   line.box.width + 2 * margin, h + 2 * margin) &
                          cv::Rect(0, 0, page.cols, page.rows);
    if (crop.area() <= 0) continue;
    const cv::Mat region = enlarged(page(crop), h, 40);
    RX_ASSIGN_OR_RETURN(auto again,
                        recognizer_->recognize(region, Layout::kSingleLine, kDateCharacters));
    ExtractedFields found = extractFields(again, nullptr);
    auto date = found.fields.find("date");
    if (date == found.fields.end()) continue;
    FieldValue v = date->second;
    // Boxes of the re-read are in the enlarged crop; the page box of the line stands for it.
    v.box = line.box;
    v.confidence *= 0.8f;  // one reading of a line the page pass could not read: confirm it
    fields.fields["date"] = v;
    return Status();
  }
  return Status();
}

namespace {

// Recognition with a deadline `ms` from now (none: no deadline), lifted when it goes out of scope.
class DeadlineFor {
 public:
  DeadlineFor(Recognizer& recognizer, std::optional<double> ms) : recognizer_(recognizer) {
    if (ms)
      recognizer_.setDeadline(Clock::now() +
                              std::chrono::microseconds(static_cast<std::int64_t>(1000 * *ms)));
  }
  ~DeadlineFor() { recognizer_.setDeadline(std::nullopt); }
  DeadlineFor(const DeadlineFor&) = delete;
  DeadlineFor& operator=(const DeadlineFor&) = delete;

 private:
  Recognizer& recognizer_;
};

}  // namespace

Status PrescriptionReader::readPage(ReadResult& r, std::optional<double> pageMs) {
  {
    // The page pass (not the names' and the date's lines read again after it): a page that does
    // not read by then reads nothing.
    const DeadlineFor deadline(*recognizer_, pageMs);
    // The page is read first the way it looks to be up (looksUpsideDown: read as it lay, an
    // upside-down page would be read whole a second time turned). Most photos are then upright,
    // and their reading says so. Only the others are read turned too, their header and foot bands
    // or (when the header read next to nothing) all of it; that time counts as the page's. An
    // unsure page is read again smoothed.
    auto t = Clock::now();
    if (looksUpsideDown(r.page.gray)) turnOver(r.page);
    r.ms.page += msSince(t);
    t = Clock::now();
    RX_ASSIGN_OR_RETURN(r.lines, recognizer_->recognize(r.page.gray, Layout::kPage));
    r.ms.recognize += msSince(t);
    t = Clock::now();
    RX_ASSIGN_OR_RETURN(const Upright upright, readUpright(r.page, *recognizer_, r.lines));
    r.ms.page += upright.turningMs;
    r.ms.recognize += msSince(t) - upright.turningMs;
    t = Clock::now();
    recoverMissedLines(r.page.gray, r.lines);
    r.ms.recognize += msSince(t);
  }
  const auto t = Clock::now();
  r.fields = extractFields(r.lines, lexicon_);
  RX_RETURN_IF_ERROR(confirmNames(r.page.gray, r.fields));
  RX_RETURN_IF_ERROR(recoverDate(r.page.gray, r.lines, r.fields));
  r.ms.fields += msSince(t);
  return Status();
}

namespace {

// Whether a page read told nothing of the prescription it holds: no number, date or patient (what
// a prescription is known by). The outline found was then most likely not the paper.
bool toldNothing(const ExtractedFields& fields) {
  return !fields.fields.count("rx_number") && !fields.fields.count("date") &&
         !fields.fields.count("patient_name");
}

// The next likeliest outline's page pass is given at most this many times the time the first page
// took: then it gives up (what is read is nothing). The paper reads in about as long as the first
// page did (0.6-2 times, on the generator's busy desks); a desk's texture or a dim photo's grain
// straightened can keep Tesseract busy 5-9 times as long, to read nothing.
constexpr double kOtherOutlineTime = 3;

// How much of a prescription a reading holds: its fields and drug lines.
std::size_t readCount(const ExtractedFields& fields) {
  return fields.fields.size() + fields.drugs.size();
}

}  // namespace

Result<ReadResult> PrescriptionReader::readImage(cv::Mat bgr) {
  return readPhoto(std::move(bgr), {});
}

Result<ReadResult> PrescriptionReader::readPhoto(
    cv::Mat bgr, const std::function<Result<cv::Mat>()>& decodeAgain) {
  ReadResult r;
  r.width = bgr.cols;
  r.height = bgr.rows;
  auto t = Clock::now();
  r.qrPayloads = readQrCodes(bgr);
  r.ms.qr = msSince(t);
  t = Clock::now();
  RX_ASSIGN_OR_RETURN(r.page, straightenPage(bgr));
  r.ms.page = msSince(t);
  // The photo in colour (36 MB at 12 megapixels) goes before the page is read, when memory peaks,
  // if it can be decoded again for the next likeliest outline below.
  if (decodeAgain) bgr.release();
  RX_RETURN_IF_ERROR(readPage(r));
  // A page that told nothing came most likely from another outline than the paper's (a receipt, a
  // light counter with the paper on it, a phone round its screen): the next likeliest outline is
  // read, its page pass for at most kOtherOutlineTime times the first page's time, and kept when
  // it reads more. Its time (the photo decoded again too) counts as the page's; when it fails, the
  // first reading stands.
  if (!toldNothing(r.fields)) {
    bgr.release();
  } else {
    const double firstMs = r.ms.page + r.ms.recognize + r.ms.fields;
    t = Clock::now();
    if (bgr.empty() && decodeAgain)
      if (auto again = decodeAgain()) bgr = std::move(*again);
    auto other = bgr.empty() ? Result<std::optional<PreparedPage>>(std::optional<PreparedPage>())
                             : straightenOtherPage(bgr, r.page);
    bgr.release();
    r.ms.page += msSince(t);
    if (other && *other) {
      ReadResult again;
      again.width = r.width;
      again.height = r.height;
      again.qrPayloads = r.qrPayloads;
      again.page = std::move(**other);
      again.ms = r.ms;
      const Status read = readPage(again, kOtherOutlineTime * firstMs);
      if (read.isOk() && readCount(again.fields) > readCount(r.fields))
        r = std::move(again);
      else
        r.ms = again.ms;
    }
  }
  // No number read from the page, but the hospital's own code carries it as plain text: taken at a
  // confidence that asks the pharmacist to confirm it (nothing signs such a code).
  t = Clock::now();
  if (!r.fields.fields.count("rx_number"))
    for (const auto& payload : r.qrPayloads)
      if (auto number = numberInCode(payload)) {
        r.fields.fields["rx_number"] = FieldValue{*number, 0.6f, {}, {}};
        break;
      }
  r.ms.fields += msSince(t);
  r.ms.total = r.ms.page + r.ms.recognize + r.ms.fields + r.ms.qr;
  return r;
}

}  // namespace rx::ocr
