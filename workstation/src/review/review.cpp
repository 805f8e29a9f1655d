#include "workstation/review.h"

#include <algorithm>
#include <chrono>

#include "base/text.h"
#include "base/time.h"
#include "base/utf8.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "data/reuse.h"
#include "ocr/lexicon.h"
#include "workstation/drug_lines.h"
#include "workstation/identifiers.h"
#include "workstation/settings.h"

namespace rx::ws {

using nlohmann::json;

std::string_view decisionName(Decision d) {
  switch (d) {
    case Decision::kApprove:
      return "approve";
    case Decision::kReject:
      return "reject";
    case Decision::kAsk:
      return "ask";
  }
  return "?";
}

Result<Decision> parseDecision(std::string_view s) {
  if (s == "approve") return Decision::kApprove;
  if (s == "reject") return Decision::kReject;
  if (s == "ask") return Decision::kAsk;
  return Status(ErrorCode::kInvalidArgument,
                "decision '" + std::string(s) + "' is not approve, reject or ask");
}

std::string maskedName(const std::string& name) {
  std::u32string cps = toU32(name);
  if (cps.empty()) return "";
  // Common two-character surnames keep both characters.
  static const std::u32string kDouble[] = {U"欧阳", U"司马", U"上官", U"诸葛",
                                           U"东方", U"皇甫", U"令狐", U"慕容"};
  std::size_t keep = 1;
  for (const auto& d : kDouble)
    if (cps.size() > 2 && cps.compare(0, 2, d) == 0) keep = 2;
  return toUtf8(cps.substr(0, keep)) + std::string(cps.size() - keep, '*');
}

const std::vector<std::string>& reasonCodes() {
  static const std::vector<std::string> codes = {"incomplete",  "expired",          "dosage",
                                                 "interaction", "contraindication", "not-in-scope",
                                                 "reuse",       "signature",        "other"};
  return codes;
}

std::string issuerShown(const data::PrescriptionRecord& r) {
  const std::string code = r.issuer.value_or("");
  if (r.kind != data::RxKind::kElectronic) return code;
  const json verdict = ReadFields::fromStored(r.fieldsJson).signature;
  const json agreement = verdict.is_object() ? verdict.value("agreement", json()) : json();
  if (!agreement.is_object()) return code;
  // Only the agreement made out to this issuer names it (the one found by the signing key may be
  // another provider's).
  const json matches = agreement.value("issuer_matches", json());
  const json provider = agreement.value("provider", json());
  if (!matches.is_boolean() || !matches.get<bool>() || !provider.is_string() ||
      provider.get<std::string>().empty())
    return code;
  return provider.get<std::string>() + (code.empty() ? "" : "（" + code + "）");
}

ReviewService::~ReviewService() = default;

ReuseService& ReviewService::reuse() {
  if (!reuse_) reuse_ = std::make_unique<ReuseService>(session_);
  return *reuse_;
}

Status ReviewService::requirePharmacist(std::string_view action) const {
  return session_.require(data::Role::kPharmacist, action);
}

Result<ReviewSettings> ReviewService::settings() {
  return reviewSettings(session_, fixedSettings_);
}

Result<std::vector<data::PrescriptionRecord>> ReviewService::queue() {
  using data::RxState;
  return data::PrescriptionRepository(session_.store().connection())
      .list({RxState::kQueued, RxState::kInReview, RxState::kNeedsInfo, RxState::kApproved,
             RxState::kPartiallyDispensed});
}

Result<data::PrescriptionRecord> ReviewService::record(std::int64_t id) {
  return data::PrescriptionRepository(session_.store().connection()).find(id);
}

Result<data::PrescriptionRecord> ReviewService::startReview(std::int64_t id) {
  RX_RETURN_IF_ERROR(requirePharmacist("review prescriptions"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(const ReviewSettings rules, settings());
  const auto now = std::chrono::system_clock::now();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.lock(id, session_.user().name, utcTimestamp(now),
                               utcTimestamp(now - std::chrono::minutes(rules.reviewLockMinutes))));
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  if (r.state == data::RxState::kQueued || r.state == data::RxState::kNeedsInfo) {
    RX_RETURN_IF_ERROR(repo.moveState(id, r.state, data::RxState::kInReview));
    r.state = data::RxState::kInReview;
  } else if (r.state != data::RxState::kInReview) {
    return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) + " is " +
                                            std::string(data::rxStateName(r.state)) +
                                            "; it cannot be reviewed now");
  }
  RX_RETURN_IF_ERROR(tx.commit());
  return r;
}

