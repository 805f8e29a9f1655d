// Several processes on one store (issue 19): who may share it, who must have it alone, and what
// happens when a re-key is cut off, a key slot is damaged, a login counter is a FIFO, or the
// write-ahead log vanishes under an open store.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "data/files.h"
#include "data/patients.h"
#include "data/store.h"
#include "data/store_lock.h"
#include "store_fixture.h"

namespace rx::data {
namespace {

using test::adminUser;
using test::fastStoreOptions;
using test::pharmacistUser;
using test::readBytes;

// A child process that opens the store as `user` and keeps it open until told to go (one byte
// on `release`); it reports on `ready` once the store is open, and inserts one patient row when
// released, exiting 0 only if that write succeeded.
struct Holder {
  pid_t pid = -1;
  int release = -1;

  static Holder start(const std::string& path, const std::string& user,
                      const std::string& password) {
    int ready[2], go[2];
    EXPECT_EQ(::pipe(ready), 0);
    EXPECT_EQ(::pipe(go), 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(ready[0]);
      ::close(go[1]);
      auto store = Store::open(path, user, password, fastStoreOptions());
      const char ok = store ? 'y' : 'n';
      if (::write(ready[1], &ok, 1) != 1 || !store) _exit(3);
      char c;
      if (::read(go[0], &c, 1) != 1) _exit(4);
      auto row = PatientRepository((*store)->connection())
                     .insert({0, "后来的患者", std::nullopt, std::nullopt});
      _exit(row ? 0 : 5);
    }
    ::close(ready[1]);
    ::close(go[0]);
    char c = 0;
    EXPECT_EQ(::read(ready[0], &c, 1), 1);
    EXPECT_EQ(c, 'y') << "the holder could not open the store";
    ::close(ready[0]);
    return {pid, go[1]};
  }
  // Lets the child write and exit; returns its exit status.
  int finish() {
    const char go = 'g';
    EXPECT_EQ(::write(release, &go, 1), 1);
    ::close(release);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

class SharedStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("shop.rxdb"); }
  void SetUp() override {
    auto admin = Store::create(path(), adminUser(), "pw", fastStoreOptions());
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->addUser(pharmacistUser("wang"), "w"));
    RX_ASSERT_OK((*admin)->addUser(pharmacistUser("zhao"), "z"));
  }
  Result<std::unique_ptr<Store>> open(const std::string& user, const std::string& password) {
    return Store::open(path(), user, password, fastStoreOptions());
  }
  test::TempDir dir_;
};

TEST_F(SharedStoreTest, ARekeyIsRefusedNamingTheProcessThatHasTheStoreOpen) {
  Holder wang = Holder::start(path(), "wang", "w");
  const std::string slotsBefore = readBytes(Store::keySlotPath(path()));
  const std::string storeBefore = readBytes(path());
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin) << "several processes share the store";
    Status removed = (*admin)->removeUser("zhao");
    EXPECT_EQ(removed.code(), ErrorCode::kBusy) << removed.message();
    EXPECT_NE(removed.message().find("pid " + std::to_string(wang.pid)), std::string::npos)
        << removed.message();
    EXPECT_NE(removed.message().find("close it first"), std::string::npos) << removed.message();
    // Nothing changed: zhao is not removed, the slots and the file are as they were.
    EXPECT_FALSE((*admin)->users().findByName("zhao")->removedAt);
    EXPECT_EQ(readBytes(Store::keySlotPath(path())), slotsBefore);
    // The refused admin still works on the store beside the other process.
    RX_EXPECT_OK(PatientRepository((*admin)->connection())
                     .insert({0, "管理员录入", std::nullopt, std::nullopt}));
  }
  EXPECT_EQ(wang.finish(), 0) << "the other process's write, after the refusal, succeeds";
  RX_EXPECT_OK(open("zhao", "z"));
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->removeUser("zhao")) << "alone, the re-key goes through";
    EXPECT_EQ(*PatientRepository((*admin)->connection()).count(), 2)
        << "both processes' rows survive the re-key";
  }
  EXPECT_NE(readBytes(path()), storeBefore);
  EXPECT_EQ(open("zhao", "z").status().code(), ErrorCode::kUnknownUser);
}

