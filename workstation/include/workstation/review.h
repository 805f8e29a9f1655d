// Pharmacist review (审方): the queue, opening a prescription (the review lock), confirming what
// was read, the automatic checks (workstation/rules.h) and decisions signed with the
// pharmacist's personal key. Presentation is in intake.h, dispensing in dispensing.h, recall and
// retention in records.h. Regulations M8-M9, M13, G16 (../shared/docs/requirements.md).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/prescriptions.h"
#include "workstation/read_fields.h"
#include "workstation/reuse.h"
#include "workstation/rules.h"
#include "workstation/session.h"

namespace rx::ocr {
class DrugLexicon;
}

namespace rx::ws {

// The warning shown with every prescription drug; the buyer must confirm it before a sale (M13).
inline constexpr const char* kRiskWarning = "处方药须凭处方在药师指导下购买和使用";

enum class Decision { kApprove, kReject, kAsk };
std::string_view decisionName(Decision d);
Result<Decision> parseDecision(std::string_view s);

// The reasons a pharmacist gives for rejecting or asking, as codes (incomplete, expired, dosage,
// interaction, contraindication, not-in-scope, reuse, signature, other), in the order the review
// window offers them; the window and the CLI translate them. Words of the pharmacist's own are
// taken as well and kept as typed.
const std::vector<std::string>& reasonCodes();

struct DecisionInput {
  Decision decision = Decision::kApprove;
  std::vector<std::string> reasons;  // reasonCodes(), or the pharmacist's own words
  std::string note;
  bool buyerConfirmedRiskWarning = false;  // required to approve
};

// A patient name as the queue shows it before the prescription is opened: the surname and one
// mark per further character (张*, 欧阳**), so people at the counter cannot read it off the screen.
std::string maskedName(const std::string& name);

// The issuer as a person reads it: a paper's hospital as read; an e-prescription's provider by the
// name in its agreement, its 统一社会信用代码 after it (示例互联网医院（12440000455858776H）). The
// record keeps the code, which the used marks and the registry go by. Empty when unknown.
std::string issuerShown(const data::PrescriptionRecord& r);

class ReviewService {
 public:
  // Without `settings`, the store's settings (`rxdesk-cli settings`) apply, read at each use so an
  // admin's change takes effect at once.
  explicit ReviewService(Session& session, std::optional<ReviewSettings> settings = std::nullopt)
      : session_(session), fixedSettings_(settings) {}
  ~ReviewService();

  Session& session() { return session_; }
  // Reuse detection, loaded from the store on first use (every presentation is fingerprinted).
  ReuseService& reuse();

  Result<std::vector<data::PrescriptionRecord>> queue();
  // The fields of a stored prescription as read, signed and confirmed.
  static ReadFields readFields(const data::PrescriptionRecord& r) {
    return ReadFields::fromStored(r.fieldsJson);
  }
  // One prescription as stored (any state), without opening it.
  Result<data::PrescriptionRecord> record(std::int64_t id);
  // Opens a prescription for review: pharmacists only; takes the review lock (kConflict when
  // another pharmacist has it) and moves queued -> in_review.
  Result<data::PrescriptionRecord> startReview(std::int64_t id);
  // Closes a prescription opened for review without deciding: the review lock is released and it
  // goes back to the queue (queued, or needs_info when information was asked for before), so that
  // another pharmacist can open it at once. Audited. Nothing to do when it was decided meanwhile.
  Status closeReview(std::int64_t id);
  // Confirms or corrects read fields (keys as fieldKey(), plus patient_id_no for the buyer's ID
  // number) and a paper prescription's drug lines (keys drugN, drugN.spec... as in drug_lines.h:
  // a drug's new name must be in the catalogue, or else in the pharmacy's product list, and is
  // written as the catalogue writes it); a changed identity or drug set is compared with earlier
  // presentations again (M9). All or nothing; audited with the drug names before and after.
  Status confirmFields(std::int64_t id, const std::map<std::string, std::string>& values);
  // The names of the drug catalogue, for completing what a pharmacist types.
  Result<std::vector<std::string>> catalogueNames();
  // The automatic checks for `id` as of `today` (YYYY-MM-DD).
  Result<std::vector<RuleCheck>> checks(std::int64_t id, const std::string& today);
  // The same for a record and finding the caller holds (a presentation, inside its transaction).
  Result<std::vector<RuleCheck>> checksFor(const data::PrescriptionRecord& r,
                                           const ReadFields& fields,
                                           const std::optional<ReuseFinding>& finding,
                                           const std::string& today);
  // Records a signed decision. Approving needs no blocking check and the buyer's confirmation of
  // the risk warning; until approval nothing can be dispensed (M13).
  Result<data::DecisionRecord> decide(std::int64_t id, const DecisionInput& input);
  // The confidence below which a read field must be confirmed (setting review.low_confidence as it
  // is now): what the checks use, and what the review screen highlights.
  Result<double> lowConfidence();
  // Returns ok iff the decision's signature verifies with its author's key.
  Status verifyDecision(const data::DecisionRecord& d);
  // Supervisors and admins: verifies every decision's signature with its registered key (for
  // `audit verify`). `progress(done, total)` now and then. Returns how many were checked and what
  // failed (at most `maxProblems` messages; `failed` counts them all).
  struct DecisionsCheck {
    std::int64_t checked = 0, failed = 0;
    std::vector<std::string> problems;
  };
  Result<DecisionsCheck> verifyAllDecisions(
      const std::function<void(std::int64_t, std::int64_t)>& progress = {},
      std::size_t maxProblems = 20);

 private:
  Status verifyDecisionWith(const data::DecisionRecord& d, const Result<crypto::PublicKey>& key);
  Status requirePharmacist(std::string_view action) const;
  Result<ReviewSettings> settings();
  Result<const ocr::DrugLexicon*> catalogue();
  // Gives the renamed lines of `lines` their catalogue name, class and ephedrine mark; refuses a
  // name found neither in the catalogue nor in the product list.
  Status checkDrugNames(std::vector<data::RxItem>& lines, const std::vector<std::size_t>& renamed);
  Session& session_;
  std::optional<ReviewSettings> fixedSettings_;
  std::unique_ptr<ReuseService> reuse_;
  std::unique_ptr<ocr::DrugLexicon> catalogue_;
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
