#include "ocr/reader.h"

#include <chrono>

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
  RX_ASSIGN_OR_RETURN(ReadResult r, readImage(image));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
}

Result<ReadResult> PrescriptionReader::read(const std::vector<std::uint8_t>& bytes,
                                            const std::string& name) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, decodeImage(bytes, name, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(ReadResult r, readImage(image));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
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

Result<ReadResult> PrescriptionReader::readImage(const cv::Mat& bgr) {
  ReadResult r;
  r.width = bgr.cols;
  r.height = bgr.rows;
  auto t = Clock::now();
  RX_ASSIGN_OR_RETURN(r.page, preparePage(bgr, *recognizer_));
  r.ms.page = msSince(t);
  t = Clock::now();
  RX_ASSIGN_OR_RETURN(r.lines, recognizer_->recognize(r.page.gray, Layout::kPage));
  r.ms.recognize = msSince(t);
  t = Clock::now();
  r.fields = extractFields(r.lines, lexicon_);
  rereadNames(r.page.gray, r.fields);
  r.ms.fields = msSince(t);
  t = Clock::now();
  r.qrPayloads = decodeQrCodes(bgr);
  r.ms.qr = msSince(t);
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
