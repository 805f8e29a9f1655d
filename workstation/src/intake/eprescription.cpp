#include "workstation/eprescription.h"

#include <fstream>

#include <map>

#include "base/drug_class.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "workstation/identifiers.h"

namespace rx::ws {

using nlohmann::json;

namespace {

class Fields {
 public:
  explicit Fields(std::string source) : source_(std::move(source)) {}
  Status fail(const std::string& path, const std::string& problem) const {
    return Status(ErrorCode::kInvalidArgument, source_ + ": field '" + path + "' " + problem);
  }
  Result<const json*> member(const json& obj, const std::string& path, const char* key,
                             json::value_t type) const {
    const std::string p = path.empty() ? key : path + "." + key;
    if (!obj.is_object() || !obj.contains(key)) return fail(p, "is missing");
    const json& v = obj[key];
    const bool ok =
        type == json::value_t::number_float
            ? v.is_number()
            : v.type() == type || (type == json::value_t::number_integer && v.is_number_unsigned());
    if (!ok) return fail(p, std::string("must be ") + typeName(type));
    return &v;
  }
  Result<std::string> text(const json& obj, const std::string& path, const char* key,
                           std::size_t maxLen = 200) const {
    RX_ASSIGN_OR_RETURN(const json* v, member(obj, path, key, json::value_t::string));
    std::string s = *v;
    if (s.empty() || s.size() > maxLen)
      return fail(path.empty() ? key : path + "." + key,
                  "must be 1-" + std::to_string(maxLen) + " bytes");
    return s;
  }
  Result<std::optional<std::string>> optionalText(const json& obj, const std::string& path,
                                                  const char* key, std::size_t maxLen = 200) const {
    if (!obj.is_object() || !obj.contains(key)) return std::optional<std::string>();
    RX_ASSIGN_OR_RETURN(std::string s, text(obj, path, key, maxLen));
    return std::optional<std::string>(s);
  }
  // The text of the first element of an array of objects (FHIR name[0].text, identifier[0].value).
  Result<const json*> first(const json& obj, const std::string& path, const char* key) const {
    RX_ASSIGN_OR_RETURN(const json* arr, member(obj, path, key, json::value_t::array));
    const std::string p = path.empty() ? key : path + "." + key;
    if (arr->empty() || !(*arr)[0].is_object()) return fail(p, "must hold at least one object");
    return &(*arr)[0];
  }

 private:
  static const char* typeName(json::value_t t) {
    switch (t) {
      case json::value_t::string:
        return "a string";
      case json::value_t::array:
        return "an array";
      case json::value_t::object:
        return "an object";
      case json::value_t::number_float:
      case json::value_t::number_integer:
        return "a number";
      default:
        return "of another type";
    }
  }
  std::string source_;
};

constexpr std::string_view kDrugClassExtension =
    "https://rxdesk.example/fhir/StructureDefinition/drug-class";
}  // namespace

bool looksLikeJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c;
  while (in.get(c)) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c == '{';
  }
  return false;
}

namespace {
// A document that is malformed, unsigned or signed in a way rxdesk refuses is an e-prescription
// not accepted (exit code 12 for scripts), like one whose signature fails; a file that cannot be
// read keeps its own code.
Status notAccepted(Status s) {
  if (s.code() != ErrorCode::kInvalidArgument && s.code() != ErrorCode::kCorrupt &&
      s.code() != ErrorCode::kUnsupported)
    return s;
  return Status(ErrorCode::kBadSignature, "not accepted: " + s.message());
}

Result<EPrescription> parseDocument(std::string_view text, std::string_view source);
Result<RxQr> parseQrDocument(std::string_view text);
}  // namespace

Result<EPrescription> parseEPrescription(std::string_view text, std::string_view source) {
  auto rx = parseDocument(text, source);
  if (!rx) return notAccepted(rx.status());
  return rx;
}

