// backup, restore and check: the store's backups and its integrity check.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "workstation/backup.h"

namespace rx::cli {

namespace {

struct BackupArgs {
  std::string out;
  bool scheduled = false;
};

// backup --scheduled: today's backup into the folder an admin set, unless it is there.
int runScheduledBackupCommand(GlobalOptions& g, ws::Session& session,
                              const ws::BackupProgress& progress, std::stop_token stop) {
  auto written = ws::runScheduledBackup(session, progress, utcTimestamp(), stop);
  if (::isatty(2)) std::cerr << "\r\033[K";
  if (!written) return reportError(g, written.status());
  auto st = ws::backupStatus(session);
  if (!st) return reportError(g, st.status());
  std::string head;
  nlohmann::json headJson = nullptr;
  if (*written && st->lastHeadSeq) {
    // Printed so that a supervisor can note it: the chain must still match it.
    head = " Audit log head: entry " + std::to_string(*st->lastHeadSeq) + ", " +
           st->lastHeadHash.substr(0, 16) + "…";
    headJson = {{"seq", *st->lastHeadSeq}, {"hash", st->lastHeadHash}};
  }
  const std::string text = *written ? "Wrote and verified " + **written + "." + head + "\n"
                           : st->folder.empty()
                               ? "No scheduled backup: an admin sets the folder with rxdesk-cli "
                                 "settings set backup.folder DIR.\n"
                               : "Today's backup is already in " + st->folder + ".\n";
  return reportSuccess(g,
                       {{"ok", true},
                        {"backup", *written ? nlohmann::json(**written) : nlohmann::json(nullptr)},
                        {"folder", st->folder},
                        {"audit_head", headJson}},
                       text);
}

// backup --out FILE, or --scheduled; Ctrl+C stops it with nothing left behind (exit 130).
int runBackup(GlobalOptions& g, const BackupArgs& a) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  const bool tty = ::isatty(2);
  Interruption interruption;
  auto progress = [tty](std::uint64_t done, std::uint64_t total) {
    if (tty && total) std::cerr << "\rbacking up: " << (100 * done / total) << "%" << std::flush;
  };
  if (a.scheduled) return runScheduledBackupCommand(g, **session, progress, interruption.token());
  auto info = ws::writeBackup(**session, a.out, progress, interruption.token());
  if (tty) std::cerr << "\r\033[K";
  if (!info) return reportError(g, info.status());
  nlohmann::json doc = {{"ok", true},
                        {"backup", a.out},
                        {"bytes", info->storeBytes + info->keysBytes},
                        {"created_at", info->createdAt}};
  std::string head;
  if (info->auditHead) {
    // Printed so that a supervisor can note it: the chain must still match it.
    const std::string hash = crypto::toHex(info->auditHead->hash);
    doc["audit_head"] = {{"seq", info->auditHead->seq}, {"hash", hash}};
    head = " Audit log head: entry " + std::to_string(info->auditHead->seq) + ", " +
           hash.substr(0, 16) + "…";
  }
  return reportSuccess(g, doc,
                       "Wrote and verified " + a.out + " (" +
                           std::to_string(info->storeBytes + info->keysBytes) + " bytes)." + head +
                           "\n");
}

void addBackupCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* backup = app.add_subcommand(
      "backup",
      "Write an online, encrypted, checksummed backup (--out: admin, supervisor; --scheduled: "
      "today's backup into the folder an admin set, for a daily timer)");
  auto ba = std::make_shared<BackupArgs>();
  auto* outOpt = backup->add_option("--out", ba->out, "Backup file to create (e.g. on a USB disk)");
  auto* schedOpt = backup->add_flag(
      "--scheduled", ba->scheduled,
      "Write today's backup into the folder of setting backup.folder, unless it is there");
  outOpt->excludes(schedOpt);
  backup->require_option(1);
  out.push_back({backup, [&g, ba] { return runBackup(g, *ba); }});
}

// What a restore did, beyond the store being put in place: what it carried over and who to re-add.
std::string restoreText(const std::string& db, const ws::RestoreResult& result) {
  std::string text =
      "Restored " + db + " from the backup of " + readableTime(result.info.createdAt) +
      " (Beijing time)" +
      (result.keptAs.empty() ? ".\n" : "; the previous store is kept as " + result.keptAs + ".\n");
  if (!result.carriedRecords.empty() || result.carriedUsedNumbers > 0)
    text +=
        "Carried over from the replaced store: " + std::to_string(result.carriedRecords.size()) +
        " handed-out prescription(s) and " + std::to_string(result.carriedUsedNumbers) +
        " used number(s).\n";
  if (result.currentWasDamaged)
    text += "The replaced store was damaged: nothing could be carried over from it.\n";
  if (result.keptInChain)
    text += "The backup was made before this store joined its chain: it stays in the chain, and " +
            std::to_string(*result.keptInChain) +
            " presentation(s) are sent again at the next exchange.\n";
  for (const std::string& u : result.usersRemovedAgain)
    text += "User '" + u + "' was removed since the backup and is removed again.\n";
  for (const std::string& u : result.usersNotInBackup)
    text += "User '" + u + "' is not in the backup: an admin adds them again.\n";
  for (std::int64_t id : result.conflictingRecords)
    text += "Record " + std::to_string(id) +
            " is another prescription in each store and was not carried over (its number "
            "stays marked used).\n";
  return text;
}

