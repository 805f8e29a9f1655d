// The services' refusals as a Chinese window explains them (issue #23): each error is brought about
// through the services the window calls — a wrong password, a user added twice, a file that is not
// a photo taken in, an export into a folder that cannot be made, … — and `explain()` must give it
// in Chinese, its values kept, with no English sentence under the "详情" prefix.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"
#include "crumpled_rephoto.h"
#include "crypto/bytes.h"
#include "dedup/page_reuse.h"
#include "gui_app.h"
#include "gui_helpers.h"
#include "service_message.h"
#include "temp_dir.h"
#include "workstation/agreement_document.h"
#include "workstation/agreements.h"
#include "workstation/backup.h"
#include "workstation/consultations.h"
#include "workstation/demo.h"
#include "workstation/demo_documents.h"
#include "workstation/dispensing.h"
#include "workstation/export.h"
#include "workstation/intake.h"
#include "workstation/review.h"
#include "workstation/sampling.h"
#include "workstation/session.h"
#include "workstation/settings.h"
#include "workstation/setup.h"
#include "wx_convert.h"

namespace rx::gui {
namespace {

// Besides kCodesAndNames: the file formats a refused file is named against, and UTF (UTF-8).
std::set<std::string> allowedWords() {
  std::set<std::string> allowed = kCodesAndNames;
  allowed.insert({"JPEG", "PNG", "TIFF", "WebP", "JSON", "UTF"});
  return allowed;
}

// The English words left in `text` once the file paths the test gave (names the user chose) are
// taken out.
std::set<std::string> englishIn(const wxString& text) {
  static const std::regex path("/[A-Za-z0-9._/+-]+");
  const std::string plain = std::regex_replace(std::string(text.utf8_str()), path, " ");
  return latinWordsIn(wxString::FromUTF8(plain), allowedWords());
}

struct Refusal {
  std::string what;  // what the user did, for the failure message
  Status status;
};

std::unique_ptr<ws::Session> login(const std::string& store, const char* user,
                                   const char* password = ws::kDemoPassword) {
  auto s = ws::Session::login(store, user, password);
  EXPECT_TRUE(s.isOk()) << s.status().message();
  return s ? std::move(*s) : nullptr;
}

TEST(GuiMessages, WhatTheServicesRefuseIsExplainedInChinese) {
  setupTranslations("zh_CN");
  test::TempDir dir;
  const std::string store = dir.file("store.rxdb");
  storeWithDemoAccounts(store);
  std::vector<Refusal> refused;
  auto add = [&](std::string what, Status status) {
    refused.push_back({std::move(what), std::move(status)});
  };

  // Logging in and unlocking.
  add("a wrong password", ws::Session::login(store, ws::kDemoPharmacist, "wrong-1").status());
  add("an unknown user", ws::Session::login(store, "li9", "whatever-1").status());
  add("a store that is not there",
      ws::Session::login(dir.file("none.rxdb"), ws::kDemoAdmin, ws::kDemoPassword).status());

  // The first-run set-up.
  ws::PharmacySetup setup;
  setup.admin = {"boss", data::Role::kAdmin, "boss", std::nullopt};
  setup.adminPassword = "boss-password";
  setup.idleLockMinutes = 0;
  add("an idle lock of 0 minutes", ws::validateSetup(setup));
  setup.idleLockMinutes = 10;
  setup.pharmacist = data::NewUser{"wang2", data::Role::kPharmacist, "王药师", std::nullopt};
  add("a pharmacist without a licence at set-up", ws::validateSetup(setup));
  setup.pharmacist = data::NewUser{"boss", data::Role::kPharmacist, "王药师", "ZY-9"};
  add("the pharmacist named as the admin", ws::validateSetup(setup));
  setup.pharmacist.reset();
  add("a set-up over an existing store", ws::setUpPharmacy(store, setup).status());

  auto admin = login(store, ws::kDemoAdmin);
  auto wang = login(store, ws::kDemoPharmacist);
  ASSERT_TRUE(admin && wang);

  // Users.
  add("a user added again",
      admin->addUser({ws::kDemoPharmacist, data::Role::kPharmacist, "王药师", "ZY-1"}, "password-1")
          .status());
  add("a pharmacist added without a licence",
      admin->addUser({"li", data::Role::kPharmacist, "李药师", std::nullopt}, "password-1")
          .status());
  add("a login name with a space",
      admin->addUser({"li si", data::Role::kSupervisor, "李四", std::nullopt}, "password-1")
          .status());
  add("an empty display name",
      admin->addUser({"li", data::Role::kSupervisor, "", std::nullopt}, "password-1").status());
  add("an empty password",
      admin->addUser({"li", data::Role::kSupervisor, "李主管", std::nullopt}, "").status());
  add("an empty new password", admin->changePassword(ws::kDemoPharmacist, ""));
  add("the admin removing themself", admin->removeUser(ws::kDemoAdmin));
  add("a user removed who is not there", admin->removeUser("li8"));
  add("a pharmacist adding a user",
      wang->addUser({"li", data::Role::kSupervisor, "李主管", std::nullopt}, "password-1")
          .status());
  ASSERT_TRUE(
      admin->addUser({"li", data::Role::kSupervisor, "李主管", std::nullopt}, "li-password-1"));
  // The pharmacist's own session has the store open: removing a user re-keys it, which waits
  // for nobody.
  add("a user removed while the store is open elsewhere", admin->removeUser("li"));

  // Settings.
  ws::SettingsService settings(*admin);
  add("a whole number setting given letters", settings.set("session.idle_lock_minutes", "十"));
  add("a setting out of its range", settings.set("session.idle_lock_minutes", "100000"));
  add("a yes/no setting given something else",
      settings.set("review.second_pharmacist_check", "也许"));
  add("a wrong pharmacy code", settings.set("pharmacy.uscc", "91440300708461136X"));
  add("a pharmacist changing a setting",
      ws::SettingsService(*wang).set("session.idle_lock_minutes", "10"));

  // Provider agreements.
  const crypto::SigningKey provider = crypto::SigningKey::generate(crypto::KeyType::kSm2);
  auto agreement = [&](const std::string& no, const std::string& until) {
    auto text = ws::signAgreement(
        ws::demoAgreementDraft(no, "示例互联网医院", "12440000455858776H", "示例大药房",
                               "91440300708461136T", "2026-01-01", until),
        provider, "2026-01-01T00:00:00Z");
    EXPECT_TRUE(text.isOk());
    return text ? *text : std::string();
  };
  ws::AgreementService agreements(*admin);
  const std::string current = agreement("AG-91", "2099-12-31");
  add("an agreement imported before the pharmacy code is set",
      agreements.import(current, "ag-91.json").status());
  ASSERT_TRUE(settings.set("pharmacy.uscc", "91440300708461136T"));
  ASSERT_TRUE(agreements.import(current, "ag-91.json"));
  add("an agreement imported twice", agreements.import(current, "ag-91.json").status());
  add("an expired agreement",
      agreements.import(agreement("AG-92", "2026-01-31"), "ag-92.json").status());
  add("an agreement not a JSON object", agreements.inspect("[1]", dir.file("ag-93.json")).status());
  add("a suspension without a reason",
      agreements.changeStatus("AG-91", data::AgreementStatus::kSuspended, " ").status());
  ASSERT_TRUE(agreements.changeStatus("AG-91", data::AgreementStatus::kSuspended, "续签中"));
  add("an agreement suspended twice",
      agreements.changeStatus("AG-91", data::AgreementStatus::kSuspended, "续签中").status());

  // Intake: files that are not prescriptions.
  ws::IntakeReader reader;
  std::ofstream(dir.file("notes.jpg")) << "not an image";
  std::ofstream(dir.file("empty.png")).flush();
  std::ofstream(dir.file("list.json")) << "[1, 2]";
  std::filesystem::create_directories(dir.file("scans.jpg"));
  for (const char* file : {"notes.jpg", "empty.png", "list.json", "scans.jpg", "gone.jpg"})
    add(std::string("taking in ") + file, reader.read(dir.file(file)).error);

  // Review, reuse and dispensing of a prescription nobody opened.
  ws::ReviewService review(*wang);
  ocr::ExtractedFields read;
  read.fields["rx_number"] = {"HOSP-2391", 0.95f, {}, {}};
  read.fields["date"] = {beijingToday(), 0.95f, {}, {}};
  auto presented = ws::IntakeService(review).presentPaper(read, "photo.jpg");
  ASSERT_TRUE(presented.isOk()) << presented.status().message();
  const std::int64_t id = presented->record;
  add("a reuse suspicion overruled where there is none",
      review.reuse().overrule(id, "同一患者复诊"));
  add("a prescription dispensed before approval",
      ws::DispensingService(*wang).recordStep(id, data::DispenseStep::kPrepare));
  ASSERT_TRUE(review.startReview(id));
  auto li = login(store, "li", "li-password-1");  // a supervisor may not review
  ASSERT_TRUE(li);
  add("a supervisor reviewing", ws::ReviewService(*li).startReview(id).status());
  add("a prescription decided without a reason",
      review.decide(id, {ws::Decision::kReject, {}, "", false}).status());

  // Consultations.
  ws::ConsultationService consultations(*wang);
  ws::NewConsultation c;
  c.advice = "饭后服用";
  add("a consultation without a question", consultations.record(c).status());
  c.question = "一天吃几次";
  c.minutes = 700;
  add("a consultation of 700 minutes", consultations.record(c).status());
  c.minutes = 5;
  c.patientIdNo = "110101199003070011";
  add("a patient ID without the name", consultations.record(c).status());

  // Audit sampling and the export, as the supervisor.
  ws::SamplingService sampling(*li);
  ws::RoundSpec spec;
  spec.from = beijingToday();
  spec.to = "2020-01-01";
  spec.percent = 10;
  add("a round with its dates out of order", sampling.create(spec).status());
  spec.to = spec.from;
  spec.percent = 0;
  add("a round of 0 percent", sampling.create(spec).status());
  ws::ExportRequest exportTo{beijingToday(), beijingToday(), {}, false, dir.file("notes.jpg/out")};
  add("an export into a folder that cannot be made", ws::writeExport(*li, exportTo).status());
  exportTo.outDir = dir.path();
  add("an export into a folder that is not empty", ws::writeExport(*li, exportTo).status());
  exportTo.outDir = dir.file("export");
  exportTo.from = "2026-13-01";
  add("an export from a date that is not one", ws::writeExport(*li, exportTo).status());
  exportTo.from = "2026-12-02";
  exportTo.to = "2026-12-01";
  add("an export with its dates out of order", ws::writeExport(*li, exportTo).status());

  // Backups.
  add("a backup over an existing file", ws::writeBackup(*admin, dir.file("notes.jpg")).status());
  add("a backup into a folder that cannot be made",
      ws::writeBackup(*admin, dir.file("notes.jpg/b.rxbak")).status());
  ASSERT_TRUE(settings.set("backup.folder", dir.file("usb")));
  add("the daily backup with its disk unplugged",
      ws::runScheduledBackup(*admin, {}, utcTimestamp()).status());

  // Last, as it keeps the pharmacist out for a while.
  Status locked;
  for (int i = 0; i < 20 && locked.code() != ErrorCode::kLockedOut; ++i)
    locked = ws::Session::login(store, ws::kDemoPharmacist, "wrong-2").status();
  ASSERT_EQ(locked.code(), ErrorCode::kLockedOut) << locked.message();
  add("too many wrong passwords", locked);

  ASSERT_GE(refused.size(), 50u);
  int explained = 0;
  for (const Refusal& r : refused) {
    SCOPED_TRACE(r.what + ": " + r.status.message());
    ASSERT_FALSE(r.status.isOk()) << "the services accepted it";
    const wxString shown = explain(r.status);
    EXPECT_EQ(englishIn(shown), std::set<std::string>{}) << shown.utf8_str();
    explained += englishIn(shown).empty();
  }
  std::cout << explained << " of " << refused.size() << " refusals explained in Chinese\n";
}

TEST(GuiMessages, TheRulesOfThePageImageAreShownInChinese) {
  // The two rules the page image adds to a reuse match (dedup/page_reuse.h), as the "presented
  // before?" window shows them: the same written page, and the picture with the fields (the same
  // patient and date, half the drugs or more, on a page whose writing is found in place).
  setupTranslations("zh_CN");
  const dedup::Fingerprinter maker(crypto::randomSecret(32));
  dedup::PageEvidence page;
  page.registered = true;
  page.inliers = 80;
  page.confirmed = 491;
  page.conflicts = 27;
  const dedup::Fingerprint nothing = maker.make({}, {}, {});
  const dedup::Comparison samePage =
      dedup::withPage(dedup::compare(nothing, nothing), page, dedup::NumberReadings{});
  const auto [first, crumpled] = test::crumpledRephoto();
  page.clustered = 20;  // folds: more changed words than the same written page allows
  const dedup::Comparison folds =
      dedup::withPage(dedup::compare(maker.make(crumpled, {}, {}), maker.make(first, {}, {})), page,
                      dedup::NumberReadings{});
  for (const dedup::Comparison& c : {samePage, folds}) {
    ASSERT_EQ(c.verdict, dedup::Verdict::kSuspected) << c.rule;
    const wxString shown = serviceMessage(c.rule);
    EXPECT_EQ(englishIn(shown), std::set<std::string>{}) << c.rule << " -> " << shown.utf8_str();
    EXPECT_NE(std::string(shown.utf8_str()), c.rule) << "not translated";
    EXPECT_NE(std::string(shown.utf8_str()).find("491"), std::string::npos) << shown.utf8_str();
  }
}

}  // namespace
}  // namespace rx::gui
