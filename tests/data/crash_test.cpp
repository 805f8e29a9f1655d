// Killing the process in the middle of committed writes loses no committed row.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "data/patients.h"
#include "store_fixture.h"

namespace rx::data {
namespace {

// Child: write rows one transaction each; after each COMMIT returns, report the id on the pipe.
[[noreturn]] void writeUntilKilled(const std::string& path, int reportFd) {
  auto store = Store::open(path, "admin", "pw", test::fastStoreOptions());
  if (!store) _exit(3);
  PatientRepository patients((*store)->connection());
  for (int i = 0;; ++i) {
    Transaction tx((*store)->connection());
    auto p =
        patients.insert({0, "患者-" + std::to_string(i), "ID" + std::to_string(i), std::nullopt});
    if (!p || !tx.commit()) _exit(4);
    std::int64_t id = p->id;
    if (::write(reportFd, &id, sizeof id) != sizeof id) _exit(5);
  }
}

TEST(CrashSafety, SigkillDuringCommittedWritesLosesNothing) {
  test::TempDir dir;
  const std::string path = dir.file("crash.rxdb");
  ASSERT_TRUE(Store::create(path, test::adminUser(), "pw", test::fastStoreOptions()));
  std::mt19937 rng(20261122);
  std::set<std::int64_t> committed;
  for (int round = 0; round < 6; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      writeUntilKilled(path, fds[1]);
    }
    ::close(fds[1]);
    // Kill after a random number of reported commits, while the next write is under way.
    const int killAfter = 20 + static_cast<int>(rng() % 200);
    int seen = 0;
    std::int64_t id;
    while (seen < killAfter && ::read(fds[0], &id, sizeof id) == sizeof id) {
      committed.insert(id);
      ++seen;
    }
    ::kill(child, SIGKILL);
    while (::read(fds[0], &id, sizeof id) == sizeof id) committed.insert(id);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "round " << round << ": child exited early with " << WEXITSTATUS(status);
    ASSERT_EQ(seen, killAfter) << "round " << round;
  }

  auto store = Store::open(path, "admin", "pw", test::fastStoreOptions());
  ASSERT_TRUE(store) << store.status().message();
  auto check = (*store)->connection().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check);
  ASSERT_TRUE(*check->step());
  EXPECT_EQ(check->columnText(0), "ok");
  PatientRepository patients((*store)->connection());
  for (std::int64_t id : committed) {
    auto p = patients.findById(id);
    ASSERT_TRUE(p) << "committed row " << id << " was lost";
    EXPECT_EQ(p->idNumber, "ID" + p->name.substr(std::string("患者-").size()));
  }
  EXPECT_GE(*patients.count(), static_cast<std::int64_t>(committed.size()));
}

}  // namespace
}  // namespace rx::data
