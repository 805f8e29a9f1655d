// The chain at the counter: a hand-out's claims in the registry, a presentation in the outbox.
#include "workstation/chain.h"

#include <spdlog/spdlog.h>

#include "base/time.h"
#include "chain_internal.h"
#include "data/reuse.h"
#include "workstation/settings.h"

namespace rx::ws {

using chain_internal::bytesOf;
using chain_internal::claimKey;
using chain_internal::Link;
using chain_internal::linkFor;
using chain_internal::packageClaim;
using chain_internal::prescriptionClaim;
using chain_internal::stringOf;
using chain_internal::withClient;

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
