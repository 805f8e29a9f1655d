// Power loss in the middle of real work: a child process takes e-prescriptions from intake through
// review and dispensing and writes backups, reporting each operation on a pipe once it returned;
// the parent kills it with SIGKILL at a random moment, over and over. Afterwards the store opens,
// passes integrity_check and its audit chain verifies; every reported operation is there; nothing
// is half-done (a hand-out without its used mark, a decision without its audit entry).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "base/time.h"
#include "data/audit.h"
#include "presenting.h"
#include "run_process.h"
#include "store_fixture.h"
#include "workstation/agreements.h"
#include "workstation/backup.h"
#include "workstation/demo_documents.h"
#include "workstation/dispensing.h"
#include "workstation/intake.h"
#include "workstation/review.h"
#include "workstation/settings.h"

namespace rx::ws {
namespace {

enum Op : std::int64_t {
  kLoggedIn = 0,
  kPresented = 1,
  kApproved = 2,
  kHandedOut = 3,
  kBackedUp = 4
};
struct Report {
  std::int64_t op, id;
};

// Presents a new signed e-prescription (number `i` of `round`): a different patient each time,
// since the same patient and drugs twice a day is a reuse suspicion; numbers far apart, since two
// numbers one deletion apart on the same day are one too.
Result<std::int64_t> presentNew(ReviewService& review, const crypto::SigningKey& provider,
                                int round, int i) {
  DemoPrescription p;
  std::mt19937_64 numbers(static_cast<std::uint64_t>(round) * 100003 + i);
  p.rxNumber = "RX" + std::to_string(100000000000ull + numbers() % 900000000000ull);
  p.patientName = "患者" + std::to_string(round) + "号" + std::to_string(i);
  p.issuedAt = utcTimestamp();
  RX_ASSIGN_OR_RETURN(std::string text, signEPrescription(demoBundle(p), provider, p.issuedAt));
  RX_ASSIGN_OR_RETURN(auto erx, parseEPrescription(text, "f.json"));
  return test::presented(IntakeService(review).presentElectronic(erx, "f.json"));
}

Status approve(ReviewService& review, std::int64_t id) {
  RX_RETURN_IF_ERROR(review.startReview(id).status());
  RX_RETURN_IF_ERROR(review.confirmFields(id, {{"patient_id_no", "110101198005010011"}}));
  return review.decide(id, {Decision::kApprove, {}, "", true}).status();
}

// Prepares, scans two packages with codes unique to (round, i), checks and hands out.
Status dispenseRound(ReviewService& review, std::int64_t id, int round, int i) {
  const std::string serial = std::to_string(1000000 + round * 10000 + i);
  DispensingService dispensing(review.session());
  RX_RETURN_IF_ERROR(dispensing.recordStep(id, data::DispenseStep::kPrepare));
  for (const std::string& code : {"8123456" + std::string(13 - serial.size(), '0') + serial,
                                  "8123456" + std::string(12 - serial.size(), '0') + serial + "9"})
    RX_RETURN_IF_ERROR(dispensing.scanPackage(id, code).status());
  RX_RETURN_IF_ERROR(dispensing.recordStep(id, data::DispenseStep::kCheck));
  return dispensing.handOut(id);
}

// Child: round `round` of the work, until killed. Each report is written after the call returned.
// With `pauseMs`, the child rests between prescriptions and writes no backups of its own: a
// counter at a normal pace beside other programs.
[[noreturn]] void workUntilKilled(const std::string& path, const crypto::SigningKey& provider,
                                  int round, int fd, int pauseMs = 0) {
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  auto li = Session::login(path, "li", "l", test::fastStoreOptions());
  if (!wang || !li) _exit(3);
  auto report = [&](std::int64_t op, std::int64_t id) {
    Report r{op, id};
    if (::write(fd, &r, sizeof r) != sizeof r) _exit(5);
  };
  auto fail = [](int code, const Status& s) {
    std::fprintf(stderr, "child: %s\n", s.message().c_str());
    _exit(code);
  };
  report(kLoggedIn, 0);
  ReviewService review(**wang);
  for (int i = 0;; ++i) {
    auto id = presentNew(review, provider, round, i);
    if (!id) fail(7, id.status());
    report(kPresented, *id);
    if (Status st = approve(review, *id); !st) fail(8, st);
    report(kApproved, *id);
    if (Status st = dispenseRound(review, *id, round, i); !st) fail(9, st);
    report(kHandedOut, *id);
    if (pauseMs > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs));
      continue;
    }
    if (i % 4 == 3) {
      const std::string file = path + ".bak-" + std::to_string(round) + "-" + std::to_string(i);
      if (auto b = writeBackup(**li, file); !b) fail(10, b.status());
      report(kBackedUp, round * 10000 + i);
    }
  }
}