TEST_F(SharedStoreTest, OpeningWaitsWhileAnotherProcessHasTheStoreAloneThenSaysWho) {
  auto alone = StoreLock::exclusive(path(), "restore a backup");
  RX_ASSERT_OK(alone);
  const auto start = std::chrono::steady_clock::now();
  auto shared = StoreLock::shared(path(), std::chrono::milliseconds(300));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  ASSERT_FALSE(shared);
  EXPECT_EQ(shared.status().code(), ErrorCode::kBusy);
  EXPECT_NE(shared.status().message().find("restore a backup"), std::string::npos)
      << shared.status().message();
  // Released within the wait: the open goes through.
  auto later = std::async(std::launch::async, [&] {
    return StoreLock::shared(path(), std::chrono::seconds(10)).status();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  alone = Status(ErrorCode::kInternal, "released");
  RX_EXPECT_OK(later.get());
}

TEST_F(SharedStoreTest, ARekeyCutOffBeforeTheFileWasRewrittenIsFinishedAtTheNextOpen) {
  // Cut off as by SIGKILL in Store::removeUser: zhao marked removed and the new database key
  // sealed into every remaining slot, but the file is still under the old key — which zhao's old
  // slot (and any copy of it) still opens.
  const std::string oldSlots = readBytes(Store::keySlotPath(path()));
  // Another process has the store open all along (the window at the counter).
  Holder wang = Holder::start(path(), "wang", "w");
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->users().markRemoved("zhao"));
    auto slots = KeySlotFile::load(Store::keySlotPath(path()));
    RX_ASSERT_OK(slots);
    // The database key, as the admin's slot holds it (rxdesk authenticates the file with it).
    auto adminPrivate = KeySlotFile::unlock(slots->storeId, *slots->find("admin"), "pw");
    RX_ASSERT_OK(adminPrivate);
    const SecretBytes oldKey =
        KeySlotFile::databaseKeysFor(slots->storeId, *slots->find("admin"), *adminPrivate).at(0);
    slots->remove("zhao");
    const SecretBytes newKey = crypto::randomSecret(32);
    for (KeySlot& slot : slots->slots)
      RX_ASSERT_OK(KeySlotFile::addDatabaseKey(slots->storeId, slot, newKey));
    slots->macs = {slots->macUnder(newKey), slots->macUnder(oldKey)};
    RX_ASSERT_OK(slots->save(Store::keySlotPath(path())));
  }
  // With the window open the re-key cannot finish; the store still works and the admin is told.
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin);
    EXPECT_TRUE((*admin)->rekeyPending());
    EXPECT_EQ((*admin)->addUser(pharmacistUser("sun"), "s").status().code(), ErrorCode::kBusy)
        << "no new slot is sealed with a key that is about to be retired";
  }
  EXPECT_EQ(wang.finish(), 0);
  // Alone, the next open finishes it: one key per slot, and the old slot file no longer opens.
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin);
    EXPECT_FALSE((*admin)->rekeyPending());
  }
  auto slots = KeySlotFile::load(Store::keySlotPath(path()));
  RX_ASSERT_OK(slots);
  for (const KeySlot& slot : slots->slots) EXPECT_EQ(slot.databaseKeys.size(), 1u) << slot.user;
  EXPECT_FALSE(slots->find("zhao"));
  RX_EXPECT_OK(open("wang", "w"));
  { std::ofstream(Store::keySlotPath(path()), std::ios::binary | std::ios::trunc) << oldSlots; }
  auto stale = open("zhao", "z");
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.status().code(), ErrorCode::kOk);
  auto zhaoSlot = KeySlotFile::load(Store::keySlotPath(path()));
  RX_ASSERT_OK(zhaoSlot);
  const KeySlot* z = zhaoSlot->find("zhao");
  ASSERT_NE(z, nullptr);
  auto priv = KeySlotFile::unlock(zhaoSlot->storeId, *z, "z");
  RX_ASSERT_OK(priv);
  for (const SecretBytes& key : KeySlotFile::databaseKeysFor(zhaoSlot->storeId, *z, *priv))
    EXPECT_FALSE(Connection::open(path(), key, OpenMode::kExisting))
        << "the removed user's old key no longer opens the store";
}

