#include "workstation/review.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "base/time.h"
#include "counter_store.h"
#include "data/agreements.h"
#include "data/audit.h"
#include "data/reuse.h"
#include "ocr/reader.h"
#include "presenting.h"
#include "printout.h"
#include "run_process.h"
#include "store_fixture.h"
#include "workstation/backup.h"
#include "workstation/content.h"
#include "workstation/csv.h"
#include "workstation/demo_documents.h"
#include "workstation/dispensing.h"
#include "workstation/intake.h"
#include "workstation/records.h"
#include "workstation/settings.h"
#include "workstation/voucher.h"

namespace rx::ws {
namespace {

using nlohmann::json;

data::ProductRecord product(const std::string& code, const std::string& drug,
                            const std::string& maker, std::int64_t priceFen) {
  return test::testProduct(code, drug, maker, priceFen);
}

class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = test::makeCounterStore(path());
    RX_ASSERT_OK(admin);
    auto agreement = signAgreement(
        demoAgreementDraft("AG-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                           "91440300708461136T", "2026-01-01", "2099-12-31"),
        provider_, "2026-01-01T00:00:00Z");
    RX_ASSERT_OK(agreement);
    RX_ASSERT_OK(AgreementService(**admin).import(*agreement, "ag.json"));
    // The products the tests' package codes are: 8123456 (药品追溯码) and a GTIN of the same drug
    // from another maker, and a drug no test prescription prescribes.
    ProductService products(**admin);
    RX_ASSERT_OK(products.put(product("8123456", "阿莫西林胶囊", "示例制药有限公司", 1250)));
    RX_ASSERT_OK(products.put(product("06901234567892", "阿莫西林胶囊", "另一制药厂", 1500)));
    RX_ASSERT_OK(products.put(product("8765432", "头孢克肟胶囊", "示例制药有限公司", 3200)));
    admin->reset();
    auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    wang_ = std::move(*wang);
  }
  std::string path() const { return dir_.file("r.rxdb"); }
  std::int64_t handOutToday(ReviewService& review, DemoPrescription& p);
  // The signed QR code the provider prints on `p`'s printout.
  std::string printoutQr(const DemoPrescription& p) {
    auto erx = parseEPrescription(*signEPrescription(demoBundle(p), provider_, p.issuedAt), "x");
    EXPECT_TRUE(test::isOk(erx));
    auto qr = erx ? makeRxQr(*erx, provider_, p.issuedAt) : Result<std::string>(erx.status());
    EXPECT_TRUE(test::isOk(qr));
    return qr ? *qr : std::string();
  }
  // `copy` was found to be a certain reuse of `first`, which blocks its approval.
  void expectCertainReuseOf(ReviewService& review, std::int64_t copy, std::int64_t first) {
    auto finding = review.reuse().finding(copy);
    RX_ASSERT_OK(finding);
    EXPECT_EQ((*finding)->verdict, dedup::Verdict::kCertain);
    ASSERT_FALSE((*finding)->matches.empty());
    EXPECT_EQ((*finding)->matches[0].record, first);
    EXPECT_EQ(checkMap(copy)["reuse"], Severity::kBlock);
  }
  std::int64_t presentToday(DemoPrescription p = {}) {
    p.issuedAt = utcTimestamp();
    auto text = signEPrescription(demoBundle(p), provider_, p.issuedAt);
    auto erx = parseEPrescription(*text, "rx.json");
    EXPECT_TRUE(test::isOk(erx));
    ReviewService review(*wang_);
    auto presented = IntakeService(review).presentElectronic(*erx, "rx.json");
    EXPECT_TRUE(test::isOk(presented));
    return presented ? presented->record : 0;
  }
  std::map<std::string, Severity> checkMap(std::int64_t id) {
    std::map<std::string, Severity> out;
    auto checks = ReviewService(*wang_).checks(id, beijingToday());
    EXPECT_TRUE(test::isOk(checks));
    if (checks)
      for (const auto& c : *checks) out[c.rule] = c.severity;
    return out;
  }
  void approve(ReviewService& review, std::int64_t id) {
    RX_ASSERT_OK(review.startReview(id));
    RX_ASSERT_OK(review.confirmFields(id, {{"patient_id_no", "110101198005010011"}}));
    RX_ASSERT_OK(review.decide(id, {Decision::kApprove, {}, "", true}));
  }
  test::TempDir dir_;
  crypto::SigningKey provider_ = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  std::unique_ptr<Session> wang_;
};

namespace reuse {

// Hands out one package of `id` (approved; prepared and checked here): a partial hand-out of
// the demo prescription's 2 boxes, which uses the prescription like a complete one.
void dispense(ReviewService& review, std::int64_t id, const std::string& code) {
  DispensingService dispensing(review.session());
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  RX_ASSERT_OK(dispensing.scanPackage(id, code));
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
  RX_ASSERT_OK(dispensing.handOut(id, /*partial=*/true));
}

ocr::ExtractedFields paperFields(const std::string& number, const std::string& date,
                                 const std::string& patient) {
  ocr::ExtractedFields f;
  f.fields["rx_number"] = {number, 0.95f, {}};
  f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
  f.fields["date"] = {date, 0.95f, {}};
  f.fields["patient_name"] = {patient, 0.95f, {}};
  ocr::DrugLine drug;
  drug.name = {"头孢克肟胶囊", 0.9f, {}};
  drug.drugClass = "rx";
  drug.quantity = {"2", 0.9f, {}};
  f.drugs.push_back(drug);
  return f;
}

}  // namespace reuse

// Presents `p` dated now, approves it and hands out one package: a used e-prescription.
std::int64_t ReviewTest::handOutToday(ReviewService& review, DemoPrescription& p) {
  p.issuedAt = utcTimestamp();
  const std::int64_t id = presentToday(p);
  approve(review, id);
  reuse::dispense(review, id, "81234560000012345679");
  return id;
}

TEST_F(ReviewTest, ElectronicPrescriptionFromIntakeToHandOut) {
  ReviewService review(*wang_);
  DispensingService dispensing(review.session());
  const std::int64_t id = presentToday();
  auto queued = review.queue();
  RX_ASSERT_OK(queued);
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_FALSE(instructionsVisible(queued->at(0))) << "no instructions before approval (M13)";

  RX_ASSERT_OK(review.startReview(id));
  EXPECT_EQ(checkMap(id)["real-name"], Severity::kBlock) << "ID number not yet recorded";
  // Nothing can be dispensed before approval.
  EXPECT_EQ(dispensing.scanPackage(id, "81234560000012345678").status().code(),
            ErrorCode::kConflict);
  auto blocked = review.decide(id, {Decision::kApprove, {}, "", true});
  EXPECT_EQ(blocked.status().code(), ErrorCode::kConflict);
  EXPECT_NE(blocked.status().message().find("real-name"), std::string::npos)
      << blocked.status().message();

  RX_ASSERT_OK(review.confirmFields(id, {{"patient_id_no", "110101198005010011"}}));
  for (const auto& [rule, severity] : checkMap(id)) EXPECT_EQ(severity, Severity::kOk) << rule;
  auto noWarning = review.decide(id, {Decision::kApprove, {}, "", false});
  EXPECT_NE(noWarning.status().message().find(kRiskWarning), std::string::npos);
  auto decision = review.decide(id, {Decision::kApprove, {}, "用药合理", true});
  RX_ASSERT_OK(decision);
  RX_EXPECT_OK(review.verifyDecision(*decision));

  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  RX_ASSERT_OK(dispensing.scanPackage(id, "81234560000012345678\r\n"));
  RX_ASSERT_OK(dispensing.scanPackage(id, "(01)06901234567892(17)280630(10)B2301(21)SN0001"));
  // The same pack scanned twice: a slip at this counter, not a pack dispensed before.
  auto twice = dispensing.scanPackage(id, "81234560000012345678");
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.status().code(), ErrorCode::kConflict);
  EXPECT_NE(twice.status().message().find("already scanned"), std::string::npos)
      << twice.status().message();
  EXPECT_EQ(dispensing.handOut(id).code(), ErrorCode::kConflict) << "check (核对) is missing";
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
  RX_ASSERT_OK(dispensing.handOut(id));
  auto closed = data::PrescriptionRepository(wang_->store().connection()).find(id);
  RX_ASSERT_OK(closed);
  EXPECT_EQ(closed->state, data::RxState::kClosed);
  // Retention: 5 years from arrival, or 1 year past the latest expiry (2028-06-30 + 1 = 2029).
  EXPECT_EQ(closed->retainUntil, retentionDate(datePart(closed->arrivedAt), std::nullopt));
  auto report = data::AuditLog(wang_->store().connection()).verify();
  RX_ASSERT_OK(report);
  EXPECT_FALSE(report->problem);
  auto entries = data::AuditLog(wang_->store().connection()).entries(1, report->entries);
  std::set<std::string> events;
  for (const auto& e : *entries) events.insert(e.event);
  for (const char* e : {"rx.verify", "rx.present", "review.decide", "dispense.prepare",
                        "dispense.package", "dispense.check", "dispense.hand_out"})
    EXPECT_TRUE(events.count(e)) << "no audit entry for " << e;
}

