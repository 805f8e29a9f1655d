// Dispensing an approved prescription (调配, 核对, 发药): the prepare and check steps, packages
// scanned by traceability code, and hand-out, which marks the prescription used and closes it in
// one transaction. The window calls the steps one by one; `rxdesk-cli dispense` calls dispense().
// Regulations M10, M13, B V (../shared/docs/requirements.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/prescriptions.h"
#include "workstation/rules.h"
#include "workstation/session.h"

namespace rx::ws {

// Per drug name: how much was prescribed and how many packages are scanned for it.
struct LineProgress {
  std::string drugName;
  double prescribed = 0;  // in `unit`
  std::string unit;
  int scanned = 0;        // packages scanned for this line, handed out or not
  bool countable = true;  // false when the prescription counts in another unit than packages
};

// What `rxdesk-cli dispense` asks for, done in this order: prepare (unless recorded), take back
// `remove`, scan `scan`, check (unless recorded), hand out when `handOut`.
struct DispenseOrder {
  std::vector<std::string> remove, scan;
  bool handOut = true;
  bool partial = false;  // hand out although lines are short (部分发药)
};

struct DispenseOutcome {
  std::vector<data::PackageRecord> scanned;  // scanned now
  std::vector<LineProgress> lines;
  data::RxState state = data::RxState::kApproved;
  std::optional<std::string> warning;  // the hand-out's (lastWarning())
};

class DispensingService {
 public:
  // Without `settings`, the store's settings apply (as ReviewService).
  explicit DispensingService(Session& session, std::optional<ReviewSettings> settings = {})
      : session_(session), fixedSettings_(settings) {}

  // Records prepare or check (hand-out is handOut()). Check follows prepare, by a second
  // pharmacist when the setting review.second_pharmacist_check asks for one.
  Status recordStep(std::int64_t id, data::DispenseStep step);
  // Records one scanned package. Its product must be in the pharmacy's product list and be a drug
  // of the prescription, and no more packages of a drug than prescribed (when the prescription
  // counts in the product's unit); refused with the reason otherwise, as is a code handed out
  // before.
  Result<data::PackageRecord> scanPackage(std::int64_t id, const std::string& scanned);
  // Takes back a package scanned by mistake and not yet handed out.
  Status unscanPackage(std::int64_t id, const std::string& scanned);
  // The packages scanned and not yet handed out (what unscanPackage can take back), in scan order.
  Result<std::vector<data::PackageRecord>> scannedNotHandedOut(std::int64_t id);
  // What is still to be dispensed, per drug line.
  Result<std::vector<LineProgress>> progress(std::int64_t id);
  // Hands out the packages scanned since the last hand-out: needs prepare and check and at least
  // one new package. In one transaction records the step, marks the prescription used, and closes
  // it when every line is complete. With lines still short it refuses unless `partial`, and then
  // leaves the prescription partially dispensed for a later hand-out.
  // In a chain (workstation/chain.h) the prescription and the packages are claimed in the
  // registry first: refused (kAlreadyExists) naming the store that handed them out; when the
  // registry cannot be reached, handed out with a warning (lastWarning()) or refused, as the
  // setting chain.offline_handout says.
  Status handOut(std::int64_t id, bool partial = false);
  // What the last hand-out wants the pharmacist to know, if anything.
  const std::optional<std::string>& lastWarning() const { return lastWarning_; }
  // The whole sequence of DispenseOrder. Stops at the first refusal; what was recorded before it
  // stays recorded, and the error says how many packages that was.
  Result<DispenseOutcome> dispense(std::int64_t id, const DispenseOrder& order);

 private:
  Status recordHandOut(const data::PrescriptionRecord& r, const std::vector<data::StepRecord>& done,
                       bool incomplete, std::int64_t fresh, const std::string& now);
  Session& session_;
  std::optional<ReviewSettings> fixedSettings_;
  std::optional<std::string> lastWarning_;
};

}  // namespace rx::ws
