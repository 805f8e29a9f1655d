// Text recognition behind a small interface, so another engine can be added later. The Tesseract
// implementation keeps one initialised TessBaseAPI per thread and reuses it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "base/status.h"

namespace rx::ocr {

struct RecognizedWord {
  std::string text;
  float confidence = 0;  // 0..100
  cv::Rect box;          // in the coordinates of the image given to recognize()
};

struct RecognizedLine {
  std::string text;
  float confidence = 0;
  cv::Rect box;
  std::vector<RecognizedWord> words;
};

enum class Layout {
  kPage,       // a whole page: lines in reading order
  kSingleLine  // one line (re-reading a field)
};

class Recognizer {
 public:
  virtual ~Recognizer() = default;
  // Recognises text in an 8-bit grayscale image. `whitelist` limits the characters (empty: all).
  virtual Result<std::vector<RecognizedLine>> recognize(const cv::Mat& gray, Layout layout,
                                                        const std::string& whitelist = "") = 0;
  virtual std::string name() const = 0;
  // From now on recognize() gives up at `deadline` (none: never): a call still running then, or
  // made after it, returns no lines (Tesseract looks at the time between words, not while it finds
  // the page's layout, so a call can run on past it). For a reading that may well be in vain
  // (PrescriptionReader's next likeliest outline, which can be a desk's texture that Tesseract
  // takes seconds over). A recognizer serves one thread at a time, its deadline too.
  void setDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
    deadline_ = deadline;
  }

 protected:
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// Tesseract 5, LSTM engine, Debian's models. `languages` is e.g. "chi_sim". Programs using it
// call ensureSingleThreadedOpenMp() (ocr/runtime.h) first: OpenMP made it ~4x slower on 2 cores.
std::unique_ptr<Recognizer> makeTesseractRecognizer(const std::string& languages = "chi_sim");

}  // namespace rx::ocr