TEST_F(ReviewTest, AFailureBetweenVerificationAndQueueingLeavesNothingHalfRecorded) {
  DemoPrescription p;
  p.issuedAt = utcTimestamp();
  auto erx =
      parseEPrescription(*signEPrescription(demoBundle(p), provider_, p.issuedAt), "rx.json");
  RX_ASSERT_OK(erx);
  auto& conn = wang_->store().connection();
  auto auditEvents = [&] {
    std::multiset<std::string> events;
    auto report = data::AuditLog(conn).verify();
    EXPECT_TRUE(test::isOk(report));
    if (!report) return events;
    auto entries = data::AuditLog(conn).entries(1, report->entries);
    if (entries)
      for (const auto& e : *entries) events.insert(e.event);
    return events;
  };
  const auto before = auditEvents();
  // The store refuses the record after the verification was written, as a full disk would.
  RX_ASSERT_OK(
      conn.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON prescriptions "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"));
  ReviewService review(*wang_);
  auto failed = IntakeService(review).presentElectronic(*erx, "rx.json");
  EXPECT_FALSE(failed);
  RX_ASSERT_OK(conn.exec("DROP TRIGGER refuse"));
  auto verifications = data::AgreementRepository(conn).verificationsOf(erx->rxNumber);
  RX_ASSERT_OK(verifications);
  EXPECT_TRUE(verifications->empty()) << "a verification without its queued record";
  EXPECT_EQ(auditEvents(), before) << "audit entries of a presentation that did not happen";
  auto queued = review.queue();
  RX_ASSERT_OK(queued);
  EXPECT_TRUE(queued->empty());
  EXPECT_EQ(review.reuse().size(), 0u) << "the index learnt a presentation that was undone";

  // Presented again once the store takes it: recorded once, verified once.
  auto presented = IntakeService(review).presentElectronic(*erx, "rx.json");
  RX_ASSERT_OK(presented);
  EXPECT_TRUE(presented->signature && presented->signature->accepted());
  EXPECT_EQ(presented->finding.verdict, dedup::Verdict::kNew);
  EXPECT_EQ(data::AgreementRepository(conn).verificationsOf(erx->rxNumber)->size(), 1u);
}

TEST_F(ReviewTest, AQrCodeLendsAPaperItsNumberOnlyWhenItsSignatureVerifies) {
  ReviewService review(*wang_);
  DemoPrescription p;
  const std::int64_t first = handOutToday(review, p);
  auto erx = parseEPrescription(*signEPrescription(demoBundle(p), provider_, p.issuedAt), "x");
  RX_ASSERT_OK(erx);
  // A QR code naming the used prescription, signed by a key no agreement pins: anyone can print
  // one. The paper's own (misread) number stands, so it is not taken for the used prescription.
  const auto forger = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  auto forged = makeRxQr(*erx, forger, p.issuedAt);
  RX_ASSERT_OK(forged);
  auto fields = reuse::paperFields("RX2026112Z-0001", beijingToday(), "另一位患者");
  auto copy = IntakeService(review).presentPaper(fields, "printout.jpg", {}, {*forged});
  RX_ASSERT_OK(copy);
  for (const auto& m : copy->finding.matches)
    EXPECT_NE(m.record, first) << "matched the used prescription through an unverified QR code";
}

TEST_F(ReviewTest, SecondUseOfThePrescriptionAndOfATraceCodeAreRefused) {
  ReviewService review(*wang_);
  const std::int64_t first = presentToday();
  approve(review, first);
  reuse::dispense(review, first, "81234560000012345678");

  // The same e-prescription presented again: the reuse rule blocks it.
  const std::int64_t again = presentToday();
  RX_ASSERT_OK(review.startReview(again));
  EXPECT_EQ(checkMap(again)["reuse"], Severity::kBlock);

  // Another prescription, but the same package code scanned again: refused, naming the earlier one.
  DemoPrescription other;
  other.rxNumber = "RX20261122-0002";
  const std::int64_t second = presentToday(other);
  approve(review, second);
  auto dup = DispensingService(review.session()).scanPackage(second, "81234560000012345678");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.status().code(), ErrorCode::kAlreadyExists) << "a pack handed out before";
  EXPECT_NE(dup.status().message().find("prescription " + std::to_string(first)), std::string::npos)
      << dup.status().message();

  // The same pack at a prescription of another drug: still "handed out before", not "another drug".
  DemoPrescription cefixime;
  cefixime.rxNumber = "RX20261122-0003";
  cefixime.drugs = {{"头孢克肟胶囊", "rx", "0.1g×6粒", 1, "盒", "口服 一次1粒 一日2次"}};
  const std::int64_t third = presentToday(cefixime);
  approve(review, third);
  auto sold = DispensingService(review.session()).scanPackage(third, "81234560000012345678");
  ASSERT_FALSE(sold);
  EXPECT_EQ(sold.status().code(), ErrorCode::kAlreadyExists) << sold.status().message();
  EXPECT_NE(sold.status().message().find("handed out before"), std::string::npos)
      << sold.status().message();
}

TEST_F(ReviewTest, TwoPharmacistsCannotReviewTheSamePrescription) {
  const std::int64_t id = presentToday();
  RX_ASSERT_OK(ReviewService(*wang_).startReview(id));
  wang_.reset();
  auto li = Session::login(path(), "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(li);
  auto taken = ReviewService(**li).startReview(id);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.status().code(), ErrorCode::kConflict);
  EXPECT_NE(taken.status().message().find("'wang'"), std::string::npos) << taken.status().message();
}

