// sampling create | items | score | close | findings: the supervisor's 处方点评.
#include <sstream>

#include "commands.h"
#include "workstation/sampling.h"

namespace rx::cli {

using nlohmann::json;

namespace {

struct CreateArgs {
  std::string from, to, pharmacist, what = "decisions,consultations";
  std::vector<std::string> criteria;
  double percent = 0;
  std::int64_t count = 0, seed = -1;
};

ws::RoundSpec toRoundSpec(const CreateArgs& a) {
  ws::RoundSpec spec;
  spec.from = a.from;
  spec.to = a.to;
  if (!a.pharmacist.empty()) spec.pharmacist = a.pharmacist;
  spec.decisions = a.what.find("decisions") != std::string::npos;
  spec.consultations = a.what.find("consultations") != std::string::npos;
  if (a.percent > 0) spec.percent = a.percent;
  if (a.count > 0) spec.count = a.count;
  if (a.seed >= 0) spec.seed = a.seed;
  spec.criteria = a.criteria;
  return spec;
}

int runCreate(GlobalOptions& g, const CreateArgs& a) {
  ws::RoundSpec spec = toRoundSpec(a);
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  ws::SamplingService service(**session);
  auto round = service.create(spec);
  if (!round) return reportError(g, round.status());
  auto items = service.items(round->id);
  if (!items) return reportError(g, items.status());
  return reportSuccess(
      g, {{"ok", true}, {"round", round->id}, {"seed", round->seed}, {"items", items->size()}},
      "Round " + std::to_string(round->id) + ": " + std::to_string(items->size()) +
          " item(s) drawn with seed " + std::to_string(round->seed) + ".\n");
}

void addCreateCommand(CLI::App& sampling, GlobalOptions& g, Commands& out) {
  auto ca = std::make_shared<CreateArgs>();
  auto* create = sampling.add_subcommand("create", "Draw a sample for a period (supervisors)");
  create->add_option("--from", ca->from, "First day (YYYY-MM-DD)")->required();
  create->add_option("--to", ca->to, "Last day, inclusive")->required();
  create->add_option("--pharmacist", ca->pharmacist, "Only this pharmacist (default: each)");
  create->add_option("--what", ca->what, "decisions, consultations or both (comma-separated)");
  auto* pct = create->add_option("--percent", ca->percent, "Percentage of each one's items");
  auto* cnt = create->add_option("--count", ca->count, "Number of each one's items");
  pct->excludes(cnt);
  create->add_option("--seed", ca->seed, "Seed (default random; stored with the round)");
  create->add_option("--criterion", ca->criteria,
                     "A reason items may be scored inappropriate with (repeatable; default the "
                     "standard 处方点评 reasons)");
  out.push_back({create, [&g, ca] { return runCreate(g, *ca); }});
}

int runItems(GlobalOptions& g, std::int64_t roundId) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto items = ws::SamplingService(**session).items(roundId);
  if (!items) return reportError(g, items.status());
  json arr = json::array();
  std::ostringstream text;
  for (const auto& i : *items) {
    arr.push_back({{"kind", data::sampleKindName(i.kind)},
                   {"item", i.itemId},
                   {"pharmacist", i.pharmacist},
                   {"score", i.score ? json(*i.score) : json(nullptr)},
                   {"reasons", i.reasons}});
    text << data::sampleKindName(i.kind) << " " << i.itemId << "\t" << i.pharmacist << "\t"
         << i.score.value_or("(not scored)") << "\n";
  }
  return reportSuccess(g, {{"ok", true}, {"items", arr}}, text.str());
}

// A subcommand whose one argument is the round's number.
void addRoundCommand(CLI::App& sampling, GlobalOptions& g, Commands& out, const char* name,
                     const char* help, int (*run)(GlobalOptions&, std::int64_t)) {
  auto roundId = std::make_shared<std::int64_t>(0);
  auto* cmd = sampling.add_subcommand(name, help);
  cmd->add_option("round", *roundId, "Round number")->required();
  out.push_back({cmd, [&g, roundId, run] { return run(g, *roundId); }});
}

struct ScoreArgs {
  std::int64_t round = 0, decision = 0, consultation = 0;
  bool appropriate = false, inappropriate = false;
  std::vector<std::string> reasons;
  std::string comment;
};

int runScore(GlobalOptions& g, const ScoreArgs& a) {
  if ((a.decision == 0) == (a.consultation == 0) || a.appropriate == a.inappropriate)
    return reportError(g, Status(ErrorCode::kInvalidArgument,
                                 "give --decision or --consultation, and "
                                 "--appropriate or --inappropriate"));
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  const bool isDecision = a.decision != 0;
  Status s = ws::SamplingService(**session).score(
      a.round, isDecision ? data::SampleKind::kDecision : data::SampleKind::kConsultation,
      isDecision ? a.decision : a.consultation, a.appropriate, a.reasons, a.comment);
  if (!s) return reportError(g, s);
  return reportSuccess(g, {{"ok", true}}, "Scored.\n");
}

void addScoreCommand(CLI::App& sampling, GlobalOptions& g, Commands& out) {
  auto sa = std::make_shared<ScoreArgs>();
  auto* score = sampling.add_subcommand("score", "Score one item (supervisors)");
  score->add_option("round", sa->round, "Round number")->required();
  auto* d = score->add_option("--decision", sa->decision, "The review decision's number");
  auto* c = score->add_option("--consultation", sa->consultation, "The consultation's number");
  d->excludes(c);
  auto* ok = score->add_flag("--appropriate", sa->appropriate, "合理");
  auto* bad = score->add_flag("--inappropriate", sa->inappropriate, "不合理 (give --reason)");
  ok->excludes(bad);
  score->add_option("--reason", sa->reasons, "A reason from the round's criteria (repeatable)");
  score->add_option("--comment", sa->comment, "Comment for the pharmacist");
  out.push_back({score, [&g, sa] { return runScore(g, *sa); }});
}

int runClose(GlobalOptions& g, std::int64_t roundId) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto summary = ws::SamplingService(**session).close(roundId);
  if (!summary) return reportError(g, summary.status());
  return reportSuccess(g, {{"ok", true}, {"summary", *summary}}, summary->dump(2) + "\n");
}

