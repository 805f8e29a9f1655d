#include "workstation/sampling.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "base/text.h"
#include "base/time.h"
#include "crypto/json.h"
#include "crypto/signature.h"
#include "data/prescriptions.h"
#include "workstation/consultations.h"
#include "workstation/review.h"

namespace rx::ws {

using nlohmann::json;

const std::vector<std::string>& defaultAuditCriteria() {
  static const std::vector<std::string> criteria = {
      "不规范处方 irregular prescription", "用药不适宜 inappropriate medication",
      "超常处方 abnormal prescription",    "审方不到位 review incomplete",
      "用药交代不清 unclear instructions", "咨询记录不完整 consultation record incomplete",
      "咨询建议不当 inappropriate advice"};
  return criteria;
}

std::vector<std::size_t> drawSample(std::size_t n, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  k = std::min(k, n);
  for (std::size_t i = 0; i < k; ++i) {
    // Unbiased index in [i, n): reject the top of the range that does not divide evenly.
    const std::uint64_t span = n - i;
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % span;
    std::uint64_t r;
    do r = rng();
    while (r >= limit);
    std::swap(order[i], order[i + r % span]);
  }
  order.resize(k);
  std::sort(order.begin(), order.end());
  return order;
}

Result<data::RoundRecord> SamplingService::create(const RoundSpec& spec) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kSupervisor, "run audit rounds"));
  auto range = beijingDaysAsUtc(spec.from, spec.to);
  if (!range)
    return Status(ErrorCode::kInvalidArgument,
                  "the period " + spec.from + " to " + spec.to + " is not two dates in order");
  if (spec.percent.has_value() == spec.count.has_value())
    return Status(ErrorCode::kInvalidArgument, "give a percentage or a count, one of them");
  if (spec.percent && (*spec.percent <= 0 || *spec.percent > 100))
    return Status(ErrorCode::kInvalidArgument, "the percentage must be above 0 and at most 100");
  if (spec.count && *spec.count <= 0)
    return Status(ErrorCode::kInvalidArgument, "the count must be at least 1");
  if (!spec.decisions && !spec.consultations)
    return Status(ErrorCode::kInvalidArgument, "sample decisions, consultations or both");
  data::RoundRecord r;
  r.periodFrom = spec.from;
  r.periodTo = spec.to;
  r.pharmacist = spec.pharmacist;
  json what = json::array();
  if (spec.decisions) what.push_back("decisions");
  if (spec.consultations) what.push_back("consultations");
  r.what = what.dump();
  r.percent = spec.percent;
  r.count = spec.count;
  r.seed = spec.seed ? *spec.seed : static_cast<std::int64_t>(std::random_device{}() & 0x7fffffff);
  r.criteria = spec.criteria.empty() ? defaultAuditCriteria() : spec.criteria;
  r.createdBy = session_.user().name;
  r.createdAt = utcTimestamp();

  auto& conn = session_.store().connection();
  data::SamplingRepository repo(conn);
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_ASSIGN_OR_RETURN(r.id, repo.createRound(r));
  // Each kind and each pharmacist is drawn separately, from the seed and their position.
  std::uint64_t stream = 0;
  std::size_t drawn = 0;
  for (const data::SampleKind kind :
       {data::SampleKind::kDecision, data::SampleKind::kConsultation}) {
    const bool decisions = kind == data::SampleKind::kDecision;
    if (decisions ? !spec.decisions : !spec.consultations) continue;
    RX_ASSIGN_OR_RETURN(
        auto all, decisions ? repo.decisions(range->first, range->second, spec.pharmacist)
                            : repo.consultations(range->first, range->second, spec.pharmacist));
    std::map<std::string, std::vector<data::Candidate>> byPharmacist;
    for (const auto& c : all) byPharmacist[c.pharmacist].push_back(c);
    for (const auto& [pharmacist, items] : byPharmacist) {
      const std::size_t k =
          spec.count ? static_cast<std::size_t>(*spec.count)
                     : static_cast<std::size_t>(std::ceil(items.size() * *spec.percent / 100.0));
      for (std::size_t i :
           drawSample(items.size(), k, static_cast<std::uint64_t>(r.seed) * 1000003u + stream++)) {
        data::ItemRecord item;
        item.roundId = r.id;
        item.kind = kind;
        item.itemId = items[i].id;
        item.pharmacist = pharmacist;
        RX_RETURN_IF_ERROR(repo.addItem(item));
        ++drawn;
      }
    }
  }
  RX_RETURN_IF_ERROR(
      session_
          .audit("sampling.create", std::to_string(r.id),
                 {{"from", spec.from}, {"to", spec.to}, {"seed", r.seed}, {"items", drawn}})
          .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return r;
}

