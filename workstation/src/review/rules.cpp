#include "workstation/rules.h"

#include <algorithm>
#include <set>

#include "base/drug_class.h"
#include "base/time.h"
#include "workstation/agreements.h"

namespace rx::ws {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::kOk:
      return "ok";
    case Severity::kWarn:
      return "warn";
    case Severity::kBlock:
      return "block";
  }
  return "?";
}

CheckSummary summarizeChecks(const std::vector<RuleCheck>& checks) {
  CheckSummary s;
  for (const auto& c : checks) {
    s.warnings += c.severity == Severity::kWarn ? 1 : 0;
    if (c.severity != Severity::kBlock) continue;
    ++s.blocking;
    s.usedBefore = s.usedBefore || c.rule == "reuse";
  }
  return s;
}

namespace {

// The drug lines for which `pred` holds, as "name (class) name (class) " or "name " lists.
template <typename Pred>
std::string itemsWhere(const data::PrescriptionRecord& rx, Pred pred, bool withClass) {
  std::string out;
  for (const auto& item : rx.items)
    if (pred(item)) out += item.drugName + (withClass ? " (" + item.drugClass + ") " : " ");
  return out;
}

RuleCheck check(std::string rule, bool fine, Severity otherwise, std::string okMessage,
                std::string message, std::string evidence) {
  return {std::move(rule), fine ? Severity::kOk : otherwise,
          fine ? std::move(okMessage) : std::move(message), std::move(evidence)};
}

}  // namespace

std::optional<RuleCheck> specialManagementRule(const RuleInput& in) {
  const std::string found = itemsWhere(
      in.rx, [](const data::RxItem& i) { return isSpecialManagementClass(i.drugClass); }, true);
  return check("special-management", found.empty(), Severity::kBlock, "no special-management drugs",
               "special-management drugs cannot be dispensed here (M8)", found);
}

std::optional<RuleCheck> ephedrineRule(const RuleInput& in) {
  const std::string found = itemsWhere(
      in.rx, [](const data::RxItem& i) { return i.ephedrine; }, false);
  return check("ephedrine", found.empty(), Severity::kWarn, "no ephedrine compounds",
               "contains ephedrine compounds: check quantity and buyer (G10)", found);
}

std::optional<RuleCheck> supplyLimitRule(const RuleInput& in) {
  std::string over;
  for (const auto& item : in.rx.items)
    if (item.quantity > in.settings.maxQuantityPerItem)
      over += item.drugName + " ×" + std::to_string(static_cast<int>(item.quantity)) + " ";
  return check("supply-limit", over.empty(), Severity::kWarn, "quantities within the supply limit",
               "quantity above the supply limit of " +
                   std::to_string(static_cast<int>(in.settings.maxQuantityPerItem)),
               over);
}

std::optional<RuleCheck> duplicateDrugsRule(const RuleInput& in) {
  std::set<std::string> seen;
  std::string twice;
  for (const auto& item : in.rx.items)
    if (!seen.insert(item.drugName).second) twice += item.drugName + " ";
  return check("duplicate-drugs", twice.empty(), Severity::kWarn, "no drug prescribed twice",
               "the same drug appears twice", twice);
}

std::optional<RuleCheck> drugsReadRule(const RuleInput& in) {
  if (!in.rx.items.empty()) return std::nullopt;
  return RuleCheck{"drugs", Severity::kBlock, "no drugs could be read", in.rx.source};
}

// A paper's drug line whose name the catalogue does not know was misread or is a drug the
// catalogue lacks: its class, and so the special-management check, cannot be trusted.
std::optional<RuleCheck> catalogueRule(const RuleInput& in) {
  if (in.rx.kind != data::RxKind::kPaper || in.rx.items.empty()) return std::nullopt;
  const std::string unknown = itemsWhere(
      in.rx, [](const data::RxItem& i) { return i.drugClass.empty(); }, false);
  return check("catalogue", unknown.empty(), Severity::kWarn, "every drug is in the catalogue",
               "drugs not in the catalogue: compare them with the paper and correct the drug line",
               unknown);
}

// A paper's drug line read without its quantity or unit: how much to hand out, and whether it is
// within the supply limit, is not known until the pharmacist fills it in from the paper.
std::optional<RuleCheck> drugAmountRule(const RuleInput& in) {
  if (in.rx.kind != data::RxKind::kPaper || in.rx.items.empty()) return std::nullopt;
  const std::string incomplete = itemsWhere(
      in.rx, [](const data::RxItem& i) { return i.quantity <= 0 || i.unit.empty(); }, false);
  return check("drug-amount", incomplete.empty(), Severity::kWarn,
               "every drug line has its quantity and unit",
               "drug lines without a quantity or unit: fill them in from the paper", incomplete);
}

