// init, status and user add|list|passwd|remove.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "workstation/backup.h"
#include "workstation/demo_data.h"
#include "workstation/paths.h"
#include "workstation/setup.h"

namespace rx::cli {

namespace {
nlohmann::json userJson(const data::UserRecord& u) {
  nlohmann::json j = {{"name", u.name},
                      {"role", std::string(data::roleName(u.role))},
                      {"display_name", u.displayName},
                      {"created_at", u.createdAt}};
  j["licence_no"] = u.licenceNo ? nlohmann::json(*u.licenceNo) : nlohmann::json(nullptr);
  if (u.removedAt) j["removed_at"] = *u.removedAt;
  return j;
}

struct UserArgs {
  std::string name;
  std::string role = "pharmacist";
  std::string displayName;
  std::string licence;
};

Result<data::NewUser> toNewUser(const UserArgs& a) {
  RX_ASSIGN_OR_RETURN(data::Role role, data::parseRole(a.role));
  data::NewUser u{a.name, role, a.displayName.empty() ? a.name : a.displayName, std::nullopt};
  if (!a.licence.empty()) u.licenceNo = a.licence;
  return u;
}
}  // namespace

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
  const std::string text = *written ? "Wrote and verified " + **written + ".\n"
                           : st->folder.empty()
                               ? "No scheduled backup: an admin sets the folder with rxdesk-cli "
                                 "settings set backup.folder DIR.\n"
                               : "Today's backup is already in " + st->folder + ".\n";
  return reportSuccess(g,
                       {{"ok", true},
                        {"backup", *written ? nlohmann::json(**written) : nlohmann::json(nullptr)},
                        {"folder", st->folder}},
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
  out.push_back(
      {restore, [&g, ra] {
         if (g.user.empty())
           return reportError(
               g, Status(ErrorCode::kInvalidArgument, "--user is required (or set $RXDESK_USER)"));
         auto password = loginPassword(g.user);
         if (!password) return reportError(g, password.status());
         ra->storePath = g.db;
         ra->user = g.user;
         auto result = ws::restoreBackup(*ra, *password);
         if (!result) return reportError(g, result.status());
         std::string text =
             "Restored " + g.db + " from the backup of " + result->info.createdAt +
             (result->keptAs.empty() ? ".\n"
                                     : "; the previous store is kept as " + result->keptAs + ".\n");
         if (!result->carriedRecords.empty() || result->carriedUsedNumbers > 0)
           text += "Carried over from the replaced store: " +
                   std::to_string(result->carriedRecords.size()) +
                   " handed-out prescription(s) and " + std::to_string(result->carriedUsedNumbers) +
                   " used number(s).\n";
         if (result->currentWasDamaged)
           text += "The replaced store was damaged: nothing could be carried over from it.\n";
         for (const std::string& u : result->usersRemovedAgain)
           text += "User '" + u + "' was removed since the backup and is removed again.\n";
         for (const std::string& u : result->usersNotInBackup)
           text += "User '" + u + "' is not in the backup: an admin adds them again.\n";
         for (std::int64_t id : result->conflictingRecords)
           text += "Record " + std::to_string(id) +
                   " is another prescription in each store and was not carried over (its number "
                   "stays marked used).\n";
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
                               {"users_not_in_backup", result->usersNotInBackup}},
                              text);
       }});
}

void addCheckCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* check = app.add_subcommand(
      "check",
      "Check the whole store: every page's authentication code, the database structure and the "
      "audit chain (supervisor, admin; reads the whole file)");
  out.push_back(
      {check, [&g] {
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
                 std::cerr << "\r\033[Kchecking 3/3 audit chain: " << done << " / " << total
                           << std::flush;
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
         if (!result->ok()) {
           std::ostringstream why;
           why << g.db << " is damaged:";
           for (const auto& p : result->pageFailures) why << "\n  " << p;
           if (result->pageFailures.empty() && result->structure != "ok")
             why << "\n  structure: " << result->structure;
           if (result->audit.problem) why << "\n  audit log: " << result->audit.problem->what;
           why << "\nRestore the last backup (rxdesk-cli restore FILE); keep this file for "
                  "support.";
           std::cerr << "rxdesk-cli: " << why.str() << "\n";
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kCorrupt);
         }
         return reportSuccess(g, doc,
                              "Store intact: every page authenticates, structure ok, audit log "
                              "intact (" +
                                  std::to_string(result->audit.entries) + " entries).\n");
       }});
}

}  // namespace

void addBackupCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addBackupCommand(app, g, out);
  addRestoreCommand(app, g, out);
  addCheckCommand(app, g, out);
}

