#include "workstation/backup.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "audit_rewrite.h"
#include "data/audit.h"
#include "data/patients.h"
#include "store_fixture.h"
#include "workstation/settings.h"

namespace rx::ws {
namespace {

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Session::initStore(store(), test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(s);
    for (int i = 0; i < 200; ++i)
      RX_ASSERT_OK(data::PatientRepository((*s)->store().connection())
                       .insert({0, "患者" + std::to_string(i), std::nullopt, std::nullopt}));
  }
  std::string store() const { return dir_.file("live.rxdb"); }
  std::unique_ptr<Session> login(const std::string& path) {
    auto s = Session::login(path, "admin", "pw", test::fastStoreOptions());
    EXPECT_TRUE(test::isOk(s));
    return s ? std::move(*s) : nullptr;
  }
  static std::vector<std::string> rows(Session& s) {
    std::vector<std::string> out;
    data::PatientRepository repo(s.store().connection());
    for (std::int64_t id = 1;; ++id) {
      auto p = repo.findById(id);
      if (!p) break;
      out.push_back(p->name);
    }
    return out;
  }
  test::TempDir dir_;
};

TEST_F(BackupTest, OnlineBackupDuringWritesRestoresEveryRowOfItsSnapshot) {
  // Another process keeps writing while the backup runs.
  // Another process keeps writing (a busy counter: a row every few milliseconds) while the backup
  // runs; the guard stops it whatever happens to the test.
  pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    auto s = data::Store::open(store(), "admin", "pw", test::fastStoreOptions());
    if (!s) _exit(3);
    for (int i = 0;; ++i) {
      (void)data::PatientRepository((*s)->connection())
          .insert({0, "写入中" + std::to_string(i), std::nullopt, std::nullopt});
      ::usleep(3000);
    }
  }
  struct StopWriter {
    pid_t pid;
    ~StopWriter() {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  } stopWriter{writer};
  ::usleep(100000);
  const std::string backup = dir_.file("backup.rxbak");
  {
    auto session = login(store());
    ASSERT_NE(session, nullptr);
    std::uint64_t lastDone = 0;
    auto info =
        writeBackup(*session, backup, [&](std::uint64_t done, std::uint64_t) { lastDone = done; });
    RX_ASSERT_OK(info);
    EXPECT_EQ(lastDone, info->storeBytes + info->keysBytes);
  }
  RX_ASSERT_OK(checkBackup(backup));

