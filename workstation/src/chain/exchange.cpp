// Exchanges with the chain registry: the outbox sent, other stores' changes fetched, audit
// anchored.
#include "workstation/chain.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/time.h"
#include "chain_internal.h"
#include "data/audit.h"
#include "data/reuse.h"
#include "dedup/fingerprint.h"
#include "workstation/settings.h"

namespace rx::ws {

using chain_internal::bytesOf;
using chain_internal::handedOut;
using chain_internal::Link;
using chain_internal::linkFor;
using chain_internal::stringOf;
using chain_internal::withClient;

namespace {

constexpr int kBatch = 500;

std::optional<std::string> firstHandOut(const std::vector<data::StepRecord>& steps) {
  for (const auto& s : steps)
    if (s.step == data::DispenseStep::kHandOut) return s.at;
  return std::nullopt;
}

// The keys the registry finds a presentation by (number, each one-character-off variant; patient;
// date), from its fingerprint.
void setLookupKeys(const dedup::Fingerprint& fp, registry::SharedPresentation& p) {
  for (auto k : fp.numberNear) p.numberKeys.push_back(static_cast<std::int64_t>(k));
  if (fp.patient) p.patientKey = static_cast<std::int64_t>(fp.patient);
  if (fp.date) p.dateKey = static_cast<std::int64_t>(fp.date);
}

// Another store's presentation as the local copy keeps it.
data::ChainPresentationRow copyRowOf(const registry::RemotePresentation& r) {
  return {r.id,      r.store,         r.p.localId,     r.p.kind, r.p.fingerprint,
          r.p.state, r.p.presentedAt, r.p.handedOutAt, 0};
}

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
          setLookupKeys(fp, p);
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
      RX_RETURN_IF_ERROR(repo.putPresentation(copyRowOf(r)));
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

// Tells the registry of every restore in this store's log it does not know yet (the store.restore
// entries, oldest first), so that the heads the store sent of the log a restore replaced are not
// taken for a rewrite. Returns the registry's restores.
Result<std::vector<registry::AuditRestore>> sendRestores(data::AuditLog& log,
                                                         registry::Client& client) {
  RX_ASSIGN_OR_RETURN(auto restores, client.auditRestores());
  RX_ASSIGN_OR_RETURN(auto entries, log.landmarks("store.restore"));
  bool added = false;
  for (const data::AuditEntry& e : entries) {
    const std::string hash(e.hash.begin(), e.hash.end());
    const bool known = std::any_of(restores.begin(), restores.end(),
                                   [&](const auto& r) { return r.seq == e.seq && r.hash == hash; });
    if (known) continue;
    registry::AuditRestore r;
    // The backup's last entry as its header recorded it (a backup by an older rxdesk recorded
    // none: every head before the restore is then set aside).
    const auto& from = e.detail.is_object() ? e.detail.value("backup_head_seq", nlohmann::json())
                                            : nlohmann::json();
    r.fromSeq = from.is_number_integer()
                    ? std::clamp<std::int64_t>(from.get<std::int64_t>(), 0, e.seq - 1)
                    : 0;
    r.seq = e.seq;
    r.hash = hash;
    r.restoredAt = e.at;
    RX_RETURN_IF_ERROR(client.recordAuditRestore(r).status());
    spdlog::info("chain registry: told of the restore at audit entry {}", e.seq);
    added = true;
  }
  if (!added) return restores;
  return client.auditRestores();
}

// Sends the newest head of the store's audit chain, so that a rewrite of the log by someone holding
// the database key is caught (docs/records.md): first the last head the registry keeps of the log
// as it is now must still be in it (a rewrite followed by new entries is caught here too); heads of
// a log that a restore replaced are set aside by the restore's record (sendRestores). A mismatch
// does not stop the exchange: it is reported, logged and recorded as the exchange's error, and
// nothing more is anchored until `audit verify` has been looked at.
Status anchorAuditHead(Session& session, registry::Client& client, ExchangeReport& report) {
  auto& conn = session.store().connection();
  data::AuditLog log(conn);
  RX_ASSIGN_OR_RETURN(auto head, log.head());
  RX_ASSIGN_OR_RETURN(auto restores, sendRestores(log, client));
  RX_ASSIGN_OR_RETURN(auto last, client.lastCurrentAuditHead());
  if (last) {
    const registry::AuditHead& kept = *last;
    std::vector<data::AuditEntry> entries;
    if (head) {
      RX_ASSIGN_OR_RETURN(entries, log.entries(kept.seq, kept.seq));
    }
    const bool same = entries.size() == 1 &&
                      std::string(entries[0].hash.begin(), entries[0].hash.end()) == kept.hash;
    if (!same) {
      report.auditProblem =
          "the chain registry keeps another head for audit entry " + std::to_string(kept.seq) +
          " (sent " + kept.receivedAt +
          "): this store's audit log was rewritten or cut since (rxdesk-cli audit verify names "
          "the earliest kept head that differs)";
      spdlog::error("chain registry: {}", *report.auditProblem);
      return Status();
    }
    if (kept.seq >= head->seq) return Status();
  }
  if (!head) return Status();
  const int afterRestore = restores.empty() ? 0 : restores.back().number;
  Status s = client.anchorAudit(head->seq, std::string(head->hash.begin(), head->hash.end()),
                                afterRestore);
  if (s.code() != ErrorCode::kConflict) return s;
  spdlog::error("chain registry: {}", s.message());
  report.auditProblem = s.message();
  return Status();
}

}  // namespace

Result<ExchangeReport> ChainService::exchange(const ExchangeProgress& progress) {
  return exchange(progress, true);
}

Result<ChainAuditAnchors> ChainService::auditAnchors() {
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(auto m, data::ChainRepository(conn).membership());
  if (!m || !m->joined()) return ChainAuditAnchors();
  ChainAuditAnchors out;
  Link& link = linkFor(session_.store().path());
  std::lock_guard lock(link.mutex);
  RX_RETURN_IF_ERROR(withClient(link, *m, true, [&](registry::Client& client) {
    out = ChainAuditAnchors();  // tried again after a lost connection
    RX_ASSIGN_OR_RETURN(auto restores, client.auditRestores());
    RX_ASSIGN_OR_RETURN(auto all, client.auditHeads());
    const auto current = registry::headsOfTheCurrentLog(all, restores);
    out.replacedHeads = static_cast<int>(all.size() - current.size());
    for (const auto& h : current) {
      data::AuditAnchor a;
      a.seq = h.seq;
      if (h.hash.size() != a.hash.size())
        return Status(ErrorCode::kCorrupt, "the chain registry keeps a damaged audit head");
      std::copy(h.hash.begin(), h.hash.end(), a.hash.begin());
      a.source = "the chain registry (sent " + h.receivedAt + ")";
      out.heads.push_back(std::move(a));
    }
    for (const auto& r : registry::restoresOfTheCurrentLog(restores)) {
      data::AuditAnchor a;
      a.seq = r.seq;
      if (r.hash.size() != a.hash.size())
        return Status(ErrorCode::kCorrupt, "the chain registry keeps a damaged restore record");
      std::copy(r.hash.begin(), r.hash.end(), a.hash.begin());
      a.source = "the chain registry's record of the restore of " + r.restoredAt;
      // The restore's own entry must still be in the log, like any head.
      out.heads.push_back(a);
      out.restores.push_back({r.number, r.fromSeq, r.seq, r.restoredAt, r.receivedAt});
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
  if (s) RX_RETURN_IF_ERROR(repo.recordAuditCheck(report.auditProblem));
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

Status ChainService::lookUp(const dedup::Fingerprint& fp) {
  auto& conn = session_.store().connection();
  data::ChainRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto m, repo.membership());
  if (!m || !m->joined()) return Status();
  registry::SharedPresentation keys;
  setLookupKeys(fp, keys);
  // The registry finds by the number keys, or by the patient and the date together.
  if (keys.numberKeys.empty() && !(keys.patientKey && keys.dateKey)) return Status();
  Link& link = linkFor(session_.store().path());
  std::lock_guard lock(link.mutex);
  // Not forced: a registry that failed a moment ago is not waited for again.
  Status s = withClient(link, *m, false, [&](registry::Client& client) {
    RX_ASSIGN_OR_RETURN(auto rows,
                        client.candidates(keys.numberKeys, keys.patientKey, keys.dateKey));
    data::Transaction tx(conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    int added = 0;
    for (const auto& r : rows) {
      RX_ASSIGN_OR_RETURN(auto known, repo.presentation(r.id));
      if (known && known->state == r.p.state && known->fingerprint == r.p.fingerprint) continue;
      RX_RETURN_IF_ERROR(repo.putPresentation(copyRowOf(r)));
      ++added;
    }
    if (added > 0) spdlog::info("chain registry: {} candidate(s) not in the local copy", added);
    return tx.commit();
  });
  if (!s && chainWorksOffline(s)) {
    spdlog::info("chain registry: candidates not looked up: {}", s.message());
    return Status();
  }
  return s;
}

void ChainService::flush() {
  // Sending only: what the others did is fetched before the next intake or scan.
  if (Status s = refresh(false); !s) spdlog::warn("chain registry: not sent now: {}", s.message());
}

}  // namespace rx::ws
