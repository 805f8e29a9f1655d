#include "workstation/dispensing.h"

#include <algorithm>

#include "base/time.h"
#include "data/reuse.h"
#include "dedup/traceability.h"
#include "workstation/chain.h"
#include "workstation/records.h"
#include "workstation/settings.h"

namespace rx::ws {

namespace {

Status requirePharmacist(Session& session, std::string_view action) {
  return session.require(data::Role::kPharmacist, action);
}

bool hasStep(const std::vector<data::StepRecord>& done, data::DispenseStep step) {
  return std::any_of(done.begin(), done.end(), [&](const auto& x) { return x.step == step; });
}

}  // namespace

namespace {

// Dispensing works on approved (or partly dispensed) prescriptions only.
Status requireDispensable(const data::PrescriptionRecord& r, const std::string& why) {
  if (r.state == data::RxState::kApproved || r.state == data::RxState::kPartiallyDispensed)
    return Status();
  return Status(ErrorCode::kConflict, "prescription " + std::to_string(r.id) + " is " +
                                          std::string(data::rxStateName(r.state)) + "; " + why);
}

}  // namespace

Status DispensingService::recordStep(std::int64_t id, data::DispenseStep step) {
  RX_RETURN_IF_ERROR(requirePharmacist(session_, "record dispensing steps"));
  if (step == data::DispenseStep::kHandOut)
    return Status(ErrorCode::kInvalidArgument, "hand-out is its own action, not a step to record");
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_RETURN_IF_ERROR(requireDispensable(r, "only approved prescriptions are dispensed"));
  RX_ASSIGN_OR_RETURN(auto done, repo.steps(id));
  if (step == data::DispenseStep::kCheck) {
    auto prepared = std::find_if(done.begin(), done.end(), [](const auto& s) {
      return s.step == data::DispenseStep::kPrepare;
    });
    if (prepared == done.end())
      return Status(ErrorCode::kConflict, "prepare (调配) comes before check (核对)");
    RX_ASSIGN_OR_RETURN(const ReviewSettings rules, reviewSettings(session_, fixedSettings_));
    if (rules.secondPharmacistCheck && prepared->byUser == session_.user().name)
      return Status(ErrorCode::kConflict,
                    "the check (核对) must be done by a second pharmacist, not by '" +
                        prepared->byUser + "' who prepared it");
  }
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.addStep(id, {step, session_.user().name, utcTimestamp()}));
  RX_RETURN_IF_ERROR(
      session_.audit("dispense." + std::string(data::dispenseStepName(step)), std::to_string(id))
          .status());
  return tx.commit();
}

namespace {

// Per drug name: how much was prescribed (summed over lines naming it) in which unit.
std::vector<LineProgress> linesOf(const data::PrescriptionRecord& r,
                                  const std::vector<data::PackageRecord>& packages) {
  std::vector<LineProgress> out;
  for (const auto& item : r.items) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& l) { return l.drugName == item.drugName; });
    if (it == out.end()) {
      out.push_back({item.drugName, item.quantity, item.unit, 0, item.quantity > 0});
    } else {
      it->prescribed += item.quantity;
      it->countable = it->countable && item.quantity > 0 && item.unit == it->unit;
    }
  }
  for (const auto& p : packages)
    for (auto& l : out)
      if (p.drugName && *p.drugName == l.drugName) {
        ++l.scanned;
        // A prescription counting tablets or millilitres cannot be compared with packages.
        if (p.unit && !l.unit.empty() && *p.unit != l.unit) l.countable = false;
        break;
      }
  return out;
}

std::string describe(const LineProgress& l) {
  auto qty = [](double q) {
    std::string s = std::to_string(q);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  };
  return l.drugName + " " + std::to_string(l.scanned) + " of " + qty(l.prescribed) + " " + l.unit;
}

bool complete(const LineProgress& l) {
  return l.countable ? l.scanned >= l.prescribed : l.scanned > 0;
}

}  // namespace

Result<std::vector<LineProgress>> DispensingService::progress(std::int64_t id) {
  data::PrescriptionRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_ASSIGN_OR_RETURN(auto packages, repo.packages(id));
  return linesOf(r, packages);
}

Result<std::vector<data::PackageRecord>> DispensingService::scannedNotHandedOut(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(auto packages,
                      data::PrescriptionRepository(session_.store().connection()).packages(id));
  std::erase_if(packages, [](const data::PackageRecord& p) { return p.handedOutAt.has_value(); });
  return packages;
}

