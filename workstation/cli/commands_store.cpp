// init, status and user add|list|passwd|remove.
#include <filesystem>
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

struct InitArgs {
  UserArgs admin;
  std::string name, uscc, licence, pharmacist, pharmacistDisplay, pharmacistLicence;
  int idleLock = 5;
  bool demoData = false;
};

// The set-up as given, checked, without the passwords yet.
Result<ws::PharmacySetup> toPharmacySetup(InitArgs& a) {
  a.admin.role = "admin";
  RX_ASSIGN_OR_RETURN(data::NewUser admin, toNewUser(a.admin));
  ws::PharmacySetup setup;
  setup.pharmacy = {a.name, a.uscc, a.licence};
  setup.admin = admin;
  setup.idleLockMinutes = a.idleLock;
  setup.demoData = a.demoData;
  if (a.demoData && a.pharmacist.empty())
    return Status(ErrorCode::kInvalidArgument,
                  "--demo-data needs --pharmacist: the demo prescriptions are presented by them");
  if (!a.pharmacist.empty()) {
    RX_ASSIGN_OR_RETURN(setup.pharmacist, toNewUser({a.pharmacist, "pharmacist",
                                                     a.pharmacistDisplay, a.pharmacistLicence}));
  }
  if (Status s = ws::validateSetup(setup); !s) return s;
  return setup;
}

// The new admin's and pharmacist's passwords, from the environment or the terminal.
Status askPasswords(ws::PharmacySetup& setup) {
  auto password = newPassword(setup.admin.name, "RXDESK_PASSWORD");
  if (!password) return password.status();
  setup.adminPassword = std::string(password->view());
  if (setup.pharmacist) {
    auto pw = newPassword(setup.pharmacist->name);
    if (!pw) return pw.status();
    setup.pharmacistPassword = std::string(pw->view());
  }
  return Status::ok();
}

int runInit(GlobalOptions& g, InitArgs& a) {
  auto setup = toPharmacySetup(a);
  if (!setup) return reportError(g, setup.status());
  if (Status s = askPasswords(*setup); !s) return reportError(g, s);
  auto session = ws::setUpPharmacy(g.db, setup->demoData ? ws::withDemoData(*setup, g.db) : *setup);
  // The copies the set-up took are wiped like the passwords they came from.
  wipe(setup->adminPassword);
  wipe(setup->pharmacistPassword);
  if (!session) return reportError(g, session.status());
  const std::string& admin = setup->admin.name;
  std::string text =
      "Created " + g.db + " (key slots in " + data::Store::keySlotPath(g.db) + ") with admin '" +
      admin + "'" +
      (setup->pharmacist ? " and pharmacist '" + setup->pharmacist->name + "'" : std::string()) +
      ".\n";
  if (a.name.empty() && !setup->demoData)  // demo data names a demo pharmacy
    text +=
        "The pharmacy's name is not set yet: rxdesk-cli settings set "
        "pharmacy.name NAME (also pharmacy.uscc, pharmacy.licence).\n";
  return reportSuccess(g,
                       {{"ok", true},
                        {"store", g.db},
                        {"admin", admin},
                        {"pharmacist", setup->pharmacist ? nlohmann::json(setup->pharmacist->name)
                                                         : nlohmann::json(nullptr)},
                        {"demo_data", setup->demoData}},
                       text);
}

void addInitCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* init = app.add_subcommand(
      "init",
      "Create a new encrypted store: the pharmacy, its key pair, first admin and pharmacist");
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
  out.push_back({init, [&g, ia] { return runInit(g, *ia); }});
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

int runUserAdd(GlobalOptions& g, const UserArgs& a) {
  auto nu = toNewUser(a);
  if (!nu) return reportError(g, nu.status());
  if (Status v = data::validateNewUser(*nu); !v) return reportError(g, v);
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  if (Status s = (*session)->require(data::Role::kAdmin, "add users"); !s) return reportError(g, s);
  auto password = newPassword(nu->name);
  if (!password) return reportError(g, password.status());
  auto rec = (*session)->addUser(*nu, *password);
  if (!rec) return reportError(g, rec.status());
  return reportSuccess(
      g, {{"ok", true}, {"user", userJson(*rec)}},
      "Added " + std::string(data::roleName(rec->role)) + " '" + rec->name + "'.\n");
}

int runUserList(GlobalOptions& g, bool includeRemoved) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto users = (*session)->listUsers(includeRemoved);
  if (!users) return reportError(g, users.status());
  nlohmann::json arr = nlohmann::json::array();
  std::ostringstream text;
  for (const auto& u : *users) {
    arr.push_back(userJson(u));
    text << u.name << "\t" << data::roleName(u.role) << "\t" << u.displayName << "\t"
         << u.licenceNo.value_or("-")
         << (u.removedAt ? "\tremoved " + readableTime(*u.removedAt) : "") << "\n";
  }
  return reportSuccess(g, {{"ok", true}, {"users", arr}}, text.str());
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
  out.push_back({add, [&g, addArgs] { return runUserAdd(g, *addArgs); }});

  auto* list = user->add_subcommand("list", "List the users");
  auto includeRemoved = std::make_shared<bool>(false);
  list->add_flag("--all", *includeRemoved, "Include removed users (admin only)");
  out.push_back({list, [&g, includeRemoved] { return runUserList(g, *includeRemoved); }});

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

  auto* registerKey = user->add_subcommand(
      "register-key",
      "Register a user's signing key with your own (admin only): for a key made before rxdesk "
      "registered keys, which `audit verify` names");
  auto keyUser = std::make_shared<std::string>();
  auto keyId = std::make_shared<std::string>();
  registerKey->add_option("name", *keyUser, "Whose key")->required();
  registerKey->add_option("--key", *keyId, "The key's id (default: their current key)");
  out.push_back({registerKey, [&g, keyUser, keyId] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto key = (*session)->registerKey(*keyUser, *keyId);
                   if (!key) return reportError(g, key.status());
                   return reportSuccess(
                       g, {{"ok", true}, {"user", key->user}, {"key_id", key->keyId}},
                       "Registered signing key " + key->keyId + " of '" + key->user + "'.\n");
                 }});
}

}  // namespace

void addStoreCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addInitCommand(app, g, out);
  addStatusCommand(app, g, out);
  addUserCommands(app, g, out);
}

}  // namespace rx::cli
