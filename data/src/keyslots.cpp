#include "data/keyslots.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "data/files.h"

namespace rx::data {

using nlohmann::json;

namespace {
constexpr std::string_view kFormat = "rxdesk-keyslots";
constexpr int kVersion = 1;

std::string privateKeyAad(const std::string& storeId, const std::string& user) {
  return "rxdesk user key v1|store=" + storeId + "|user=" + user;
}
std::string databaseKeyAad(const std::string& storeId, const std::string& user) {
  return "rxdesk database key v1|store=" + storeId + "|user=" + user;
}

std::string b64(const Bytes& b) { return crypto::toBase64(b); }

// The checksum of a slot: its fields in a fixed order, each with its length, under the store id.
std::string slotChecksum(const std::string& storeId, const KeySlot& slot) {
  std::string text = "rxdesk key slot v1";
  auto put = [&text](std::string_view part) {
    text += '|' + std::to_string(part.size()) + ':';
    text += part;
  };
  auto putBytes = [&put](const Bytes& b) {
    put(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  };
  put(storeId);
  put(slot.user);
  put(std::to_string(slot.kdf.cost) + "," + std::to_string(slot.kdf.blockSize) + "," +
      std::to_string(slot.kdf.parallelism));
  putBytes(slot.salt);
  putBytes(slot.wrappedPrivateKey.nonce);
  putBytes(slot.wrappedPrivateKey.ciphertext);
  putBytes(slot.publicKey);
  return crypto::toHex(crypto::sha256(text));
}

// Field readers that name the slot and field on failure.
Result<Bytes> bytesField(const json& obj, const char* field, const std::string& where,
                         std::size_t exactSize = 0) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_string())
    return Status(ErrorCode::kCorrupt, where + ": field '" + field + "' missing or not a string");
  auto decoded = crypto::fromBase64(it->get<std::string>());
  if (!decoded)
    return Status(ErrorCode::kCorrupt,
                  where + ": field '" + field + "': " + decoded.status().message());
  if (exactSize && decoded->size() != exactSize)
    return Status(ErrorCode::kCorrupt, where + ": field '" + field + "' must be " +
                                           std::to_string(exactSize) + " bytes");
  return decoded;
}

Result<crypto::SealedToKey> sealedFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return Status(ErrorCode::kCorrupt, where + " is not an object");
  crypto::SealedToKey s;
  RX_ASSIGN_OR_RETURN(s.ephemeralPublic, bytesField(j, "ephemeral", where, 32));
  RX_ASSIGN_OR_RETURN(s.box.nonce, bytesField(j, "nonce", where, crypto::kGcmNonceSize));
  RX_ASSIGN_OR_RETURN(s.box.ciphertext, bytesField(j, "ciphertext", where));
  return s;
}
}  // namespace

std::string KeySlotFile::macUnder(const SecretBytes& databaseKey) const {
  const SecretBytes macKey =
      crypto::hkdfSha256(databaseKey, crypto::toBytes(storeId), "rxdesk key-slot file mac v1", 32);
  std::string text = "rxdesk key-slot file v1|" + storeId;
  auto put = [&text](const Bytes& b) {
    text += '|' + std::to_string(b.size()) + ':';
    text.append(reinterpret_cast<const char*>(b.data()), b.size());
  };
  std::vector<const KeySlot*> sorted;
  for (const KeySlot& s : slots) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const KeySlot* a, const KeySlot* b) { return a->user < b->user; });
  for (const KeySlot* s : sorted) {
    put(crypto::toBytes(s->user));
    put(crypto::toBytes(std::to_string(s->kdf.cost) + "," + std::to_string(s->kdf.blockSize) + "," +
                        std::to_string(s->kdf.parallelism)));
    put(s->salt);
    put(s->wrappedPrivateKey.nonce);
    put(s->wrappedPrivateKey.ciphertext);
    put(s->publicKey);
    for (const auto& k : s->databaseKeys) {
      put(k.ephemeralPublic);
      put(k.box.nonce);
      put(k.box.ciphertext);
    }
  }
  const crypto::Digest256 mac =
      crypto::hmacSha256(macKey.data(), macKey.size(),
                         reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  return crypto::toHex(mac);
}

