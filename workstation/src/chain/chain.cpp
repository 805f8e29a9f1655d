// What the chain's files share (the registry link, claim keys), the office's key files, a store's
// request to join and its chain status.
#include "workstation/chain.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "chain_internal.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/keywrap.h"
#include "data/files.h"
#include "dedup/fingerprint.h"

namespace rx::ws {

using nlohmann::json;

namespace {

constexpr const char* kKeyFormat = "rxdesk-chain-key-1";
constexpr const char* kRequestFormat = "rxdesk-chain-request-1";
constexpr std::chrono::seconds kRetryAfterFailure{15};

registry::Endpoint endpointOf(const data::ChainMembership& m) {
  registry::Endpoint e;
  e.host = m.host.value_or("");
  e.port = m.port;
  e.dbname = m.dbname;
  e.store = m.storeCode;
  e.caFile = m.certDir + "/ca.crt";
  e.certFile = m.certDir + "/" + m.storeCode + ".crt";
  e.keyFile = m.certDir + "/" + m.storeCode + ".key";
  return e;
}

}  // namespace

namespace chain_internal {

std::string sealAad(const std::string& store) { return "rxdesk chain key for store " + store; }

Result<json> readJsonFile(const std::string& path, const char* format, const char* what) {
  RX_ASSIGN_OR_RETURN(std::string text, data::readWholeFile(path, 1 << 20));
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || crypto::textOr(doc, "format") != format)
    return Status(ErrorCode::kCorrupt, path + " is not " + what + " (format " + format + ")");
  return doc;
}

Result<crypto::Bytes> hexField(const json& doc, const char* field, std::size_t size,
                               const std::string& path) {
  if (!doc.contains(field) || !doc[field].is_string())
    return Status(ErrorCode::kCorrupt, path + ": '" + field + "' is missing");
  auto bytes = crypto::fromHex(doc[field].get<std::string>());
  if (!bytes || (size && bytes->size() != size))
    return Status(ErrorCode::kCorrupt,
                  path + ": '" + field + "' is not " + std::to_string(size) + " bytes of hex");
  return *bytes;
}

Link& linkFor(const std::string& storePath) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Link>> links;
  std::lock_guard lock(mutex);
  auto& link = links[storePath];
  if (!link) link = std::make_unique<Link>();
  return *link;
}

Result<registry::Client*> connected(Link& link, const data::ChainMembership& m, bool force) {
  if (link.client) return &*link.client;
  if (!force && std::chrono::steady_clock::now() < link.retryAfter)
    return Status(ErrorCode::kUnavailable, "the chain registry could not be reached a moment ago");
  auto client = registry::Client::connect(endpointOf(m));
  if (!client) {
    link.online = false;
    link.retryAfter = std::chrono::steady_clock::now() + kRetryAfterFailure;
    return client.status();
  }
  link.client.emplace(std::move(*client));
  link.online = true;
  return &*link.client;
}

void noteFailure(Link& link, const Status& s) {
  if (s.code() != ErrorCode::kUnavailable) return;
  link.client.reset();
  link.online = false;
  link.retryAfter = std::chrono::steady_clock::now() + kRetryAfterFailure;
}

std::string claimKey(const crypto::SecretBytes& chainKey, std::string_view domain,
                     std::string_view value) {
  std::string message(domain);
  message += '\0';
  message += value;
  const auto digest =
      crypto::hmacSha256(chainKey.data(), chainKey.size(),
                         reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
  return std::string(digest.begin(), digest.end());
}

crypto::Bytes bytesOf(const std::string& s) { return crypto::Bytes(s.begin(), s.end()); }

data::OutboxItem prescriptionClaim(const crypto::SecretBytes& chainKey,
                                   const data::PrescriptionRecord& r, const std::string& at,
                                   bool offline) {
  return {0,
          data::OutboxKind::kClaim,
          r.id,
          bytesOf(claimKey(
              chainKey, "prescription",
              dedup::normalizeName(*r.issuer) + "|" + dedup::normalizeNumber(*r.rxNumber))),
          "prescription",
          at,
          offline};
}
data::OutboxItem packageClaim(const crypto::SecretBytes& chainKey, std::int64_t id,
                              const std::string& traceCode, const std::string& at, bool offline) {
  return {0,         data::OutboxKind::kClaim,
          id,        bytesOf(claimKey(chainKey, "package", traceCode)),
          "package", at,
          offline};
}
std::string stringOf(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }

bool handedOut(data::RxState s) {
  return s == data::RxState::kDispensed || s == data::RxState::kClosed ||
         s == data::RxState::kPartiallyDispensed;
}

}  // namespace chain_internal

using chain_internal::hexField;
using chain_internal::kSealedFormat;
using chain_internal::Link;
using chain_internal::linkFor;
using chain_internal::readJsonFile;
using chain_internal::sealAad;

