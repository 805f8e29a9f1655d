#include "workstation/session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "base/time.h"
#include "data/audit.h"
#include "data/files.h"
#include "store_fixture.h"
#include "workstation/agreements.h"
#include "workstation/demo.h"
#include "workstation/eprescription.h"
#include "workstation/review.h"
#include "workstation/setup.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

namespace rx::ws {
namespace {

TEST(Session, RolesGateUserAdministration) {
  test::TempDir dir;
  const auto path = dir.file("s.rxdb");
  {
    auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("wang"), "wpw"));
    RX_ASSERT_OK((*admin)->addUser({"li", data::Role::kSupervisor, "李", std::nullopt}, "lpw"));
  }
  auto wang = Session::login(path, "wang", "wpw", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  EXPECT_EQ((*wang)->addUser(test::pharmacistUser("zhou"), "x").status().code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->changePassword("li", "hijack").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->removeUser("li").code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ((*wang)->listUsers(true).status().code(), ErrorCode::kPermissionDenied);
  auto users = (*wang)->listUsers(false);
  RX_ASSERT_OK(users);
  EXPECT_EQ(users->size(), 3u);
  RX_EXPECT_OK((*wang)->changePassword("wang", "wpw2"));
  // People are shown by their display names, removed ones too (their names stay on what they
  // signed); a login that names no user is shown as it is.
  EXPECT_EQ((*wang)->shownName("li"), "李");
  EXPECT_EQ((*wang)->shownName("nobody"), "nobody");
  wang->reset();
  auto admin = Session::login(path, test::adminUser().name, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  RX_ASSERT_OK((*admin)->removeUser("li"));
  EXPECT_EQ((*admin)->shownName("li"), "李");
}

// A store from before rxdesk registered signing keys (issue 25): its keys carry no registration
// and its audit log names no first admin key. The first admin to log in after the update becomes
// the root; every other key is flagged until an admin registers it, and a pharmacist cannot.
TEST(Session, KeysFromBeforeRegistrationAreFlaggedUntilAnAdminRegistersThem) {
  test::TempDir dir;
  const auto path = dir.file("old.rxdb");
  {
    auto store = data::Store::create(path, test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(store);
    RX_ASSERT_OK((*store)->addUser(test::pharmacistUser("wang"), "wpw"));
    RX_ASSERT_OK((*store)->connection().exec(
        "UPDATE user_keys SET registered_by = NULL, registered_with = NULL, registered_at = NULL, "
        "registration = NULL, confirmed_at = NULL, confirmation = NULL"));
  }
  std::string wangKey;
  {
    auto wang = Session::login(path, "wang", "wpw", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    auto key = (*wang)->store().personalKey();
    RX_ASSERT_OK(key);
    wangKey = key->publicKey().keyId();
    EXPECT_EQ((*wang)->registerKey("wang").status().code(), ErrorCode::kPermissionDenied);
    auto signer = (*wang)->store().signerKey("wang", wangKey);
    EXPECT_EQ(signer.status().code(), ErrorCode::kBadSignature);
  }
  auto admin = Session::login(path, test::adminUser().name, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  auto before = (*admin)->checkSigningKeys();
  RX_ASSERT_OK(before);
  ASSERT_EQ(before->size(), 2u);
  for (const data::UserKeyStanding& k : *before) {
    if (k.key.user == "wang") {
      EXPECT_FALSE(k.registered);
      EXPECT_NE(k.problem.find("rxdesk-cli user register-key wang --key " + wangKey),
                std::string::npos)
          << k.problem;
    } else {
      EXPECT_TRUE(k.registered) << "the admin's login made their key the first admin key";
      EXPECT_EQ(k.problem, "");
    }
  }
  auto registered = (*admin)->registerKey("wang");
  RX_ASSERT_OK(registered);
  EXPECT_EQ(registered->keyId, wangKey);
  auto after = (*admin)->checkSigningKeys();
  RX_ASSERT_OK(after);
  for (const data::UserKeyStanding& k : *after) EXPECT_EQ(k.problem, "") << k.key.user;
  RX_EXPECT_OK((*admin)->store().signerKey("wang", wangKey));
  // Both steps are in the audit log, each once.
  data::AuditLog log((*admin)->store().connection());
  auto report = log.verify();
  RX_ASSERT_OK(report);
  auto entries = log.entries(1, report->entries);
  RX_ASSERT_OK(entries);
  int roots = 0, registrations = 0;
  for (const data::AuditEntry& e : *entries) {
    roots += e.event == "key.root";
    registrations += e.event == "key.register" && e.subject == "wang";
  }
  EXPECT_EQ(roots, 1);
  EXPECT_EQ(registrations, 1);
  admin->reset();
  auto again = Session::login(path, test::adminUser().name, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(again);
  auto twice = data::AuditLog((*again)->store().connection()).verify();
  RX_ASSERT_OK(twice);
  EXPECT_EQ(twice->entries, report->entries + 1) << "only the login: the root is made once";
}

TEST(Demo, CreatesDemoAccountsOnceAndKeepsExistingStore) {
  test::TempDir dir;
  const auto path = dir.file("sub/demo.rxdb");
  auto first = ensureDemoStore(path);
  RX_ASSERT_OK(first);
  EXPECT_TRUE(*first);
  auto second = ensureDemoStore(path);
  RX_ASSERT_OK(second);
  EXPECT_FALSE(*second);
  for (const char* who : {kDemoAdmin, kDemoPharmacist, kDemoSupervisor})
    RX_EXPECT_OK(Session::login(path, who, kDemoPassword));

  // Demo data to try everything with: an accepted agreement, products, a queue in which the first
  // e-prescription was presented twice, and the signed files to present again.
  auto wang = Session::login(path, kDemoPharmacist, kDemoPassword);
  RX_ASSERT_OK(wang);
  ReviewService review(**wang);
  auto queue = review.queue();
  RX_ASSERT_OK(queue);
  ASSERT_EQ(queue->size(), 4u);
  int certain = 0;
  for (const auto& r : *queue) {
    EXPECT_EQ(r.verified, true) << "record " << r.id << " verifies against the demo agreement";
    auto finding = review.reuse().finding(r.id);
    RX_ASSERT_OK(finding);
    certain += (*finding)->verdict == dedup::Verdict::kCertain;
  }
  EXPECT_EQ(certain, 1);
  auto agreements = AgreementService(**wang).list();
  RX_ASSERT_OK(agreements);
  ASSERT_EQ(agreements->size(), 1u);
  // The e-prescriptions' four drugs, and the demo paper's drugs (codes from 8400001) so that it
  // can be dispensed too.
  auto products = ProductService(**wang).list();
  RX_ASSERT_OK(products);
  EXPECT_GT(products->size(), 4u);
  EXPECT_TRUE(std::any_of(products->begin(), products->end(),
                          [](const auto& p) { return p.productCode == "8400001"; }));
  EXPECT_FALSE(SettingsService(**wang).pharmacy()->name.empty());
  for (const char* f : {"rx-1.json", "rx-2.json", "rx-3.json", "rx-2.qr.txt", "paper-1.jpg",
                        "paper-1-photographed-again.jpg", "paper-2-monthly-repeat.jpg"})
    EXPECT_TRUE(std::filesystem::exists(dir.file(std::string("sub/demo-files/") + f))) << f;
}

// The demo e-prescriptions are valid on the day they are issued: a demo store made a week ago and
// launched today gets fresh ones, signed now, which pass the validity check; launched again the
// same day, nothing more is added. Also when launched just after midnight Beijing time (16:00 UTC),
// when half an hour ago was yesterday.
void expectFreshDemoPrescriptionsValidOn(std::chrono::system_clock::time_point now) {
  test::TempDir dir;
  const auto path = dir.file("sub/demo.rxdb");
  RX_ASSERT_OK(ensureDemoStore(path, {}, now - std::chrono::days(7)));
  const std::string today = beijingDate(utcTimestamp(now));
  auto blockedByValidity = [&](Session& s) {
    ReviewService review(s);
    auto queue = review.queue();
    int valid = 0, expired = 0;
    if (!queue) return std::make_pair(-1, -1);
    for (const auto& r : *queue) {
      if (r.kind != data::RxKind::kElectronic) continue;
      auto checks = review.checks(r.id, today);
      if (!checks) return std::make_pair(-1, -1);
      const bool blocked = std::any_of(checks->begin(), checks->end(), [](const RuleCheck& c) {
        return c.rule == "validity" && c.severity == Severity::kBlock;
      });
      (blocked ? expired : valid) += 1;
    }
    return std::make_pair(valid, expired);
  };
  {
    auto wang = Session::login(path, kDemoPharmacist, kDemoPassword);
    RX_ASSERT_OK(wang);
    EXPECT_EQ(blockedByValidity(**wang), std::make_pair(0, 4)) << "a week old: all expired";
  }
  auto fresh = freshenDemoStore(path, {}, now);
  RX_ASSERT_OK(fresh);
  EXPECT_EQ(*fresh, 4) << "the three e-prescriptions, the first twice";
  auto wang = Session::login(path, kDemoPharmacist, kDemoPassword);
  RX_ASSERT_OK(wang);
  EXPECT_EQ(blockedByValidity(**wang).first, 4) << "the fresh ones are valid on " << today;
  // The files to present are today's too.
  auto again = freshenDemoStore(path, {}, now);
  RX_ASSERT_OK(again);
  EXPECT_EQ(*again, 0) << "fresh already";
  auto file = data::readWholeFile(dir.file("sub/demo-files/rx-2.json"));
  RX_ASSERT_OK(file);
  auto erx = parseEPrescription(*file, "rx-2.json");
  RX_ASSERT_OK(erx);
  EXPECT_EQ(beijingDate(erx->issuedAt), today);
}

TEST(Demo, AStoreMadeAWeekAgoGetsFreshEPrescriptionsValidToday) {
  expectFreshDemoPrescriptionsValidOn(std::chrono::system_clock::now());
}

TEST(Demo, FreshEPrescriptionsMadeJustAfterMidnightInBeijingAreValidThatDay) {
  using namespace std::chrono;
  // Ten minutes into a Beijing day (16:10 UTC) that has already begun.
  const auto dayBegan = beijingDayBegan(system_clock::now());
  const auto justAfter = dayBegan + minutes(10) <= system_clock::now()
                             ? dayBegan + minutes(10)
                             : dayBegan - days(1) + minutes(10);
  ASSERT_EQ(chinaTime(utcTimestamp(justAfter)).substr(11), "00:10");
  expectFreshDemoPrescriptionsValidOn(justAfter);
}

TEST(FirstRun, SetsUpIdentityAccountsAndIdleLockOrLeavesNothing) {
  test::TempDir dir;
  const auto path = dir.file("shop/store.rxdb");
  PharmacySetup setup;
  setup.pharmacy = {"仁心大药房", "91440300708461136T", "粤AA7550123"};
  setup.admin = {"boss", data::Role::kAdmin, "老板", std::nullopt};
  setup.adminPassword = "boss-pw";
  setup.pharmacist = data::NewUser{"wang", data::Role::kPharmacist, "王药师", std::nullopt};
  setup.pharmacistPassword = "w";
  setup.idleLockMinutes = 3;
  Status noLicence = setUpPharmacy(path, setup, test::fastStoreOptions()).status();
  EXPECT_NE(noLicence.message().find("licence"), std::string::npos) << noLicence.message();
  EXPECT_FALSE(std::filesystem::exists(path)) << "nothing is created when the input is wrong";
  setup.pharmacist->licenceNo = "ZY44010001";
  setup.pharmacy.uscc = "91440300708461136X";
  EXPECT_NE(setUpPharmacy(path, setup, test::fastStoreOptions())
                .status()
                .message()
                .find("统一社会信用代码"),
            std::string::npos);
  setup.pharmacy.uscc = "91440300708461136T";

  auto admin = setUpPharmacy(path, setup, test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  SettingsService settings(**admin);
  EXPECT_EQ(settings.pharmacy()->name, "仁心大药房");
  EXPECT_EQ(settings.get("session.idle_lock_minutes")->value, "3");
  admin->reset();
  RX_EXPECT_OK(Session::login(path, "wang", "w", test::fastStoreOptions()));
  EXPECT_EQ(setUpPharmacy(path, setup, test::fastStoreOptions()).status().code(),
            ErrorCode::kConflict)
      << "never over an existing store";
}

// A set-up killed at any moment (power cut, window closed) leaves either nothing where rxdesk looks
// for the store, or the complete store; never a half-made one that can no longer be opened nor set
// up again.
TEST(PharmacySetUp, KilledAtAnyMomentLeavesNoHalfMadeStore) {
  test::TempDir dir;
  const std::string path = dir.file("store.rxdb");
  PharmacySetup setup;
  setup.admin = test::adminUser();
  setup.adminPassword = "pw";
  setup.pharmacist = test::pharmacistUser("wang");
  setup.pharmacistPassword = "w";
  setup.pharmacy = {"仁心大药房", "91440300708461136T", "粤AA7550123"};
  std::mt19937 rng(7);
  int complete = 0, nothing = 0;
  for (int round = 0; round < 25; ++round) {
    for (const std::string& f : {path, path + ".keys", path + ".attempts"})
      std::filesystem::remove(f);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto made = setUpPharmacy(path, setup, test::fastStoreOptions());
      _exit(made ? 0 : 1);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 120000));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!std::filesystem::exists(path)) {
      ++nothing;
      // The next attempt succeeds despite whatever the killed one left under the staging name.
      auto again = setUpPharmacy(path, setup, test::fastStoreOptions());
      ASSERT_TRUE(again.isOk()) << "round " << round << ": " << again.status().message();
    } else {
      ++complete;
    }
    auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
    ASSERT_TRUE(wang.isOk()) << "round " << round << ": " << wang.status().message();
    EXPECT_FALSE(std::filesystem::exists(path + ".setting-up"));
  }
  EXPECT_GT(nothing, 0) << "some set-ups were cut short";
}

}  // namespace
}  // namespace rx::ws
