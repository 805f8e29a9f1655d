// Pharmacists' consultations (G21, M10/M17): recorded complete and never edited, searchable in
// Chinese and English. A pharmacist sees their own and those of the patients they serve; a
// supervisor sees all, and every supervisor search or read of them is audited (M31).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/consultations.h"
#include "workstation/session.h"

namespace rx::ws {

struct NewConsultation {
  std::optional<std::string> patientName, patientIdNo;  // both unset: anonymous
  std::optional<std::int64_t> prescriptionId;
  std::string channel = "counter";  // counter | phone | online
  std::string question, advice;
  std::vector<std::string> drugs;
  std::optional<std::string> followUp;
  int minutes = 0;
  std::optional<std::string> transcript;  // a chat pasted or imported as text, kept verbatim
};

class ConsultationService {
 public:
  explicit ConsultationService(Session& session) : session_(session) {}
  // Pharmacists only. Errors name the field. Kept at least 5 years (M15, M21). Audited.
  Result<std::int64_t> record(const NewConsultation& c);
  // Pharmacists: what they may see; supervisors: all (audited with the query and result count).
  Result<std::vector<data::ConsultationRecord>> search(data::ConsultationQuery q);
  // One consultation. Pharmacists get kPermissionDenied for one they may not see; a supervisor's
  // read is audited.
  Result<data::ConsultationRecord> show(std::int64_t id);

 private:
  Session& session_;
};

}  // namespace rx::ws
