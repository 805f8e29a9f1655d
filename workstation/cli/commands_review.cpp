// queue, review ID, dispense ID, recall, purge: the counter workflow from the command line after
// intake (commands_intake.cpp).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/time.h"
#include "base/utf8.h"
#include "commands.h"
#include "data/files.h"
#include "ocr/barcodes.h"
#include "ocr/image_io.h"
#include "workstation/csv.h"
#include "workstation/dispensing.h"
#include "workstation/drug_lines.h"
#include "workstation/intake.h"
#include "workstation/records.h"
#include "workstation/reuse.h"
#include "workstation/review.h"

namespace rx::cli {

using nlohmann::json;

json checksJson(const std::vector<ws::RuleCheck>& checks) {
  json out = json::array();
  for (const auto& c : checks)
    out.push_back({{"rule", c.rule},
                   {"severity", std::string(ws::severityName(c.severity))},
                   {"message", c.message},
                   {"evidence", c.evidence}});
  return out;
}

namespace {

json itemsJson(const data::PrescriptionRecord& r) {
  json items = json::array();
  int line = 0;
  for (const auto& i : r.items) {
    json item = {{"line", ++line}, {"drug", i.drugName},     {"class", i.drugClass},
                 {"spec", i.spec}, {"quantity", i.quantity}, {"unit", i.unit}};
    // Instructions are shown only after approval (M13).
    if (ws::instructionsVisible(r)) item["usage"] = i.usage;
    items.push_back(std::move(item));
  }
  return items;
}

// The drug lines as review shows them, numbered as --confirm drugN=... counts them.
std::string itemsText(const data::PrescriptionRecord& r) {
  std::ostringstream text;
  text << "Drug lines (correct with --confirm drugN=NAME, drugN.quantity=..., drugN= removes):\n";
  int line = 0;
  for (const auto& i : r.items) {
    const std::string quantity = ws::quantityText(i.quantity);
    text << "  " << ++line << "  " << i.drugName << (i.spec.empty() ? "" : "  " + i.spec) << "  ×"
         << (quantity.empty() ? "?" : quantity) << (i.unit.empty() ? "" : " " + i.unit)
         << (i.drugClass.empty() ? "  [not in the catalogue]" : "") << "\n";
  }
  if (r.items.empty()) text << "  (none read)\n";
  return text.str();
}

json rxJson(const data::PrescriptionRecord& r) {
  const json items = itemsJson(r);
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"record", r.id},
          {"kind", std::string(data::rxKindName(r.kind))},
          {"state", std::string(data::rxStateName(r.state))},
          {"arrived_at", r.arrivedAt},
          {"rx_number", opt(r.rxNumber)},
          {"issuer", opt(r.issuer)},
          {"issued_on", opt(r.issuedOn)},
          {"patient", opt(r.patientName)},
          {"locked_by", opt(r.lockedBy)},
          {"retain_until", r.retainUntil},
          {"items", items}};
}

// An e-prescription is a JSON object; anything else is treated as a photo or scan.

void addQueueCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // queue
  auto* queue = app.add_subcommand("queue", "Prescriptions waiting for review or dispensing");
  out.push_back({queue, [&g] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto list = ws::ReviewService(**session).queue();
                   if (!list) return reportError(g, list.status());
                   json arr = json::array();
                   std::ostringstream text;
                   for (const auto& r : *list) {
                     arr.push_back(rxJson(r));
                     text << r.id << "\t" << data::rxStateName(r.state) << "\t"
                          << data::rxKindName(r.kind) << "\t" << readableTime(r.arrivedAt) << "\t"
                          << r.rxNumber.value_or("-") << "\t" << r.items.size() << " drug(s)\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"queue", arr}}, text.str());
                 }});
}

struct ReviewArgs {
  std::int64_t id = 0;
  bool approve = false, reject = false, ask = false, buyerConfirmed = false, checksOnly = false;
  std::vector<std::string> reasons, confirm;
  std::string note, patientId, confirmFrom;
};