Result<RxQr> parseRxQr(std::string_view text) {
  auto qr = parseQrDocument(text);
  if (!qr) return notAccepted(qr.status());
  return qr;
}

namespace {

// The bundle's type, its identifier (the prescription number) and its time, into `rx`.
Status readBundleHeading(const Fields& f, const json& bundle, EPrescription& rx) {
  RX_ASSIGN_OR_RETURN(std::string resourceType, f.text(bundle, "", "resourceType"));
  if (resourceType != "Bundle")
    return f.fail("resourceType", "must be \"Bundle\", not \"" + resourceType + "\"");
  RX_ASSIGN_OR_RETURN(std::string type, f.text(bundle, "", "type"));
  if (type != "collection") return f.fail("type", "must be \"collection\"");
  RX_ASSIGN_OR_RETURN(const json* identifier,
                      f.member(bundle, "", "identifier", json::value_t::object));
  RX_ASSIGN_OR_RETURN(rx.rxNumber, f.text(*identifier, "identifier", "value", 64));
  RX_ASSIGN_OR_RETURN(rx.issuedAt, f.text(bundle, "", "timestamp", 20));
  if (!crypto::isUtcTimestamp(rx.issuedAt))
    return f.fail("timestamp", "must be a UTC instant YYYY-MM-DDThh:mm:ssZ");
  return Status();
}

Status readPatient(const Fields& f, const json& res, const std::string& rpath, ErxPatient& p) {
  RX_ASSIGN_OR_RETURN(const json* name, f.first(res, rpath, "name"));
  RX_ASSIGN_OR_RETURN(p.name, f.text(*name, rpath + ".name[0]", "text", 100));
  RX_ASSIGN_OR_RETURN(p.gender, f.text(res, rpath, "gender", 10));
  if (p.gender != "male" && p.gender != "female" && p.gender != "other" && p.gender != "unknown")
    return f.fail(rpath + ".gender", "must be male, female, other or unknown");
  RX_ASSIGN_OR_RETURN(p.birthDate, f.optionalText(res, rpath, "birthDate", 10));
  if (p.birthDate && !isIsoDate(*p.birthDate))
    return f.fail(rpath + ".birthDate", "must be a date YYYY-MM-DD");
  if (res.contains("identifier")) {
    RX_ASSIGN_OR_RETURN(const json* id, f.first(res, rpath, "identifier"));
    RX_ASSIGN_OR_RETURN(p.idNumber, f.optionalText(*id, rpath + ".identifier[0]", "value", 32));
  }
  return Status();
}

Status readPractitioner(const Fields& f, const json& res, const std::string& rpath,
                        EPrescription& rx) {
  RX_ASSIGN_OR_RETURN(const json* name, f.first(res, rpath, "name"));
  RX_ASSIGN_OR_RETURN(rx.prescriberName, f.text(*name, rpath + ".name[0]", "text", 100));
  RX_ASSIGN_OR_RETURN(const json* id, f.first(res, rpath, "identifier"));
  RX_ASSIGN_OR_RETURN(rx.prescriberLicence, f.text(*id, rpath + ".identifier[0]", "value", 64));
  return Status();
}

Status readOrganization(const Fields& f, const json& res, const std::string& rpath,
                        EPrescription& rx) {
  RX_ASSIGN_OR_RETURN(rx.organizationName, f.text(res, rpath, "name"));
  RX_ASSIGN_OR_RETURN(const json* id, f.first(res, rpath, "identifier"));
  RX_ASSIGN_OR_RETURN(rx.organizationUscc, f.text(*id, rpath + ".identifier[0]", "value", 18));
  if (!isValidUscc(rx.organizationUscc))
    return f.fail(rpath + ".identifier[0].value", "is not a valid 统一社会信用代码");
  return Status();
}

// The bundle's entries, resource types by fullUrl, and the MedicationRequests still to be read.
struct Entries {
  std::map<std::string, std::string> fullUrls;                // fullUrl -> resourceType
  std::vector<std::pair<std::string, const json*>> requests;  // path, resource
};

// Reads the Patient, the Practitioner and the Organization into `rx` (exactly one of each), and
// gathers the 1-kMaxErxDrugs MedicationRequests; any other resource is refused.
Result<Entries> readEntries(const Fields& f, const json& bundle, EPrescription& rx) {
  RX_ASSIGN_OR_RETURN(const json* entries, f.member(bundle, "", "entry", json::value_t::array));
  Entries out;
  int patients = 0, practitioners = 0, organizations = 0;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string path = "entry[" + std::to_string(i) + "]";
    const json& entry = (*entries)[i];
    RX_ASSIGN_OR_RETURN(std::string fullUrl, f.text(entry, path, "fullUrl", 200));
    RX_ASSIGN_OR_RETURN(const json* res, f.member(entry, path, "resource", json::value_t::object));
    const std::string rpath = path + ".resource";
    RX_ASSIGN_OR_RETURN(std::string rt, f.text(*res, rpath, "resourceType"));
    if (!out.fullUrls.emplace(fullUrl, rt).second)
      return f.fail(path + ".fullUrl", "repeats \"" + fullUrl + "\"");
    if (rt == "Patient") {
      if (++patients > 1) return f.fail(rpath, "is a second Patient; a prescription has one");
      RX_RETURN_IF_ERROR(readPatient(f, *res, rpath, rx.patient));
    } else if (rt == "Practitioner") {
      if (++practitioners > 1)
        return f.fail(rpath, "is a second Practitioner; a prescription has one prescriber");
      RX_RETURN_IF_ERROR(readPractitioner(f, *res, rpath, rx));
    } else if (rt == "Organization") {
      if (++organizations > 1) return f.fail(rpath, "is a second Organization");
      RX_RETURN_IF_ERROR(readOrganization(f, *res, rpath, rx));
    } else if (rt == "MedicationRequest") {
      out.requests.emplace_back(rpath, res);
    } else {
      return f.fail(rpath + ".resourceType", "is \"" + rt +
                                                 "\"; only Patient, Practitioner, Organization and "
                                                 "MedicationRequest belong in an e-prescription");
    }
  }
  if (patients != 1) return f.fail("entry", "must hold exactly one Patient");
  if (practitioners != 1)
    return f.fail("entry", "must hold exactly one Practitioner (the prescriber)");
  if (organizations != 1) return f.fail("entry", "must hold exactly one Organization (the issuer)");
  if (out.requests.empty() || out.requests.size() > kMaxErxDrugs)
    return f.fail("entry", "must hold 1-" + std::to_string(kMaxErxDrugs) + " MedicationRequests");
  return out;
}

