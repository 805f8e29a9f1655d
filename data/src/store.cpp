#include "data/store.h"

#include <unistd.h>

#include <cerrno>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "crypto/hash.h"
#include "data/files.h"
#include "data/migrations.h"
#include "data/pharmacy.h"

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

Store::Store(std::string path, std::unique_ptr<Connection> conn, SecretBytes key,
             std::string storeId, UserRecord user, StoreOptions options)
    : path_(std::move(path)),
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

  auto cleanup = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
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
  if (Status s = checkEncryptedOnDisk(path); !s) {
    conn->reset();
    cleanup();
    return s;
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
  slots.slots.push_back(std::move(*slot));
  if (Status s = slots.save(slotPath); !s) {
    conn->reset();
    cleanup();
    return s;
  }
  std::unique_ptr<Store> store(new Store(path, std::move(*conn), std::move(key), slots.storeId,
                                         std::move(*user), std::move(options)));
  store->personalWrapKey_ = personalWrapKey(store->storeId_, admin.name, *adminPrivate);
  return store;
}

void Store::removeFiles(const std::string& path) {
  std::error_code ec;
  for (const std::string& f : {path, keySlotPath(path), path + "-wal", path + "-shm",
                               path + "-journal", throttlePath(path)})
    std::filesystem::remove(f, ec);
}

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const std::string& userName,
                                           std::string_view password, StoreOptions options) {
  options = withDefaults(std::move(options));
  if (!fileExists(path))
    return Status(ErrorCode::kNotFound,
                  "no store at " + path + " (create one with `rxdesk-cli init`)");
  RX_RETURN_IF_ERROR(checkWritable(path));
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
  for (SecretBytes& key : keys) {
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
    RX_ASSIGN_OR_RETURN(UserRecord user, UserRepository(**conn).findByName(userName));
    if (user.removedAt)
      return Status(ErrorCode::kUnknownUser,
                    "user '" + userName + "' was removed on " + *user.removedAt);
    (void)throttle.recordSuccess(userName);
    std::unique_ptr<Store> store(new Store(path, std::move(*conn), std::move(key), storeId,
                                           std::move(user), std::move(options)));
    store->personalWrapKey_ = personalWrapKey(store->storeId_, userName, *privateKey);
    return store;
  }
  return Status(ErrorCode::kCorrupt, path +
                                         " does not open with the database key in the slot of '" +
                                         userName + "' (" + lastFailure.message() + ")");
}

Result<UserRecord> Store::addUser(const NewUser& user, std::string_view password) {
  RX_RETURN_IF_ERROR(validateNewUser(user));
  if (password.empty())
    return Status(ErrorCode::kInvalidArgument,
                  "the password of '" + user.name + "' must not be empty");
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  if (slots.find(user.name))
    return Status(ErrorCode::kAlreadyExists, "user '" + user.name + "' already has a key slot");
  RX_ASSIGN_OR_RETURN(KeySlot slot,
                      KeySlotFile::makeSlot(storeId_, user.name, password, key_, options_.kdf));
  // The row first: if saving the slot fails the transaction rolls back and nothing is left over.
  Transaction tx(*conn_);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(UserRecord record, users().insert(user));
  slots.slots.push_back(std::move(slot));
  RX_RETURN_IF_ERROR(slots.save(keySlotPath(path_)));
  RX_RETURN_IF_ERROR(tx.commit());
  return record;
}

