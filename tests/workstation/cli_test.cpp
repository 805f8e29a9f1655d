// rxdesk-cli as a user or script runs it: exit codes, stdout, stderr.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "base/time.h"
#include "crypto/signing_key.h"
#include "run_process.h"
#include "store_fixture.h"
#include "temp_dir.h"
#include "workstation/session.h"

namespace rx::test {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Keep the user's real data folder out of every test.
    baseEnv_ = {{"XDG_DATA_HOME", dir_.file("xdg")},
                {"HOME", dir_.path()},
                {"RXDESK_USER", "\x01"},
                {"RXDESK_PASSWORD", "\x01"},
                {"RXDESK_NEW_PASSWORD", "\x01"}};
  }
  ProcessResult cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), RXDESK_CLI_PATH);
    auto merged = baseEnv_;
    for (auto& [k, v] : env) merged[k] = v;
    return runProcess(args, merged);
  }
  std::string db() const { return dir_.file("p.rxdb"); }
  void initStore() {
    // The pharmacy's 统一社会信用代码, which the tests' agreements are made out to.
    auto r = cli({"init", "--db", db(), "--admin", "boss", "--uscc", "91440300708461136T"},
                 {{"RXDESK_PASSWORD", "boss-pw"}});
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  // boss adds the pharmacist wang (password "w").
  void addPharmacistWang() {
    auto r = cli(
        {"--db", db(), "user", "add", "wang", "--licence", "ZY-1"},
        {{"RXDESK_PASSWORD", "boss-pw"}, {"RXDESK_USER", "boss"}, {"RXDESK_NEW_PASSWORD", "w"}});
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  TempDir dir_;
  std::map<std::string, std::string> baseEnv_;
};

TEST_F(CliTest, InitThenStatusAsJson) {
  initStore();
  auto r =
      cli({"status", "--db", db(), "--user", "boss", "--json"}, {{"RXDESK_PASSWORD", "boss-pw"}});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["user"]["role"], "admin");
  EXPECT_EQ(doc["store"], db());
  EXPECT_EQ(doc["cipher_version"].get<std::string>().substr(0, 2), "4.");
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTest, InitSetsUpThePharmacyWithAPharmacistAndDemoData) {
  std::map<std::string, std::string> env = {{"RXDESK_PASSWORD", "boss-pw"},
                                            {"RXDESK_NEW_PASSWORD", "wang-pw"}};
  std::vector<std::string> args = {"init",
                                   "--db",
                                   db(),
                                   "--admin",
                                   "boss",
                                   "--pharmacy-name",
                                   "仁心大药房",
                                   "--uscc",
                                   "91440300708461136X",
                                   "--pharmacist",
                                   "wang",
                                   "--pharmacist-licence",
                                   "ZY44010001",
                                   "--demo-data",
                                   "--idle-lock",
                                   "3",
                                   "--display-name",
                                   "周店长"};
  auto badUscc = cli(args, env);
  EXPECT_EQ(badUscc.exitCode, 2);
  EXPECT_NE(badUscc.err.find("统一社会信用代码"), std::string::npos) << badUscc.err;
  EXPECT_FALSE(std::filesystem::exists(db()));
  args[8] = "91440300708461136T";
  auto made = cli(args, env);
  ASSERT_EQ(made.exitCode, 0) << made.err;
  auto queue =
      cli({"--db", db(), "--user", "wang", "queue", "--json"}, {{"RXDESK_PASSWORD", "wang-pw"}});
  ASSERT_EQ(queue.exitCode, 0) << queue.err;
  const auto rows = nlohmann::json::parse(queue.out)["queue"];
  EXPECT_EQ(rows.size(), 4u) << "the demo prescriptions";
  // A person reads the pharmacy's time (Beijing), as in the window; --json keeps UTC ISO 8601.
  auto text = cli({"--db", db(), "--user", "wang", "queue"}, {{"RXDESK_PASSWORD", "wang-pw"}});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  const std::string arrived = rows[0]["arrived_at"];
  EXPECT_NE(text.out.find("\t" + chinaTime(arrived) + "\t"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(arrived.substr(0, 16)), std::string::npos) << "no UTC time: " << text.out;
  auto name = cli({"--db", db(), "--user", "wang", "settings", "get", "pharmacy.name"},
                  {{"RXDESK_PASSWORD", "wang-pw"}});
  EXPECT_EQ(name.out, "仁心大药房\n");
  auto lock = cli({"--db", db(), "--user", "wang", "settings", "get", "session.idle_lock_minutes"},
                  {{"RXDESK_PASSWORD", "wang-pw"}});
  EXPECT_EQ(lock.out, "3\n");
  auto boss =
      cli({"--db", db(), "--user", "boss", "status", "--json"}, {{"RXDESK_PASSWORD", "boss-pw"}});
  ASSERT_EQ(boss.exitCode, 0) << boss.err;
  EXPECT_EQ(nlohmann::json::parse(boss.out)["user"]["display_name"], "周店长") << "--display-name";

  // The demo photos tell their story at intake: the same paper photographed again is caught, the
  // monthly repeat is not.
  const std::string files = dir_.file("demo-files/");
  auto intake =
      cli({"--db", db(), "--user", "wang", "intake", "--json", files + "paper-1.jpg",
           files + "paper-1-photographed-again.jpg", files + "paper-2-monthly-repeat.jpg"},
          {{"RXDESK_PASSWORD", "wang-pw"}});
  ASSERT_EQ(intake.exitCode, 0) << intake.err;
  std::istringstream lines(intake.out);
  std::vector<nlohmann::json> docs;
  for (std::string line; std::getline(lines, line);) docs.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(docs.size(), 3u) << intake.out;
  EXPECT_EQ(docs[0]["verdict"], "new");
  EXPECT_NE(docs[1]["verdict"], "new") << docs[1].dump();
  EXPECT_EQ(docs[2]["verdict"], "new") << docs[2].dump();
}

TEST_F(CliTest, MissingStoreExitsThreeNamingThePath) {
  auto r = cli({"status", "--db", dir_.file("absent.rxdb"), "--user", "boss"},
               {{"RXDESK_PASSWORD", "x"}});
  EXPECT_EQ(r.exitCode, 3);
  EXPECT_NE(r.err.find("absent.rxdb"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, WrongPasswordExitsFour) {
  initStore();
  auto r = cli({"status", "--db", db(), "--user", "boss", "--json"}, {{"RXDESK_PASSWORD", "nope"}});
  EXPECT_EQ(r.exitCode, 4);
  EXPECT_NE(r.err.find("wrong password for user 'boss'"), std::string::npos) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["error"]["code"], "auth-failed");
}

TEST_F(CliTest, UnknownUserExitsFiveNamingTheUser) {
  initStore();
  auto r = cli({"status", "--db", db(), "--user", "ghost"}, {{"RXDESK_PASSWORD", "boss-pw"}});
  EXPECT_EQ(r.exitCode, 5);
  EXPECT_NE(r.err.find("'ghost'"), std::string::npos) << r.err;
}

TEST_F(CliTest, BadArgumentsExitTwo) {
  initStore();
  struct Case {
    std::vector<std::string> args;
    const char* expectInError;
  } cases[] = {
      {{"frobnicate"}, "frobnicate"},
      {{"init", "--db", dir_.file("x.rxdb")}, "--admin"},
      {{"user", "add", "zhou", "--role", "chemist", "--db", db(), "--user", "boss"}, "chemist"},
      {{"user", "add", "zhou", "--db", db(), "--user", "boss"}, "licence"},
      {{"status", "--db", db()}, "--user"},
  };
  for (const auto& c : cases) {
    auto r = cli(c.args, {{"RXDESK_PASSWORD", "boss-pw"}, {"RXDESK_NEW_PASSWORD", "x"}});
    EXPECT_EQ(r.exitCode, 2) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.expectInError), std::string::npos) << r.err;
  }
}