// An active order whose subject is the bundle's Patient and whose requester its Practitioner.
Status checkRequestRefs(const Fields& f, const json& res, const std::string& rpath,
                        const std::map<std::string, std::string>& fullUrls) {
  RX_ASSIGN_OR_RETURN(std::string status, f.text(res, rpath, "status", 20));
  if (status != "active") return f.fail(rpath + ".status", "must be \"active\"");
  RX_ASSIGN_OR_RETURN(std::string intent, f.text(res, rpath, "intent", 20));
  if (intent != "order") return f.fail(rpath + ".intent", "must be \"order\"");
  for (const char* ref : {"subject", "requester"}) {
    RX_ASSIGN_OR_RETURN(const json* r, f.member(res, rpath, ref, json::value_t::object));
    RX_ASSIGN_OR_RETURN(std::string target, f.text(*r, rpath + "." + ref, "reference"));
    auto it = fullUrls.find(target);
    const char* expect = std::string_view(ref) == "subject" ? "Patient" : "Practitioner";
    if (it == fullUrls.end() || it->second != expect)
      return f.fail(rpath + "." + ref + ".reference",
                    "must point to the bundle's " + std::string(expect));
  }
  return Status();
}

// The drug's name and code, and its drug class (an extension, required and known).
Status readMedication(const Fields& f, const json& res, const std::string& rpath, ErxDrug& d) {
  RX_ASSIGN_OR_RETURN(const json* med,
                      f.member(res, rpath, "medicationCodeableConcept", json::value_t::object));
  const std::string mpath = rpath + ".medicationCodeableConcept";
  RX_ASSIGN_OR_RETURN(d.name, f.text(*med, mpath, "text", 100));
  if (med->contains("coding")) {
    RX_ASSIGN_OR_RETURN(const json* coding, f.first(*med, mpath, "coding"));
    RX_ASSIGN_OR_RETURN(d.code, f.optionalText(*coding, mpath + ".coding[0]", "code", 64));
  }
  RX_ASSIGN_OR_RETURN(const json* ext, f.member(res, rpath, "extension", json::value_t::array));
  for (const auto& e : *ext)
    if (crypto::textOr(e, "url") == kDrugClassExtension && e.contains("valueCode") &&
        e["valueCode"].is_string())
      d.drugClass = e["valueCode"];
  if (d.drugClass.empty())
    return f.fail(rpath + ".extension",
                  "must carry the drug class (url " + std::string(kDrugClassExtension) + ")");
  if (!isKnownDrugClass(d.drugClass))
    return f.fail(rpath + ".extension", "names unknown drug class \"" + d.drugClass + "\"");
  return Status();
}

