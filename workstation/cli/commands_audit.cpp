// audit verify
#include <unistd.h>

#include <iostream>
#include <optional>
#include <sstream>

#include "commands.h"
#include "workstation/backup.h"
#include "workstation/chain.h"
#include "workstation/review.h"

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
           anchors->insert(anchors->end(), kept->heads.begin(), kept->heads.end());
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
         auto keys = (*session)->checkSigningKeys();
         if (!keys) return reportError(g, keys.status());
         auto decisions = ws::ReviewService(**session).verifyAllDecisions(
             [tty](std::int64_t done, std::int64_t total) {
               if (tty && total > 0)
                 std::cerr << "\rchecking signed decisions: " << done << " / " << total
                           << std::flush;
             });
         if (tty) std::cerr << "\r\033[K";
         if (!decisions) return reportError(g, decisions.status());
         for (const std::string& p : decisions->problems)
           std::cerr << "rxdesk-cli: signed decision: " << p << "\n";
         nlohmann::json keyProblems = nlohmann::json::array();
         for (const data::UserKeyStanding& k : *keys)
           if (!k.problem.empty())
             keyProblems.push_back(
                 {{"user", k.key.user}, {"key_id", k.key.keyId}, {"problem", k.problem}});
         nlohmann::json doc = {{"ok", !report->problem},
                               {"entries", report->entries},
                               {"checkpoints", report->checkpoints},
                               {"anchors", report->anchors},
                               {"registry_anchors", kept ? kept->heads.size() : 0},
                               {"registry_checked", !registryAway},
                               {"intact", !report->problem},
                               {"signing_keys", keys->size()},
                               {"signing_key_problems", keyProblems},
                               {"decisions_checked", decisions->checked},
                               {"decisions_failed", decisions->failed}};
         doc["ok"] = !report->problem && keyProblems.empty() && decisions->failed == 0;
         if (registryAway) {
           doc["registry_unreachable"] = *registryAway;
           std::cerr << "rxdesk-cli: warning: the chain registry could not be reached, so the "
                        "heads it keeps were not checked: "
                     << *registryAway << "\n";
         }
         std::ostringstream text;
         if (kept && !kept->restores.empty()) {
           nlohmann::json restores = nlohmann::json::array();
           for (const auto& r : kept->restores) {
             restores.push_back({{"entry", r.seq},
                                 {"backup_last_entry", r.fromSeq},
                                 {"restored_at", r.restoredAt},
                                 {"registry_received_at", r.receivedAt}});
             // A restore sets heads aside, and so would a rewrite dressed as one: said on stderr,
             // with the registry's own time, for the supervisor to confirm it was a restore.
             std::cerr << "rxdesk-cli: note: the chain registry records a restore of this store "
                          "(audit entry "
                       << r.seq << ", said to be made " << readableTime(r.restoredAt)
                       << ", received by the registry " << readableTime(r.receivedAt)
                       << ", Beijing time): heads of entries after " << r.fromSeq
                       << " sent before it are not checked. If nobody restored this store "
                          "then, treat its log as rewritten.\n";
           }
           doc["registry_restores"] = restores;
           doc["registry_replaced_heads"] = kept->replacedHeads;
           if (kept->replacedHeads > 0)
             text << kept->replacedHeads
                  << " head(s) the registry keeps were of the log a restore replaced; they are "
                     "not checked.\n";
         }
         if (report->problem) {
           doc["problem"] = {{"seq", report->problem->seq}, {"what", report->problem->what}};
           std::cerr << "rxdesk-cli: audit log damaged: " << report->problem->what << "\n";
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kCorrupt);
         }
         for (const auto& k : keyProblems)
           std::cerr << "rxdesk-cli: signing key: " << k["problem"].get<std::string>() << "\n";
         if (!keyProblems.empty() || decisions->failed > 0) {
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kCorrupt);
         }
         text << "Audit log intact: " << report->entries << " entries, " << report->checkpoints
              << " signed checkpoints, " << report->anchors << " head(s) kept outside the store.\n"
              << "Signing keys: " << keys->size()
              << ", each registered by an admin up to the store's first admin key. Signed "
                 "decisions: "
              << decisions->checked << ", each verified with its key.\n";
         if (report->anchors == 0)
           text << "No backup, export or chain registry to check the chain against: someone "
                   "holding the database key could have rewritten it and re-signed its "
                   "checkpoints. Name one with --anchor.\n";
         return reportSuccess(g, doc, text.str());
       }});
}

}  // namespace rx::cli
