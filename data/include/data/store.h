// An open rxdesk store: the SQLCipher database, its key-slot file, and the user who opened it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "crypto/keywrap.h"
#include "crypto/signing_key.h"
#include "data/connection.h"
#include "data/keyslots.h"
#include "data/users.h"

namespace rx::data {

struct StoreOptions {
  crypto::ScryptParams kdf;  // for new and changed slots
  // Seconds since the epoch; replaced in tests to step through login delays.
  std::function<std::int64_t()> now;
};

class Store {
 public:
  ~Store();

  // Returns the key-slot file and login-counter paths that belong to the store at `storePath`.
  static std::string keySlotPath(const std::string& storePath) { return storePath + ".keys"; }
  static std::string throttlePath(const std::string& storePath) { return storePath + ".attempts"; }
  // Removes every file of a temporary store at `path` (a backup snapshot, a set-up or restore
  // being staged): the database, its -wal, -shm and -journal, key slots and login counter. Never
  // for a store in use.
  static void removeFiles(const std::string& path);

  // Creates a new store at `path` with `admin` as its first user (kAlreadyExists if a store or
  // key-slot file is there). Generates the database key, the store identity and the pharmacy
  // signing key, and checks that the file on disk is encrypted.
  static Result<std::unique_ptr<Store>> create(const std::string& path, const NewUser& admin,
                                               std::string_view password,
                                               StoreOptions options = {});

  // Opens the store at `path` as `user`. kNotFound (no store), kUnknownUser, kAuthFailed (wrong
  // password; nothing in the store or key-slot file changes), kLockedOut (too many failures),
  // kCorrupt (key-slot file damaged or from another store).
  static Result<std::unique_ptr<Store>> open(const std::string& path, const std::string& user,
                                             std::string_view password, StoreOptions options = {});

  Connection& connection() { return *conn_; }
  const UserRecord& currentUser() const { return user_; }
  const std::string& path() const { return path_; }
  const std::string& storeId() const { return storeId_; }

  // Adds a user with their own key slot.
  Result<UserRecord> addUser(const NewUser& user, std::string_view password);
  // Replaces the key slot of `name` with one under `newPassword` (only that slot is rewritten).
  Status changePassword(const std::string& name, std::string_view newPassword);
  // Marks `name` removed, drops their slot and re-keys the store so that nothing they held (their
  // password, a copy of the old key-slot file) opens it again. No other process may have the
  // store open meanwhile.
  Status removeUser(const std::string& name);

  UserRepository users() { return UserRepository(*conn_); }

  // Writes an online, consistent copy of the encrypted database to `destPath` (still encrypted
  // with the store's key; the key-slot file must travel with it).
  Status backupDatabase(const std::string& destPath) { return conn_->backupTo(destPath, key_); }

  // Returns the logged-in user's personal signing key (Ed25519), creating it on first use. It is
  // stored encrypted under a key derived from the user's key slot, so only their password opens it.
  Result<crypto::SigningKey> personalKey();
  // Returns the public key a user signed with, by key id (current and retired keys).
  Result<crypto::PublicKey> userPublicKey(const std::string& userName, const std::string& keyId);

 private:
  Store(std::string path, std::unique_ptr<Connection> conn, SecretBytes key, std::string storeId,
        UserRecord user, StoreOptions options);
  Status rekey();
  // The key that wraps the personal signing key of the user whose slot private key is given.
  static SecretBytes personalWrapKey(const std::string& storeId, const std::string& user,
                                     const SecretBytes& slotPrivateKey);
  Status wrapPersonalKey(const crypto::SigningKey& key, const SecretBytes& wrapKey);
  SecretBytes personalWrapKey_;
  std::string path_;
  std::unique_ptr<Connection> conn_;
  SecretBytes key_;
  std::string storeId_;
  UserRecord user_;
  StoreOptions options_;
};

}  // namespace rx::data