TEST_F(SharedStoreTest, AnAlteredKeySlotIsDamagedNotAWrongPasswordAndIsNotCounted) {
  const std::string good = readBytes(Store::keySlotPath(path()));
  for (const char* field : {"salt", "ciphertext", "store_id"}) {
    auto doc = nlohmann::json::parse(good);
    nlohmann::json* target = nullptr;
    for (auto& slot : doc["slots"])
      if (slot["user"] == "wang") target = &slot;
    ASSERT_NE(target, nullptr);
    std::string* value = std::string(field) == "salt"
                             ? (*target)["kdf"]["salt"].get_ptr<std::string*>()
                         : std::string(field) == "ciphertext"
                             ? (*target)["private_key"]["ciphertext"].get_ptr<std::string*>()
                             : doc["store_id"].get_ptr<std::string*>();
    const bool hex = std::string(field) == "store_id";
    const char a = hex ? 'a' : 'A', b = hex ? 'b' : 'B';
    (*value)[2] = (*value)[2] == a ? b : a;
    { std::ofstream(Store::keySlotPath(path()), std::ios::trunc) << doc.dump(2); }
    for (int attempt = 0; attempt < 5; ++attempt) {
      auto opened = open("wang", "w");
      ASSERT_FALSE(opened) << field;
      EXPECT_EQ(opened.status().code(), ErrorCode::kCorrupt)
          << field << ": " << opened.status().message();
      EXPECT_NE(opened.status().message().find("damaged"), std::string::npos)
          << opened.status().message();
    }
    EXPECT_EQ(LoginThrottle(Store::throttlePath(path())).failures("wang"), 0)
        << field << ": a damaged slot is not a failed login";
    { std::ofstream(Store::keySlotPath(path()), std::ios::trunc) << good; }
    RX_EXPECT_OK(open("wang", "w")) << field;
  }
}