TEST_F(ReviewTest, ClosingWithoutADecisionPutsItBackForAnyPharmacist) {
  const std::int64_t id = presentToday();
  {
    ReviewService review(*wang_);
    RX_ASSERT_OK(review.startReview(id));
    RX_ASSERT_OK(review.closeReview(id));
    auto back = review.record(id);
    RX_ASSERT_OK(back);
    EXPECT_EQ(back->state, data::RxState::kQueued);
    EXPECT_FALSE(back->lockedBy);
  }
  wang_.reset();
  auto li = Session::login(path(), "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(li);
  ReviewService other(**li);
  RX_EXPECT_OK(other.startReview(id)) << "the first pharmacist's lock was released";
  RX_ASSERT_OK(other.decide(id, {Decision::kAsk, {"incomplete"}, "", false}));
  RX_ASSERT_OK(other.startReview(id));
  RX_ASSERT_OK(other.closeReview(id));
  EXPECT_EQ(other.record(id)->state, data::RxState::kNeedsInfo) << "still waiting for information";
}

TEST_F(ReviewTest, SecondPharmacistCheckSetting) {
  ReviewSettings settings;
  settings.secondPharmacistCheck = true;
  ReviewService review(*wang_, settings);
  const std::int64_t id = presentToday();
  approve(review, id);
  DispensingService dispensing(*wang_, settings);
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  EXPECT_EQ(dispensing.recordStep(id, data::DispenseStep::kCheck).code(), ErrorCode::kConflict);
  wang_.reset();
  auto li = Session::login(path(), "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(li);
  RX_EXPECT_OK(DispensingService(**li, settings).recordStep(id, data::DispenseStep::kCheck));
}

TEST_F(ReviewTest, RulesFireOnTheirOwn) {
  DemoPrescription p;
  p.drugs = {DemoDrug{"复方盐酸伪麻黄碱缓释胶囊", "otc-a", "", 8, "盒", "口服"},
             DemoDrug{"盐酸吗啡片", "narcotic", "", 1, "盒", "口服"},
             DemoDrug{"阿莫西林胶囊", "rx", "", 1, "盒", "口服"},
             DemoDrug{"阿莫西林胶囊", "rx", "", 1, "盒", "口服"}};
  const std::int64_t id = presentToday(p);
  // The e-prescription parser keeps the class from the Bundle; ephedrine comes from the catalogue
  // for paper prescriptions, so it is not flagged here.
  auto checks = checkMap(id);
  EXPECT_EQ(checks["special-management"], Severity::kBlock);
  EXPECT_EQ(checks["supply-limit"], Severity::kWarn);
  EXPECT_EQ(checks["duplicate-drugs"], Severity::kWarn);
  EXPECT_EQ(checks["scope"], Severity::kBlock) << "narcotics are never in an agreement's scope";
  EXPECT_EQ(checks["signature"], Severity::kBlock)
      << "the verdict itself refused the out-of-scope drug";
}

TEST_F(ReviewTest, ExpiredPaperPrescriptionWithUnconfirmedFields) {
  ocr::ExtractedFields fields;
  fields.fields["rx_number"] = {"202600001234", 0.95f, {}};
  fields.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
  fields.fields["date"] = {"2026-01-05", 0.95f, {}};
  fields.fields["patient_name"] = {"郑梓营", 0.42f, {}};
  ocr::DrugLine drug;
  drug.name = {"头孢克肟胶囊", 0.7f, {}};
  drug.drugClass = "rx";
  drug.quantity = {"2", 0.9f, {}};
  drug.ephedrine = false;
  fields.drugs.push_back(drug);
  ReviewService review(*wang_);
  auto id = test::presented(IntakeService(review).presentPaper(fields, "photo.jpg"));
  RX_ASSERT_OK(id);
  auto checks = checkMap(*id);
  EXPECT_EQ(checks["validity"], Severity::kBlock);
  EXPECT_EQ(checks["ocr-confirmed"], Severity::kBlock);
  RX_ASSERT_OK(review.startReview(*id));
  RX_ASSERT_OK(review.confirmFields(
      *id, {{"patient_name", "郑梓萱"}, {"patient_id_no", "110101199001010022"}}));
  checks = checkMap(*id);
  EXPECT_EQ(checks["ocr-confirmed"], Severity::kOk);
  EXPECT_EQ(checks["real-name"], Severity::kOk);
  // Rejected with a reason, signed like an approval.
  auto rejected = review.decide(*id, {Decision::kReject, {"expired"}, "处方已过期", false});
  RX_ASSERT_OK(rejected);
  RX_EXPECT_OK(review.verifyDecision(*rejected));
  EXPECT_EQ(review.decide(*id, {Decision::kReject, {}, "", false}).status().code(),
            ErrorCode::kConflict);
}

TEST_F(ReviewTest, AlteredDecisionIsDetected) {
  ReviewService review(*wang_);
  const std::int64_t id = presentToday();
  RX_ASSERT_OK(review.startReview(id));
  auto d = review.decide(id, {Decision::kAsk, {"need-id"}, "请补充身份证号", false});
  RX_ASSERT_OK(d);
  data::DecisionRecord forged = *d;
  forged.decision = "approve";
  EXPECT_EQ(review.verifyDecision(forged).code(), ErrorCode::kBadSignature);
  forged = *d;
  forged.payload.replace(forged.payload.find("请补充"), 9, "不需要");
  EXPECT_EQ(review.verifyDecision(forged).code(), ErrorCode::kBadSignature);
}

// Issue 25: wang holds the database key like everyone who logs in. With SQL he adds a signing key
// "of" li (a key he made) and signs a decision in li's name with it; he also tries to make the key
// look registered, by copying an admin registration and by registering the key with itself.
// Neither the decision nor the key passes; li's own key, made at `user add`, does.
TEST_F(ReviewTest, ADecisionSignedWithAKeyPlantedForAnotherPharmacistIsRefused) {
  ReviewService review(*wang_);
  const std::int64_t id = presentToday();
  RX_ASSERT_OK(review.startReview(id));
  auto d = review.decide(id, {Decision::kAsk, {"need-id"}, "请补充身份证号", false});
  RX_ASSERT_OK(d);
  RX_EXPECT_OK(review.verifyDecision(*d)) << "wang's own key: registered at user add, confirmed";

  auto& conn = wang_->store().connection();
  const crypto::SigningKey planted = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  const std::string plantedId = planted.publicKey().keyId();
  auto plant = conn.prepare(
      "INSERT INTO user_keys(user_name, key_id, public_key, wrapped_private, nonce, created_at, "
      "retired_at) "
      "VALUES ('li', ?, ?, x'00', x'00', '2026-01-01T00:00:00Z', "
      "'2026-01-02T00:00:00Z')");
  RX_ASSERT_OK(plant);
  RX_ASSERT_OK(plant->bind(1, plantedId).bind(2, planted.publicKey().spki()).run());
  data::UserKeyRepository keys = wang_->store().userKeys();
  auto row = keys.find("li", plantedId);
  RX_ASSERT_OK(row);
  ASSERT_TRUE(row->has_value());
  RX_ASSERT_OK(keys.recordConfirmation(**row, planted));  // he holds the key, so this he can do

  data::DecisionRecord forged = *d;
  forged.decidedBy = "li";
  forged.keyId = plantedId;
  auto sig = planted.sign(crypto::toBytes(forged.payload));
  RX_ASSERT_OK(sig);
  forged.signature = *sig;
  const auto refusedBecause = [&](const std::string& words) {
    Status s = review.verifyDecision(forged);
    EXPECT_EQ(s.code(), ErrorCode::kBadSignature) << s.message();
    EXPECT_NE(s.message().find(words), std::string::npos) << s.message();
  };
  refusedBecause("never registered by an admin");

  // An admin's registration copied from li's real key: it signed another statement.
  auto real = keys.current("li");
  RX_ASSERT_OK(real);
  ASSERT_TRUE(real->has_value());
  EXPECT_EQ((*real)->registeredBy, "admin");
  auto copy = conn.prepare(
      "UPDATE user_keys SET registered_by = ?, registered_with = ?, registered_at = ?, "
      "registration = ? WHERE key_id = ?");
  RX_ASSERT_OK(copy);
  RX_ASSERT_OK(copy->bind(1, *(*real)->registeredBy)
                   .bind(2, *(*real)->registeredWith)
                   .bind(3, *(*real)->registeredAt)
                   .bind(4, (*real)->registration)
                   .bind(5, plantedId)
                   .run());
  refusedBecause("does not verify");

  // Registered with itself: only the store's first admin key, named by the audit log, may be.
  row = keys.find("li", plantedId);
  RX_ASSERT_OK(row);
  RX_ASSERT_OK(keys.recordRegistration(**row, "li", planted));
  refusedBecause("registers itself");

  // Registered with wang's own (registered) key after making himself an admin in the users table:
  // his key was registered as a pharmacist's, and that is what counts.
  RX_ASSERT_OK(conn.exec("UPDATE users SET role = 'admin' WHERE name = 'wang'"));
  auto own = wang_->store().personalKey();
  RX_ASSERT_OK(own);
  row = keys.find("li", plantedId);
  RX_ASSERT_OK(row);
  RX_ASSERT_OK(keys.recordRegistration(**row, "wang", *own));
  refusedBecause("not registered as an admin's");
  RX_ASSERT_OK(conn.exec("UPDATE users SET role = 'pharmacist' WHERE name = 'wang'"));
  row = keys.find("li", plantedId);
  RX_ASSERT_OK(row);
  RX_ASSERT_OK(keys.recordRegistration(**row, "li", planted));  // as before, for the list below

  // The supervisor's check of every key names the planted one and only it.
  auto zhou = Session::login(path(), "zhou", "z", test::fastStoreOptions());
  RX_ASSERT_OK(zhou);
  auto standings = (*zhou)->checkSigningKeys();
  RX_ASSERT_OK(standings);
  int problems = 0;
  for (const data::UserKeyStanding& k : *standings) {
    if (k.key.keyId == plantedId) {
      EXPECT_NE(k.problem.find("registers itself"), std::string::npos) << k.problem;
    } else {
      EXPECT_EQ(k.problem, "") << k.key.user;
      EXPECT_TRUE(k.registered) << k.key.user;
    }
    problems += !k.problem.empty();
  }
  EXPECT_EQ(problems, 1);
  EXPECT_EQ(standings->size(), 5u) << "admin, wang, li, zhou and the planted key";
}

// The supervisor's audit check verifies every signed decision with its registered key: one changed
// in the database afterwards is named.
TEST_F(ReviewTest, EverySignedDecisionIsVerifiedForTheSupervisor) {
  ReviewService review(*wang_);
  const std::int64_t id = presentToday();
  RX_ASSERT_OK(review.startReview(id));
  auto d = review.decide(id, {Decision::kAsk, {"need-id"}, "请补充身份证号", false});
  RX_ASSERT_OK(d);
  EXPECT_EQ(review.verifyAllDecisions().status().code(), ErrorCode::kPermissionDenied);
  auto zhou = Session::login(path(), "zhou", "z", test::fastStoreOptions());
  RX_ASSERT_OK(zhou);
  auto intact = ReviewService(**zhou).verifyAllDecisions();
  RX_ASSERT_OK(intact);
  EXPECT_EQ(intact->checked, 1);
  EXPECT_EQ(intact->failed, 0);
  RX_ASSERT_OK(wang_->store().connection().exec(
      "UPDATE review_decisions SET decision = 'approve' WHERE id = " + std::to_string(d->id)));
  auto changed = ReviewService(**zhou).verifyAllDecisions();
  RX_ASSERT_OK(changed);
  EXPECT_EQ(changed->failed, 1);
  ASSERT_EQ(changed->problems.size(), 1u);
  EXPECT_NE(changed->problems[0].find("decision " + std::to_string(d->id)), std::string::npos)
      << changed->problems[0];
}

TEST_F(ReviewTest, OnlyPharmacistsReview) {
  const std::int64_t id = presentToday();
  wang_.reset();
  auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  EXPECT_EQ(ReviewService(**admin).startReview(id).status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(ReviewTest, RecallFindsTheBuyerAndPurgeKeepsWhatIsStillInItsPeriod) {
  ReviewService review(*wang_);
  const std::int64_t id = presentToday();
  approve(review, id);
  reuse::dispense(review, id, "(01)06901234567892(17)280630(10)B2301(21)SN0001");
  EXPECT_EQ(RecordsService(review.session())
                .recall(std::string("阿莫西林胶囊"), std::string("B2301"), std::nullopt)
                .status()
                .code(),
            ErrorCode::kPermissionDenied);
  wang_.reset();
  auto zhou = Session::login(path(), "zhou", "z", test::fastStoreOptions());
  RX_ASSERT_OK(zhou);
  RecordsService supervisor(**zhou);
  auto rows = supervisor.recall(std::string("阿莫西林胶囊"), std::string("B2301"), std::nullopt);
  RX_ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).prescriptionId, id);
  EXPECT_EQ(rows->at(0).patientIdNo, "110101198005010011");
  EXPECT_EQ(
      supervisor.recall(std::string("阿莫西林胶囊"), std::string("OTHER"), std::nullopt)->size(),
      0u);
  EXPECT_EQ(
      supervisor.recall(std::nullopt, std::nullopt, std::string("(01)06901234567892(21)SN0001"))
          ->size(),
      1u);

  // Nothing is purged inside its period; a supervisor may look but not delete.
  EXPECT_TRUE(supervisor.purge(true, beijingToday())->empty());
  auto later = supervisor.purge(true, "2040-01-01");
  RX_ASSERT_OK(later);
  EXPECT_EQ(*later, std::vector<std::int64_t>{id});
  EXPECT_EQ(supervisor.purge(false, "2040-01-01").status().code(), ErrorCode::kPermissionDenied);
  zhou->reset();
  auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  RX_ASSERT_OK(RecordsService(**admin).purge(false, "2040-01-01"));
  EXPECT_EQ(data::PrescriptionRepository((*admin)->store().connection()).find(id).status().code(),
            ErrorCode::kNotFound);
  // The used mark outlives the record: the same prescription is still caught.
  auto used = data::PrescriptionRepository((*admin)->store().connection())
                  .usedBy("12440000455858776H", "RX20261122-0001");
  RX_ASSERT_OK(used);
  EXPECT_TRUE(used->has_value());
}

TEST(Retention, FiveYearsOrOneYearPastExpiry) {
  EXPECT_EQ(retentionDate("2026-11-22", std::nullopt), "2031-11-22");
  EXPECT_EQ(retentionDate("2026-11-22", "2030-06-30"), "2031-11-22");
  EXPECT_EQ(retentionDate("2026-11-22", "2031-06-30"), "2032-06-30");
  EXPECT_EQ(retentionDate("2028-02-29", std::nullopt), "2033-02-28");
}

namespace rx::ws {
namespace {

TEST(IssuerShown, AnEPrescriptionsProviderByNameOnlyWhenItsAgreementIsMadeOutToIt) {
  data::PrescriptionRecord r;
  r.kind = data::RxKind::kElectronic;
  r.issuer = "12440000455858776H";
  ReadFields f;
  f.signature = {{"agreement", {{"provider", "示例互联网医院"}, {"issuer_matches", true}}}};
  r.fieldsJson = f.toStored();
  EXPECT_EQ(issuerShown(r), "示例互联网医院（12440000455858776H）");
  // The agreement found by the signing key is another provider's: its name is not this issuer's.
  f.signature["agreement"]["issuer_matches"] = false;
  r.fieldsJson = f.toStored();
  EXPECT_EQ(issuerShown(r), "12440000455858776H");
  r.kind = data::RxKind::kPaper;
  r.issuer = "北京市朝阳区第三人民医院";
  EXPECT_EQ(issuerShown(r), "北京市朝阳区第三人民医院");
}

TEST(MaskedName, ShowsOnlyTheSurname) {
  EXPECT_EQ(maskedName("张三"), "张*");
  EXPECT_EQ(maskedName("郑梓萱"), "郑**");
  EXPECT_EQ(maskedName("欧阳明月"), "欧阳**");
  EXPECT_EQ(maskedName(""), "");
}

}  // namespace
}  // namespace rx::ws

TEST_F(ReviewTest, ReuseFindingNamesTheDispensedEarlierPresentation) {
  ReviewService review(*wang_);
  const std::int64_t first = presentToday();
  approve(review, first);
  reuse::dispense(review, first, "81234560000012345678");

  const std::int64_t again = presentToday();
  auto finding = review.reuse().finding(again);
  RX_ASSERT_OK(finding);
  ASSERT_TRUE(finding->has_value());
  const ReuseFinding& f = **finding;
  EXPECT_EQ(f.verdict, dedup::Verdict::kCertain);
  ASSERT_EQ(f.matches.size(), 1u);
  EXPECT_EQ(f.matches[0].record, first);
  EXPECT_EQ(f.matches[0].state, "partially_dispensed") << "one of its two boxes handed out";
  EXPECT_TRUE(f.matches[0].used);
  EXPECT_EQ(f.matches[0].arrivedBy, "wang");
  EXPECT_EQ(f.matches[0].signals["number"], "same");
  // The hand-out marked the first presentation's fingerprint used, the second's not.
  std::map<std::int64_t, bool> used;
  RX_ASSERT_OK(data::ReuseRepository(wang_->store().connection())
                   .forEachFingerprint([&](std::int64_t id, const std::string&, bool u) {
                     used[id] = u;
                     return Status();
                   }));
  EXPECT_TRUE(used.at(first));
  EXPECT_FALSE(used.at(again));
  // A certain reuse cannot be overruled.
  auto overruled = review.reuse().overrule(again, "patient insists");
  EXPECT_EQ(overruled.code(), ErrorCode::kConflict);
  // The first presentation itself was new.
  auto own = review.reuse().finding(first);
  RX_ASSERT_OK(own);
  EXPECT_EQ((*own)->verdict, dedup::Verdict::kNew);
}

TEST_F(ReviewTest, PaperCopyOfAUsedEPrescriptionIsCaughtByItsQrCode) {
  ReviewService review(*wang_);
  DemoPrescription p;
  const std::int64_t first = handOutToday(review, p);
  const std::string qr = printoutQr(p);
  // OCR of the printout misread the number; the QR code carries the signed one.
  auto fields = reuse::paperFields("RX2026112Z-0001", beijingToday(), p.patientName);
  auto copy = test::presented(IntakeService(review).presentPaper(fields, "printout.jpg", {}, {qr}));
  RX_ASSERT_OK(copy);
  expectCertainReuseOf(review, *copy, first);
}

// The same, through the real path: the e-prescription's printout (the prescription on a paper form,
// its signed QR code in the lower right corner) is photographed, read by OCR, and its QR code
// decoded from the photo, verified against the pinned agreement and matched to the used record.
TEST_F(ReviewTest, APhotoOfThePrintoutOfAUsedEPrescriptionIsCaughtByTheQrCodeReadFromIt) {
  ReviewService review(*wang_);
  DemoPrescription p;
  const std::int64_t first = handOutToday(review, p);
  const std::string qr = printoutQr(p);
  const std::vector<std::uint8_t> photo = test::photographPrintout(p, qr, RXDESK_CATALOGUE);
  ASSERT_FALSE(photo.empty());

  auto lexicon = ocr::DrugLexicon::load(RXDESK_CATALOGUE);
  RX_ASSERT_OK(lexicon);
  auto read = ocr::makeStandardReader(&*lexicon)->read(photo, "printout.jpg");
  RX_ASSERT_OK(read);
  ASSERT_EQ(read->qrPayloads, std::vector<std::string>{qr}) << "the QR code was not read";
  auto copy = IntakeService(review).presentPaper(read->fields, "printout.jpg", read->page.gray,
                                                 read->qrPayloads);
  RX_ASSERT_OK(copy);
  EXPECT_EQ(copy->qrVerified, std::vector<bool>{true}) << "its signature verified";
  expectCertainReuseOf(review, copy->record, first);
}

TEST_F(ReviewTest, CorrectingTheFirstPresentationDoesNotFlagItAgainstALaterPhoto) {
  ReviewService review(*wang_);
  const std::string today = beijingToday();
  // The first photo's number was misread; the same paper photographed again reads right.
  auto first = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600001284", today, "郑梓萱"), "a.jpg"));
  RX_ASSERT_OK(first);
  auto second = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600001234", today, "郑梓萱"), "b.jpg"));
  RX_ASSERT_OK(second);
  RX_ASSERT_OK(review.startReview(*first));
  // The pharmacist corrects the first one from the paper: it now equals the later photo, which
  // is the reuse, not the first.
  RX_ASSERT_OK(review.confirmFields(*first, {{"rx_number", "202600001234"}}));
  auto finding = review.reuse().finding(*first);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kNew);
  EXPECT_NE(checkMap(*first)["reuse"], Severity::kBlock);
  EXPECT_EQ(checkMap(*second)["reuse"], Severity::kBlock);
}

TEST_F(ReviewTest, ASuspicionCanBeOverruledWithAReasonAndIsAudited) {
  ReviewService review(*wang_);
  const std::string today = beijingToday();
  auto first = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600001234", today, "郑梓萱"), "a.jpg"));
  RX_ASSERT_OK(first);
  // The same paper again, one digit misread.
  auto second = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600001284", today, "郑梓萱"), "b.jpg"));
  RX_ASSERT_OK(second);
  auto finding = review.reuse().finding(*second);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kSuspected);
  EXPECT_EQ(checkMap(*second)["reuse"], Severity::kBlock);

  EXPECT_EQ(review.reuse().overrule(*second, "  ").code(), ErrorCode::kInvalidArgument);
  RX_ASSERT_OK(review.reuse().overrule(*second, "两张处方号不同，医院电话确认"));
  EXPECT_EQ(checkMap(*second)["reuse"], Severity::kWarn);
  EXPECT_EQ(review.reuse().overrule(*second, "again").code(), ErrorCode::kConflict);
  // A fresh prescription has nothing to overrule.
  EXPECT_EQ(review.reuse().overrule(*first, "x").code(), ErrorCode::kConflict);

  auto report = data::AuditLog(wang_->store().connection()).verify();
  RX_ASSERT_OK(report);
  auto entries = data::AuditLog(wang_->store().connection()).entries(1, report->entries);
  RX_ASSERT_OK(entries);
  bool audited = false;
  for (const auto& e : *entries)
    audited = audited || (e.event == "rx.reuse-overrule" && e.subject == std::to_string(*second));
  EXPECT_TRUE(audited);
  // Supervisors review, they do not overrule at the counter.
  wang_.reset();
  auto zhou = Session::login(path(), "zhou", "z", test::fastStoreOptions());
  RX_ASSERT_OK(zhou);
  EXPECT_EQ(ReviewService(**zhou).reuse().overrule(*first, "x").code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(ReviewTest, ReuseIndexIsRebuiltFromTheStoreAtStartUp) {
  const std::string today = beijingToday();
  std::int64_t first = 0;
  {
    ReviewService review(*wang_);
    auto id = test::presented(IntakeService(review).presentPaper(
        reuse::paperFields("202600004321", today, "王芳"), "a.jpg"));
    RX_ASSERT_OK(id);
    first = *id;
  }
  // A new session (a restart): the earlier presentation is found from the stored fingerprints.
  wang_.reset();
  auto li = Session::login(path(), "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(li);
  ReviewService review(**li);
  auto again = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600004321", today, "王芳"), "b.jpg"));
  RX_ASSERT_OK(again);
  EXPECT_EQ(review.reuse().size(), 2u);
  auto finding = review.reuse().finding(*again);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kCertain);
  EXPECT_EQ((*finding)->matches.at(0).record, first);
  EXPECT_EQ((*finding)->matches.at(0).arrivedBy, "wang");
}

TEST_F(ReviewTest, ConfirmingAnUnreadableNumberRunsTheReuseCheckAgain) {
  ReviewService review(*wang_);
  const std::string today = beijingToday();
  auto first = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600007777", today, "赵敏"), "a.jpg"));
  RX_ASSERT_OK(first);
  // The same paper photographed in a way that hid the number and the name from OCR.
  auto blurred = reuse::paperFields("", today, "");
  blurred.fields.erase("rx_number");
  blurred.fields.erase("patient_name");
  auto second = test::presented(IntakeService(review).presentPaper(blurred, "b.jpg"));
  RX_ASSERT_OK(second);
  EXPECT_EQ((*review.reuse().finding(*second))->verdict, dedup::Verdict::kNew);

  RX_ASSERT_OK(review.startReview(*second));
  // Bad corrections are refused with the field named.
  auto bad = review.confirmFields(*second, {{"date", "2026/11/22"}});
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("'date'"), std::string::npos) << bad.message();
  EXPECT_EQ(review.confirmFields(*second, {{"colour", "red"}}).code(), ErrorCode::kInvalidArgument);
  // The pharmacist types the number and name from the paper: now it is caught.
  RX_ASSERT_OK(
      review.confirmFields(*second, {{"rx_number", "202600007777"}, {"patient_name", "赵敏"}}));
  auto finding = review.reuse().finding(*second);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kCertain);
  EXPECT_EQ((*finding)->matches.at(0).record, *first);
  EXPECT_EQ(checkMap(*second)["reuse"], Severity::kBlock);
  auto stored = data::PrescriptionRepository(wang_->store().connection()).find(*second);
  RX_ASSERT_OK(stored);
  EXPECT_EQ(stored->rxNumber.value_or(""), "202600007777");
}

