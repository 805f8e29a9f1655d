#include "workstation/review.h"

#include <chrono>
#include <set>

#include "base/drug_class.h"
#include "base/text.h"
#include "base/time.h"
#include "base/utf8.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "data/reuse.h"
#include "dedup/presentation.h"
#include "dedup/traceability.h"
#include "workstation/identifiers.h"
#include "workstation/settings.h"

namespace rx::ws {

using nlohmann::json;

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
    if (c.severity != Severity::kBlock) continue;
    ++s.blocking;
    s.usedBefore = s.usedBefore || c.rule == "reuse";
  }
  return s;
}

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

namespace {

std::string addYears(const std::string& iso, int years) {
  using namespace std::chrono;
  auto d = toDays(iso);
  if (!d) return iso;
  year_month_day ymd{*d};
  year_month_day shifted = (ymd.year() + std::chrono::years(years)) / ymd.month() / ymd.day();
  if (!shifted.ok())
    shifted = (ymd.year() + std::chrono::years(years)) / ymd.month() / last;  // 29 Feb
  return fromDays(sys_days{shifted});
}

}  // namespace

std::string ReviewService::retentionDate(const std::string& arrivedOn,
                                         const std::optional<std::string>& latestExpiry) {
  std::string until = addYears(arrivedOn, 5);
  if (latestExpiry && isIsoDate(*latestExpiry)) until = std::max(until, addYears(*latestExpiry, 1));
  return until;
}

bool ReviewService::instructionsVisible(const data::PrescriptionRecord& rx) {
  using data::RxState;
  return rx.state == RxState::kApproved || rx.state == RxState::kPartiallyDispensed ||
         rx.state == RxState::kDispensed || rx.state == RxState::kClosed;
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
  if (fixedSettings_) return *fixedSettings_;
  return SettingsService(session_).review();
}

Result<std::int64_t> ReviewService::presentElectronic(const EPrescription& erx,
                                                      const ErxVerdict& verdict,
                                                      const std::string& source) {
  data::PrescriptionRecord r;
  r.kind = "electronic";
  r.arrivedAt = utcTimestamp();
  r.arrivedBy = session_.user().name;
  r.rxNumber = erx.rxNumber;
  r.issuer = erx.organizationUscc;
  r.issuedOn = beijingDate(erx.issuedAt);
  r.patientName = erx.patient.name;
  r.patientIdNo = erx.patient.idNumber;
  r.prescriber = erx.prescriberName;
  r.diagnosis = erx.diagnosis;
  r.source = utf8OrEscaped(source);  // a file name may be any bytes
  r.verified = verdict.accepted();
  r.agreementNo = verdict.agreementNo;
  if (verdict.agreementId) {
    auto agreement =
        data::AgreementRepository(session_.store().connection()).findById(*verdict.agreementId);
    if (agreement) r.agreementScope = json(agreement->scope).dump();
  }
  r.fieldsJson = json{{"verdict", verdict.toJson()}}.dump();
  r.retainUntil = retentionDate(datePart(r.arrivedAt), std::nullopt);
  for (const ErxDrug& d : erx.drugs)
    r.items.push_back(
        {0, 0, d.name, d.drugClass, false, d.strength.value_or(""), d.quantity, d.unit, d.usage});
  RX_ASSIGN_OR_RETURN(dedup::Fingerprint fp, reuse().fingerprint(contentOf(erx)));
  return present(
      r, fp, {},
      {{"kind", "electronic"}, {"rx_number", erx.rxNumber}, {"verified", verdict.accepted()}});
}