// The day written counts; a prescriber may allow up to 3 days (validityDays).
std::optional<RuleCheck> validityRule(const RuleInput& in) {
  const auto issued = in.rx.issuedOn ? toDays(*in.rx.issuedOn) : std::nullopt;
  const auto now = toDays(in.today);
  if (!issued || !now)
    return RuleCheck{"validity", Severity::kBlock, "the prescription date is missing or unreadable",
                     in.rx.issuedOn.value_or("-")};
  const auto age = (*now - *issued).count();
  if (age < 0)
    return RuleCheck{"validity", Severity::kBlock, "the prescription is dated in the future",
                     *in.rx.issuedOn};
  if (age >= in.rx.validityDays)
    return RuleCheck{"validity", Severity::kBlock,
                     "the prescription expired (valid " + std::to_string(in.rx.validityDays) +
                         " day(s) from " + *in.rx.issuedOn + ")",
                     *in.rx.issuedOn};
  return RuleCheck{"validity", Severity::kOk, "within its validity", *in.rx.issuedOn};
}

std::optional<RuleCheck> realNameRule(const RuleInput& in) {
  const bool named = in.rx.patientName && !in.rx.patientName->empty();
  const bool idRecorded = in.rx.patientIdNo && !in.rx.patientIdNo->empty();
  return check("real-name", named && idRecorded, Severity::kBlock,
               "patient's real name and ID number recorded",
               "record the patient's real name and ID number (实名制)",
               in.rx.patientName.value_or("-"));
}

std::optional<RuleCheck> signatureRule(const RuleInput& in) {
  if (in.rx.kind != data::RxKind::kElectronic) return std::nullopt;
  return check("signature", in.rx.verified.value_or(false), Severity::kBlock,
               "signature and provider agreement verified",
               "the e-prescription's signature or provider agreement was not accepted",
               in.rx.agreementNo.value_or("no agreement"));
}

// The same test as the verification (inAgreementScope): special-management classes are never in
// scope, whatever an agreement lists.
std::optional<RuleCheck> scopeRule(const RuleInput& in) {
  if (in.rx.kind != data::RxKind::kElectronic) return std::nullopt;
  const std::string outside = itemsWhere(
      in.rx,
      [&](const data::RxItem& i) { return !inAgreementScope(i.drugClass, in.rx.agreementScope); },
      true);
  return check("scope", outside.empty(), Severity::kBlock, "all drugs within the agreement's scope",
               "drugs outside the provider agreement's scope", outside);
}

// This issuer's number already handed out, or the presentation's reuse finding.
std::optional<RuleCheck> reuseRule(const RuleInput& in) {
  const auto& finding = in.finding;
  std::string evidence;
  if (finding)
    for (const auto& m : finding->matches)
      evidence +=
          (m.store.empty() ? "record " + std::to_string(m.record)
                           : m.storeName + "'s record " + std::to_string(m.storeRecord)) +
          " (" + m.state +
          (m.arrivedAt.empty() ? ""
                               : ", arrived " + readableTime(m.arrivedAt) + " via " + m.arrivedBy) +
          "; " + m.rule + ") ";
  if (in.usedBy)
    return RuleCheck{
        "reuse", Severity::kBlock,
        "this prescription was already used (prescription " + std::to_string(*in.usedBy) + ")",
        in.rx.issuer.value_or("") + " " + in.rx.rxNumber.value_or("") + " " + evidence};
  if (!finding || finding->verdict == dedup::Verdict::kNew)
    return RuleCheck{"reuse", Severity::kOk, "not presented before", ""};
  if (finding->verdict == dedup::Verdict::kCertain)
    return RuleCheck{"reuse", Severity::kBlock,
                     "this prescription was presented before (reuse certain)", evidence};
  if (!finding->overruled())
    return RuleCheck{"reuse", Severity::kBlock,
                     "this may be a prescription presented before: compare, then overrule with a "
                     "reason if it is a different one",
                     evidence};
  return RuleCheck{"reuse", Severity::kWarn,
                   "reuse suspicion overruled by " + finding->overruledBy.value_or("") + ": " +
                       finding->overruleReason.value_or(""),
                   evidence};
}

// Fields OCR read below the confidence threshold must be confirmed by the pharmacist.
std::optional<RuleCheck> confirmationRule(const RuleInput& in) {
  if (in.rx.kind != data::RxKind::kPaper) return std::nullopt;
  std::string unconfirmed;
  for (FieldName f : in.fields.toConfirm(in.settings.lowConfidence))
    unconfirmed += std::string(fieldKey(f)) + " ";
  return check("ocr-confirmed", unconfirmed.empty(), Severity::kBlock,
               "all read fields are certain or confirmed",
               "confirm the fields read with low confidence", unconfirmed);
}

std::vector<RuleCheck> runRules(const RuleInput& in) {
  std::vector<RuleCheck> out;
  for (Rule rule : kRules)
    if (auto c = rule(in)) out.push_back(std::move(*c));
  return out;
}

}  // namespace rx::ws