Status ReviewService::closeReview(std::int64_t id) {
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  if (r.state != data::RxState::kInReview || r.lockedBy != session_.user().name) return Status();
  RX_ASSIGN_OR_RETURN(auto decisions, repo.decisions(id));
  const bool asked =
      !decisions.empty() && decisions.back().decision == decisionName(Decision::kAsk);
  RX_RETURN_IF_ERROR(repo.moveState(id, data::RxState::kInReview,
                                    asked ? data::RxState::kNeedsInfo : data::RxState::kQueued));
  RX_RETURN_IF_ERROR(repo.unlock(id, session_.user().name));
  RX_RETURN_IF_ERROR(session_.audit("review.close", std::to_string(id)).status());
  return tx.commit();
}

namespace {

// Applies the field keys of `values` (drug-line keys are left to applyDrugLineEdits) to `fields`
// and `update`; returns whether the identity the reuse check compares (number, issuer, date,
// patient) changed.
Result<bool> applyFieldValues(const data::PrescriptionRecord& r,
                              const std::map<std::string, std::string>& values,
                              const std::string& by, ReadFields& fields,
                              data::FieldUpdate& update) {
  bool identityChanged = false;
  for (const auto& [key, value] : values) {
    RX_RETURN_IF_ERROR(checkText("field '" + key + "'", value, kMaxShortText));
    if (key == "patient_id_no") {
      update.patientIdNo = value;
      continue;
    }
    if (r.kind == data::RxKind::kElectronic)
      return Status(ErrorCode::kInvalidArgument,
                    "field '" + key +
                        "' of an e-prescription is signed by its issuer and cannot "
                        "be changed; only patient_id_no can be recorded");
    if (isDrugLineKey(key)) continue;
    const auto field = fieldNamed(key);
    if (!field) return Status(ErrorCode::kInvalidArgument, "unknown field '" + key + "'");
    if (*field == FieldName::kDate && !isIsoDate(value))
      return Status(ErrorCode::kInvalidArgument,
                    "field 'date': expected a date written YYYY-MM-DD, got '" + value + "'");
    switch (*field) {
      case FieldName::kPatientName:
        update.patientName = value;
        break;
      case FieldName::kRxNumber:
        update.rxNumber = value;
        break;
      case FieldName::kHospital:
        update.issuer = value;
        break;
      case FieldName::kDate:
        update.issuedOn = value;
        break;
      default:
        break;
    }
    identityChanged = identityChanged || *field == FieldName::kPatientName ||
                      *field == FieldName::kRxNumber || *field == FieldName::kHospital ||
                      *field == FieldName::kDate;
    fields.confirm(*field, value, by);
  }
  return identityChanged;
}

std::vector<std::string> drugNames(const std::vector<data::RxItem>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.drugName);
  return names;
}

// The drug lines a decision is about, as signed with it.
json drugsJson(const std::vector<data::RxItem>& items) {
  json out = json::array();
  for (const auto& item : items)
    out.push_back({{"name", item.drugName},
                   {"spec", item.spec},
                   {"quantity", item.quantity},
                   {"unit", item.unit}});
  return out;
}

}  // namespace

Result<const ocr::DrugLexicon*> ReviewService::catalogue() {
  if (!catalogue_) {
    RX_ASSIGN_OR_RETURN(ocr::DrugLexicon lexicon,
                        ocr::DrugLexicon::load(ocr::defaultCataloguePath()));
    catalogue_ = std::make_unique<ocr::DrugLexicon>(std::move(lexicon));
  }
  return static_cast<const ocr::DrugLexicon*>(catalogue_.get());
}

