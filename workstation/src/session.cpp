#include "workstation/session.h"

#include <spdlog/spdlog.h>

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
  return std::unique_ptr<Session>(new Session(std::move(*store)));
}

Result<std::unique_ptr<Session>> Session::initStore(const std::string& path,
                                                    const data::NewUser& admin,
                                                    std::string_view password,
                                                    data::StoreOptions options) {
  RX_ASSIGN_OR_RETURN(auto store, data::Store::create(path, admin, password, std::move(options)));
  spdlog::info("created store {} with admin '{}'", path, admin.name);
  return std::unique_ptr<Session>(new Session(std::move(store)));
}

Status Session::require(data::Role role, std::string_view action) const {
  if (user().role == role) return Status::ok();
  return Status(ErrorCode::kPermissionDenied,
                "only users with the role '" + std::string(data::roleName(role)) + "' may " +
                    std::string(action) + "; '" + user().name + "' has the role '" +
                    std::string(data::roleName(user().role)) + "'");
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
  RX_ASSIGN_OR_RETURN(auto record, store_->addUser(user, password));
  spdlog::info("'{}' added user '{}' ({})", this->user().name, user.name,
               data::roleName(user.role));
  return record;
}

Result<std::vector<data::UserRecord>> Session::listUsers(bool includeRemoved) {
  if (includeRemoved) RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "list removed users"));
  return store_->users().list(includeRemoved);
}

Status Session::changePassword(const std::string& name, std::string_view newPassword) {
  if (name != user().name)
    RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "change another user's password"));
  RX_RETURN_IF_ERROR(store_->changePassword(name, newPassword));
  spdlog::info("'{}' changed the password of '{}'", user().name, name);
  return Status::ok();
}

Status Session::removeUser(const std::string& name) {
  RX_RETURN_IF_ERROR(require(data::Role::kAdmin, "remove users"));
  RX_RETURN_IF_ERROR(store_->removeUser(name));
  spdlog::info("'{}' removed user '{}' and re-keyed the store", user().name, name);
  return Status::ok();
}

}  // namespace rx::ws