// The counter of these tests: admin "admin" ("pw"), pharmacist wang ("w"), supervisor li ("l"), an
// accepted agreement with `provider` and one product.
void setUpCounter(const std::string& path, const crypto::SigningKey& provider) {
  auto admin = Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
  RX_ASSERT_OK(admin);
  RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("wang"), "w"));
  RX_ASSERT_OK((*admin)->addUser({"li", data::Role::kSupervisor, "李主管", std::nullopt}, "l"));
  RX_ASSERT_OK(SettingsService(**admin).set("pharmacy.uscc", "91440300708461136T"));
  auto agreement =
      signAgreement(demoAgreementDraft("AG-1", "示例互联网医院", "12440000455858776H", "示例大药房",
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

// After the faults: the store opens, passes integrity_check, its audit chain verifies; every
// operation reported done (record -> furthest op) is there; nothing anywhere is half-done (a
// decision without its audit entry, a hand-out without its used mark). Counts the reported
// hand-outs found.
void expectIntactAndNothingHalfDone(const std::string& path,
                                    const std::map<std::int64_t, std::int64_t>& done,
                                    int* handedOut) {
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
  for (const auto& [id, op] : done) {
    auto r = repo.find(id);
    ASSERT_TRUE(r) << "reported record " << id << " was lost";
    if (op >= kApproved) {
      auto decisions = repo.decisions(id);
      ASSERT_EQ(decisions->size(), 1u) << id;
      RX_EXPECT_OK(review.verifyDecision(decisions->at(0)));
    }
    if (op >= kHandedOut) {
      ++*handedOut;
      EXPECT_EQ(r->state, data::RxState::kClosed) << id;
    }
  }
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
    const bool handOut = std::any_of(steps->begin(), steps->end(), [](const auto& st) {
      return st.step == data::DispenseStep::kHandOut;
    });
    EXPECT_EQ(handOut, r.state == data::RxState::kClosed) << r.id;
    if (handOut) {
      EXPECT_EQ(*repo.usedBy(*r.issuer, *r.rxNumber), r.id) << "hand-out without its used mark";
      EXPECT_TRUE(audited.count({"dispense.hand_out", std::to_string(r.id)})) << r.id;
    }
    EXPECT_TRUE(audited.count({"rx.present", std::to_string(r.id)})) << r.id;
  }
}

TEST(PowerLoss, SigkillDuringIntakeReviewDispensingAndBackupLeavesNothingHalfDone) {
  test::TempDir dir;
  const std::string path = dir.file("f.rxdb");
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  ASSERT_NO_FATAL_FAILURE(setUpCounter(path, provider));
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
    // Kill at a random moment 20-300 ms after the logins (whose time depends on the machine's
    // load and on sanitizers, not on what is tested): mid-operation most of the time.
    Report r;
    const bool loggedIn = ::read(fds[0], &r, sizeof r) == sizeof r && r.op == kLoggedIn;
    if (loggedIn) std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 280));
    ::kill(child, SIGKILL);
    while (::read(fds[0], &r, sizeof r) == sizeof r) {
      if (r.op == kLoggedIn) continue;
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

  int handedOut = 0;
  ASSERT_NO_FATAL_FAILURE(expectIntactAndNothingHalfDone(path, done, &handedOut));
  EXPECT_GT(handedOut, 10);
  for (std::int64_t b : backups) {
    const std::string file =
        path + ".bak-" + std::to_string(b / 10000) + "-" + std::to_string(b % 10000);
    RX_EXPECT_OK(checkBackup(file));
  }
}

// While alive, no file this process writes may grow past `bytes` (RLIMIT_FSIZE), as on a full
// disk; SIGXFSZ is ignored so a write fails (EFBIG) instead of killing the process, as rxdesk does.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_)(int) = nullptr;
};