TEST_F(CliTest, NoPasswordAndNoTerminalSaysHowToGiveOne) {
  initStore();
  auto r = cli({"status", "--db", db(), "--user", "boss"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("RXDESK_PASSWORD"), std::string::npos) << r.err;
}

TEST_F(CliTest, UserLifecycleAndPermissions) {
  initStore();
  std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                               {"RXDESK_USER", "boss"}};
  auto add =
      cli({"--db", db(), "user", "add", "wang", "--licence", "ZY-1", "--display-name", "王药师"},
          {{"RXDESK_PASSWORD", "boss-pw"},
           {"RXDESK_USER", "boss"},
           {"RXDESK_NEW_PASSWORD", "wang-pw"}});
  ASSERT_EQ(add.exitCode, 0) << add.err;

  // A pharmacist may not add users.
  auto denied = cli({"--db", db(), "--user", "wang", "user", "add", "li", "--role", "supervisor"},
                    {{"RXDESK_PASSWORD", "wang-pw"}, {"RXDESK_NEW_PASSWORD", "li-pw"}});
  EXPECT_EQ(denied.exitCode, 7) << denied.err;

  auto list = cli({"--db", db(), "user", "list", "--json"}, asBoss);
  ASSERT_EQ(list.exitCode, 0) << list.err;
  auto users = nlohmann::json::parse(list.out)["users"];
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1]["display_name"], "王药师");
  EXPECT_EQ(users[1]["licence_no"], "ZY-1");

  auto passwd = cli({"--db", db(), "--user", "wang", "user", "passwd"},
                    {{"RXDESK_PASSWORD", "wang-pw"}, {"RXDESK_NEW_PASSWORD", "wang-pw2"}});
  ASSERT_EQ(passwd.exitCode, 0) << passwd.err;
  EXPECT_EQ(
      cli({"--db", db(), "--user", "wang", "status"}, {{"RXDESK_PASSWORD", "wang-pw"}}).exitCode,
      4);
  EXPECT_EQ(
      cli({"--db", db(), "--user", "wang", "status"}, {{"RXDESK_PASSWORD", "wang-pw2"}}).exitCode,
      0);

  auto remove = cli({"--db", db(), "user", "remove", "wang"}, asBoss);
  ASSERT_EQ(remove.exitCode, 0) << remove.err;
  EXPECT_EQ(
      cli({"--db", db(), "--user", "wang", "status"}, {{"RXDESK_PASSWORD", "wang-pw2"}}).exitCode,
      5);
}

// Without a terminal, the error names the variable that is missing: the pharmacist's password
// comes from $RXDESK_NEW_PASSWORD, not $RXDESK_PASSWORD (which was named).
TEST_F(CliTest, InitWithoutATerminalNamesTheMissingPasswordVariable) {
  auto r = cli({"init", "--db", db(), "--admin", "boss", "--pharmacist", "wang",
                "--pharmacist-licence", "ZY-1"},
               {{"RXDESK_PASSWORD", "boss-pw"}, {"RXDESK_NEW_PASSWORD", "\x01"}});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("RXDESK_NEW_PASSWORD"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db())) << "nothing is created without both passwords";
}

// The default store lives alone in a private folder of the data folder (issue 19 #3: a file
// dialog browsing the data folder must not open the store's files); a store an older rxdesk kept
// directly in the data folder is moved there at first use.
TEST_F(CliTest, DefaultStoreLivesAloneInAPrivateFolderOfTheDataFolder) {
  auto r = cli({"init", "--admin", "boss"}, {{"RXDESK_PASSWORD", "pw"}});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string data = dir_.file("xdg") + "/rxdesk";
  EXPECT_TRUE(std::filesystem::exists(data + "/store/store.rxdb"));
  EXPECT_TRUE(std::filesystem::exists(data + "/store/store.rxdb.keys"));
  EXPECT_EQ(std::filesystem::status(data + "/store").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);

  for (const char* suffix : {"", ".keys", "-wal", "-shm"})
    if (std::filesystem::exists(data + "/store/store.rxdb" + suffix))
      std::filesystem::rename(data + "/store/store.rxdb" + suffix, data + "/store.rxdb" + suffix);
  std::filesystem::remove_all(data + "/store");
  auto status = cli({"--user", "boss", "status", "--json"}, {{"RXDESK_PASSWORD", "pw"}});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["store"], data + "/store/store.rxdb");
  EXPECT_FALSE(std::filesystem::exists(data + "/store.rxdb"));
  EXPECT_FALSE(std::filesystem::exists(data + "/store.rxdb.keys"));
}

