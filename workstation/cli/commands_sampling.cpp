// sampling create | items | score | close | findings: the supervisor's 处方点评.
#include <sstream>

#include "commands.h"
#include "workstation/sampling.h"

namespace rx::cli {

using nlohmann::json;

void addSamplingCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* sampling = app.add_subcommand(
      "sampling",
      "Supervisor audit (处方点评): sample decisions and consultations, score, close "
      "signed; pharmacists see their findings");
  sampling->require_subcommand(1);

  struct CreateArgs {
    std::string from, to, pharmacist, what = "decisions,consultations";
    std::vector<std::string> criteria;
    double percent = 0;
    std::int64_t count = 0, seed = -1;
  };
  auto ca = std::make_shared<CreateArgs>();
  auto* create = sampling->add_subcommand("create", "Draw a sample for a period (supervisors)");
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
  out.push_back(
      {create, [&g, ca] {
         ws::RoundSpec spec;
         spec.from = ca->from;
         spec.to = ca->to;
         if (!ca->pharmacist.empty()) spec.pharmacist = ca->pharmacist;
         spec.decisions = ca->what.find("decisions") != std::string::npos;
         spec.consultations = ca->what.find("consultations") != std::string::npos;
         if (ca->percent > 0) spec.percent = ca->percent;
         if (ca->count > 0) spec.count = ca->count;
         if (ca->seed >= 0) spec.seed = ca->seed;
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         ws::SamplingService service(**session);
         auto round = service.create(spec);
         if (!round) return reportError(g, round.status());
         auto items = service.items(round->id);
         if (!items) return reportError(g, items.status());
         return reportSuccess(
             g,
             {{"ok", true}, {"round", round->id}, {"seed", round->seed}, {"items", items->size()}},
             "Round " + std::to_string(round->id) + ": " + std::to_string(items->size()) +
                 " item(s) drawn with seed " + std::to_string(round->seed) + ".\n");
       }});

  auto roundId = std::make_shared<std::int64_t>(0);
  auto* list = sampling->add_subcommand("items", "A round's items and scores");
  list->add_option("round", *roundId, "Round number")->required();
  out.push_back({list, [&g, roundId] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto items = ws::SamplingService(**session).items(*roundId);
                   if (!items) return reportError(g, items.status());
                   json arr = json::array();
                   std::ostringstream text;
                   for (const auto& i : *items) {
                     arr.push_back({{"kind", i.kind},
                                    {"item", i.itemId},
                                    {"pharmacist", i.pharmacist},
                                    {"score", i.score ? json(*i.score) : json(nullptr)},
                                    {"reasons", i.reasons}});
                     text << i.kind << " " << i.itemId << "\t" << i.pharmacist << "\t"
                          << i.score.value_or("(not scored)") << "\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"items", arr}}, text.str());
                 }});

  struct ScoreArgs {
    std::int64_t round = 0, decision = 0, consultation = 0;
    bool appropriate = false, inappropriate = false;
    std::vector<std::string> reasons;
    std::string comment;
  };
  auto sa = std::make_shared<ScoreArgs>();
  auto* score = sampling->add_subcommand("score", "Score one item (supervisors)");
  score->add_option("round", sa->round, "Round number")->required();
  auto* d = score->add_option("--decision", sa->decision, "The review decision's number");
  auto* c = score->add_option("--consultation", sa->consultation, "The consultation's number");
  d->excludes(c);
  auto* ok = score->add_flag("--appropriate", sa->appropriate, "合理");
  auto* bad = score->add_flag("--inappropriate", sa->inappropriate, "不合理 (give --reason)");
  ok->excludes(bad);
  score->add_option("--reason", sa->reasons, "A reason from the round's criteria (repeatable)");
  score->add_option("--comment", sa->comment, "Comment for the pharmacist");
  out.push_back({score, [&g, sa] {
                   if ((sa->decision == 0) == (sa->consultation == 0) ||
                       sa->appropriate == sa->inappropriate)
                     return reportError(g, Status(ErrorCode::kInvalidArgument,
                                                  "give --decision or --consultation, and "
                                                  "--appropriate or --inappropriate"));
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   const bool isDecision = sa->decision != 0;
                   Status s = ws::SamplingService(**session).score(
                       sa->round, isDecision ? "decision" : "consultation",
                       isDecision ? sa->decision : sa->consultation, sa->appropriate, sa->reasons,
                       sa->comment);
                   if (!s) return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}}, "Scored.\n");
                 }});

  auto closeId = std::make_shared<std::int64_t>(0);
  auto* close = sampling->add_subcommand("close", "Close a fully scored round, signed");
  close->add_option("round", *closeId, "Round number")->required();
  out.push_back(
      {close, [&g, closeId] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         auto summary = ws::SamplingService(**session).close(*closeId);
         if (!summary) return reportError(g, summary.status());
         return reportSuccess(g, {{"ok", true}, {"summary", *summary}}, summary->dump(2) + "\n");
       }});

  auto* findings = sampling->add_subcommand("findings", "Your findings from closed rounds");
  out.push_back({findings, [&g] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto items = ws::SamplingService(**session).myFindings();
                   if (!items) return reportError(g, items.status());
                   json arr = json::array();
                   std::ostringstream text;
                   for (const auto& i : *items) {
                     arr.push_back({{"round", i.roundId},
                                    {"kind", i.kind},
                                    {"item", i.itemId},
                                    {"score", i.score.value_or("")},
                                    {"reasons", i.reasons},
                                    {"comment", i.comment ? json(*i.comment) : json(nullptr)}});
                     text << "round " << i.roundId << "  " << i.kind << " " << i.itemId << "  "
                          << i.score.value_or("") << "  " << i.comment.value_or("") << "\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"findings", arr}}, text.str());
                 }});
}

}  // namespace rx::cli