// The disk fills up in the middle of a working day: the operation that needs space fails with a
// message saying so, leaves nothing half-done, and everything done before is still there; a backup
// onto the full disk fails cleanly (no partial file). The same signed-in sessions carry on once
// space is back, without a restart.
TEST(DiskFull, OperationsFailClearlyLoseNothingAndTheWorkstationCarriesOnWhenSpaceReturns) {
  test::TempDir dir;
  const std::string path = dir.file("f.rxdb");
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  ASSERT_NO_FATAL_FAILURE(setUpCounter(path, provider));
  auto wang = Session::login(path, "wang", "w", test::fastStoreOptions());
  auto li = Session::login(path, "li", "l", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  RX_ASSERT_OK(li);
  ReviewService review(**wang);
  std::map<std::int64_t, std::int64_t> done;
  int i = 0;
  for (; i < 3; ++i) {
    auto id = presentNew(review, provider, 0, i);
    RX_ASSERT_OK(id);
    RX_ASSERT_OK(approve(review, *id));
    RX_ASSERT_OK(dispenseRound(review, *id, 0, i));
    done[*id] = kHandedOut;
  }

  // A backup disk too small for the snapshot, then too small for the backup file itself.
  std::uintmax_t storeBytes = 0;  // the snapshot's size: the store's pages, WAL included
  {
    auto pages = (*li)->store().connection().prepare(
        "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
    RX_ASSERT_OK(pages);
    ASSERT_TRUE(*pages->step());
    storeBytes = static_cast<std::uintmax_t>(pages->columnInt(0));
  }
  for (const std::uintmax_t room : {storeBytes / 2, storeBytes + 512}) {
    FileSizeLimit full(room);
    auto backup = writeBackup(**li, dir.file("full.rxbak"));
    ASSERT_FALSE(backup) << "a backup larger than the space left cannot succeed";
    EXPECT_EQ(backup.status().code(), ErrorCode::kIo) << backup.status().message();
    EXPECT_NE(backup.status().message().find("disk is full"), std::string::npos)
        << backup.status().message();
    for (const char* leftover : {"full.rxbak", "full.rxbak.partial", "full.rxbak.snapshot"})
      EXPECT_FALSE(std::filesystem::exists(dir.file(leftover)))
          << leftover << " left behind: " << backup.status().message();
  }

  std::optional<Status> failure;
  {
    std::error_code ec;
    const auto walSize = std::filesystem::file_size(path + "-wal", ec);
    FileSizeLimit full(
        std::max<std::uintmax_t>(std::filesystem::file_size(path), ec ? 0 : walSize));
    for (; i < 400 && !failure; ++i) {
      auto id = presentNew(review, provider, 0, i);
      if (!id) {
        failure = id.status();
        break;
      }
      done[*id] = kPresented;
      if (Status st = approve(review, *id); !st) {
        failure = st;
        break;
      }
      done[*id] = kApproved;
      if (Status st = dispenseRound(review, *id, 0, i); !st) {
        failure = st;
        break;
      }
      done[*id] = kHandedOut;
    }
  }
  ASSERT_TRUE(failure) << "the store kept growing past the limit";
  EXPECT_EQ(failure->code(), ErrorCode::kIo) << failure->message();
  EXPECT_NE(failure->message().find("disk is full"), std::string::npos) << failure->message();
  EXPECT_NE(failure->message().find("nothing of this operation was saved"), std::string::npos)
      << failure->message();

  // Space is back: the same sessions sell and back up again.
  ++i;
  auto id = presentNew(review, provider, 0, i);
  RX_ASSERT_OK(id);
  RX_ASSERT_OK(approve(review, *id));
  RX_ASSERT_OK(dispenseRound(review, *id, 0, i));
  done[*id] = kHandedOut;
  RX_ASSERT_OK(writeBackup(**li, dir.file("after.rxbak")));
  RX_EXPECT_OK(checkBackup(dir.file("after.rxbak")));
  wang->reset();
  li->reset();
  int handedOut = 0;
  ASSERT_NO_FATAL_FAILURE(expectIntactAndNothingHalfDone(path, done, &handedOut));
  EXPECT_GE(handedOut, 4);
}

// A counter's day with several processes on one store (issue 19): the window (here a child process
// that keeps taking e-prescriptions in, reviewing and handing them out, and backing up) works all
// along while rxdesk-cli backs the store up beside it, 100 times, and an admin tries the operations
// that need the store alone: removing a user (re-key), restoring, purging. Those are refused
// naming the window's process, and change nothing; every backup succeeds; every operation the
// window reported is in the store afterwards, which checks clean.
TEST(SharedStore, HundredCliBackupsBesideAWorkingCounterAndRefusedExclusiveOperationsLoseNothing) {
  test::TempDir dir;
  const std::string path = dir.file("f.rxdb");
  const auto provider = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  ASSERT_NO_FATAL_FAILURE(setUpCounter(path, provider));
  {
    auto admin = Session::login(path, "admin", "pw", test::fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->addUser(test::pharmacistUser("zhao"), "z"));
    RX_ASSERT_OK(writeBackup(**admin, dir.file("morning.rxbak")));
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t counter = ::fork();
  ASSERT_GE(counter, 0);
  if (counter == 0) {
    ::close(fds[0]);
    workUntilKilled(path, provider, 1, fds[1], /*pauseMs=*/250);
  }
  ::close(fds[1]);
  std::map<std::int64_t, std::int64_t> done;
  Report first{};
  ASSERT_EQ(::read(fds[0], &first, sizeof first), static_cast<ssize_t>(sizeof first));
  ASSERT_EQ(first.op, kLoggedIn);
  std::thread reader([&] {
    Report r;
    while (::read(fds[0], &r, sizeof r) == sizeof r)
      if (r.op != kLoggedIn) done[r.id] = std::max(done[r.id], r.op);
  });
  struct StopCounter {
    pid_t pid;
    std::thread& reader;
    int fd;
    ~StopCounter() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      if (reader.joinable()) reader.join();
      ::close(fd);
    }
  } stop{counter, reader, fds[0]};

  const std::map<std::string, std::string> env = {{"HOME", dir.path()},
                                                  {"XDG_DATA_HOME", dir.file("xdg")}};
  auto cli = [&](std::vector<std::string> args, const std::string& password) {
    args.insert(args.begin(), {RXDESK_CLI_PATH, "--db", path});
    auto e = env;
    e["RXDESK_PASSWORD"] = password;
    return test::runProcess(args, e);
  };
  const std::string slotsBefore = test::readBytes(data::Store::keySlotPath(path));
  const std::string pidText = "pid " + std::to_string(counter);
  int backups = 0;
  for (int round = 0; round < 100; ++round) {
    const std::string file = dir.file("cli-" + std::to_string(round) + ".rxbak");
    auto b = cli({"--user", "li", "backup", "--out", file}, "l");
    EXPECT_EQ(b.exitCode, 0) << "round " << round << ": " << b.err;
    backups += b.exitCode == 0;
    if (round % 25 != 0) continue;
    for (const std::vector<std::string>& alone :
         {std::vector<std::string>{"--user", "admin", "user", "remove", "zhao"},
          std::vector<std::string>{"--user", "admin", "restore", dir.file("morning.rxbak")},
          std::vector<std::string>{"--user", "admin", "purge"}}) {
      auto r = cli(alone, "pw");
      EXPECT_EQ(r.exitCode, 13) << alone[2] << ": " << r.err;
      EXPECT_NE(r.err.find(pidText), std::string::npos) << alone[2] << ": " << r.err;
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(counter, SIGKILL);
  ::waitpid(counter, nullptr, 0);
  reader.join();
  EXPECT_EQ(backups, 100);
  EXPECT_EQ(test::readBytes(data::Store::keySlotPath(path)), slotsBefore)
      << "the refused re-key changed nothing";
  ASSERT_GT(done.size(), 5u) << "the counter got work done meanwhile";
  std::printf("shared store: %zu records reported by the counter, %d CLI backups\n", done.size(),
              backups);

  int handedOut = 0;
  ASSERT_NO_FATAL_FAILURE(expectIntactAndNothingHalfDone(path, done, &handedOut));
  EXPECT_GT(handedOut, 0);
  auto check = cli({"--user", "li", "check"}, "l");
  EXPECT_EQ(check.exitCode, 0) << check.err;
  RX_EXPECT_OK(checkBackup(dir.file("cli-99.rxbak")));
  // Alone now, the admin's operations go through.
  auto removed = cli({"--user", "admin", "user", "remove", "zhao"}, "pw");
  EXPECT_EQ(removed.exitCode, 0) << removed.err;
}

}  // namespace
}  // namespace rx::ws