// Patient details need not be on the command line, where any local user can read them
// (issue 19 #15); an e-prescription refused for its form exits 12 like a bad signature (#14).
TEST_F(CliTest, PatientDetailsFromAFileAndRefusedEPrescriptionsExitTwelve) {
  initStore();
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  const std::map<std::string, std::string> asWang = {{"RXDESK_PASSWORD", "w"},
                                                     {"RXDESK_USER", "wang"}};
  {
    std::ofstream(dir_.file("patient.txt"))
        << "# the patient at the counter\nname=欧阳明月\nid=110101199003077777\n";
  }
  auto added = cli({"--db", db(), "consult", "add", "--patient-from", dir_.file("patient.txt"),
                    "--question", "能否与酒同服", "--advice", "服药期间禁酒", "--json"},
                   asWang);
  ASSERT_EQ(added.exitCode, 0) << added.err;
  const auto id = nlohmann::json::parse(added.out)["id"].get<std::int64_t>();
  auto shown = cli({"--db", db(), "consult", "show", std::to_string(id), "--json"}, asWang);
  ASSERT_EQ(shown.exitCode, 0) << shown.err;
  EXPECT_NE(shown.out.find("欧阳明月"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("110101199003077777"), std::string::npos) << shown.out;
  { std::ofstream(dir_.file("bad.txt")) << "name=张三\nphone=138\n"; }
  auto bad = cli({"--db", db(), "consult", "add", "--patient-from", dir_.file("bad.txt"),
                  "--question", "q", "--advice", "a"},
                 asWang);
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("line 2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("phone"), std::string::npos) << bad.err;

  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"dup.json", R"({"resourceType":"Bundle","resourceType":"Bundle"})"},
           {"empty-object.json", "{}"}}) {
    { std::ofstream(dir_.file(name)) << text; }
    auto refused = cli({"--db", db(), "rx", "verify", dir_.file(name)}, asWang);
    EXPECT_EQ(refused.exitCode, 12) << name << ": " << refused.err;
    EXPECT_NE(refused.err.find("not accepted"), std::string::npos) << refused.err;
  }
}

}  // namespace
}  // namespace rx::test

namespace rx::test {
namespace {

TEST_F(CliTest, AuditVerifyRecordsEventsAndIsForSupervisors) {
  initStore();
  std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                               {"RXDESK_USER", "boss"}};
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  auto denied =
      cli({"--db", db(), "--user", "wang", "audit", "verify"}, {{"RXDESK_PASSWORD", "w"}});
  EXPECT_EQ(denied.exitCode, 7) << denied.err;
  auto r = cli({"--db", db(), "audit", "verify", "--json"}, asBoss);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["intact"], true);
  // store.create and two settings.set (the pharmacy's 统一社会信用代码 and the idle lock chosen
  // at init) and boss's login once the new store is in place under its name; boss's login and
  // user.add; wang's login (then refused); boss's login now.
  EXPECT_EQ(doc["entries"].get<int>(), 8);
  EXPECT_GE(doc["checkpoints"].get<int>(), 1);
  EXPECT_EQ(doc["signing_keys"].get<int>(), 2) << "boss's and wang's, made at init and user add";
  EXPECT_TRUE(doc["signing_key_problems"].empty()) << r.out;
}

