// Storage for reuse detection: the secret of the keyed hashes, the fingerprints (opaque text made
// by dedup/), the page features, and the finding recorded for each presentation, with its overrule.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace rx::data {

struct ReuseFindingRow {
  std::int64_t prescriptionId = 0;
  std::string verdict;  // new | reuse-suspected | reuse-certain
  std::string matches;  // JSON array
  std::string foundAt;
  std::optional<std::string> overruledBy, overruledAt, overruleReason;
};

class ReuseRepository {
 public:
  explicit ReuseRepository(Connection& conn) : conn_(conn) {}

  // The 32-byte key of the keyed hashes; made on first use.
  Result<SecretBytes> secret();
  // Replaces the key (a store joining a chain takes the chain key); the caller re-keys the
  // fingerprints in the same transaction.
  Status setSecret(const SecretBytes& key);
  Status putFingerprint(std::int64_t prescriptionId, const std::string& data);
  Result<std::optional<std::string>> fingerprint(std::int64_t prescriptionId);
  // Calls `row(id, data, used)` for every fingerprint of a record after `afterId`, in id order.
  Status forEachFingerprint(
      const std::function<Status(std::int64_t, const std::string&, bool)>& row,
      std::int64_t afterId = 0);
  Result<std::int64_t> fingerprintCount();
  // Records presented before fingerprints were kept (stores made by an older rxdesk).
  Result<std::vector<std::int64_t>> withoutFingerprint();
  Status markUsed(std::int64_t prescriptionId, const std::string& at);

  // The straightened page of a paper prescription, as JPEG bytes.
  Status putPage(std::int64_t prescriptionId, const Bytes& jpeg);
  Result<std::optional<Bytes>> page(std::int64_t prescriptionId);

  // The page's features (dedup/page_match.h, opaque bytes), kept and purged with the page;
  // nothing is written when the record has no page kept.
  Status putPageFeatures(std::int64_t prescriptionId, const Bytes& data);
  // Records whose page is kept without page features (stored before migration 10), in id order.
  Result<std::vector<std::int64_t>> pagesWithoutFeatures();
  // Calls `row(id, data)` for every record's page features after `afterId`, in id order.
  Status forEachPageFeatures(const std::function<Status(std::int64_t, const Bytes&)>& row,
                             std::int64_t afterId = 0);

  Status putFinding(const ReuseFindingRow& f);
  Result<std::optional<ReuseFindingRow>> finding(std::int64_t prescriptionId);
  // Records an overrule; kConflict if already overruled.
  Status overrule(std::int64_t prescriptionId, const std::string& by, const std::string& at,
                  const std::string& reason);

 private:
  Connection& conn_;
};

}  // namespace rx::data
