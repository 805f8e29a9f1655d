#include "ocr/reader.h"

#include <chrono>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

namespace rx::ocr {

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
}  // namespace

PrescriptionReader::PrescriptionReader(std::unique_ptr<Recognizer> recognizer, const DrugLexicon* lexicon,
                                       ImageLimits limits)
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

Result<ReadResult> PrescriptionReader::read(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  auto start = Clock::now();
  RX_ASSIGN_OR_RETURN(cv::Mat image, decodeImage(bytes, name, limits_));
  const double decodeMs = msSince(start);
  RX_ASSIGN_OR_RETURN(ReadResult r, readImage(image));
  r.ms.decode = decodeMs;
  r.ms.total += decodeMs;
  return r;
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