Result<std::vector<std::string>> ReviewService::catalogueNames() {
  RX_ASSIGN_OR_RETURN(const ocr::DrugLexicon* lexicon, catalogue());
  std::vector<std::string> names;
  for (const auto& e : lexicon->entries()) names.push_back(e.name);
  return names;
}

Status ReviewService::checkDrugNames(std::vector<data::RxItem>& lines,
                                     const std::vector<std::size_t>& renamed) {
  if (renamed.empty()) return Status::ok();  // a spec or a quantity: nothing to look up
  RX_ASSIGN_OR_RETURN(const ocr::DrugLexicon* lexicon, catalogue());
  std::optional<std::vector<data::ProductRecord>> products;
  for (std::size_t i : renamed) {
    data::RxItem& item = lines[i];
    if (const ocr::DrugEntry* e = lexicon->find(item.drugName)) {
      item.drugName = e->name;
      item.drugClass = e->drugClass;
      item.ephedrine = e->ephedrine;
      continue;
    }
    if (!products) {
      RX_ASSIGN_OR_RETURN(products, ProductService(session_).list());
    }
    if (std::any_of(products->begin(), products->end(),
                    [&](const data::ProductRecord& p) { return p.drugName == item.drugName; }))
      continue;  // stocked, though the catalogue does not know its class: the checks say so
    // A hint for a name typed: not one chosen on how OCR misreads, further than 40% from it.
    auto near = lexicon->snap(item.drugName);
    if (near && near->furtherThanAllowed) near.reset();
    return Status(ErrorCode::kInvalidArgument,
                  "drug '" + item.drugName +
                      "' is neither in the drug catalogue nor in the pharmacy's product list" +
                      (near ? "; the nearest catalogue name is " + near->entry->name : ""));
  }
  return Status::ok();
}

