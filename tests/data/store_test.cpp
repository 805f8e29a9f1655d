#include "data/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/migrations.h"
#include "data/patients.h"
#include "store_fixture.h"

namespace rx::data {
namespace {

using test::adminUser;
using test::fastStoreOptions;
using test::pharmacistUser;
using test::readBytes;

class StoreTest : public ::testing::Test {
 protected:
  std::string storePath() const { return dir_.file("pharmacy.rxdb"); }
  std::unique_ptr<Store> createStore(const std::string& password = "admin-pass") {
    auto s = Store::create(storePath(), adminUser(), password, fastStoreOptions(&clock_));
    EXPECT_TRUE(s) << s.status().message();
    return s ? std::move(*s) : nullptr;
  }
  Result<std::unique_ptr<Store>> open(const std::string& user, const std::string& password) {
    return Store::open(storePath(), user, password, fastStoreOptions(&clock_));
  }
  test::TempDir dir_;
  std::int64_t clock_ = 1'800'000'000;
};

TEST_F(StoreTest, ReopenedWithRightPasswordReadsBackWhatWasWritten) {
  std::int64_t id;
  {
    auto store = createStore();
    auto p = PatientRepository(store->connection())
                 .insert({0, "李四", "110101199003077777", "13800000000"});
    RX_ASSERT_OK(p) << p.status().message();
    id = p->id;
  }
  auto store = open("admin", "admin-pass");
  RX_ASSERT_OK(store) << store.status().message();
  auto p = PatientRepository((*store)->connection()).findById(id);
  RX_ASSERT_OK(p);
  EXPECT_EQ(p->name, "李四");
  EXPECT_EQ(p->idNumber, "110101199003077777");
  EXPECT_EQ((*store)->currentUser().role, Role::kAdmin);
}

TEST_F(StoreTest, WrongPasswordIsClearErrorAndChangesNothingOnDisk) {
  createStore().reset();
  const std::string storeBefore = readBytes(storePath());
  const std::string slotsBefore = readBytes(Store::keySlotPath(storePath()));
  auto store = open("admin", "not-the-password");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.status().code(), ErrorCode::kAuthFailed);
  EXPECT_NE(store.status().message().find("wrong password"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(readBytes(storePath()), storeBefore);
  EXPECT_EQ(readBytes(Store::keySlotPath(storePath())), slotsBefore);
  // The write-ahead log is kept (emptied) when the last connection closes; nothing was written to
  // it.
  EXPECT_EQ(readBytes(storePath() + "-wal"), "");
  // The one thing that changes is the separate failed-login counter.
  EXPECT_EQ(LoginThrottle(Store::throttlePath(storePath())).failures("admin"), 1);
}

TEST_F(StoreTest, PatientNameNeverAppearsInRawBytesOfStoreWalOrSlots) {
  const std::string name = "欧阳明月";
  const std::string latin = "Ouyang-Mingyue-7731";
  auto store = createStore();
  for (int i = 0; i < 50; ++i)
    RX_ASSERT_OK(PatientRepository(store->connection())
                     .insert({0, name + " " + latin, std::nullopt, std::nullopt}));
  // While open, the rows sit in the WAL; check it before closing checkpoints them away.
  ASSERT_TRUE(std::filesystem::exists(storePath() + "-wal"));
  for (const std::string& file :
       {storePath(), storePath() + "-wal", Store::keySlotPath(storePath())}) {
    std::string bytes = readBytes(file);
    ASSERT_FALSE(bytes.empty()) << file;
    EXPECT_EQ(bytes.find(name), std::string::npos) << file;
    EXPECT_EQ(bytes.find(latin), std::string::npos) << file;
    EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos) << file;
  }
  store.reset();
  std::string bytes = readBytes(storePath());
  EXPECT_EQ(bytes.find(latin), std::string::npos);
}

TEST_F(StoreTest, UnknownUserIsNamed) {
  createStore().reset();
  auto store = open("nobody", "x");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.status().code(), ErrorCode::kUnknownUser);
  EXPECT_NE(store.status().message().find("nobody"), std::string::npos);
}

TEST_F(StoreTest, MissingStoreIsNotFound) {
  auto store = open("admin", "x");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
}

TEST_F(StoreTest, CreateRefusesToOverwriteAnExistingStore) {
  createStore().reset();
  const std::string before = readBytes(storePath());
  auto again = Store::create(storePath(), adminUser(), "other", fastStoreOptions());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(readBytes(storePath()), before);
}

TEST_F(StoreTest, TwoUsersOpenWithOwnPasswordsAndRemovalRekeys) {
  {
    auto store = createStore();
    RX_ASSERT_OK(store->addUser(pharmacistUser("wang"), "wang-pass"));
    RX_ASSERT_OK(store->addUser(pharmacistUser("li"), "li-pass"));
    RX_ASSERT_OK(
        PatientRepository(store->connection()).insert({0, "赵六", std::nullopt, std::nullopt}));
  }
  RX_ASSERT_OK(open("wang", "wang-pass"));
  RX_ASSERT_OK(open("li", "li-pass"));
  EXPECT_EQ(open("wang", "li-pass").status().code(), ErrorCode::kAuthFailed);

  // li keeps a copy of the key-slot file from before the removal.
  const std::string oldSlots = readBytes(Store::keySlotPath(storePath()));
  const std::string storeBefore = readBytes(storePath());
  {
    auto admin = open("admin", "admin-pass");
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->removeUser("li"));
  }
  EXPECT_NE(readBytes(storePath()), storeBefore) << "the store must be re-encrypted";
  EXPECT_EQ(open("li", "li-pass").status().code(), ErrorCode::kUnknownUser);
  auto wang = open("wang", "wang-pass");
  RX_ASSERT_OK(wang);
  EXPECT_EQ(*PatientRepository((*wang)->connection()).count(), 1);
  wang->reset();

