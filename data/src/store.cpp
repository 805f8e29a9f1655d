#include "data/store.h"

#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "crypto/hash.h"
#include "data/files.h"
#include "data/migrations.h"
#include "data/pharmacy.h"
#include "data/user_keys.h"

namespace rx::data {

namespace {
std::int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoreOptions withDefaults(StoreOptions o) {
  if (!o.now) o.now = systemNow;
  return o;
}

Result<std::string> readMeta(Connection& conn, const std::string& key) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare("SELECT value FROM store_meta WHERE key = ?"));
  st.bind(1, key);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row)
    return Status(ErrorCode::kCorrupt, conn.path() + " has no '" + key + "' entry in store_meta");
  return st.columnText(0);
}

// rxdesk records every login and every step, so a store it cannot write is not opened at all. The
// check comes before SQLite touches the folder: a read-only open would leave write-protected -wal
// and -shm files behind that keep the store unwritable after its permissions are mended.
Status checkWritable(const std::string& path) {
  const std::string folder = std::filesystem::path(path).parent_path().string();
  for (const std::string& file :
       {path, folder.empty() ? std::string(".") : folder, path + "-wal", path + "-shm"}) {
    if (::access(file.c_str(), F_OK) != 0 && file != path) continue;
    if (::access(file.c_str(), W_OK) == 0) continue;
    const int err = errno;
    return Status(ErrorCode::kIo,
                  file + " can only be read (" + std::strerror(err) +
                      "): rxdesk could record neither your login nor your work in " + path +
                      ", so it does not open it. Nothing was changed; make the disk or the file "
                      "writable again (read-only disk or file permissions)");
  }
  return Status::ok();
}

// The slot public keys the store itself registered, per user, in store_meta ("slot_key:<user>"):
// a re-key seals the new database key only to these, never to a slot merely found in the file.
constexpr std::string_view kSlotKeyPrefix = "slot_key:";
// Set once the key-slot file carries authentication codes: from then on a file without them is
// an altered one, not an old one.
constexpr const char* kSlotsAuthenticated = "keyslots.authenticated";

Result<std::optional<std::string>> readMetaIfAny(Connection& conn, const std::string& key) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare("SELECT value FROM store_meta WHERE key = ?"));
  st.bind(1, key);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(st.columnText(0));
}

Status writeMeta(Connection& conn, const std::string& key, const std::string& value) {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn.prepare("INSERT OR REPLACE INTO store_meta(key, value) VALUES (?, ?)"));
  return st.bind(1, key).bind(2, value).run();
}

Status forgetMeta(Connection& conn, const std::string& key) {
  RX_ASSIGN_OR_RETURN(Statement st, conn.prepare("DELETE FROM store_meta WHERE key = ?"));
  return st.bind(1, key).run();
}

Status registerSlotKey(Connection& conn, const KeySlot& slot) {
  return writeMeta(conn, std::string(kSlotKeyPrefix) + slot.user, crypto::toHex(slot.publicKey));
}

// Saves `slots` with an authentication code under each of `keys`.
Status saveAuthenticated(KeySlotFile& slots, const std::string& path,
                         std::initializer_list<const SecretBytes*> keys) {
  slots.macs.clear();
  for (const SecretBytes* k : keys) slots.macs.push_back(slots.macUnder(*k));
  return slots.save(path);
}

Status checkEncryptedOnDisk(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status(ErrorCode::kIo, "cannot read back " + path);
  char header[16] = {};
  std::size_t n = std::fread(header, 1, sizeof header, f);
  std::fclose(f);
  if (n == sizeof header && std::memcmp(header, "SQLite format 3", 15) == 0)
    return Status(
        ErrorCode::kUnsupported,
        path +
            " was written unencrypted (the SQLite library is not SQLCipher); refusing to use it");
  return Status::ok();
}
}  // namespace

