// Power loss in the middle of real work: a child process takes e-prescriptions from intake through
// review and dispensing and writes backups, reporting each operation on a pipe once it returned;
// the parent kills it with SIGKILL at a random moment, over and over. Afterwards the store opens,
// passes integrity_check and its audit chain verifies; every reported operation is there; nothing
// is half-done (a hand-out without its used mark, a decision without its audit entry).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "base/time.h"
#include "data/audit.h"
#include "store_fixture.h"
#include "workstation/agreements.h"
#include "workstation/backup.h"
#include "workstation/demo_documents.h"
#include "workstation/review.h"
#include "workstation/settings.h"

namespace rx::ws {
namespace {

enum Op : std::int64_t { kPresented = 1, kApproved = 2, kHandedOut = 3, kBackedUp = 4 };
struct Report {
  std::int64_t op, id;
};

// Child: round `round` of the work, until killed. Each report is written after the call returned.
[[noreturn]] void workUntilKilled(const std::string& path, const crypto::SigningKey& provider,
                                  int round, int fd) {
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  auto li = Session::login(path, "li", "l", test::fastStoreOptions());
  if (!wang || !li) _exit(3);
  auto report = [&](std::int64_t op, std::int64_t id) {
    Report r{op, id};
    if (::write(fd, &r, sizeof r) != sizeof r) _exit(5);
  };
  ReviewService review(**wang);
  ErxVerifier verifier(**wang);
  for (int i = 0;; ++i) {
    DemoPrescription p;
    // A different patient each time: the same patient and drugs twice a day is a reuse suspicion.
    // Numbers far apart: two numbers one deletion apart on the same day are a reuse suspicion.
    std::mt19937_64 numbers(static_cast<std::uint64_t>(round) * 100003 + i);
    p.rxNumber = "RX" + std::to_string(100000000000ull + numbers() % 900000000000ull);
    p.patientName = "患者" + std::to_string(round) + "号" + std::to_string(i);
    p.issuedAt = utcTimestamp();
    auto text = signEPrescription(demoBundle(p), provider, p.issuedAt);
    auto erx = parseEPrescription(*text, "f.json");
    auto verdict = verifier.verifyAndRecord(*erx);
    if (!verdict) _exit(6);
    auto id = review.presentElectronic(*erx, *verdict, "f.json");
    if (!id) _exit(7);
    report(kPresented, *id);
    auto fail = [](int code, const Status& s) {
      std::fprintf(stderr, "child: %s\n", s.message().c_str());
      _exit(code);
    };
    if (auto st = review.startReview(*id); !st) fail(8, st.status());
    if (auto st = review.confirmFields(*id, {{"patient_id_no", "110101198005010011"}}); !st)
      fail(8, st);
    if (auto d = review.decide(*id, {Decision::kApprove, {}, "", true}); !d) fail(8, d.status());
    report(kApproved, *id);
    const std::string serial = std::to_string(1000000 + round * 10000 + i);
    if (Status st = review.recordStep(*id, "prepare"); !st) fail(9, st);
    for (const std::string& code :
         {"8123456" + std::string(13 - serial.size(), '0') + serial,
          "8123456" + std::string(12 - serial.size(), '0') + serial + "9"})
      if (auto pk = review.scanPackage(*id, code); !pk) fail(9, pk.status());
    if (Status st = review.recordStep(*id, "check"); !st) fail(9, st);
    if (Status st = review.handOut(*id); !st) fail(9, st);
    report(kHandedOut, *id);
    if (i % 4 == 3) {
      const std::string file = path + ".bak-" + std::to_string(round) + "-" + std::to_string(i);
      if (auto b = writeBackup(**li, file); !b) fail(10, b.status());
      report(kBackedUp, round * 10000 + i);
    }
  }
}

TEST(PowerLoss, SigkillDuringIntakeReviewDispensingAndBackupLeavesNothingHalfDone) {
  test::TempDir dir;
  const std::string path = dir.file("f.rxdb");
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  {
    auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("wang"), "w"));
    RX_ASSERT_OK((*admin)->addUser({"li", data::Role::kSupervisor, "李主管", std::nullopt}, "l"));
    auto agreement = signAgreement(
        demoAgreementDraft("AG-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                           "91440300708461136T", "2026-01-01", "2099-12-31"),
        provider, "2026-01-01T00:00:00Z");
    RX_ASSERT_OK(AgreementService(**admin).import(*agreement, "ag.json"));
    data::ProductRecord product;
    product.productCode = "8123456";
    product.drugName = "阿莫西林胶囊";
    product.manufacturer = "示例制药";
    product.unit = "盒";
    product.priceFen = 1250;
    RX_ASSERT_OK(ProductService(**admin).put(product));
  }
  std::mt19937 rng(20261122);
  std::map<std::int64_t, std::int64_t> done;  // record -> furthest operation reported
  std::set<std::int64_t> backups;
  const int rounds = 120;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      workUntilKilled(path, provider, round, fds[1]);
    }
    ::close(fds[1]);
    // Kill at a random moment: 20-300 ms in, mid-operation most of the time.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 280));
    ::kill(child, SIGKILL);
    Report r;
    while (::read(fds[0], &r, sizeof r) == sizeof r) {
      if (r.op == kBackedUp)
        backups.insert(r.id);
      else
        done[r.id] = std::max(done[r.id], r.op);
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "round " << round << ": the child stopped by itself (" << WEXITSTATUS(status) << ")";
  }
  ASSERT_GT(done.size(), 20u) << "the children got some work done";

