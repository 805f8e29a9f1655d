#include "workstation/sampling.h"
#include "presenting.h"
#include "workstation/intake.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "counter_store.h"
#include "store_fixture.h"
#include "workstation/consultations.h"
#include "workstation/review.h"

namespace rx::ws {
namespace {

class SamplingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = test::makeCounterStore(path());
    RX_ASSERT_OK(admin);
    admin->reset();
    for (auto [who, pw, n] : {std::tuple{"wang", "w", 10}, std::tuple{"li", "l", 6}}) {
      auto s = login(who, pw);
      for (int i = 0; i < n; ++i) {
        NewConsultation c;
        c.question = "问题 " + std::to_string(i);
        c.advice = "建议";
        RX_ASSERT_OK(ConsultationService(*s).record(c));
      }
    }
    auto wang = login("wang", "w");
    ReviewService review(*wang);
    for (int i = 0; i < 3; ++i) {
      ocr::ExtractedFields f;
      f.fields["rx_number"] = {"20260000010" + std::to_string(i), 0.95f, {}};
      f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
      f.fields["date"] = {beijingToday(), 0.95f, {}};
      f.fields["patient_name"] = {"病人" + std::to_string(i), 0.95f, {}};
      auto id = test::presented(IntakeService(review).presentPaper(f, "p.jpg"));
      RX_ASSERT_OK(id);
      RX_ASSERT_OK(review.startReview(*id));
      RX_ASSERT_OK(review.decide(*id, {Decision::kAsk, {"need-id"}, "", false}));
    }
  }
  std::string path() const { return dir_.file("s.rxdb"); }
  std::unique_ptr<Session> login(const std::string& user, const std::string& pw) {
    auto s = Session::login(path(), user, pw, test::fastStoreOptions());
    EXPECT_TRUE(test::isOk(s));
    return s ? std::move(*s) : nullptr;
  }
  RoundSpec halfOfToday(std::int64_t seed) {
    RoundSpec spec;
    spec.from = spec.to = datePart(chinaTime(utcTimestamp()));
    spec.percent = 50;
    spec.seed = seed;
    return spec;
  }
  test::TempDir dir_;
};

std::vector<std::pair<std::string, std::int64_t>> keys(const std::vector<data::ItemRecord>& items) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& i : items) out.emplace_back(data::sampleKindName(i.kind), i.itemId);
  return out;
}

TEST(DrawSample, IsTheSameForASeedEverywhereAndNeverRepeats) {
  // Pinned: a round drawn on one machine is redrawn identically on another.
  EXPECT_EQ(drawSample(10, 3, 42), drawSample(10, 3, 42));
  const auto all = drawSample(5, 9, 7);
  EXPECT_EQ(all, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  auto many = drawSample(1000, 100, 1);
  EXPECT_EQ(std::set<std::size_t>(many.begin(), many.end()).size(), 100u);
  EXPECT_NE(drawSample(1000, 100, 1), drawSample(1000, 100, 2));
}

TEST_F(SamplingTest, ARoundIsReproducibleFromItsSeedPerPharmacist) {
  auto zhou = login("zhou", "z");
  SamplingService sampling(*zhou);
  auto a = sampling.create(halfOfToday(42));
  RX_ASSERT_OK(a);
  auto itemsA = sampling.items(a->id);
  RX_ASSERT_OK(itemsA);
  std::map<std::string, int> perPharmacist;
  for (const auto& i : *itemsA)
    ++perPharmacist[i.pharmacist + "/" + std::string(data::sampleKindName(i.kind))];
  EXPECT_EQ(perPharmacist["wang/consultation"], 5) << "50% of 10";
  EXPECT_EQ(perPharmacist["li/consultation"], 3) << "50% of 6";
  EXPECT_EQ(perPharmacist["wang/decision"], 2) << "50% of 3, rounded up";
  auto b = sampling.create(halfOfToday(42));
  RX_ASSERT_OK(b);
  EXPECT_EQ(keys(*itemsA), keys(*sampling.items(b->id))) << "the same seed draws the same items";
  EXPECT_EQ(sampling.create(RoundSpec{}).status().code(), ErrorCode::kInvalidArgument);
  auto wang = login("wang", "w");
  EXPECT_EQ(SamplingService(*wang).create(halfOfToday(1)).status().code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(SamplingTest, ScoredRoundClosesSignedAndThePharmacistSeesTheirFindings) {
  auto zhou = login("zhou", "z");
  SamplingService sampling(*zhou);
  RoundSpec spec = halfOfToday(7);
  spec.percent.reset();
  spec.count = 1;
  auto round = sampling.create(spec);
  RX_ASSERT_OK(round);
  auto items = sampling.items(round->id);
  RX_ASSERT_OK(items);
  ASSERT_EQ(items->size(), 3u) << "one per pharmacist and kind";
  const auto& first = items->at(0);
  Status noReason = sampling.score(round->id, first.kind, first.itemId, false, {}, "");
  EXPECT_EQ(noReason.code(), ErrorCode::kInvalidArgument);
  Status unknown = sampling.score(round->id, first.kind, first.itemId, false, {"太慢"}, "");
  EXPECT_NE(unknown.message().find("'太慢' is not among"), std::string::npos) << unknown.message();
  EXPECT_EQ(sampling.close(round->id).status().code(), ErrorCode::kConflict) << "nothing scored";
  for (const auto& i : *items) {
    const bool bad = i.pharmacist == "wang" && i.kind == data::SampleKind::kDecision;
    RX_ASSERT_OK(sampling.score(
        round->id, i.kind, i.itemId, !bad,
        bad ? std::vector<std::string>{defaultAuditCriteria()[3]} : std::vector<std::string>{},
        bad ? "未核对患者身份" : ""));
  }
  {
    auto wang = login("wang", "w");
    EXPECT_TRUE(SamplingService(*wang).myFindings()->empty()) << "nothing before the round closes";
  }
  auto summary = sampling.close(round->id);
  RX_ASSERT_OK(summary);
  EXPECT_EQ((*summary)["pharmacists"]["wang"]["inappropriate"], 1);
  RX_EXPECT_OK(sampling.verify(round->id));
  EXPECT_EQ(sampling.score(round->id, first.kind, first.itemId, true, {}, "").code(),
            ErrorCode::kConflict)
      << "a closed round is final";

  auto wang = login("wang", "w");
  auto findings = SamplingService(*wang).myFindings();
  RX_ASSERT_OK(findings);
  ASSERT_EQ(findings->size(), 2u) << "wang's decision and consultation, not li's";
  for (const auto& f : *findings) EXPECT_EQ(f.pharmacist, "wang");

  // A score changed behind the signature is detected.
  RX_ASSERT_OK(zhou->store().connection().exec(
      "UPDATE audit_items SET score = 'appropriate' WHERE round_id = " +
      std::to_string(round->id)));
  EXPECT_EQ(sampling.verify(round->id).code(), ErrorCode::kBadSignature);
}

}  // namespace
}  // namespace rx::ws