Store::Store(std::string path, StoreLock lock, std::unique_ptr<Connection> conn, SecretBytes key,
             std::string storeId, UserRecord user, StoreOptions options)
    : path_(std::move(path)),
      lock_(std::move(lock)),
      conn_(std::move(conn)),
      key_(std::move(key)),
      storeId_(std::move(storeId)),
      user_(std::move(user)),
      options_(std::move(options)) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::create(const std::string& path, const NewUser& admin,
                                             std::string_view password, StoreOptions options) {
  options = withDefaults(std::move(options));
  if (admin.role != Role::kAdmin)
    return Status(ErrorCode::kInvalidArgument, "the first user of a store must be an admin");
  RX_RETURN_IF_ERROR(validateNewUser(admin));
  if (password.empty())
    return Status(ErrorCode::kInvalidArgument, "the admin password must not be empty");
  if (fileExists(path)) return Status(ErrorCode::kAlreadyExists, path + " already exists");
  const std::string slotPath = keySlotPath(path);
  if (fileExists(slotPath)) return Status(ErrorCode::kAlreadyExists, slotPath + " already exists");

  SecretBytes key = crypto::randomSecret(32);
  KeySlotFile slots;
  slots.storeId = crypto::toHex(crypto::randomBytes(16));

  RX_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::shared(path));
  auto cleanup = [&] {
    for (const char* suffix : {"", "-wal", "-shm", ".lock"}) ::unlink((path + suffix).c_str());
  };
  auto conn = Connection::open(path, key, OpenMode::kCreate);
  if (!conn) {
    cleanup();
    return conn.status();
  }
  auto init = [&]() -> Result<UserRecord> {
    RX_RETURN_IF_ERROR(migrate(**conn));
    Transaction tx(**conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    RX_ASSIGN_OR_RETURN(Statement meta,
                        (*conn)->prepare("INSERT INTO store_meta(key, value) VALUES (?, ?)"));
    RX_RETURN_IF_ERROR(meta.bind(1, "store_id").bind(2, slots.storeId).run());
    RX_RETURN_IF_ERROR(
        storePharmacyKey(**conn, crypto::SigningKey::generate(crypto::KeyType::kEd25519)));
    RX_ASSIGN_OR_RETURN(UserRecord user, UserRepository(**conn).insert(admin));
    RX_RETURN_IF_ERROR(tx.commit());
    return user;
  };
  auto user = init();
  if (!user) {
    conn->reset();
    cleanup();
    return user.status();
  }
  // The file is read back with the connection closed: closing a descriptor of the store that
  // SQLite did not open would drop SQLite's locks on it (SQLite's "How To Corrupt" §2.2).
  conn->reset();
  if (Status s = checkEncryptedOnDisk(path); !s) {
    cleanup();
    return s;
  }
  conn = Connection::open(path, key, OpenMode::kExisting);
  if (!conn) {
    cleanup();
    return conn.status();
  }
  auto slot = KeySlotFile::makeSlot(slots.storeId, admin.name, password, key, options.kdf);
  if (!slot) {
    conn->reset();
    cleanup();
    return slot.status();
  }
  auto adminPrivate = KeySlotFile::unlock(slots.storeId, *slot, password);
  if (!adminPrivate) {
    conn->reset();
    cleanup();
    return adminPrivate.status();
  }
  Status registered = registerSlotKey(**conn, *slot);
  if (registered) registered = writeMeta(**conn, kSlotsAuthenticated, "1");
  slots.slots.push_back(std::move(*slot));
  if (registered) registered = saveAuthenticated(slots, slotPath, {&key});
  if (!registered) {
    conn->reset();
    cleanup();
    return registered;
  }
  std::unique_ptr<Store> store(new Store(path, std::move(lock), std::move(*conn), std::move(key),
                                         slots.storeId, std::move(*user), std::move(options)));
  store->personalWrapKey_ = personalWrapKey(store->storeId_, admin.name, *adminPrivate);
  // The first admin's signing key registers itself: the root every other registration leads to
  // (the store.create audit entry names it).
  if (auto root = store->registerOwnKeyAsRoot(); !root) {
    store.reset();
    Store::removeFiles(path);
    return root.status();
  }
  return store;
}

