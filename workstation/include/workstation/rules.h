// The automatic checks a pharmacist sees before deciding (审方): one function per rule, each
// answering from what was presented, the store's settings and the reuse finding, run in order by
// runRules(). Adding a rule: write its function in review/rules.cpp, list it in kRules, add its
// messages to the translation catalogue (po/), and test it in tests/workstation/rules_test.cpp.
// Regulations M8, M9, M13, M17, G10 (../shared/docs/requirements.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/prescriptions.h"
#include "workstation/read_fields.h"
#include "workstation/reuse.h"

namespace rx::ws {

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
  int warnings = 0;         // checks the pharmacist should look at (supply limit, ephedrine…)
  bool usedBefore = false;  // the reuse check fired
};
CheckSummary summarizeChecks(const std::vector<RuleCheck>& checks);

// Everything a rule may look at.
struct RuleInput {
  const data::PrescriptionRecord& rx;
  const ReadFields& fields;
  const ReviewSettings& settings;
  std::string today;                   // YYYY-MM-DD, Beijing
  std::optional<std::int64_t> usedBy;  // another record that handed out this issuer's number
  const std::optional<ReuseFinding>& finding;
};

// A rule answers, or says nothing when it does not apply (the e-prescription rules on paper).
using Rule = std::optional<RuleCheck> (*)(const RuleInput&);

std::optional<RuleCheck> specialManagementRule(const RuleInput& in);  // M8
std::optional<RuleCheck> ephedrineRule(const RuleInput& in);          // G10
std::optional<RuleCheck> supplyLimitRule(const RuleInput& in);
std::optional<RuleCheck> duplicateDrugsRule(const RuleInput& in);
std::optional<RuleCheck> drugsReadRule(const RuleInput& in);
std::optional<RuleCheck> catalogueRule(const RuleInput& in);
std::optional<RuleCheck> drugAmountRule(const RuleInput& in);
std::optional<RuleCheck> validityRule(const RuleInput& in);
std::optional<RuleCheck> realNameRule(const RuleInput& in);  // M9, M17
std::optional<RuleCheck> signatureRule(const RuleInput& in);
std::optional<RuleCheck> scopeRule(const RuleInput& in);
std::optional<RuleCheck> reuseRule(const RuleInput& in);  // M9
std::optional<RuleCheck> confirmationRule(const RuleInput& in);

inline constexpr Rule kRules[] = {specialManagementRule, ephedrineRule, supplyLimitRule,
                                  duplicateDrugsRule,    drugsReadRule, catalogueRule,
                                  drugAmountRule,        validityRule,  realNameRule,
                                  signatureRule,         scopeRule,     reuseRule,
                                  confirmationRule};

// Every rule that applies, in kRules order.
std::vector<RuleCheck> runRules(const RuleInput& in);

}  // namespace rx::ws