namespace {

void addInitCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // init
  auto* init = app.add_subcommand(
      "init",
      "Create a new encrypted store: the pharmacy, its key pair, first admin and pharmacist");
  struct InitArgs {
    UserArgs admin;
    std::string name, uscc, licence, pharmacist, pharmacistDisplay, pharmacistLicence;
    int idleLock = 5;
    bool demoData = false;
  };
  auto ia = std::make_shared<InitArgs>();
  init->add_option("--admin", ia->admin.name, "Login name of the first admin")->required();
  init->add_option("--display-name", ia->admin.displayName, "Name shown for the admin");
  init->add_option("--pharmacy-name", ia->name, "The pharmacy's name (药店名称), as on vouchers");
  init->add_option("--uscc", ia->uscc, "The pharmacy's 统一社会信用代码 (18 characters)");
  init->add_option("--licence", ia->licence, "The pharmacy's 药品经营许可证 number");
  init->add_option("--pharmacist", ia->pharmacist,
                   "Login name of the first pharmacist (password from $RXDESK_NEW_PASSWORD or "
                   "asked)");
  init->add_option("--pharmacist-display-name", ia->pharmacistDisplay, "Name shown for them");
  init->add_option("--pharmacist-licence", ia->pharmacistLicence, "Their 执业药师注册证号");
  init->add_option("--idle-lock", ia->idleLock, "Lock the workstation after this many idle minutes")
      ->check(CLI::Range(1, 240));
  init->add_flag("--demo-data", ia->demoData,
                 "Add demo data (a demo provider, agreement, products, e-prescriptions); needs "
                 "--pharmacist. Never for a real pharmacy");
  out.push_back({init, [&g, ia] {
                   ia->admin.role = "admin";
                   auto admin = toNewUser(ia->admin);
                   if (!admin) return reportError(g, admin.status());
                   ws::PharmacySetup setup;
                   setup.pharmacy = {ia->name, ia->uscc, ia->licence};
                   setup.admin = *admin;
                   setup.idleLockMinutes = ia->idleLock;
                   setup.demoData = ia->demoData;
                   if (ia->demoData && ia->pharmacist.empty())
                     return reportError(g, Status(ErrorCode::kInvalidArgument,
                                                  "--demo-data needs --pharmacist: the demo "
                                                  "prescriptions are presented by them"));
                   if (!ia->pharmacist.empty()) {
                     auto p = toNewUser({ia->pharmacist, "pharmacist", ia->pharmacistDisplay,
                                         ia->pharmacistLicence});
                     if (!p) return reportError(g, p.status());
                     setup.pharmacist = *p;
                   }
                   if (Status s = ws::validateSetup(setup); !s) return reportError(g, s);
                   auto password = newPassword(admin->name, "RXDESK_PASSWORD");
                   if (!password) return reportError(g, password.status());
                   setup.adminPassword = std::string(password->view());
                   if (setup.pharmacist) {
                     auto pw = newPassword(setup.pharmacist->name);
                     if (!pw) return reportError(g, pw.status());
                     setup.pharmacistPassword = std::string(pw->view());
                   }
                   auto session = ws::setUpPharmacy(
                       g.db, setup.demoData ? ws::withDemoData(setup, g.db) : setup);
                   // The copies the set-up took are wiped like the passwords they came from.
                   wipe(setup.adminPassword);
                   wipe(setup.pharmacistPassword);
                   if (!session) return reportError(g, session.status());
                   std::string text =
                       "Created " + g.db + " (key slots in " + data::Store::keySlotPath(g.db) +
                       ") with admin '" + admin->name + "'" +
                       (setup.pharmacist ? " and pharmacist '" + setup.pharmacist->name + "'"
                                         : std::string()) +
                       ".\n";
                   if (ia->name.empty() && !setup.demoData)  // demo data names a demo pharmacy
                     text +=
                         "The pharmacy's name is not set yet: rxdesk-cli settings set "
                         "pharmacy.name NAME (also pharmacy.uscc, pharmacy.licence).\n";
                   return reportSuccess(
                       g,
                       {{"ok", true},
                        {"store", g.db},
                        {"admin", admin->name},
                        {"pharmacist", setup.pharmacist ? nlohmann::json(setup.pharmacist->name)
                                                        : nlohmann::json(nullptr)},
                        {"demo_data", setup.demoData}},
                       text);
                 }});
}

void addStatusCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // status
  auto* status = app.add_subcommand("status", "Show the store, its encryption and who you are");
  out.push_back(
      {status, [&g] {
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         auto s = (*session)->summary();
         if (!s) return reportError(g, s.status());
         nlohmann::json doc = {
             {"ok", true},
             {"store", s->path},
             {"store_id", s->storeId},
             {"cipher_version", s->cipherVersion},
             {"schema_version", s->schemaVersion},
             {"active_users", s->activeUsers},
             {"user", {{"name", s->user}, {"role", s->role}, {"display_name", s->displayName}}}};
         auto backup = ws::backupStatus(**session);
         if (!backup) return reportError(g, backup.status());
         doc["backup"] = {{"last_at", backup->lastAt ? nlohmann::json(*backup->lastAt)
                                                     : nlohmann::json(nullptr)},
                          {"age_days", backup->ageDays ? nlohmann::json(*backup->ageDays)
                                                       : nlohmann::json(nullptr)},
                          {"folder", backup->folder},
                          {"stale", backup->stale}};
         std::ostringstream text;
         text << "store       " << s->path << "\n"
              << "store id    " << s->storeId << "\n"
              << "SQLCipher   " << s->cipherVersion << "\n"
              << "schema      " << s->schemaVersion << "\n"
              << "users       " << s->activeUsers << " active\n"
              << "you         " << s->user << " (" << s->role << ") " << s->displayName << "\n"
              << "last backup "
              << (backup->lastAt ? chinaTime(*backup->lastAt) + " (Beijing time)" : "never")
              << (backup->stale
                      ? "  — WARNING: older than " + std::to_string(backup->warnAfterDays) +
                            " days or missing; run rxdesk-cli backup"
                      : std::string())
              << "\n";
         return reportSuccess(g, doc, text.str());
       }});
}

void addUserCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // user ...
  auto* user = app.add_subcommand("user", "Manage the users of the store");
  user->require_subcommand(1);

  auto* add = user->add_subcommand("add",
                                   "Add a user (admin only); the new password comes from the "
                                   "terminal or $RXDESK_NEW_PASSWORD");
  auto addArgs = std::make_shared<UserArgs>();
  add->add_option("name", addArgs->name, "Login name")->required();
  add->add_option("--role", addArgs->role, "pharmacist, supervisor or admin")
      ->check(CLI::IsMember({"pharmacist", "supervisor", "admin"}));
  add->add_option("--display-name", addArgs->displayName,
                  "Name shown on screen and on signed records");
  add->add_option("--licence", addArgs->licence, "执业药师注册证号 (required for pharmacists)");
  out.push_back({add, [&g, addArgs] {
                   auto nu = toNewUser(*addArgs);
                   if (!nu) return reportError(g, nu.status());
                   if (Status v = data::validateNewUser(*nu); !v) return reportError(g, v);
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   if (Status s = (*session)->require(data::Role::kAdmin, "add users"); !s)
                     return reportError(g, s);
                   auto password = newPassword(nu->name);
                   if (!password) return reportError(g, password.status());
                   auto rec = (*session)->addUser(*nu, *password);
                   if (!rec) return reportError(g, rec.status());
                   return reportSuccess(g, {{"ok", true}, {"user", userJson(*rec)}},
                                        "Added " + std::string(data::roleName(rec->role)) + " '" +
                                            rec->name + "'.\n");
                 }});

  auto* list = user->add_subcommand("list", "List the users");
  auto includeRemoved = std::make_shared<bool>(false);
  list->add_flag("--all", *includeRemoved, "Include removed users (admin only)");
  out.push_back({list, [&g, includeRemoved] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto users = (*session)->listUsers(*includeRemoved);
                   if (!users) return reportError(g, users.status());
                   nlohmann::json arr = nlohmann::json::array();
                   std::ostringstream text;
                   for (const auto& u : *users) {
                     arr.push_back(userJson(u));
                     text << u.name << "\t" << data::roleName(u.role) << "\t" << u.displayName
                          << "\t" << u.licenceNo.value_or("-")
                          << (u.removedAt ? "\tremoved " + *u.removedAt : "") << "\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"users", arr}}, text.str());
                 }});

  auto* passwd =
      user->add_subcommand("passwd", "Change a password (your own, or anyone's as admin)");
  auto passwdName = std::make_shared<std::string>();
  passwd->add_option("name", *passwdName, "Whose password (default: yours)");
  out.push_back({passwd, [&g, passwdName] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   std::string name = passwdName->empty() ? g.user : *passwdName;
                   auto password = newPassword(name);
                   if (!password) return reportError(g, password.status());
                   if (Status s = (*session)->changePassword(name, *password); !s)
                     return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}, {"user", name}},
                                        "Changed the password of '" + name + "'.\n");
                 }});

  auto* remove = user->add_subcommand("remove", "Remove a user (admin only) and re-key the store");
  auto removeName = std::make_shared<std::string>();
  remove->add_option("name", *removeName, "Login name")->required();
  out.push_back({remove, [&g, removeName] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   if (Status s = (*session)->removeUser(*removeName); !s) return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}, {"removed", *removeName}},
                                        "Removed '" + *removeName + "' and re-keyed the store.\n");
                 }});
}

}  // namespace

void addStoreCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addInitCommand(app, g, out);
  addStatusCommand(app, g, out);
  addUserCommands(app, g, out);
}

}  // namespace rx::cli
