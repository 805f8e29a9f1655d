// Pharmacist review (审方) and dispensing (调配, 核对, 发药): the queue, the automatic checks with
// their rule and evidence, decisions signed with the pharmacist's personal key, packages scanned
// by traceability code, and hand-out that marks the prescription used and closes it atomically.
// Regulations M8-M10, M13, M15, G16, B V (../shared/docs/requirements.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/prescriptions.h"
#include "ocr/fields.h"
#include "workstation/agreements.h"
#include "workstation/eprescription.h"
#include "workstation/reuse.h"
#include "workstation/session.h"

namespace rx::ws {

// The warning shown with every prescription drug; the buyer must confirm it before a sale (M13).
inline constexpr const char* kRiskWarning = "处方药须凭处方在药师指导下购买和使用";

struct ReviewSettings {
  double maxQuantityPerItem = 5;       // supply limit per drug line (boxes, bottles...)
  bool secondPharmacistCheck = false;  // 核对 by another pharmacist than 调配
  int reviewLockMinutes = 30;          // a review lock older than this may be taken over
  double lowConfidence = 0.8;          // OCR fields below this must be confirmed
};

enum class Severity { kOk, kWarn, kBlock };
std::string_view severityName(Severity s);

struct RuleCheck {
  std::string rule;  // stable id, e.g. "special-management"
  Severity severity = Severity::kOk;
  std::string message;   // what the pharmacist reads
  std::string evidence;  // what it is based on
};

// What a list of checks amounts to, as the queue and the intake report show it.
struct CheckSummary {
  int blocking = 0;         // checks that stop approval
  bool usedBefore = false;  // the reuse check fired
};
CheckSummary summarizeChecks(const std::vector<RuleCheck>& checks);

enum class Decision { kApprove, kReject, kAsk };
std::string_view decisionName(Decision d);
Result<Decision> parseDecision(std::string_view s);

struct DecisionInput {
  Decision decision = Decision::kApprove;
  std::vector<std::string> reasons;  // reason codes
  std::string note;
  bool buyerConfirmedRiskWarning = false;  // required to approve
};

// A patient name as the queue shows it before the prescription is opened: the surname and one
// mark per further character (张*, 欧阳**), so people at the counter cannot read it off the screen.
std::string maskedName(const std::string& name);

class ReviewService {
 public:
  // Without `settings`, the store's settings (`rxdesk-cli settings`) apply, read at each use so an
  // admin's change takes effect at once.
  explicit ReviewService(Session& session, std::optional<ReviewSettings> settings = std::nullopt)
      : session_(session), fixedSettings_(settings) {}
  ~ReviewService();

  // Puts a verified e-prescription in the queue.
  Result<std::int64_t> presentElectronic(const EPrescription& rx, const ErxVerdict& verdict,
                                         const std::string& source);
  // Puts a read paper prescription in the queue. `page` is the straightened grey page (its ink is
  // reuse evidence; may be empty) and `qrPayloads` the QR codes found on it.
  Result<std::int64_t> presentPaper(const ocr::ExtractedFields& fields, const std::string& source,
                                    const cv::Mat& page = {},
                                    const std::vector<std::string>& qrPayloads = {});
  // Reuse detection, loaded from the store on first use (every presentation is fingerprinted).
  ReuseService& reuse();

  Result<std::vector<data::PrescriptionRecord>> queue();
  // Opens a prescription for review: pharmacists only; takes the review lock (kConflict when
  // another pharmacist has it) and moves queued -> in_review.
  Result<data::PrescriptionRecord> startReview(std::int64_t id);
  // Confirms or corrects OCR'd fields and records the buyer's real name and ID number.
  Status confirmFields(std::int64_t id, const std::map<std::string, std::string>& values);
  // The automatic checks for `id` as of `today` (YYYY-MM-DD).
  Result<std::vector<RuleCheck>> checks(std::int64_t id, const std::string& today);
  // Records a signed decision. Approving needs no blocking check and the buyer's confirmation of
  // the risk warning; until approval nothing can be dispensed (M13).
  Result<data::DecisionRecord> decide(std::int64_t id, const DecisionInput& input);
  // The confidence below which a read field must be confirmed (setting review.low_confidence as it
  // is now): what the checks use, and what the review screen highlights.
  Result<double> lowConfidence();
  // Returns ok iff the decision's signature verifies with its author's key.
  Status verifyDecision(const data::DecisionRecord& d);

  // Dispensing, after approval: prepare / check steps, packages by traceability code.
  Status recordStep(std::int64_t id, const std::string& step);
  // Records one scanned package. Its product must be in the pharmacy's product list and be a drug
  // of the prescription, and no more packages of a drug than prescribed (when the prescription
  // counts in the product's unit); refused with the reason otherwise, as is a code handed out
  // before.
  Result<data::PackageRecord> scanPackage(std::int64_t id, const std::string& scanned);
  // Takes back a package scanned by mistake and not yet handed out.
  Status unscanPackage(std::int64_t id, const std::string& scanned);
  // What is still to be dispensed: per drug line, prescribed and scanned package counts.
  struct LineProgress {
    std::string drugName;
    double prescribed = 0;  // in `unit`
    std::string unit;
    int scanned = 0;        // packages scanned for this line, handed out or not
    bool countable = true;  // false when the prescription counts in another unit than packages
  };
  Result<std::vector<LineProgress>> dispensingProgress(std::int64_t id);
  // Hands out the packages scanned since the last hand-out: needs prepare and check and at least
  // one new package. In one transaction records the step, marks the prescription used, and closes
  // it when every line is complete. With lines still short it refuses unless `partial`, and then
  // leaves the prescription partially dispensed for a later hand-out.
  Status handOut(std::int64_t id, bool partial = false);

  // Recall (M24, B III): every dispensing of a drug (and batch), or of one package code, with the
  // buyer's name and ID for contact. Supervisors and admins; audited.
  Result<std::vector<data::RecallRow>> recall(const std::optional<std::string>& drugName,
                                              const std::optional<std::string>& batch,
                                              const std::optional<std::string>& traceCode);
  // Records past their retention date (M15, M21). With `dryRun` false an admin deletes them;
  // nothing inside its period is ever touched. Audited either way.
  Result<std::vector<std::int64_t>> purge(bool dryRun, const std::string& today);

  // Drug instructions may be shown only after approval (M13).
  static bool instructionsVisible(const data::PrescriptionRecord& rx);
  // The date until which a prescription must be kept: 5 years after arrival, and 1 year past
  // the latest expiry of what was dispensed (M15, M21).
  static std::string retentionDate(const std::string& arrivedOn,
                                   const std::optional<std::string>& latestExpiry);

 private:
  Status requirePharmacist(std::string_view action) const;
  Result<ReviewSettings> settings();
  // Stores a presentation with its fingerprint, finding (and page) in one audited transaction.
  Result<std::int64_t> present(const data::PrescriptionRecord& r, const dedup::Fingerprint& fp,
                               const cv::Mat& page, nlohmann::json auditDetails);
  Session& session_;
  std::optional<ReviewSettings> fixedSettings_;
  std::unique_ptr<ReuseService> reuse_;
};

// Drops a presentation's pending index entry unless its transaction committed.
class PendingReuse {
 public:
  explicit PendingReuse(ReuseService& r) : reuse_(r) {}
  ~PendingReuse() {
    if (committed_)
      reuse_.commit();
    else
      reuse_.discard();
  }
  void committed() { committed_ = true; }

 private:
  ReuseService& reuse_;
  bool committed_ = false;
};

}  // namespace rx::ws
