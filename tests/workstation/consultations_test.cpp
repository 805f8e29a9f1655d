#include "workstation/consultations.h"
#include "presenting.h"
#include "workstation/intake.h"

#include <gtest/gtest.h>

#include "base/time.h"
#include "counter_store.h"
#include "data/audit.h"
#include "store_fixture.h"
#include "workstation/review.h"

namespace rx::ws {
namespace {

class ConsultationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = test::makeCounterStore(path());
    RX_ASSERT_OK(admin);
  }
  std::string path() const { return dir_.file("c.rxdb"); }
  std::unique_ptr<Session> as(const std::string& user, const std::string& pw) {
    auto s = Session::login(path(), user, pw, test::fastStoreOptions());
    EXPECT_TRUE(test::isOk(s));
    return s ? std::move(*s) : nullptr;
  }
  static std::vector<std::int64_t> ids(const Result<std::vector<data::ConsultationRecord>>& r) {
    std::vector<std::int64_t> out;
    if (r)
      for (const auto& c : *r) out.push_back(c.id);
    return out;
  }
  test::TempDir dir_;
};

NewConsultation consultation(const std::string& patient, const std::string& idNo,
                             const std::string& question, const std::string& advice) {
  NewConsultation c;
  c.patientName = patient;
  c.patientIdNo = idNo;
  c.question = question;
  c.advice = advice;
  c.minutes = 5;
  return c;
}

TEST_F(ConsultationTest, SearchFindsChineseSubstringsAndRespectsWhoMaySee) {
  auto wang = as("wang", "w");
  NewConsultation c1 = consultation("张三", "110101198005010011", "头孢克肟胶囊饭前还是饭后吃？",
                                    "饭后服用，一日两次；take it with food.");
  c1.drugs = {"头孢克肟胶囊"};
  c1.transcript = "患者：孩子能吃吗？\n药师：儿童需遵医嘱减量。";
  auto mine = ConsultationService(*wang).record(c1);
  RX_ASSERT_OK(mine);
  auto li = as("li", "l");
  auto other = ConsultationService(*li).record(
      consultation("王五", "110101199001010022", "夜里咳嗽能不能吃右美沙芬？", "可以，睡前服用。"));
  RX_ASSERT_OK(other);
  auto servedElsewhere = ConsultationService(*li).record(
      consultation("张三", "110101198005010011", "头晕", "测血压，必要时就医。"));
  RX_ASSERT_OK(servedElsewhere);

  ConsultationService wangs(*wang);
  auto search = [&](const std::string& text) {
    data::ConsultationQuery q;
    q.text = text;
    return ids(wangs.search(q));
  };
  EXPECT_EQ(search("头孢"), std::vector<std::int64_t>{*mine}) << "a two-character Chinese word";
  EXPECT_EQ(search("克肟胶"), std::vector<std::int64_t>{*mine}) << "a Chinese substring";
  EXPECT_EQ(search("FOOD"), std::vector<std::int64_t>{*mine}) << "English, any case";
  EXPECT_EQ(search("减量"), std::vector<std::int64_t>{*mine}) << "in the transcript";
  EXPECT_EQ(search("饭后 头孢"), std::vector<std::int64_t>{*mine}) << "every word must occur";
  EXPECT_TRUE(search("饭后 咳嗽").empty());
  EXPECT_TRUE(search("咳嗽").empty()) << "li's consultation with a patient wang has not served";
  // li's consultation with 张三, whom wang consulted: wang serves 张三 and may see it.
  EXPECT_EQ(search("头晕"), std::vector<std::int64_t>{*servedElsewhere});
  EXPECT_EQ(wangs.show(*other).status().code(), ErrorCode::kPermissionDenied);
  RX_EXPECT_OK(wangs.show(*servedElsewhere));

  data::ConsultationQuery byDrug;
  byDrug.drug = "头孢克肟胶囊";
  EXPECT_EQ(ids(wangs.search(byDrug)), std::vector<std::int64_t>{*mine});
  data::ConsultationQuery later;
  later.from = fromDays(*toDays(beijingToday()) + std::chrono::days(1));
  EXPECT_TRUE(ids(wangs.search(later)).empty());
  data::ConsultationQuery badDate;
  badDate.from = "2026-13-01";
  EXPECT_EQ(wangs.search(badDate).status().code(), ErrorCode::kInvalidArgument);

  // One character scans, and still finds it (嗽 only in li's, 孩 only in wang's transcript).
  EXPECT_EQ(search("孩"), std::vector<std::int64_t>{*mine});
}

