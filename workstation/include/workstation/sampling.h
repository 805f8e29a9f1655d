// The supervisor's sampling review (处方点评): a reproducible random sample of review decisions and
// consultations per pharmacist and period, each scored appropriate or inappropriate with the
// standard reasons, and a round closed with a summary signed by the supervisor. Pharmacists see
// the findings about their own work once a round is closed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/sampling.h"
#include "workstation/session.h"

namespace rx::ws {

// The reasons of 处方点评 a supervisor can score an item inappropriate with (a round can narrow
// or extend them).
const std::vector<std::string>& defaultAuditCriteria();

struct RoundSpec {
  std::string from, to;                   // Beijing dates, inclusive
  std::optional<std::string> pharmacist;  // unset: each pharmacist sampled separately
  bool decisions = true, consultations = true;
  std::optional<double> percent;      // of each pharmacist's items (rounded up), or
  std::optional<std::int64_t> count;  // this many per pharmacist
  std::optional<std::int64_t> seed;   // unset: a random one, stored with the round
  std::vector<std::string> criteria;  // empty: defaultAuditCriteria()
};

// Draws `k` of `n` positions with `seed`: the same on every machine (own Fisher-Yates over
// mt19937_64, not std::shuffle, whose algorithm is the library's choice). Sorted.
std::vector<std::size_t> drawSample(std::size_t n, std::size_t k, std::uint64_t seed);

class SamplingService {
 public:
  explicit SamplingService(Session& session) : session_(session) {}
  // Supervisors. Audited.
  Result<data::RoundRecord> create(const RoundSpec& spec);
  Result<std::vector<data::ItemRecord>> items(std::int64_t roundId);
  // Supervisors: every round, newest first.
  Result<std::vector<data::RoundRecord>> rounds();
  // Supervisors: what an item of the round is, to be scored — a review decision (its signed
  // content, with the prescription's issuer, patient and drugs) or a consultation. Only items of
  // the round; each reading is audited, as supervisors' readings of patient data are.
  Result<nlohmann::json> describe(std::int64_t roundId, data::SampleKind kind, std::int64_t itemId);
  // Supervisors, open rounds only; `inappropriate` needs at least one reason from the round's
  // criteria.
  Status score(std::int64_t roundId, data::SampleKind kind, std::int64_t itemId, bool appropriate,
               const std::vector<std::string>& reasons, const std::string& comment);
  // Every item scored; signs the summary with the supervisor's personal key. Audited.
  Result<nlohmann::json> close(std::int64_t roundId);
  // ok iff the closed round's summary verifies with its signer's key.
  Status verify(std::int64_t roundId);
  // A pharmacist's findings from closed rounds (their own only).
  Result<std::vector<data::ItemRecord>> myFindings();

 private:
  Session& session_;
};

}  // namespace rx::ws
