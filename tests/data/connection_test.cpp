#include "data/connection.h"

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

}  // namespace
}  // namespace rx::data