Status Store::changePassword(const std::string& name, std::string_view newPassword) {
  if (newPassword.empty())
    return Status(ErrorCode::kInvalidArgument, "the new password must not be empty");
  RX_ASSIGN_OR_RETURN(UserRecord user, users().findByName(name));
  if (user.removedAt) return Status(ErrorCode::kUnknownUser, "user '" + name + "' was removed");
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  KeySlot* slot = slots.find(name);
  if (!slot) return Status(ErrorCode::kCorrupt, "user '" + name + "' has no key slot");
  RX_ASSIGN_OR_RETURN(KeySlot fresh,
                      KeySlotFile::makeSlot(storeId_, name, newPassword, key_, options_.kdf));
  if (name == user_.name) {
    // Your own password: carry your personal signing key over to the new slot.
    RX_ASSIGN_OR_RETURN(crypto::SigningKey personal, personalKey());
    RX_ASSIGN_OR_RETURN(SecretBytes freshPrivate,
                        KeySlotFile::unlock(storeId_, fresh, newPassword));
    SecretBytes newWrap = personalWrapKey(storeId_, name, freshPrivate);
    Transaction tx(*conn_);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    RX_ASSIGN_OR_RETURN(Statement drop, conn_->prepare("DELETE FROM user_keys WHERE key_id = ?"));
    RX_RETURN_IF_ERROR(drop.bind(1, personal.publicKey().keyId()).run());
    RX_RETURN_IF_ERROR(wrapPersonalKey(personal, newWrap));
    *slot = std::move(fresh);
    RX_RETURN_IF_ERROR(slots.save(keySlotPath(path_)));
    RX_RETURN_IF_ERROR(tx.commit());
    personalWrapKey_ = std::move(newWrap);
  } else {
    // An admin resetting someone's password cannot open their personal key (and must not): it
    // is retired, and a new one is made at their next login. Old signatures still verify.
    RX_ASSIGN_OR_RETURN(
        Statement retire,
        conn_->prepare("UPDATE user_keys SET retired_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') "
                       "WHERE user_name = ? AND retired_at IS NULL"));
    RX_RETURN_IF_ERROR(retire.bind(1, name).run());
    *slot = std::move(fresh);
    RX_RETURN_IF_ERROR(slots.save(keySlotPath(path_)));
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
  RX_RETURN_IF_ERROR(users().markRemoved(name));
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(keySlotPath(path_)));
  slots.remove(name);
  RX_RETURN_IF_ERROR(slots.save(keySlotPath(path_)));
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

Status Store::wrapPersonalKey(const crypto::SigningKey& key, const SecretBytes& wrapKey) {
  const SecretBytes secret = key.serialize();
  crypto::Sealed sealed = crypto::aesGcmSeal(wrapKey, secret.data(), secret.size(),
                                             personalKeyAad(storeId_, user_.name));
  RX_ASSIGN_OR_RETURN(
      Statement st, conn_->prepare("INSERT INTO user_keys(user_name, key_id, public_key, "
                                   "wrapped_private, nonce, created_at) "
                                   "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))"));
  return st.bind(1, user_.name)
      .bind(2, key.publicKey().keyId())
      .bind(3, key.publicKey().spki())
      .bind(4, sealed.ciphertext)
      .bind(5, sealed.nonce)
      .run();
}

Result<crypto::SigningKey> Store::personalKey() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_->prepare("SELECT wrapped_private, nonce FROM user_keys "
                                                   "WHERE user_name = ? AND retired_at IS NULL"));
  st.bind(1, user_.name);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (row) {
    crypto::Sealed sealed{st.columnBlob(1), st.columnBlob(0)};
    auto secret =
        crypto::aesGcmOpen(personalWrapKey_, sealed, personalKeyAad(storeId_, user_.name));
    if (!secret)
      return Status(ErrorCode::kCorrupt,
                    "the personal signing key of '" + user_.name + "' does not open");
    return crypto::SigningKey::deserialize(*secret);
  }
  crypto::SigningKey key = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  RX_RETURN_IF_ERROR(wrapPersonalKey(key, personalWrapKey_));
  return key;
}

Result<crypto::PublicKey> Store::userPublicKey(const std::string& userName,
                                               const std::string& keyId) {
  RX_ASSIGN_OR_RETURN(
      Statement st,
      conn_->prepare("SELECT public_key FROM user_keys WHERE user_name = ? AND key_id = ?"));
  st.bind(1, userName).bind(2, keyId);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row)
    return Status(ErrorCode::kNotFound, "user '" + userName + "' has no signing key " + keyId);
  return crypto::PublicKey::fromSpki(st.columnBlob(0));
}

// Re-keying in three durable steps, each of which leaves a store that opens:
//  1. seal the new key into every remaining slot, beside the current one;
//  2. export the database under the new key to a temporary file and rename it over the store;
//  3. drop the old key from the slots.
Status Store::rekey() {
  const std::string slotPath = keySlotPath(path_);
  SecretBytes newKey = crypto::randomSecret(32);
  RX_ASSIGN_OR_RETURN(KeySlotFile slots, KeySlotFile::load(slotPath));
  for (KeySlot& slot : slots.slots)
    RX_RETURN_IF_ERROR(KeySlotFile::addDatabaseKey(storeId_, slot, newKey));
  RX_RETURN_IF_ERROR(slots.save(slotPath));

  const std::string tmp = path_ + ".rekey";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((tmp + suffix).c_str());
  {
    // Our connection was opened without SQLITE_OPEN_CREATE, which ATTACH inherits.
    RX_ASSIGN_OR_RETURN(auto created, Connection::open(tmp, newKey, OpenMode::kCreate));
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
    ::unlink(tmp.c_str());
    return exported.withContext("re-keying " + path_);
  }
  conn_.reset();  // closing checkpoints and removes the old WAL
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Status(ErrorCode::kIo,
                  "cannot replace " + path_ + " with its re-keyed copy: " + std::strerror(errno));
  RX_RETURN_IF_ERROR(syncParentFolder(path_));
  RX_ASSIGN_OR_RETURN(conn_, Connection::open(path_, newKey, OpenMode::kExisting));
  key_ = std::move(newKey);

  for (KeySlot& slot : slots.slots) slot.databaseKeys.resize(1);
  return slots.save(slotPath);
}

}  // namespace rx::data
