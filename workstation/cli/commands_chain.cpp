// chain init | seal (at the chain's office, no store); chain request | join | status | sync |
// alerts (at a store). docs/registry.md tells the whole set-up.
#include <unistd.h>

#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "workstation/chain.h"

namespace rx::cli {

namespace {

ws::ExchangeProgress progressOnTerminal() {
  if (!::isatty(2)) return {};
  return [](std::string_view step, int done) {
    std::cerr << "\r\033[K" << step << (done ? ": " + std::to_string(done) : "") << std::flush;
  };
}

void endProgress() {
  if (::isatty(2)) std::cerr << "\r\033[K";
}

nlohmann::json reportJson(const ws::ExchangeReport& r) {
  return {{"sent", r.sent},
          {"presentations_received", r.presentationsReceived},
          {"claims_received", r.claimsReceived},
          {"alerts_received", r.alertsReceived},
          {"forgotten", r.forgotten},
          {"audit_problem", r.auditProblem ? nlohmann::json(*r.auditProblem) : nullptr}};
}

std::string reportText(const ws::ExchangeReport& r) {
  std::ostringstream t;
  t << "Sent " << r.sent << "; received " << r.presentationsReceived << " presentation(s), "
    << r.claimsReceived << " hand-out claim(s), " << r.alertsReceived << " alert(s).\n";
  if (r.auditProblem) t << "AUDIT LOG: " << *r.auditProblem << "\n";
  return t.str();
}

template <typename Run>
int withSession(GlobalOptions& g, Run run) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  return run(**session);
}

void addOfficeCommands(CLI::App& chain, GlobalOptions& g, Commands& out) {
  auto* init = chain.add_subcommand(
      "init", "At the chain's office: make the chain key (once per chain; keep the file safe)");
  auto keyOut = std::make_shared<std::string>();
  init->add_option("--out", *keyOut, "Where to write the chain key (readable by you only)")
      ->required();
  out.push_back({init, [&g, keyOut] {
                   Status s = ws::makeChainKey(*keyOut);
                   if (!s) return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}, {"key_file", *keyOut}},
                                        "Chain key written to " + *keyOut +
                                            ". Seal it to each store's request (chain seal).\n");
                 }});

  auto* seal = chain.add_subcommand(
      "seal", "At the chain's office: seal the chain key to a store's request (chain request)");
  auto key = std::make_shared<std::string>(), request = std::make_shared<std::string>(),
       sealedOut = std::make_shared<std::string>();
  seal->add_option("--key", *key, "The chain key (chain init)")->required();
  seal->add_option("--request", *request, "The store's request file")->required();
  seal->add_option("--out", *sealedOut, "Where to write the sealed key for the store")->required();
  out.push_back({seal, [&g, key, request, sealedOut] {
                   Status s = ws::sealChainKey(*key, *request, *sealedOut);
                   if (!s) return reportError(g, s);
                   return reportSuccess(g, {{"ok", true}, {"sealed", *sealedOut}},
                                        "Sealed chain key written to " + *sealedOut +
                                            "; only the store that made the request opens it.\n");
                 }});
}

void addJoinCommands(CLI::App& chain, GlobalOptions& g, Commands& out) {
  auto* request = chain.add_subcommand(
      "request", "Ask to join a chain: writes this store's code, name and public key (admin)");
  auto code = std::make_shared<std::string>(), name = std::make_shared<std::string>(),
       requestOut = std::make_shared<std::string>();
  request->add_option("--code", *code, "The store's code in the registry (a-z, 0-9, _)")
      ->required();
  request->add_option("--name", *name, "The store's name, as other stores will see it")->required();
  request->add_option("--out", *requestOut, "Where to write the request")->required();
  out.push_back({request, [&g, code, name, requestOut] {
                   return withSession(g, [&](ws::Session& s) {
                     Status st = ws::ChainService(s).request(*code, *name, *requestOut);
                     if (!st) return reportError(g, st);
                     return reportSuccess(
                         g, {{"ok", true}, {"request", *requestOut}},
                         "Request written to " + *requestOut +
                             ". The chain's office seals the chain key to it (chain seal).\n");
                   });
                 }});

  auto* join = chain.add_subcommand(
      "join",
      "Join the chain's registry with the sealed chain key and this store's certificate "
      "(admin); the store's history so far is shared too");
  auto o = std::make_shared<ws::JoinOptions>();
  join->add_option("--host", o->host, "The registry's host name (as in its certificate)")
      ->required();
  join->add_option("--port", o->port, "The registry's port")->capture_default_str();
  join->add_option("--dbname", o->dbname, "The registry's database")->capture_default_str();
  join->add_option("--ca", o->caFile, "The chain's CA certificate (ca.crt)")->required();
  join->add_option("--cert", o->certFile, "This store's certificate (CODE.crt)")->required();
  join->add_option("--key", o->keyFile, "This store's certificate key (CODE.key)")->required();
  join->add_option("--sealed-key", o->sealedKeyFile, "The chain key sealed to this store")
      ->required();
  out.push_back({join, [&g, o] {
                   return withSession(g, [&](ws::Session& s) {
                     auto report = ws::ChainService(s).join(*o, progressOnTerminal());
                     endProgress();
                     if (!report) return reportError(g, report.status());
                     auto doc = reportJson(*report);
                     doc["ok"] = true;
                     return reportSuccess(g, doc, "Joined the chain. " + reportText(*report));
                   });
                 }});
}

