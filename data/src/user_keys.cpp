#include "data/user_keys.h"

#include <set>

#include "data/audit.h"
#include "data/users.h"

namespace rx::data {

namespace {
constexpr std::string_view kUserKeyColumns =
    "user_name, key_id, public_key, created_at, retired_at, registered_by, registered_with, "
    "registered_at, registration, confirmed_at, confirmation, registered_role";

UserKeyRecord readKey(const Statement& st) {
  UserKeyRecord k;
  k.user = st.columnText(0);
  k.keyId = st.columnText(1);
  k.spki = st.columnBlob(2);
  k.createdAt = st.columnText(3);
  k.retiredAt = st.columnOptionalText(4);
  k.registeredBy = st.columnOptionalText(5);
  k.registeredWith = st.columnOptionalText(6);
  k.registeredAt = st.columnOptionalText(7);
  k.registration = st.columnBlob(8);
  k.confirmedAt = st.columnOptionalText(9);
  k.confirmation = st.columnBlob(10);
  k.registeredRole = st.columnOptionalText(11);
  return k;
}

std::string named(const UserKeyRecord& k) { return "key " + k.keyId + " of '" + k.user + "'"; }

// The key the row names, refused when its id is not the hash of its public key (a row whose id
// was copied from another key).
Result<crypto::PublicKey> publicKeyOf(const UserKeyRecord& k) {
  auto key = crypto::PublicKey::fromSpki(k.spki);
  if (!key || key->keyId() != k.keyId)
    return Status(ErrorCode::kBadSignature,
                  named(k) + " does not hold the public key its id names (altered outside rxdesk)");
  return key;
}

// SQLite's clock, as every time the store writes.
Result<std::string> storeClockNow(Connection& conn) {
  RX_ASSIGN_OR_RETURN(Statement now, conn.prepare("SELECT strftime('%Y-%m-%dT%H:%M:%SZ','now')"));
  RX_RETURN_IF_ERROR(now.step().status());
  return now.columnText(0);
}

Status verifyEd25519(const crypto::PublicKey& key, const std::string& statement,
                     const crypto::Bytes& signature) {
  return crypto::verifySignature(key, crypto::SignatureScheme::kEd25519, crypto::toBytes(statement),
                                 signature);
}
}  // namespace

std::string UserKeyRepository::registrationStatement(const UserKeyRecord& key) const {
  return "rxdesk key registration v1\nstore=" + storeId_ + "\nuser=" + key.user +
         "\nkey=" + key.keyId + "\nby=" + key.registeredBy.value_or("") +
         "\nwith=" + key.registeredWith.value_or("") + "\nat=" + key.registeredAt.value_or("") +
         "\nrole=" + key.registeredRole.value_or("");
}

std::string UserKeyRepository::confirmationStatement(const UserKeyRecord& key) const {
  return "rxdesk key confirmation v1\nstore=" + storeId_ + "\nuser=" + key.user +
         "\nkey=" + key.keyId + "\nat=" + key.confirmedAt.value_or("");
}

Result<std::optional<UserKeyRecord>> UserKeyRepository::find(const std::string& user,
                                                             const std::string& keyId) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kUserKeyColumns) +
                                                  " FROM user_keys WHERE user_name = ? AND "
                                                  "key_id = ?"));
  st.bind(1, user).bind(2, keyId);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<UserKeyRecord>();
  return std::optional<UserKeyRecord>(readKey(st));
}

Result<std::optional<UserKeyRecord>> UserKeyRepository::current(const std::string& user) {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kUserKeyColumns) +
                                                  " FROM user_keys WHERE user_name = ? AND "
                                                  "retired_at IS NULL"));
  st.bind(1, user);
  RX_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<UserKeyRecord>();
  return std::optional<UserKeyRecord>(readKey(st));
}

Result<std::vector<UserKeyRecord>> UserKeyRepository::list() {
  RX_ASSIGN_OR_RETURN(Statement st, conn_.prepare("SELECT " + std::string(kUserKeyColumns) +
                                                  " FROM user_keys ORDER BY id"));
  return st.collect(readKey);
}

Status UserKeyRepository::recordRegistration(const UserKeyRecord& key, const std::string& admin,
                                             const crypto::SigningKey& adminKey) {
  UserKeyRecord k = key;
  k.registeredBy = admin;
  k.registeredWith = adminKey.publicKey().keyId();
  RX_ASSIGN_OR_RETURN(k.registeredAt, storeClockNow(conn_));
  RX_ASSIGN_OR_RETURN(UserRecord owner, UserRepository(conn_).findByName(k.user));
  k.registeredRole = std::string(roleName(owner.role));
  RX_ASSIGN_OR_RETURN(crypto::Bytes signature,
                      adminKey.sign(crypto::toBytes(registrationStatement(k))));
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE user_keys SET registered_by = ?, registered_with = ?, "
                                    "registered_at = ?, registration = ?, registered_role = ? "
                                    "WHERE user_name = ? AND key_id = ?"));
  return st.bind(1, k.registeredBy)
      .bind(2, k.registeredWith)
      .bind(3, k.registeredAt)
      .bind(4, signature)
      .bind(5, k.registeredRole)
      .bind(6, k.user)
      .bind(7, k.keyId)
      .run();
}

