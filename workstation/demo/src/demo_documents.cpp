#include "workstation/demo_documents.h"

namespace rx::ws {

using nlohmann::json;

json demoBundle(const DemoPrescription& p) {
  json entries = json::array();
  entries.push_back({{"fullUrl", "urn:uuid:patient-1"},
                     {"resource",
                      {{"resourceType", "Patient"},
                       {"name", json::array({{{"text", p.patientName}}})},
                       {"gender", p.patientGender},
                       {"birthDate", p.patientBirthDate}}}});
  entries.push_back({{"fullUrl", "urn:uuid:practitioner-1"},
                     {"resource",
                      {{"resourceType", "Practitioner"},
                       {"name", json::array({{{"text", p.prescriberName}}})},
                       {"identifier", json::array({{{"system", "urn:cn:physician-licence"},
                                                    {"value", p.prescriberLicence}}})}}}});
  entries.push_back(
      {{"fullUrl", "urn:uuid:organization-1"},
       {"resource",
        {{"resourceType", "Organization"},
         {"name", p.issuerName},
         {"identifier", json::array({{{"system", "urn:cn:uscc"}, {"value", p.issuerUscc}}})}}}});
  int n = 0;
  for (const DemoDrug& d : p.drugs) {
    json req = {
        {"resourceType", "MedicationRequest"},
        {"status", "active"},
        {"intent", "order"},
        {"subject", {{"reference", "urn:uuid:patient-1"}}},
        {"requester", {{"reference", "urn:uuid:practitioner-1"}}},
        {"authoredOn", p.issuedAt},
        {"medicationCodeableConcept", {{"text", d.name}}},
        {"extension",
         json::array({{{"url", "https://rxdesk.example/fhir/StructureDefinition/drug-class"},
                       {"valueCode", d.drugClass}}})},
        {"dosageInstruction", json::array({{{"text", d.usage}}})},
        {"dispenseRequest", {{"quantity", {{"value", d.quantity}, {"unit", d.unit}}}}}};
    if (!d.strength.empty()) req["note"] = json::array({{{"text", d.strength}}});
    entries.push_back(
        {{"fullUrl", "urn:uuid:medication-request-" + std::to_string(++n)}, {"resource", req}});
  }
  return {{"resourceType", "Bundle"},
          {"type", "collection"},
          {"identifier", {{"system", "urn:cn:rx-number:" + p.issuerUscc}, {"value", p.rxNumber}}},
          {"timestamp", p.issuedAt},
          {"entry", entries}};
}

json demoAgreementDraft(const std::string& agreementNo, const std::string& providerName,
                        const std::string& providerUscc, const std::string& pharmacyName,
                        const std::string& pharmacyUscc, const std::string& validFrom,
                        const std::string& validUntil, const std::vector<std::string>& categories) {
  return {{"type", "rxdesk-provider-agreement"},
          {"version", 1},
          {"agreement_no", agreementNo},
          {"pharmacy", {{"name", pharmacyName}, {"uscc", pharmacyUscc}}},
          {"provider",
           {{"name", providerName},
            {"uscc", providerUscc},
            {"institution_licence", "PDY00001X44010011A1001"}}},
          {"valid_from", validFrom},
          {"valid_until", validUntil},
          {"scope", {{"categories", categories}}},
          {"keys", json::array()}};
}

}  // namespace rx::ws