  const std::string restoredPath = dir_.file("restored.rxdb");
  auto restored0 = restoreBackup({backup, restoredPath, "admin"}, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(restored0);
  EXPECT_TRUE(restored0->keptAs.empty());
  auto live = login(store());
  auto restored = login(restoredPath);
  ASSERT_TRUE(live && restored);
  const auto liveRows = rows(*live), restoredRows = rows(*restored);
  ASSERT_GE(restoredRows.size(), 200u);
  ASSERT_LE(restoredRows.size(), liveRows.size());
  // A consistent snapshot: exactly the first N rows, each identical.
  for (std::size_t i = 0; i < restoredRows.size(); ++i)
    ASSERT_EQ(restoredRows[i], liveRows[i]) << "row " << i + 1;
  EXPECT_EQ(*restored->store().connection().integrityCheck(), "ok");
}

TEST_F(BackupTest, RestoreKeepsTheOldStoreAside) {
  const std::string backup = dir_.file("b.rxbak");
  RX_ASSERT_OK(writeBackup(*login(store()), backup));
  {
    auto s = login(store());
    RX_ASSERT_OK(data::PatientRepository(s->store().connection())
                     .insert({0, "备份之后", std::nullopt, std::nullopt}));
  }
  auto restored = restoreBackup({backup, store(), "admin"}, "pw", test::fastStoreOptions());
  RX_ASSERT_OK(restored);
  const std::string kept = restored->keptAs;
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(rows(*login(store())).size(), 200u);
  EXPECT_EQ(rows(*login(kept)).size(), 201u) << "the replaced store is kept, with its key slots";
}

// `backup` with the store part's size in its header replaced by `size` (JSON text).
std::string withStoreSize(std::string backup, const std::string& size) {
  const std::size_t store = backup.find("\"store\":{");
  const std::size_t at = backup.find("\"size\":", store);
  const std::size_t end = backup.find_first_of(",}", at);
  EXPECT_TRUE(store != std::string::npos && at != std::string::npos &&
              end < backup.find('\n', store));
  const std::size_t from = at + std::string("\"size\":").size();
  return backup.replace(from, end - from, size);
}

TEST_F(BackupTest, DamagedBackupsAreRefusedAndTheStoreIsUntouched) {
  const std::string backup = dir_.file("b.rxbak");
  RX_ASSERT_OK(writeBackup(*login(store()), backup));
  const std::string good = test::readBytes(backup);
  const std::string before = test::readBytes(store());
  struct Case {
    std::string bytes;
    const char* mention;
  } cases[] = {
      {good.substr(0, good.size() / 2), "truncated"},
      {good.substr(0, good.size() - 10), "truncated"},
      {[&] {
         std::string b = good;
         b[b.size() / 2] ^= 0x01;
         return b;
       }(),
       "checksum"},
      {"not a backup at all", "not an rxdesk backup"},
      // Found by fuzz_backup: a part size that is not a whole number (1e300 overflowed the
      // conversion to an integer) or is negative.
      {withStoreSize(good, "1e300"), "whole numbers"},
      {withStoreSize(good, "-4096"), "whole numbers"},
      {withStoreSize(good, "4096.5"), "whole numbers"},
      // A header line that never ends is not read into memory whole (issue 25 #4).
      {"RXDESK-BACKUP-1\n" + std::string(8u << 20, 'x'), "header is missing or damaged"},
      // Found by fuzz_backup: a header whose 'format' is a number, not text, ended the program.
      {"RXDESK-BACKUP-1\n{\"created_by\":\"admin\",\"format\":1}\n", "header is damaged"},
      {[&] {
         std::string b = good;
         const std::size_t at = b.find("\"rxdesk-backup\"");
         EXPECT_NE(at, std::string::npos);
         return b.replace(at, std::string("\"rxdesk-backup\"").size(), "[1]");
       }(),
       "header is damaged"},
  };
  for (const auto& c : cases) {
    std::ofstream(dir_.file("bad.rxbak"), std::ios::binary | std::ios::trunc) << c.bytes;
    auto r =
        restoreBackup({dir_.file("bad.rxbak"), store(), "admin"}, "pw", test::fastStoreOptions());
    ASSERT_FALSE(r) << c.mention;
    EXPECT_EQ(r.status().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.status().message().find(c.mention), std::string::npos) << r.status().message();
    EXPECT_EQ(test::readBytes(store()), before);
    EXPECT_FALSE(std::filesystem::exists(store() + ".restoring"));
  }
  // A wrong password cannot restore either, and changes nothing.
  auto wrong = restoreBackup({backup, store(), "admin"}, "nope", test::fastStoreOptions());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kAuthFailed);
  EXPECT_EQ(test::readBytes(store()), before);
}

// A cancelled backup: kCancelled, no backup, partial file, snapshot or its journal and keys left,
// not recorded as the last backup, and the next backup works.
void expectCancelledLeavingNothing(Session& s, const std::string& backup, const Status& cancelled) {
  EXPECT_EQ(cancelled.code(), ErrorCode::kCancelled) << cancelled.message();
  for (const char* left : {"", ".partial", ".snapshot", ".snapshot-wal", ".snapshot-shm",
                           ".snapshot-journal", ".snapshot.keys"})
    EXPECT_FALSE(std::filesystem::exists(backup + left)) << left;
  auto status = backupStatus(s);
  RX_ASSERT_OK(status);
  EXPECT_FALSE(status->lastAt) << "a cancelled backup is not the last backup";
  RX_ASSERT_OK(writeBackup(s, backup));
  RX_EXPECT_OK(checkBackup(backup));
}

// Cancelled while the file is being written (the window's Cancel, Ctrl+C at the CLI): no backup, no
// partial file, no snapshot of the store left beside it, nothing recorded as the last backup; the
// next backup is written as usual.
TEST_F(BackupTest, ABackupCancelledWhileWritingLeavesNothingBehind) {
  auto s = login(store());
  const std::string backup = dir_.file("stopped.rxbak");
  std::stop_source stop;
  bool sawPartial = false;
  auto cancelled = writeBackup(
      *s, backup,
      [&](std::uint64_t, std::uint64_t) {
        sawPartial = sawPartial || std::filesystem::exists(backup + ".partial");
        stop.request_stop();  // after the first part: the store's snapshot is written
      },
      stop.get_token());
  EXPECT_TRUE(sawPartial) << "it was stopped in the middle of writing";
  expectCancelledLeavingNothing(*s, backup, cancelled.status());
}

// Cancelled while the store's snapshot is taken (the window's Cancel comes from another thread):
// the stop is noticed at the copy's next step (this store is smaller than one step, so when it
// returns; ConnectionTest covers the stop between steps) or between chunks of its checksum, and
// nothing is left behind: no backup, no partial file, no snapshot or its journal.
TEST_F(BackupTest, ABackupCancelledWhileTakingItsSnapshotLeavesNothingBehind) {
  auto s = login(store());
  const std::string backup = dir_.file("snapshot-stopped.rxbak");
  std::stop_source stop;
  std::atomic<bool> finished = false;
  std::thread cancel([&] {
    while (!finished && !std::filesystem::exists(backup + ".snapshot")) std::this_thread::yield();
    stop.request_stop();
  });
  // Should that thread come late, the first bytes written stop it instead: the outcome never
  // depends on timing.
  auto cancelled = writeBackup(
      *s, backup, [&](std::uint64_t, std::uint64_t) { stop.request_stop(); }, stop.get_token());
  finished = true;
  cancel.join();
  expectCancelledLeavingNothing(*s, backup, cancelled.status());
}

TEST_F(BackupTest, OnlyAdminsAndSupervisorsBackUpAndNeverOverAFile) {
  auto s = login(store());
  RX_ASSERT_OK(s->addUser(test::pharmacistUser("wang"), "w"));
  std::ofstream(dir_.file("exists.rxbak")) << "x";
  EXPECT_EQ(writeBackup(*s, dir_.file("exists.rxbak")).status().code(), ErrorCode::kAlreadyExists);
  s.reset();
  auto wang = Session::login(store(), "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  EXPECT_EQ(writeBackup(**wang, dir_.file("w.rxbak")).status().code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(BackupTest, ScheduledDailyBackupGoesToTheAdminsFolderOncePerDayAndWarnsWhenOld) {
  auto admin = login(store());
  ASSERT_NE(admin, nullptr);
  RX_ASSERT_OK(admin->addUser(test::pharmacistUser("wang"), "w"));
  auto none = runScheduledBackup(*admin);
  RX_ASSERT_OK(none);
  EXPECT_FALSE(none->has_value()) << "no folder set: nothing to do";
  auto status = backupStatus(*admin);
  RX_ASSERT_OK(status);
  EXPECT_TRUE(status->stale) << "never backed up";

  const std::string usb = dir_.file("usb");
  RX_ASSERT_OK(SettingsService(*admin).set("backup.folder", usb));
  Status unplugged = runScheduledBackup(*admin).status();
  EXPECT_EQ(unplugged.code(), ErrorCode::kIo);
  EXPECT_NE(unplugged.message().find(usb), std::string::npos) << unplugged.message();
  std::filesystem::create_directory(usb);
  admin.reset();

  // The pharmacist at the counter runs it: the folder is the admin's choice.
  auto wang = Session::login(store(), "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  // Times around now: the last backup's time is the real one.
  const auto now = std::chrono::system_clock::now();
  auto at = [&](int days) { return utcTimestamp(now + std::chrono::hours(24 * days)); };
  auto written = runScheduledBackup(**wang, {}, at(0));
  RX_ASSERT_OK(written);
  ASSERT_TRUE(written->has_value());
  EXPECT_NE((*written)->find(datePart(chinaTime(at(0))) + ".rxbak"), std::string::npos)
      << **written << ": named by the Beijing date";
  RX_EXPECT_OK(checkBackup(**written));
  auto again = runScheduledBackup(**wang, {}, at(0));
  RX_ASSERT_OK(again);
  EXPECT_FALSE(again->has_value()) << "once per day";

  auto status2 = backupStatus(**wang, at(1));
  RX_ASSERT_OK(status2);
  ASSERT_TRUE(status2->lastAt.has_value());
  EXPECT_EQ(status2->lastFile, **written);
  EXPECT_EQ(status2->ageDays, 1);
  EXPECT_FALSE(status2->stale);
  EXPECT_TRUE(backupStatus(**wang, at(3))->stale) << "older than backup.warn_after_days (2)";
  auto nextDay = runScheduledBackup(**wang, {}, at(1));
  RX_ASSERT_OK(nextDay);
  ASSERT_TRUE(nextDay->has_value());
  EXPECT_NE((*nextDay)->find(datePart(chinaTime(at(1))) + ".rxbak"), std::string::npos)
      << **nextDay;
}

// Anyone who can log in holds the database key, and the pharmacy key that signs the audit
// checkpoints is inside the store (issue 25 #2). Such an insider rewrites entry 1, recomputes the
// chain and re-signs the checkpoints: the store's own checks pass, but the head kept in a backup
// made before does not, and `audit verify` names where the chain stopped matching it.
TEST_F(BackupTest, AChainRewrittenAndReSignedInsideTheStoreIsCaughtByTheHeadKeptInABackup) {
  auto s = login(store());
  ASSERT_NE(s, nullptr);
  const std::string backup = dir_.file("anchor.rxbak");
  RX_ASSERT_OK(writeBackup(*s, backup));
  auto info = checkBackup(backup);
  RX_ASSERT_OK(info);
  ASSERT_TRUE(info->auditHead) << "the backup keeps the chain's head";
  RX_ASSERT_OK(s->audit("rx.verify", "42"));

  // The rewrite, as done with the database key and SQL.
  RX_ASSERT_OK(test::rewriteAuditLogAsAnInsider(s->store().connection()));

  auto inside = s->verifyAudit();
  RX_ASSERT_OK(inside);
  EXPECT_FALSE(inside->problem) << "the store's own checks cannot see it: "
                                << inside->problem->what;
  auto anchors = auditAnchors(*s, {backup});
  RX_ASSERT_OK(anchors);
  auto outside = s->verifyAudit({}, *anchors);
  RX_ASSERT_OK(outside);
  ASSERT_TRUE(outside->problem) << "the head kept in the backup no longer matches";
  EXPECT_EQ(outside->problem->seq, info->auditHead->seq);
  EXPECT_NE(outside->problem->what.find(backup), std::string::npos) << outside->problem->what;
  // With no file named, the last backup rxdesk wrote is the anchor.
  auto byDefault = auditAnchors(*s, {});
  RX_ASSERT_OK(byDefault);
  EXPECT_EQ(byDefault->size(), 1u);
}

}  // namespace
}  // namespace rx::ws