Status UserKeyRepository::recordConfirmation(const UserKeyRecord& key,
                                             const crypto::SigningKey& own) {
  if (own.publicKey().keyId() != key.keyId)
    return Status(ErrorCode::kInternal, named(key) + " can only be confirmed with itself");
  UserKeyRecord k = key;
  RX_ASSIGN_OR_RETURN(k.confirmedAt, storeClockNow(conn_));
  RX_ASSIGN_OR_RETURN(crypto::Bytes signature, own.sign(crypto::toBytes(confirmationStatement(k))));
  RX_ASSIGN_OR_RETURN(Statement st,
                      conn_.prepare("UPDATE user_keys SET confirmed_at = ?, confirmation = ? "
                                    "WHERE user_name = ? AND key_id = ?"));
  return st.bind(1, k.confirmedAt).bind(2, signature).bind(3, k.user).bind(4, k.keyId).run();
}

Result<std::optional<std::pair<std::string, std::string>>> UserKeyRepository::rootKey() {
  using Root = std::optional<std::pair<std::string, std::string>>;
  std::optional<AuditEntry> earliest;
  AuditLog log(conn_);
  for (const char* event : {"store.create", "key.root"}) {
    RX_ASSIGN_OR_RETURN(auto entries, log.landmarks(event));
    for (const AuditEntry& e : entries) {
      if (!e.detail.is_object() || !e.detail.contains("key_id") || !e.detail["key_id"].is_string())
        continue;
      if (!earliest || e.seq < earliest->seq) earliest = e;
      break;  // oldest first: the first with a key is this event's earliest
    }
  }
  if (!earliest) return Root();
  return Root(std::make_pair(earliest->actor, earliest->detail["key_id"].get<std::string>()));
}

Result<UserKeyStanding> UserKeyRepository::standing(const UserKeyRecord& key) {
  UserKeyStanding out;
  out.key = key;
  RX_ASSIGN_OR_RETURN(auto root, rootKey());
  // The owner's confirmation, with the key itself.
  {
    auto own = publicKeyOf(key);
    if (!own) {
      out.problem = own.status().message();
      return out;
    }
    if (key.confirmedAt) {
      if (!verifyEd25519(*own, confirmationStatement(key), key.confirmation)) {
        out.problem = "the confirmation of " + named(key) +
                      " does not verify: it was not made with that key (altered outside rxdesk)";
        return out;
      }
      out.confirmed = true;
    }
  }
  // Registrations, from this key up to the store's first admin key.
  std::set<std::string> seen;
  UserKeyRecord k = key;
  for (;;) {
    if (!k.registeredBy || !k.registeredWith || !k.registeredAt || k.registration.empty()) {
      out.problem =
          named(k) + (k.keyId == key.keyId ? "" : ", which registered " + named(key) + ",") +
          " was never registered by an admin: a key made before rxdesk registered keys, or one "
          "added to the store outside rxdesk. If it is theirs, an admin registers it with "
          "`rxdesk-cli user register-key " +
          k.user + " --key " + k.keyId + "`";
      return out;
    }
    if (!seen.insert(k.user + "\n" + k.keyId).second) {
      out.problem = "the registrations of " + named(key) + " go round in a circle";
      return out;
    }
    RX_ASSIGN_OR_RETURN(auto registrar, find(*k.registeredBy, *k.registeredWith));
    if (!registrar) {
      out.problem = named(k) + " was registered with key " + *k.registeredWith + " of '" +
                    *k.registeredBy + "', which the store does not have";
      return out;
    }
    auto registrarKey = publicKeyOf(*registrar);
    if (!registrarKey) {
      out.problem = registrarKey.status().message();
      return out;
    }
    if (!verifyEd25519(*registrarKey, registrationStatement(k), k.registration)) {
      out.problem = "the registration of " + named(k) + " by '" + *k.registeredBy +
                    "' does not verify: it was not made with the key it names (altered or "
                    "added outside rxdesk)";
      return out;
    }
    if (registrar->keyId == k.keyId) {
      // Only the store's first admin key registers itself.
      if (!root || root->first != k.user || root->second != k.keyId ||
          k.registeredRole != roleName(Role::kAdmin)) {
        out.problem = named(k) +
                      " registers itself, but it is not the store's first admin key that the "
                      "audit log names (added outside rxdesk)";
        return out;
      }
      out.registered = true;
      return out;
    }
    // Whether the registrar is an admin is what their own key's registration says (signed, and
    // checked at the next step up), not the users table.
    if (registrar->registeredRole != roleName(Role::kAdmin)) {
      out.problem = named(k) + " was registered by '" + registrar->user +
                    "', whose key was not registered as an admin's";
      return out;
    }
    k = std::move(*registrar);
  }
}

Result<crypto::PublicKey> UserKeyRepository::signerKey(const std::string& user,
                                                       const std::string& keyId) {
  RX_ASSIGN_OR_RETURN(auto key, find(user, keyId));
  if (!key) return Status(ErrorCode::kNotFound, "user '" + user + "' has no signing key " + keyId);
  RX_ASSIGN_OR_RETURN(UserKeyStanding standing, this->standing(*key));
  if (!standing.problem.empty()) return Status(ErrorCode::kBadSignature, standing.problem);
  return publicKeyOf(*key);
}

}  // namespace rx::data
