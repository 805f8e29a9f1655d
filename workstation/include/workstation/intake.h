// Taking a file in as the counter does — `rxdesk-cli intake`, the workstation window and its
// watched folder all go through here. Two halves, because they run on different threads in the
// window: reading (an e-prescription parsed; a photo through OCR, the slow part, on any thread)
// and presenting what was read (signature verified and recorded, reuse compared, the record
// stored; on the thread that owns the store's connection).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "ocr/lexicon.h"
#include "ocr/reader.h"
#include "workstation/agreements.h"
#include "workstation/eprescription.h"

namespace rx::ws {

class Session;
class ReviewService;

struct IntakeRead {
  std::string file;
  std::optional<EPrescription> electronic;
  std::optional<ocr::ReadResult> paper;
  Status error;  // the file could not be read
};

// Reads files one after another on one thread. The OCR engine and the drug lexicon are loaded at
// the first photo and kept for the next ones.
class IntakeReader {
 public:
  IntakeRead read(const std::string& file);

 private:
  std::optional<ocr::DrugLexicon> lexicon_;
  std::unique_ptr<ocr::PrescriptionReader> reader_;
};

struct Presented {
  std::int64_t record = 0;
  std::optional<ErxVerdict> signature;  // e-prescriptions: the verdict recorded with them
};

// Presents what was read: an e-prescription's signature and agreement are verified and recorded
// (audited), then the prescription joins the queue with its reuse finding. A read that failed
// returns its error.
Result<Presented> presentRead(Session& session, ReviewService& review, const IntakeRead& read);

}  // namespace rx::ws