Result<std::string> Store::registerOwnKeyAsRoot() {
  RX_ASSIGN_OR_RETURN(crypto::SigningKey own, personalKey());
  UserKeyRepository keys = userKeys();
  RX_ASSIGN_OR_RETURN(auto record, keys.find(user_.name, own.publicKey().keyId()));
  if (!record) return Status(ErrorCode::kInternal, "the signing key just made is not in the store");
  RX_RETURN_IF_ERROR(keys.recordRegistration(*record, user_.name, own));
  return record->keyId;
}

void Store::removeFiles(const std::string& path) {
  std::error_code ec;
  for (const std::string& f : {path, keySlotPath(path), path + "-wal", path + "-shm",
                               path + "-journal", throttlePath(path), lockPath(path)})
    std::filesystem::remove(f, ec);
}

namespace {
// The key-slot file must be the one rxdesk wrote: authenticated under the database key that opened
// the store. A file from before the codes existed is authenticated now (its slots registered as
// they are), once.
Status checkSlotFile(Connection& conn, KeySlotFile& slots, const std::string& slotPath,
                     const SecretBytes& key) {
  const auto altered = [&](const std::string& what) {
    return Status(ErrorCode::kCorrupt,
                  slotPath + " was altered outside rxdesk (" + what +
                      "); the store is not opened, so that no key is sealed to a planted slot. "
                      "Restore the key-slot file from a backup, or ask support");
  };
  RX_ASSIGN_OR_RETURN(auto authenticated, readMetaIfAny(conn, kSlotsAuthenticated));
  if (!slots.macs.empty() && !slots.authenticatedBy(key))
    return altered("a slot was added, removed or changed: its authentication code does not match");
  if (slots.macs.empty()) {
    if (authenticated) return altered("its authentication code was removed");
    Transaction tx(conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    for (const KeySlot& slot : slots.slots) RX_RETURN_IF_ERROR(registerSlotKey(conn, slot));
    RX_RETURN_IF_ERROR(writeMeta(conn, kSlotsAuthenticated, "1"));
    RX_RETURN_IF_ERROR(saveAuthenticated(slots, slotPath, {&key}));
    return tx.commit();
  }
  return Status::ok();
}
}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const std::string& userName,
                                           std::string_view password, StoreOptions options) {
  options = withDefaults(std::move(options));
  if (!fileExists(path))
    return Status(ErrorCode::kNotFound,
                  "no store at " + path + " (create one with `rxdesk-cli init`)");
  RX_RETURN_IF_ERROR(checkWritable(path));
  RX_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::shared(path));
  const std::string slotPath = keySlotPath(path);
  auto slots = KeySlotFile::load(slotPath);
  if (!slots) {
    if (slots.status().code() == ErrorCode::kNotFound)
      return Status(ErrorCode::kCorrupt, "the key-slot file " + slotPath +
                                             " is missing; the store cannot be opened without it "
                                             "(restore it from a backup)");
    return slots.status();
  }
  const KeySlot* slot = slots->find(userName);
  if (!slot) return Status(ErrorCode::kUnknownUser, "no user named '" + userName + "' in " + path);
  // A damaged slot is not a wrong password: it is said as it is and not counted as a failure.
  if (slot->damaged)
    return Status(ErrorCode::kCorrupt,
                  "the key slot of '" + userName + "' in " + slotPath +
                      " is damaged (its checksum does not match: altered or torn); this was not "
                      "counted as a failed login. An admin can set a new password for '" +
                      userName + "', or restore the key-slot file from a backup");

  LoginThrottle throttle(throttlePath(path));
  RX_RETURN_IF_ERROR(throttle.checkAllowed(userName, options.now()));

  auto privateKey = KeySlotFile::unlock(slots->storeId, *slot, password);
  if (!privateKey) {
    if (privateKey.status().code() == ErrorCode::kAuthFailed) {
      // Counting is best effort: a read-only folder must not turn a wrong password into an I/O
      // error.
      (void)throttle.recordFailure(userName, options.now());
    }
    return privateKey.status();
  }
  std::vector<SecretBytes> keys = KeySlotFile::databaseKeysFor(slots->storeId, *slot, *privateKey);
  if (keys.empty())
    return Status(ErrorCode::kCorrupt, "the key slot of '" + userName + "' in " + slotPath +
                                           " holds no usable database key");
  Status lastFailure;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    SecretBytes& key = keys[k];
    auto conn = Connection::open(path, key, OpenMode::kExisting);
    if (!conn) {
      lastFailure = conn.status();
      if (lastFailure.code() == ErrorCode::kAuthFailed) continue;  // an older key from a re-key
      return lastFailure;
    }
    if ((*conn)->readOnly())
      return Status(ErrorCode::kIo,
                    path +
                        " can only be read (read-only disk or file permissions): rxdesk could "
                        "record neither your login nor your work there, so it does not open "
                        "it. Nothing was changed; make the disk or the file writable again");
    RX_RETURN_IF_ERROR(migrate(**conn));
    RX_ASSIGN_OR_RETURN(std::string storeId, readMeta(**conn, "store_id"));
    if (storeId != slots->storeId)
      return Status(ErrorCode::kCorrupt, slotPath + " belongs to another store (store id " +
                                             slots->storeId + ", this store is " + storeId + ")");
    RX_RETURN_IF_ERROR(checkSlotFile(**conn, *slots, slotPath, key));
    RX_ASSIGN_OR_RETURN(UserRecord user, UserRepository(**conn).findByName(userName));
    if (user.removedAt)
      return Status(ErrorCode::kUnknownUser,
                    "user '" + userName + "' was removed on " + *user.removedAt);
    (void)throttle.recordSuccess(userName);
    std::unique_ptr<Store> store(new Store(path, std::move(lock), std::move(*conn), std::move(key),
                                           storeId, std::move(user), std::move(options)));
    store->personalWrapKey_ = personalWrapKey(store->storeId_, userName, *privateKey);
    RX_RETURN_IF_ERROR(store->finishInterruptedRekey(k == 0).withContext(
        "finishing the re-key of " + path + " that was cut off"));
    return store;
  }
  return Status(ErrorCode::kCorrupt, path +
                                         " does not open with the database key in the slot of '" +
                                         userName + "' (" + lastFailure.message() + ")");
}

