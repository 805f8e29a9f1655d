#include "data/audit.h"

#include <gtest/gtest.h>

#include "store_fixture.h"

namespace rx::data {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::create(dir_.file("a.rxdb"), test::adminUser(), "pw", test::fastStoreOptions());
    RX_ASSERT_OK(s);
    store_ = std::move(*s);
    for (int i = 1; i <= 120; ++i)
      RX_ASSERT_OK(log().append("admin", "test.event", "record-" + std::to_string(i), {{"n", i}}));
  }
  AuditLog log() { return AuditLog(store_->connection()); }
  Connection& conn() { return store_->connection(); }
  // What an attacker holding the database key could do: drop the append-only triggers.
  void dropGuards() {
    ASSERT_TRUE(test::isOk(
        conn().exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")));
  }
  AuditProblem expectProblem() {
    auto report = log().verify();
    EXPECT_TRUE(test::isOk(report));
    EXPECT_TRUE(report->problem.has_value()) << "tampering went unnoticed";
    return report->problem.value_or(AuditProblem{});
  }
  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditTest, IntactChainVerifiesWithSignedCheckpoints) {
  auto report = log().verify();
  RX_ASSERT_OK(report);
  EXPECT_EQ(report->entries, 120);
  EXPECT_EQ(report->checkpoints, 2);  // at 50 and 100
  EXPECT_FALSE(report->problem) << report->problem->what;
}

TEST_F(AuditTest, StoreRefusesUpdateAndDelete) {
  Status upd = conn().exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3");
  EXPECT_FALSE(upd.isOk());
  EXPECT_NE(upd.message().find("append-only"), std::string::npos) << upd.message();
  EXPECT_FALSE(conn().exec("DELETE FROM audit_log WHERE seq = 3").isOk());
  EXPECT_FALSE(conn().exec("DELETE FROM audit_checkpoints").isOk());
}

TEST_F(AuditTest, ModifiedEntryIsNamed) {
  dropGuards();
  RX_ASSERT_OK(conn().exec("UPDATE audit_log SET subject = 'record-999' WHERE seq = 17"));
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 17);
  EXPECT_NE(p.what.find("modified"), std::string::npos) << p.what;
}

TEST_F(AuditTest, DeletedEntryIsNamed) {
  dropGuards();
  RX_ASSERT_OK(conn().exec("DELETE FROM audit_log WHERE seq = 42"));
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 42);
  EXPECT_NE(p.what.find("missing"), std::string::npos) << p.what;
}

TEST_F(AuditTest, TruncatedTailIsCaughtByCheckpoint) {
  dropGuards();
  RX_ASSERT_OK(conn().exec("DELETE FROM audit_log WHERE seq >= 90"));
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 100);
  EXPECT_NE(p.what.find("truncated"), std::string::npos) << p.what;
}

TEST_F(AuditTest, InsertedEntryIsNamed) {
  dropGuards();
  // Make room at 30 by renumbering the later entries, then insert a well-formed entry there.
  RX_ASSERT_OK(
      conn().exec("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 30;"
                  "UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1030;"));
  auto before = log().entries(29, 29);
  RX_ASSERT_OK(before);
  AuditEntry forged;
  forged.seq = 30;
  forged.at = "2026-11-22T00:00:00Z";
  forged.actor = "admin";
  forged.event = "user.add";
  forged.subject = "mallory";
  forged.prevHash = before->at(0).hash;
  forged.hash = AuditLog::entryHash(forged);
  auto st = conn().prepare(
      "INSERT INTO audit_log(seq, at, actor, event, subject, detail, prev_hash, hash) "
      "VALUES (30, ?, 'admin', 'user.add', 'mallory', '{}', ?, ?)");
  RX_ASSERT_OK(st);
  RX_ASSERT_OK(st->bind(1, forged.at)
                   .bind(2, Bytes(forged.prevHash.begin(), forged.prevHash.end()))
                   .bind(3, Bytes(forged.hash.begin(), forged.hash.end()))
                   .run());
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 31);
  EXPECT_NE(p.what.find("does not link"), std::string::npos) << p.what;
}

TEST_F(AuditTest, ReorderedEntriesAreNamed) {
  dropGuards();
  // Swap the contents of entries 60 and 61, keeping their numbers.
  RX_ASSERT_OK(conn().exec(
      "UPDATE audit_log SET seq = -1 WHERE seq = 60; UPDATE audit_log SET seq = 60 WHERE seq = 61;"
      "UPDATE audit_log SET seq = 61 WHERE seq = -1;"));
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 60);
  EXPECT_NE(p.what.find("does not link"), std::string::npos) << p.what;
}

TEST_F(AuditTest, ForgedCheckpointSignatureIsNamed) {
  RX_ASSERT_OK(conn().exec("DROP TRIGGER audit_checkpoints_no_update"));
  RX_ASSERT_OK(
      conn().exec("UPDATE audit_checkpoints SET at = '2020-01-01T00:00:00Z' WHERE seq = 50"));
  AuditProblem p = expectProblem();
  EXPECT_EQ(p.seq, 50);
  EXPECT_NE(p.what.find("signature"), std::string::npos) << p.what;
}

}  // namespace
}  // namespace rx::data

namespace rx::data {
namespace {

// The store.create / key.root / store.restore entries are looked up at every key check and chain
// exchange: through their own partial index, which appending other entries does not touch.
TEST_F(AuditTest, LandmarksAreFoundThroughTheirOwnIndex) {
  RX_ASSERT_OK(log().append("admin", "store.restore", "s.rxdb", {{"backup", "b.rxbak"}}));
  auto restores = log().landmarks("store.restore");
  RX_ASSERT_OK(restores);
  ASSERT_EQ(restores->size(), 1u);
  EXPECT_EQ(restores->front().seq, 121);
  EXPECT_EQ(log().landmarks("login").status().code(), ErrorCode::kInvalidArgument);
  auto plan = conn().prepare(
      "EXPLAIN QUERY PLAN SELECT seq FROM audit_log WHERE event IN ('store.create', 'key.root', "
      "'store.restore') AND event = 'store.restore' ORDER BY seq");
  RX_ASSERT_OK(plan);
  std::string steps;
  for (;;) {
    auto row = plan->step();
    RX_ASSERT_OK(row);
    if (!*row) break;
    steps += plan->columnText(3) + "\n";
  }
  EXPECT_NE(steps.find("audit_log_landmarks"), std::string::npos) << steps;
}

}  // namespace
}  // namespace rx::data