Result<std::int64_t> ReviewService::presentPaper(const ocr::ExtractedFields& fields,
                                                 const std::string& source, const cv::Mat& page,
                                                 const std::vector<std::string>& qrPayloads) {
  data::PrescriptionRecord r;
  r.kind = "paper";
  r.arrivedAt = utcTimestamp();
  r.arrivedBy = session_.user().name;
  auto value = [&](const char* name) -> std::optional<std::string> {
    auto it = fields.fields.find(name);
    if (it == fields.fields.end()) return std::nullopt;
    return it->second.value;
  };
  r.rxNumber = value("rx_number");
  r.issuer = value("hospital");
  r.issuedOn = value("date");
  r.patientName = value("patient_name");
  r.prescriber = value("doctor");
  r.diagnosis = value("diagnosis");
  r.source = utf8OrEscaped(source);
  json f = json::object();
  for (const auto& [name, v] : fields.fields)
    f[name] = {{"value", v.value},
               {"confidence", v.confidence},
               {"confirmed", false},
               {"box", {v.box.x, v.box.y, v.box.width, v.box.height}}};  // on the stored page
  r.fieldsJson = json{{"fields", f}}.dump();
  r.retainUntil = retentionDate(datePart(r.arrivedAt), std::nullopt);
  for (const auto& d : fields.drugs) {
    double qty = 0;
    try {
      qty = d.quantity.value.empty() ? 0 : std::stod(d.quantity.value);
    } catch (...) {
      qty = 0;
    }
    r.items.push_back({0, 0, d.name.value, d.drugClass, d.ephedrine, d.spec.value, qty,
                       d.unit.value, d.usage.value});
  }
  // A printed copy of an e-prescription carries its QR code: its number is the signed one.
  dedup::PresentationContent content = dedup::contentFromFields(fields);
  for (const auto& payload : qrPayloads)
    if (auto qr = parseRxQr(payload)) {
      content.rxNumber = qr->rxNumber;
      content.numberRead = false;
      content.issuer.clear();  // the QR names the issuer by USCC; OCR's hospital name is not needed
      if (content.date.empty()) content.date = qr->issueDate;
      break;
    }
  RX_ASSIGN_OR_RETURN(dedup::Fingerprint fp,
                      reuse().fingerprint(content, page, dedup::inkBoxesFromFields(fields)));
  return present(r, fp, page, {{"kind", "paper"}, {"source", r.source}});
}

Result<std::int64_t> ReviewService::present(const data::PrescriptionRecord& r,
                                            const dedup::Fingerprint& fp, const cv::Mat& page,
                                            json auditDetails) {
  auto& conn = session_.store().connection();
  PendingReuse pending(reuse());
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(std::int64_t id, data::PrescriptionRepository(conn).insert(r));
  RX_ASSIGN_OR_RETURN(ReuseFinding finding, reuse().record(id, fp, page));
  auditDetails["reuse"] = std::string(dedup::verdictName(finding.verdict));
  RX_RETURN_IF_ERROR(session_.audit("rx.present", std::to_string(id), auditDetails).status());
  RX_RETURN_IF_ERROR(tx.commit());
  pending.committed();
  return id;
}

