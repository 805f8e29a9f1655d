#include "ocr/reader.h"

#include <chrono>
#include <utility>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "base/utf8.h"

namespace rx::ocr {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
}  // namespace

PrescriptionReader::PrescriptionReader(std::unique_ptr<Recognizer> recognizer,
                                       const DrugLexicon* lexicon, ImageLimits limits)
    : recognizer_(std::move(recognizer)), lexicon_(lexicon), limits_(limits) {}

Result<ReadResult> PrescriptionReader::readFile(const std::string& path) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, loadImage(path, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(ReadResult r, readImage(std::move(image)));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
}

Result<ReadResult> PrescriptionReader::read(const std::vector<std::uint8_t>& bytes,
                                            const std::string& name) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, decodeImage(bytes, name, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(ReadResult r, readImage(std::move(image)));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
}

void PrescriptionReader::recoverMissedLines(const cv::Mat& page,
                                            std::vector<RecognizedLine>& lines) {
  // Tesseract's page layout sometimes drops a whole text line (seen: the number and date line
  // under the title of a photo whose top edge the frame cut). Rows of ink that no recognised line
  // covers are read again as single lines.
  cv::Mat ink;
  cv::threshold(eraseRules(page), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  cv::Mat rows;
  cv::reduce(ink, rows, 1, cv::REDUCE_SUM, CV_32S);
  const int minInk = std::max(8, page.cols / 200) * 255;
  // Rows inside a recognised line are taken; what ink remains is in lines Tesseract missed.
  for (const auto& l : lines)
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
  int reread = 0;
  for (const auto& [from, to] : bands) {
    if (++reread > 8) break;
    const cv::Rect band(0, std::max(0, from - 6), page.cols,
                        std::min(page.rows, to + 6) - std::max(0, from - 6));
    auto found = recognizer_->recognize(page(band), Layout::kSingleLine);
    if (!found) continue;
    for (RecognizedLine l : *found) {
      if (l.confidence < 50 || toU32(l.text).size() < 2) continue;
      l.box.y += band.y;
      for (auto& w : l.words) w.box.y += band.y;
      lines.push_back(std::move(l));
    }
  }
  std::stable_sort(
      lines.begin(), lines.end(),
      [](const RecognizedLine& a, const RecognizedLine& b) { return a.box.y < b.box.y; });
}

void PrescriptionReader::rereadNames(const cv::Mat& page, ExtractedFields& fields) {
  // Names are the fields the page pass gets wrong most (one similar-looking character); reading
  // just the name, enlarged, as a single line is more accurate. Keep the more confident reading.
  for (const char* field : {"patient_name", "doctor"}) {
    auto it = fields.fields.find(field);
    if (it == fields.fields.end() || it->second.confidence >= 0.9f) continue;
    const cv::Rect box = it->second.box;
    const int padX = box.height / 2, padY = box.height / 3;
    const cv::Rect crop =
        (cv::Rect(box.x - padX, box.y - padY, box.width + 2 * padX, box.height + 2 * padY)) &
        cv::Rect(0, 0, page.cols, page.rows);
    if (crop.area() <= 0) continue;
    cv::Mat region;
    const double scale = 64.0 / std::max(1, box.height);
    cv::resize(page(crop), region, cv::Size(), scale, scale, cv::INTER_CUBIC);
    auto lines = recognizer_->recognize(region, Layout::kSingleLine);
    if (!lines || lines->empty()) continue;
    std::string han;
    float conf = 100;
    for (const auto& l : *lines)
      for (const auto& w : l.words) {
        std::u32string cps = toU32(w.text), kept;
        for (char32_t c : cps)
          if (isHan(c)) kept.push_back(c);
        if (kept.empty()) continue;
        han += toUtf8(kept);
        conf = std::min(conf, w.confidence);
      }
    const std::size_t chars = toU32(han).size();
    if (chars >= 2 && chars <= 4 && conf / 100.0f > it->second.confidence) {
      it->second.value = han;
      it->second.confidence = conf / 100.0f;
    }
  }
}

Result<ReadResult> PrescriptionReader::readImage(cv::Mat bgr) {
  ReadResult r;
  r.width = bgr.cols;
  r.height = bgr.rows;
  auto t = Clock::now();
  r.qrPayloads = decodeQrCodes(bgr);
  r.ms.qr = msSince(t);
  t = Clock::now();
  RX_ASSIGN_OR_RETURN(r.page, preparePage(bgr, *recognizer_));
  r.ms.page = msSince(t);
  // The photo in colour (36 MB at 12 megapixels) is not needed past the straightened page; when
  // the caller handed it over, it goes before the page is read, which is when memory peaks.
  bgr.release();
  t = Clock::now();
  RX_ASSIGN_OR_RETURN(r.lines, recognizer_->recognize(r.page.gray, Layout::kPage));
  recoverMissedLines(r.page.gray, r.lines);
  r.ms.recognize = msSince(t);
  t = Clock::now();
  r.fields = extractFields(r.lines, lexicon_);
  rereadNames(r.page.gray, r.fields);
  r.ms.fields = msSince(t);
  r.ms.total = r.ms.page + r.ms.recognize + r.ms.fields + r.ms.qr;
  return r;
}

std::vector<std::string> decodeQrCodes(const cv::Mat& bgr) {
  cv::Mat small = bgr;
  const double scale = 1600.0 / std::max(bgr.cols, bgr.rows);
  if (scale < 1) cv::resize(bgr, small, cv::Size(), scale, scale, cv::INTER_AREA);
  std::vector<std::string> out;
  try {
    cv::QRCodeDetector detector;
    std::vector<cv::Point> points;
    std::vector<std::string> decoded;
    if (detector.detectAndDecodeMulti(small, decoded, points)) {
      for (auto& d : decoded)
        if (!d.empty()) out.push_back(d);
    }
  } catch (const cv::Exception&) {
    // A damaged or partial code is not an error for the prescription; it is simply not read.
  }
  return out;
}

}  // namespace rx::ocr