Result<data::PackageRecord> DispensingService::scanPackage(std::int64_t id,
                                                           const std::string& scanned) {
  RX_RETURN_IF_ERROR(requirePharmacist(session_, "dispense packages"));
  RX_ASSIGN_OR_RETURN(dedup::TraceCode code, dedup::parseTraceCode(scanned));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_RETURN_IF_ERROR(requireDispensable(r, "nothing can be dispensed before approval"));
  RX_ASSIGN_OR_RETURN(auto product, data::ProductRepository(conn).find(code.productCode));
  if (!product)
    return Status(ErrorCode::kNotFound,
                  "package " + code.canonical + ": product " + code.productCode +
                      " is not in the pharmacy's product list; a supervisor adds it "
                      "(rxdesk-cli product add or product import)");
  RX_ASSIGN_OR_RETURN(auto packages, repo.packages(id));
  // The same pack scanned twice at this counter is a slip, not a pack handed out before.
  if (std::any_of(packages.begin(), packages.end(),
                  [&](const auto& p) { return p.traceCode == code.canonical; }))
    return Status(
        ErrorCode::kConflict,
        "package " + code.canonical + " is already scanned for prescription " + std::to_string(id));
  // A pack sold before is said as such, whatever drug it is: one box, one sale.
  RX_ASSIGN_OR_RETURN(auto earlier, repo.packageByCode(code.canonical));
  if (earlier)
    return Status(ErrorCode::kAlreadyExists,
                  "package " + code.canonical + " was handed out before: " +
                      (earlier->handedOutAt ? "on " + *earlier->handedOutAt + ", " : "") +
                      "scanned by '" + earlier->dispensedBy + "' for prescription " +
                      std::to_string(earlier->prescriptionId));
  // ... or at another store of the chain (docs/registry.md), as of the last exchange.
  ChainService chain(session_);
  RX_ASSIGN_OR_RETURN(auto elsewhere, chain.packageHandedOutElsewhere(code.canonical));
  if (elsewhere)
    return Status(ErrorCode::kAlreadyExists,
                  "package " + code.canonical + " was handed out " + *elsewhere);
  const auto lines = linesOf(r, packages);
  auto line = std::find_if(lines.begin(), lines.end(),
                           [&](const auto& l) { return l.drugName == product->drugName; });
  if (line == lines.end()) {
    std::string prescribed;
    for (const auto& l : lines) prescribed += (prescribed.empty() ? "" : "、") + l.drugName;
    return Status(ErrorCode::kConflict,
                  "package " + code.canonical + " is " + product->drugName + " " + product->spec +
                      " (" + product->manufacturer + "), which prescription " + std::to_string(id) +
                      " does not prescribe (it prescribes " + prescribed + ")");
  }
  // A line without a unit counts packages.
  if (line->countable && (line->unit.empty() || product->unit == line->unit) &&
      line->scanned >= line->prescribed)
    return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) + " has " +
                                            describe(*line) +
                                            " scanned already; this package would be one too many");
  data::PackageRecord p;
  p.prescriptionId = id;
  p.traceCode = code.canonical;
  p.productCode = code.productCode;
  p.batch = code.batch;
  p.expiry = code.expiry;
  p.dispensedBy = session_.user().name;
  p.dispensedAt = utcTimestamp();
  p.drugName = product->drugName;
  p.spec = product->spec;
  p.manufacturer = product->manufacturer;
  p.unit = product->unit;
  p.priceFen = product->priceFen;
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.addPackage(p));
  RX_RETURN_IF_ERROR(repo.extendRetention(id, retentionDate(datePart(r.arrivedAt), code.expiry)));
  RX_RETURN_IF_ERROR(
      session_.audit("dispense.package", std::to_string(id), {{"trace_code", code.canonical}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return p;
}

Status DispensingService::unscanPackage(std::int64_t id, const std::string& scanned) {
  RX_RETURN_IF_ERROR(requirePharmacist(session_, "dispense packages"));
  RX_ASSIGN_OR_RETURN(dedup::TraceCode code, dedup::parseTraceCode(scanned));
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(data::PrescriptionRepository(conn).removePackage(id, code.canonical));
  RX_RETURN_IF_ERROR(
      session_.audit("dispense.unscan", std::to_string(id), {{"trace_code", code.canonical}})
          .status());
  return tx.commit();
}

Status DispensingService::handOut(std::int64_t id, bool partial) {
  RX_RETURN_IF_ERROR(requirePharmacist(session_, "hand out drugs"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_RETURN_IF_ERROR(requireDispensable(r, "only approved prescriptions are handed out"));
  RX_ASSIGN_OR_RETURN(auto done, repo.steps(id));
  if (!hasStep(done, data::DispenseStep::kPrepare) || !hasStep(done, data::DispenseStep::kCheck))
    return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) +
                                            " needs prepare (调配) and check (核对) first");
  RX_ASSIGN_OR_RETURN(auto packages, repo.packages(id));
  const auto fresh =
      std::count_if(packages.begin(), packages.end(), [](const auto& p) { return !p.handedOutAt; });
  if (fresh == 0)
    return Status(ErrorCode::kConflict,
                  packages.empty()
                      ? "scan the traceability code of every package before handing out"
                      : "no package was scanned since the last hand-out of prescription " +
                            std::to_string(id));
  std::string missing;
  for (const auto& l : linesOf(r, packages))
    if (!complete(l)) missing += (missing.empty() ? "" : "; ") + describe(l);
  if (!missing.empty() && !partial)
    return Status(ErrorCode::kConflict,
                  "prescription " + std::to_string(id) + " is not complete (" + missing +
                      " scanned); hand out what is scanned as a partial dispensing (部分发药) or "
                      "scan the rest");
  // Hand-out is a claim in the chain registry (when the store is in a chain): the first store to
  // claim a prescription or a package wins. Claimed before the transaction, given back if it
  // does not commit.
  std::vector<std::string> freshCodes;
  for (const auto& p : packages)
    if (!p.handedOutAt) freshCodes.push_back(p.traceCode);
  ChainService chain(session_);
  RX_ASSIGN_OR_RETURN(HandOutClaim claim, chain.claimHandOut(r, freshCodes));
  lastWarning_.reset();
  if (claim.joined && !claim.online)
    lastWarning_ =
        "handed out while the chain registry cannot be reached: the other stores "
        "learn of it when it is back";
  const std::string now = utcTimestamp();
  Status recorded;
  {
    data::Transaction tx(conn);
    recorded = tx.beginStatus();
    if (recorded) recorded = recordHandOut(r, done, !missing.empty(), fresh, now);
    if (recorded) recorded = chain.recordHandOut(claim, id, now);
    if (recorded) recorded = tx.commit();
  }
  if (!recorded) {
    // After the rollback: the store's write lock is not held while the registry is asked.
    chain.releaseHandOut(claim, id);
    return recorded;
  }
  chain.flush();
  return Status();
}

// The local half of handOut(), inside its transaction.
Status DispensingService::recordHandOut(const data::PrescriptionRecord& r,
                                        const std::vector<data::StepRecord>& done, bool incomplete,
                                        std::int64_t fresh, const std::string& now) {
  const std::int64_t id = r.id;
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_RETURN_IF_ERROR(repo.addStep(id, {data::DispenseStep::kHandOut, session_.user().name, now}));
  const int handOutNo =
      1 + static_cast<int>(std::count_if(done.begin(), done.end(), [](const auto& x) {
        return x.step == data::DispenseStep::kHandOut;
      }));
  RX_RETURN_IF_ERROR(repo.markHandedOut(id, handOutNo, now).status());
  if (r.issuer && r.rxNumber) {
    RX_ASSIGN_OR_RETURN(auto usedBy, repo.usedBy(*r.issuer, *r.rxNumber));
    if (usedBy != id) RX_RETURN_IF_ERROR(repo.markUsed(*r.issuer, *r.rxNumber, id, now));
  }
  RX_RETURN_IF_ERROR(data::ReuseRepository(conn).markUsed(id, now));
  const data::RxState next =
      incomplete ? data::RxState::kPartiallyDispensed : data::RxState::kClosed;
  if (next != r.state) RX_RETURN_IF_ERROR(repo.moveState(id, r.state, next));
  return session_
      .audit(
          "dispense.hand_out", std::to_string(id),
          {{"packages", fresh}, {"complete", !incomplete}, {"marked_used", r.rxNumber.has_value()}})
      .status();
}

Result<DispenseOutcome> DispensingService::dispense(std::int64_t id, const DispenseOrder& order) {
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto done, repo.steps(id));
  if (!hasStep(done, data::DispenseStep::kPrepare))
    RX_RETURN_IF_ERROR(recordStep(id, data::DispenseStep::kPrepare));
  for (const auto& code : order.remove) RX_RETURN_IF_ERROR(unscanPackage(id, code));
  DispenseOutcome out;
  for (const auto& code : order.scan) {
    auto p = scanPackage(id, code);
    if (!p) {
      // Packages scanned before this one stay scanned; say so.
      Status s = p.status();
      if (!out.scanned.empty())
        return Status(s.code(), s.message() + " (the " + std::to_string(out.scanned.size()) +
                                    " package(s) scanned before it are recorded)");
      return s;
    }
    out.scanned.push_back(std::move(*p));
  }
  if (!hasStep(done, data::DispenseStep::kCheck))
    RX_RETURN_IF_ERROR(recordStep(id, data::DispenseStep::kCheck));
  if (order.handOut) {
    RX_RETURN_IF_ERROR(handOut(id, order.partial));
    out.warning = lastWarning_;
  }
  RX_ASSIGN_OR_RETURN(out.lines, progress(id));
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  out.state = r.state;
  return out;
}

}  // namespace rx::ws