Result<std::vector<data::PrescriptionRecord>> ReviewService::queue() {
  using data::RxState;
  return data::PrescriptionRepository(session_.store().connection())
      .list({RxState::kQueued, RxState::kInReview, RxState::kNeedsInfo, RxState::kApproved,
             RxState::kPartiallyDispensed});
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

Status ReviewService::confirmFields(std::int64_t id,
                                    const std::map<std::string, std::string>& values) {
  RX_RETURN_IF_ERROR(requirePharmacist("confirm prescription fields"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  if (r.lockedBy != session_.user().name)
    return Status(ErrorCode::kConflict,
                  "open prescription " + std::to_string(id) + " for review first");
  json doc = json::parse(r.fieldsJson, nullptr, false);
  if (!doc.is_object()) doc = json::object();
  if (!doc.contains("fields")) doc["fields"] = json::object();
  data::FieldUpdate update;
  bool identityChanged = false;
  for (const auto& [field, value] : values) {
    RX_RETURN_IF_ERROR(checkText("field '" + field + "'", value, kMaxShortText));
    if (field == "patient_id_no") {
      update.patientIdNo = value;
      continue;
    }
    if (r.kind == "electronic")
      return Status(ErrorCode::kInvalidArgument,
                    "field '" + field +
                        "' of an e-prescription is signed by its issuer and cannot "
                        "be changed; only patient_id_no can be recorded");
    if (std::find_if(std::begin(ocr::kFieldNames), std::end(ocr::kFieldNames),
                     [&name = field](const char* n) { return name == n; }) ==
        std::end(ocr::kFieldNames))
      return Status(ErrorCode::kInvalidArgument, "unknown field '" + field + "'");
    if (field == "date" && !isIsoDate(value))
      return Status(ErrorCode::kInvalidArgument,
                    "field 'date': expected a date written YYYY-MM-DD, got '" + value + "'");
    if (field == "patient_name") update.patientName = value;
    if (field == "rx_number") update.rxNumber = value;
    if (field == "hospital") update.issuer = value;
    if (field == "date") update.issuedOn = value;
    identityChanged = identityChanged || field == "patient_name" || field == "rx_number" ||
                      field == "hospital" || field == "date";
    json& entry = doc["fields"][field];  // its box on the page stays
    entry["value"] = value;
    entry["confidence"] = 1.0;
    entry["confirmed"] = true;
    entry["by"] = session_.user().name;
  }
  PendingReuse pending(reuse());
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.updateFields(id, doc.dump(), update));
  json fieldsChanged = json::array();
  for (const auto& [field, value] : values) fieldsChanged.push_back(field);
  json details = {{"fields", fieldsChanged}};
  if (identityChanged) {
    // What the pharmacist confirmed is compared with earlier presentations again (M9).
    std::map<std::string, std::string> now;
    for (const char* f : {"rx_number", "hospital", "date", "patient_name"})
      if (doc["fields"].contains(f)) now[f] = doc["fields"][f].value("value", "");
    RX_ASSIGN_OR_RETURN(ReuseFinding finding, reuse().refresh(id, now));
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
  data::PrescriptionRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_ASSIGN_OR_RETURN(const ReviewSettings rules, settings());
  std::vector<RuleCheck> out;
  auto add = [&](std::string rule, Severity s, std::string message, std::string evidence) {
    out.push_back({std::move(rule), s, std::move(message), std::move(evidence)});
  };
  // M8: special-management drugs are never sold here; ephedrine compounds are flagged (G10).
  std::set<std::string> seen;
  std::string special, ephedrine, overLimit, duplicates, outOfScope;
  std::vector<std::string> scope;
  if (r.agreementScope) {
    json s = json::parse(*r.agreementScope, nullptr, false);
    if (s.is_array())
      for (const auto& c : s) scope.push_back(c.get<std::string>());
  }
  for (const auto& item : r.items) {
    if (isSpecialManagementClass(item.drugClass))
      special += item.drugName + " (" + item.drugClass + ") ";
    if (item.ephedrine) ephedrine += item.drugName + " ";
    if (item.quantity > rules.maxQuantityPerItem)
      overLimit += item.drugName + " ×" + std::to_string(static_cast<int>(item.quantity)) + " ";
    if (!seen.insert(item.drugName).second) duplicates += item.drugName + " ";
    if (r.kind == "electronic" &&
        std::find(scope.begin(), scope.end(), item.drugClass) == scope.end())
      outOfScope += item.drugName + " (" + item.drugClass + ") ";
  }
  add("special-management", special.empty() ? Severity::kOk : Severity::kBlock,
      special.empty() ? "no special-management drugs"
                      : "special-management drugs cannot be dispensed here (M8)",
      special);
  add("ephedrine", ephedrine.empty() ? Severity::kOk : Severity::kWarn,
      ephedrine.empty() ? "no ephedrine compounds"
                        : "contains ephedrine compounds: check quantity and buyer (G10)",
      ephedrine);
  add("supply-limit", overLimit.empty() ? Severity::kOk : Severity::kWarn,
      overLimit.empty() ? "quantities within the supply limit"
                        : "quantity above the supply limit of " +
                              std::to_string(static_cast<int>(rules.maxQuantityPerItem)),
      overLimit);
  add("duplicate-drugs", duplicates.empty() ? Severity::kOk : Severity::kWarn,
      duplicates.empty() ? "no drug prescribed twice" : "the same drug appears twice", duplicates);
  if (r.items.empty()) add("drugs", Severity::kBlock, "no drugs could be read", r.source);

  // Validity: the day written, up to 3 days if the prescriber noted it.
  auto issued = r.issuedOn ? toDays(*r.issuedOn) : std::nullopt;
  auto now = toDays(today);
  if (!issued || !now) {
    add("validity", Severity::kBlock, "the prescription date is missing or unreadable",
        r.issuedOn.value_or("-"));
  } else {
    const auto age = (*now - *issued).count();
    if (age < 0)
      add("validity", Severity::kBlock, "the prescription is dated in the future", *r.issuedOn);
    else if (age >= r.validityDays)
      add("validity", Severity::kBlock,
          "the prescription expired (valid " + std::to_string(r.validityDays) + " day(s) from " +
              *r.issuedOn + ")",
          *r.issuedOn);
    else
      add("validity", Severity::kOk, "within its validity", *r.issuedOn);
  }
  // Real name (M9, M17): the buyer's name and ID number recorded.
  const bool named = r.patientName && !r.patientName->empty();
  const bool idRecorded = r.patientIdNo && !r.patientIdNo->empty();
  add("real-name", named && idRecorded ? Severity::kOk : Severity::kBlock,
      named && idRecorded ? "patient's real name and ID number recorded"
                          : "record the patient's real name and ID number (实名制)",
      r.patientName.value_or("-"));
  if (r.kind == "electronic") {
    add("signature", r.verified.value_or(false) ? Severity::kOk : Severity::kBlock,
        r.verified.value_or(false)
            ? "signature and provider agreement verified"
            : "the e-prescription's signature or provider agreement was not accepted",
        r.agreementNo.value_or("no agreement"));
    add("scope", outOfScope.empty() ? Severity::kOk : Severity::kBlock,
        outOfScope.empty() ? "all drugs within the agreement's scope"
                           : "drugs outside the provider agreement's scope",
        outOfScope);
  }
  // Reuse (M9): this issuer's number already handed out, or the presentation's reuse finding.
  {
    std::optional<std::int64_t> usedBy;
    if (r.issuer && r.rxNumber) {
      RX_ASSIGN_OR_RETURN(usedBy, repo.usedBy(*r.issuer, *r.rxNumber));
      if (usedBy == id) usedBy.reset();
    }
    RX_ASSIGN_OR_RETURN(auto finding, reuse().finding(id));
    std::string evidence;
    if (finding)
      for (const auto& m : finding->matches)
        evidence +=
            "record " + std::to_string(m.record) + " (" + m.state +
            (m.arrivedAt.empty() ? "" : ", arrived " + m.arrivedAt + " via " + m.arrivedBy) + "; " +
            m.rule + ") ";
    if (usedBy) {
      add("reuse", Severity::kBlock,
          "this prescription was already used (prescription " + std::to_string(*usedBy) + ")",
          r.issuer.value_or("") + " " + r.rxNumber.value_or("") + " " + evidence);
    } else if (finding && finding->verdict == dedup::Verdict::kCertain) {
      add("reuse", Severity::kBlock, "this prescription was presented before (reuse certain)",
          evidence);
    } else if (finding && finding->verdict == dedup::Verdict::kSuspected && !finding->overruled()) {
      add("reuse", Severity::kBlock,
          "this may be a prescription presented before: compare, then overrule with a reason if "
          "it is a different one",
          evidence);
    } else if (finding && finding->verdict == dedup::Verdict::kSuspected) {
      add("reuse", Severity::kWarn,
          "reuse suspicion overruled by " + finding->overruledBy.value_or("") + ": " +
              finding->overruleReason.value_or(""),
          evidence);
    } else {
      add("reuse", Severity::kOk, "not presented before", "");
    }
  }
  // OCR fields below the confidence threshold must be confirmed by the pharmacist.
  if (r.kind == "paper") {
    std::string unconfirmed;
    json doc = json::parse(r.fieldsJson, nullptr, false);
    if (doc.is_object() && doc.contains("fields"))
      for (auto it = doc["fields"].begin(); it != doc["fields"].end(); ++it)
        if (it->value("confidence", 0.0) < rules.lowConfidence && !it->value("confirmed", false))
          unconfirmed += it.key() + " ";
    add("ocr-confirmed", unconfirmed.empty() ? Severity::kOk : Severity::kBlock,
        unconfirmed.empty() ? "all read fields are certain or confirmed"
                            : "confirm the fields read with low confidence",
        unconfirmed);
  }
  return out;
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
  RX_ASSIGN_OR_RETURN(crypto::PublicKey key, session_.store().userPublicKey(d.decidedBy, d.keyId));
  Status s = crypto::verifySignature(key, crypto::SignatureScheme::kEd25519,
                                     crypto::toBytes(d.payload), d.signature);
  if (!s)
    return Status(ErrorCode::kBadSignature,
                  "decision " + std::to_string(d.id) + " does not verify: " + s.message());
  json payload = json::parse(d.payload, nullptr, false);
  if (!payload.is_object() || payload.value("decision", "") != d.decision ||
      payload.value("prescription", std::int64_t{-1}) != d.prescriptionId)
    return Status(ErrorCode::kBadSignature,
                  "decision " + std::to_string(d.id) + " does not match what was signed");
  return Status::ok();
}

namespace {

// Dispensing works on approved (or partly dispensed) prescriptions only.
Status requireDispensable(const data::PrescriptionRecord& r, const std::string& why) {
  if (r.state == data::RxState::kApproved || r.state == data::RxState::kPartiallyDispensed)
    return Status();
  return Status(ErrorCode::kConflict, "prescription " + std::to_string(r.id) + " is " +
                                          std::string(data::rxStateName(r.state)) + "; " + why);
}

}  // namespace

Status ReviewService::recordStep(std::int64_t id, const std::string& step) {
  RX_RETURN_IF_ERROR(requirePharmacist("record dispensing steps"));
  if (step != "prepare" && step != "check")
    return Status(ErrorCode::kInvalidArgument,
                  "step '" + step + "' is not prepare or check (hand-out is its own action)");
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_RETURN_IF_ERROR(requireDispensable(r, "only approved prescriptions are dispensed"));
  RX_ASSIGN_OR_RETURN(auto done, repo.steps(id));
  if (step == "check") {
    auto prepared =
        std::find_if(done.begin(), done.end(), [](const auto& s) { return s.step == "prepare"; });
    if (prepared == done.end())
      return Status(ErrorCode::kConflict, "prepare (调配) comes before check (核对)");
    RX_ASSIGN_OR_RETURN(const ReviewSettings rules, settings());
    if (rules.secondPharmacistCheck && prepared->byUser == session_.user().name)
      return Status(ErrorCode::kConflict,
                    "the check (核对) must be done by a second pharmacist, not by '" +
                        prepared->byUser + "' who prepared it");
  }
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.addStep(id, {step, session_.user().name, utcTimestamp()}));
  RX_RETURN_IF_ERROR(session_.audit("dispense." + step, std::to_string(id)).status());
  return tx.commit();
}

namespace {

// Per drug name: how much was prescribed (summed over lines naming it) in which unit.
std::vector<ReviewService::LineProgress> linesOf(const data::PrescriptionRecord& r,
                                                 const std::vector<data::PackageRecord>& packages) {
  std::vector<ReviewService::LineProgress> out;
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

std::string describe(const ReviewService::LineProgress& l) {
  auto qty = [](double q) {
    std::string s = std::to_string(q);
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
    return s;
  };
  return l.drugName + " " + std::to_string(l.scanned) + " of " + qty(l.prescribed) + " " + l.unit;
}

bool complete(const ReviewService::LineProgress& l) {
  return l.countable ? l.scanned >= l.prescribed : l.scanned > 0;
}

}  // namespace

Result<std::vector<ReviewService::LineProgress>> ReviewService::dispensingProgress(
    std::int64_t id) {
  data::PrescriptionRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_ASSIGN_OR_RETURN(auto packages, repo.packages(id));
  return linesOf(r, packages);
}

Result<data::PackageRecord> ReviewService::scanPackage(std::int64_t id,
                                                       const std::string& scanned) {
  RX_RETURN_IF_ERROR(requirePharmacist("dispense packages"));
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

Status ReviewService::unscanPackage(std::int64_t id, const std::string& scanned) {
  RX_RETURN_IF_ERROR(requirePharmacist("dispense packages"));
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

Status ReviewService::handOut(std::int64_t id, bool partial) {
  RX_RETURN_IF_ERROR(requirePharmacist("hand out drugs"));
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, repo.find(id));
  RX_RETURN_IF_ERROR(requireDispensable(r, "only approved prescriptions are handed out"));
  RX_ASSIGN_OR_RETURN(auto done, repo.steps(id));
  auto has = [&](const char* s) {
    return std::any_of(done.begin(), done.end(), [&](const auto& x) { return x.step == s; });
  };
  if (!has("prepare") || !has("check"))
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
  const std::string now = utcTimestamp();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.addStep(id, {"hand_out", session_.user().name, now}));
  const int handOutNo =
      1 + static_cast<int>(std::count_if(done.begin(), done.end(),
                                         [](const auto& x) { return x.step == "hand_out"; }));
  RX_RETURN_IF_ERROR(repo.markHandedOut(id, handOutNo, now).status());
  if (r.issuer && r.rxNumber) {
    RX_ASSIGN_OR_RETURN(auto usedBy, repo.usedBy(*r.issuer, *r.rxNumber));
    if (usedBy != id) RX_RETURN_IF_ERROR(repo.markUsed(*r.issuer, *r.rxNumber, id, now));
  }
  RX_RETURN_IF_ERROR(data::ReuseRepository(conn).markUsed(id, now));
  const data::RxState next =
      missing.empty() ? data::RxState::kClosed : data::RxState::kPartiallyDispensed;
  if (next != r.state) RX_RETURN_IF_ERROR(repo.moveState(id, r.state, next));
  RX_RETURN_IF_ERROR(session_
                         .audit("dispense.hand_out", std::to_string(id),
                                {{"packages", fresh},
                                 {"complete", missing.empty()},
                                 {"marked_used", r.rxNumber.has_value()}})
                         .status());
  return tx.commit();
}

Result<std::vector<data::RecallRow>> ReviewService::recall(
    const std::optional<std::string>& drugName, const std::optional<std::string>& batch,
    const std::optional<std::string>& traceCode) {
  RX_RETURN_IF_ERROR(
      session_.requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin}, "run a recall"));
  if (!drugName && !traceCode)
    return Status(ErrorCode::kInvalidArgument,
                  "a recall needs a drug name (and batch) or a traceability code");
  std::optional<std::string> code;
  if (traceCode) {
    RX_ASSIGN_OR_RETURN(dedup::TraceCode parsed, dedup::parseTraceCode(*traceCode));
    code = parsed.canonical;
  }
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(auto rows, data::PrescriptionRepository(conn).recall(drugName, batch, code));
  RX_RETURN_IF_ERROR(
      session_
          .audit("recall", drugName.value_or(code.value_or("")),
                 {{"batch", batch ? json(*batch) : json(nullptr)}, {"dispensings", rows.size()}})
          .status());
  return rows;
}

Result<std::vector<std::int64_t>> ReviewService::purge(bool dryRun, const std::string& today) {
  if (!dryRun) RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "purge records"));
  // Deleting records another program may have open (in review, at the dispensing counter) needs
  // the store alone.
  if (!dryRun) RX_RETURN_IF_ERROR(session_.store().takeAlone("purge records"));
  struct Share {
    data::Store& store;
    bool armed;
    ~Share() {
      if (armed) store.releaseAlone();
    }
  } share{session_.store(), !dryRun};
  auto& conn = session_.store().connection();
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto ids, repo.expiredRetention(today));
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  if (!dryRun)
    for (std::int64_t id : ids) RX_RETURN_IF_ERROR(repo.purge(id));
  RX_RETURN_IF_ERROR(
      session_.audit(dryRun ? "purge.dry-run" : "purge", today, {{"records", ids}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  return ids;
}

}  // namespace rx::ws
