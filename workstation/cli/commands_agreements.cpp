// provider keygen|sign-agreement|sign-rx, agreement import|list|show|suspend|resume|revoke,
// rx verify.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "base/time.h"
#include "commands.h"
#include "crypto/json.h"
#include "data/files.h"
#include "workstation/agreements.h"

namespace rx::cli {

using nlohmann::json;

namespace {

Result<std::string> readInput(const std::string& path, std::size_t maxBytes) {
  return data::readWholeFile(path, maxBytes);
}

// Provider key files: JSON {type, private (base64 of rxdesk's key encoding), spki, kid}, mode 0600.
Status writeKeyFile(const std::string& path, const crypto::SigningKey& key) {
  const crypto::SecretBytes secret = key.serialize();
  json doc = {{"format", "rxdesk-provider-key"},
              {"type", std::string(crypto::keyTypeName(key.type()))},
              {"private", crypto::toBase64(secret.data(), secret.size())},
              {"spki", crypto::toBase64(key.publicKey().spki())},
              {"kid", key.publicKey().keyId()}};
  if (data::fileExists(path))
    return Status(ErrorCode::kAlreadyExists, path + " already exists; not overwriting a key");
  return data::writeFileAtomically(path, doc.dump(2) + "\n", 0600);
}

Result<crypto::SigningKey> readKeyFile(const std::string& path) {
  RX_ASSIGN_OR_RETURN(std::string text, readInput(path, 64 * 1024));
  RX_ASSIGN_OR_RETURN(json doc, crypto::parseStrictJson(text, path));
  if (!doc.is_object() || doc.value("format", "") != "rxdesk-provider-key" ||
      !doc.contains("private") || !doc["private"].is_string())
    return Status(ErrorCode::kInvalidArgument,
                  path + " is not an rxdesk provider key file (field 'format'/'private')");
  RX_ASSIGN_OR_RETURN(crypto::Bytes raw, crypto::fromBase64(doc["private"].get<std::string>()));
  crypto::SecretBytes secret(raw.data(), raw.size());
  std::fill(raw.begin(), raw.end(), 0);
  return crypto::SigningKey::deserialize(secret);
}

Result<crypto::KeyType> parseKeyType(const std::string& s) {
  if (s == "ed25519") return crypto::KeyType::kEd25519;
  if (s == "p256") return crypto::KeyType::kEcP256;
  if (s == "sm2") return crypto::KeyType::kSm2;
  if (s == "rsa") return crypto::KeyType::kRsa;
  return Status(ErrorCode::kInvalidArgument,
                "key type '" + s + "' is not one of sm2, ed25519, p256, rsa");
}

json summaryJson(const ws::AgreementSummary& s) {
  json keys = json::array();
  for (const auto& k : s.record.keys) keys.push_back({{"kid", k.keyId}, {"type", k.keyType}});
  json history = json::array();
  for (const auto& h : s.history)
    history.push_back({{"status", std::string(data::agreementStatusName(h.status))},
                       {"at", h.effectiveAt},
                       {"reason", h.reason},
                       {"by", h.byUser}});
  return {{"agreement_no", s.record.agreementNo},
          {"status", std::string(data::agreementStatusName(s.status))},
          {"provider",
           {{"name", s.record.providerName},
            {"uscc", s.record.providerUscc},
            {"institution_licence", s.record.providerLicence}}},
          {"valid_from", s.record.validFrom},
          {"valid_until", s.record.validUntil},
          {"scope", s.record.scope},
          {"keys", keys},
          {"imported_at", s.record.importedAt},
          {"imported_by", s.record.importedBy},
          {"history", history}};
}

std::string documentText(const ws::AgreementDocument& d) {
  std::ostringstream t;
  t << "Agreement " << d.agreementNo << "\n"
    << "  provider    " << d.provider.name << "  统一社会信用代码 " << d.provider.uscc << "\n"
    << "              licence " << d.provider.institutionLicence << "\n"
    << "  pharmacy    " << d.pharmacy.name << "  统一社会信用代码 " << d.pharmacy.uscc << "\n"
    << "  valid       " << d.validFrom << " to " << d.validUntil << "\n"
    << "  scope      ";
  for (const auto& c : d.scope) t << " " << c;
  t << "\n  signing keys (compare these fingerprints with the provider by phone or in person):\n";
  for (const auto& k : d.keys)
    t << "    " << crypto::keyTypeName(k.type()) << "  " << k.keyId() << "\n";
  t << "  signed by   " << d.signature.header.keyId << " at " << d.signature.header.signingTime
    << " (valid)\n";
  return t.str();
}

bool confirmOnTerminal(const std::string& question) {
  if (!::isatty(0)) return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}
}  // namespace

namespace {

void addProviderCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // provider tooling: used by providers, the demo data and the tests; needs no store.
  auto* provider =
      app.add_subcommand("provider", "Tools for prescription providers (keys, signing)");
  provider->require_subcommand(1);

