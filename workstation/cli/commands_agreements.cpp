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
  if (!doc.is_object() || crypto::textOr(doc, "format") != "rxdesk-provider-key" ||
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
  // The signing time is what the provider wrote into its signature (sigT), not a fact this
  // program checked; shown in Beijing time, as every time a person reads here.
  t << "  signed by   " << d.signature.header.keyId << " (signature valid)\n"
    << "              signing time stated by the provider: "
    << readableTime(d.signature.header.signingTime) << " Beijing time\n";
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

int runKeygen(GlobalOptions& g, const std::string& typeName, const std::string& path) {
  auto type = parseKeyType(typeName);
  if (!type) return reportError(g, type.status());
  crypto::SigningKey key = crypto::SigningKey::generate(*type);
  if (Status s = writeKeyFile(path, key); !s) return reportError(g, s);
  return reportSuccess(g,
                       {{"ok", true},
                        {"key_file", path},
                        {"kid", key.publicKey().keyId()},
                        {"type", std::string(crypto::keyTypeName(key.type()))},
                        {"spki", crypto::toBase64(key.publicKey().spki())}},
                       "Wrote " + path + "\nkid " + key.publicKey().keyId() + "\n");
}

void addKeygenCommand(CLI::App& provider, GlobalOptions& g, Commands& out) {
  auto* keygen =
      provider.add_subcommand("keygen", "Create a provider signing key file (mode 0600)");
  auto kg = std::make_shared<std::pair<std::string, std::string>>("sm2", "");
  keygen->add_option("--type", kg->first, "sm2 (default), ed25519, p256 or rsa");
  keygen->add_option("--out", kg->second, "Key file to create")->required();
  out.push_back({keygen, [&g, kg] { return runKeygen(g, kg->first, kg->second); }});
}

struct SignArgs {
  std::string key, in, out, qr, time;
};

// --key, --in and --out, as sign-agreement and sign-rx both take them.
std::shared_ptr<SignArgs> addSignOptions(CLI::App& cmd, const std::string& inHelp,
                                         const std::string& outHelp) {
  auto args = std::make_shared<SignArgs>();
  cmd.add_option("--key", args->key, "Provider key file")->required();
  cmd.add_option("--in", args->in, inHelp)->required();
  cmd.add_option("--out", args->out, outHelp)->required();
  return args;
}

int runSignAgreement(GlobalOptions& g, const SignArgs& a) {
  auto key = readKeyFile(a.key);
  if (!key) return reportError(g, key.status());
  auto text = readInput(a.in, ws::kMaxAgreementBytes);
  if (!text) return reportError(g, text.status());
  auto draft = crypto::parseStrictJson(*text, a.in);
  if (!draft) return reportError(g, draft.status());
  auto signedDoc = ws::signAgreement(*draft, *key, utcTimestamp());
  if (!signedDoc) return reportError(g, signedDoc.status());
  if (Status s = data::writeFileAtomically(a.out, *signedDoc + "\n", 0644); !s)
    return reportError(g, s);
  return reportSuccess(g, {{"ok", true}, {"out", a.out}}, "Wrote " + a.out + "\n");
}

int runSignRx(GlobalOptions& g, const SignArgs& a) {
  auto key = readKeyFile(a.key);
  if (!key) return reportError(g, key.status());
  auto text = readInput(a.in, ws::kMaxErxBytes);
  if (!text) return reportError(g, text.status());
  auto bundle = crypto::parseStrictJson(*text, a.in, {ws::kMaxErxBytes, 24});
  if (!bundle) return reportError(g, bundle.status());
  const std::string when = a.time.empty() ? utcTimestamp() : a.time;
  auto signedBundle = ws::signEPrescription(*bundle, *key, when);
  if (!signedBundle) return reportError(g, signedBundle.status());
  // Refuse to sign what rxdesk would refuse.
  auto parsed = ws::parseEPrescription(*signedBundle, a.in);
  if (!parsed) return reportError(g, parsed.status());
  if (Status s = data::writeFileAtomically(a.out, *signedBundle + "\n", 0644); !s)
    return reportError(g, s);
  json doc = {{"ok", true}, {"out", a.out}, {"rx_number", parsed->rxNumber}};
  if (!a.qr.empty()) {
    auto qr = ws::makeRxQr(*parsed, *key, when);
    if (!qr) return reportError(g, qr.status());
    if (Status s = data::writeFileAtomically(a.qr, *qr + "\n", 0644); !s) return reportError(g, s);
    doc["qr"] = a.qr;
  }
  return reportSuccess(g, doc, "Wrote " + a.out + (a.qr.empty() ? "" : " and " + a.qr) + "\n");
}

void addSignCommands(CLI::App& provider, GlobalOptions& g, Commands& out) {
  auto* signAg = provider.add_subcommand("sign-agreement",
                                         "Sign an agreement draft (adds the key to its keys)");
  auto sa = addSignOptions(*signAg, "Agreement draft (JSON)", "Signed agreement to write");
  out.push_back({signAg, [&g, sa] { return runSignAgreement(g, *sa); }});

  auto* signRx = provider.add_subcommand(
      "sign-rx", "Sign an e-prescription Bundle; optionally write its QR payload");
  auto sr =
      addSignOptions(*signRx, "FHIR Bundle without signature (JSON)", "Signed Bundle to write");
  signRx->add_option("--qr", sr->qr, "Also write the paper copy's QR payload to this file");
  signRx->add_option("--time", sr->time, "Signing time (default: now), YYYY-MM-DDThh:mm:ssZ");
  out.push_back({signRx, [&g, sr] { return runSignRx(g, *sr); }});
}

void addProviderCommands(CLI::App& app, GlobalOptions& g, Commands& out) {
  // provider tooling: used by providers, the demo data and the tests; needs no store.
  auto* provider =
      app.add_subcommand("provider", "Tools for prescription providers (keys, signing)");
  provider->require_subcommand(1);
  addKeygenCommand(*provider, g, out);
  addSignCommands(*provider, g, out);
}

int runImport(GlobalOptions& g, const std::string& file, bool accept) {
  auto text = readInput(file, ws::kMaxAgreementBytes);
  if (!text) return reportError(g, text.status());
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  ws::AgreementService service(**session);
  auto doc = service.inspect(*text, file);
  if (!doc) return reportError(g, doc.status());
  if (!g.json) std::cout << documentText(*doc);
  if (!accept &&
      !confirmOnTerminal("Accept this agreement and countersign it with the pharmacy key?"))
    return reportError(
        g, Status(ErrorCode::kInvalidArgument,
                  "not imported: confirm on a terminal, or pass --accept after checking the key "
                  "fingerprints with the provider"));
  auto imported = service.import(*text, file);
  if (!imported) return reportError(g, imported.status());
  return reportSuccess(
      g, {{"ok", true}, {"agreement", summaryJson(*imported)}},
      "Imported and countersigned agreement " + imported->record.agreementNo + ".\n");
}

void addImportCommand(CLI::App& agreement, GlobalOptions& g, Commands& out) {
  auto* import = agreement.add_subcommand(
      "import", "Verify, show and accept a signed agreement (supervisor, admin)");
  auto imp = std::make_shared<std::pair<std::string, bool>>("", false);
  import->add_option("file", imp->first, "Signed agreement (JSON)")->required();
  import->add_flag("--accept", imp->second,
                   "Accept without asking (after comparing the key fingerprints)");
  out.push_back({import, [&g, imp] { return runImport(g, imp->first, imp->second); }});
}

int runList(GlobalOptions& g) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto all = ws::AgreementService(**session).list();
  if (!all) return reportError(g, all.status());
  json arr = json::array();
  std::ostringstream text;
  for (const auto& s : *all) {
    arr.push_back(summaryJson(s));
    text << s.record.agreementNo << "\t" << data::agreementStatusName(s.status) << "\t"
         << s.record.validFrom << ".." << s.record.validUntil << "\t" << s.record.providerName
         << "\n";
  }
  return reportSuccess(g, {{"ok", true}, {"agreements", arr}}, text.str());
}

