// A logged-in user working on a store, and the operations whose permission depends on the role.
// Both the CLI and the GUI go through this layer; neither touches data/ directly for them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <functional>

#include <nlohmann/json.hpp>

#include "data/audit.h"
#include "data/store.h"

namespace rx::ws {

struct StoreSummary {
  std::string path;
  std::string storeId;
  std::string cipherVersion;
  int schemaVersion = 0;
  int activeUsers = 0;
  std::string user;
  std::string role;
  std::string displayName;
};

class Session {
 public:
  // Logs `user` in to the store at `path`. Errors as data::Store::open.
  static Result<std::unique_ptr<Session>> login(const std::string& path, const std::string& user,
                                                std::string_view password,
                                                data::StoreOptions options = {});
  // Creates a store with its first admin and returns a session for that admin.
  static Result<std::unique_ptr<Session>> initStore(const std::string& path,
                                                    const data::NewUser& admin,
                                                    std::string_view password,
                                                    data::StoreOptions options = {});

  ~Session();

  // The same user on a second connection to the store, for a worker thread (the window presents
  // photos on one while its own connection stays with the UI thread). Not audited as a login.
  Result<std::unique_ptr<Session>> forWorker() const;

  const data::UserRecord& user() const { return store_->currentUser(); }
  data::Store& store() { return *store_; }

  Result<StoreSummary> summary();
  // Admin only.
  Result<data::UserRecord> addUser(const data::NewUser& user, std::string_view password);
  // Every active user may list users (to see who signed what); removed ones only for admins.
  Result<std::vector<data::UserRecord>> listUsers(bool includeRemoved);
  // How a person is shown in the window: the display name of login `login` (removed users too:
  // their names stay on the records they signed); the login itself when it names no user.
  std::string shownName(const std::string& login);
  // A user changes their own password; an admin may reset anyone's.
  Status changePassword(const std::string& name, std::string_view newPassword);
  // Admin only; re-keys the store.
  Status removeUser(const std::string& name);
  // Admin only: registers `name`'s signing key `keyId` (their current key when empty) with the
  // admin's own key, for a key made before rxdesk registered keys (data/user_keys.h). Audited.
  Result<data::UserKeyRecord> registerKey(const std::string& name, const std::string& keyId = {});
  // Supervisors and admins: every user's signing key with what its registration and
  // confirmation say (a key planted outside rxdesk has a problem).
  Result<std::vector<data::UserKeyStanding>> checkSigningKeys();

  // Signs the audit chain's head and closes the store so that its file can be replaced (restore);
  // only with the store taken alone. The session must not be used after it.
  Status closeForReplacement();

  // Appends an event by this user to the audit chain.
  Result<data::AuditEntry> audit(const std::string& event, const std::string& subject,
                                 const nlohmann::json& detail = nlohmann::json::object());
  // Supervisors and admins: walks the audit chain and its checkpoints.
  Result<data::AuditReport> verifyAudit(
      const std::function<void(std::int64_t, std::int64_t)>& progress = {},
      const std::vector<data::AuditAnchor>& anchors = {});

  // Returns kPermissionDenied naming `action` unless the user has role `role`.
  Status require(data::Role role, std::string_view action) const;
  Status requireAnyOf(std::initializer_list<data::Role> roles, std::string_view action) const;

 private:
  explicit Session(std::unique_ptr<data::Store> store) : store_(std::move(store)) {}
  Status registerRootKeyOnce();
  std::unique_ptr<data::Store> store_;
};

}  // namespace rx::ws