Status ReviewService::confirmFields(std::int64_t id,
                                    const std::map<std::string, std::string>& values) {
  RX_RETURN_IF_ERROR(requirePharmacist("confirm prescription fields"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  PendingReuse pending(reuse());
  // Read, checked and written in one transaction: the lock cannot be taken over by another
  // process in between, and the line numbers are those of the lines being replaced.
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  if (r.state != data::RxState::kInReview || r.lockedBy != session_.user().name)
    return Status(ErrorCode::kConflict,
                  "open prescription " + std::to_string(id) + " for review first");
  ReadFields fields = ReadFields::fromStored(r.fieldsJson);
  data::FieldUpdate update;
  RX_ASSIGN_OR_RETURN(const bool identityChanged,
                      applyFieldValues(r, values, session_.user().name, fields, update));
  std::optional<DrugLineEdits> drugs;
  if (std::any_of(values.begin(), values.end(),
                  [](const auto& v) { return isDrugLineKey(v.first); })) {
    RX_ASSIGN_OR_RETURN(drugs, applyDrugLineEdits(r.items, values));
    RX_RETURN_IF_ERROR(checkDrugNames(drugs->lines, drugs->renamed));
  }
  const bool drugSetChanged = drugs && drugNames(drugs->lines) != drugNames(r.items);
  RX_RETURN_IF_ERROR(repo.updateFields(id, fields.toStored(), update));
  if (drugs) RX_RETURN_IF_ERROR(repo.replaceItems(id, drugs->lines));
  json fieldsChanged = json::array();
  for (const auto& [key, value] : values) fieldsChanged.push_back(key);
  json details = {{"fields", fieldsChanged}};
  if (drugs)
    details["drugs"] = {{"before", drugNames(r.items)}, {"after", drugNames(drugs->lines)}};
  if (identityChanged || drugSetChanged) {
    RX_ASSIGN_OR_RETURN(
        ReuseFinding finding,
        reuse().refresh(id, fields,
                        drugSetChanged ? std::optional(drugNames(drugs->lines)) : std::nullopt));
    details["reuse"] = std::string(dedup::verdictName(finding.verdict));
  }
  RX_RETURN_IF_ERROR(session_.audit("rx.confirm-fields", std::to_string(id), details).status());
  RX_RETURN_IF_ERROR(tx.commit());
  pending.committed();
  return Status();
}

Result<double> ReviewService::lowConfidence() {
  RX_ASSIGN_OR_RETURN(const ReviewSettings rules, settings());
  return rules.lowConfidence;
}

Result<std::vector<RuleCheck>> ReviewService::checks(std::int64_t id, const std::string& today) {
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r,
                      data::PrescriptionRepository(session_.store().connection()).find(id));
  RX_ASSIGN_OR_RETURN(auto finding, reuse().finding(id));
  return checksFor(r, ReadFields::fromStored(r.fieldsJson), finding, today);
}

Result<std::vector<RuleCheck>> ReviewService::checksFor(const data::PrescriptionRecord& r,
                                                        const ReadFields& fields,
                                                        const std::optional<ReuseFinding>& finding,
                                                        const std::string& today) {
  RX_ASSIGN_OR_RETURN(const ReviewSettings rules, settings());
  std::optional<std::int64_t> usedBy;
  if (r.issuer && r.rxNumber) {
    RX_ASSIGN_OR_RETURN(
        usedBy,
        data::PrescriptionRepository(session_.store().connection()).usedBy(*r.issuer, *r.rxNumber));
    if (usedBy == r.id) usedBy.reset();
  }
  return runRules({r, fields, rules, today, usedBy, finding});
}

Result<data::DecisionRecord> ReviewService::decide(std::int64_t id, const DecisionInput& input) {
  RX_RETURN_IF_ERROR(requirePharmacist("decide on prescriptions"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  if (r.state != data::RxState::kInReview || r.lockedBy != session_.user().name)
    return Status(ErrorCode::kConflict,
                  "prescription " + std::to_string(id) + " is " +
                      std::string(data::rxStateName(r.state)) +
                      (r.lockedBy ? " and opened by '" + *r.lockedBy + "'" : std::string()) +
                      "; open it for review first");
  const std::string now = utcTimestamp();
  RX_ASSIGN_OR_RETURN(auto checkList, checks(id, beijingDate(now)));
  json checkJson = json::array();
  std::string blocking;
  for (const auto& c : checkList) {
    checkJson.push_back({{"rule", c.rule},
                         {"severity", std::string(severityName(c.severity))},
                         {"evidence", c.evidence}});
    if (c.severity == Severity::kBlock) blocking += c.rule + " ";
  }
  if (input.decision == Decision::kApprove) {
    if (!blocking.empty())
      return Status(ErrorCode::kConflict, "cannot approve prescription " + std::to_string(id) +
                                              ": blocked by " + blocking);
    if (!input.buyerConfirmedRiskWarning)
      return Status(ErrorCode::kConflict,
                    std::string("the buyer must confirm the risk warning 「") + kRiskWarning +
                        "」 before approval (M13)");
  } else if (input.reasons.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "a rejection or a request for information needs a reason code");
  }
  for (const std::string& reason : input.reasons)
    RX_RETURN_IF_ERROR(checkText("the reason code", reason, kMaxShortText));
  RX_RETURN_IF_ERROR(checkText("the decision's note", input.note, kMaxNoteText, true));
  RX_ASSIGN_OR_RETURN(crypto::SigningKey key, session_.store().personalKey());
  json payload = {
      {"type", "rxdesk-review-decision"},
      {"prescription", id},
      {"rx_number", r.rxNumber ? json(*r.rxNumber) : json(nullptr)},
      {"issuer", r.issuer ? json(*r.issuer) : json(nullptr)},
      {"decision", std::string(decisionName(input.decision))},
      {"reasons", input.reasons},
      {"note", input.note},
      {"risk_warning_confirmed", input.buyerConfirmedRiskWarning},
      {"checks", checkJson},
      {"drugs", drugsJson(r.items)},
      {"fields_sha256", crypto::toHex(crypto::sha256(r.fieldsJson))},
      {"pharmacist",
       {{"user", session_.user().name}, {"licence", session_.user().licenceNo.value_or("")}}},
      {"at", now}};
  const std::string canonical = crypto::canonicalJson(payload);
  RX_ASSIGN_OR_RETURN(crypto::Bytes sig, key.sign(crypto::toBytes(canonical)));
  data::DecisionRecord d{0,
                         id,
                         std::string(decisionName(input.decision)),
                         canonical,
                         sig,
                         key.publicKey().keyId(),
                         session_.user().name,
                         now};
  const data::RxState to = input.decision == Decision::kApprove  ? data::RxState::kApproved
                           : input.decision == Decision::kReject ? data::RxState::kRejected
                                                                 : data::RxState::kNeedsInfo;
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(d.id, repo.addDecision(d));
  RX_RETURN_IF_ERROR(repo.moveState(id, data::RxState::kInReview, to));
  RX_RETURN_IF_ERROR(repo.unlock(id, session_.user().name));
  RX_RETURN_IF_ERROR(session_
                         .audit("review.decide", std::to_string(id),
                                {{"decision", d.decision},
                                 {"reasons", input.reasons},
                                 {"payload_sha256", crypto::toHex(crypto::sha256(canonical))},
                                 {"key_id", d.keyId}})
                         .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return d;
}

Status ReviewService::verifyDecision(const data::DecisionRecord& d) {
  return verifyDecisionWith(d, session_.store().signerKey(d.decidedBy, d.keyId));
}

Status ReviewService::verifyDecisionWith(const data::DecisionRecord& d,
                                         const Result<crypto::PublicKey>& key) {
  if (!key)
    return Status(key.status().code(), "decision " + std::to_string(d.id) + " was signed with " +
                                           d.keyId + ": " + key.status().message());
  Status s = crypto::verifySignature(*key, crypto::SignatureScheme::kEd25519,
                                     crypto::toBytes(d.payload), d.signature);
  if (!s)
    return Status(ErrorCode::kBadSignature,
                  "decision " + std::to_string(d.id) + " does not verify: " + s.message());
  json payload = json::parse(d.payload, nullptr, false);
  // A tampered payload may hold anything: compare without nlohmann's throwing accessors.
  if (!payload.is_object() || crypto::textOr(payload, "decision") != d.decision ||
      crypto::memberOrNull(payload, "prescription") != json(d.prescriptionId))
    return Status(ErrorCode::kBadSignature,
                  "decision " + std::to_string(d.id) + " does not match what was signed");
  return Status::ok();
}

Result<ReviewService::DecisionsCheck> ReviewService::verifyAllDecisions(
    const std::function<void(std::int64_t, std::int64_t)>& progress, std::size_t maxProblems) {
  RX_RETURN_IF_ERROR(session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin},
                                           "verify the signed decisions"));
  data::PrescriptionRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(std::int64_t total, repo.decisionCount());
  DecisionsCheck check;
  // A few keys sign many decisions: each key's registrations are checked once.
  std::map<std::pair<std::string, std::string>, Result<crypto::PublicKey>> keys;
  RX_RETURN_IF_ERROR(repo.forEachDecision([&](const data::DecisionRecord& d) -> Status {
    auto found = keys.find({d.decidedBy, d.keyId});
    if (found == keys.end())
      found = keys.emplace(std::make_pair(d.decidedBy, d.keyId),
                           session_.store().signerKey(d.decidedBy, d.keyId))
                  .first;
    if (Status s = verifyDecisionWith(d, found->second); !s) {
      ++check.failed;
      if (check.problems.size() < maxProblems) check.problems.push_back(s.message());
    }
    ++check.checked;
    if (progress && (check.checked % 1024 == 0 || check.checked == total))
      progress(check.checked, total);
    return Status::ok();
  }));
  return check;
}

}  // namespace rx::ws
