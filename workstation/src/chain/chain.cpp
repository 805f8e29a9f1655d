#include "workstation/chain.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/text.h"
#include "base/time.h"
#include "crypto/hash.h"
#include "crypto/keywrap.h"
#include "data/audit.h"
#include "data/files.h"
#include "data/reuse.h"
#include "dedup/fingerprint.h"
#include "dedup/traceability.h"
#include "registry/client.h"
#include "workstation/content.h"
#include "workstation/settings.h"

namespace rx::ws {

using nlohmann::json;

namespace {

constexpr const char* kKeyFormat = "rxdesk-chain-key-1";
constexpr const char* kRequestFormat = "rxdesk-chain-request-1";
constexpr const char* kSealedFormat = "rxdesk-chain-key-sealed-1";
constexpr std::chrono::seconds kRetryAfterFailure{15};
constexpr int kBatch = 500;

std::string sealAad(const std::string& store) { return "rxdesk chain key for store " + store; }

Result<json> readJsonFile(const std::string& path, const char* format, const char* what) {
  RX_ASSIGN_OR_RETURN(std::string text, data::readWholeFile(path, 1 << 20));
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || doc.value("format", "") != format)
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

// One link to the registry per store and process, shared by the window's threads: connecting
// costs a TLS handshake, and after a failure the counter does not wait on the registry again for a
// while (an explicit exchange still tries).
struct Link {
  std::mutex mutex;
  std::optional<registry::Client> client;
  std::chrono::steady_clock::time_point retryAfter{};
  bool online = false;
};

Link& linkFor(const std::string& storePath) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Link>> links;
  std::lock_guard lock(mutex);
  auto& link = links[storePath];
  if (!link) link = std::make_unique<Link>();
  return *link;
}

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

// The client of `link` (lock held), connected now if it was not and `force` or not in backoff.
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

// After a registry call failed: a lost link is dropped (reconnected next time).
void noteFailure(Link& link, const Status& s) {
  if (s.code() != ErrorCode::kUnavailable) return;
  link.client.reset();
  link.online = false;
  link.retryAfter = std::chrono::steady_clock::now() + kRetryAfterFailure;
}

// Runs `fn` (returning a Status) on the link's client. A connection kept from before may have died
// with a registry that restarted since: on kUnavailable it is connected afresh and `fn` tried once
// more (each registry call is safe to repeat).
template <typename Fn>
Status withClient(Link& link, const data::ChainMembership& m, bool force, Fn&& fn) {
  const bool kept = link.client.has_value();
  auto client = connected(link, m, force);
  if (!client) return client.status();
  Status s = fn(**client);
  if (!s.isOk() && s.code() == ErrorCode::kUnavailable && kept) {
    link.client.reset();
    client = connected(link, m, true);
    if (!client) return client.status();
    s = fn(**client);
  }
  noteFailure(link, s);
  return s;
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

// The outbox items of a hand-out's claims: the prescription (issuer and number, as the store marks
// it used) and a package (its traceability code).
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

std::optional<std::string> firstHandOut(const std::vector<data::StepRecord>& steps) {
  for (const auto& s : steps)
    if (s.step == data::DispenseStep::kHandOut) return s.at;
  return std::nullopt;
}

}  // namespace

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
  const std::string store = request.value("store", "");
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

Result<ExchangeReport> ChainService::join(const JoinOptions& o, const ExchangeProgress& progress) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kAdmin, "join a chain"));
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  if (!m)
    return Status(ErrorCode::kConflict,
                  "make this store's request first (rxdesk-cli chain request) and have the "
                  "chain's office seal the chain key to it");
  if (m->joined())
    return Status(ErrorCode::kConflict,
                  "this store has joined the chain as '" + m->storeCode + "' already");
  RX_ASSIGN_OR_RETURN(json sealedDoc,
                      readJsonFile(o.sealedKeyFile, kSealedFormat, "a sealed chain key"));
  if (sealedDoc.value("store", "") != m->storeCode)
    return Status(ErrorCode::kConflict, o.sealedKeyFile + " is sealed to store '" +
                                            sealedDoc.value("store", "") + "', not to '" +
                                            m->storeCode + "'");
  crypto::SealedToKey sealed;
  RX_ASSIGN_OR_RETURN(sealed.ephemeralPublic,
                      hexField(sealedDoc, "ephemeral", 32, o.sealedKeyFile));
  RX_ASSIGN_OR_RETURN(sealed.box.nonce, hexField(sealedDoc, "nonce", 12, o.sealedKeyFile));
  RX_ASSIGN_OR_RETURN(sealed.box.ciphertext, hexField(sealedDoc, "ciphertext", 0, o.sealedKeyFile));
  auto chainKey = crypto::openSealed(m->requestKey, sealed, sealAad(m->storeCode));
  if (!chainKey)
    return Status(ErrorCode::kAuthFailed, o.sealedKeyFile +
                                              " was not sealed to this store's request (make a "
                                              "new request, and have it sealed again)");
  // The certificates live beside the store, readable by its user only (libpq wants the key so).
  const std::string certDir = session_.store().path() + ".chain";
  std::error_code ec;
  std::filesystem::create_directories(certDir, ec);
  ::chmod(certDir.c_str(), 0700);
  for (const auto& [from, to] :
       {std::pair{o.caFile, std::string("ca.crt")}, std::pair{o.certFile, m->storeCode + ".crt"},
        std::pair{o.keyFile, m->storeCode + ".key"}}) {
    RX_ASSIGN_OR_RETURN(std::string bytes, data::readWholeFile(from, 1 << 20));
    RX_RETURN_IF_ERROR(data::writeFileAtomically(certDir + "/" + to, bytes, 0600));
  }
  data::ChainMembership joined = *m;
  joined.host = o.host;
  joined.port = o.port;
  joined.dbname = o.dbname;
  joined.certDir = certDir;
  {
    // Connect once before anything changes: a wrong address or certificate is said now.
    Link& link = linkFor(session_.store().path());
    std::lock_guard lock(link.mutex);
    link.client.reset();
    RX_ASSIGN_OR_RETURN(registry::Client * client, connected(link, joined, true));
    RX_ASSIGN_OR_RETURN(auto stores, client->stores());
    bool known = false;
    for (const auto& s : stores) known = known || s.code == joined.storeCode;
    if (!known)
      return Status(ErrorCode::kNotFound, "the registry does not know store '" + joined.storeCode +
                                              "' (rxdesk-registry add-store at the office)");
  }

  // One transaction: the chain key replaces this store's own, every fingerprint is made again with
  // it, and everything presented and handed out so far waits to be sent.
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  data::ReuseRepository reuse(conn);
  data::PrescriptionRepository prescriptions(conn);
  RX_RETURN_IF_ERROR(reuse.setSecret(*chainKey));
  const dedup::Fingerprinter fingerprinter(*chainKey);
  std::vector<std::pair<std::int64_t, std::string>> old;
  RX_RETURN_IF_ERROR(
      reuse.forEachFingerprint([&](std::int64_t id, const std::string& text, bool) -> Status {
        old.emplace_back(id, text);
        return Status();
      }));
  const std::string now = utcTimestamp();
  int done = 0;
  for (const auto& [id, text] : old) {
    auto r = prescriptions.find(id);
    if (!r) {
      if (r.status().code() == ErrorCode::kNotFound) continue;  // purged
      return r.status();
    }
    RX_ASSIGN_OR_RETURN(dedup::Fingerprint before, dedup::Fingerprint::parse(text));
    dedup::Fingerprint fp = fingerprinter.make(contentOf(*r), {}, {});
    fp.inkRegions = before.inkRegions;  // the ink hashes are not keyed: kept
    fp.ink = before.ink;
    RX_RETURN_IF_ERROR(reuse.putFingerprint(id, fp.serialize()));
    RX_RETURN_IF_ERROR(repo.enqueue({0, data::OutboxKind::kPresentation, id, {}, {}, now, false}));
    if (handedOut(r->state)) {
      if (r->issuer && r->rxNumber)
        RX_RETURN_IF_ERROR(repo.enqueue(prescriptionClaim(*chainKey, *r, now, true)));
      RX_ASSIGN_OR_RETURN(auto packages, prescriptions.packages(id));
      for (const auto& p : packages)
        if (p.handedOutAt)
          RX_RETURN_IF_ERROR(
              repo.enqueue(packageClaim(*chainKey, id, p.traceCode, *p.handedOutAt, true)));
    }
    if (progress && ++done % 256 == 0) progress("re-keying the fingerprints", done);
  }
  joined.joinedAt = now;
  RX_RETURN_IF_ERROR(repo.putMembership(joined));
  RX_RETURN_IF_ERROR(
      session_
          .audit("chain.join", joined.storeCode,
                 {{"registry", o.host + ":" + std::to_string(o.port) + "/" + o.dbname},
                  {"presentations", old.size()}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return exchange(progress);
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
  RX_ASSIGN_OR_RETURN(auto alerts, repo.alerts());
  s.alerts = alerts.size();
  return s;
}

namespace {

// Sends the outbox in order; each item leaves it once the registry has it.
Status sendOutbox(Session& session, registry::Client& client, ExchangeReport& report) {
  auto& conn = session.store().connection();
  data::ChainRepository repo(conn);
  data::PrescriptionRepository prescriptions(conn);
  data::ReuseRepository reuse(conn);
  for (;;) {
    RX_ASSIGN_OR_RETURN(auto items, repo.outbox(kBatch));
    if (items.empty()) return Status();
    for (const auto& item : items) {
      if (item.kind == data::OutboxKind::kPresentation) {
        auto r = prescriptions.find(item.localId);
        RX_ASSIGN_OR_RETURN(auto text, reuse.fingerprint(item.localId));
        if (r && text) {
          RX_ASSIGN_OR_RETURN(dedup::Fingerprint fp, dedup::Fingerprint::parse(*text));
          registry::SharedPresentation p;
          p.localId = item.localId;
          p.kind = std::string(data::rxKindName(r->kind));
          p.fingerprint = *text;
          for (auto k : fp.numberNear) p.numberKeys.push_back(static_cast<std::int64_t>(k));
          if (fp.patient) p.patientKey = static_cast<std::int64_t>(fp.patient);
          if (fp.date) p.dateKey = static_cast<std::int64_t>(fp.date);
          p.presentedAt = r->arrivedAt;
          if (handedOut(r->state)) {
            p.state = "handed-out";
            RX_ASSIGN_OR_RETURN(auto steps, prescriptions.steps(item.localId));
            p.handedOutAt = firstHandOut(steps).value_or(item.at);
          } else {
            p.state = "presented";
          }
          RX_RETURN_IF_ERROR(client.publish(p));
        } else if (!r && r.status().code() != ErrorCode::kNotFound) {
          return r.status();
        }  // a record purged since: nothing to send
      } else {
        registry::ClaimRequest q{stringOf(item.claimKey), item.claimKind, item.localId, item.at,
                                 item.offline};
        RX_RETURN_IF_ERROR(client.claim({q}, false).status());
      }
      RX_RETURN_IF_ERROR(repo.sent(item.seq));
      ++report.sent;
    }
  }
}

// Fetches the other stores' presentations, claims and alerts changed since the last exchange.
Status receive(Session& session, registry::Client& client, int copyDays, ExchangeReport& report,
               const ExchangeProgress& progress) {
  auto& conn = session.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto stores, client.stores());
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  const auto today = toDays(utcTimestamp().substr(0, 10));
  const std::string since = fromDays(*today - std::chrono::days(copyDays));
  std::int64_t pc = m->presentationsCursor, cc = m->claimsCursor, ac = m->alertsCursor;
  if (pc == 0) {  // the first sync skips the chain's older history at once
    RX_ASSIGN_OR_RETURN(pc, client.firstChangeSince(since));
  }
  for (bool more = true; more;) {
    RX_ASSIGN_OR_RETURN(auto rows, client.presentationsSince(pc, since, kBatch));
    RX_ASSIGN_OR_RETURN(auto claims, client.claimsSince(cc, kBatch));
    RX_ASSIGN_OR_RETURN(auto alerts, client.alerts(ac));
    more = rows.size() == static_cast<std::size_t>(kBatch) ||
           claims.size() == static_cast<std::size_t>(kBatch);
    data::Transaction tx(conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    for (const auto& s : stores) RX_RETURN_IF_ERROR(repo.putStore(s.code, s.name));
    for (const auto& r : rows) {
      RX_RETURN_IF_ERROR(
          repo.putPresentation({r.id, r.store, r.p.localId, r.p.kind, r.p.fingerprint, r.p.state,
                                r.p.presentedAt, r.p.handedOutAt, 0}));
      pc = std::max(pc, r.changed);
    }
    for (const auto& c : claims) {
      RX_RETURN_IF_ERROR(repo.putClaim({bytesOf(c.key), c.kind, c.store, c.localId, c.at}));
      cc = std::max(cc, c.changed);
    }
    for (const auto& a : alerts) {
      RX_RETURN_IF_ERROR(repo.putAlert({a.id, a.kind, a.firstStore, a.firstAt, a.secondStore,
                                        a.secondAt, a.raisedAt, a.firstLocal, a.secondLocal}));
      const bool ours = a.firstStore == m->storeCode;
      RX_RETURN_IF_ERROR(
          session
              .audit("chain.alert", std::to_string(ours ? a.firstLocal : a.secondLocal),
                     {{"kind", a.kind},
                      {"other_store", ours ? a.secondStore : a.firstStore},
                      {"first",
                       {{"store", a.firstStore}, {"record", a.firstLocal}, {"at", a.firstAt}}},
                      {"second",
                       {{"store", a.secondStore}, {"record", a.secondLocal}, {"at", a.secondAt}}}})
              .status());
      ac = std::max(ac, a.id);
    }
    RX_RETURN_IF_ERROR(repo.setCursors(pc, cc, ac));
    RX_RETURN_IF_ERROR(tx.commit());
    report.presentationsReceived += static_cast<int>(rows.size());
    report.claimsReceived += static_cast<int>(claims.size());
    report.alertsReceived += static_cast<int>(alerts.size());
    if (progress) progress("fetching the chain's presentations", report.presentationsReceived);
  }
  RX_ASSIGN_OR_RETURN(report.forgotten, repo.forgetPresentationsBefore(since));
  return Status();
}

}  // namespace

Result<ExchangeReport> ChainService::exchange(const ExchangeProgress& progress) {
  return exchange(progress, true);
}

namespace {
// Sends the newest head of the store's audit chain, so that a rewrite of the log by someone holding
// the database key is caught (docs/records.md): first the last head the registry keeps must still
// be in the log (a rewrite followed by new entries is caught here too). A mismatch does not stop
// the exchange: it is reported, logged and recorded as the exchange's error, and nothing more is
// anchored until `audit verify` has been looked at.
Status anchorAuditHead(Session& session, registry::Client& client, ExchangeReport& report) {
  auto& conn = session.store().connection();
  data::AuditLog log(conn);
  RX_ASSIGN_OR_RETURN(auto head, log.head());
  RX_ASSIGN_OR_RETURN(auto kept, client.lastAuditHead());
  if (kept) {
    std::vector<data::AuditEntry> entries;
    if (head) {
      RX_ASSIGN_OR_RETURN(entries, log.entries(kept->seq, kept->seq));
    }
    const bool same = entries.size() == 1 &&
                      std::string(entries[0].hash.begin(), entries[0].hash.end()) == kept->hash;
    if (!same) {
      report.auditProblem =
          "the chain registry keeps another head for audit entry " + std::to_string(kept->seq) +
          " (sent " + kept->receivedAt +
          "): this store's audit log was rewritten or cut since (rxdesk-cli audit verify names "
          "the earliest kept head that differs)";
      spdlog::error("chain registry: {}", *report.auditProblem);
      return Status();
    }
    if (kept->seq >= head->seq) return Status();
  }
  if (!head) return Status();
  Status s = client.anchorAudit(head->seq, std::string(head->hash.begin(), head->hash.end()));
  if (s.code() != ErrorCode::kConflict) return s;
  spdlog::error("chain registry: {}", s.message());
  report.auditProblem = s.message();
  return Status();
}
}  // namespace

bool chainWorksOffline(const Status& s) {
  return s.code() == ErrorCode::kUnavailable || s.code() == ErrorCode::kAuthFailed ||
         s.code() == ErrorCode::kUnsupported;
}

Result<std::vector<data::AuditAnchor>> ChainService::auditAnchors() {
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(auto m, data::ChainRepository(conn).membership());
  if (!m || !m->joined()) return std::vector<data::AuditAnchor>();
  std::vector<data::AuditAnchor> out;
  Link& link = linkFor(session_.store().path());
  std::lock_guard lock(link.mutex);
  RX_RETURN_IF_ERROR(withClient(link, *m, true, [&](registry::Client& client) {
    out.clear();  // tried again after a lost connection
    RX_ASSIGN_OR_RETURN(auto heads, client.auditHeads());
    for (const auto& h : heads) {
      data::AuditAnchor a;
      a.seq = h.seq;
      if (h.hash.size() != a.hash.size())
        return Status(ErrorCode::kCorrupt, "the chain registry keeps a damaged audit head");
      std::copy(h.hash.begin(), h.hash.end(), a.hash.begin());
      a.source = "the chain registry (sent " + h.receivedAt + ")";
      out.push_back(std::move(a));
    }
    return Status();
  }));
  return out;
}

Result<ExchangeReport> ChainService::exchange(const ExchangeProgress& progress, bool receiveToo) {
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  if (!m || !m->joined())
    return Status(ErrorCode::kConflict,
                  "this store has not joined a chain (rxdesk-cli chain join)");
  RX_ASSIGN_OR_RETURN(SettingValue days, SettingsService(session_).get("chain.copy_days"));
  ExchangeReport report;
  Link& link = linkFor(session_.store().path());
  std::lock_guard lock(link.mutex);
  Status s = withClient(link, *m, true, [&](registry::Client& client) {
    if (progress) progress("sending", 0);
    RX_RETURN_IF_ERROR(sendOutbox(session_, client, report));
    RX_RETURN_IF_ERROR(anchorAuditHead(session_, client, report));
    if (!receiveToo) return Status();
    return receive(session_, client, std::stoi(days.value), report, progress);
  });
  std::optional<std::string> problem = s ? report.auditProblem : std::optional(s.message());
  RX_RETURN_IF_ERROR(repo.recordExchange(utcTimestamp(), problem));
  if (!s) return s;
  return report;
}

Status ChainService::refresh() { return refresh(true); }

Status ChainService::refresh(bool receiveToo) {
  if (!joined()) return Status();
  {
    Link& link = linkFor(session_.store().path());
    std::lock_guard lock(link.mutex);
    if (!link.client && std::chrono::steady_clock::now() < link.retryAfter) return Status();
  }
  auto report = exchange({}, receiveToo);
  if (!report && !chainWorksOffline(report.status())) return report.status();
  if (!report) spdlog::info("chain registry: {}", report.status().message());
  return Status();
}

void ChainService::flush() {
  // Sending only: what the others did is fetched before the next intake or scan.
  if (Status s = refresh(false); !s) spdlog::warn("chain registry: not sent now: {}", s.message());
}

Result<std::vector<data::ChainAlertRow>> ChainService::alerts() {
  return data::ChainRepository(session_.store().connection()).alerts();
}

Status ChainService::enqueuePresentation(std::int64_t id, const std::string& at) {
  if (!joined()) return Status();
  return data::ChainRepository(session_.store().connection())
      .enqueue({0, data::OutboxKind::kPresentation, id, {}, {}, at, false});
}

Result<std::optional<std::string>> ChainService::packageHandedOutElsewhere(
    const std::string& traceCode) {
  if (!joined()) return std::optional<std::string>();
  RX_RETURN_IF_ERROR(refresh());
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(crypto::SecretBytes key, data::ReuseRepository(conn).secret());
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto held, repo.claim(bytesOf(claimKey(key, "package", traceCode))));
  if (!held) return std::optional<std::string>();
  RX_ASSIGN_OR_RETURN(std::string name, repo.storeName(held->store));
  return std::optional<std::string>("at " + name + " on " + chinaTime(held->claimedAt));
}

Result<HandOutClaim> ChainService::claimHandOut(const data::PrescriptionRecord& r,
                                                const std::vector<std::string>& traceCodes) {
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  HandOutClaim claim;
  if (!m || !m->joined()) return claim;
  claim.joined = true;
  claim.storeCode = m->storeCode;
  RX_ASSIGN_OR_RETURN(crypto::SecretBytes key, data::ReuseRepository(conn).secret());
  const std::string now = utcTimestamp();
  if (r.issuer && r.rxNumber) claim.claims.push_back(prescriptionClaim(key, r, now, false));
  for (const auto& code : traceCodes)
    claim.claims.push_back(packageClaim(key, r.id, code, now, false));
  auto refused = [&](const std::string& kind, const std::string& store,
                     const std::string& at) -> Status {
    auto name = repo.storeName(store);
    return Status(ErrorCode::kAlreadyExists,
                  (kind == "package" ? "a package of this hand-out" : "this prescription") +
                      std::string(" was handed out at ") + (name ? *name : store) + " on " +
                      chinaTime(at) + "; it is not handed out again");
  };
  // What the last exchange brought: refused even when the registry is not reachable now.
  for (const auto& c : claim.claims) {
    RX_ASSIGN_OR_RETURN(auto held, repo.claim(c.claimKey));
    if (held && held->store != m->storeCode)
      return refused(c.claimKind, held->store, held->claimedAt);
  }
  std::vector<registry::ClaimRequest> requests;
  for (const auto& c : claim.claims)
    requests.push_back({stringOf(c.claimKey), c.claimKind, c.localId, c.at, false});
  std::vector<registry::ClaimOutcome> outcomes;
  Status s;
  {
    Link& link = linkFor(session_.store().path());
    std::lock_guard lock(link.mutex);
    s = withClient(link, *m, false, [&](registry::Client& client) {
      auto made = client.claim(requests, true);
      if (made) outcomes = std::move(*made);
      return made.status();
    });
  }
  if (s) {
    for (const auto& o : outcomes)
      if (!o.won) {
        RX_RETURN_IF_ERROR(repo.putClaim(
            {bytesOf(o.holder.key), o.holder.kind, o.holder.store, o.holder.localId, o.holder.at}));
        return refused(o.holder.kind, o.holder.store, o.holder.at);
      }
    claim.online = true;
    return claim;
  }
  if (s.code() != ErrorCode::kUnavailable && s.code() != ErrorCode::kUnsupported) return s;
  RX_ASSIGN_OR_RETURN(SettingValue offline, SettingsService(session_).get("chain.offline_handout"));
  if (offline.value != "true")
    return Status(ErrorCode::kUnavailable,
                  "the chain registry cannot be reached, and this pharmacy does not hand out "
                  "while it is away (setting chain.offline_handout): " +
                      s.message());
  for (auto& c : claim.claims) c.offline = true;
  return claim;
}

Status ChainService::recordHandOut(const HandOutClaim& claim, std::int64_t id,
                                   const std::string& at) {
  if (!claim.joined) return Status();
  data::ChainRepository repo(session_.store().connection());
  if (!claim.online) {
    for (const auto& c : claim.claims) RX_RETURN_IF_ERROR(repo.enqueue(c));
    RX_RETURN_IF_ERROR(
        session_
            .audit("chain.offline-hand-out", std::to_string(id), {{"claims", claim.claims.size()}})
            .status());
  }
  return repo.enqueue({0, data::OutboxKind::kPresentation, id, {}, {}, at, false});
}

void ChainService::releaseHandOut(const HandOutClaim& claim, std::int64_t id) {
  if (!claim.online) return;
  auto m = data::ChainRepository(session_.store().connection()).membership();
  if (!m || !*m) return;
  Link& link = linkFor(session_.store().path());
  std::lock_guard lock(link.mutex);
  std::vector<std::string> keys;
  for (const auto& c : claim.claims) keys.push_back(stringOf(c.claimKey));
  Status s = withClient(link, **m, true,
                        [&](registry::Client& client) { return client.release(keys, id); });
  if (!s) {
    spdlog::warn("chain registry: the claims of a hand-out that did not commit stay: {}",
                 s.message());
  }
}

}  // namespace rx::ws