  auto* keygen =
      provider->add_subcommand("keygen", "Create a provider signing key file (mode 0600)");
  auto kg = std::make_shared<std::pair<std::string, std::string>>("sm2", "");
  keygen->add_option("--type", kg->first, "sm2 (default), ed25519, p256 or rsa");
  keygen->add_option("--out", kg->second, "Key file to create")->required();
  out.push_back({keygen, [&g, kg] {
                   auto type = parseKeyType(kg->first);
                   if (!type) return reportError(g, type.status());
                   crypto::SigningKey key = crypto::SigningKey::generate(*type);
                   if (Status s = writeKeyFile(kg->second, key); !s) return reportError(g, s);
                   return reportSuccess(
                       g,
                       {{"ok", true},
                        {"key_file", kg->second},
                        {"kid", key.publicKey().keyId()},
                        {"type", std::string(crypto::keyTypeName(key.type()))},
                        {"spki", crypto::toBase64(key.publicKey().spki())}},
                       "Wrote " + kg->second + "\nkid " + key.publicKey().keyId() + "\n");
                 }});

  struct SignArgs {
    std::string key, in, out, qr, time;
  };
  auto* signAg = provider->add_subcommand("sign-agreement",
                                          "Sign an agreement draft (adds the key to its keys)");
  auto sa = std::make_shared<SignArgs>();
  signAg->add_option("--key", sa->key, "Provider key file")->required();
  signAg->add_option("--in", sa->in, "Agreement draft (JSON)")->required();
  signAg->add_option("--out", sa->out, "Signed agreement to write")->required();
  out.push_back(
      {signAg, [&g, sa] {
         auto key = readKeyFile(sa->key);
         if (!key) return reportError(g, key.status());
         auto text = readInput(sa->in, ws::kMaxAgreementBytes);
         if (!text) return reportError(g, text.status());
         auto draft = crypto::parseStrictJson(*text, sa->in);
         if (!draft) return reportError(g, draft.status());
         auto signedDoc = ws::signAgreement(*draft, *key, utcTimestamp());
         if (!signedDoc) return reportError(g, signedDoc.status());
         if (Status s = data::writeFileAtomically(sa->out, *signedDoc + "\n", 0644); !s)
           return reportError(g, s);
         return reportSuccess(g, {{"ok", true}, {"out", sa->out}}, "Wrote " + sa->out + "\n");
       }});

