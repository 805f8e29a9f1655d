// Joining a chain: the sealed chain key opened, the registry checked, every fingerprint re-keyed.
#include "workstation/chain.h"

#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "chain_internal.h"
#include "crypto/json.h"
#include "crypto/keywrap.h"
#include "data/files.h"
#include "data/reuse.h"
#include "dedup/fingerprint.h"
#include "workstation/content.h"

namespace rx::ws {

using chain_internal::hexField;
using chain_internal::kSealedFormat;
using nlohmann::json;

namespace {

// Opens the chain key sealed (by the chain's office) to this store's request `m`.
Result<crypto::SecretBytes> openSealedKey(const std::string& sealedKeyFile,
                                          const data::ChainMembership& m) {
  RX_ASSIGN_OR_RETURN(json sealedDoc, chain_internal::readJsonFile(sealedKeyFile, kSealedFormat,
                                                                   "a sealed chain key"));
  if (crypto::textOr(sealedDoc, "store") != m.storeCode)
    return Status(ErrorCode::kConflict, sealedKeyFile + " is sealed to store '" +
                                            crypto::textOr(sealedDoc, "store") + "', not to '" +
                                            m.storeCode + "'");
  crypto::SealedToKey sealed;
  RX_ASSIGN_OR_RETURN(sealed.ephemeralPublic, hexField(sealedDoc, "ephemeral", 32, sealedKeyFile));
  RX_ASSIGN_OR_RETURN(sealed.box.nonce, hexField(sealedDoc, "nonce", 12, sealedKeyFile));
  RX_ASSIGN_OR_RETURN(sealed.box.ciphertext, hexField(sealedDoc, "ciphertext", 0, sealedKeyFile));
  auto chainKey = crypto::openSealed(m.requestKey, sealed, chain_internal::sealAad(m.storeCode));
  if (!chainKey)
    return Status(ErrorCode::kAuthFailed, sealedKeyFile +
                                              " was not sealed to this store's request (make a "
                                              "new request, and have it sealed again)");
  return std::move(*chainKey);
}

// Copies the chain's CA and the store's certificate and key beside the store at `storePath`,
// readable by its user only (libpq wants the key so); returns their folder.
Result<std::string> keepCertificates(const JoinOptions& o, const std::string& storePath,
                                     const std::string& storeCode) {
  const std::string certDir = storePath + ".chain";
  std::error_code ec;
  std::filesystem::create_directories(certDir, ec);
  ::chmod(certDir.c_str(), 0700);
  for (const auto& [from, to] :
       {std::pair{o.caFile, std::string("ca.crt")}, std::pair{o.certFile, storeCode + ".crt"},
        std::pair{o.keyFile, storeCode + ".key"}}) {
    RX_ASSIGN_OR_RETURN(std::string bytes, data::readWholeFile(from, 1 << 20));
    RX_RETURN_IF_ERROR(data::writeFileAtomically(certDir + "/" + to, bytes, 0600));
  }
  return certDir;
}

// Connects once before anything changes: a wrong address or certificate is said now, and so is a
// registry that does not know the store.
Status checkRegistryKnows(const std::string& storePath, const data::ChainMembership& joined) {
  chain_internal::Link& link = chain_internal::linkFor(storePath);
  std::lock_guard lock(link.mutex);
  link.client.reset();
  RX_ASSIGN_OR_RETURN(registry::Client * client, chain_internal::connected(link, joined, true));
  RX_ASSIGN_OR_RETURN(auto stores, client->stores());
  bool known = false;
  for (const auto& s : stores) known = known || s.code == joined.storeCode;
  if (!known)
    return Status(ErrorCode::kNotFound, "the registry does not know store '" + joined.storeCode +
                                            "' (rxdesk-registry add-store at the office)");
  return Status::ok();
}

// Takes the chain key for the keyed hashes; returns the fingerprints kept so far (by record), to be
// made again with it.
Result<std::vector<std::pair<std::int64_t, std::string>>> takeChainKey(
    data::Connection& conn, const crypto::SecretBytes& chainKey) {
  data::ReuseRepository reuse(conn);
  RX_RETURN_IF_ERROR(reuse.setSecret(chainKey));
  std::vector<std::pair<std::int64_t, std::string>> old;
  RX_RETURN_IF_ERROR(
      reuse.forEachFingerprint([&](std::int64_t id, const std::string& text, bool) -> Status {
        old.emplace_back(id, text);
        return Status();
      }));
  return old;
}

// Makes the fingerprint of record `id` (kept as `text`) again with the chain key, and puts the
// presentation and, when it was handed out, its claims in the outbox (made offline, as of `now`).
// False for a record purged since.
Result<bool> rekeyAndQueue(data::Connection& conn, const crypto::SecretBytes& chainKey,
                           const dedup::Fingerprinter& fingerprinter, std::int64_t id,
                           const std::string& text, const std::string& now) {
  data::ChainRepository repo(conn);
  data::PrescriptionRepository prescriptions(conn);
  auto r = prescriptions.find(id);
  if (!r) {
    if (r.status().code() == ErrorCode::kNotFound) return false;
    return r.status();
  }
  RX_ASSIGN_OR_RETURN(dedup::Fingerprint before, dedup::Fingerprint::parse(text));
  dedup::Fingerprint fp = fingerprinter.make(contentOf(*r), {}, {});
  fp.inkRegions = before.inkRegions;  // the ink hashes are not keyed: kept
  fp.ink = before.ink;
  RX_RETURN_IF_ERROR(data::ReuseRepository(conn).putFingerprint(id, fp.serialize()));
  RX_RETURN_IF_ERROR(repo.enqueue({0, data::OutboxKind::kPresentation, id, {}, {}, now, false}));
  if (!chain_internal::handedOut(r->state)) return true;
  if (r->issuer && r->rxNumber)
    RX_RETURN_IF_ERROR(repo.enqueue(chain_internal::prescriptionClaim(chainKey, *r, now, true)));
  RX_ASSIGN_OR_RETURN(auto packages, prescriptions.packages(id));
  for (const auto& p : packages)
    if (p.handedOutAt)
      RX_RETURN_IF_ERROR(repo.enqueue(
          chain_internal::packageClaim(chainKey, id, p.traceCode, *p.handedOutAt, true)));
  return true;
}

// Makes every fingerprint again with `chainKey` (which replaces the store's own) and queues every
// presentation and hand-out; returns how many.
Result<int> rekeyEverything(data::Connection& conn, const crypto::SecretBytes& chainKey,
                            const ExchangeProgress& progress) {
  RX_ASSIGN_OR_RETURN(auto old, takeChainKey(conn, chainKey));
  const dedup::Fingerprinter fingerprinter(chainKey);
  const std::string now = utcTimestamp();
  int done = 0;
  for (const auto& [id, text] : old) {
    RX_ASSIGN_OR_RETURN(bool kept, rekeyAndQueue(conn, chainKey, fingerprinter, id, text, now));
    if (!kept) continue;
    if (progress && ++done % 256 == 0) progress("re-keying the fingerprints", done);
  }
  return static_cast<int>(old.size());
}

}  // namespace

Result<std::optional<int>> ChainService::keepMembershipOf(Session& replaced) {
  auto& theirConn = replaced.store().connection();
  RX_ASSIGN_OR_RETURN(auto theirs, data::ChainRepository(theirConn).membership());
  if (!theirs || !theirs->joined()) return std::optional<int>();
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto ours, repo.membership());
  // A backup made after joining keeps the membership itself (its cursors catch up).
  if (ours && ours->joined()) return std::optional<int>();
  RX_ASSIGN_OR_RETURN(crypto::SecretBytes chainKey, data::ReuseRepository(theirConn).secret());
  data::ChainMembership kept = *theirs;
  kept.presentationsCursor = kept.claimsCursor = kept.alertsCursor = 0;  // fetched again
  kept.lastError.reset();
  kept.auditProblem.reset();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(int queued, rekeyEverything(conn, chainKey, {}));
  RX_RETURN_IF_ERROR(repo.putMembership(kept));
  RX_RETURN_IF_ERROR(
      session_.audit("chain.kept", kept.storeCode, {{"presentations", queued}}).status());
  RX_RETURN_IF_ERROR(tx.commit());
  return std::optional<int>(queued);
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
  RX_ASSIGN_OR_RETURN(crypto::SecretBytes chainKey, openSealedKey(o.sealedKeyFile, *m));
  data::ChainMembership joined = *m;
  RX_ASSIGN_OR_RETURN(joined.certDir, keepCertificates(o, session_.store().path(), m->storeCode));
  joined.host = o.host;
  joined.port = o.port;
  joined.dbname = o.dbname;
  RX_RETURN_IF_ERROR(checkRegistryKnows(session_.store().path(), joined));

  // One transaction: the chain key replaces this store's own, every fingerprint is made again with
  // it, and everything presented and handed out so far waits to be sent.
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(int queued, rekeyEverything(conn, chainKey, progress));
  joined.joinedAt = utcTimestamp();
  RX_RETURN_IF_ERROR(repo.putMembership(joined));
  RX_RETURN_IF_ERROR(
      session_
          .audit("chain.join", joined.storeCode,
                 {{"registry", o.host + ":" + std::to_string(o.port) + "/" + o.dbname},
                  {"presentations", queued}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return exchange(progress);
}

}  // namespace rx::ws