// One MedicationRequest at `rpath`: the order and its references, the drug, the usage, the
// quantity to hand out and the strength (a note).
Result<ErxDrug> readMedicationRequest(const Fields& f, const json& res, const std::string& rpath,
                                      const std::map<std::string, std::string>& fullUrls) {
  ErxDrug d;
  RX_RETURN_IF_ERROR(checkRequestRefs(f, res, rpath, fullUrls));
  RX_RETURN_IF_ERROR(readMedication(f, res, rpath, d));
  RX_ASSIGN_OR_RETURN(const json* dosage, f.first(res, rpath, "dosageInstruction"));
  RX_ASSIGN_OR_RETURN(d.usage, f.text(*dosage, rpath + ".dosageInstruction[0]", "text", 200));
  RX_ASSIGN_OR_RETURN(const json* dispense,
                      f.member(res, rpath, "dispenseRequest", json::value_t::object));
  RX_ASSIGN_OR_RETURN(const json* qty, f.member(*dispense, rpath + ".dispenseRequest", "quantity",
                                                json::value_t::object));
  const std::string qpath = rpath + ".dispenseRequest.quantity";
  RX_ASSIGN_OR_RETURN(const json* value,
                      f.member(*qty, qpath, "value", json::value_t::number_float));
  d.quantity = value->get<double>();
  if (!(d.quantity > 0) || d.quantity > 10000)
    return f.fail(qpath + ".value", "must be above 0 and at most 10000");
  RX_ASSIGN_OR_RETURN(d.unit, f.text(*qty, qpath, "unit", 20));
  if (res.contains("note")) {
    RX_ASSIGN_OR_RETURN(const json* note, f.first(res, rpath, "note"));
    RX_ASSIGN_OR_RETURN(d.strength, f.optionalText(*note, rpath + ".note[0]", "text", 100));
  }
  return d;
}

// The bundle's signature (a detached JWS) and what it signs: the bundle without it, in JCS form.
Status readSignature(const Fields& f, const json& bundle, EPrescription& rx) {
  RX_ASSIGN_OR_RETURN(const json* signature,
                      f.member(bundle, "", "signature", json::value_t::object));
  RX_ASSIGN_OR_RETURN(std::string sigFormat, f.text(*signature, "signature", "sigFormat"));
  if (sigFormat != "application/jose")
    return f.fail("signature.sigFormat", "must be \"application/jose\"");
  RX_ASSIGN_OR_RETURN(std::string data, f.text(*signature, "signature", "data", 24000));
  auto jwsBytes = crypto::fromBase64(data);
  if (!jwsBytes) return f.fail("signature.data", "is not base64: " + jwsBytes.status().message());
  auto jws = crypto::parseDetached(
      std::string_view(reinterpret_cast<const char*>(jwsBytes->data()), jwsBytes->size()));
  if (!jws) return f.fail("signature.data", jws.status().message());
  rx.signature = std::move(*jws);
  json unsignedBundle = bundle;
  unsignedBundle.erase("signature");
  rx.signedPayload = crypto::canonicalJson(unsignedBundle);
  rx.documentHash = crypto::toHex(crypto::sha256(rx.signedPayload));
  return Status();
}