Result<std::unique_ptr<Store>> Store::openAgain() const {
  if (!conn_) return Status(ErrorCode::kInvalidArgument, "the store was closed for replacement");
  RX_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::shared(path_));
  RX_ASSIGN_OR_RETURN(auto conn, Connection::open(path_, key_, OpenMode::kExisting));
  std::unique_ptr<Store> again(
      new Store(path_, std::move(lock), std::move(conn), key_, storeId_, user_, options_));
  again->personalWrapKey_ = personalWrapKey_;
  return again;
}

namespace {
Status refuseWhileRekeyPending(bool pending) {
  if (!pending) return Status::ok();
  return Status(ErrorCode::kBusy,
                "a re-key of this store was cut off and must finish first: close the other "
                "programs that have the store open, then log in again");
}
}  // namespace

Result<UserRecord> Store::addUser(const NewUser& user, std::string_view password) {
  RX_RETURN_IF_ERROR(refuseWhileRekeyPending(rekeyPending_));
  RX_RETURN_IF_ERROR(validateNewUser(user));
  if (password.empty())
    return Status(ErrorCode::kInvalidArgument,
                  "the password of '" + user.name + "' must not be empty");
  // The user's name first: a slot without a row is damage, a taken name is what the admin can mend.
  RX_RETURN_IF_ERROR(users().requireNameFree(user.name));
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  if (slots.find(user.name))
    return Status(ErrorCode::kAlreadyExists, "user '" + user.name + "' already has a key slot");
  SecretBytes slotPrivate;
  RX_ASSIGN_OR_RETURN(KeySlot slot, KeySlotFile::makeSlot(storeId_, user.name, password, key_,
                                                          options_.kdf, &slotPrivate));
  // The row first: if saving the slot fails the transaction rolls back and nothing is left over.
  Transaction tx(*conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(UserRecord record, users().insert(user));
  RX_RETURN_IF_ERROR(registerSlotKey(*conn_, slot));
  RX_RETURN_IF_ERROR(makeRegisteredKey(user.name, slotPrivate));
  slots.slots.push_back(std::move(slot));
  RX_RETURN_IF_ERROR(saveAuthenticated(slots, keySlotPath(path_), {&key_}));
  RX_RETURN_IF_ERROR(tx.commit());
  return record;
}

Status Store::changePassword(const std::string& name, std::string_view newPassword) {
  RX_RETURN_IF_ERROR(refuseWhileRekeyPending(rekeyPending_));
  if (newPassword.empty())
    return Status(ErrorCode::kInvalidArgument, "the new password must not be empty");
  RX_ASSIGN_OR_RETURN(UserRecord user, users().findByName(name));
  if (user.removedAt) return Status(ErrorCode::kUnknownUser, "user '" + name + "' was removed");
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  KeySlot* slot = slots.find(name);
  if (!slot) return Status(ErrorCode::kCorrupt, "user '" + name + "' has no key slot");
  SecretBytes freshPrivate;
  RX_ASSIGN_OR_RETURN(KeySlot fresh, KeySlotFile::makeSlot(storeId_, name, newPassword, key_,
                                                           options_.kdf, &freshPrivate));
  if (name == user_.name) {
    // Your own password: carry your personal signing key over to the new slot.
    RX_ASSIGN_OR_RETURN(crypto::SigningKey personal, personalKey());
    SecretBytes newWrap = personalWrapKey(storeId_, name, freshPrivate);
    Transaction tx(*conn_);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    RX_RETURN_IF_ERROR(rewrapPersonalKey(personal, newWrap));
    RX_RETURN_IF_ERROR(registerSlotKey(*conn_, fresh));
    *slot = std::move(fresh);
    RX_RETURN_IF_ERROR(saveAuthenticated(slots, keySlotPath(path_), {&key_}));
    RX_RETURN_IF_ERROR(tx.commit());
    personalWrapKey_ = std::move(newWrap);
  } else {
    // An admin resetting someone's password cannot open their personal key (and must not): it
    // is retired, and a new one is made under the new password and registered by the admin.
    // Old signatures still verify.
    RX_ASSIGN_OR_RETURN(
        Statement retire,
        conn_->prepare("UPDATE user_keys SET retired_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') "
                       "WHERE user_name = ? AND retired_at IS NULL"));
    Transaction tx(*conn_);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    RX_RETURN_IF_ERROR(retire.bind(1, name).run());
    RX_RETURN_IF_ERROR(registerSlotKey(*conn_, fresh));
    RX_RETURN_IF_ERROR(makeRegisteredKey(name, freshPrivate));
    *slot = std::move(fresh);
    RX_RETURN_IF_ERROR(saveAuthenticated(slots, keySlotPath(path_), {&key_}));
    RX_RETURN_IF_ERROR(tx.commit());
  }
  (void)LoginThrottle(throttlePath(path_)).recordSuccess(name);
  return Status::ok();
}

Status Store::removeUser(const std::string& name) {
  if (name == user_.name) return Status(ErrorCode::kInvalidArgument, "you cannot remove yourself");
  RX_ASSIGN_OR_RETURN(UserRecord target, users().findByName(name));
  if (target.removedAt)
    return Status(ErrorCode::kUnknownUser, "user '" + name + "' was already removed");
  if (target.role == Role::kAdmin) {
    RX_ASSIGN_OR_RETURN(auto all, users().list(false));
    int admins = 0;
    for (const auto& u : all) admins += u.role == Role::kAdmin;
    if (admins <= 1) return Status(ErrorCode::kConflict, "'" + name + "' is the last admin");
  }
  // The re-key replaces the database file: nobody else may have it open meanwhile.
  RX_RETURN_IF_ERROR(lock_.makeExclusive("remove user '" + name + "' (which re-keys the store)"));
  struct Share {
    StoreLock& lock;
    ~Share() { lock.makeShared(); }
  } share{lock_};
  RX_RETURN_IF_ERROR(users().markRemoved(name));
  RX_RETURN_IF_ERROR(forgetMeta(*conn_, std::string(kSlotKeyPrefix) + name));
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  slots.remove(name);
  RX_RETURN_IF_ERROR(saveAuthenticated(slots, keySlotPath(path_), {&key_}));
  return rekey();
}

SecretBytes Store::personalWrapKey(const std::string& storeId, const std::string& user,
                                   const SecretBytes& slotPrivateKey) {
  return crypto::hkdfSha256(slotPrivateKey, crypto::toBytes(storeId),
                            "rxdesk personal key wrap v1|user=" + user, 32);
}

namespace {
std::string personalKeyAad(const std::string& storeId, const std::string& user) {
  return "rxdesk personal key v1|store=" + storeId + "|user=" + user;
}
}  // namespace

Status Store::wrapPersonalKey(const std::string& user, const crypto::SigningKey& key,
                              const SecretBytes& wrapKey) {
  const SecretBytes secret = key.serialize();
  crypto::Sealed sealed =
      crypto::aesGcmSeal(wrapKey, secret.data(), secret.size(), personalKeyAad(storeId_, user));
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_->prepare("INSERT INTO user_keys(user_name, key_id, public_key, "
                                   "wrapped_private, nonce, created_at) "
                                   "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"));
  return st.bind(1, user)
      .bind(2, key.publicKey().keyId())
      .bind(3, key.publicKey().spki())
      .bind(4, sealed.ciphertext)
      .bind(5, sealed.nonce)
      .run();
}