bool KeySlotFile::authenticatedBy(const SecretBytes& databaseKey) const {
  const std::string expected = macUnder(databaseKey);
  bool found = false;
  for (const std::string& m : macs)
    found = found || (m.size() == expected.size() &&
                      crypto::constantTimeEqual(
                          reinterpret_cast<const std::uint8_t*>(m.data()),
                          reinterpret_cast<const std::uint8_t*>(expected.data()), expected.size()));
  return found;
}

KeySlot* KeySlotFile::find(const std::string& user) {
  for (auto& s : slots)
    if (s.user == user) return &s;
  return nullptr;
}
const KeySlot* KeySlotFile::find(const std::string& user) const {
  return const_cast<KeySlotFile*>(this)->find(user);
}
bool KeySlotFile::remove(const std::string& user) {
  auto it =
      std::remove_if(slots.begin(), slots.end(), [&](const KeySlot& s) { return s.user == user; });
  bool found = it != slots.end();
  slots.erase(it, slots.end());
  return found;
}

Result<KeySlotFile> KeySlotFile::load(const std::string& path) {
  RX_ASSIGN_OR_RETURN(std::string text, readWholeFile(path, 4u << 20));
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return Status(ErrorCode::kCorrupt, path + " is not a valid key-slot file (not JSON)");
  if (crypto::textOr(doc, "format") != kFormat)
    return Status(ErrorCode::kCorrupt, path + ": field 'format' must be \"rxdesk-keyslots\"");
  if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"] != kVersion)
    return Status(ErrorCode::kUnsupported, path + ": field 'version' must be 1");
  KeySlotFile file;
  if (!doc.contains("store_id") || !doc["store_id"].is_string() ||
      doc["store_id"].get<std::string>().size() != 32 ||
      !crypto::fromHex(doc["store_id"].get<std::string>()))
    return Status(ErrorCode::kCorrupt, path + ": field 'store_id' must be 32 hex digits");
  file.storeId = doc["store_id"];
  if (!doc.contains("slots") || !doc["slots"].is_array())
    return Status(ErrorCode::kCorrupt, path + ": field 'slots' must be an array");
  for (std::size_t i = 0; i < doc["slots"].size(); ++i) {
    const json& js = doc["slots"][i];
    std::string where = path + ": slots[" + std::to_string(i) + "]";
    if (!js.is_object() || !js.contains("user") || !js["user"].is_string())
      return Status(ErrorCode::kCorrupt, where + ": field 'user' missing");
    KeySlot slot;
    slot.user = js["user"];
    const json& kdf = js.value("kdf", json());
    if (!kdf.is_object() || crypto::textOr(kdf, "algorithm") != "scrypt" || !kdf.contains("N") ||
        !kdf["N"].is_number_unsigned() || !kdf.contains("r") || !kdf["r"].is_number_unsigned() ||
        !kdf.contains("p") || !kdf["p"].is_number_unsigned())
      return Status(ErrorCode::kCorrupt,
                    where + ": field 'kdf' must be {algorithm: scrypt, N, r, p, salt}");
    if (kdf["r"].get<std::uint64_t>() > std::uint64_t{UINT32_MAX} ||
        kdf["p"].get<std::uint64_t>() > std::uint64_t{UINT32_MAX})
      return Status(ErrorCode::kCorrupt, where + ": scrypt parameters out of the accepted range");
    slot.kdf = {kdf["N"].get<std::uint64_t>(), kdf["r"].get<std::uint32_t>(),
                kdf["p"].get<std::uint32_t>()};
    if (!crypto::scryptParamsAcceptable(slot.kdf))
      return Status(ErrorCode::kCorrupt, where + ": scrypt parameters out of the accepted range");
    RX_ASSIGN_OR_RETURN(slot.salt, bytesField(kdf, "salt", where + ".kdf", 16));
    const json& wrapped = js.value("private_key", json());
    if (!wrapped.is_object())
      return Status(ErrorCode::kCorrupt, where + ": field 'private_key' missing");
    RX_ASSIGN_OR_RETURN(
        slot.wrappedPrivateKey.nonce,
        bytesField(wrapped, "nonce", where + ".private_key", crypto::kGcmNonceSize));
    RX_ASSIGN_OR_RETURN(
        slot.wrappedPrivateKey.ciphertext,
        bytesField(wrapped, "ciphertext", where + ".private_key", 32 + crypto::kGcmTagSize));
    RX_ASSIGN_OR_RETURN(slot.publicKey, bytesField(js, "public_key", where, 32));
    if (!js.contains("database_keys") || !js["database_keys"].is_array() ||
        js["database_keys"].empty())
      return Status(ErrorCode::kCorrupt,
                    where + ": field 'database_keys' must be a non-empty array");
    for (std::size_t k = 0; k < js["database_keys"].size(); ++k) {
      RX_ASSIGN_OR_RETURN(auto sealed,
                          sealedFromJson(js["database_keys"][k],
                                         where + ".database_keys[" + std::to_string(k) + "]"));
      slot.databaseKeys.push_back(std::move(sealed));
    }
    if (js.contains("check")) {
      slot.damaged = !js["check"].is_string() ||
                     js["check"].get<std::string>() != slotChecksum(file.storeId, slot);
    }
    if (file.find(slot.user))
      return Status(ErrorCode::kCorrupt, where + ": user '" + slot.user + "' has two slots");
    file.slots.push_back(std::move(slot));
  }
  if (doc.contains("macs")) {
    if (!doc["macs"].is_array())
      return Status(ErrorCode::kCorrupt, path + ": field 'macs' must be an array");
    for (const json& m : doc["macs"]) {
      if (!m.is_string() || m.get<std::string>().size() != 64)
        return Status(ErrorCode::kCorrupt, path + ": field 'macs' holds something not a code");
      file.macs.push_back(m.get<std::string>());
    }
  }
  return file;
}

