#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <cstdint>
#include <cstdlib>
#include <map>

#include "ocr/recognizer.h"

namespace rx::ocr {

namespace {

// Leptonica's messages are not printed. They are errors Tesseract recovers from (a line image
// too thin to scale: "Error in pixScaleAreaMap: pixd too small", and three more lines), after
// which the line reads as nothing, as any unreadable line does; printed, they reached the
// pharmacist's terminal beside rxdesk-cli's own output.
void dropLeptonicaMessage(const char*) {}

// One engine per thread and language set, initialised once: initialisation costs ~0.3 s.
tesseract::TessBaseAPI* engineFor(const std::string& languages, std::string* error) {
  static const bool quiet = [] {
    leptSetStderrHandler(dropLeptonicaMessage);
    return true;
  }();
  (void)quiet;
  thread_local std::map<std::string, std::unique_ptr<tesseract::TessBaseAPI>> engines;
  auto it = engines.find(languages);
  if (it != engines.end()) return it->second.get();
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  if (api->Init(nullptr, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    *error = "Tesseract could not load the language data '" + languages +
             "' (install tesseract-ocr-chi-sim and tesseract-ocr-eng)";
    return nullptr;
  }
  api->SetVariable("preserve_interword_spaces", "1");
  api->SetVariable("debug_file", "/dev/null");
  return engines.emplace(languages, std::move(api)).first->second.get();
}

class TesseractRecognizer : public Recognizer {
 public:
  explicit TesseractRecognizer(std::string languages) : languages_(std::move(languages)) {}

  Result<std::vector<RecognizedLine>> recognize(const cv::Mat& gray, Layout layout,
                                                const std::string& whitelist) override {
    if (gray.empty() || gray.type() != CV_8UC1)
      return Status(ErrorCode::kInternal, "recognize() needs an 8-bit grayscale image");
    tesseract::ETEXT_DESC monitor;
    if (deadline_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            *deadline_ - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return std::vector<RecognizedLine>{};
      monitor.set_deadline_msecs(static_cast<std::int32_t>(std::min<long long>(left, INT32_MAX)));
    }
    std::string error;
    tesseract::TessBaseAPI* api = engineFor(languages_, &error);
    if (!api) return Status(ErrorCode::kUnsupported, error);
    api->SetPageSegMode(layout == Layout::kPage ? tesseract::PSM_SINGLE_BLOCK
                                                : tesseract::PSM_SINGLE_LINE);
    api->SetVariable("tessedit_char_whitelist", whitelist.c_str());
    api->SetImage(gray.data, gray.cols, gray.rows, 1, static_cast<int>(gray.step));
    api->SetSourceResolution(300);
    const int failed = api->Recognize(deadline_ ? &monitor : nullptr);
    if (deadline_ && monitor.deadline_exceeded()) {
      api->Clear();
      return std::vector<RecognizedLine>{};
    }
    if (failed != 0) return Status(ErrorCode::kInternal, "Tesseract failed to recognise the image");
    std::vector<RecognizedLine> lines;
    std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
    if (it) {
      do {
        if (it->Empty(tesseract::RIL_TEXTLINE)) continue;
        RecognizedLine line;
        int x1, y1, x2, y2;
        it->BoundingBox(tesseract::RIL_TEXTLINE, &x1, &y1, &x2, &y2);
        line.box = cv::Rect(x1, y1, x2 - x1, y2 - y1);
        line.confidence = it->Confidence(tesseract::RIL_TEXTLINE);
        std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_TEXTLINE));
        line.text = text ? text.get() : "";
        while (!line.text.empty() && (line.text.back() == '\n' || line.text.back() == ' '))
          line.text.pop_back();
        // The words of this line.
        do {
          RecognizedWord w;
          it->BoundingBox(tesseract::RIL_WORD, &x1, &y1, &x2, &y2);
          w.box = cv::Rect(x1, y1, x2 - x1, y2 - y1);
          w.confidence = it->Confidence(tesseract::RIL_WORD);
          std::unique_ptr<char[]> wt(it->GetUTF8Text(tesseract::RIL_WORD));
          w.text = wt ? wt.get() : "";
          line.words.push_back(std::move(w));
        } while (!it->IsAtFinalElement(tesseract::RIL_TEXTLINE, tesseract::RIL_WORD) &&
                 it->Next(tesseract::RIL_WORD));
        lines.push_back(std::move(line));
      } while (it->Next(tesseract::RIL_TEXTLINE));
    }
    api->Clear();
    return lines;
  }

  std::string name() const override {
    return "tesseract " + std::string(tesseract::TessBaseAPI::Version()) + " " + languages_;
  }

 private:
  std::string languages_;
};
}  // namespace

std::unique_ptr<Recognizer> makeTesseractRecognizer(const std::string& languages) {
  return std::make_unique<TesseractRecognizer>(languages);
}

}  // namespace rx::ocr
