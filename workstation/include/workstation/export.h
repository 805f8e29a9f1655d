// Exports for inspectors (M25, G7): for a period, the chosen tables (sales, reviews,
// consultations, traceability, audit) as JSON and as CSV (UTF-8 with BOM, for spreadsheets), a
// PDF summary, a manifest with the SHA-256 of every file, and the pharmacy key's signature over the
// manifest. Supervisors only; audited; patient names and ID numbers can be masked.
#pragma once

#include <optional>

#include "data/audit.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "workstation/session.h"

namespace rx::ws {

struct ExportRequest {
  std::string from, to;        // YYYY-MM-DD, inclusive, Beijing dates
  std::set<std::string> what;  // empty: all five
  bool maskPatients = false;
  std::string outDir;  // created; must not exist or be empty
};

struct ExportSummary {
  std::map<std::string, std::int64_t> rows;  // per table
  std::vector<std::string> files;            // relative names, manifest excluded
  std::string keyId;                         // the pharmacy key that signed the manifest
};

// `progress(done, total)` counts rows over all tables. Complete and signed, or nothing: a failure,
// or a stop requested through `stop` (kCancelled), removes what was written.
Result<ExportSummary> writeExport(
    Session& session, const ExportRequest& request,
    const std::function<void(std::int64_t, std::int64_t)>& progress = {},
    std::stop_token stop = {});

struct ExportCheck {
  std::string keyId;     // base64url SHA-256 of the signing key (compare with the pharmacy's)
  std::string pharmacy;  // as the manifest names it
  std::string from, to;
  int files = 0;
  std::string storeId;
  std::optional<data::AuditAnchor> auditHead;  // the chain's head when exported, if recorded
};
// Checks an export folder without a store: the manifest's signature with the key it names, every
// file's size and SHA-256, and no file missing or added. kCorrupt / kBadSignature naming the file.
Result<ExportCheck> verifyExport(const std::string& dir);

}  // namespace rx::ws