Status Store::rewrapPersonalKey(const crypto::SigningKey& key, const SecretBytes& wrapKey) {
  const SecretBytes secret = key.serialize();
  crypto::Sealed sealed = crypto::aesGcmSeal(wrapKey, secret.data(), secret.size(),
                                             personalKeyAad(storeId_, user_.name));
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_->prepare("UPDATE user_keys SET wrapped_private = ?, nonce = ? "
                                     "WHERE user_name = ? AND key_id = ?"));
  RX_RETURN_IF_ERROR(st.bind(1, sealed.ciphertext)
                         .bind(2, sealed.nonce)
                         .bind(3, user_.name)
                         .bind(4, key.publicKey().keyId())
                         .run());
  if (conn_->changes() != 1)
    return Status(ErrorCode::kCorrupt,
                  "the signing key of '" + user_.name + "' is not in the store");
  return Status::ok();
}

Status Store::makeRegisteredKey(const std::string& user, const SecretBytes& slotPrivate) {
  RX_ASSIGN_OR_RETURN(crypto::SigningKey registrar, personalKey());
  crypto::SigningKey key = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  RX_RETURN_IF_ERROR(wrapPersonalKey(user, key, personalWrapKey(storeId_, user, slotPrivate)));
  UserKeyRepository keys = userKeys();
  RX_ASSIGN_OR_RETURN(auto record, keys.find(user, key.publicKey().keyId()));
  if (!record) return Status(ErrorCode::kInternal, "the signing key just made is not in the store");
  return keys.recordRegistration(*record, user_.name, registrar);
}