Result<std::vector<data::ItemRecord>> SamplingService::items(std::int64_t roundId) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kSupervisor, "run audit rounds"));
  return data::SamplingRepository(session_.store().connection()).items(roundId);
}

Result<std::vector<data::RoundRecord>> SamplingService::rounds() {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kSupervisor, "run audit rounds"));
  return data::SamplingRepository(session_.store().connection()).rounds();
}

Result<json> SamplingService::describe(std::int64_t roundId, data::SampleKind kind,
                                       std::int64_t itemId) {
  RX_ASSIGN_OR_RETURN(auto all, items(roundId));
  const bool inRound = std::any_of(all.begin(), all.end(), [&](const data::ItemRecord& i) {
    return i.kind == kind && i.itemId == itemId;
  });
  if (!inRound)
    return Status(ErrorCode::kNotFound,
                  std::string(data::sampleKindName(kind)) + " " + std::to_string(itemId) +
                      " is not an item of audit round " + std::to_string(roundId));
  auto& conn = session_.store().connection();
  if (kind == data::SampleKind::kConsultation) {
    RX_ASSIGN_OR_RETURN(data::ConsultationRecord c, ConsultationService(session_).show(itemId));
    return json{{"kind", data::sampleKindName(kind)},
                {"id", c.id},
                {"pharmacist", c.pharmacist},
                {"at", c.at},
                {"channel", c.channel},
                {"patient", c.patientName.value_or("")},
                {"question", c.question},
                {"advice", c.advice},
                {"drugs", c.drugs},
                {"minutes", c.minutes}};
  }
  data::PrescriptionRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::DecisionRecord d, repo.decision(itemId));
  RX_ASSIGN_OR_RETURN(data::PrescriptionRecord rx, repo.find(d.prescriptionId));
  RX_RETURN_IF_ERROR(session_
                         .audit("sampling.read", std::to_string(roundId),
                                {{"decision", d.id}, {"prescription", rx.id}})
                         .status());
  json drugs = json::array();
  for (const auto& i : rx.items)
    drugs.push_back({{"name", i.drugName},
                     {"spec", i.spec},
                     {"quantity", i.quantity},
                     {"unit", i.unit},
                     {"usage", i.usage}});
  return json{{"kind", data::sampleKindName(kind)},
              {"id", d.id},
              {"decision", d.decision},
              {"signed", json::parse(d.payload, nullptr, false)},
              {"decided_by", d.decidedBy},
              {"decided_at", d.decidedAt},
              {"prescription", rx.id},
              {"prescription_kind", data::rxKindName(rx.kind)},
              {"rx_number", rx.rxNumber.value_or("")},
              {"issuer", issuerShown(rx)},
              {"issued_on", rx.issuedOn.value_or("")},
              {"patient", rx.patientName.value_or("")},
              {"diagnosis", rx.diagnosis.value_or("")},
              {"prescriber", rx.prescriber.value_or("")},
              {"drugs", drugs}};
}

Status SamplingService::score(std::int64_t roundId, data::SampleKind kind, std::int64_t itemId,
                              bool appropriate, const std::vector<std::string>& reasons,
                              const std::string& comment) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kSupervisor, "score audit items"));
  auto& conn = session_.store().connection();
  data::SamplingRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::RoundRecord r, repo.round(roundId));
  if (r.closedAt)
    return Status(ErrorCode::kConflict, "audit round " + std::to_string(roundId) + " is closed");
  RX_RETURN_IF_ERROR(checkText("the comment", comment, kMaxNoteText, true));
  const std::vector<std::string>& criteria = r.criteria;
  if (!appropriate && reasons.empty())
    return Status(
        ErrorCode::kInvalidArgument,
        "an inappropriate item needs a reason; the round's reasons are: " + json(criteria).dump());
  for (const auto& reason : reasons)
    if (std::find(criteria.begin(), criteria.end(), reason) == criteria.end())
      return Status(
          ErrorCode::kInvalidArgument,
          "reason '" + reason + "' is not among the round's criteria: " + json(criteria).dump());
  data::ItemRecord item{roundId,
                        kind,
                        itemId,
                        "",
                        appropriate ? "appropriate" : "inappropriate",
                        reasons,
                        comment.empty() ? std::nullopt : std::optional<std::string>(comment),
                        session_.user().name,
                        utcTimestamp()};
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.score(item));
  RX_RETURN_IF_ERROR(
      session_
          .audit("sampling.score", std::to_string(roundId),
                 {{"kind", data::sampleKindName(kind)}, {"item", itemId}, {"score", *item.score}})
          .status());
  return tx.commit();
}