Result<EPrescription> parseDocument(std::string_view text, std::string_view source) {
  Fields f{std::string(source)};
  RX_ASSIGN_OR_RETURN(json bundle, crypto::parseStrictJson(text, source, {kMaxErxBytes, 24}));
  if (!bundle.is_object())
    return Status(ErrorCode::kInvalidArgument, std::string(source) + " is not a JSON object");
  EPrescription rx;
  RX_RETURN_IF_ERROR(readBundleHeading(f, bundle, rx));
  RX_ASSIGN_OR_RETURN(Entries entries, readEntries(f, bundle, rx));
  for (const auto& [rpath, res] : entries.requests) {
    RX_ASSIGN_OR_RETURN(ErxDrug d, readMedicationRequest(f, *res, rpath, entries.fullUrls));
    rx.drugs.push_back(std::move(d));
  }
  RX_RETURN_IF_ERROR(readSignature(f, bundle, rx));
  return rx;
}

}  // namespace

Result<std::string> signEPrescription(json bundle, const crypto::SigningKey& key,
                                      const std::string& signingTime) {
  if (!bundle.is_object())
    return Status(ErrorCode::kInvalidArgument, "the bundle is not a JSON object");
  bundle.erase("signature");
  RX_ASSIGN_OR_RETURN(std::string jws,
                      crypto::signDetached(key, crypto::canonicalJson(bundle), signingTime));
  bundle["signature"] = {{"type", json::array({{{"system", "urn:iso-astm:E1762-95:2013"},
                                                {"code", "1.2.840.10065.1.12.1.1"}}})},
                         {"when", signingTime},
                         {"who", {{"display", "prescriber"}}},
                         {"sigFormat", "application/jose"},
                         {"data", crypto::toBase64(crypto::toBytes(jws))}};
  return bundle.dump(2);
}

Result<std::string> makeRxQr(const EPrescription& rx, const crypto::SigningKey& key,
                             const std::string& signingTime) {
  json payload = {
      {"iss", rx.organizationUscc}, {"no", rx.rxNumber}, {"date", rx.issuedAt.substr(0, 10)}};
  return crypto::signAttached(key, crypto::canonicalJson(payload), signingTime);
}

namespace {
Result<RxQr> parseQrDocument(std::string_view text) {
  RX_ASSIGN_OR_RETURN(crypto::DetachedJws jws, crypto::parseAttached(text));
  RX_ASSIGN_OR_RETURN(json payload, crypto::parseStrictJson(jws.payload, "QR payload", {1024, 2}));
  Fields f{"QR payload"};
  RxQr qr;
  RX_ASSIGN_OR_RETURN(qr.issuerUscc, f.text(payload, "", "iss", 18));
  RX_ASSIGN_OR_RETURN(qr.rxNumber, f.text(payload, "", "no", 64));
  RX_ASSIGN_OR_RETURN(qr.issueDate, f.text(payload, "", "date", 10));
  if (!isIsoDate(qr.issueDate)) return f.fail("date", "must be YYYY-MM-DD");
  if (payload.size() != 3)
    return Status(ErrorCode::kInvalidArgument, "QR payload has members other than iss, no, date");
  qr.jws = std::move(jws);
  return qr;
}
}  // namespace

}  // namespace rx::ws
