// intake FILE..., intake --watch, reuse show|overrule: presenting prescriptions at the counter.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "base/time.h"
#include "base/utf8.h"
#include "commands.h"
#include "workstation/intake.h"
#include "workstation/ocr_json.h"
#include "workstation/reuse.h"
#include "workstation/review.h"
#include "workstation/settings.h"
#include "workstation/watched_folder.h"

namespace rx::cli {

using nlohmann::json;

namespace {

std::string reuseText(std::int64_t id, const ws::ReuseFinding& f) {
  std::ostringstream text;
  text << "record " << id << ": " << dedup::verdictName(f.verdict) << "\n";
  for (const auto& m : f.matches)
    text << "  matches record " << m.record << " (" << m.state << ", " << m.kind << ", arrived "
         << readableTime(m.arrivedAt) << " via " << m.arrivedBy << "), score " << m.score << ": "
         << m.rule << "\n    signals " << m.signals.dump() << "\n";
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
  std::cout << std::flush;  // a watcher's lines reach a log as they happen
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
  ws::WatchedFolder watched(folder);
  if (Status claimed = watched.claim(); !claimed) return reportError(g, claimed);
  ws::ReviewService review(session);
  const auto progress = progressLine();
  if (auto loaded = loadReuseIndex(review, progress); !loaded)
    return reportError(g, loaded.status());
  Interruption interruption;  // Ctrl+C stops after the file at hand
  std::cerr << "watching " << utf8OrEscaped(folder) << " for prescriptions"
            << (a.polls == 0 ? " (Ctrl+C stops)" : "") << "\n";
  ws::IntakeReader reader;
  int worst = 0;
  for (int poll = 0; !interruption.requested() && (a.polls == 0 || poll < a.polls); ++poll) {
    if (poll > 0)  // in small steps, so that Ctrl+C is answered at once
      for (auto until = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(a.interval * 1000));
           !interruption.requested() && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<std::string> ready = watched.poll();
    ws::orderByCaptureTime(ready);
    for (const std::string& file : ready) {
      if (interruption.requested()) break;
      IntakeOutcome outcome = intakeOne(review, reader, file);
      worst = std::max(worst, outcome.exit);
      if (auto moved = watched.putAside(file, outcome.doc["ok"] == true); moved) {
        outcome.doc["moved_to"] = utf8OrEscaped(*moved);
      } else if (moved.status().code() != ErrorCode::kNotFound) {  // not: gone meanwhile
        std::cerr << "rxdesk-cli: error: could not move " << utf8OrEscaped(file)
                  << " out of the watched folder: " << moved.status().message() << "\n";
        outcome.doc["move_error"] = errorJson(moved.status());
        worst = std::max(worst, static_cast<int>(exitFor(moved.status().code())));
      }
      printOutcome(g, file, outcome.doc);
    }
  }
  return worst;
}
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

}  // namespace

void addIntakeCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addIntakeCommand(app, g, out);
  addReuseCommands(app, g, out);
}

}  // namespace rx::cli