TEST_F(ReviewTest, SignedFieldsOfAnEPrescriptionCannotBeCorrected) {
  ReviewService review(*wang_);
  const std::int64_t id = presentToday();
  RX_ASSERT_OK(review.startReview(id));
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"rx_number", "RX-OTHER"}, {"drug1", "头孢克肟胶囊"}, {"drug1.quantity", "9"}}) {
    auto s = review.confirmFields(id, {{key, value}});
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << key;
    EXPECT_NE(s.message().find("signed"), std::string::npos) << s.message();
  }
  RX_EXPECT_OK(review.confirmFields(id, {{"patient_id_no", "110101198005010011"}}));
}

TEST_F(ReviewTest, PresentationsByAnotherProgramAreSeenWithoutRestart) {
  const std::string today = beijingToday();
  ReviewService counter(*wang_);  // e.g. the GUI, open all day
  RX_ASSERT_OK(test::presented(IntakeService(counter).presentPaper(
      reuse::paperFields("202600000001", today, "甲"), "a.jpg")));
  // Meanwhile another program (a CLI batch) presents a prescription through its own session.
  auto li = Session::login(path(), "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(li);
  ReviewService batch(**li);
  auto other = test::presented(
      IntakeService(batch).presentPaper(reuse::paperFields("202600000002", today, "乙"), "b.jpg"));
  RX_ASSERT_OK(other);
  li->reset();
  // The same paper at the counter: its index catches up before comparing.
  auto again = test::presented(IntakeService(counter).presentPaper(
      reuse::paperFields("202600000002", today, "乙"), "c.jpg"));
  RX_ASSERT_OK(again);
  auto finding = counter.reuse().finding(*again);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kCertain);
  EXPECT_EQ((*finding)->matches.at(0).record, *other);
}