int runRestore(GlobalOptions& g, ws::RestoreRequest& request) {
  if (g.user.empty())
    return reportError(
        g, Status(ErrorCode::kInvalidArgument, "--user is required (or set $RXDESK_USER)"));
  auto password = loginPassword(g.user);
  if (!password) return reportError(g, password.status());
  request.storePath = g.db;
  request.user = g.user;
  auto result = ws::restoreBackup(request, *password);
  if (!result) return reportError(g, result.status());
  return reportSuccess(g,
                       {{"ok", true},
                        {"store", g.db},
                        {"backup_created_at", result->info.createdAt},
                        {"previous_store_kept_as", result->keptAs},
                        {"took_over", result->tookOver},
                        {"replaced_damaged_store", result->currentWasDamaged},
                        {"carried_records", result->carriedRecords},
                        {"carried_used_numbers", result->carriedUsedNumbers},
                        {"conflicting_records", result->conflictingRecords},
                        {"users_removed_again", result->usersRemovedAgain},
                        {"users_not_in_backup", result->usersNotInBackup},
                        {"kept_in_chain", result->keptInChain.has_value()}},
                       restoreText(g.db, *result));
}

void addRestoreCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* restore = app.add_subcommand(
      "restore",
      "Verify a backup and put it in place of the store (admin; the store alone; hand-outs made "
      "since the backup are carried over; the old store is kept)");
  auto ra = std::make_shared<ws::RestoreRequest>();
  restore->add_option("file", ra->backupPath, "Backup file")->required();
  restore->add_flag("--take-over", ra->takeOver,
                    "The backup is of another store, and this computer takes that store over");
  restore->add_flag("--replace-damaged", ra->replaceDamaged,
                    "The store does not open (damaged): replace it, logging in to the backup");
  out.push_back({restore, [&g, ra] { return runRestore(g, *ra); }});
}

// A damaged store: says where on stderr and exits 8 (kCorrupt), with the JSON if asked for.
int reportDamagedStore(GlobalOptions& g, const ws::StoreCheck& result, const nlohmann::json& doc) {
  std::ostringstream why;
  why << g.db << " is damaged:";
  for (const auto& p : result.pageFailures) why << "\n  " << p;
  if (result.pageFailures.empty() && result.structure != "ok")
    why << "\n  structure: " << result.structure;
  if (result.audit.problem) why << "\n  audit log: " << result.audit.problem->what;
  why << "\nRestore the last backup (rxdesk-cli restore FILE); keep this file for "
         "support.";
  std::cerr << "rxdesk-cli: " << why.str() << "\n";
  if (g.json) printJson(doc);
  return static_cast<int>(Exit::kCorrupt);
}

int runCheck(GlobalOptions& g) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  const bool tty = ::isatty(2);
  auto result = ws::checkStore(
      **session,
      [tty](const std::string& stage) {
        if (tty) std::cerr << "\r\033[Kchecking " << stage << std::flush;
      },
      [tty](std::int64_t done, std::int64_t total) {
        if (tty && total > 0)
          std::cerr << "\r\033[Kchecking 3/3 audit chain: " << done << " / " << total << std::flush;
      });
  if (tty) std::cerr << "\r\033[K";
  if (!result) return reportError(g, result.status());
  nlohmann::json doc = {
      {"ok", result->ok()},
      {"damaged_pages", result->pageFailures},
      {"structure", result->structure},
      {"audit_entries", result->audit.entries},
      {"audit_problem", result->audit.problem ? nlohmann::json(result->audit.problem->what)
                                              : nlohmann::json(nullptr)}};
  if (!result->ok()) return reportDamagedStore(g, *result, doc);
  return reportSuccess(g, doc,
                       "Store intact: every page authenticates, structure ok, audit log "
                       "intact (" +
                           std::to_string(result->audit.entries) + " entries).\n");
}

void addCheckCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* check = app.add_subcommand(
      "check",
      "Check the whole store: every page's authentication code, the database structure and the "
      "audit chain (supervisor, admin; reads the whole file)");
  out.push_back({check, [&g] { return runCheck(g); }});
}

}  // namespace

void addBackupCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addBackupCommand(app, g, out);
  addRestoreCommand(app, g, out);
  addCheckCommand(app, g, out);
}

}  // namespace rx::cli