int runAgreementShow(GlobalOptions& g, const std::string& number) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto s = ws::AgreementService(**session).show(number);
  if (!s) return reportError(g, s.status());
  json doc = summaryJson(*s);
  return reportSuccess(g, {{"ok", true}, {"agreement", doc}}, doc.dump(2) + "\n");
}

struct StatusArgs {
  std::string number, reason;
};

int runChangeStatus(GlobalOptions& g, const StatusArgs& a, data::AgreementStatus target) {
  auto session = loginFromOptions(g);
  if (!session) return reportError(g, session.status());
  auto s = ws::AgreementService(**session).changeStatus(a.number, target, a.reason);
  if (!s) return reportError(g, s.status());
  return reportSuccess(g, {{"ok", true}, {"agreement", summaryJson(*s)}},
                       "Agreement " + a.number + " is now " +
                           std::string(data::agreementStatusName(s->status)) + ".\n");
}

// suspend, resume and revoke: one agreement to a new status, with a reason.
void addStatusCommands(CLI::App& agreement, GlobalOptions& g, Commands& out) {
  for (auto [name, target, help] : {std::tuple{"suspend", data::AgreementStatus::kSuspended,
                                               "Suspend an agreement (reason required)"},
                                    std::tuple{"resume", data::AgreementStatus::kActive,
                                               "Make a suspended agreement active again"},
                                    std::tuple{"revoke", data::AgreementStatus::kRevoked,
                                               "Revoke an agreement for good (M23)"}}) {
    auto* cmd = agreement.add_subcommand(name, help);
    auto args = std::make_shared<StatusArgs>();
    cmd->add_option("number", args->number, "Agreement number")->required();
    cmd->add_option("--reason", args->reason, "Why (kept in the history and the audit log)")
        ->required();
    out.push_back({cmd, [&g, args, target = target] { return runChangeStatus(g, *args, target); }});
  }
}

void addAgreementCommand(CLI::App& app, GlobalOptions& g, Commands& out) {
  // agreement ...
  auto* agreement = app.add_subcommand(
      "agreement", "Provider agreements (M9): import, list, show, suspend, revoke");
  agreement->require_subcommand(1);
  addImportCommand(*agreement, g, out);
  auto* list = agreement->add_subcommand("list", "List agreements with their current status");
  out.push_back({list, [&g] { return runList(g); }});
  auto* show = agreement->add_subcommand("show", "Show one agreement and its status history");
  auto showNo = std::make_shared<std::string>();
  show->add_option("number", *showNo, "Agreement number")->required();
  out.push_back({show, [&g, showNo] { return runAgreementShow(g, *showNo); }});
  addStatusCommands(*agreement, g, out);
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