Status Store::registerKey(const std::string& user, const std::string& keyId) {
  UserKeyRepository keys = userKeys();
  RX_ASSIGN_OR_RETURN(auto record, keys.find(user, keyId));
  if (!record)
    return Status(ErrorCode::kNotFound, "user '" + user + "' has no signing key " + keyId);
  RX_ASSIGN_OR_RETURN(crypto::SigningKey registrar, personalKey());
  return keys.recordRegistration(*record, user_.name, registrar);
}

Result<crypto::SigningKey> Store::personalKey() {
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_->prepare("SELECT wrapped_private, nonce, confirmed_at IS NULL "
                                     "FROM user_keys WHERE user_name = ? AND retired_at IS NULL"));
  st.bind(1, user_.name);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  std::optional<crypto::SigningKey> key;
  bool unconfirmed = true;
  if (row) {
    crypto::Sealed sealed{st.columnBlob(1), st.columnBlob(0)};
    unconfirmed = st.columnInt(2) != 0;
    auto secret =
        crypto::aesGcmOpen(personalWrapKey_, sealed, personalKeyAad(storeId_, user_.name));
    if (!secret)
      return Status(ErrorCode::kCorrupt,
                    "the personal signing key of '" + user_.name + "' does not open");
    RX_ASSIGN_OR_RETURN(key, crypto::SigningKey::deserialize(*secret));
  } else {
    // A user without a key (their old one retired by a password reset before rxdesk registered
    // keys): a new one, which an admin must register (`rxdesk-cli user register-key`).
    key = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
    RX_RETURN_IF_ERROR(wrapPersonalKey(user_.name, *key, personalWrapKey_));
  }
  if (unconfirmed) {
    // The owner's first use confirms the key: only someone who opens it can sign this.
    UserKeyRepository keys = userKeys();
    RX_ASSIGN_OR_RETURN(auto record, keys.find(user_.name, key->publicKey().keyId()));
    if (!record) return Status(ErrorCode::kInternal, "the signing key is not in the store");
    RX_RETURN_IF_ERROR(keys.recordConfirmation(*record, *key));
  }
  return *key;
}

