// The key-slot file beside a store (`<store>.keys`): for each user, an X25519 key pair whose
// private half is wrapped with AES-256-GCM under a scrypt key from the user's password, and the
// store's database key sealed to the public half. The associated data binds store and user, so a
// slot copied to another store or renamed to another user does not open.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/keywrap.h"

namespace rx::data {

using crypto::Bytes;
using crypto::SecretBytes;

struct KeySlot {
  std::string user;
  crypto::ScryptParams kdf;
  Bytes salt;
  crypto::Sealed wrappedPrivateKey;
  Bytes publicKey;
  // Database keys sealed to publicKey, newest first. More than one only while a re-key is under
  // way (or was cut off): the store opens with whichever one it was last written with.
  std::vector<crypto::SealedToKey> databaseKeys;
  // The slot's checksum (SHA-256 of the store id and every field but the database keys) did not
  // match when it was read: damaged or altered, which is not a wrong password. Slots written
  // before the checksum existed have none and are not marked.
  bool damaged = false;
};

class KeySlotFile {
 public:
  std::string storeId;  // hex, 32 chars; also recorded inside the store
  std::vector<KeySlot> slots;
  // Authentication codes of the whole file (every slot, every field), each under a key derived
  // from a database key the file holds (two while a re-key is under way). Writing the file needs
  // a database key, so a slot planted, removed or swapped by someone who can only write the file
  // is detected when the store is opened.
  std::vector<std::string> macs;

  // The authentication code of this file's slots under `databaseKey`.
  std::string macUnder(const SecretBytes& databaseKey) const;
  // True iff one of `macs` is the code under `databaseKey`.
  bool authenticatedBy(const SecretBytes& databaseKey) const;

  // Reads and validates `path`; kNotFound if absent, kCorrupt naming the field if malformed.
  static Result<KeySlotFile> load(const std::string& path);
  // Writes the file atomically (temporary file, fsync, rename).
  Status save(const std::string& path) const;

  KeySlot* find(const std::string& user);
  const KeySlot* find(const std::string& user) const;
  // Removes the slot of `user`; returns true iff there was one.
  bool remove(const std::string& user);

  // Returns a new slot for `user`: a fresh key pair wrapped under `password`, `databaseKey`
  // sealed to it. `privateKey`, when given, receives the slot's private key (what unlock() would
  // return, without deriving the password's key a second time).
  static Result<KeySlot> makeSlot(const std::string& storeId, const std::string& user,
                                  std::string_view password, const SecretBytes& databaseKey,
                                  const crypto::ScryptParams& kdf,
                                  SecretBytes* privateKey = nullptr);
  // Returns the user's private key; kAuthFailed when the password is wrong.
  static Result<SecretBytes> unlock(const std::string& storeId, const KeySlot& slot,
                                    std::string_view password);
  // Returns the database keys of `slot` that open with `privateKey`, newest first.
  static std::vector<SecretBytes> databaseKeysFor(const std::string& storeId, const KeySlot& slot,
                                                  const SecretBytes& privateKey);
  // Seals `databaseKey` to the slot's public key and puts it first.
  static Status addDatabaseKey(const std::string& storeId, KeySlot& slot,
                               const SecretBytes& databaseKey);
};

// Counts failed logins per user in `<store>.attempts`, outside the store (which cannot be read
// without a password) and outside the key-slot file (so a wrong password changes neither).
// After kFreeAttempts consecutive failures each further attempt must wait, doubling from
// kFirstDelaySeconds up to kMaxDelaySeconds.
class LoginThrottle {
 public:
  static constexpr int kFreeAttempts = 3;
  static constexpr std::int64_t kFirstDelaySeconds = 5;
  static constexpr std::int64_t kMaxDelaySeconds = 300;

  explicit LoginThrottle(std::string path) : path_(std::move(path)) {}
  // Returns kLockedOut with the seconds left when `user` must still wait at time `now`.
  Status checkAllowed(const std::string& user, std::int64_t now) const;
  Status recordFailure(const std::string& user, std::int64_t now);
  Status recordSuccess(const std::string& user);
  // Returns the consecutive failures recorded for `user`.
  int failures(const std::string& user) const;

 private:
  struct Entry {
    int failures = 0;
    std::int64_t lastFailure = 0;
  };
  std::optional<Entry> read(const std::string& user) const;
  Status write(const std::string& user, std::optional<Entry> entry);
  std::string path_;
};

}  // namespace rx::data
