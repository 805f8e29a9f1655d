// Unsigned sample documents in rxdesk's formats, for the provider tooling (`rxdesk-cli provider`),
// the demo store and the tests: an agreement draft and an e-prescription Bundle.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rx::ws {

struct DemoDrug {
  std::string name;
  std::string drugClass = "rx";
  std::string strength;
  double quantity = 1;
  std::string unit = "盒";
  std::string usage = "口服 一次1片 一日3次";
};

struct DemoPrescription {
  std::string rxNumber = "RX20261122-0001";
  std::string issuedAt = "2026-11-22T08:00:00Z";
  std::string issuerName = "示例互联网医院";
  std::string issuerUscc = "12440000455858776H";
  std::string patientName = "张三";
  std::string patientGender = "male";
  std::string patientBirthDate = "1980-05-01";
  std::string prescriberName = "李医生";
  std::string prescriberLicence = "110440100000123";
  std::vector<DemoDrug> drugs = {
      {"阿莫西林胶囊", "rx", "0.25g×24粒", 2, "盒", "口服 一次2粒 一日3次"}};
};

// Returns an unsigned FHIR R4 e-prescription Bundle.
nlohmann::json demoBundle(const DemoPrescription& p);

// Returns an unsigned agreement draft between the pharmacy and the provider.
nlohmann::json demoAgreementDraft(const std::string& agreementNo, const std::string& providerName,
                                  const std::string& providerUscc, const std::string& pharmacyName,
                                  const std::string& pharmacyUscc, const std::string& validFrom,
                                  const std::string& validUntil,
                                  const std::vector<std::string>& categories = {"rx", "otc-a",
                                                                                "otc-b"});

}  // namespace rx::ws
