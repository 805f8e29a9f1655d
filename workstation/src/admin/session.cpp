#include "workstation/session.h"

#include <spdlog/spdlog.h>

#include "data/audit.h"
#include "data/migrations.h"

namespace rx::ws {

Result<std::unique_ptr<Session>> Session::login(const std::string& path, const std::string& user,
                                                std::string_view password,
                                                data::StoreOptions options) {
  auto store = data::Store::open(path, user, password, std::move(options));
  if (!store) {
    // Logged without the password, and the store path only (no patient data ever reaches logs).
    spdlog::warn("login of '{}' to {} refused: {}", user, path,
                 errorCodeName(store.status().code()));
    return store.status();
  }
  spdlog::info("'{}' logged in to {}", user, path);
  std::unique_ptr<Session> session(new Session(std::move(*store)));
  RX_RETURN_IF_ERROR(session->audit("login", user).status());
  RX_RETURN_IF_ERROR(session->registerRootKeyOnce());
  return session;
}

// A store from before rxdesk registered signing keys has no first admin key: the first admin to
// log in after the update makes theirs the root (audited as key.root). Registering the others'
// keys is then an admin's explicit `user register-key`.
Status Session::registerRootKeyOnce() {
  if (user().role != data::Role::kAdmin) return Status::ok();
  data::UserKeyRepository keys = store_->userKeys();
  // Only an admin whose own key is not registered can be the first after the update.
  RX_ASSIGN_OR_RETURN(auto own, keys.current(user().name));
  if (own && own->registeredBy) return Status::ok();
  // Looked for inside the transaction (taken at once), so that two admins logging in together
  // do not both make theirs the first.
  data::Transaction tx(store_->connection());
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(auto root, keys.rootKey());
  if (root) return Status::ok();
  RX_ASSIGN_OR_RETURN(std::string keyId, store_->registerOwnKeyAsRoot());
  RX_RETURN_IF_ERROR(audit("key.root", user().name, {{"key_id", keyId}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  spdlog::warn(
      "'{}' registered their signing key as the store's first admin key (a store from "
      "before keys were registered)",
      user().name);
  return Status::ok();
}

Result<data::UserKeyRecord> Session::registerKey(const std::string& name,
                                                 const std::string& keyId) {
  RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "register signing keys"));
  if (name == user().name)
    return Status(ErrorCode::kInvalidArgument,
                  "an admin cannot register their own signing key: another admin registers it");
  data::UserKeyRepository keys = store_->userKeys();
  // A registration is worth what the registrar's own key is: it must count itself.
  RX_ASSIGN_OR_RETURN(auto mine, keys.current(user().name));
  if (!mine)
    return Status(ErrorCode::kConflict, "you have no signing key yet: log in again to make one");
  RX_ASSIGN_OR_RETURN(data::UserKeyStanding standing, keys.standing(*mine));
  if (!standing.registered || !standing.problem.empty())
    return Status(
        ErrorCode::kConflict,
        "your own signing key does not count (" +
            (standing.problem.empty() ? std::string("not registered") : standing.problem) +
            "), so nothing you register would: another admin registers yours first");
  std::optional<data::UserKeyRecord> key;
  if (keyId.empty()) {
    RX_ASSIGN_OR_RETURN(key, keys.current(name));
    if (!key)
      return Status(ErrorCode::kNotFound, "user '" + name +
                                              "' has no current signing key (one is made at "
                                              "their next login)");
  } else {
    RX_ASSIGN_OR_RETURN(key, keys.find(name, keyId));
    if (!key)
      return Status(ErrorCode::kNotFound, "user '" + name + "' has no signing key " + keyId);
  }
  data::Transaction tx(store_->connection());
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(store_->registerKey(name, key->keyId));
  RX_RETURN_IF_ERROR(audit("key.register", name, {{"key_id", key->keyId}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  spdlog::info("'{}' registered signing key {} of '{}'", user().name, key->keyId, name);
  RX_ASSIGN_OR_RETURN(key, keys.find(name, key->keyId));
  return *key;
}

Result<std::vector<data::UserKeyStanding>> Session::checkSigningKeys() {
  RX_RETURN_IF_ERROR(
      requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin}, "check the signing keys"));
  data::UserKeyRepository keys = store_->userKeys();
  RX_ASSIGN_OR_RETURN(auto all, keys.list());
  std::vector<data::UserKeyStanding> out;
  for (const data::UserKeyRecord& k : all) {
    RX_ASSIGN_OR_RETURN(data::UserKeyStanding s, keys.standing(k));
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::unique_ptr<Session>> Session::forWorker() const {
  RX_ASSIGN_OR_RETURN(auto store, store_->openAgain());
  return std::unique_ptr<Session>(new Session(std::move(store)));
}

Result<std::unique_ptr<Session>> Session::initStore(const std::string& path,
                                                    const data::NewUser& admin,
                                                    std::string_view password,
                                                    data::StoreOptions options) {
  RX_ASSIGN_OR_RETURN(auto store, data::Store::create(path, admin, password, std::move(options)));
  spdlog::info("created store {} with admin '{}'", path, admin.name);
  std::unique_ptr<Session> session(new Session(std::move(store)));
  RX_ASSIGN_OR_RETURN(crypto::SigningKey own, session->store().personalKey());
  RX_RETURN_IF_ERROR(
      session->audit("store.create", admin.name, {{"key_id", own.publicKey().keyId()}}).status());
  return session;
}

Session::~Session() {
  if (!store_->isOpen()) return;  // closed for replacement, with its checkpoint
  // Sign the chain head when a session ends, so that cutting off its last entries is detected
  // even between the periodic checkpoints.
  if (Status s = data::AuditLog(store_->connection()).checkpoint(); !s)
    spdlog::error("could not write the closing audit checkpoint: {}", s.message());
}

Status Session::closeForReplacement() {
  RX_RETURN_IF_ERROR(data::AuditLog(store_->connection()).checkpoint());
  return store_->closeForReplacement();
}

Status Session::requireAnyOf(std::initializer_list<data::Role> roles,
                             std::string_view action) const {
  std::string names;
  for (data::Role r : roles) {
    if (user().role == r) return Status::ok();
    names += (names.empty() ? "'" : " or '") + std::string(data::roleName(r)) + "'";
  }
  return Status(ErrorCode::kPermissionDenied, "only users with the role " + names + " may " +
                                                  std::string(action) + "; '" + user().name +
                                                  "' has the role '" +
                                                  std::string(data::roleName(user().role)) + "'");
}

Status Session::require(data::Role role, std::string_view action) const {
  return requireAnyOf({role}, action);
}

Result<StoreSummary> Session::summary() {
  StoreSummary s;
  s.path = store_->path();
  s.storeId = store_->storeId();
  s.cipherVersion = store_->connection().cipherVersion();
  RX_ASSIGN_OR_RETURN(s.schemaVersion, data::schemaVersion(store_->connection()));
  RX_ASSIGN_OR_RETURN(auto users, store_->users().list(false));
  s.activeUsers = static_cast<int>(users.size());
  s.user = user().name;
  s.role = std::string(data::roleName(user().role));
  s.displayName = user().displayName;
  return s;
}

Result<data::UserRecord> Session::addUser(const data::NewUser& user, std::string_view password) {
  RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "add users"));
  data::Transaction tx(store_->connection());
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(auto record, store_->addUser(user, password));
  RX_ASSIGN_OR_RETURN(auto key, store_->userKeys().current(user.name));
  RX_RETURN_IF_ERROR(audit("user.add", user.name,
                           {{"role", std::string(data::roleName(user.role))},
                            {"key_id", key ? key->keyId : std::string()}})
                         .status());
  RX_RETURN_IF_ERROR(tx.commit());
  spdlog::info("'{}' added user '{}' ({})", this->user().name, user.name,
               data::roleName(user.role));
  return record;
}

Result<std::vector<data::UserRecord>> Session::listUsers(bool includeRemoved) {
  if (includeRemoved) RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "list removed users"));
  return store_->users().list(includeRemoved);
}

std::string Session::shownName(const std::string& login) {
  auto u = store_->users().findByName(login);
  return u && !u->displayName.empty() ? u->displayName : login;
}

Status Session::changePassword(const std::string& name, std::string_view newPassword) {
  if (name != user().name)
    RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "change another user's password"));
  RX_RETURN_IF_ERROR(store_->changePassword(name, newPassword));
  RX_ASSIGN_OR_RETURN(auto key, store_->userKeys().current(name));
  RX_RETURN_IF_ERROR(
      audit("user.passwd", name, {{"key_id", key ? key->keyId : std::string()}}).status());
  spdlog::info("'{}' changed the password of '{}'", user().name, name);
  return Status::ok();
}