Status KeySlotFile::save(const std::string& path) const {
  json doc;
  doc["format"] = kFormat;
  doc["version"] = kVersion;
  doc["store_id"] = storeId;
  doc["slots"] = json::array();
  for (const KeySlot& s : slots) {
    json js;
    js["user"] = s.user;
    js["kdf"] = {{"algorithm", "scrypt"},
                 {"N", s.kdf.cost},
                 {"r", s.kdf.blockSize},
                 {"p", s.kdf.parallelism},
                 {"salt", b64(s.salt)}};
    js["private_key"] = {{"nonce", b64(s.wrappedPrivateKey.nonce)},
                         {"ciphertext", b64(s.wrappedPrivateKey.ciphertext)}};
    js["public_key"] = b64(s.publicKey);
    js["database_keys"] = json::array();
    for (const auto& k : s.databaseKeys)
      js["database_keys"].push_back({{"ephemeral", b64(k.ephemeralPublic)},
                                     {"nonce", b64(k.box.nonce)},
                                     {"ciphertext", b64(k.box.ciphertext)}});
    js["check"] = s.damaged ? std::string("damaged") : slotChecksum(storeId, s);
    doc["slots"].push_back(std::move(js));
  }
  if (!macs.empty()) doc["macs"] = macs;
  return writeFileAtomically(path, doc.dump(2) + "\n");
}

Result<KeySlot> KeySlotFile::makeSlot(const std::string& storeId, const std::string& user,
                                      std::string_view password, const SecretBytes& databaseKey,
                                      const crypto::ScryptParams& kdf, SecretBytes* privateKey) {
  KeySlot slot;
  slot.user = user;
  slot.kdf = kdf;
  slot.salt = crypto::randomBytes(16);
  RX_ASSIGN_OR_RETURN(SecretBytes kek, crypto::deriveKeyFromPassword(password, slot.salt, kdf));
  crypto::X25519KeyPair pair = crypto::generateX25519();
  slot.publicKey = pair.publicKey;
  slot.wrappedPrivateKey = crypto::aesGcmSeal(kek, pair.privateKey.data(), pair.privateKey.size(),
                                              privateKeyAad(storeId, user));
  RX_RETURN_IF_ERROR(addDatabaseKey(storeId, slot, databaseKey));
  if (privateKey) *privateKey = pair.privateKey;
  return slot;
}