TEST_F(ConsultationTest, APatientWhosePrescriptionTheyDecidedIsServed) {
  auto li = as("li", "l");
  auto theirs = ConsultationService(*li).record(
      consultation("赵六", "110101197001010033", "降压药漏服一次怎么办", "想起时补服，勿加倍。"));
  RX_ASSERT_OK(theirs);
  auto wang = as("wang", "w");
  data::ConsultationQuery q;
  q.text = "降压药";
  EXPECT_TRUE(ConsultationService(*wang).search(q)->empty());
  ocr::ExtractedFields f;
  f.fields["rx_number"] = {"202600000099", 0.95f, {}};
  f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
  f.fields["date"] = {beijingToday(), 0.95f, {}};
  f.fields["patient_name"] = {"赵六", 0.95f, {}};
  ReviewService review(*wang);
  auto id = test::presented(IntakeService(review).presentPaper(f, "p.jpg"));
  RX_ASSERT_OK(id);
  RX_ASSERT_OK(review.startReview(*id));
  RX_ASSERT_OK(review.confirmFields(*id, {{"patient_id_no", "110101197001010033"}}));
  RX_ASSERT_OK(review.decide(*id, {Decision::kAsk, {"need-info"}, "", false}));
  EXPECT_EQ(ids(ConsultationService(*wang).search(q)), std::vector<std::int64_t>{*theirs});
}

TEST_F(ConsultationTest, SupervisorsSeeAllAndEveryReadIsAudited) {
  auto li = as("li", "l");
  auto id = ConsultationService(*li).record(
      consultation("王五", "110101199001010022", "夜里咳嗽能不能吃右美沙芬？", "可以，睡前服用。"));
  RX_ASSERT_OK(id);
  auto zhou = as("zhou", "z");
  ConsultationService supervisor(*zhou);
  data::ConsultationQuery q;
  q.text = "咳嗽";
  EXPECT_EQ(ids(supervisor.search(q)), std::vector<std::int64_t>{*id});
  RX_ASSERT_OK(supervisor.show(*id));
  data::AuditLog log(zhou->store().connection());
  auto report = log.verify();
  RX_ASSERT_OK(report);
  auto entries = log.entries(1, report->entries);
  RX_ASSERT_OK(entries);
  int searches = 0, reads = 0;
  for (const auto& e : *entries) {
    if (e.actor != "zhou") continue;
    searches += e.event == "consult.search";
    reads += e.event == "consult.read" && e.subject == std::to_string(*id);
  }
  EXPECT_EQ(searches, 1);
  EXPECT_EQ(reads, 1);

  auto admin = as("admin", "pw");
  EXPECT_EQ(ConsultationService(*admin).search(q).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(ConsultationService(*zhou).record(consultation("a", "b", "c", "d")).status().code(),
            ErrorCode::kPermissionDenied)
      << "consultations are a pharmacist's";
}

TEST_F(ConsultationTest, BadInputIsNamedAndRecordsAreNeverEdited) {
  auto wang = as("wang", "w");
  ConsultationService service(*wang);
  NewConsultation c = consultation("张三", "110101198005010011", "问题", "建议");
  c.channel = "wechat";
  EXPECT_NE(service.record(c).status().message().find("channel 'wechat'"), std::string::npos);
  c.channel = "online";
  c.advice.clear();
  EXPECT_NE(service.record(c).status().message().find("advice"), std::string::npos);
  c.advice = "建议";
  c.prescriptionId = 999;
  EXPECT_EQ(service.record(c).status().code(), ErrorCode::kNotFound);
  c.prescriptionId.reset();
  NewConsultation anonymous;
  anonymous.question = "这个药孕妇能用吗";
  anonymous.advice = "请咨询医生";
  auto id = service.record(anonymous);
  RX_ASSERT_OK(id);
  EXPECT_FALSE(service.show(*id)->patientName.has_value());
  EXPECT_FALSE(
      wang->store()
          .connection()
          .exec("UPDATE consultations SET advice = 'changed' WHERE id = " + std::to_string(*id))
          .isOk());
}

}  // namespace
}  // namespace rx::ws
