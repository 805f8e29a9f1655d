// Each review rule on its own (workstation/rules.h): what it says for a prescription that passes,
// one that fails, and one it does not apply to. The rules are pure functions of what was
// presented, so these need no store; review_test.cpp runs them through the service.
#include "workstation/rules.h"

#include <gtest/gtest.h>

namespace rx::ws {
namespace {

data::RxItem item(const std::string& name, const std::string& drugClass, double quantity = 1,
                  bool ephedrine = false) {
  data::RxItem i;
  i.drugName = name;
  i.drugClass = drugClass;
  i.quantity = quantity;
  i.unit = "盒";
  i.ephedrine = ephedrine;
  return i;
}

class RulesTest : public ::testing::Test {
 protected:
  RulesTest() {
    rx_.kind = data::RxKind::kPaper;
    rx_.issuedOn = "2026-12-01";
    rx_.patientName = "张三";
    rx_.patientIdNo = "110101198005010011";
    rx_.items = {item("阿莫西林胶囊", "rx", 2)};
  }
  std::optional<RuleCheck> run(Rule rule, const std::string& today = "2026-12-01") {
    return rule(RuleInput{rx_, fields_, settings_, today, usedBy_, finding_});
  }
  Severity severityOf(Rule rule, const std::string& today = "2026-12-01") {
    auto c = run(rule, today);
    EXPECT_TRUE(c.has_value());
    return c ? c->severity : Severity::kOk;
  }
  data::PrescriptionRecord rx_;
  ReadFields fields_;
  ReviewSettings settings_;
  std::optional<std::int64_t> usedBy_;
  std::optional<ReuseFinding> finding_;
};

TEST_F(RulesTest, SpecialManagementDrugsBlockAndAreNamed) {
  EXPECT_EQ(severityOf(specialManagementRule), Severity::kOk);
  rx_.items.push_back(item("吗啡片", "narcotic"));
  auto c = run(specialManagementRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kBlock);
  EXPECT_NE(c->evidence.find("吗啡片 (narcotic)"), std::string::npos) << c->evidence;
}

TEST_F(RulesTest, EphedrineCompoundsWarn) {
  EXPECT_EQ(severityOf(ephedrineRule), Severity::kOk);
  rx_.items.push_back(item("复方盐酸伪麻黄碱缓释胶囊", "otc-a", 1, true));
  EXPECT_EQ(severityOf(ephedrineRule), Severity::kWarn);
}

TEST_F(RulesTest, SupplyLimitFollowsTheSetting) {
  rx_.items[0].quantity = 6;
  EXPECT_EQ(severityOf(supplyLimitRule), Severity::kWarn);
  settings_.maxQuantityPerItem = 6;
  EXPECT_EQ(severityOf(supplyLimitRule), Severity::kOk);
}

TEST_F(RulesTest, TheSameDrugTwiceWarns) {
  EXPECT_EQ(severityOf(duplicateDrugsRule), Severity::kOk);
  rx_.items.push_back(item("阿莫西林胶囊", "rx"));
  auto c = run(duplicateDrugsRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kWarn);
  EXPECT_EQ(c->evidence, "阿莫西林胶囊 ");
}

TEST_F(RulesTest, NoDrugsReadBlocksAndOtherwiseSaysNothing) {
  EXPECT_FALSE(run(drugsReadRule));
  rx_.items.clear();
  EXPECT_EQ(severityOf(drugsReadRule), Severity::kBlock);
}

TEST_F(RulesTest, ValidityCountsTheDayWrittenAndTheDaysAllowed) {
  EXPECT_EQ(severityOf(validityRule, "2026-12-01"), Severity::kOk);
  EXPECT_EQ(severityOf(validityRule, "2026-12-02"), Severity::kBlock) << "valid one day";
  EXPECT_EQ(severityOf(validityRule, "2026-11-30"), Severity::kBlock) << "dated in the future";
  rx_.validityDays = 3;
  EXPECT_EQ(severityOf(validityRule, "2026-12-03"), Severity::kOk);
  EXPECT_EQ(severityOf(validityRule, "2026-12-04"), Severity::kBlock);
  rx_.issuedOn = "2026-13-01";
  EXPECT_EQ(severityOf(validityRule), Severity::kBlock) << "unreadable date";
}

TEST_F(RulesTest, RealNameNeedsNameAndIdNumber) {
  EXPECT_EQ(severityOf(realNameRule), Severity::kOk);
  rx_.patientIdNo.reset();
  EXPECT_EQ(severityOf(realNameRule), Severity::kBlock);
}

TEST_F(RulesTest, SignatureAndScopeApplyToEPrescriptionsOnly) {
  EXPECT_FALSE(run(signatureRule));
  EXPECT_FALSE(run(scopeRule));
  rx_.kind = data::RxKind::kElectronic;
  rx_.verified = true;
  rx_.agreementScope = {"rx", "otc-a"};
  EXPECT_EQ(severityOf(signatureRule), Severity::kOk);
  EXPECT_EQ(severityOf(scopeRule), Severity::kOk);
  rx_.verified = false;
  EXPECT_EQ(severityOf(signatureRule), Severity::kBlock);
  rx_.items.push_back(item("乙肝疫苗", "otc-b"));
  EXPECT_EQ(severityOf(scopeRule), Severity::kBlock);
}

TEST_F(RulesTest, ScopeNeverAdmitsASpecialManagementClassWhateverTheAgreementLists) {
  rx_.kind = data::RxKind::kElectronic;
  rx_.agreementScope = {"rx", "narcotic"};
  rx_.items.push_back(item("吗啡片", "narcotic"));
  auto c = run(scopeRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kBlock);
  EXPECT_NE(c->evidence.find("吗啡片"), std::string::npos);
}

TEST_F(RulesTest, ReuseBlocksAUsedNumberACertainMatchAndAnOpenSuspicion) {
  EXPECT_EQ(severityOf(reuseRule), Severity::kOk);
  usedBy_ = 7;
  auto used = run(reuseRule);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->severity, Severity::kBlock);
  EXPECT_NE(used->message.find("prescription 7"), std::string::npos);
  usedBy_.reset();