Result<SecretBytes> KeySlotFile::unlock(const std::string& storeId, const KeySlot& slot,
                                        std::string_view password) {
  RX_ASSIGN_OR_RETURN(SecretBytes kek,
                      crypto::deriveKeyFromPassword(password, slot.salt, slot.kdf));
  auto opened = crypto::aesGcmOpen(kek, slot.wrappedPrivateKey, privateKeyAad(storeId, slot.user));
  if (!opened) return Status(ErrorCode::kAuthFailed, "wrong password for user '" + slot.user + "'");
  if (crypto::x25519PublicFromPrivate(*opened) != slot.publicKey)
    return Status(ErrorCode::kCorrupt, "key slot of user '" + slot.user + "' is inconsistent");
  return opened;
}

std::vector<SecretBytes> KeySlotFile::databaseKeysFor(const std::string& storeId,
                                                      const KeySlot& slot,
                                                      const SecretBytes& privateKey) {
  std::vector<SecretBytes> keys;
  for (const auto& sealed : slot.databaseKeys) {
    auto k = crypto::openSealed(privateKey, sealed, databaseKeyAad(storeId, slot.user));
    if (k && k->size() == 32) keys.push_back(std::move(*k));
  }
  return keys;
}

Status KeySlotFile::addDatabaseKey(const std::string& storeId, KeySlot& slot,
                                   const SecretBytes& databaseKey) {
  RX_ASSIGN_OR_RETURN(auto sealed, crypto::sealToPublicKey(slot.publicKey, databaseKey,
                                                           databaseKeyAad(storeId, slot.user)));
  slot.databaseKeys.insert(slot.databaseKeys.begin(), std::move(sealed));
  return Status::ok();
}

// --- LoginThrottle ---------------------------------------------------------------------------

std::optional<LoginThrottle::Entry> LoginThrottle::read(const std::string& user) const {
  auto text = readWholeFile(path_, 1u << 20);
  if (!text) return std::nullopt;
  json doc = json::parse(*text, nullptr, false);
  if (!doc.is_object() || !doc.contains(user) || !doc[user].is_object()) return std::nullopt;
  // The counter file is ours but lies in the user's folder: a damaged entry (a string, a float
  // beyond range) counts as the free attempts used up just now, rather than throwing or converting
  // out of range.
  const json& entry = doc[user];
  Entry e;
  const auto failures = crypto::unsignedOr(entry, "failures");
  const json& last = crypto::memberOrNull(entry, "last_failure");
  if (!failures || !last.is_number_integer()) {
    e.failures = kFreeAttempts;
    e.lastFailure = INT64_MAX;  // counts as the moment of the check
    return e;
  }
  e.failures = static_cast<int>(std::min<std::uint64_t>(*failures, 1000));
  e.lastFailure = last.get<std::int64_t>();
  return e;
}

Status LoginThrottle::write(const std::string& user, std::optional<Entry> entry) {
  json doc = json::object();
  if (auto text = readWholeFile(path_, 1u << 20)) {
    doc = json::parse(*text, nullptr, false);
    if (!doc.is_object()) doc = json::object();  // a damaged counter file is rebuilt, not trusted
  }
  if (entry) {
    doc[user] = {{"failures", entry->failures}, {"last_failure", entry->lastFailure}};
  } else {
    if (!doc.contains(user)) return Status::ok();
    doc.erase(user);
  }
  return writeFileAtomically(path_, doc.dump(2) + "\n");
}

int LoginThrottle::failures(const std::string& user) const {
  auto e = read(user);
  return e ? e->failures : 0;
}

Status LoginThrottle::checkAllowed(const std::string& user, std::int64_t now) const {
  auto e = read(user);
  if (!e || e->failures < kFreeAttempts) return Status::ok();
  const int extra = std::min(e->failures - kFreeAttempts, 16);
  const std::int64_t delay = std::min(kFirstDelaySeconds << extra, kMaxDelaySeconds);
  // A time after `now` (a clock set back, or an edited file) counts as now.
  const std::int64_t wait = std::min(e->lastFailure, now) + delay - now;
  if (wait <= 0) return Status::ok();
  return Status(ErrorCode::kLockedOut, std::to_string(e->failures) + " failed logins for '" + user +
                                           "'; try again in " + std::to_string(wait) + " s");
}

Status LoginThrottle::recordFailure(const std::string& user, std::int64_t now) {
  Entry e = read(user).value_or(Entry{});
  e.failures += 1;
  e.lastFailure = now;
  return write(user, e);
}

Status LoginThrottle::recordSuccess(const std::string& user) { return write(user, std::nullopt); }

}  // namespace rx::data