TEST_F(SharedStoreTest, AFifoAsLoginCounterOrLockFileDoesNotHangALogin) {
  std::filesystem::remove(Store::throttlePath(path()));
  ASSERT_EQ(::mkfifo(Store::throttlePath(path()).c_str(), 0600), 0);
  auto login = std::async(std::launch::async, [&] { return open("wang", "w").status(); });
  ASSERT_EQ(login.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "a login hangs on a FIFO as the login counter";
  RX_EXPECT_OK(login.get());
  auto text = readWholeFile(Store::throttlePath(path()));
  EXPECT_TRUE(!text || text.status().code() == ErrorCode::kInvalidArgument);

  std::filesystem::remove(Store::lockPath(path()));
  ASSERT_EQ(::mkfifo(Store::lockPath(path()).c_str(), 0600), 0);
  auto locked = std::async(std::launch::async, [&] { return open("wang", "w").status(); });
  ASSERT_EQ(locked.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  Status s = locked.get();
  EXPECT_EQ(s.code(), ErrorCode::kCorrupt) << s.message();
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
}

TEST_F(SharedStoreTest, AWriteAheadLogDeletedUnderAnOpenStoreStopsWritesInsteadOfLosingThem) {
  auto wang = open("wang", "w");
  RX_ASSERT_OK(wang);
  PatientRepository patients((*wang)->connection());
  RX_ASSERT_OK(patients.insert({0, "删除之前", std::nullopt, std::nullopt}));
  ASSERT_TRUE(std::filesystem::exists(path() + "-wal"));
  // What another program closing the store as "the last one" did: its journal is gone.
  std::filesystem::remove(path() + "-wal");
  std::filesystem::remove(path() + "-shm");
  auto after = patients.insert({0, "删除之后", std::nullopt, std::nullopt});
  ASSERT_FALSE(after) << "a write reported ok here would be lost with the process";
  EXPECT_EQ(after.status().code(), ErrorCode::kIo);
  EXPECT_NE(after.status().message().find(path() + "-wal"), std::string::npos)
      << after.status().message();
  Transaction tx((*wang)->connection());
  EXPECT_EQ(tx.beginStatus().code(), ErrorCode::kIo) << "a transaction is refused as well";
}

// What browsing the store's folder in a file dialog did (issue 19 #3): this process opens and
// closes the store's file outside SQLite, which drops SQLite's locks on it here; another process
// then opens the store and closes it as if it were the last one. The write-ahead log this process
// still writes to must survive that: every row reported written is in the store afterwards.
TEST_F(SharedStoreTest, AForeignOpenAndCloseOfTheStoreFileLosesNoReportedRow) {
  auto wang = open("wang", "w");
  RX_ASSERT_OK(wang);
  PatientRepository patients((*wang)->connection());
  RX_ASSERT_OK(patients.insert({0, "第一位", std::nullopt, std::nullopt}));
  {
    std::ifstream sniff(path(), std::ios::binary);  // a file dialog sniffing the content type
    char head[16];
    sniff.read(head, sizeof head);
  }
  const pid_t other = ::fork();
  ASSERT_GE(other, 0);
  if (other == 0) {
    auto admin = Store::open(path(), "admin", "pw", fastStoreOptions());
    if (!admin) _exit(3);
    if (!PatientRepository((*admin)->connection())
             .insert({0, "另一进程", std::nullopt, std::nullopt}))
      _exit(4);
    admin->reset();  // closes as "the last connection"
    _exit(0);
  }
  int status = 0;
  ::waitpid(other, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(std::filesystem::exists(path() + "-wal")) << "the log was not deleted under us";
  auto later = patients.insert({0, "第三位", std::nullopt, std::nullopt});
  RX_ASSERT_OK(later) << "the log is intact, so writing goes on";
  wang->reset();
  auto check = open("admin", "pw");
  RX_ASSERT_OK(check);
  EXPECT_EQ(*PatientRepository((*check)->connection()).count(), 3) << "no reported row was lost";
  EXPECT_EQ(*(*check)->connection().integrityCheck(), "ok");
  EXPECT_TRUE((*check)->connection().pageAuthenticationFailures()->empty());
}

// A slot planted in the key-slot file by someone who can write the file but holds no database key
// (issue 25 #1): the file no longer authenticates, the store is not opened, and so no re-key can
// seal the new key to the planted slot. The same file inside a backup is refused at restore time
// by the same check (the restored store opens through Store::open).
TEST_F(SharedStoreTest, APlantedKeySlotIsDetectedAndReceivesNoKey) {
  const std::string good = readBytes(Store::keySlotPath(path()));
  auto slots = KeySlotFile::load(Store::keySlotPath(path()));
  RX_ASSERT_OK(slots);
  ASSERT_FALSE(slots->macs.empty()) << "rxdesk authenticates the file it writes";
  // The planter's own slot, with a database key of their choosing (they cannot know the real one).
  auto planted = KeySlotFile::makeSlot(slots->storeId, "mallory", "m", crypto::randomSecret(32),
                                       fastStoreOptions().kdf);
  RX_ASSERT_OK(planted);
  slots->slots.push_back(*planted);
  RX_ASSERT_OK(slots->save(Store::keySlotPath(path())));
  for (const auto& [user, password] : {std::pair{"admin", "pw"}, std::pair{"wang", "w"}}) {
    auto opened = open(user, password);
    ASSERT_FALSE(opened) << user;
    EXPECT_EQ(opened.status().code(), ErrorCode::kCorrupt);
    EXPECT_NE(opened.status().message().find("altered outside rxdesk"), std::string::npos)
        << opened.status().message();
  }
  // Stripping the codes does not pass for an old file either.
  slots->macs.clear();
  RX_ASSERT_OK(slots->save(Store::keySlotPath(path())));
  EXPECT_EQ(open("admin", "pw").status().code(), ErrorCode::kCorrupt);

  // Back to the real file: the re-key seals the new key to the three real users only.
  { std::ofstream(Store::keySlotPath(path()), std::ios::binary | std::ios::trunc) << good; }
  {
    auto admin = open("admin", "pw");
    RX_ASSERT_OK(admin);
    RX_ASSERT_OK((*admin)->removeUser("zhao"));
  }
  auto after = KeySlotFile::load(Store::keySlotPath(path()));
  RX_ASSERT_OK(after);
  EXPECT_EQ(after->slots.size(), 2u);
  EXPECT_FALSE(after->find("mallory"));
  EXPECT_FALSE(after->find("zhao"));
}

TEST_F(SharedStoreTest, StoreFilesAreOwnerOnly) {
  for (const std::string& f : {path(), Store::keySlotPath(path()), Store::lockPath(path())}) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

}  // namespace
}  // namespace rx::data