UserKeyRepository Store::userKeys() { return UserKeyRepository(*conn_, storeId_); }

Result<crypto::PublicKey> Store::signerKey(const std::string& userName, const std::string& keyId) {
  return userKeys().signerKey(userName, keyId);
}

// Re-keying in three durable steps, each of which leaves a store that opens:
//  1. seal the new key into every remaining slot, beside the current one;
//  2. export the database under the new key to a temporary file and rename it over the store;
//  3. drop the old key from the slots.
// Only with the store taken alone. A re-key cut off after step 1 is finished by the next open
// (finishInterruptedRekey), so the old key, which a removed user may hold, stops opening the store.
Status Store::rekey() {
  const std::string slotPath = keySlotPath(path_);
  SecretBytes newKey = crypto::randomSecret(32);
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(slotPath));
  // The new key goes only to the active users the store registered, with the slot it registered
  // for them: never to a slot that is merely in the file.
  RX_ASSIGN_OR_RETURN(std::vector<UserRecord> active, users().list(false));
  std::vector<KeySlot> kept;
  for (KeySlot& slot : slots.slots) {
    const bool isActive = std::any_of(active.begin(), active.end(),
                                      [&](const UserRecord& u) { return u.name == slot.user; });
    RX_ASSIGN_OR_RETURN(auto registered,
                        readMetaIfAny(*conn_, std::string(kSlotKeyPrefix) + slot.user));
    if (!isActive || !registered || *registered != crypto::toHex(slot.publicKey)) continue;
    RX_RETURN_IF_ERROR(KeySlotFile::addDatabaseKey(storeId_, slot, newKey));
    kept.push_back(std::move(slot));
  }
  slots.slots = std::move(kept);
  RX_RETURN_IF_ERROR(saveAuthenticated(slots, slotPath, {&newKey, &key_}));

  const std::string tmp = path_ + ".rekey";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((tmp + suffix).c_str());
  {
    // Our connection was opened without SQLITE_OPEN_CREATE, which ATTACH inherits. The copy is
    // written with a rollback journal, so that no -wal of it is left behind at the rename.
    RX_ASSIGN_OR_RETURN(auto created, Connection::open(tmp, newKey, OpenMode::kCreate));
    RX_RETURN_IF_ERROR(created->exec("PRAGMA journal_mode = DELETE"));
  }
  {
    std::string spec = "x'" + crypto::toHex(newKey.data(), newKey.size()) + "'";
    RX_ASSIGN_OR_RETURN(Statement attach, conn_->prepare("ATTACH DATABASE ? AS rekeyed KEY ?"));
    Status s = attach.bind(1, tmp).bind(2, spec).run();
    std::fill(spec.begin(), spec.end(), '\0');
    RX_RETURN_IF_ERROR(s);
  }
  Status exported = conn_->exec("SELECT sqlcipher_export('rekeyed')");
  RX_RETURN_IF_ERROR(conn_->exec("DETACH DATABASE rekeyed"));
  if (!exported) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((tmp + suffix).c_str());
    return exported.withContext("re-keying " + path_);
  }
  RX_RETURN_IF_ERROR(closeForReplacement());
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Status(ErrorCode::kIo,
                  "cannot replace " + path_ + " with its re-keyed copy: " + std::strerror(errno));
  // The old write-ahead log holds pages under the old key: left beside the new file, SQLite would
  // replay them into it.
  for (const char* suffix : {"-wal", "-shm"}) ::unlink((path_ + suffix).c_str());
  RX_RETURN_IF_ERROR(syncParentFolder(path_));
  RX_ASSIGN_OR_RETURN(conn_, Connection::open(path_, newKey, OpenMode::kExisting));
  key_ = std::move(newKey);

  for (KeySlot& slot : slots.slots) slot.databaseKeys.resize(1);
  return saveAuthenticated(slots, slotPath, {&key_});
}

