// audit verify
#include <unistd.h>

#include <iostream>
#include <optional>
#include <sstream>

#include "commands.h"
#include "workstation/backup.h"
#include "workstation/chain.h"

namespace rx::cli {

void addAuditCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* audit = app.add_subcommand("audit", "The tamper-evident audit log");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand(
      "verify",
      "Check every entry and signed checkpoint, and the chain's heads kept outside the store in "
      "backups, exports and the chain registry (supervisor, admin)");
  auto anchorFiles = std::make_shared<std::vector<std::string>>();
  verify->add_option("--anchor", *anchorFiles,
                     "A backup file or export folder of this store whose recorded head the chain "
                     "must still match (repeatable; default: the last backup rxdesk wrote)");
  out.push_back(
      {verify, [&g, anchorFiles] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         auto anchors = ws::auditAnchors(**session, *anchorFiles);
         if (!anchors) return reportError(g, anchors.status());
         // The heads the chain registry keeps, when the store has joined one: nobody at the store
         // can rewrite them. A registry out of reach is said, and the rest is still checked.
         auto kept = ws::ChainService(**session).auditAnchors();
         std::optional<std::string> registryAway;
         if (kept)
           anchors->insert(anchors->end(), kept->begin(), kept->end());
         else if (ws::chainWorksOffline(kept.status()))
           registryAway = kept.status().message();
         else
           return reportError(g, kept.status());
         const bool tty = ::isatty(2);
         auto report = (*session)->verifyAudit(
             [tty](std::int64_t done, std::int64_t total) {
               if (tty && total > 0)
                 std::cerr << "\rchecking audit log: " << done << " / " << total << std::flush;
             },
             *anchors);
         if (tty) std::cerr << "\r\033[K";
         if (!report) return reportError(g, report.status());
         nlohmann::json doc = {{"ok", !report->problem},
                               {"entries", report->entries},
                               {"checkpoints", report->checkpoints},
                               {"anchors", report->anchors},
                               {"registry_anchors", kept ? kept->size() : 0},
                               {"registry_checked", !registryAway},
                               {"intact", !report->problem}};
         if (registryAway) {
           doc["registry_unreachable"] = *registryAway;
           std::cerr << "rxdesk-cli: warning: the chain registry could not be reached, so the "
                        "heads it keeps were not checked: "
                     << *registryAway << "\n";
         }
         std::ostringstream text;
         if (report->problem) {
           doc["problem"] = {{"seq", report->problem->seq}, {"what", report->problem->what}};
           std::cerr << "rxdesk-cli: audit log damaged: " << report->problem->what << "\n";
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kCorrupt);
         }
         text << "Audit log intact: " << report->entries << " entries, " << report->checkpoints
              << " signed checkpoints, " << report->anchors << " head(s) kept outside the store.\n";
         if (report->anchors == 0)
           text << "No backup, export or chain registry to check the chain against: someone "
                   "holding the database key could have rewritten it and re-signed its "
                   "checkpoints. Name one with --anchor.\n";
         return reportSuccess(g, doc, text.str());
       }});
}

}  // namespace rx::cli