  auto s = Session::login(path, "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(s);
  auto& conn = (*s)->store().connection();
  EXPECT_EQ(*conn.integrityCheck(), "ok");
  auto audit = (*s)->verifyAudit();
  RX_ASSERT_OK(audit);
  EXPECT_FALSE(audit->problem) << "the audit chain is intact";
  auto entries = data::AuditLog(conn).entries(1, audit->entries);
  RX_ASSERT_OK(entries);
  std::set<std::pair<std::string, std::string>> audited;
  for (const auto& e : *entries) audited.insert({e.event, e.subject});

  data::PrescriptionRepository repo(conn);
  ReviewService review(**s);
  int handedOut = 0;
  for (const auto& [id, op] : done) {
    auto r = repo.find(id);
    ASSERT_TRUE(r) << "reported record " << id << " was lost";
    if (op >= kApproved) {
      auto decisions = repo.decisions(id);
      ASSERT_EQ(decisions->size(), 1u) << id;
      RX_EXPECT_OK(review.verifyDecision(decisions->at(0)));
    }
    if (op >= kHandedOut) {
      ++handedOut;
      EXPECT_EQ(r->state, data::RxState::kClosed) << id;
    }
  }
  EXPECT_GT(handedOut, 10);
  // Nothing half-done anywhere in the store, reported or not.
  auto all = repo.list({data::RxState::kQueued, data::RxState::kInReview, data::RxState::kApproved,
                        data::RxState::kPartiallyDispensed, data::RxState::kClosed});
  RX_ASSERT_OK(all);
  for (const auto& r : *all) {
    auto decisions = repo.decisions(r.id);
    if (!decisions->empty()) {
      EXPECT_TRUE(audited.count({"review.decide", std::to_string(r.id)}))
          << "decision on " << r.id << " without its audit entry";
    }
    auto steps = repo.steps(r.id);
    const bool handOut = std::any_of(steps->begin(), steps->end(),
                                     [](const auto& st) { return st.step == "hand_out"; });
    EXPECT_EQ(handOut, r.state == data::RxState::kClosed) << r.id;
    if (handOut) {
      EXPECT_EQ(*repo.usedBy(*r.issuer, *r.rxNumber), r.id) << "hand-out without its used mark";
      EXPECT_TRUE(audited.count({"dispense.hand_out", std::to_string(r.id)})) << r.id;
    }
    EXPECT_TRUE(audited.count({"rx.present", std::to_string(r.id)})) << r.id;
  }
  for (std::int64_t b : backups) {
    const std::string file =
        path + ".bak-" + std::to_string(b / 10000) + "-" + std::to_string(b % 10000);
    RX_EXPECT_OK(checkBackup(file));
  }
}

}  // namespace
}  // namespace rx::ws