// The fields to confirm or correct, from --confirm, --patient-id and --confirm-from.
Result<std::map<std::string, std::string>> confirmedValues(const ReviewArgs& a) {
  std::map<std::string, std::string> values;
  for (const auto& c : a.confirm) {
    auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status(ErrorCode::kInvalidArgument, "--confirm takes FIELD=VALUE, not '" + c + "'");
    values[c.substr(0, eq)] = c.substr(eq + 1);
  }
  if (!a.patientId.empty()) values["patient_id_no"] = a.patientId;
  if (!a.confirmFrom.empty()) {
    RX_ASSIGN_OR_RETURN(auto given, readFieldValues(a.confirmFrom, {}));
    for (const auto& [field, value] : given) values[field] = value;
  }
  return values;
}

std::string checksText(const std::vector<ws::RuleCheck>& checks) {
  std::ostringstream text;
  for (const auto& c : checks)
    text << "  [" << ws::severityName(c.severity) << "] " << c.rule << ": " << c.message
         << (c.evidence.empty() ? "" : " (" + c.evidence + ")") << "\n";
  return text.str();
}

ws::DecisionInput decisionInput(const ReviewArgs& a) {
  ws::DecisionInput input;
  input.decision = a.approve  ? ws::Decision::kApprove
                   : a.reject ? ws::Decision::kReject
                              : ws::Decision::kAsk;
  input.reasons = a.reasons;
  input.note = a.note;
  input.buyerConfirmedRiskWarning = a.buyerConfirmed;
  return input;
}

int runReview(GlobalOptions& g, const ReviewArgs& a) {
  if (!a.checksOnly && !a.approve && !a.reject && !a.ask)
    return reportError(
        g, Status(ErrorCode::kInvalidArgument, "say --approve, --reject, --ask or --checks"));
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  ws::ReviewService review(**session);
  auto opened = review.startReview(a.id);
  if (!opened) return reportError(g, opened.status());
  auto values = confirmedValues(a);
  if (!values) return reportError(g, values.status());
  if (!values->empty())
    if (Status s = review.confirmFields(a.id, *values); !s) return reportError(g, s);
  auto checks = review.checks(a.id, beijingToday());
  if (!checks) return reportError(g, checks.status());
  const std::string text = checksText(*checks);
  if (a.checksOnly) {
    auto r = review.record(a.id);
    if (!r) return reportError(g, r.status());
    return reportSuccess(
        g,
        {{"ok", true}, {"record", a.id}, {"checks", checksJson(*checks)}, {"items", itemsJson(*r)}},
        text + itemsText(*r));
  }
  auto d = review.decide(a.id, decisionInput(a));
  if (!d) {
    if (!g.json) std::cerr << text;
    return reportError(g, d.status());
  }
  return reportSuccess(g,
                       {{"ok", true},
                        {"record", a.id},
                        {"decision", d->decision},
                        {"key_id", d->keyId},
                        {"signed_by", d->decidedBy},
                        {"at", d->decidedAt},
                        {"checks", checksJson(*checks)}},
                       text + "Decision '" + d->decision + "' on record " + std::to_string(a.id) +
                           " signed by " + d->decidedBy + ".\n");
}

void addReviewCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // review ID --approve|--reject|--ask
  auto* reviewCmd = app.add_subcommand(
      "review", "Review a prescription: checks, then approve, reject or ask (signed)");
  auto ra = std::make_shared<ReviewArgs>();
  reviewCmd->add_option("id", ra->id, "Prescription record number")->required();
  auto* approveFlag =
      reviewCmd->add_flag("--approve", ra->approve, "Approve (needs --buyer-confirmed)");
  auto* rejectFlag = reviewCmd->add_flag("--reject", ra->reject, "Reject (needs --reason)");
  auto* askFlag = reviewCmd->add_flag("--ask", ra->ask, "Ask for information (needs --reason)");
  approveFlag->excludes(rejectFlag)->excludes(askFlag);
  rejectFlag->excludes(askFlag);
  reviewCmd->add_flag("--checks", ra->checksOnly, "Only show the checks");
  std::string codes;
  for (const auto& code : ws::reasonCodes()) codes += (codes.empty() ? "" : ", ") + code;
  reviewCmd->add_option("--reason", ra->reasons,
                        "Why rejected or asked: " + codes + ", or words of your own (repeatable)");
  reviewCmd->add_option("--note", ra->note, "Free text kept with the decision");
  reviewCmd->add_option("--patient-id", ra->patientId, "The buyer's ID number (实名制)");
  reviewCmd->add_option("--confirm-from", ra->confirmFrom,
                        "Read FIELD=VALUE lines to confirm (patient_name, patient_id_no, …) from "
                        "this file, or - for standard input: other local users can read the "
                        "command line, not these");
  reviewCmd->add_option("--confirm", ra->confirm,
                        "Confirm or correct a read field: FIELD=VALUE (repeatable); drug lines "
                        "as drugN=NAME, drugN.spec=, drugN.quantity=, drugN.unit=, drugN.usage= "
                        "(N as --checks numbers them; drugN= removes a line, the next N adds "
                        "one)");
  reviewCmd->add_flag("--buyer-confirmed", ra->buyerConfirmed,
                      "The buyer confirmed the risk warning 处方药须凭处方在药师指导下购买和使用");
  out.push_back({reviewCmd, [&g, ra] { return runReview(g, *ra); }});
}

void addDispenseCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // dispense ID [--code CODE...] [--code-photo FILE...] [--remove CODE...] [--partial]
  struct DispenseArgs {
    std::int64_t id = 0;
    std::vector<std::string> codes, photos, removes;
    bool handOut = true;
    bool partial = false;
  };
  auto* dispense = app.add_subcommand(
      "dispense", "Prepare, scan package codes, check and hand out an approved prescription");
  auto da = std::make_shared<DispenseArgs>();
  dispense->add_option("id", da->id, "Prescription record number")->required();
  dispense->add_option("--code", da->codes,
                       "Traceability code of each package (药品追溯码 or GS1)");
  dispense->add_option("--code-photo", da->photos,
                       "Photo of a package: its Code 128 / Data Matrix / EAN-13 codes are read");
  dispense->add_option("--remove", da->removes,
                       "Take back a package scanned by mistake (before its hand-out)");
  dispense->add_option("--hand-out", da->handOut, "Hand out after scanning (default true)");
  dispense->add_flag(
      "--partial", da->partial,
      "Hand out what is scanned although lines are short (部分发药); the rest later");
  out.push_back(
      {dispense, [&g, da] {
         // Codes read from photos join the typed or scanned ones.
         for (const auto& file : da->photos) {
           auto image = ocr::loadImage(file);
           if (!image) return reportError(g, image.status());
           auto found = ocr::readPackageCodes(*image);
           if (found.empty())
             return reportError(
                 g, Status(ErrorCode::kNotFound, file + ": no Code 128, Data Matrix or EAN-13 "
                                                        "code could be read in the photo"));
           for (const auto& c : found) {
             if (!g.json) std::cerr << file << ": " << c.symbology << " read\n";
             da->codes.push_back(c.text);
           }
         }
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         ws::DispenseOrder order;
         order.remove = da->removes;
         order.scan = da->codes;
         order.handOut = da->handOut;
         order.partial = da->partial;
         auto done = ws::DispensingService(**session).dispense(da->id, order);
         if (!done) return reportError(g, done.status());
         json packages = json::array();
         for (const auto& p : done->scanned)
           packages.push_back({{"trace_code", p.traceCode},
                               {"drug_name", p.drugName.value_or("")},
                               {"batch", p.batch ? json(*p.batch) : json(nullptr)},
                               {"expiry", p.expiry ? json(*p.expiry) : json(nullptr)}});
         json lines = json::array();
         std::ostringstream text;
         text << "Record " << da->id << ": " << packages.size() << " package(s) scanned now; "
              << data::rxStateName(done->state) << ".\n";
         for (const auto& l : done->lines) {
           lines.push_back({{"drug_name", l.drugName},
                            {"prescribed", l.prescribed},
                            {"unit", l.unit},
                            {"scanned", l.scanned},
                            {"countable", l.countable}});
           text << "  " << l.drugName << ": " << l.scanned << " package(s)"
                << (l.countable ? " of " + json(l.prescribed).dump() + " " + l.unit : std::string())
                << "\n";
         }
         if (done->warning) std::cerr << "rxdesk-cli: warning: " << *done->warning << "\n";
         return reportSuccess(g,
                              {{"ok", true},
                               {"record", da->id},
                               {"state", data::rxStateName(done->state)},
                               {"packages", packages},
                               {"lines", lines},
                               {"handed_out", da->handOut},
                               {"warning", done->warning ? json(*done->warning) : json(nullptr)}},
                              text.str());
       }});
}

}  // namespace

void addReviewCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addQueueCommand(app, g, out);
  addReviewCommand(app, g, out);
  addDispenseCommand(app, g, out);
}

void addRecordCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // recall --drug NAME [--batch B] | --code CODE [--out FILE.csv]
  struct RecallArgs {
    std::string drug, batch, code, out;
  };
  auto* recall = app.add_subcommand(
      "recall", "Who received a drug batch or a package (supervisor, admin; audited)");
  auto ra = std::make_shared<RecallArgs>();
  recall->add_option("--drug", ra->drug, "Drug name as dispensed");
  recall->add_option("--batch", ra->batch, "Batch number");
  recall->add_option("--code", ra->code, "One package's traceability code");
  recall->add_option("--out", ra->out, "Also write the list as CSV (UTF-8 with BOM) to this file");
  out.push_back(
      {recall, [&g, ra] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         auto opt = [](const std::string& v) {
           return v.empty() ? std::nullopt : std::optional<std::string>(v);
         };
         auto rows =
             ws::RecordsService(**session).recall(opt(ra->drug), opt(ra->batch), opt(ra->code));
         if (!rows) return reportError(g, rows.status());
         json arr = json::array();
         std::ostringstream text, csv;
         csv << ws::kUtf8Bom
             << "record,drugs,trace_code,batch,expiry,dispensed_at,dispensed_by,"
                "patient,patient_id\n";
         for (const auto& r : *rows) {
           arr.push_back({{"record", r.prescriptionId},
                          {"drugs", r.drugName},
                          {"trace_code", r.traceCode},
                          {"batch", r.batch ? json(*r.batch) : json(nullptr)},
                          {"expiry", r.expiry ? json(*r.expiry) : json(nullptr)},
                          {"dispensed_at", r.dispensedAt},
                          {"dispensed_by", r.dispensedBy},
                          {"patient", r.patientName ? json(*r.patientName) : json(nullptr)},
                          {"patient_id", r.patientIdNo ? json(*r.patientIdNo) : json(nullptr)}});
           text << r.prescriptionId << "\t" << readableTime(r.dispensedAt) << "\t" << r.traceCode
                << "\t" << r.patientName.value_or("-") << "\t" << r.patientIdNo.value_or("-")
                << "\n";
           csv << r.prescriptionId << "," << ws::csvField(r.drugName) << ","
               << ws::csvField(r.traceCode) << "," << ws::csvField(r.batch) << ","
               << ws::csvField(r.expiry) << "," << r.dispensedAt << ","
               << ws::csvField(r.dispensedBy) << "," << ws::csvField(r.patientName) << ","
               << ws::csvField(r.patientIdNo) << "\n";
         }
         if (!ra->out.empty())
           if (Status s = data::writeFileAtomically(ra->out, csv.str(), 0600); !s)
             return reportError(g, s);
         text << rows->size() << " dispensing(s) found.\n";
         return reportSuccess(g, {{"ok", true}, {"dispensings", arr}}, text.str());
       }});

  // purge [--dry-run]
  auto* purge = app.add_subcommand(
      "purge", "Delete records past their retention date (admin; --dry-run lists them)");
  auto dryRun = std::make_shared<bool>(false);
  purge->add_flag("--dry-run", *dryRun, "Only list what would be deleted");
  out.push_back({purge, [&g, dryRun] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto ids = ws::RecordsService(**session).purge(*dryRun, beijingToday());
                   if (!ids) return reportError(g, ids.status());
                   return reportSuccess(g, {{"ok", true}, {"dry_run", *dryRun}, {"records", *ids}},
                                        std::to_string(ids->size()) +
                                            " record(s) past their retention date" +
                                            (*dryRun ? " (nothing deleted).\n" : " deleted.\n"));
                 }});
}

}  // namespace rx::cli
