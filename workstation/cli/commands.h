// Registration of rxdesk-cli's subcommands. Each group adds its subcommands to the app and a
// handler per leaf subcommand; main() runs the handler of the one that was given.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli_support.h"
#include "workstation/rules.h"
#include "workstation/session.h"

namespace rx::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

// The automatic checks as `intake` and `review` print them (docs/intake.md).
nlohmann::json checksJson(const std::vector<ws::RuleCheck>& checks);

// Logs in with --db/--user and the password from the environment or terminal.
Result<std::unique_ptr<ws::Session>> loginFromOptions(const GlobalOptions& g);

void addStoreCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addBackupCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addAuditCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addAgreementCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addOcrCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addIntakeCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addReviewCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addRecordCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addDispensingCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addConsultCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addExportCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addSamplingCommands(CLI::App& app, GlobalOptions& g, Commands& out);
void addChainCommands(CLI::App& app, GlobalOptions& g, Commands& out);

}  // namespace rx::cli