Status makeChainKey(const std::string& path) {
  if (data::fileExists(path))
    return Status(ErrorCode::kAlreadyExists,
                  path + " exists; a chain has one key (keep it, or remove the file first)");
  crypto::SecretBytes key = crypto::randomSecret(32);
  json doc = {{"format", kKeyFormat}, {"key", crypto::toHex(key.data(), key.size())}};
  return data::writeFileAtomically(path, doc.dump() + "\n", 0600);
}

Status sealChainKey(const std::string& keyFile, const std::string& requestFile,
                    const std::string& out) {
  RX_ASSIGN_OR_RETURN(json key, readJsonFile(keyFile, kKeyFormat, "a chain key"));
  RX_ASSIGN_OR_RETURN(json request, readJsonFile(requestFile, kRequestFormat, "a store's request"));
  RX_ASSIGN_OR_RETURN(crypto::Bytes chainKey, hexField(key, "key", 32, keyFile));
  RX_ASSIGN_OR_RETURN(crypto::Bytes publicKey, hexField(request, "public_key", 32, requestFile));
  const std::string store = crypto::textOr(request, "store");
  if (store.empty()) return Status(ErrorCode::kCorrupt, requestFile + ": 'store' is missing");
  RX_ASSIGN_OR_RETURN(
      crypto::SealedToKey sealed,
      crypto::sealToPublicKey(publicKey, crypto::SecretBytes(chainKey.data(), chainKey.size()),
                              sealAad(store)));
  json doc = {{"format", kSealedFormat},
              {"store", store},
              {"ephemeral", crypto::toHex(sealed.ephemeralPublic)},
              {"nonce", crypto::toHex(sealed.box.nonce)},
              {"ciphertext", crypto::toHex(sealed.box.ciphertext)}};
  return data::writeFileAtomically(out, doc.dump() + "\n", 0600);
}

Status ChainService::request(const std::string& code, const std::string& name,
                             const std::string& out) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "ask to join a chain"));
  static const std::regex kCode("^[a-z0-9_]{1,32}$");
  if (!std::regex_match(code, kCode))
    return Status(
        ErrorCode::kInvalidArgument,
        "store code '" + code + "': use 1 to 32 of a-z, 0-9 and _ (as the registry has it)");
  RX_RETURN_IF_ERROR(checkRequiredText("the store's name", name, kMaxShortText));
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  if (m && m->joined())
    return Status(ErrorCode::kConflict,
                  "this store has joined the chain as '" + m->storeCode + "' already");
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::ChainMembership membership;
  if (m && m->storeCode == code)
    membership = *m;  // the same request again: the same key
  else
    membership.requestKey = crypto::generateX25519().privateKey;
  membership.storeCode = code;
  membership.storeName = name;
  RX_RETURN_IF_ERROR(repo.putMembership(membership));
  RX_RETURN_IF_ERROR(session_.audit("chain.request", code, {{"name", name}}).status());
  json doc = {
      {"format", kRequestFormat},
      {"store", code},
      {"name", name},
      {"public_key", crypto::toHex(crypto::x25519PublicFromPrivate(membership.requestKey))}};
  RX_RETURN_IF_ERROR(data::writeFileAtomically(out, doc.dump() + "\n", 0644));
  return tx.commit();
}

bool ChainService::joined() {
  auto m = data::ChainRepository(session_.store().connection()).membership();
  return m && *m && (*m)->joined();
}

Result<ChainStatus> ChainService::status(bool probe) {
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  ChainStatus s;
  if (!m) return s;
  s.requested = !m->joined();
  s.joined = m->joined();
  s.store = m->storeCode;
  s.storeName = m->storeName;
  if (!s.joined) return s;
  s.registry = m->host.value_or("") + ":" + std::to_string(m->port) + "/" + m->dbname;
  if (probe) {
    auto report = exchange();
    if (!report && !chainWorksOffline(report.status())) return report.status();
    RX_ASSIGN_OR_RETURN(m, repo.membership());
  }
  Link& link = linkFor(session_.store().path());
  {
    std::lock_guard lock(link.mutex);
    s.online = link.online;
  }
  RX_ASSIGN_OR_RETURN(s.waiting, repo.outboxSize());
  s.lastExchange = m->lastExchangeAt;
  s.lastError = m->lastError;
  s.auditProblem = m->auditProblem;
  RX_ASSIGN_OR_RETURN(auto alerts, repo.alerts());
  s.alerts = alerts.size();
  return s;
}

bool chainWorksOffline(const Status& s) {
  return s.code() == ErrorCode::kUnavailable || s.code() == ErrorCode::kAuthFailed ||
         s.code() == ErrorCode::kUnsupported;
}

Result<std::vector<data::ChainAlertRow>> ChainService::alerts() {
  return data::ChainRepository(session_.store().connection()).alerts();
}

}  // namespace rx::ws
