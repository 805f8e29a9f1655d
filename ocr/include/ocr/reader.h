// Reading a photographed or scanned paper prescription end to end: decode, prepare the page,
// recognise, extract fields, decode QR codes; with timings per stage.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocr/fields.h"
#include "ocr/image_io.h"
#include "ocr/page.h"

namespace rx::ocr {

struct StageTimings {
  double decode = 0, page = 0, recognize = 0, fields = 0, qr = 0, total = 0;  // milliseconds
};

struct ReadResult {
  int width = 0, height = 0;  // of the decoded (EXIF-upright) photo
  PreparedPage page;
  std::vector<RecognizedLine> lines;
  ExtractedFields fields;
  std::vector<std::string> qrPayloads;
  StageTimings ms;
};

class PrescriptionReader {
 public:
  // `lexicon` may be null (no snapping); it must outlive the reader.
  PrescriptionReader(std::unique_ptr<Recognizer> recognizer, const DrugLexicon* lexicon,
                     ImageLimits limits = {});

  Result<ReadResult> readFile(const std::string& path);
  Result<ReadResult> read(const std::vector<std::uint8_t>& bytes, const std::string& name);
  // From an already decoded BGR image. A page that tells nothing of the prescription (no number,
  // date or patient read) is most likely not the paper: the next likeliest outline of the photo is
  // read (straightenOtherPage), and kept when it reads more (PreparedPage::otherOutline).
  // Pass the photo with std::move to let its memory go once it is read. (readFile and read let
  // it go before the page is read, and decode it again for the next outline if need be.)
  Result<ReadResult> readImage(cv::Mat bgr);

  Recognizer& recognizer() { return *recognizer_; }

 private:
  // Reads `r.page` (already straightened) into `r.lines` and `r.fields`, turning it upright on
  // the way; the time is added to `r.ms`. With `pageMs`, the page pass (before the names and the
  // date are read again) reads nothing once that much time has passed.
  Status readPage(ReadResult& r, std::optional<double> pageMs = std::nullopt);
  // readImage; `decodeAgain` (may be empty) gives the photo again, so that it need not be kept
  // while the first page is read.
  Result<ReadResult> readPhoto(cv::Mat bgr, const std::function<Result<cv::Mat>()>& decodeAgain);
  Status confirmNames(const cv::Mat& page, ExtractedFields& fields);
  Status recoverDate(const cv::Mat& page, const std::vector<RecognizedLine>& lines,
                     ExtractedFields& fields);
  void recoverMissedLines(const cv::Mat& page, std::vector<RecognizedLine>& lines);
  // How many drug names the catalogue knows `line` holds (0 without a catalogue).
  int knownDrugs(const RecognizedLine& line) const;
  std::unique_ptr<Recognizer> recognizer_;
  const DrugLexicon* lexicon_;
  ImageLimits limits_;
};

// The line of the name whose box on the prepared page `page` is `box`, cut out for reading again
// (PrescriptionReader reads each name so at three sizes): from a little before its label to past
// the value, with the lines above and below and a form's vertical rule painted white. Empty when
// the box is off the page.
cv::Mat nameLine(const cv::Mat& page, const cv::Rect& box);

// The reader rxdesk uses: Tesseract with Debian's chi_sim model.
std::unique_ptr<PrescriptionReader> makeStandardReader(const DrugLexicon* lexicon,
                                                       ImageLimits limits = {});

}  // namespace rx::ocr
