// An open rxdesk store: the SQLCipher database, its key-slot file, and the user who opened it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "crypto/keywrap.h"
#include "crypto/signing_key.h"
#include "data/connection.h"
#include "data/keyslots.h"
#include "data/store_lock.h"
#include "data/user_keys.h"
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
  static std::string lockPath(const std::string& storePath) {
    return StoreLock::lockPath(storePath);
  }
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
  // kCorrupt (key-slot file or the user's slot damaged, or from another store; not counted as a
  // failed login), kBusy (another process has had the store alone for too long).
  // The store stays held (shared) while the Store lives; a re-key that was cut off is finished
  // here when no other process has the store open, otherwise rekeyPending() says so.
  static Result<std::unique_ptr<Store>> open(const std::string& path, const std::string& user,
                                             std::string_view password, StoreOptions options = {});

  // A second connection to this store for the same user, for work on another thread (a
  // connection belongs to one thread at a time). It holds the store shared as this one does, so
  // taking the store alone waits until it is closed. kIo when the database cannot be opened.
  Result<std::unique_ptr<Store>> openAgain() const;

  Connection& connection() { return *conn_; }
  // False once closeForReplacement() closed the database.
  bool isOpen() const { return conn_ != nullptr; }
  const UserRecord& currentUser() const { return user_; }
  const std::string& path() const { return path_; }
  const std::string& storeId() const { return storeId_; }

  // Adds a user with their own key slot.
  Result<UserRecord> addUser(const NewUser& user, std::string_view password);
  // Replaces the key slot of `name` with one under `newPassword` (only that slot is rewritten).
  Status changePassword(const std::string& name, std::string_view newPassword);
  // Marks `name` removed, drops their slot and re-keys the store so that nothing they held (their
  // password, a copy of the old key-slot file) opens it again. Needs the store alone: kBusy naming
  // the other programs that have it open, before anything is changed.
  Status removeUser(const std::string& name);

  // True when a re-key was cut off (power loss, kill) and could not be finished at open because
  // another program had the store open: the old database key still opens the file. It finishes
  // at the next open by a program that has the store alone; admins are warned until then.
  bool rekeyPending() const { return rekeyPending_; }

  // Takes the store alone for `action` (restore, purge): kBusy naming the programs that have it
  // open. Until releaseAlone(), other processes wait at open.
  Status takeAlone(std::string_view action) { return lock_.makeExclusive(action); }
  void releaseAlone() { lock_.makeShared(); }

  // Folds the write-ahead log into the database file and closes the connection, so the file can
  // be copied or replaced; only with the store taken alone. The Store must not be used after it.
  Status closeForReplacement();

  // Attaches `other`'s database to this store's connection as schema `alias`, opened with
  // `other`'s key (a restore carries hand-outs from the store it replaces); detach() undoes it.
  Status attach(const Store& other, const std::string& alias);
  Status detach(const std::string& alias);

  UserRepository users() { return UserRepository(*conn_); }

  // Writes an online, consistent copy of the encrypted database to `destPath` (still encrypted
  // with the store's key; the key-slot file must travel with it).
  // Stops with kCancelled when `stopRequested` says so (asked between steps of a few MiB).
  Status backupDatabase(const std::string& destPath,
                        const std::function<bool()>& stopRequested = {}) {
    return conn_->backupTo(destPath, key_, stopRequested);
  }

  // Returns the logged-in user's personal signing key (Ed25519). It is stored encrypted under a
  // key derived from the user's key slot, so only their password opens it. Keys are made when a
  // user is added or an admin sets their password, registered by that admin (data/user_keys.h);
  // the owner's first use confirms theirs. A user with no key (from before keys were registered)
  // gets one here, which an admin must register.
  Result<crypto::SigningKey> personalKey();
  // Users' signing keys: their registrations and confirmations.
  UserKeyRepository userKeys();
  // The public key a user signed with, by key id (current and retired keys), only when an admin
  // registered it (kBadSignature naming what is wrong otherwise; UserKeyRepository::signerKey).
  Result<crypto::PublicKey> signerKey(const std::string& userName, const std::string& keyId);
  // Registers `user`'s key `keyId` with the logged-in user's key (the caller checks that they are
  // an admin and records it in the audit log).
  Status registerKey(const std::string& user, const std::string& keyId);
  // Registers the logged-in user's own key with itself: the store's first admin key (at create,
  // and once for a store from before keys were registered; the caller audits it as key.root).
  // Returns its key id.
  Result<std::string> registerOwnKeyAsRoot();

 private:
  Store(std::string path, StoreLock lock, std::unique_ptr<Connection> conn, SecretBytes key,
        std::string storeId, UserRecord user, StoreOptions options);
  Status rekey();
  // After a cut-off re-key or user removal: finishes it (see rekeyPending()).
  Status finishInterruptedRekey(bool openedWithNewestKey);
  // The key that wraps the personal signing key of the user whose slot private key is given.
  static SecretBytes personalWrapKey(const std::string& storeId, const std::string& user,
                                     const SecretBytes& slotPrivateKey);
  Status wrapPersonalKey(const std::string& user, const crypto::SigningKey& key,
                         const SecretBytes& wrapKey);
  // Re-seals the logged-in user's key under `wrapKey` (their new password's).
  Status rewrapPersonalKey(const crypto::SigningKey& key, const SecretBytes& wrapKey);
  // Makes `user`'s signing key, wrapped under their slot's private key `slotPrivate`, and
  // registers it with the logged-in user's key.
  Status makeRegisteredKey(const std::string& user, const SecretBytes& slotPrivate);
  SecretBytes personalWrapKey_;
  std::string path_;
  StoreLock lock_;
  bool rekeyPending_ = false;
  std::unique_ptr<Connection> conn_;
  SecretBytes key_;
  std::string storeId_;
  UserRecord user_;
  StoreOptions options_;
};

}  // namespace rx::data
