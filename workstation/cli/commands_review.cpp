// intake FILE..., queue, review ID, dispense ID: the counter workflow from the command line.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "base/time.h"
#include "base/utf8.h"
#include "commands.h"
#include "data/files.h"
#include "ocr/barcodes.h"
#include "ocr/image_io.h"
#include "ocr/reader.h"
#include "workstation/csv.h"
#include "workstation/dispensing.h"
#include "workstation/intake.h"
#include "workstation/ocr_json.h"
#include "workstation/records.h"
#include "workstation/reuse.h"
#include "workstation/review.h"
#include "workstation/settings.h"
#include "workstation/watched_folder.h"

namespace rx::cli {

using nlohmann::json;

namespace {

json rxJson(const data::PrescriptionRecord& r) {
  json items = json::array();
  for (const auto& i : r.items) {
    json item = {{"drug", i.drugName},
                 {"class", i.drugClass},
                 {"spec", i.spec},
                 {"quantity", i.quantity},
                 {"unit", i.unit}};
    // Instructions are shown only after approval (M13).
    if (ws::instructionsVisible(r)) item["usage"] = i.usage;
    items.push_back(std::move(item));
  }
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

json checksJson(const std::vector<ws::RuleCheck>& checks) {
  json out = json::array();
  for (const auto& c : checks)
    out.push_back({{"rule", c.rule},
                   {"severity", std::string(ws::severityName(c.severity))},
                   {"message", c.message},
                   {"evidence", c.evidence}});
  return out;
}

// An e-prescription is a JSON object; anything else is treated as a photo or scan.

std::string reuseText(std::int64_t id, const ws::ReuseFinding& f) {
  std::ostringstream text;
  text << "record " << id << ": " << dedup::verdictName(f.verdict) << "\n";
  for (const auto& m : f.matches)
    text << "  matches record " << m.record << " (" << m.state << ", " << m.kind << ", arrived "
         << m.arrivedAt << " via " << m.arrivedBy << "), score " << m.score << ": " << m.rule
         << "\n    signals " << m.signals.dump() << "\n";
  if (f.overruled())
    text << "  overruled by " << *f.overruledBy << ": " << f.overruleReason.value_or("") << "\n";
  return text.str();
}

long long msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// What became of one file: the JSON object `intake --json` prints for it (docs/intake.md) and the
// exit code its failure asks for (0 when it was taken in).
struct IntakeOutcome {
  json doc;
  int exit = 0;
};

IntakeOutcome intakeOne(ws::ReviewService& review, ws::IntakeReader& reader,
                        const std::string& file) {
  const auto start = std::chrono::steady_clock::now();
  json doc = {{"input", utf8OrEscaped(file)}};
  json ms = json::object();
  const ws::IntakeRead read = reader.read(file);
  const json ocr = read.paper ? ws::ocrResultJson(file, *read.paper) : json::object();
  if (read.paper) ms = ocr["ms"];
  ms.erase("total");
  const auto presentStart = std::chrono::steady_clock::now();
  auto presented = ws::IntakeService(review).present(read);
  ms[read.electronic ? "verify" : "present"] = msSince(presentStart);
  IntakeOutcome out;
  if (!presented) {
    out.exit = static_cast<int>(exitFor(presented.status().code()));
    doc["ok"] = false;
    doc["error"] = errorJson(presented.status());
  } else {
    doc["record"] = presented->record;
    doc["kind"] = read.electronic ? "electronic" : "paper";
    if (presented->signature) doc["signature"] = presented->signature->toJson();
    if (read.paper) {
      doc["fields"] = ocr["fields"];
      doc["drugs"] = ocr["drugs"];
      doc["qr"] = ocr["qr"];
      for (std::size_t q = 0; q < doc["qr"].size() && q < presented->qrVerified.size(); ++q)
        doc["qr"][q]["verified"] = static_cast<bool>(presented->qrVerified[q]);
    }
    const json f = presented->finding.toJson();
    doc["ok"] = true;
    doc["verdict"] = f["verdict"];
    doc["matches"] = f["matches"];
    doc["checks"] = checksJson(presented->checks);
  }
  ms["total"] = msSince(start);
  doc["ms"] = ms;
  out.doc = std::move(doc);
  return out;
}

// Prints one file's outcome: its JSON object with --json, else a line and its matches; a failure
// goes to stderr either way.
void printOutcome(const GlobalOptions& g, const std::string& file, const json& doc) {
  if (doc["ok"] == false)
    std::cerr << "rxdesk-cli: error: " << doc["error"].value("message", std::string()) << "\n";
  if (g.json) {
    printJson(doc);
    return;
  }
  if (doc["ok"] == false) return;
  std::cout << file << " -> record " << doc["record"] << " (" << doc["kind"].get<std::string>()
            << ", " << doc.value("verdict", std::string("?")) << ")";
  if (doc.contains("moved_to")) std::cout << ", moved to " << doc["moved_to"].get<std::string>();
  std::cout << "\n";
  for (const auto& m : doc.value("matches", json::array())) {
    if (m.value("store", json()).is_string())  // another store's, from the chain registry
      std::cout << "    matches " << m["store_name"].get<std::string>() << "'s record "
                << m["store_record"];
    else
      std::cout << "    matches record " << m["record"];
    std::cout << " (" << m["state"].get<std::string>() << "): " << m["rule"].get<std::string>()
              << "\n";
  }
}

// Loads the index of earlier presentations once for the batch, with progress on stderr for a big
// one. Returns how long it took (ms).
Result<long long> loadReuseIndex(ws::ReviewService& review,
                                 const std::function<void(const std::string&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (Status s = review.reuse().load(
          [&](std::size_t done, std::size_t total) {
            if (total >= 4096)
              progress("loading fingerprints " + std::to_string(done) + " / " +
                       std::to_string(total));
          },
          [&](std::size_t done, std::size_t total) {
            progress("features of pages kept before this version " + std::to_string(done) + " / " +
                     std::to_string(total));
          });
      !s)
    return s;
  return msSince(start);
}

// A progress line on stderr: rewritten in place on a terminal, one line each otherwise.
std::function<void(const std::string&)> progressLine() {
  const bool tty = ::isatty(2);
  return [tty](const std::string& line) {
    std::cerr << (tty ? "\r" : "") << line << (tty ? "\033[K" : "\n") << std::flush;
  };
}

// Presents each file in order and prints one JSON object (or line) per input; docs/intake.md.
int runIntake(GlobalOptions& g, ws::Session& session, const std::vector<std::string>& files) {
  ws::ReviewService review(session);
  const bool tty = ::isatty(2);
  const auto progress = progressLine();
  auto loadMs = loadReuseIndex(review, progress);
  if (!loadMs) return reportError(g, loadMs.status());
  ws::IntakeReader reader;
  int worst = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (files.size() > 1)
      progress("intake " + std::to_string(i + 1) + " / " + std::to_string(files.size()) + ": " +
               files[i]);
    IntakeOutcome outcome = intakeOne(review, reader, files[i]);
    if (i == 0) outcome.doc["ms"]["index_load"] = *loadMs;
    if (tty && files.size() > 1 && outcome.exit != 0) std::cerr << "\n";
    worst = std::max(worst, outcome.exit);
    printOutcome(g, files[i], outcome.doc);
  }
  if (tty && files.size() > 1) std::cerr << "\n";
  return worst;
}

struct WatchArgs {
  std::string folder;  // empty: the setting intake.watch_folder
  double interval = 3;
  int polls = 0;  // 0: until stopped
};

// Takes in whatever arrives in the watched folder until stopped (Ctrl+C) or for `polls` polls;
// each file is moved to taken-in/ or not-taken-in/ and reported as `intake` reports it, with
// `moved_to`. Exits with the worst code of the files that failed.
int runWatch(GlobalOptions& g, ws::Session& session, const WatchArgs& a) {
  std::string folder = a.folder;
  if (folder.empty()) {
    auto setting = ws::SettingsService(session).get("intake.watch_folder");
    if (setting) folder = setting->value;
  }
  if (folder.empty())
    return reportError(g, Status(ErrorCode::kInvalidArgument,
                                 "No folder to watch: give --folder or set intake.watch_folder"));
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    return reportError(g,
                       Status(ErrorCode::kNotFound,
                              "The watched folder " + utf8OrEscaped(folder) + " is not a folder"));
  ws::ReviewService review(session);
  const auto progress = progressLine();
  if (auto loaded = loadReuseIndex(review, progress); !loaded)
    return reportError(g, loaded.status());
  Interruption interruption;  // Ctrl+C stops after the file at hand
  std::cerr << "watching " << utf8OrEscaped(folder) << " for prescriptions"
            << (a.polls == 0 ? " (Ctrl+C stops)" : "") << "\n";
  ws::WatchedFolder watched(folder);
  ws::IntakeReader reader;
  int worst = 0;
  for (int poll = 0; !interruption.requested() && (a.polls == 0 || poll < a.polls); ++poll) {
    if (poll > 0)  // in small steps, so that Ctrl+C is answered at once
      for (auto until = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(a.interval * 1000));
           !interruption.requested() && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const std::string& file : watched.poll()) {
      if (interruption.requested()) break;
      IntakeOutcome outcome = intakeOne(review, reader, file);
      worst = std::max(worst, outcome.exit);
      if (auto moved = watched.putAside(file, outcome.doc["ok"] == true); moved) {
        outcome.doc["moved_to"] = utf8OrEscaped(*moved);
      } else {
        std::cerr << "rxdesk-cli: error: " << moved.status().message() << "\n";
        outcome.doc["move_error"] = errorJson(moved.status());
        worst = std::max(worst, static_cast<int>(exitFor(moved.status().code())));
      }
      printOutcome(g, file, outcome.doc);
    }
  }
  return worst;
}
}  // namespace

namespace {

void addIntakeCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // intake FILE... | intake --watch [--folder DIR] [--interval S] [--polls N]
  auto* intake = app.add_subcommand(
      "intake", "Present prescriptions at the counter (e-prescription JSON or photos)");
  auto files = std::make_shared<std::vector<std::string>>();
  auto watch = std::make_shared<WatchArgs>();
  auto watching = std::make_shared<bool>(false);
  intake->add_option("files", *files, "Files in the order presented");
  auto* watchFlag = intake->add_flag(
      "--watch", *watching,
      "Take in what arrives in the watched folder (setting intake.watch_folder, or --folder) "
      "until Ctrl+C; each file is moved to taken-in/ or not-taken-in/");
  intake->add_option("--folder", watch->folder, "The folder to watch instead of the setting's")
      ->needs(watchFlag);
  intake->add_option("--interval", watch->interval, "Seconds between looks at the folder")
      ->check(CLI::Range(0.2, 3600.0))
      ->needs(watchFlag);
  intake->add_option("--polls", watch->polls, "Stop after this many looks (0: until stopped)")
      ->check(CLI::NonNegativeNumber)
      ->needs(watchFlag);
  out.push_back(
      {intake, [&g, files, watch, watching] {
         if (*watching != files->empty()) {
           return reportError(g, Status(ErrorCode::kInvalidArgument,
                                        *watching ? "Give files or --watch, not both"
                                                  : "Give the files to take in, or --watch"));
         }
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         return *watching ? runWatch(g, **session, *watch) : runIntake(g, **session, *files);
       }});
}

void addReuseCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // reuse show ID | reuse overrule ID --reason TEXT
  auto* reuseCmd =
      app.add_subcommand("reuse", "A presentation's reuse finding; overrule a suspicion");
  reuseCmd->require_subcommand(1);
  struct ReuseArgs {
    std::int64_t id = 0;
    std::string reason;
  };
  auto ru = std::make_shared<ReuseArgs>();
  auto* reuseShow = reuseCmd->add_subcommand("show", "What a presentation matched, and why");
  reuseShow->add_option("id", ru->id, "Prescription record number")->required();
  out.push_back({reuseShow, [&g, ru] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   ws::ReviewService review(**session);
                   auto f = review.reuse().finding(ru->id);
                   if (!f) return reportError(g, f.status());
                   if (!*f)
                     return reportError(
                         g, Status(ErrorCode::kNotFound, "prescription " + std::to_string(ru->id) +
                                                             " has no reuse finding"));
                   json doc = (*f)->toJson();
                   doc["ok"] = true;
                   doc["record"] = ru->id;
                   return reportSuccess(g, doc, reuseText(ru->id, **f));
                 }});
  auto* reuseOverrule = reuseCmd->add_subcommand(
      "overrule", "Accept a suspected reuse as a different prescription (pharmacists; audited)");
  reuseOverrule->add_option("id", ru->id, "Prescription record number")->required();
  reuseOverrule->add_option("--reason", ru->reason, "Why it is a different prescription")
      ->required();
  out.push_back({reuseOverrule, [&g, ru] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   ws::ReviewService review(**session);
                   if (Status s = review.reuse().overrule(ru->id, ru->reason); !s)
                     return reportError(g, s);
                   return reportSuccess(
                       g, {{"ok", true}, {"record", ru->id}},
                       "Reuse suspicion on record " + std::to_string(ru->id) + " overruled.\n");
                 }});
}

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
                          << data::rxKindName(r.kind) << "\t" << r.arrivedAt << "\t"
                          << r.rxNumber.value_or("-") << "\t" << r.items.size() << " drug(s)\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"queue", arr}}, text.str());
                 }});
}

void addReviewCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // review ID --approve|--reject|--ask
  struct ReviewArgs {
    std::int64_t id = 0;
    bool approve = false, reject = false, ask = false, buyerConfirmed = false, checksOnly = false;
    std::vector<std::string> reasons, confirm;
    std::string note, patientId, confirmFrom;
  };
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
  reviewCmd->add_option("--reason", ra->reasons, "Reason code (repeatable)");
  reviewCmd->add_option("--note", ra->note, "Free text kept with the decision");
  reviewCmd->add_option("--patient-id", ra->patientId, "The buyer's ID number (实名制)");
  reviewCmd->add_option("--confirm-from", ra->confirmFrom,
                        "Read FIELD=VALUE lines to confirm (patient_name, patient_id_no, …) from "
                        "this file, or - for standard input: other local users can read the "
                        "command line, not these");
  reviewCmd->add_option("--confirm", ra->confirm,
                        "Confirm or correct a read field: FIELD=VALUE (repeatable)");
  reviewCmd->add_flag("--buyer-confirmed", ra->buyerConfirmed,
                      "The buyer confirmed the risk warning 处方药须凭处方在药师指导下购买和使用");
  out.push_back(
      {reviewCmd, [&g, ra] {
         if (!ra->checksOnly && !ra->approve && !ra->reject && !ra->ask)
           return reportError(g, Status(ErrorCode::kInvalidArgument,
                                        "say --approve, --reject, --ask or --checks"));
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         ws::ReviewService review(**session);
         auto opened = review.startReview(ra->id);
         if (!opened) return reportError(g, opened.status());
         std::map<std::string, std::string> values;
         for (const auto& c : ra->confirm) {
           auto eq = c.find('=');
           if (eq == std::string::npos || eq == 0)
             return reportError(g, Status(ErrorCode::kInvalidArgument,
                                          "--confirm takes FIELD=VALUE, not '" + c + "'"));
           values[c.substr(0, eq)] = c.substr(eq + 1);
         }
         if (!ra->patientId.empty()) values["patient_id_no"] = ra->patientId;
         if (!ra->confirmFrom.empty()) {
           auto given = readFieldValues(ra->confirmFrom, {});
           if (!given) return reportError(g, given.status());
           for (const auto& [field, value] : *given) values[field] = value;
         }
         if (!values.empty())
           if (Status s = review.confirmFields(ra->id, values); !s) return reportError(g, s);
         auto checks = review.checks(ra->id, beijingToday());
         if (!checks) return reportError(g, checks.status());
         std::ostringstream text;
         for (const auto& c : *checks)
           text << "  [" << ws::severityName(c.severity) << "] " << c.rule << ": " << c.message
                << (c.evidence.empty() ? "" : " (" + c.evidence + ")") << "\n";
         if (ra->checksOnly)
           return reportSuccess(
               g, {{"ok", true}, {"record", ra->id}, {"checks", checksJson(*checks)}}, text.str());
         ws::DecisionInput input;
         input.decision = ra->approve  ? ws::Decision::kApprove
                          : ra->reject ? ws::Decision::kReject
                                       : ws::Decision::kAsk;
         input.reasons = ra->reasons;
         input.note = ra->note;
         input.buyerConfirmedRiskWarning = ra->buyerConfirmed;
         auto d = review.decide(ra->id, input);
         if (!d) {
           if (!g.json) std::cerr << text.str();
           return reportError(g, d.status());
         }
         return reportSuccess(g,
                              {{"ok", true},
                               {"record", ra->id},
                               {"decision", d->decision},
                               {"key_id", d->keyId},
                               {"signed_by", d->decidedBy},
                               {"at", d->decidedAt},
                               {"checks", checksJson(*checks)}},
                              text.str() + "Decision '" + d->decision + "' on record " +
                                  std::to_string(ra->id) + " signed by " + d->decidedBy + ".\n");
       }});
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
  addIntakeCommand(app, g, out);
  addReuseCommands(app, g, out);
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
           text << r.prescriptionId << "\t" << r.dispensedAt << "\t" << r.traceCode << "\t"
                << r.patientName.value_or("-") << "\t" << r.patientIdNo.value_or("-") << "\n";
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