int runFindings(GlobalOptions& g) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto items = ws::SamplingService(**session).myFindings();
  if (!items) return reportError(g, items.status());
  json arr = json::array();
  std::ostringstream text;
  for (const auto& i : *items) {
    arr.push_back({{"round", i.roundId},
                   {"kind", data::sampleKindName(i.kind)},
                   {"item", i.itemId},
                   {"score", i.score.value_or("")},
                   {"reasons", i.reasons},
                   {"comment", i.comment ? json(*i.comment) : json(nullptr)}});
    text << "round " << i.roundId << "  " << data::sampleKindName(i.kind) << " " << i.itemId << "  "
         << i.score.value_or("") << "  " << i.comment.value_or("") << "\n";
  }
  return reportSuccess(g, {{"ok", true}, {"findings", arr}}, text.str());
}

}  // namespace

void addSamplingCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* sampling = app.add_subcommand(
      "sampling",
      "Supervisor audit (处方点评): sample decisions and consultations, score, close "
      "signed; pharmacists see their findings");
  sampling->require_subcommand(1);
  addCreateCommand(*sampling, g, out);
  addRoundCommand(*sampling, g, out, "items", "A round's items and scores", runItems);
  addScoreCommand(*sampling, g, out);
  addRoundCommand(*sampling, g, out, "close", "Close a fully scored round, signed", runClose);
  auto* findings = sampling->add_subcommand("findings", "Your findings from closed rounds");
  out.push_back({findings, [&g] { return runFindings(g); }});
}

}  // namespace rx::cli