Status Session::removeUser(const std::string& name) {
  RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "remove users"));
  RX_RETURN_IF_ERROR(store_->removeUser(name));
  RX_RETURN_IF_ERROR(audit("user.remove", name, {{"rekeyed", true}}).status());
  spdlog::info("'{}' removed user '{}' and re-keyed the store", user().name, name);
  return Status::ok();
}

Result<data::AuditEntry> Session::audit(const std::string& event, const std::string& subject,
                                        const nlohmann::json& detail) {
  return data::AuditLog(store_->connection()).append(user().name, event, subject, detail);
}

Result<data::AuditReport> Session::verifyAudit(
    const std::function<void(std::int64_t, std::int64_t)>& progress,
    const std::vector<data::AuditAnchor>& anchors) {
  RX_RETURN_IF_ERROR(
      requireAnyOf({data::Role::kSupervisor, data::Role::kAdmin}, "verify the audit log"));
  RX_ASSIGN_OR_RETURN(data::AuditReport report,
                      data::AuditLog(store_->connection()).verify(progress, anchors));
  RX_RETURN_IF_ERROR(audit("audit.verify", "audit_log",
                           {{"entries", report.entries},
                            {"anchors", report.anchors},
                            {"intact", !report.problem.has_value()}})
                         .status());
  return report;
}

}  // namespace rx::ws