// Issue 25: wang, logged in with his own password, adds a signing key "of" boss with SQL and
// registers it with itself. The supervisor's audit verify names it and fails; only an admin
// registers keys.
TEST_F(CliTest, AuditVerifyNamesASigningKeyAddedOutsideRxdesk) {
  initStore();
  std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                               {"RXDESK_USER", "boss"}};
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  const crypto::SigningKey planted = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  {
    auto wang = ws::Session::login(db(), "wang", "w");
    RX_ASSERT_OK(wang);
    auto plant = (*wang)->store().connection().prepare(
        "INSERT INTO user_keys(user_name, key_id, public_key, wrapped_private, nonce, created_at, "
        "retired_at) "
        "VALUES ('boss', ?, ?, x'00', x'00', '2026-01-01T00:00:00Z', "
        "'2026-01-02T00:00:00Z')");
    RX_ASSERT_OK(plant);
    RX_ASSERT_OK(
        plant->bind(1, planted.publicKey().keyId()).bind(2, planted.publicKey().spki()).run());
    data::UserKeyRepository keys = (*wang)->store().userKeys();
    auto row = keys.find("boss", planted.publicKey().keyId());
    RX_ASSERT_OK(row);
    ASSERT_TRUE(row->has_value());
    RX_ASSERT_OK(keys.recordRegistration(**row, "boss", planted));
    RX_ASSERT_OK(keys.recordConfirmation(**row, planted));
  }
  auto r = cli({"--db", db(), "audit", "verify", "--json"}, asBoss);
  EXPECT_EQ(r.exitCode, 8) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["intact"], true) << "the log itself is intact: the key is what is wrong";
  ASSERT_EQ(doc["signing_key_problems"].size(), 1u) << r.out;
  EXPECT_EQ(doc["signing_key_problems"][0]["user"], "boss");
  EXPECT_EQ(doc["signing_key_problems"][0]["key_id"], planted.publicKey().keyId());
  EXPECT_NE(r.err.find("registers itself"), std::string::npos) << r.err;

  auto denied = cli({"--db", db(), "--user", "wang", "user", "register-key", "wang"},
                    {{"RXDESK_PASSWORD", "w"}});
  EXPECT_EQ(denied.exitCode, 7) << denied.err;
  auto own = cli({"--db", db(), "user", "register-key", "boss"}, asBoss);
  EXPECT_EQ(own.exitCode, 2) << own.err;
  EXPECT_NE(own.err.find("another admin registers it"), std::string::npos) << own.err;
  auto unknown = cli({"--db", db(), "user", "register-key", "wang", "--key", "nope"}, asBoss);
  EXPECT_EQ(unknown.exitCode, 3) << unknown.err;
  EXPECT_NE(unknown.err.find("no signing key nope"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace rx::test

#include "workstation/demo_documents.h"

namespace rx::test {
namespace {

TEST_F(CliTest, ProviderSignsPharmacyImportsAndVerifiesThenRevokes) {
  initStore();
  std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                               {"RXDESK_USER", "boss"}};
  ASSERT_EQ(
      cli({"provider", "keygen", "--type", "sm2", "--out", dir_.file("provider.key")}).exitCode, 0);
  EXPECT_EQ(std::filesystem::status(dir_.file("provider.key")).permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  std::ofstream(dir_.file("draft.json"))
      << ws::demoAgreementDraft("AG-CLI-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                                "91440300708461136T", "2026-01-01", "2099-12-31")
             .dump(2);
  auto signedAg = cli({"provider", "sign-agreement", "--key", dir_.file("provider.key"), "--in",
                       dir_.file("draft.json"), "--out", dir_.file("agreement.json")});
  ASSERT_EQ(signedAg.exitCode, 0) << signedAg.err;

  // Without --accept and without a terminal, nothing is imported.
  auto unconfirmed =
      cli({"--db", db(), "agreement", "import", dir_.file("agreement.json")}, asBoss);
  EXPECT_EQ(unconfirmed.exitCode, 2) << unconfirmed.err;
  EXPECT_NE(unconfirmed.out.find("AG-CLI-1"), std::string::npos)
      << "the agreement is shown before accepting";
  // The signing time is the provider's statement, in Beijing time like every time shown.
  EXPECT_TRUE(std::regex_search(
      unconfirmed.out,
      std::regex("stated by the provider: \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} Beijing time")))
      << unconfirmed.out;
  auto imported =
      cli({"--db", db(), "agreement", "import", dir_.file("agreement.json"), "--accept"}, asBoss);
  ASSERT_EQ(imported.exitCode, 0) << imported.err;

  std::ofstream(dir_.file("bundle.json")) << ws::demoBundle({}).dump(2);
  auto signedRx = cli({"provider", "sign-rx", "--key", dir_.file("provider.key"), "--in",
                       dir_.file("bundle.json"), "--out", dir_.file("rx.json"), "--qr",
                       dir_.file("rx.qr"), "--time", "2026-11-22T08:00:00Z"});
  ASSERT_EQ(signedRx.exitCode, 0) << signedRx.err;

  auto verified = cli({"--db", db(), "rx", "verify", dir_.file("rx.json"), "--json"}, asBoss);
  ASSERT_EQ(verified.exitCode, 0) << verified.err;
  auto verdict = nlohmann::json::parse(verified.out);
  EXPECT_EQ(verdict["accepted"], true);
  EXPECT_EQ(verdict["agreement"]["number"], "AG-CLI-1");
  EXPECT_EQ(verdict["signature"]["alg"], "SM2-SM3");
  auto qr = cli({"--db", db(), "rx", "verify", "--qr", dir_.file("rx.qr"), "--json"}, asBoss);
  EXPECT_EQ(qr.exitCode, 0) << qr.err;

  auto revoked =
      cli({"--db", db(), "agreement", "revoke", "AG-CLI-1", "--reason", "资质被吊销"}, asBoss);
  ASSERT_EQ(revoked.exitCode, 0) << revoked.err;
  auto refused = cli({"--db", db(), "rx", "verify", dir_.file("rx.json"), "--json"}, asBoss);
  EXPECT_EQ(refused.exitCode, 12);
  EXPECT_NE(refused.err.find("revoked"), std::string::npos) << refused.err;
  EXPECT_EQ(nlohmann::json::parse(refused.out)["accepted"], false);

  // An unsigned draft is an e-prescription not accepted, like a bad signature (issue 19 #14).
  auto malformed = cli({"--db", db(), "rx", "verify", dir_.file("draft.json")}, asBoss);
  EXPECT_EQ(malformed.exitCode, 12);
  EXPECT_NE(malformed.err.find("draft.json"), std::string::npos) << malformed.err;
}

}  // namespace
}  // namespace rx::test

#include <opencv2/imgcodecs.hpp>

#include "exif.h"
#include "printout.h"
#include "rxgen.h"
#include "symbols.h"

namespace rx::test {
namespace {

TEST_F(CliTest, OcrPrintsStableJsonPerImageAndNamesUnreadableFiles) {
  RxGenerator gen(99, RXDESK_CATALOGUE);
  GenRx truth = gen.content(0);
  CaptureOptions upright;
  upright.sidewaysProbability = 0;
  upright.upsideDownProbability = 0;
  upright.shadowProbability = 0;
  auto jpeg = gen.photograph(gen.render(truth), upright);
  std::ofstream(dir_.file("rx.jpg"), std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size());
  std::ofstream(dir_.file("broken.jpg"), std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), jpeg.size() / 2);

  auto r = cli({"ocr", dir_.file("rx.jpg"), dir_.file("broken.jpg"), "--json"});
  EXPECT_EQ(r.exitCode, 2) << "one unreadable photo makes the batch exit non-zero";
  std::istringstream lines(r.out);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  auto doc = nlohmann::json::parse(first);
  EXPECT_EQ(doc["input"], dir_.file("rx.jpg"));
  for (const char* field : {"hospital", "rx_number", "date", "patient_name", "sex", "age",
                            "outpatient_id", "department", "diagnosis", "doctor", "amount"})
    EXPECT_TRUE(doc["fields"].contains(field)) << field;
  EXPECT_EQ(doc["fields"]["rx_number"]["value"], truth.rxNumber);
  EXPECT_EQ(doc["fields"]["date"]["value"], truth.date);
  EXPECT_EQ(doc["page"]["found"], true);
  EXPECT_EQ(doc["page"]["other_outline"], false);  // the page first found read
  EXPECT_EQ(doc["page"]["corners"].size(), 4u);
  EXPECT_GE(doc["drugs"].size(), 1u);
  EXPECT_TRUE(doc["ms"].contains("total"));
  auto bad = nlohmann::json::parse(second);
  EXPECT_EQ(bad["ok"], false);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("truncated"), std::string::npos);
  EXPECT_NE(r.err.find("broken.jpg"), std::string::npos);
}

}  // namespace
}  // namespace rx::test

namespace rx::test {
namespace {

// A Code 128 symbol on a white margin, as printed on a drug box.
cv::Mat drawCode128(const std::string& data) {
  return drawSymbol(BARCODE_CODE128, data, {.scale = 3, .margin = 80});
}

TEST_F(CliTest, CounterFlowIntakeReviewDispenseAndReuseRefused) {
  initStore();
  std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                               {"RXDESK_USER", "boss"}};
  std::map<std::string, std::string> asWang = {{"RXDESK_PASSWORD", "w"}, {"RXDESK_USER", "wang"}};
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  ASSERT_EQ(cli({"provider", "keygen", "--out", dir_.file("p.key")}).exitCode, 0);
  std::ofstream(dir_.file("draft.json"))
      << ws::demoAgreementDraft("AG-9", "示例互联网医院", "12440000455858776H", "示例大药房",
                                "91440300708461136T", "2026-01-01", "2099-12-31")
             .dump();
  ASSERT_EQ(cli({"provider", "sign-agreement", "--key", dir_.file("p.key"), "--in",
                 dir_.file("draft.json"), "--out", dir_.file("ag.json")})
                .exitCode,
            0);
  ASSERT_EQ(
      cli({"--db", db(), "agreement", "import", dir_.file("ag.json"), "--accept"}, asBoss).exitCode,
      0);
  ws::DemoPrescription p;
  p.issuedAt = rx::utcTimestamp();
  std::ofstream(dir_.file("bundle.json")) << ws::demoBundle(p).dump();
  ASSERT_EQ(
      cli({"provider", "sign-rx", "--key", dir_.file("p.key"), "--in", dir_.file("bundle.json"),
           "--out", dir_.file("rx.json"), "--qr", dir_.file("rx.qr")})
          .exitCode,
      0);

  auto intake = cli({"--db", db(), "intake", dir_.file("rx.json"), "--json"}, asWang);
  ASSERT_EQ(intake.exitCode, 0) << intake.err;
  auto first = nlohmann::json::parse(intake.out);
  EXPECT_EQ(first["verdict"], "new");
  EXPECT_EQ(first["kind"], "electronic");
  EXPECT_EQ(first["signature"]["accepted"], true);
  const std::string id = std::to_string(first["record"].get<int>());

  auto noId = cli({"--db", db(), "review", id, "--approve", "--buyer-confirmed"}, asWang);
  EXPECT_EQ(noId.exitCode, 10);
  EXPECT_NE(noId.err.find("real-name"), std::string::npos) << noId.err;
  auto approved = cli({"--db", db(), "review", id, "--approve", "--buyer-confirmed", "--patient-id",
                       "110101198005010011", "--json"},
                      asWang);
  ASSERT_EQ(approved.exitCode, 0) << approved.err;
  EXPECT_EQ(nlohmann::json::parse(approved.out)["decision"], "approve");
  // The product list says what the package codes are (both 8123456: the prescribed drug).
  auto badPrice = cli({"--db", db(), "product", "add", "--code", "8123456", "--drug",
                       "阿莫西林胶囊", "--manufacturer", "示例制药有限公司", "--price", "12,50"},
                      asBoss);
  EXPECT_EQ(badPrice.exitCode, 2);
  EXPECT_NE(badPrice.err.find("--price"), std::string::npos) << badPrice.err;
  ASSERT_EQ(cli({"--db", db(), "product", "add", "--code", "8123456", "--drug", "阿莫西林胶囊",
                 "--spec", "0.25g×24粒", "--manufacturer", "示例制药有限公司", "--price", "12.50"},
                asBoss)
                .exitCode,
            0);
  // One package scanned, one photographed (its Code 128 read from the photo).
  cv::imwrite(dir_.file("box.png"), drawCode128("81234560000087654321"));
  cv::imwrite(dir_.file("blank.png"), cv::Mat(400, 600, CV_8UC3, cv::Scalar(230, 230, 230)));
  auto unreadable =
      cli({"--db", db(), "dispense", id, "--code-photo", dir_.file("blank.png")}, asWang);
  EXPECT_EQ(unreadable.exitCode, 3);
  EXPECT_NE(unreadable.err.find("blank.png"), std::string::npos) << unreadable.err;
  auto dispensed = cli({"--db", db(), "dispense", id, "--code", "81234560000012345678",
                        "--code-photo", dir_.file("box.png"), "--json"},
                       asWang);
  ASSERT_EQ(dispensed.exitCode, 0) << dispensed.err;
  EXPECT_NE(dispensed.out.find("81234560000087654321"), std::string::npos) << dispensed.out;
  EXPECT_EQ(nlohmann::json::parse(dispensed.out)["state"], "closed") << "2 of 2 boxes handed out";
  auto voucher = cli({"--db", db(), "voucher", id, "--pdf", dir_.file("v.pdf"), "--json"}, asWang);
  ASSERT_EQ(voucher.exitCode, 0) << voucher.err;
  auto v = nlohmann::json::parse(voucher.out)["voucher"];
  EXPECT_EQ(v["total"], "25.00");
  EXPECT_EQ(v["lines"][0]["quantity"], 2);
  EXPECT_EQ(v["buyer"]["id_number"], "1101**********0011");
  EXPECT_TRUE(std::filesystem::file_size(dir_.file("v.pdf")) > 1000);
  // Printing goes to CUPS' lp through a pipe (a stand-in lp records what it was given).
  std::filesystem::create_directory(dir_.file("bin"));
  std::ofstream(dir_.file("bin/lp")) << "#!/bin/sh\necho \"$@\" > " << dir_.file("lp-args")
                                     << "\ncat > " << dir_.file("printed.pdf") << "\n";
  std::filesystem::permissions(dir_.file("bin/lp"), std::filesystem::perms::owner_all);
  auto withLp = asWang;
  withLp["PATH"] = dir_.file("bin") + ":" + std::getenv("PATH");
  auto printed = cli({"--db", db(), "voucher", id, "--printer", "counter-1"}, withLp);
  ASSERT_EQ(printed.exitCode, 0) << printed.err;
  std::ifstream pdf(dir_.file("printed.pdf"));
  std::string head(4, '\0');
  pdf.read(head.data(), 4);
  EXPECT_EQ(head, "%PDF");
  std::ifstream args(dir_.file("lp-args"));
  std::string argLine;
  std::getline(args, argLine);
  EXPECT_NE(argLine.find("-d counter-1"), std::string::npos) << argLine;
  withLp["PATH"] = dir_.file("nothing-here");
  auto noLp = cli({"--db", db(), "voucher", id, "--print"}, withLp);
  EXPECT_EQ(noLp.exitCode, 3);
  EXPECT_NE(noLp.err.find("cups-client"), std::string::npos) << noLp.err;

  auto again = cli({"--db", db(), "intake", dir_.file("rx.json"), "--json"}, asWang);
  ASSERT_EQ(again.exitCode, 0) << again.err;
  auto second = nlohmann::json::parse(again.out);
  EXPECT_EQ(second["verdict"], "reuse-certain");
  ASSERT_EQ(second["matches"].size(), 1u) << again.out;
  EXPECT_EQ(std::to_string(second["matches"][0]["record"].get<int>()), id);
  EXPECT_EQ(second["matches"][0]["state"], "closed");
  EXPECT_EQ(second["matches"][0]["used"], true);
  EXPECT_EQ(second["matches"][0]["signals"]["number"], "same");
  EXPECT_TRUE(second["ms"].contains("total"));
  const std::string againId = std::to_string(second["record"].get<int>());
  auto shown = cli({"--db", db(), "reuse", "show", againId}, asWang);
  ASSERT_EQ(shown.exitCode, 0) << shown.err;
  EXPECT_NE(shown.out.find("matches record " + id + " (closed"), std::string::npos) << shown.out;
  auto overrule = cli({"--db", db(), "reuse", "overrule", againId, "--reason", "x"}, asWang);
  EXPECT_EQ(overrule.exitCode, 10);
  EXPECT_NE(overrule.err.find("cannot be overruled"), std::string::npos) << overrule.err;
  auto queue = cli({"--db", db(), "queue", "--json"}, asWang);
  ASSERT_EQ(queue.exitCode, 0);
  EXPECT_EQ(nlohmann::json::parse(queue.out)["queue"].size(), 1u) << "the dispensed one is closed";

  // A phone photo of the used e-prescription's printout: its QR code is read from the photo and
  // verified against the agreement, so the paper copy is a certain reuse; whatever the QR and OCR
  // libraries print, standard output holds exactly one JSON object.
  std::string qr;
  std::getline(std::ifstream(dir_.file("rx.qr")), qr);
  const auto jpeg = photographPrintout(p, qr, RXDESK_CATALOGUE);
  std::ofstream(dir_.file("printout.jpg"), std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  auto printout = cli({"--db", db(), "intake", dir_.file("printout.jpg"), "--json"}, asWang);
  ASSERT_EQ(printout.exitCode, 0) << printout.err;
  ASSERT_EQ(std::count(printout.out.begin(), printout.out.end(), '\n'), 1) << printout.out;
  auto copy = nlohmann::json::parse(printout.out);
  EXPECT_EQ(copy["kind"], "paper");
  ASSERT_EQ(copy["qr"].size(), 1u) << printout.out;
  EXPECT_EQ(copy["qr"][0]["payload"], qr);
  EXPECT_EQ(copy["qr"][0]["verified"], true);
  EXPECT_EQ(copy["verdict"], "reuse-certain");
  ASSERT_FALSE(copy["matches"].empty());
  EXPECT_EQ(std::to_string(copy["matches"][0]["record"].get<int>()), id);
}

TEST_F(CliTest, IntakeOfTheSamePhotoTwiceInOneBatchFlagsTheSecond) {
  initStore();
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  rx::test::RxGenerator gen(5150, RXDESK_CATALOGUE);
  auto jpeg = gen.photograph(gen.render(gen.content(0)));
  std::ofstream(dir_.file("photo.jpg"), std::ios::binary)
      .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
  std::ofstream(dir_.file("broken.jpg")) << "not a photo";
  auto r = cli({"--db", db(), "intake", dir_.file("photo.jpg"), dir_.file("broken.jpg"),
                dir_.file("photo.jpg"), "--json"},
               {{"RXDESK_PASSWORD", "w"}, {"RXDESK_USER", "wang"}});
  EXPECT_NE(r.exitCode, 0) << "one input failed";
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> docs;
  for (std::string line; std::getline(lines, line);) docs.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(docs.size(), 3u) << r.out;
  EXPECT_EQ(docs[0]["verdict"], "new");
  EXPECT_EQ(docs[0]["kind"], "paper");
  EXPECT_TRUE(docs[0]["fields"].contains("rx_number"));
  EXPECT_EQ(docs[1]["ok"], false);
  EXPECT_NE(docs[1]["error"]["message"].get<std::string>().find("broken.jpg"), std::string::npos)
      << docs[1].dump();
  EXPECT_EQ(docs[2]["verdict"], "reuse-certain");
  EXPECT_EQ(docs[2]["matches"][0]["record"], docs[0]["record"]);
  EXPECT_NE(r.err.find("intake 3 / 3"), std::string::npos) << "progress on stderr: " << r.err;
}

// A scanner's or a phone's folder watched from the command line (no window open): what arrives
// is taken in once it stops changing, photos in the order they were taken whatever their names
// (the earlier photo of a paper is the original, the later one its re-photo), and each is moved
// aside; a file that is not a photo goes to not-taken-in and the exit code says so.
TEST_F(CliTest, IntakeWatchTakesInWhatArrivesInTheOrderItWasTakenAndMovesItAside) {
  initStore();
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  const std::map<std::string, std::string> wang = {{"RXDESK_PASSWORD", "w"},
                                                   {"RXDESK_USER", "wang"}};
  auto unset = cli({"--db", db(), "intake", "--watch", "--polls", "1"}, wang);
  EXPECT_EQ(unset.exitCode, 2);
  EXPECT_NE(unset.err.find("intake.watch_folder"), std::string::npos) << unset.err;

  const std::string scans = dir_.file("scans");
  std::filesystem::create_directories(scans);
  RxGenerator gen(5151, RXDESK_CATALOGUE);
  CaptureOptions gentle;
  gentle.sidewaysProbability = gentle.upsideDownProbability = gentle.shadowProbability = 0;
  const cv::Mat paper = gen.render(gen.content(0));
  auto photo = [&](const std::string& name, const std::string& taken) {
    ExifTags tags;
    tags.dateTimeOriginal = taken;
    const auto jpeg = withExif(gen.photograph(paper, gentle), tags);
    std::ofstream(scans + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(jpeg.data()),
               static_cast<std::streamsize>(jpeg.size()));
  };
  photo("IMG_0001.jpg", "2026:12:01 09:31:40");  // the second photo of the paper
  photo("IMG_0002.jpg", "2026:12:01 09:30:05");  // the first
  std::ofstream(scans + "/broken.jpg") << "not a photo";
  std::ofstream(scans + "/.IMG_0003.jpg") << "a phone still downloading";
  auto r = cli({"--db", db(), "intake", "--watch", "--folder", scans, "--interval", "0.5",
                "--polls", "2", "--json"},
               wang);
  EXPECT_NE(r.exitCode, 0) << "one file could not be taken in";
  std::istringstream lines(r.out);
  std::map<std::string, nlohmann::json> byName;
  std::vector<std::string> order;
  for (std::string line; std::getline(lines, line);) {
    auto doc = nlohmann::json::parse(line);
    const std::string name = std::filesystem::path(doc["input"].get<std::string>()).filename();
    order.push_back(name);
    byName[name] = doc;
  }
  ASSERT_EQ(byName.size(), 3u) << r.out << r.err;
  const auto first = std::find(order.begin(), order.end(), "IMG_0002.jpg");
  const auto second = std::find(order.begin(), order.end(), "IMG_0001.jpg");
  EXPECT_LT(first - order.begin(), second - order.begin()) << "taken in as they were taken";
  EXPECT_EQ(byName["IMG_0002.jpg"]["verdict"], "new");
  EXPECT_NE(byName["IMG_0001.jpg"]["verdict"], "new") << byName["IMG_0001.jpg"].dump();
  EXPECT_EQ(byName["IMG_0001.jpg"]["matches"][0]["record"], byName["IMG_0002.jpg"]["record"]);
  EXPECT_EQ(byName["broken.jpg"]["ok"], false);
  EXPECT_EQ(byName["IMG_0002.jpg"]["moved_to"], scans + "/taken-in/IMG_0002.jpg");
  EXPECT_TRUE(std::filesystem::exists(scans + "/taken-in/IMG_0001.jpg"));
  EXPECT_TRUE(std::filesystem::exists(scans + "/taken-in/IMG_0002.jpg"));
  EXPECT_EQ(byName["broken.jpg"]["moved_to"], scans + "/not-taken-in/broken.jpg");
  EXPECT_TRUE(std::filesystem::exists(scans + "/not-taken-in/broken.jpg"));
  EXPECT_TRUE(std::filesystem::exists(scans + "/.IMG_0003.jpg")) << "a partial file waits";
  EXPECT_FALSE(std::filesystem::exists(scans + "/IMG_0001.jpg"));

  auto again = cli({"--db", db(), "intake", "--watch", "--folder", scans, "--interval", "0.2",
                    "--polls", "2", "--json"},
                   wang);
  EXPECT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(again.out, "") << "nothing is taken in twice";
  auto both = cli({"--db", db(), "intake", "--watch", scans + "/x.jpg"}, wang);
  EXPECT_EQ(both.exitCode, 2) << "files and --watch together";
}

// Files named by other systems (a GBK name from a Windows USB disk) are read and reported with the
// odd bytes escaped, never an internal error; what a pharmacist types that is not UTF-8 or is far
// too long is refused naming the field, before anything is recorded.
TEST_F(CliTest, ForeignFileNamesAreReportedAndBadTypedTextIsRefusedNamingTheField) {
  const std::map<std::string, std::string> boss = {{"RXDESK_PASSWORD", "boss-pw"},
                                                   {"RXDESK_NEW_PASSWORD", "wang-pw"}};
  ASSERT_EQ(cli({"init", "--db", db(), "--admin", "boss", "--pharmacist", "wang",
                 "--pharmacist-licence", "ZY-1", "--demo-data"},
                boss)
                .exitCode,
            0);
  const std::string gbkJson = dir_.file("\xB4\xA6\xB7\xBD.json");  // 处方.json in GBK
  const std::string gbkPhoto = dir_.file("\xD5\xD5\xC6\xAC.jpg");  // 照片.jpg in GBK
  std::filesystem::copy_file(dir_.file("demo-files/rx-2.json"), gbkJson);
  std::filesystem::copy_file(dir_.file("demo-files/paper-1.jpg"), gbkPhoto);
  const std::map<std::string, std::string> wang = {{"RXDESK_PASSWORD", "wang-pw"},
                                                   {"RXDESK_USER", "wang"}};
  auto intake = cli({"--db", db(), "intake", "--json", gbkJson, gbkPhoto}, wang);
  ASSERT_EQ(intake.exitCode, 0) << intake.err;
  std::istringstream lines(intake.out);
  std::string line;
  std::vector<nlohmann::json> docs;
  while (std::getline(lines, line)) docs.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(docs.size(), 2u) << intake.out;
  EXPECT_EQ(docs[0]["input"], dir_.file("\\xB4\\xA6\\xB7\\xBD.json"));
  EXPECT_EQ(docs[0]["kind"], "electronic");
  // Only bytes that are not UTF-8 are escaped: C6 AC happens to be a valid sequence (Ƭ).
  EXPECT_EQ(docs[1]["input"], dir_.file("\\xD5\\xD5\xC6\xAC.jpg"));
  EXPECT_EQ(docs[1]["kind"], "paper");
  auto ocr = cli({"--db", db(), "ocr", "--json", gbkPhoto}, wang);
  EXPECT_EQ(ocr.exitCode, 0) << ocr.err;

  const std::string id = std::to_string(docs[0]["record"].get<int>());
  auto badReason = cli({"--db", db(), "review", id, "--reject", "--reason", "bad\xFF"}, wang);
  EXPECT_EQ(badReason.exitCode, 2) << badReason.err;
  EXPECT_NE(badReason.err.find("the reason code is not UTF-8"), std::string::npos) << badReason.err;
  auto longNote = cli({"--db", db(), "review", id, "--reject", "--reason", "other", "--note",
                       std::string(20000, 'a')},
                      wang);
  EXPECT_EQ(longNote.exitCode, 2) << longNote.err;
  EXPECT_NE(longNote.err.find("the decision's note is 20000 bytes long"), std::string::npos)
      << longNote.err;
  auto queue = cli({"--db", db(), "queue", "--json"}, wang);
  ASSERT_EQ(queue.exitCode, 0) << queue.err;
  EXPECT_EQ(queue.out.find("rejected"), std::string::npos) << "nothing was decided: " << queue.out;
}

// A store cut short (a failed copy, a full disk during a move) or with an altered page: every
// command refuses with exit 8 and says to restore the backup; nothing writes to the file; `check`
// names the damaged page even when ordinary commands do not touch it.
TEST_F(CliTest, DamagedStoreIsRefusedAndCheckNamesTheDamagedPage) {
  initStore();
  const std::map<std::string, std::string> pw = {{"RXDESK_PASSWORD", "boss-pw"}};
  auto intact = cli({"check", "--db", db(), "--user", "boss"}, pw);
  ASSERT_EQ(intact.exitCode, 0) << intact.err;
  EXPECT_NE(intact.out.find("Store intact"), std::string::npos) << intact.out;

  const std::string original = readBytes(db());
  ASSERT_GT(original.size(), 16384u);
  {
    std::ofstream(db(), std::ios::binary | std::ios::trunc)
        << original.substr(0, original.size() / 2);
  }
  const std::string truncated = readBytes(db());
  for (const char* command : {"status", "queue", "check"}) {
    auto r = cli({command, "--db", db(), "--user", "boss"}, pw);
    EXPECT_EQ(r.exitCode, 8) << command << ": " << r.err;
    EXPECT_NE(r.err.find("damaged"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find("restore"), std::string::npos) << command << ": " << r.err;
    EXPECT_EQ(readBytes(db()), truncated) << command << " wrote to the damaged store";
  }

  // One altered byte in the last page: `status` still works (it never reads that page), `check`
  // finds it.
  std::string altered = original;
  altered[altered.size() - 2000] ^= 0x40;
  { std::ofstream(db(), std::ios::binary | std::ios::trunc) << altered; }
  auto found = cli({"check", "--db", db(), "--user", "boss", "--json"}, pw);
  EXPECT_EQ(found.exitCode, 8) << found.err;
  const std::string lastPage = std::to_string(original.size() / 4096);
  EXPECT_NE(found.err.find("page " + lastPage), std::string::npos) << found.err;
  auto doc = nlohmann::json::parse(found.out);
  EXPECT_EQ(doc["ok"], false);
  ASSERT_EQ(doc["damaged_pages"].size(), 1u) << doc.dump();
}

// A store the workstation cannot write (a disk remounted read-only after errors, a file copied
// from a CD, wrong permissions) is not opened: rxdesk could not record the login or any work.
// The message says why and that nothing changed; once writable again the store opens as before.
TEST_F(CliTest, ReadOnlyStoreIsRefusedWithTheReasonAndOpensOnceWritable) {
  initStore();
  // Root writes whatever the permissions say: run the command as nobody in that case.
  std::vector<std::string> as;
  if (::geteuid() == 0) {
    as = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path()))
      ASSERT_EQ(::chown(entry.path().c_str(), 65534, 65534), 0) << entry.path();
    ASSERT_EQ(::chown(dir_.path().c_str(), 65534, 65534), 0);
  }
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), RXDESK_CLI_PATH);
    args.insert(args.begin(), as.begin(), as.end());
    auto env = baseEnv_;
    env["RXDESK_PASSWORD"] = "boss-pw";
    return runProcess(args, env);
  };
  std::filesystem::permissions(db(), std::filesystem::perms::owner_read |
                                         std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  const std::string before = readBytes(db());
  auto refused = run({"status", "--db", db(), "--user", "boss"});
  EXPECT_EQ(refused.exitCode, 9) << refused.err;
  EXPECT_NE(refused.err.find("read-only"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("Nothing was changed"), std::string::npos) << refused.err;
  EXPECT_EQ(readBytes(db()), before);

  std::filesystem::permissions(db(), std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  auto opened = run({"status", "--db", db(), "--user", "boss"});
  EXPECT_EQ(opened.exitCode, 0) << opened.err;
}

// A round's own reasons (--criterion) are the ones its items are scored with.
TEST_F(CliTest, SamplingRoundScoresWithTheReasonsItWasCreatedWith) {
  initStore();
  ASSERT_NO_FATAL_FAILURE(addPharmacistWang());
  const std::map<std::string, std::string> asBoss = {{"RXDESK_PASSWORD", "boss-pw"},
                                                     {"RXDESK_USER", "boss"}};
  auto added =
      cli({"--db", db(), "user", "add", "zhou", "--role", "supervisor"},
          {{"RXDESK_PASSWORD", "boss-pw"}, {"RXDESK_USER", "boss"}, {"RXDESK_NEW_PASSWORD", "z"}});
  ASSERT_EQ(added.exitCode, 0) << added.err;
  auto consult = cli({"--db", db(), "--user", "wang", "consult", "add", "--question", "能否同服",
                      "--advice", "间隔两小时"},
                     {{"RXDESK_PASSWORD", "w"}});
  ASSERT_EQ(consult.exitCode, 0) << consult.err;
  const std::map<std::string, std::string> asZhou = {{"RXDESK_PASSWORD", "z"},
                                                     {"RXDESK_USER", "zhou"}};
  const std::string today = beijingToday();
  auto round = cli({"--db", db(), "sampling", "create", "--from", today, "--to", today, "--what",
                    "consultations", "--count", "1", "--criterion", "未告知用药间隔", "--json"},
                   asZhou);
  ASSERT_EQ(round.exitCode, 0) << round.err;
  const auto roundId = std::to_string(nlohmann::json::parse(round.out)["round"].get<int>());
  auto items = cli({"--db", db(), "sampling", "items", roundId, "--json"}, asZhou);
  ASSERT_EQ(items.exitCode, 0) << items.err;
  const auto list = nlohmann::json::parse(items.out)["items"];
  ASSERT_TRUE(list.is_array()) << items.out;
  ASSERT_EQ(list.size(), 1u) << items.out;
  const auto item = std::to_string(list[0]["item"].get<int>());
  auto standard = cli({"--db", db(), "sampling", "score", roundId, "--consultation", item,
                       "--inappropriate", "--reason", "咨询建议不当 inappropriate advice"},
                      asZhou);
  EXPECT_EQ(standard.exitCode, 2) << "not among this round's reasons: " << standard.out;
  auto own = cli({"--db", db(), "sampling", "score", roundId, "--consultation", item,
                  "--inappropriate", "--reason", "未告知用药间隔"},
                 asZhou);
  EXPECT_EQ(own.exitCode, 0) << own.out << own.err;
}

}  // namespace
}  // namespace rx::test