  ReuseFinding f;
  f.verdict = dedup::Verdict::kSuspected;
  ReuseMatchInfo m;
  m.record = 3;
  m.state = "closed";
  m.rule = "same paper";
  f.matches.push_back(m);
  finding_ = f;
  auto suspected = run(reuseRule);
  ASSERT_TRUE(suspected);
  EXPECT_EQ(suspected->severity, Severity::kBlock);
  EXPECT_NE(suspected->evidence.find("record 3 (closed; same paper)"), std::string::npos)
      << suspected->evidence;
  finding_->overruledBy = "wang";
  finding_->overruleReason = "复诊，另一张处方";
  EXPECT_EQ(severityOf(reuseRule), Severity::kWarn);
  finding_->verdict = dedup::Verdict::kCertain;
  EXPECT_EQ(severityOf(reuseRule), Severity::kBlock) << "a certain reuse is not overruled";
}

TEST_F(RulesTest, APaperDrugTheCatalogueDoesNotKnowWarnsByName) {
  EXPECT_EQ(severityOf(catalogueRule), Severity::kOk);
  rx_.items.push_back(item("阿莫西林胶", ""));  // read, not snapped to the catalogue: no class
  auto c = run(catalogueRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kWarn);
  EXPECT_EQ(c->evidence, "阿莫西林胶 ");
  rx_.kind = data::RxKind::kElectronic;  // the issuer's signed class counts
  EXPECT_FALSE(run(catalogueRule));
}

TEST_F(RulesTest, ADrugLineWithoutQuantityOrUnitOnPaperIsNamed) {
  EXPECT_EQ(severityOf(drugAmountRule), Severity::kOk);
  rx_.items.push_back(item("布洛芬缓释胶囊", "otc-a", 0));  // the quantity was not read
  rx_.items.push_back(item("维生素C片", "otc-b"));
  rx_.items.back().unit.clear();  // nor this one's unit
  auto c = run(drugAmountRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kWarn);
  EXPECT_EQ(c->evidence, "布洛芬缓释胶囊 维生素C片 ");
  rx_.kind = data::RxKind::kElectronic;  // signed: nothing to fill in
  EXPECT_FALSE(run(drugAmountRule));
}

TEST_F(RulesTest, FieldsReadWithLowConfidenceMustBeConfirmedOnPaper) {
  fields_.fields[FieldName::kPatientName] = {"张三", 0.6, {}, "张山", false, std::nullopt};
  fields_.fields[FieldName::kDate] = {"2026-12-01", 0.95, {}, std::nullopt, false, std::nullopt};
  auto c = run(confirmationRule);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->severity, Severity::kBlock);
  EXPECT_EQ(c->evidence, "patient_name ");
  settings_.lowConfidence = 0.5;
  EXPECT_EQ(severityOf(confirmationRule), Severity::kOk) << "below the setting only";
  settings_.lowConfidence = 0.8;
  fields_.confirm(FieldName::kPatientName, "张三", "wang");
  EXPECT_EQ(severityOf(confirmationRule), Severity::kOk);
  rx_.kind = data::RxKind::kElectronic;
  EXPECT_FALSE(run(confirmationRule));
}