  // The old slot file still unwraps li's old database key, but that key no longer opens the store.
  {
    std::ofstream(Store::keySlotPath(storePath()), std::ios::binary | std::ios::trunc) << oldSlots;
  }
  auto stale = open("li", "li-pass");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.status().code(), ErrorCode::kCorrupt) << stale.status().message();
}

TEST_F(StoreTest, AddingATakenNameSaysTheUserExistsAndChangesNothing) {
  auto store = createStore();
  RX_ASSERT_OK(store->addUser(pharmacistUser("wang"), "wang-pass"));
  RX_ASSERT_OK(store->addUser(pharmacistUser("li"), "li-pass"));
  RX_ASSERT_OK(store->removeUser("li"));
  const std::string slotsBefore = readBytes(Store::keySlotPath(storePath()));
  for (const char* name : {"wang", "li"}) {
    auto again = store->addUser(pharmacistUser(name), "other-pass");
    ASSERT_FALSE(again) << name;
    EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists) << name;
    // What the admin can act on, not the key slot behind it.
    EXPECT_NE(again.status().message().find("already exists"), std::string::npos)
        << again.status().message();
  }
  EXPECT_EQ(readBytes(Store::keySlotPath(storePath())), slotsBefore);
}

TEST_F(StoreTest, ChangingPasswordRewritesOnlyThatSlot) {
  {
    auto store = createStore();
    RX_ASSERT_OK(store->addUser(pharmacistUser("wang"), "wang-pass"));
  }
  auto before = KeySlotFile::load(Store::keySlotPath(storePath()));
  RX_ASSERT_OK(before);
  {
    auto wang = open("wang", "wang-pass");
    RX_ASSERT_OK(wang);
    RX_ASSERT_OK((*wang)->changePassword("wang", "new-wang-pass"));
  }
  auto after = KeySlotFile::load(Store::keySlotPath(storePath()));
  RX_ASSERT_OK(after);
  EXPECT_EQ(after->find("admin")->wrappedPrivateKey.ciphertext,
            before->find("admin")->wrappedPrivateKey.ciphertext);
  EXPECT_NE(after->find("wang")->wrappedPrivateKey.ciphertext,
            before->find("wang")->wrappedPrivateKey.ciphertext);
  EXPECT_EQ(open("wang", "wang-pass").status().code(), ErrorCode::kAuthFailed);
  RX_EXPECT_OK(open("wang", "new-wang-pass"));
  RX_EXPECT_OK(open("admin", "admin-pass"));
}

