// Users' personal signing keys (Ed25519), with who registered each one and its owner's
// confirmation (issue 25).
//
// Everyone who logs in holds the database key, so a row in user_keys proves nothing by itself: a
// pharmacist with SQL could add a key "of" a colleague and sign decisions in their name. A key
// therefore counts only when an admin registered it: the admin's own registered key signed a
// statement naming the store, the owner, the key and the time (at `user add`, at a password reset,
// or with `rxdesk-cli user register-key`). Its owner confirms it at their first use of it, before
// their first signature with it: the key itself signs a statement naming the store and the owner.
// A confirmation that does not verify makes the key count for nothing.
// The chain of registrations ends at the store's first admin key, the one the earliest
// `store.create` or `key.root` audit entry names. That entry lies in the part of the audit log
// that backups, exports and the chain registry anchor outside the store, so it cannot be replaced
// without `audit verify` noticing; an admin's registration cannot be made without that admin's
// key, which is sealed to the admin's own key slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/signature.h"
#include "crypto/signing_key.h"
#include "data/connection.h"

namespace rx::data {

struct UserKeyRecord {
  std::string user;
  std::string keyId;  // base64url(SHA-256(SPKI)), as decisions name it
  crypto::Bytes spki;
  std::string createdAt;
  std::optional<std::string> retiredAt;
  // Set when an admin registered the key: who, with which of their keys, when, and the signature.
  std::optional<std::string> registeredBy;
  std::optional<std::string> registeredWith;
  std::optional<std::string> registeredAt;
  // The owner's role as the registering admin signed it: only a key registered as an admin's
  // registers others (users.role is a column anyone holding the database key can change).
  std::optional<std::string> registeredRole;
  crypto::Bytes registration;
  // Set at the owner's first use: the key's own signature over its confirmation statement.
  std::optional<std::string> confirmedAt;
  crypto::Bytes confirmation;
};

// What the store's records say about one key.
struct UserKeyStanding {
  UserKeyRecord key;
  bool registered = false;  // an unbroken chain of admin registrations up to the first admin key
  bool confirmed = false;   // its owner's confirmation verifies
  // Empty when the key is sound or merely not used yet (registered, not yet confirmed); otherwise
  // what is wrong, in a sentence naming the key and the user.
  std::string problem;
};

class UserKeyRepository {
 public:
  UserKeyRepository(Connection& conn, std::string storeId)
      : conn_(conn), storeId_(std::move(storeId)) {}

  // What an admin signs to register `key` and what the key signs to confirm it.
  std::string registrationStatement(const UserKeyRecord& key) const;
  std::string confirmationStatement(const UserKeyRecord& key) const;

  Result<std::optional<UserKeyRecord>> find(const std::string& user, const std::string& keyId);
  // The key the user signs with now (not retired), if any.
  Result<std::optional<UserKeyRecord>> current(const std::string& user);
  // Every key, current and retired, oldest first.
  Result<std::vector<UserKeyRecord>> list();

  // Records the admin's registration of `key` (already in the table), signed with `adminKey`,
  // which must be `admin`'s; the owner's role is read now and signed with it.
  Status recordRegistration(const UserKeyRecord& key, const std::string& admin,
                            const crypto::SigningKey& adminKey);
  // Records the owner's confirmation of `key`, signed with the key itself.
  Status recordConfirmation(const UserKeyRecord& key, const crypto::SigningKey& own);

  // Checks `key`'s registrations up to the store's first admin key and its confirmation.
  Result<UserKeyStanding> standing(const UserKeyRecord& key);
  // The public key `user` signed with under `keyId`, only when it is registered and any
  // confirmation it carries verifies: kBadSignature naming the problem otherwise, kNotFound when
  // there is no such key. (A key is confirmed before its owner's first signature; a key made
  // before rxdesk registered keys whose owner never used it since has no confirmation, and its
  // old signatures still count once an admin has registered it.)
  Result<crypto::PublicKey> signerKey(const std::string& user, const std::string& keyId);

  // The (user, key id) the earliest store.create / key.root audit entry names, if any.
  Result<std::optional<std::pair<std::string, std::string>>> rootKey();

 private:
  Connection& conn_;
  std::string storeId_;
};

}  // namespace rx::data