TEST_F(RulesTest, EveryRuleThatAppliesAnswersInOrder) {
  const auto checks = runRules(RuleInput{rx_, fields_, settings_, "2026-12-01", usedBy_, finding_});
  std::vector<std::string> rules;
  for (const auto& c : checks) rules.push_back(c.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"special-management", "ephedrine", "supply-limit",
                                             "duplicate-drugs", "catalogue", "drug-amount",
                                             "validity", "real-name", "reuse", "ocr-confirmed"}));
  EXPECT_EQ(summarizeChecks(checks).blocking, 0);
  EXPECT_EQ(summarizeChecks(checks).warnings, 0);
  rx_.items[0].quantity = 6;  // over the supply limit: a warning, so not "all checks passed"
  const auto over = runRules(RuleInput{rx_, fields_, settings_, "2026-12-01", usedBy_, finding_});
  EXPECT_EQ(summarizeChecks(over).blocking, 0);
  EXPECT_EQ(summarizeChecks(over).warnings, 1);
}

TEST(ReadFieldsTest, StoredFormKeepsWhatWasReadAndConfirmed) {
  ocr::ExtractedFields read;
  read.fields["patient_name"] = {"张三", 0.6f, cv::Rect(10, 20, 30, 40), std::string("张山")};
  read.fields["not_a_field"] = {"x", 1.0f, {}};
  ocr::DrugLine drug;
  drug.name = {"阿莫西林胶", 0.5f, cv::Rect(40, 600, 300, 36), {}};
  read.drugs.push_back(drug);
  ReadFields fields = ReadFields::fromOcr(read);
  ASSERT_EQ(fields.fields.size(), 1u);
  fields.confirm(FieldName::kDate, "2026-12-01", "wang");
  const ReadFields back = ReadFields::fromStored(fields.toStored());
  const ReadField* name = back.find(FieldName::kPatientName);
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->value, "张三");
  EXPECT_EQ(name->readAs, std::optional<std::string>("张山"));
  EXPECT_EQ(name->box, cv::Rect(10, 20, 30, 40));
  EXPECT_TRUE(name->needsConfirmation(0.8));
  const ReadField* date = back.find(FieldName::kDate);
  ASSERT_NE(date, nullptr);
  EXPECT_TRUE(date->confirmed);
  EXPECT_EQ(date->confirmedBy, std::optional<std::string>("wang"));
  EXPECT_FALSE(date->needsConfirmation(0.8));
  ASSERT_EQ(back.drugBoxes.size(), 1u) << "where the drug was read, for the review window";
  EXPECT_EQ(back.drugBoxes[0].box, cv::Rect(40, 600, 300, 36));
  EXPECT_FALSE(back.drugBoxes[0].inCatalogue);
  EXPECT_TRUE(ReadFields::fromStored("not json").fields.empty());
  EXPECT_TRUE(ReadFields::fromStored(R"({"drug_boxes":[{"box":"x"},7]})").drugBoxes.empty());
  EXPECT_TRUE(ReadFields::fromStored(R"({"fields":{"date":{"value":3,"box":"x"}}})")
                  .find(FieldName::kDate)
                  ->value.empty());
}

}  // namespace
}  // namespace rx::ws