TEST_F(StoreTest, RepeatedFailuresDelayFurtherAttempts) {
  createStore().reset();
  for (int i = 0; i < LoginThrottle::kFreeAttempts; ++i)
    EXPECT_EQ(open("admin", "bad").status().code(), ErrorCode::kAuthFailed) << i;
  // Now even the right password must wait.
  auto locked = open("admin", "admin-pass");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.status().code(), ErrorCode::kLockedOut);
  EXPECT_NE(locked.status().message().find("try again in"), std::string::npos);
  clock_ += LoginThrottle::kFirstDelaySeconds;
  EXPECT_EQ(open("admin", "bad").status().code(), ErrorCode::kAuthFailed);
  clock_ += LoginThrottle::kFirstDelaySeconds;  // the delay doubled
  EXPECT_EQ(open("admin", "admin-pass").status().code(), ErrorCode::kLockedOut);
  clock_ += LoginThrottle::kFirstDelaySeconds;
  RX_EXPECT_OK(open("admin", "admin-pass"));
  EXPECT_EQ(LoginThrottle(Store::throttlePath(storePath())).failures("admin"), 0);
}

TEST_F(StoreTest, DamagedFailedLoginCounterDelaysButNeverCrashes) {
  createStore().reset();
  const std::string counter = Store::throttlePath(storePath());
  // Neither a count that is not a number, nor a time beyond every clock, nor a float that does not
  // fit an integer may crash the login or wrap the wait around.
  for (const char* damaged :
       {R"({"admin": {"failures": "many", "last_failure": 1e300}})",
        R"({"admin": {"failures": 1e300, "last_failure": 0}})",
        R"({"admin": {"failures": 9, "last_failure": 9223372036854775807}})"}) {
    std::ofstream(counter, std::ios::trunc) << damaged;
    auto locked = open("admin", "admin-pass");
    ASSERT_FALSE(locked) << damaged;
    EXPECT_EQ(locked.status().code(), ErrorCode::kLockedOut) << damaged;
    clock_ += LoginThrottle::kMaxDelaySeconds;
    std::ofstream(counter, std::ios::trunc) << damaged;
    EXPECT_EQ(open("admin", "admin-pass").status().code(), ErrorCode::kLockedOut)
        << "a time after now counts as now, so the wait starts again: " << damaged;
  }
  std::ofstream(counter, std::ios::trunc) << "{not json";
  RX_EXPECT_OK(open("admin", "admin-pass"));
}

TEST_F(StoreTest, KeySlotFileFromAnotherStoreIsRefused) {
  createStore().reset();
  test::TempDir other;
  RX_ASSERT_OK(
      Store::create(other.file("other.rxdb"), adminUser(), "admin-pass", fastStoreOptions()));
  std::filesystem::copy_file(Store::keySlotPath(other.file("other.rxdb")),
                             Store::keySlotPath(storePath()),
                             std::filesystem::copy_options::overwrite_existing);
  const std::string before = readBytes(storePath());
  auto store = open("admin", "admin-pass");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.status().code(), ErrorCode::kCorrupt) << store.status().message();
  EXPECT_EQ(readBytes(storePath()), before);
}

TEST_F(StoreTest, StoreFileFromAnotherPharmacyIsRefusedAndNothingIsOverwritten) {
  createStore().reset();
  test::TempDir other;
  RX_ASSERT_OK(
      Store::create(other.file("other.rxdb"), adminUser(), "admin-pass", fastStoreOptions()));
  // Someone copies another pharmacy's store over ours; our key slots stay.
  std::filesystem::copy_file(other.file("other.rxdb"), storePath(),
                             std::filesystem::copy_options::overwrite_existing);
  const std::string store = readBytes(storePath());
  const std::string slots = readBytes(Store::keySlotPath(storePath()));
  auto opened = open("admin", "admin-pass");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorrupt) << opened.status().message();
  EXPECT_NE(opened.status().message().find("does not open with the database key"),
            std::string::npos)
      << opened.status().message();
  EXPECT_EQ(readBytes(storePath()), store);
  EXPECT_EQ(readBytes(Store::keySlotPath(storePath())), slots);
}

