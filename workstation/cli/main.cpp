// rxdesk-cli: the command-line face of the workstation, for scripts, supervisors and tests.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

#include "base/process.h"
#include "commands.h"
#include "ocr/runtime.h"
#include "workstation/paths.h"

namespace rx::cli {

Result<std::unique_ptr<ws::Session>> loginFromOptions(const GlobalOptions& g) {
  if (g.user.empty())
    return Status(ErrorCode::kInvalidArgument, "--user is required (or set $RXDESK_USER)");
  RX_ASSIGN_OR_RETURN(Password password, loginPassword(g.user));
  RX_ASSIGN_OR_RETURN(auto session, ws::Session::login(g.db, g.user, password));
  // On stderr, so that --json output stays one document.
  if (session->store().rekeyPending() && session->user().role == data::Role::kAdmin)
    std::cerr << "rxdesk-cli: warning: a re-key of " << g.db
              << " (removing a user) was cut off and is not finished: the old database key, "
                 "which the removed user may hold, still opens it. It finishes when the store is "
                 "next opened while no other program has it open.\n";
  return session;
}

int run(int argc, char** argv) {
  CLI::App app{"rxdesk-cli — verify, review and record prescriptions from the command line"};
  app.footer(exitCodeHelp());
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions g;
  g.db = ws::defaultStorePath();
  if (const char* u = std::getenv("RXDESK_USER")) g.user = u;
  auto* dbOption =
      app.add_option("--db", g.db, "Store file (default: the store in your data folder)");
  app.add_option("--user", g.user, "Who is working (default: $RXDESK_USER)");
  app.add_flag("--json", g.json, "Machine-readable output on stdout");
  app.add_flag("-v,--verbose", g.verbose, "Log what happens on stderr");

  Commands commands;
  addStoreCommands(app, g, commands);
  addBackupCommands(app, g, commands);
  addAuditCommands(app, g, commands);
  addAgreementCommands(app, g, commands);
  addOcrCommands(app, g, commands);
  addIntakeCommands(app, g, commands);
  addReviewCommands(app, g, commands);
  addRecordCommands(app, g, commands);
  addDispensingCommands(app, g, commands);
  addConsultCommands(app, g, commands);
  addExportCommands(app, g, commands);
  addSamplingCommands(app, g, commands);
  addChainCommands(app, g, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    // CLI11 reports a mistyped command as a missing one; name the word that was not understood.
    std::vector<std::string> extras = app.remaining();
    for (CLI::App* sub : app.get_subcommands({}))
      if (sub->parsed()) extras = sub->remaining();
    if (!extras.empty() && extras.front().rfind('-', 0) != 0)
      message = "unknown command '" + extras.front() + "'";
    std::cerr << "rxdesk-cli: error: " << message << "\nRun `rxdesk-cli --help` for usage.\n";
    return static_cast<int>(Exit::kUsage);
  }
  // Log lines (--verbose) go to standard error: standard output is the command's result (--json).
  spdlog::set_default_logger(spdlog::stderr_color_mt("rxdesk-cli"));
  spdlog::set_level(g.verbose ? spdlog::level::info : spdlog::level::off);
  // A store an older rxdesk kept directly in the data folder moves into its own folder.
  if (dbOption->count() == 0) g.db = ws::defaultStorePathAdopted();
  // The most deeply nested parsed subcommand is the one to run.
  const Command* chosen = nullptr;
  for (const Command& c : commands)
    if (c.app->parsed()) chosen = &c;
  if (!chosen) {
    std::cerr << "rxdesk-cli: error: no command given\nRun `rxdesk-cli --help` for usage.\n";
    return static_cast<int>(Exit::kUsage);
  }
  return chosen->run();
}

}  // namespace rx::cli

int main(int argc, char** argv) {
  rx::protectProcess();
  rx::ocr::ensureSingleThreadedOpenMp(argv);
  try {
    return rx::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // A broken invariant: report once, clearly, without a core dump full of patient data.
    std::cerr << "rxdesk-cli: internal error: " << e.what() << "\n";
    return static_cast<int>(rx::cli::Exit::kInternal);
  }
}
