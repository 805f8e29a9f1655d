// audit verify
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "commands.h"

namespace rx::cli {

void addAuditCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* audit = app.add_subcommand("audit", "The tamper-evident audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify", "Check every entry and signed checkpoint (supervisor, admin)");
  out.push_back(
      {verify, [&g] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         const bool tty = ::isatty(2);
         auto report = (*session)->verifyAudit([tty](std::int64_t done, std::int64_t total) {
           if (tty && total > 0)
             std::cerr << "\rchecking audit log: " << done << " / " << total << std::flush;
         });
         if (tty) std::cerr << "\r\033[K";
         if (!report) return reportError(g, report.status());
         nlohmann::json doc = {{"ok", !report->problem},
                               {"entries", report->entries},
                               {"checkpoints", report->checkpoints},
                               {"intact", !report->problem}};
         std::ostringstream text;
         if (report->problem) {
           doc["problem"] = {{"seq", report->problem->seq}, {"what", report->problem->what}};
           std::cerr << "rxdesk-cli: audit log damaged: " << report->problem->what << "\n";
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kCorrupt);
         }
         text << "Audit log intact: " << report->entries << " entries, " << report->checkpoints
              << " signed checkpoints.\n";
         return reportSuccess(g, doc, text.str());
       }});
}

}  // namespace rx::cli
