// Storage of the supervisor's sampling rounds (处方点评): the round, the items drawn and their
// scores, and the candidates a round draws from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "data/connection.h"

namespace rx::data {

struct RoundRecord {
  std::int64_t id = 0;
  std::string periodFrom, periodTo;  // Beijing dates
  std::optional<std::string> pharmacist;
  std::string what;  // JSON array
  std::optional<double> percent;
  std::optional<std::int64_t> count;
  std::int64_t seed = 0;
  std::vector<std::string> criteria;  // the reasons this round scores with
  std::string createdBy, createdAt;
  std::optional<std::string> closedAt, summary, keyId;
  crypto::Bytes signature;
};

// What a sampled item is: a review decision or a consultation.
enum class SampleKind { kDecision, kConsultation };
std::string_view sampleKindName(SampleKind k);  // decision | consultation
Result<SampleKind> parseSampleKind(std::string_view s);

struct ItemRecord {
  std::int64_t roundId = 0;
  SampleKind kind = SampleKind::kDecision;
  std::int64_t itemId = 0;
  std::string pharmacist;
  std::optional<std::string> score;  // appropriate | inappropriate
  std::vector<std::string> reasons;  // when scored inappropriate
  std::optional<std::string> comment, scoredBy, scoredAt;
};

struct Candidate {
  std::int64_t id = 0;
  std::string pharmacist;
};

class SamplingRepository {
 public:
  explicit SamplingRepository(Connection& conn) : conn_(conn) {}
  Result<std::int64_t> createRound(const RoundRecord& r);
  Result<RoundRecord> round(std::int64_t id);
  // Every round, newest first.
  Result<std::vector<RoundRecord>> rounds();
  Status addItem(const ItemRecord& item);
  Result<std::vector<ItemRecord>> items(std::int64_t roundId);
  // Items of closed rounds about `pharmacist`, newest round first.
  Result<std::vector<ItemRecord>> closedItemsFor(const std::string& pharmacist);
  // kNotFound when the item is not in the round.
  Status score(const ItemRecord& scored);
  Status close(std::int64_t roundId, const std::string& summary, const crypto::Bytes& signature,
               const std::string& keyId, const std::string& at);

  // Review decisions / consultations made in [fromUtc, toUtc), by `pharmacist` if given, in id
  // order (the order a seed draws from).
  Result<std::vector<Candidate>> decisions(const std::string& fromUtc, const std::string& toUtc,
                                           const std::optional<std::string>& pharmacist);
  Result<std::vector<Candidate>> consultations(const std::string& fromUtc, const std::string& toUtc,
                                               const std::optional<std::string>& pharmacist);

 private:
  Connection& conn_;
};

}  // namespace rx::data