TEST_F(StoreTest, DamagedKeySlotFileNamesTheProblem) {
  createStore().reset();
  std::ofstream(Store::keySlotPath(storePath()), std::ios::trunc)
      << "{\"format\":\"rxdesk-keyslots\",\"version\":1}";
  auto store = open("admin", "admin-pass");
  ASSERT_FALSE(store);
  EXPECT_EQ(store.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(store.status().message().find("store_id"), std::string::npos)
      << store.status().message();
}

TEST_F(StoreTest, MigrationsAreRecordedInTheStore) {
  auto store = createStore();
  auto v = schemaVersion(store->connection());
  RX_ASSERT_OK(v);
  EXPECT_EQ(*v, allMigrations().back().version);
}

TEST_F(StoreTest, PharmacistNeedsLicenceNumber) {
  auto store = createStore();
  NewUser u{"zhou", Role::kPharmacist, "周药师", std::nullopt};
  auto r = store->addUser(u, "pw");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("licence"), std::string::npos);
  // And nothing was left behind: no slot for zhou.
  EXPECT_EQ(open("zhou", "pw").status().code(), ErrorCode::kUnknownUser);
}

TEST_F(StoreTest, NobodyRemovesThemselvesOrTheLastAdmin) {
  {
    auto store = createStore();
    RX_ASSERT_OK(store->addUser(pharmacistUser("wang"), "wang-pass"));
    EXPECT_EQ(store->removeUser("admin").code(), ErrorCode::kInvalidArgument);
  }
  auto wang = open("wang", "wang-pass");
  RX_ASSERT_OK(wang);
  Status s = (*wang)->removeUser("admin");
  EXPECT_EQ(s.code(), ErrorCode::kConflict) << s.message();
  EXPECT_NE(s.message().find("last admin"), std::string::npos);
}

}  // namespace
}  // namespace rx::data

namespace rx::data {
namespace {

TEST_F(StoreTest, PersonalSigningKeyFollowsItsOwnerThroughPasswordChanges) {
  std::string firstKeyId;
  {
    auto store = createStore();
    RX_ASSERT_OK(store->addUser(pharmacistUser("wang"), "w1"));
  }
  {
    auto wang = open("wang", "w1");
    RX_ASSERT_OK(wang);
    auto key = (*wang)->personalKey();
    RX_ASSERT_OK(key);
    firstKeyId = key->publicKey().keyId();
    EXPECT_EQ((*wang)->personalKey()->publicKey().keyId(), firstKeyId)
        << "the same key on every use";
    RX_ASSERT_OK((*wang)->changePassword("wang", "w2"));
  }
  {
    auto wang = open("wang", "w2");
    RX_ASSERT_OK(wang);
    EXPECT_EQ((*wang)->personalKey()->publicKey().keyId(), firstKeyId)
        << "kept across your own password change";
  }
  {
    auto admin = open("admin", "admin-pass");
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->changePassword("wang", "reset-by-admin"));
    // The admin cannot sign as wang: their own personal key is a different one.
    EXPECT_NE((*admin)->personalKey()->publicKey().keyId(), firstKeyId);
  }
  auto wang = open("wang", "reset-by-admin");
  RX_ASSERT_OK(wang);
  auto fresh = (*wang)->personalKey();
  RX_ASSERT_OK(fresh);
  EXPECT_NE(fresh->publicKey().keyId(), firstKeyId) << "an admin reset retires the old key";
  auto retired = (*wang)->userKeys().find("wang", firstKeyId);
  RX_ASSERT_OK(retired);
  ASSERT_TRUE(retired->has_value()) << "old signatures still verify";
  EXPECT_TRUE((*retired)->retiredAt);
  auto current = (*wang)->userKeys().current("wang");
  RX_ASSERT_OK(current);
  ASSERT_TRUE(current->has_value());
  EXPECT_EQ((*current)->registeredBy, "admin") << "the admin who reset the password registered it";
  EXPECT_TRUE((*current)->confirmedAt) << "confirmed at wang's first use";
}

}  // namespace
}  // namespace rx::data