std::string chainStatusText(const ws::ChainStatus& st) {
  std::ostringstream t;
  if (!st.joined) {
    t << (st.requested ? "Requested to join as '" + st.store + "'; not joined yet (chain join).\n"
                       : "Not in a chain: this store works alone.\n");
    return t.str();
  }
  t << "Store " << st.store << " (" << st.storeName << "), registry " << st.registry << ": "
    << (st.online ? "online" : "OFFLINE") << ".\n"
    << "Waiting to be sent: " << st.waiting
    << ". Last exchange: " << (st.lastExchange ? chinaTime(*st.lastExchange) : "never") << ".\n";
  if (st.lastError && st.lastError != st.auditProblem) t << "Last error: " << *st.lastError << "\n";
  if (st.auditProblem)
    t << "AUDIT LOG: " << *st.auditProblem << " (rxdesk-cli audit verify, supervisor)\n";
  if (st.alerts) t << "Alerts: " << st.alerts << " (chain alerts)\n";
  return t.str();
}

int runStatus(GlobalOptions& g, ws::Session& s) {
  auto st = ws::ChainService(s).status(true);
  if (!st) return reportError(g, st.status());
  nlohmann::json doc = {{"joined", st->joined},
                        {"requested", st->requested},
                        {"store", st->store},
                        {"store_name", st->storeName},
                        {"registry", st->registry},
                        {"online", st->online},
                        {"waiting", st->waiting},
                        {"last_exchange", st->lastExchange.value_or("")},
                        {"last_error", st->lastError.value_or("")},
                        {"audit_problem", st->auditProblem ? nlohmann::json(*st->auditProblem)
                                                           : nlohmann::json(nullptr)},
                        {"alerts", st->alerts}};
  return reportSuccess(g, doc, chainStatusText(*st));
}

int runSync(GlobalOptions& g, ws::Session& s) {
  auto report = ws::ChainService(s).exchange(progressOnTerminal());
  endProgress();
  if (!report) return reportError(g, report.status());
  auto doc = reportJson(*report);
  doc["ok"] = true;
  // The audit log no longer matches the heads it sent: exit 8, as audit verify.
  if (report->auditProblem) {
    if (g.json)
      printJson(doc);
    else
      std::cout << reportText(*report);
    return static_cast<int>(Exit::kCorrupt);
  }
  return reportSuccess(g, doc, reportText(*report));
}

int runAlerts(GlobalOptions& g, ws::Session& s) {
  auto list = ws::ChainService(s).alerts();
  if (!list) return reportError(g, list.status());
  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream t;
  for (const auto& a : *list) {
    rows.push_back(
        {{"id", a.registryId},
         {"kind", a.kind},
         {"first", {{"store", a.firstStore}, {"record", a.firstLocal}, {"at", a.firstAt}}},
         {"second", {{"store", a.secondStore}, {"record", a.secondLocal}, {"at", a.secondAt}}},
         {"raised_at", a.raisedAt}});
    t << a.kind << " handed out twice: at " << a.firstStore << " (record " << a.firstLocal << ", "
      << chinaTime(a.firstAt) << ") and at " << a.secondStore << " (record " << a.secondLocal
      << ", " << chinaTime(a.secondAt) << ")\n";
  }
  if (list->empty()) t << "No alerts.\n";
  return reportSuccess(g, {{"alerts", rows}}, t.str());
}

// A subcommand without options that runs at the store, logged in.
void addSessionCommand(CLI::App& chain, GlobalOptions& g, Commands& out, const char* name,
                       const char* help, int (*run)(GlobalOptions&, ws::Session&)) {
  auto* cmd = chain.add_subcommand(name, help);
  out.push_back(
      {cmd, [&g, run] { return withSession(g, [&](ws::Session& s) { return run(g, s); }); }});
}

void addCounterCommands(CLI::App& chain, GlobalOptions& g, Commands& out) {
  addSessionCommand(
      chain, g, out, "status",
      "Online or offline, what waits to be sent, the last exchange (tries the registry)",
      runStatus);
  addSessionCommand(chain, g, out, "sync",
                    "Send what waits and fetch what the other stores did, now (exit 14 if offline)",
                    runSync);
  addSessionCommand(chain, g, out, "alerts",
                    "Prescriptions and packages handed out at two stores while they were apart",
                    runAlerts);
}

}  // namespace

void addChainCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  auto* chain = app.add_subcommand(
      "chain", "The chain registry: prescriptions and packages used at any store of the chain");
  chain->require_subcommand(1);
  addOfficeCommands(*chain, g, out);
  addJoinCommands(*chain, g, out);
  addCounterCommands(*chain, g, out);
}

}  // namespace rx::cli
