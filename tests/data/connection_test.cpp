#include "data/connection.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "crypto/bytes.h"
#include "status_matchers.h"
#include "temp_dir.h"

namespace rx::data {
namespace {

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = crypto::randomSecret(32);
    auto c = Connection::open(dir_.file("t.rxdb"), key_, OpenMode::kCreate);
    ASSERT_TRUE(c) << c.status().message();
    conn_ = std::move(*c);
    ASSERT_TRUE(conn_->exec("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB)"));
  }
  test::TempDir dir_;
  SecretBytes key_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(ConnectionTest, ReportsSqlCipherFourOrLater) {
  EXPECT_GE(std::atoi(conn_->cipherVersion().c_str()), 4) << conn_->cipherVersion();
}

TEST_F(ConnectionTest, BoundParametersStoreQuotesAndNulsVerbatim) {
  const std::string tricky = "O'Brien\"; DROP TABLE t; --";
  Bytes blob = {0, 1, 0, 2};
  {
    auto st = conn_->prepare("INSERT INTO t(v, b) VALUES (?, ?)");
    ASSERT_TRUE(st);
    ASSERT_TRUE(st->bind(1, tricky).bind(2, blob).run());
  }
  auto st = conn_->prepare("SELECT v, b FROM t");
  ASSERT_TRUE(st);
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnText(0), tricky);
  EXPECT_EQ(st->columnBlob(1), blob);
}

TEST_F(ConnectionTest, CachedStatementIsResetBetweenUses) {
  for (int i = 0; i < 3; ++i) {
    auto ins = conn_->prepare("INSERT INTO t(v) VALUES (?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->bind(1, "row" + std::to_string(i)).run());
  }
  for (int round = 0; round < 2; ++round) {
    auto st = conn_->prepare("SELECT v FROM t ORDER BY id");
    ASSERT_TRUE(st);
    ASSERT_TRUE(*st->step());  // a handle dropped mid-iteration must not leave the cursor behind
    EXPECT_EQ(st->columnText(0), "row0");
  }
}

TEST_F(ConnectionTest, TransactionRollsBackUnlessCommitted) {
  {
    Transaction tx(*conn_);
    ASSERT_TRUE(tx.beginStatus());
    ASSERT_TRUE(conn_->exec("INSERT INTO t(v) VALUES ('lost')"));
  }
  {
    Transaction tx(*conn_);
    ASSERT_TRUE(conn_->exec("INSERT INTO t(v) VALUES ('kept')"));
    ASSERT_TRUE(tx.commit());
  }
  auto st = conn_->prepare("SELECT group_concat(v) FROM t");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnText(0), "kept");
}

TEST_F(ConnectionTest, SqlErrorsNameTheStatement) {
  auto st = conn_->prepare("SELECT nope FROM t");
  ASSERT_FALSE(st);
  EXPECT_NE(st.status().message().find("nope"), std::string::npos) << st.status().message();
}

TEST_F(ConnectionTest, WrongKeyIsAuthFailure) {
  conn_.reset();
  auto other = Connection::open(dir_.file("t.rxdb"), crypto::randomSecret(32), OpenMode::kExisting);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().code(), ErrorCode::kAuthFailed);
}

TEST_F(ConnectionTest, MissingFileIsNotFoundWithoutCreatingIt) {
  auto c = Connection::open(dir_.file("absent.rxdb"), key_, OpenMode::kExisting);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("absent.rxdb")));
}

}  // namespace
}  // namespace rx::data

namespace rx::data {
namespace {

TEST_F(ConnectionTest, NestedTransactionsUseSavepoints) {
  {
    Transaction outer(*conn_);
    RX_ASSERT_OK(outer.beginStatus());
    RX_ASSERT_OK(conn_->exec("INSERT INTO t(v) VALUES ('outer')"));
    {
      Transaction inner(*conn_);
      RX_ASSERT_OK(inner.beginStatus());
      RX_ASSERT_OK(conn_->exec("INSERT INTO t(v) VALUES ('inner-rolled-back')"));
    }
    {
      Transaction inner(*conn_);
      RX_ASSERT_OK(conn_->exec("INSERT INTO t(v) VALUES ('inner-kept')"));
      RX_ASSERT_OK(inner.commit());
    }
    RX_ASSERT_OK(outer.commit());
  }
  {
    Transaction abandoned(*conn_);
    Transaction inner(*conn_);
    RX_ASSERT_OK(conn_->exec("INSERT INTO t(v) VALUES ('lost-with-outer')"));
    RX_ASSERT_OK(inner.commit());
  }
  auto st = conn_->prepare("SELECT group_concat(v, ',') FROM t");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnText(0), "outer,inner-kept");
}

// A store of about 12 MiB: the online backup copies it in steps of a few MiB.
void fillWithBlobs(Connection& conn, int rows) {
  for (int i = 0; i < rows; ++i) {
    auto ins = conn.prepare("INSERT INTO t(v, b) VALUES (?, ?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->bind(1, "blob" + std::to_string(i)).bind(2, Bytes(1 << 20, 0x5a)).run());
  }
}

std::int64_t rowsIn(Connection& conn) {
  auto st = conn.prepare("SELECT count(*) FROM t");
  EXPECT_TRUE(st);
  EXPECT_TRUE(*st->step());
  return st->columnInt(0);
}

TEST_F(ConnectionTest, ABackupAskedToStopStopsAtItsNextStepNotAtTheEnd) {
  fillWithBlobs(*conn_, 12);
  int asked = 0;
  Status stopped = conn_->backupTo(dir_.file("copy.rxdb"), key_, [&] { return ++asked >= 1; });
  EXPECT_EQ(stopped.code(), ErrorCode::kCancelled) << stopped.message();
  EXPECT_EQ(asked, 1) << "stopped after the first step of the copy";
  std::filesystem::remove(dir_.file("copy.rxdb"));
  RX_ASSERT_OK(conn_->backupTo(dir_.file("copy.rxdb"), key_));
  auto copy = Connection::open(dir_.file("copy.rxdb"), key_, OpenMode::kExisting);
  RX_ASSERT_OK(copy);
  EXPECT_EQ(rowsIn(**copy), 12);
}

// Another process writing between two steps neither restarts the copy for ever nor gets into it:
// the copy is the store as it was when the backup began.
TEST_F(ConnectionTest, ABackupInStepsIsOneSnapshotWhileAnotherConnectionWrites) {
  fillWithBlobs(*conn_, 12);
  auto other = Connection::open(dir_.file("t.rxdb"), key_, OpenMode::kExisting);
  RX_ASSERT_OK(other);
  int steps = 0;
  RX_ASSERT_OK(conn_->backupTo(dir_.file("copy.rxdb"), key_, [&] {
    ++steps;
    auto ins = (*other)->prepare("INSERT INTO t(v) VALUES ('written meanwhile')");
    EXPECT_TRUE(ins);
    EXPECT_TRUE(ins->run());
    return steps > 100;  // a copy restarting at every write would be stopped here
  }));
  EXPECT_GE(steps, 2) << "the copy took more than one step";
  auto copy = Connection::open(dir_.file("copy.rxdb"), key_, OpenMode::kExisting);
  RX_ASSERT_OK(copy);
  EXPECT_EQ(rowsIn(**copy), 12);
  EXPECT_EQ(rowsIn(*conn_), 12 + steps) << "the writes went to the store";
}

}  // namespace
}  // namespace rx::data