  auto* signRx = provider->add_subcommand(
      "sign-rx", "Sign an e-prescription Bundle; optionally write its QR payload");
  auto sr = std::make_shared<SignArgs>();
  signRx->add_option("--key", sr->key, "Provider key file")->required();
  signRx->add_option("--in", sr->in, "FHIR Bundle without signature (JSON)")->required();
  signRx->add_option("--out", sr->out, "Signed Bundle to write")->required();
  signRx->add_option("--qr", sr->qr, "Also write the paper copy's QR payload to this file");
  signRx->add_option("--time", sr->time, "Signing time (default: now), YYYY-MM-DDThh:mm:ssZ");
  out.push_back(
      {signRx, [&g, sr] {
         auto key = readKeyFile(sr->key);
         if (!key) return reportError(g, key.status());
         auto text = readInput(sr->in, ws::kMaxErxBytes);
         if (!text) return reportError(g, text.status());
         auto bundle = crypto::parseStrictJson(*text, sr->in, {ws::kMaxErxBytes, 24});
         if (!bundle) return reportError(g, bundle.status());
         const std::string when = sr->time.empty() ? utcTimestamp() : sr->time;
         auto signedBundle = ws::signEPrescription(*bundle, *key, when);
         if (!signedBundle) return reportError(g, signedBundle.status());
         auto parsed = ws::parseEPrescription(*signedBundle,
                                              sr->in);  // refuse to sign what rxdesk would refuse
         if (!parsed) return reportError(g, parsed.status());
         if (Status s = data::writeFileAtomically(sr->out, *signedBundle + "\n", 0644); !s)
           return reportError(g, s);
         json doc = {{"ok", true}, {"out", sr->out}, {"rx_number", parsed->rxNumber}};
         if (!sr->qr.empty()) {
           auto qr = ws::makeRxQr(*parsed, *key, when);
           if (!qr) return reportError(g, qr.status());
           if (Status s = data::writeFileAtomically(sr->qr, *qr + "\n", 0644); !s)
             return reportError(g, s);
           doc["qr"] = sr->qr;
         }
         return reportSuccess(g, doc,
                              "Wrote " + sr->out + (sr->qr.empty() ? "" : " and " + sr->qr) + "\n");
       }});
}

void addAgreementCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // agreement ...
  auto* agreement = app.add_subcommand(
      "agreement", "Provider agreements (M9): import, list, show, suspend, revoke");
  agreement->require_subcommand(1);

  auto* import = agreement->add_subcommand(
      "import", "Verify, show and accept a signed agreement (supervisor, admin)");
  auto imp = std::make_shared<std::pair<std::string, bool>>("", false);
  import->add_option("file", imp->first, "Signed agreement (JSON)")->required();
  import->add_flag("--accept", imp->second,
                   "Accept without asking (after comparing the key fingerprints)");
  out.push_back(
      {import, [&g, imp] {
         auto text = readInput(imp->first, ws::kMaxAgreementBytes);
         if (!text) return reportError(g, text.status());
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         ws::AgreementService service(**session);
         auto doc = service.inspect(*text, imp->first);
         if (!doc) return reportError(g, doc.status());
         if (!g.json) std::cout << documentText(*doc);
         if (!imp->second &&
             !confirmOnTerminal("Accept this agreement and countersign it with the pharmacy key?"))
           return reportError(
               g,
               Status(
                   ErrorCode::kInvalidArgument,
                   "not imported: confirm on a terminal, or pass --accept after checking the key "
                   "fingerprints with the provider"));
         auto imported = service.import(*text, imp->first);
         if (!imported) return reportError(g, imported.status());
         return reportSuccess(
             g, {{"ok", true}, {"agreement", summaryJson(*imported)}},
             "Imported and countersigned agreement " + imported->record.agreementNo + ".\n");
       }});

  auto* list = agreement->add_subcommand("list", "List agreements with their current status");
  out.push_back({list, [&g] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto all = ws::AgreementService(**session).list();
                   if (!all) return reportError(g, all.status());
                   json arr = json::array();
                   std::ostringstream text;
                   for (const auto& s : *all) {
                     arr.push_back(summaryJson(s));
                     text << s.record.agreementNo << "\t" << data::agreementStatusName(s.status)
                          << "\t" << s.record.validFrom << ".." << s.record.validUntil << "\t"
                          << s.record.providerName << "\n";
                   }
                   return reportSuccess(g, {{"ok", true}, {"agreements", arr}}, text.str());
                 }});

  auto* show = agreement->add_subcommand("show", "Show one agreement and its status history");
  auto showNo = std::make_shared<std::string>();
  show->add_option("number", *showNo, "Agreement number")->required();
  out.push_back({show, [&g, showNo] {
                   auto session = loginFromOptions(g);
                   if (!session) return reportError(g, session.status());
                   auto s = ws::AgreementService(**session).show(*showNo);
                   if (!s) return reportError(g, s.status());
                   json doc = summaryJson(*s);
                   return reportSuccess(g, {{"ok", true}, {"agreement", doc}}, doc.dump(2) + "\n");
                 }});

  struct StatusArgs {
    std::string number, reason;
  };
  for (auto [name, target, help] : {std::tuple{"suspend", data::AgreementStatus::kSuspended,
                                               "Suspend an agreement (reason required)"},
                                    std::tuple{"resume", data::AgreementStatus::kActive,
                                               "Make a suspended agreement active again"},
                                    std::tuple{"revoke", data::AgreementStatus::kRevoked,
                                               "Revoke an agreement for good (M23)"}}) {
    auto* cmd = agreement->add_subcommand(name, help);
    auto args = std::make_shared<StatusArgs>();
    cmd->add_option("number", args->number, "Agreement number")->required();
    cmd->add_option("--reason", args->reason, "Why (kept in the history and the audit log)")
        ->required();
    out.push_back({cmd, [&g, args, target = target] {
                     auto session = loginFromOptions(g);
                     if (!session) return reportError(g, session.status());
                     auto s = ws::AgreementService(**session).changeStatus(args->number, target,
                                                                           args->reason);
                     if (!s) return reportError(g, s.status());
                     return reportSuccess(g, {{"ok", true}, {"agreement", summaryJson(*s)}},
                                          "Agreement " + args->number + " is now " +
                                              std::string(data::agreementStatusName(s->status)) +
                                              ".\n");
                   }});
  }
}

void addRxVerifyCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // rx verify
  auto* rxCmd = app.add_subcommand("rx", "E-prescriptions");
  rxCmd->require_subcommand(1);
  auto* verify = rxCmd->add_subcommand(
      "verify", "Verify an e-prescription (or a paper copy's QR payload) and record it");
  auto verifyArgs = std::make_shared<std::pair<std::string, bool>>("", false);
  verify
      ->add_option("file", verifyArgs->first,
                   "Signed FHIR Bundle (JSON), or a file holding a QR payload")
      ->required();
  verify->add_flag("--qr", verifyArgs->second, "The file holds a QR payload from a paper copy");
  out.push_back(
      {verify, [&g, verifyArgs] {
         auto text = readInput(verifyArgs->first, ws::kMaxErxBytes);
         if (!text) return reportError(g, text.status());
         auto session = loginFromOptions(g);
         if (!session) return reportError(g, session.status());
         ws::ErxVerifier verifier(**session);
         Result<ws::ErxVerdict> verdict = Status(ErrorCode::kInternal, "not verified");
         if (verifyArgs->second) {
           std::string payload = *text;
           while (!payload.empty() &&
                  (payload.back() == '\n' || payload.back() == '\r' || payload.back() == ' '))
             payload.pop_back();
           auto qr = ws::parseRxQr(payload);
           if (!qr) return reportError(g, qr.status().withContext(verifyArgs->first));
           verdict = verifier.evaluateQr(*qr, utcTimestamp());
         } else {
           auto rx = ws::parseEPrescription(*text, verifyArgs->first);
           if (!rx) return reportError(g, rx.status());
           verdict = verifier.verifyAndRecord(*rx);
         }
         if (!verdict) return reportError(g, verdict.status());
         json doc = verdict->toJson();
         doc["ok"] = verdict->accepted();
         doc["input"] = verifyArgs->first;
         if (!verdict->accepted()) {
           std::string why = !verdict->signatureValid ? "signature: " + verdict->signatureDetail
                             : !verdict->agreementNo  ? verdict->agreementDetail
                             : !verdict->drugsInScope ? "drugs outside the agreement's scope"
                                                      : verdict->agreementDetail;
           std::cerr << "rxdesk-cli: " << verifyArgs->first << " NOT accepted: " << why << "\n";
           if (g.json) printJson(doc);
           return static_cast<int>(Exit::kBadSignature);
         }
         return reportSuccess(g, doc,
                              "Accepted: " + verdict->rxNumber + " signed by " +
                                  verdict->providerName + " under agreement " +
                                  *verdict->agreementNo + " (" + verdict->algorithm + ").\n");
       }});
}

}  // namespace

void addAgreementCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  addProviderCommands(app, g, out);
  addAgreementCommand(app, g, out);
  addRxVerifyCommand(app, g, out);
}

}  // namespace rx::cli
