// Electronic prescriptions (docs/eprescription-format.md): a FHIR R4 Bundle of type "collection"
// holding one Patient, one Practitioner, one Organization and a MedicationRequest per drug, with
// Bundle.signature (sigFormat application/jose) carrying a detached JWS over the JCS form of the
// Bundle without its "signature". The paper copy carries a QR code: an attached compact JWS over
// {iss, no, date}, signed with the same key, tying the paper to its e-prescription offline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace rx::ws {

struct ErxPatient {
  std::string name;
  std::string gender;  // male, female, other, unknown
  std::optional<std::string> birthDate;
  std::optional<std::string> idNumber;
};

struct ErxDrug {
  std::string name;
  std::optional<std::string> code;
  std::string drugClass;  // rx, otc-a, otc-b or a special-management class
  std::optional<std::string> strength;
  double quantity = 0;
  std::string unit;
  std::string usage;
};

struct EPrescription {
  std::string rxNumber;
  std::string issuedAt;  // Bundle.timestamp, UTC
  std::optional<std::string> diagnosis;
  std::optional<std::string> department;
  ErxPatient patient;
  std::string prescriberName;
  std::string prescriberLicence;
  std::string organizationName;
  std::string organizationUscc;
  std::vector<ErxDrug> drugs;
  crypto::DetachedJws signature;
  std::string signedPayload;  // JCS of the Bundle without "signature"
  std::string documentHash;   // hex SHA-256 of signedPayload
};

inline constexpr std::size_t kMaxErxBytes = 512 * 1024;
inline constexpr std::size_t kMaxErxDrugs = 20;

// Parses an e-prescription strictly and totally (the signature is parsed, not verified).
// Errors name `source` and the field ("entry[3].resource.dispenseRequest.quantity.value").
// Whether `path` holds a JSON document (its first non-blank byte is '{') rather than a photo: how
// intake tells an e-prescription file from a picture whatever its name.
bool looksLikeJsonFile(const std::string& path);

Result<EPrescription> parseEPrescription(std::string_view text, std::string_view source);

// Provider tooling: sets Bundle.signature over `bundle` and returns the signed Bundle as JSON.
Result<std::string> signEPrescription(nlohmann::json bundle, const crypto::SigningKey& key,
                                      const std::string& signingTime);

struct RxQr {
  std::string issuerUscc;
  std::string rxNumber;
  std::string issueDate;  // YYYY-MM-DD
  crypto::DetachedJws jws;
};

// Returns the QR payload for the paper copy of `rx`.
Result<std::string> makeRxQr(const EPrescription& rx, const crypto::SigningKey& key,
                             const std::string& signingTime);
// Parses a scanned QR payload (signature parsed, not verified).
Result<RxQr> parseRxQr(std::string_view payload);

}  // namespace rx::ws