Result<json> SamplingService::close(std::int64_t roundId) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kSupervisor, "close audit rounds"));
  auto& conn = session_.store().connection();
  data::SamplingRepository repo(conn);
  RX_ASSIGN_OR_RETURN(data::RoundRecord r, repo.round(roundId));
  RX_ASSIGN_OR_RETURN(auto items, repo.items(roundId));
  json perPharmacist = json::object();
  json list = json::array();
  for (const auto& i : items) {
    if (!i.score)
      return Status(ErrorCode::kConflict, "the " + std::string(data::sampleKindName(i.kind)) + " " +
                                              std::to_string(i.itemId) + " of round " +
                                              std::to_string(roundId) + " is not scored yet");
    json& p = perPharmacist[i.pharmacist];
    if (!p.is_object()) p = {{"appropriate", 0}, {"inappropriate", 0}, {"reasons", json::object()}};
    p[*i.score] = p[*i.score].get<int>() + 1;
    for (const std::string& reason : i.reasons)
      p["reasons"][reason] = p["reasons"].value(reason, 0) + 1;
    list.push_back({{"kind", data::sampleKindName(i.kind)},
                    {"item", i.itemId},
                    {"pharmacist", i.pharmacist},
                    {"score", *i.score},
                    {"reasons", i.reasons},
                    {"comment", i.comment ? json(*i.comment) : json(nullptr)}});
  }
  json summary = {{"round", roundId},
                  {"period", {r.periodFrom, r.periodTo}},
                  {"seed", r.seed},
                  {"pharmacists", perPharmacist},
                  {"items", list},
                  {"closed_by", session_.user().name},
                  {"closed_at", utcTimestamp()}};
  const std::string canonical = crypto::canonicalJson(summary);
  RX_ASSIGN_OR_RETURN(crypto::SigningKey key, session_.store().personalKey());
  RX_ASSIGN_OR_RETURN(crypto::Bytes sig, key.sign(crypto::toBytes(canonical)));
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(repo.close(roundId, canonical, sig, key.publicKey().keyId(),
                                summary["closed_at"].get<std::string>()));
  RX_RETURN_IF_ERROR(session_
                         .audit("sampling.close", std::to_string(roundId),
                                {{"items", items.size()}, {"key_id", key.publicKey().keyId()}})
                         .status());
  RX_RETURN_IF_ERROR(tx.commit());
  return summary;
}

Status SamplingService::verify(std::int64_t roundId) {
  data::SamplingRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(data::RoundRecord r, repo.round(roundId));
  if (!r.closedAt || !r.summary || !r.keyId)
    return Status(ErrorCode::kConflict, "audit round " + std::to_string(roundId) + " is open");
  const json summary = json::parse(*r.summary, nullptr, false);
  if (!summary.is_object())
    return Status(ErrorCode::kBadSignature,
                  "the summary of round " + std::to_string(roundId) + " is not what was signed");
  auto key = session_.store().signerKey(crypto::textOr(summary, "closed_by"), *r.keyId);
  if (!key)
    return Status(key.status().code(), "the summary of round " + std::to_string(roundId) +
                                           " was signed with " + *r.keyId + ": " +
                                           key.status().message());
  if (Status s = crypto::verifySignature(*key, crypto::SignatureScheme::kEd25519,
                                         crypto::toBytes(*r.summary), r.signature);
      !s)
    return Status(ErrorCode::kBadSignature,
                  "the summary of round " + std::to_string(roundId) + " does not verify");
  // The items as stored now must be the items that were signed.
  RX_ASSIGN_OR_RETURN(auto items, repo.items(roundId));
  const json& signedItems = crypto::memberOrNull(summary, "items");
  if (!signedItems.is_array() || items.size() != signedItems.size())
    return Status(ErrorCode::kBadSignature,
                  "round " + std::to_string(roundId) + " has items that were not signed");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json& s = signedItems[i];
    if (crypto::memberOrNull(s, "item") != json(items[i].itemId) ||
        crypto::textOr(s, "score") != items[i].score)
      return Status(ErrorCode::kBadSignature,
                    "the score of " + std::string(data::sampleKindName(items[i].kind)) + " " +
                        std::to_string(items[i].itemId) + " differs from what was signed");
  }
  return Status();
}

Result<std::vector<data::ItemRecord>> SamplingService::myFindings() {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kPharmacist, "see your audit findings"));
  return data::SamplingRepository(session_.store().connection())
      .closedItemsFor(session_.user().name);
}

}  // namespace rx::ws