TEST_F(ReviewTest, RecordsFromBeforeFingerprintsAreFingerprintedAtLoad) {
  const std::string today = beijingToday();
  std::int64_t old = 0;
  {
    ReviewService review(*wang_);
    auto id = test::presented(IntakeService(review).presentPaper(
        reuse::paperFields("202600005555", today, "孙丽"), "a.jpg"));
    RX_ASSERT_OK(id);
    old = *id;
  }
  // As in a store written by an rxdesk without reuse detection.
  auto st = wang_->store().connection().prepare("DELETE FROM fingerprints");
  RX_ASSERT_OK(st);
  RX_ASSERT_OK(st->run());
  ReviewService review(*wang_);
  auto again = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600005555", today, "孙丽"), "b.jpg"));
  RX_ASSERT_OK(again);
  auto finding = review.reuse().finding(*again);
  RX_ASSERT_OK(finding);
  EXPECT_EQ((*finding)->verdict, dedup::Verdict::kCertain);
  EXPECT_EQ((*finding)->matches.at(0).record, old);
}

TEST(ReuseContent, EPrescriptionDateIsTheDayInChinaAsAPrintoutShowsIt) {
  EPrescription rx;
  rx.issuedAt = "2026-02-28T17:30:00Z";  // 01:30 on 1 March in Beijing
  EXPECT_EQ(contentOf(rx).date, "2026-03-01");
  rx.issuedAt = "2026-02-28T15:59:59Z";
  EXPECT_EQ(contentOf(rx).date, "2026-02-28");
  rx.issuedAt = "not a time";
  EXPECT_EQ(contentOf(rx).date, "");
}

}  // namespace
}  // namespace rx::ws

