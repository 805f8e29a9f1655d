// Storage of presented prescriptions, their review decisions, dispensing steps and dispensed
// packages. Workflow rules live in the workstation layer; this file only stores and guards the
// invariants the database can hold (one package one code, one step of each kind, state moves
// only from the state the caller saw).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "data/connection.h"

namespace rx::data {

enum class RxState {
  kQueued,
  kInReview,
  kApproved,
  kRejected,
  kNeedsInfo,
  kPartiallyDispensed,
  kDispensed,
  kClosed
};
std::string_view rxStateName(RxState s);
Result<RxState> parseRxState(std::string_view s);

enum class RxKind { kPaper, kElectronic };
std::string_view rxKindName(RxKind k);  // paper | electronic
Result<RxKind> parseRxKind(std::string_view s);

struct RxItem {
  std::int64_t id = 0;
  int lineNo = 0;
  std::string drugName;
  std::string drugClass;  // empty when unknown
  bool ephedrine = false;
  std::string spec;
  double quantity = 0;
  std::string unit;
  std::string usage;
};

struct PrescriptionRecord {
  std::int64_t id = 0;
  RxKind kind = RxKind::kPaper;
  RxState state = RxState::kQueued;
  std::string arrivedAt;
  std::string arrivedBy;
  std::optional<std::string> rxNumber;
  std::optional<std::string> issuer;    // USCC (electronic) or hospital name (paper)
  std::optional<std::string> issuedOn;  // YYYY-MM-DD
  int validityDays = 1;
  std::optional<std::string> patientName;
  std::optional<std::string> patientIdNo;
  std::optional<std::string> prescriber;
  std::optional<std::string> diagnosis;
  std::string fieldsJson = "{}";  // the fields as read, with confidences and confirmations
  std::string source;             // file name or "scanner"
  std::optional<bool> verified;   // electronic: the signature/agreement verdict
  std::optional<std::string> agreementNo;
  std::vector<std::string> agreementScope;  // electronic: the drug classes the agreement allows
  std::optional<std::string> lockedBy;
  std::optional<std::string> lockedAt;
  std::string retainUntil;  // YYYY-MM-DD
  std::vector<RxItem> items;
};

// Confirmed values that replace what was read; unset ones stay.
struct FieldUpdate {
  std::optional<std::string> rxNumber, issuer, issuedOn, patientName, patientIdNo;
};

struct DecisionRecord {
  std::int64_t id = 0;
  std::int64_t prescriptionId = 0;
  std::string decision;  // approve | reject | ask
  std::string payload;   // canonical JSON that was signed
  crypto::Bytes signature;
  std::string keyId;
  std::string decidedBy;
  std::string decidedAt;
};

enum class DispenseStep { kPrepare, kCheck, kHandOut };
std::string_view dispenseStepName(DispenseStep s);  // prepare | check | hand_out
Result<DispenseStep> parseDispenseStep(std::string_view s);

struct StepRecord {
  DispenseStep step = DispenseStep::kPrepare;
  std::string byUser;
  std::string at;
};

struct RecallRow {
  std::int64_t prescriptionId = 0;
  std::string drugName;
  std::string traceCode;
  std::optional<std::string> batch;
  std::optional<std::string> expiry;
  std::string dispensedAt;
  std::string dispensedBy;
  std::optional<std::string> patientName;
  std::optional<std::string> patientIdNo;
};

struct PackageRecord {
  std::int64_t prescriptionId = 0;
  std::string traceCode;  // canonical
  std::string productCode;
  std::optional<std::string> batch;
  std::optional<std::string> expiry;
  std::string dispensedBy;
  std::string dispensedAt;
  // What the package is, from the pharmacy's product list when it was scanned (the voucher's
  // line); unset for packages scanned before the product list existed.
  std::optional<std::string> drugName, spec, manufacturer, unit;
  std::optional<std::int64_t> priceFen;    // unit price in fen (0.01 yuan)
  std::optional<std::string> handedOutAt;  // when a hand-out gave it to the buyer
  std::optional<int> handOutNo;            // which hand-out: 1, 2... (partial dispensing)
};

class PrescriptionRepository {
 public:
  explicit PrescriptionRepository(Connection& conn) : conn_(conn) {}

  Result<std::int64_t> insert(const PrescriptionRecord& rx);
  Result<PrescriptionRecord> find(std::int64_t id);
  // Prescriptions in any of `states`, oldest first.
  Result<std::vector<PrescriptionRecord>> list(const std::vector<RxState>& states);

  // Takes the review lock for `user` unless someone else holds one younger than `staleBefore`.
  Status lock(std::int64_t id, const std::string& user, const std::string& now,
              const std::string& staleBefore);
  Status unlock(std::int64_t id, const std::string& user);
  // Moves the state from `from` to `to`; kConflict if the prescription is no longer in `from`.
  Status moveState(std::int64_t id, RxState from, RxState to);
  Status updateFields(std::int64_t id, const std::string& fieldsJson, const FieldUpdate& update);
  Status extendRetention(std::int64_t id, const std::string& until);
  // Replaces the drug lines (a pharmacist's correction), numbered again from 1 in this order.
  Status replaceItems(std::int64_t id, const std::vector<RxItem>& items);

  Result<std::int64_t> addDecision(const DecisionRecord& d);
  Result<std::vector<DecisionRecord>> decisions(std::int64_t prescriptionId);
  Result<DecisionRecord> decision(std::int64_t id);
  // Every decision, oldest first, one at a time (a store may hold millions), and how many.
  Status forEachDecision(const std::function<Status(const DecisionRecord&)>& row);
  Result<std::int64_t> decisionCount();

  // kConflict when that step was already recorded.
  Status addStep(std::int64_t prescriptionId, const StepRecord& step);
  Result<std::vector<StepRecord>> steps(std::int64_t prescriptionId);

  // kConflict naming the earlier dispensing when the code was handed out before.
  Status addPackage(const PackageRecord& p);
  Result<std::optional<PackageRecord>> packageByCode(const std::string& traceCode);
  Result<std::vector<PackageRecord>> packages(std::int64_t prescriptionId);
  // Stamps every package of the prescription not yet handed out as given by hand-out number
  // `handOutNo`; returns how many.
  Result<int> markHandedOut(std::int64_t prescriptionId, int handOutNo, const std::string& at);
  // Takes back a package scanned by mistake (kNotFound unless it waits for hand-out).
  Status removePackage(std::int64_t prescriptionId, const std::string& traceCode);

  // Every dispensing of `drugName` (with `batch` if given), or of the package `traceCode`.
  Result<std::vector<RecallRow>> recall(const std::optional<std::string>& drugName,
                                        const std::optional<std::string>& batch,
                                        const std::optional<std::string>& traceCode);
  // Prescriptions whose retention period ended before `today`.
  Result<std::vector<std::int64_t>> expiredRetention(const std::string& today);
  // Deletes a prescription with its items, decisions, steps and packages. The used mark stays
  // (it holds no personal data and keeps catching reuse).
  Status purge(std::int64_t id);

  // The prescription that used issuer + number, if any.
  Result<std::optional<std::int64_t>> usedBy(const std::string& issuer,
                                             const std::string& rxNumber);
  Status markUsed(const std::string& issuer, const std::string& rxNumber, std::int64_t id,
                  const std::string& at);

 private:
  Result<PrescriptionRecord> read(Statement& st);
  Status insertItems(std::int64_t id, const std::vector<RxItem>& items);
  Connection& conn_;
};

}  // namespace rx::data
