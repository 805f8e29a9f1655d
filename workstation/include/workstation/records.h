// Keeping and finding records: how long a prescription is kept (M15, M21), recall of what was
// dispensed (M24, B III), and purging what is past its retention date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/prescriptions.h"
#include "workstation/session.h"

namespace rx::ws {

// The date until which a prescription must be kept: 5 years after arrival, and 1 year past the
// latest expiry of what was dispensed (M15, M21).
std::string retentionDate(const std::string& arrivedOn,
                          const std::optional<std::string>& latestExpiry);

// Drug instructions may be shown only after approval (M13).
bool instructionsVisible(const data::PrescriptionRecord& rx);

class RecordsService {
 public:
  explicit RecordsService(Session& session) : session_(session) {}

  // Every dispensing of a drug (and batch), or of one package code, with the buyer's name and ID
  // for contact. Supervisors and admins; audited.
  Result<std::vector<data::RecallRow>> recall(const std::optional<std::string>& drugName,
                                              const std::optional<std::string>& batch,
                                              const std::optional<std::string>& traceCode);
  // Records past their retention date. With `dryRun` false an admin deletes them (the store
  // alone); nothing inside its period is ever touched. Audited either way.
  Result<std::vector<std::int64_t>> purge(bool dryRun, const std::string& today);

 private:
  Session& session_;
};

}  // namespace rx::ws