namespace rx::ws {
namespace {

TEST_F(ReviewTest, ScanRefusesUnknownProductsOtherDrugsAndOneBoxTooMany) {
  ReviewService review(*wang_);
  DispensingService dispensing(review.session());
  const std::int64_t id = presentToday();  // 阿莫西林胶囊 ×2 盒
  approve(review, id);
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  auto unknown = dispensing.scanPackage(id, "89999990000012345678");
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(
      unknown.status().message().find("product 8999999 is not in the pharmacy's product list"),
      std::string::npos)
      << unknown.status().message();
  auto other = dispensing.scanPackage(id, "87654320000012345678");
  EXPECT_EQ(other.status().code(), ErrorCode::kConflict);
  EXPECT_NE(other.status().message().find("头孢克肟胶囊"), std::string::npos)
      << other.status().message();
  EXPECT_NE(other.status().message().find("it prescribes 阿莫西林胶囊"), std::string::npos)
      << other.status().message();
  RX_ASSERT_OK(dispensing.scanPackage(id, "81234560000000000001"));
  auto second = dispensing.scanPackage(id, "(01)06901234567892(17)280630(10)B2301(21)SN0001");
  RX_ASSERT_OK(second);
  EXPECT_EQ(second->manufacturer, "另一制药厂") << "the product list names the maker";
  EXPECT_EQ(second->priceFen, 1500);
  auto third = dispensing.scanPackage(id, "81234560000000000003");
  EXPECT_EQ(third.status().code(), ErrorCode::kConflict);
  EXPECT_NE(third.status().message().find("2 of 2 盒"), std::string::npos)
      << third.status().message();
  // A package scanned by mistake is taken back, and its code can be scanned again later.
  RX_ASSERT_OK(dispensing.unscanPackage(id, "81234560000000000001"));
  RX_ASSERT_OK(dispensing.scanPackage(id, "81234560000000000003"));
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
  RX_ASSERT_OK(dispensing.handOut(id));
  EXPECT_EQ(dispensing.unscanPackage(id, "81234560000000000003").code(), ErrorCode::kNotFound)
      << "a handed-out package cannot be taken back";
}

TEST_F(ReviewTest, PartialHandOutUsesThePrescriptionAndTheRestClosesIt) {
  ReviewService review(*wang_);
  DispensingService dispensing(review.session());
  const std::int64_t id = presentToday();  // 阿莫西林胶囊 ×2 盒
  approve(review, id);
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  RX_ASSERT_OK(dispensing.scanPackage(id, "81234560000000000001"));
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
  Status whole = dispensing.handOut(id);
  EXPECT_EQ(whole.code(), ErrorCode::kConflict);
  EXPECT_NE(whole.message().find("阿莫西林胶囊 1 of 2 盒"), std::string::npos) << whole.message();
  RX_ASSERT_OK(dispensing.handOut(id, /*partial=*/true));
  data::PrescriptionRepository repo(wang_->store().connection());
  EXPECT_EQ(repo.find(id)->state, data::RxState::kPartiallyDispensed);
  EXPECT_EQ(*repo.usedBy("12440000455858776H", "RX20261122-0001"), id)
      << "the first hand-out uses the prescription";
  EXPECT_EQ(dispensing.handOut(id, true).code(), ErrorCode::kConflict) << "nothing new scanned";
  // Presented again while half dispensed: the reuse check blocks it.
  const std::int64_t again = presentToday();
  EXPECT_EQ(checkMap(again)["reuse"], Severity::kBlock);

  RX_ASSERT_OK(dispensing.scanPackage(id, "81234560000000000002"));
  RX_ASSERT_OK(dispensing.handOut(id));
  EXPECT_EQ(repo.find(id)->state, data::RxState::kClosed);
  auto progress = dispensing.progress(id);
  RX_ASSERT_OK(progress);
  ASSERT_EQ(progress->size(), 1u);
  EXPECT_EQ(progress->at(0).scanned, 2);

  // One voucher per hand-out, each with what that hand-out gave.
  VoucherService vouchers(*wang_);
  auto v1 = vouchers.voucher(id, 1);
  RX_ASSERT_OK(v1);
  EXPECT_TRUE(v1->partial);
  ASSERT_EQ(v1->lines.size(), 1u);
  EXPECT_EQ(v1->lines[0].traceCodes, std::vector<std::string>{"81234560000000000001"});
  auto v2 = vouchers.voucher(id);
  RX_ASSERT_OK(v2);
  EXPECT_EQ(v2->handOut, 2);
  EXPECT_FALSE(v2->partial);
  EXPECT_EQ(v2->lines[0].traceCodes, std::vector<std::string>{"81234560000000000002"});
  EXPECT_EQ(vouchers.voucher(id, 3).status().code(), ErrorCode::kNotFound);
}

TEST_F(ReviewTest, SettingsChangedByAnAdminApplyAtOnceAndAreAudited) {
  ReviewService review(*wang_);  // no fixed settings: the store's
  DispensingService dispensing(review.session());
  const std::int64_t id = presentToday();
  approve(review, id);
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  EXPECT_EQ(SettingsService(*wang_).set("review.second_pharmacist_check", "true").code(),
            ErrorCode::kPermissionDenied);

  auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  SettingsService settings(**admin);
  Status unknown = settings.set("review.second_check", "true");
  EXPECT_EQ(unknown.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("review.second_pharmacist_check"), std::string::npos)
      << "names the settings there are: " << unknown.message();
  Status notBool = settings.set("review.second_pharmacist_check", "maybe");
  EXPECT_NE(notBool.message().find("is not true or false"), std::string::npos) << notBool.message();
  Status outside = settings.set("review.lock_minutes", "0");
  EXPECT_NE(outside.message().find("outside 1…1440"), std::string::npos) << outside.message();
  EXPECT_EQ(settings.set("pharmacy.uscc", "91440300708461136X").code(), ErrorCode::kInvalidArgument)
      << "a wrong check character";
  RX_ASSERT_OK(settings.set("review.second_pharmacist_check", "yes"));
  EXPECT_EQ(settings.get("review.second_pharmacist_check")->value, "true");

  Status sameHands = dispensing.recordStep(id, data::DispenseStep::kCheck);
  EXPECT_EQ(sameHands.code(), ErrorCode::kConflict);
  EXPECT_NE(sameHands.message().find("second pharmacist"), std::string::npos);
  auto report = data::AuditLog((*admin)->store().connection()).verify();
  auto entries = data::AuditLog((*admin)->store().connection()).entries(1, report->entries);
  // The newest settings change (the counter's set-up set the pharmacy's USCC before).
  auto set = std::find_if(entries->rbegin(), entries->rend(),
                          [](const auto& e) { return e.event == "settings.set"; });
  ASSERT_NE(set, entries->rend());
  EXPECT_EQ(set->subject, "review.second_pharmacist_check");
}

TEST_F(ReviewTest, VoucherNamesProductMakerBatchPriceBuyerAndSellerAndPrints) {
  {
    auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK(SettingsService(**admin).set("pharmacy.name", "示例大药房（测试店）"));
    RX_ASSERT_OK(SettingsService(**admin).set("pharmacy.uscc", "91440300708461136T"));
  }
  ReviewService review(*wang_);
  DispensingService dispensing(review.session());
  const std::int64_t id = presentToday();
  approve(review, id);
  VoucherService vouchers(*wang_);
  EXPECT_EQ(vouchers.voucher(id).status().code(), ErrorCode::kConflict) << "before hand-out";
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  RX_ASSERT_OK(dispensing.scanPackage(id, "(01)06901234567892(17)280630(10)B2301(21)SN0001"));
  RX_ASSERT_OK(dispensing.scanPackage(id, "(01)06901234567892(17)280630(10)B2301(21)SN0002"));
  RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
  RX_ASSERT_OK(dispensing.handOut(id));
  auto v = vouchers.voucher(id);
  RX_ASSERT_OK(v);
  EXPECT_EQ(v->pharmacy.name, "示例大药房（测试店）");
  ASSERT_EQ(v->lines.size(), 1u) << "two packages of one product and batch are one line";
  EXPECT_EQ(v->lines[0].manufacturer, "另一制药厂");
  EXPECT_EQ(v->lines[0].batch, "B2301");
  EXPECT_EQ(v->lines[0].expiry, "2028-06-30");
  EXPECT_EQ(v->lines[0].quantity, 2);
  EXPECT_EQ(v->totalFen, 3000);
  EXPECT_EQ(v->buyerName, "张三");
  EXPECT_EQ(v->buyerIdMasked, "1101**********0011");
  EXPECT_EQ(v->sellerName, test::pharmacistUser("wang").displayName);
  // The provider by the name in its agreement, its code after it: people read names.
  EXPECT_EQ(v->issuer, "示例互联网医院（12440000455858776H）");
  json doc = voucherJson(*v);
  EXPECT_EQ(doc["total"], "30.00");
  EXPECT_EQ(doc["lines"][0]["unit_price"], "15.00");

  const std::string pdf = dir_.file("voucher.pdf");
  RX_ASSERT_OK(writeVoucherPdf(*v, pdf));
  auto text = test::runProcess({"/usr/bin/pdftotext", "-layout", pdf, "-"});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  for (const char* want : {"示例大药房（测试店）", "药品销售凭证", "阿莫西林胶囊", "另一制药厂",
                           "B2301", "30.00", "1101**********0011", "示例互联网医院", kRiskWarning})
    EXPECT_NE(text.out.find(want), std::string::npos) << want << " missing from\n" << text.out;
  EXPECT_EQ(text.out.find("110101198005010011"), std::string::npos) << "the full ID is masked";

  auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  EXPECT_EQ(VoucherService(**admin).voucher(id).status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(ReviewTest, PaperPrescriptionFromIntakeToVoucher) {
  ReviewService review(*wang_);
  DispensingService dispensing(review.session());
  const std::string today = beijingToday();
  auto id = test::presented(IntakeService(review).presentPaper(
      reuse::paperFields("202600000077", today, "赵六"), "photo.jpg"));
  RX_ASSERT_OK(id);
  approve(review, *id);
  RX_ASSERT_OK(dispensing.recordStep(*id, data::DispenseStep::kPrepare));
  // The paper line reads "头孢克肟胶囊 ×2" without a unit: it counts packages.
  RX_ASSERT_OK(dispensing.scanPackage(*id, "87654320000000000001"));
  RX_ASSERT_OK(dispensing.scanPackage(*id, "87654320000000000002"));
  EXPECT_EQ(dispensing.scanPackage(*id, "87654320000000000003").status().code(),
            ErrorCode::kConflict);
  RX_ASSERT_OK(dispensing.recordStep(*id, data::DispenseStep::kCheck));
  RX_ASSERT_OK(dispensing.handOut(*id));
  auto v = VoucherService(*wang_).voucher(*id);
  RX_ASSERT_OK(v);
  EXPECT_FALSE(v->partial);
  EXPECT_EQ(v->rxNumber, "202600000077");
  EXPECT_EQ(v->issuer, "北京市朝阳区第三人民医院");
  EXPECT_EQ(v->buyerName, "赵六");
  ASSERT_EQ(v->lines.size(), 1u);
  EXPECT_EQ(v->lines[0].drugName, "头孢克肟胶囊");
  EXPECT_EQ(v->totalFen, 6400);
  EXPECT_EQ(*data::PrescriptionRepository(wang_->store().connection())
                 .usedBy("北京市朝阳区第三人民医院", "202600000077"),
            *id);
}

TEST_F(ReviewTest, ProductImportTakesAllRowsOrNoneAndNamesTheBadLine) {
  auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  ProductService products(**admin);
  const std::string good = dir_.file("good.csv");
  std::ofstream(good) << "\xEF\xBB\xBFproduct_code,drug_name,spec,manufacturer,unit,price_yuan,"
                         "approval_no\n"
                         "1234567,二甲双胍片,\"0.5g×20片, 薄膜衣\",示例制药,盒,8.5,国药准字H1\n"
                         "\n"
                         "06901234567892,阿莫西林胶囊,0.5g×12粒,另一制药厂,盒,16,\n";
  auto n = products.importCsv(good);
  RX_ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  auto metformin = products.find("1234567");
  RX_ASSERT_OK(metformin);
  ASSERT_TRUE(metformin->has_value());
  EXPECT_EQ((*metformin)->spec, "0.5g×20片, 薄膜衣");
  EXPECT_EQ((*metformin)->priceFen, 850);
  EXPECT_EQ((*products.find("06901234567892"))->priceFen, 1600);

  const std::string bad = dir_.file("bad.csv");
  std::ofstream(bad) << "product_code,drug_name,spec,manufacturer,unit,price_yuan\n"
                        "7654321,布洛芬缓释胶囊,0.3g×20粒,示例制药,盒,12.00\n"
                        "06901234567893,阿莫西林胶囊,0.5g×12粒,另一制药厂,盒,16\n";
  Status refused = products.importCsv(bad).status();
  EXPECT_EQ(refused.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("line 3"), std::string::npos) << refused.message();
  EXPECT_NE(refused.message().find("check digit"), std::string::npos) << refused.message();
  EXPECT_FALSE(products.find("7654321")->has_value()) << "nothing of a refused file is imported";
  std::ofstream(bad) << "product_code,drug_name,spec,manufacturer,unit,price_yuan\n"
                        "7654321,布洛芬缓释胶囊,0.3g×20粒,示例制药,盒,12.345\n";
  refused = products.importCsv(bad).status();
  EXPECT_NE(refused.message().find("line 2: price_yuan"), std::string::npos) << refused.message();
  EXPECT_EQ(ProductService(*wang_).importCsv(good).status().code(), ErrorCode::kPermissionDenied);
}

TEST(Money, YuanParsesExactlyAndPrintsWithTwoDecimals) {
  EXPECT_EQ(*parseYuan("12"), 1200);
  EXPECT_EQ(*parseYuan("12.5"), 1250);
  EXPECT_EQ(*parseYuan("0.07"), 7);
  for (const char* bad : {"", "12.", ".5", "1.234", "-1", "12,50", "1e3", "¥12"})
    EXPECT_FALSE(parseYuan(bad)) << bad;
  EXPECT_EQ(formatYuan(1250), "12.50");
  EXPECT_EQ(formatYuan(7), "0.07");
  EXPECT_EQ(formatYuan(0), "0.00");
}

TEST(Csv, FieldsRoundTripThroughQuoting) {
  const std::vector<std::string> values = {"头孢克肟胶囊", "0.5g×20片, 薄膜衣", "say \"hi\"", "",
                                           "two\nlines"};
  std::string line;
  for (const auto& v : values) line += (line.empty() ? "" : ",") + csvField(v);
  EXPECT_EQ(csvField(std::nullopt), "");
  EXPECT_EQ(csvField(std::string("plain")), "plain") << "quoted only when needed";
  std::size_t pos = 0;
  const std::string text = line + "\r\nnext,row";
  EXPECT_EQ(csvRecord(text, pos), values);
  EXPECT_EQ(csvRecord(text, pos), (std::vector<std::string>{"next", "row"}));
}

TEST(ChinaTime, IsUtcPlusEightAcrossMidnightAndMonthEnd) {
  EXPECT_EQ(chinaTime("2026-02-28T17:30:00Z"), "2026-03-01 01:30");
  EXPECT_EQ(chinaTime("2026-11-22T03:05:59Z"), "2026-11-22 11:05");
  EXPECT_EQ(chinaTime("2026-11-22"), "");
  EXPECT_EQ(chinaTime("2026-13-22T03:05:59Z"), "");
}

// Restore (issue 19): an admin action, audited, throttled, with the store alone; a rollback to an
// earlier backup cannot make a handed-out prescription, or its packs, usable again.
TEST_F(ReviewTest, ARestoreCannotMakeAHandedOutPrescriptionUsableAgain) {
  ReviewService review(*wang_);
  const std::int64_t before = presentToday();
  approve(review, before);
  const std::string backup = dir_.file("b.rxbak");
  {
    auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK(writeBackup(**admin, backup));
  }
  // After the backup: the approved one is handed out, another one presented and handed out.
  reuse::dispense(review, before, "81234560000012345678");
  DemoPrescription later;
  later.rxNumber = "RX20261122-0002";
  later.patientName = "李四";
  const std::int64_t after = presentToday(later);
  approve(review, after);
  reuse::dispense(review, after, "81234560000012345679");
  data::PrescriptionRepository live(wang_->store().connection());
  const data::RxState handedOut = live.find(before)->state;
  ASSERT_EQ(handedOut, data::RxState::kPartiallyDispensed) << "one of the two boxes handed out";

  // The window is still open: the restore needs the store alone and says who has it.
  RestoreRequest request{backup, path(), "admin"};
  auto busy = restoreBackup(request, "pw", test::fastStoreOptions());
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.status().code(), ErrorCode::kBusy) << busy.status().message();
  EXPECT_NE(busy.status().message().find("pid " + std::to_string(::getpid())), std::string::npos)
      << busy.status().message();
  wang_.reset();

  // A pharmacist may not restore; an admin may.
  auto byPharmacist = restoreBackup({backup, path(), "wang"}, "w", test::fastStoreOptions());
  EXPECT_EQ(byPharmacist.status().code(), ErrorCode::kPermissionDenied);
  auto restored = restoreBackup(request, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(restored);
  EXPECT_EQ(restored->carriedRecords, (std::vector<std::int64_t>{before, after}));
  EXPECT_FALSE(restored->keptAs.empty());

  auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  wang_ = std::move(*wang);
  data::PrescriptionRepository repo(wang_->store().connection());
  EXPECT_EQ(repo.find(before)->state, handedOut)
      << "approved in the backup, handed out since: it stays handed out";
  EXPECT_EQ(repo.find(after)->state, handedOut) << "presented and handed out since the backup";
  EXPECT_EQ(repo.packages(before)->size(), 1u);
  ReviewService again(*wang_);
  for (DemoPrescription p : {DemoPrescription{}, later}) {
    const std::int64_t id = presentToday(p);
    RX_ASSERT_OK(again.startReview(id));
    EXPECT_EQ(checkMap(id)["reuse"], Severity::kBlock) << p.rxNumber << " is used";
  }
  DemoPrescription third;
  third.rxNumber = "RX20261122-0003";
  third.patientName = "王五";
  const std::int64_t fresh = presentToday(third);
  approve(again, fresh);
  for (const char* code : {"81234560000012345678", "81234560000012345679"}) {
    auto pack = DispensingService(again.session()).scanPackage(fresh, code);
    EXPECT_EQ(pack.status().code(), ErrorCode::kAlreadyExists) << code << " was sold";
  }
  // Audited in the restored store.
  auto& conn = wang_->store().connection();
  auto head = data::AuditLog(conn).verify();
  RX_ASSERT_OK(head);
  EXPECT_FALSE(head->problem);
  auto entries = data::AuditLog(conn).entries(1, head->entries);
  RX_ASSERT_OK(entries);
  EXPECT_TRUE(std::any_of(entries->begin(), entries->end(), [](const data::AuditEntry& e) {
    return e.event == "store.restore" && e.actor == "admin";
  }));
  for (const std::string& f : {path(), data::Store::keySlotPath(path()), backup}) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f << " holds store data: owner only";
  }
}

TEST_F(ReviewTest, ARestoreKeepsRemovedUsersOutAndRefusesAnotherStoresBackupAndGuessedPasswords) {
  wang_.reset();
  const std::string backup = dir_.file("before-removal.rxbak");
  {
    auto admin = Session::login(path(), "admin", "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK(writeBackup(**admin, backup));
    RX_ASSERT_OK((*admin)->removeUser("li"));
  }
  // The removed user cannot restore the backup that still has them.
  auto byRemoved = restoreBackup({backup, path(), "li"}, "l", test::fastStoreOptions());
  EXPECT_EQ(byRemoved.status().code(), ErrorCode::kUnknownUser) << byRemoved.status().message();
  // Restored by an admin, the backup does not bring them back.
  auto restored = restoreBackup({backup, path(), "admin"}, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(restored);
  EXPECT_EQ(restored->usersRemovedAgain, std::vector<std::string>{"li"});
  EXPECT_EQ(Session::login(path(), "li", "l", test::fastStoreOptions()).status().code(),
            ErrorCode::kUnknownUser);
  RX_EXPECT_OK(Session::login(path(), "wang", "w", test::fastStoreOptions()));

  // Another store's backup: refused, unless this computer takes that store over.
  test::TempDir other;
  {
    auto elsewhere = test::makeCounterStore(other.file("o.rxdb"));
    RX_ASSERT_OK(elsewhere);
    RX_ASSERT_OK(writeBackup(**elsewhere, other.file("o.rxbak")));
  }
  const std::string storeId = [&] {
    auto s = Session::login(path(), "admin", "pw", test::fastStoreOptions());
    return (*s)->store().storeId();
  }();
  auto foreign =
      restoreBackup({other.file("o.rxbak"), path(), "admin"}, "pw", test::fastStoreOptions());
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.status().code(), ErrorCode::kConflict);
  EXPECT_NE(foreign.status().message().find("--take-over"), std::string::npos);
  EXPECT_EQ((*Session::login(path(), "admin", "pw", test::fastStoreOptions()))->store().storeId(),
            storeId)
      << "nothing changed";
  RestoreRequest takeOver{other.file("o.rxbak"), path(), "admin", /*takeOver=*/true};
  auto taken = restoreBackup(takeOver, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(taken);
  EXPECT_TRUE(taken->tookOver);
  EXPECT_NE((*Session::login(path(), "admin", "pw", test::fastStoreOptions()))->store().storeId(),
            storeId);

  // Guessed passwords are throttled like logins.
  std::int64_t clock = 1'900'000'000;
  Status last;
  for (int i = 0; i < 5; ++i)
    last =
        restoreBackup({backup, path(), "admin"}, "guess", test::fastStoreOptions(&clock)).status();
  EXPECT_EQ(last.code(), ErrorCode::kLockedOut) << last.message();
}

}  // namespace
}  // namespace rx::ws
