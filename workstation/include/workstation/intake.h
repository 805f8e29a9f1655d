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
#include <vector>

#include "base/status.h"
#include "data/prescriptions.h"
#include "ocr/lexicon.h"
#include "ocr/reader.h"
#include "workstation/agreements.h"
#include "workstation/eprescription.h"
#include "workstation/read_fields.h"
#include "workstation/reuse.h"
#include "workstation/rules.h"

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

// A presentation as the counter sees it: the queued record, what the reuse check found, and the
// automatic checks as of its arrival.
struct Presentation {
  std::int64_t record = 0;
  ReuseFinding finding;
  std::vector<RuleCheck> checks;
  std::optional<ErxVerdict> signature;  // e-prescriptions: the verdict recorded with them
  // Papers: for each QR code read, in order, whether it is a prescription's code whose signature
  // verifies with a key pinned in an agreement (one that does not adds no trust).
  std::vector<bool> qrVerified;
};

// Puts what was read in the queue. Each kind in one audited transaction: an e-prescription's
// signature and agreement verified and recorded, a paper's QR code checked against the pinned
// keys (only a verified QR lends the paper its signed number), the fingerprint compared with every
// earlier presentation, the record stored. Nothing is left half-recorded when any part fails.
class IntakeService {
 public:
  explicit IntakeService(ReviewService& review);

  Result<Presentation> presentElectronic(const EPrescription& rx, const std::string& source);
  // `page` is the straightened grey page (its ink is reuse evidence; may be empty) and
  // `qrPayloads` the QR codes found on it.
  Result<Presentation> presentPaper(const ocr::ExtractedFields& fields, const std::string& source,
                                    const cv::Mat& page = {},
                                    const std::vector<std::string>& qrPayloads = {});
  // Either of the above for a file read by IntakeReader; a read that failed returns its error.
  Result<Presentation> present(const IntakeRead& read);

 private:
  Result<Presentation> store(data::PrescriptionRecord r, const ReadFields& fields,
                             const dedup::Fingerprint& fp, const cv::Mat& page,
                             nlohmann::json auditDetails);
  Session& session_;
  ReviewService& review_;
};

}  // namespace rx::ws