Status Store::closeForReplacement() {
  if (!lock_.exclusive())
    return Status(ErrorCode::kInternal, "the store must be taken alone before it is replaced");
  // Everything into the database file, and the log emptied: nothing is left only in the -wal.
  RX_RETURN_IF_ERROR(conn_->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  conn_.reset();
  return Status::ok();
}

Status Store::attach(const Store& other, const std::string& alias) {
  std::string spec = "x'" + crypto::toHex(other.key_.data(), other.key_.size()) + "'";
  RX_ASSIGN_OR_RETURN(Statement attach, conn_->prepare("ATTACH DATABASE ? AS " + alias + " KEY ?"));
  Status s = attach.bind(1, other.path_).bind(2, spec).run();
  std::fill(spec.begin(), spec.end(), '\0');
  return s;
}

Status Store::detach(const std::string& alias) { return conn_->exec("DETACH DATABASE " + alias); }

Status Store::finishInterruptedRekey(bool openedWithNewestKey) {
  const std::string slotPath = keySlotPath(path_);
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(slotPath));
  RX_ASSIGN_OR_RETURN(std::vector<UserRecord> everyone, users().list(true));
  std::vector<std::string> removedWithSlot;
  for (const UserRecord& u : everyone)
    if (u.removedAt && slots.find(u.name)) removedWithSlot.push_back(u.name);
  bool severalKeys = false;
  for (const KeySlot& slot : slots.slots) severalKeys = severalKeys || slot.databaseKeys.size() > 1;
  if (removedWithSlot.empty() && !severalKeys) return Status::ok();
  if (removedWithSlot.empty() && openedWithNewestKey) {
    // Cut off after the file was re-keyed: only the old keys are left to drop.
    for (KeySlot& slot : slots.slots) slot.databaseKeys.resize(1);
    return saveAuthenticated(slots, slotPath, {&key_});
  }
  // The file is still under the old key (or a removed user's slot is still there): re-key again,
  // which needs the store alone. If another program has it open, it waits for a later open.
  if (!lock_.makeExclusive("finish a re-key that was cut off")) {
    rekeyPending_ = true;
    return Status::ok();
  }
  struct Share {
    StoreLock& lock;
    ~Share() { lock.makeShared(); }
  } share{lock_};
  for (const std::string& name : removedWithSlot) slots.remove(name);
  if (!removedWithSlot.empty()) RX_RETURN_IF_ERROR(saveAuthenticated(slots, slotPath, {&key_}));
  RX_RETURN_IF_ERROR(rekey());
  rekeyPending_ = false;
  return Status::ok();
}

}  // namespace rx::data
