// The chain registry (issue #22, docs/registry.md) with a real PostgreSQL 15, started by the test
// and set up by installer/registry/rxdesk-registry: a prescription or package handed out at one
// store is caught at the others; first claim wins; stores work on while the registry is away and
// catch up; a store cannot touch another store's rows; the registry holds no patient data.
#include "workstation/chain.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <barrier>
#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "audit_rewrite.h"
#include "base/time.h"
#include "counter_store.h"
#include "data/audit.h"
#include "data/files.h"
#include "pg_registry.h"
#include "registry/client.h"
#include "rxgen.h"
#include "status_matchers.h"
#include "workstation/agreements.h"
#include "workstation/demo_documents.h"
#include "workstation/dispensing.h"
#include "workstation/eprescription.h"
#include "workstation/intake.h"
#include "workstation/review.h"
#include "workstation/settings.h"

namespace rx::ws {
namespace {

using nlohmann::json;

constexpr const char* kCode = "81234560000012345678";  // a box of 阿莫西林胶囊 (8123456)

struct Counter {
  std::string code, path;
  std::unique_ptr<Session> wang;
};

class ChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    registry_ = test::RegistryCluster::start(
        {{"a", "仁心大药房南山店"}, {"b", "仁心大药房福田店"}, {"c", "仁心大药房罗湖店"}}, &why);
    ASSERT_TRUE(registry_) << why;
    RX_ASSERT_OK(makeChainKey(dir_.file("chain.key")));
  }

  // A store of the chain: its file, the test agreement and product list, joined as `code` after
  // `beforeJoin` ran on it (a store with a history).
  Counter& store(const std::string& code, const std::function<void(Counter&)>& beforeJoin = {}) {
    Counter& c = counters_[code];
    c.code = code;
    c.path = dir_.file(code + ".rxdb");
    auto admin = test::makeCounterStore(c.path);
    EXPECT_TRUE(test::isOk(admin));
    auto agreement = signAgreement(
        demoAgreementDraft("AG-1", "示例互联网医院", "12440000455858776H", "示例大药房",
                           test::kTestPharmacyUscc, "2026-01-01", "2099-12-31"),
        provider_, "2026-01-01T00:00:00Z");
    EXPECT_TRUE(test::isOk(agreement));
    EXPECT_TRUE(test::isOk(AgreementService(**admin).import(*agreement, "ag.json")));
    EXPECT_TRUE(
        test::isOk(ProductService(**admin).put(test::testProduct("8123456", "阿莫西林胶囊"))));
    if (beforeJoin) {
      auto wang = Session::login(c.path, "wang", "w", test::fastStoreOptions());
      EXPECT_TRUE(test::isOk(wang));
      c.wang = std::move(*wang);
      beforeJoin(c);
      c.wang.reset();
    }
    ChainService chain(**admin);
    EXPECT_TRUE(test::isOk(chain.request(code, "store " + code, dir_.file(code + ".request"))));
    EXPECT_TRUE(test::isOk(sealChainKey(dir_.file("chain.key"), dir_.file(code + ".request"),
                                        dir_.file(code + ".sealed"))));
    auto joined = chain.join(registry_->joinOptions(code, dir_.file(code + ".sealed")));
    EXPECT_TRUE(test::isOk(joined)) << joined.status().message();
    admin->reset();
    auto wang = Session::login(c.path, "wang", "w", test::fastStoreOptions());
    EXPECT_TRUE(test::isOk(wang));
    if (wang) c.wang = std::move(*wang);
    return c;
  }
  // A signed e-prescription of the test provider, issued now.
  EPrescription erx(const std::string& number) {
    DemoPrescription p;
    p.rxNumber = number;
    p.issuedAt = utcTimestamp();
    auto text = signEPrescription(demoBundle(p), provider_, p.issuedAt);
    EXPECT_TRUE(test::isOk(text));
    auto parsed = parseEPrescription(*text, "rx.json");
    EXPECT_TRUE(test::isOk(parsed));
    return *parsed;
  }
  std::string erxFile(const std::string& number) {
    DemoPrescription p;
    p.rxNumber = number;
    p.issuedAt = utcTimestamp();
    const std::string path = dir_.file(number + ".json");
    std::ofstream(path) << *signEPrescription(demoBundle(p), provider_, p.issuedAt);
    return path;
  }
  // Presented, approved, prepared, `code` scanned and checked: ready to hand out.
  std::int64_t readyToHandOut(Counter& c, const std::string& number, const std::string& code) {
    return readyToHandOut(c, erx(number), code);
  }
  std::int64_t readyToHandOut(Counter& c, const EPrescription& prescription,
                              const std::string& code) {
    ReviewService review(*c.wang);
    auto presented = IntakeService(review).presentElectronic(prescription, "rx.json");
    EXPECT_TRUE(test::isOk(presented));
    if (!presented) return 0;
    const std::int64_t id = presented->record;
    approve(review, id);
    DispensingService dispensing(*c.wang);
    EXPECT_TRUE(test::isOk(dispensing.recordStep(id, data::DispenseStep::kPrepare)));
    EXPECT_TRUE(test::isOk(dispensing.scanPackage(id, code)));
    EXPECT_TRUE(test::isOk(dispensing.recordStep(id, data::DispenseStep::kCheck)));
    return id;
  }
  static void approve(ReviewService& review, std::int64_t id,
                      std::map<std::string, std::string> fields = {}) {
    fields["patient_id_no"] = "110101198005010011";
    RX_ASSERT_OK(review.startReview(id));
    RX_ASSERT_OK(review.confirmFields(id, fields));
    auto decided = review.decide(id, {Decision::kApprove, {}, "", true});
    ASSERT_TRUE(test::isOk(decided)) << decided.status().message();
  }
  // rxdesk-cli on the store as pharmacist wang, or as `user` with `password`.
  test::ProcessResult cli(const Counter& c, std::vector<std::string> args,
                          const std::string& user = "wang", const std::string& password = "w") {
    args.insert(args.begin(), {RXDESK_CLI_PATH, "--db", c.path});
    return test::runProcess(args, {{"RXDESK_USER", user},
                                   {"RXDESK_PASSWORD", password},
                                   {"HOME", dir_.path()},
                                   {"XDG_DATA_HOME", dir_.file("xdg")}});
  }
  std::int64_t registryCount(const std::string& table) {
    auto r = registry_->sql("SELECT count(*) FROM " + table);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return std::atoll(r.out.c_str());
  }

  test::TempDir dir_;
  std::unique_ptr<test::RegistryCluster> registry_;
  crypto::SigningKey provider_ = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  std::map<std::string, Counter> counters_;
};

// The issue's first test: what is handed out at A is caught at B and C, each in its own process
// (rxdesk-cli) on its own store file.
TEST_F(ChainTest, WhatOneStoreHandedOutIsCaughtAtTheOthers) {
  Counter& a = store("a");
  Counter& b = store("b");
  Counter& c = store("c");
  ASSERT_TRUE(a.wang && b.wang && c.wang);

  // A paper prescription photographed at A (read by OCR), confirmed, approved and handed out.
  test::RxGenerator gen(4711, RXDESK_CATALOGUE);
  test::GenRx paper = gen.content(1);
  paper.date = beijingToday();  // valid today
  const cv::Mat page = gen.render(paper);
  test::CaptureOptions plain;
  plain.sidewaysProbability = plain.upsideDownProbability = plain.shadowProbability = 0;
  const auto first = gen.photograph(page, plain), second = gen.photograph(page, plain);
  cv::imwrite(dir_.file("again.jpg"), cv::imdecode(second, cv::IMREAD_COLOR));
  {
    IntakeReader reader;
    cv::imwrite(dir_.file("first.jpg"), cv::imdecode(first, cv::IMREAD_COLOR));
    ReviewService review(*a.wang);
    auto presented = IntakeService(review).present(reader.read(dir_.file("first.jpg")));
    ASSERT_TRUE(test::isOk(presented)) << presented.status().message();
    const std::int64_t id = presented->record;
    data::ProductRecord p;
    p.productCode = "8400001";
    p.drugName = paper.drugs.at(0).name;
    p.manufacturer = "示例制药有限公司";
    p.spec = paper.drugs[0].spec;
    p.unit = paper.drugs[0].unit;
    p.priceFen = 100;
    auto admin = Session::login(a.path, "admin", "pw", test::fastStoreOptions());
    ASSERT_TRUE(test::isOk(admin));
    RX_ASSERT_OK(ProductService(**admin).put(p));
    // The pharmacist checks what was read against the paper and corrects it.
    std::map<std::string, std::string> checked = {{"rx_number", paper.rxNumber},
                                                  {"hospital", paper.hospital},
                                                  {"date", paper.date},
                                                  {"patient_name", paper.patientName}};
    auto record = review.record(id);
    ASSERT_TRUE(test::isOk(record));
    for (FieldName f : ReviewService::readFields(*record).toConfirm(1.01))
      checked.emplace(std::string(fieldKey(f)), ReviewService::readFields(*record).value(f));
    approve(review, id, checked);
    DispensingService dispensing(*a.wang);
    RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kPrepare));
    RX_ASSERT_OK(dispensing.scanPackage(id, "84000010000000000001"));
    RX_ASSERT_OK(dispensing.recordStep(id, data::DispenseStep::kCheck));
    RX_ASSERT_OK(dispensing.handOut(id, /*partial=*/true));
  }
  // An e-prescription handed out at A with the box kCode.
  const std::string usedErx = erxFile("RX-CHAIN-0001");
  {
    auto parsed = parseEPrescription(*data::readWholeFile(usedErx), "rx.json");
    ASSERT_TRUE(test::isOk(parsed));
    const std::int64_t id = readyToHandOut(a, *parsed, kCode);
    ASSERT_NE(id, 0);
    RX_ASSERT_OK(DispensingService(*a.wang).handOut(id, true));
  }

  // B: the same paper photographed again -> a reuse naming A, through the same rules as a local
  // one: certain when OCR at B read the number and the hospital as A confirmed them; with the
  // hospital misread (this photo) the same number still blocks it as a suspected reuse.
  auto again = cli(b, {"intake", dir_.file("again.jpg"), "--json"});
  ASSERT_EQ(again.exitCode, 0) << again.err;
  auto doc = json::parse(again.out);
  EXPECT_NE(doc["verdict"], "new") << again.out;
  EXPECT_EQ(doc["matches"][0]["signals"]["number"], "same") << again.out;
  ASSERT_FALSE(doc["matches"].empty()) << again.out;
  EXPECT_EQ(doc["matches"][0]["store"], "a");
  EXPECT_EQ(doc["matches"][0]["store_name"], "仁心大药房南山店");
  EXPECT_EQ(doc["matches"][0]["used"], true);
  EXPECT_NE(doc["matches"][0]["state"].get<std::string>().find("handed out at 仁心大药房南山店"),
            std::string::npos)
      << again.out;

  // B: the e-prescription handed out at A -> reuse-certain, and approval refused.
  auto erxAtB = cli(b, {"intake", usedErx, "--json"});
  ASSERT_EQ(erxAtB.exitCode, 0) << erxAtB.err;
  auto erxDoc = json::parse(erxAtB.out);
  EXPECT_EQ(erxDoc["verdict"], "reuse-certain") << erxAtB.out;
  EXPECT_EQ(erxDoc["matches"][0]["store"], "a");
  const std::string idAtB = std::to_string(erxDoc["record"].get<int>());
  auto approveAtB = cli(
      b, {"review", idAtB, "--approve", "--buyer-confirmed", "--patient-id", "110101198005010011"});
  EXPECT_EQ(approveAtB.exitCode, 10) << approveAtB.err;
  EXPECT_NE(approveAtB.err.find("仁心大药房南山店"), std::string::npos) << approveAtB.err;

  // C: another prescription, approved; the box sold at A is refused when scanned.
  auto otherAtC = cli(c, {"intake", erxFile("RX-CHAIN-0002"), "--json"});
  ASSERT_EQ(otherAtC.exitCode, 0) << otherAtC.err;
  EXPECT_EQ(json::parse(otherAtC.out)["verdict"], "new") << otherAtC.out;
  const std::string idAtC = std::to_string(json::parse(otherAtC.out)["record"].get<int>());
  auto approved = cli(
      c, {"review", idAtC, "--approve", "--buyer-confirmed", "--patient-id", "110101198005010011"});
  ASSERT_EQ(approved.exitCode, 0) << approved.err;
  auto boxAtC = cli(c, {"dispense", idAtC, "--code", kCode});
  EXPECT_EQ(boxAtC.exitCode, 10) << boxAtC.err;
  EXPECT_NE(boxAtC.err.find("was handed out at 仁心大药房南山店"), std::string::npos) << boxAtC.err;

  auto status = cli(c, {"chain", "status", "--json"});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  auto st = json::parse(status.out);
  EXPECT_EQ(st["online"], true);
  EXPECT_EQ(st["waiting"], 0);
  EXPECT_EQ(st["store"], "c");
}

// The issue's race: A and B hand out the same e-prescription (and the same box) at the same
// moment, 100 rounds: exactly one of them succeeds each round, the other is told where it went.
// Both got the prescription before either could know of the other's (prepared while the registry
// was away, then both exchanged).
TEST_F(ChainTest, TwoStoresHandingOutTheSamePrescriptionAtOnceOneWinsEachRound) {
  Counter& a = store("a");
  Counter& b = store("b");
  ASSERT_TRUE(a.wang && b.wang);
  constexpr int kRounds = 100;
  ASSERT_TRUE(registry_->stop());
  // Per round: the same prescription at both stores, each with a box of its own; then two
  // prescriptions of their own sharing one box.
  std::vector<std::pair<std::int64_t, std::int64_t>> sameRx, sameBox;
  for (int round = 0; round < kRounds; ++round) {
    const std::string number = "RX-RACE-" + std::to_string(round);
    sameRx.emplace_back(
        readyToHandOut(a, number, "8123456" + std::to_string(1000000000000 + 2 * round)),
        readyToHandOut(b, number, "8123456" + std::to_string(1000000000000 + 2 * round + 1)));
    const std::string box = "8123456" + std::to_string(5000000000000 + round);
    sameBox.emplace_back(readyToHandOut(a, "RX-BOX-A-" + std::to_string(round), box),
                         readyToHandOut(b, "RX-BOX-B-" + std::to_string(round), box));
    ASSERT_TRUE(sameRx.back().first && sameRx.back().second && sameBox.back().first &&
                sameBox.back().second);
  }
  ASSERT_TRUE(registry_->start());
  RX_ASSERT_OK(ChainService(*a.wang).exchange());
  RX_ASSERT_OK(ChainService(*b.wang).exchange());

  auto race = [&](std::int64_t atA, std::int64_t atB) {
    std::barrier start(2);
    Status ra, rb;
    std::thread ta([&] {
      start.arrive_and_wait();
      ra = DispensingService(*a.wang).handOut(atA, true);
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      rb = DispensingService(*b.wang).handOut(atB, true);
    });
    ta.join();
    tb.join();
    return std::pair{ra, rb};
  };
  int aWon = 0, bWon = 0;
  for (const auto& [what, pairs] : {std::pair{"prescription", &sameRx}, std::pair{"box", &sameBox}})
    for (std::size_t round = 0; round < pairs->size(); ++round) {
      auto [ra, rb] = race((*pairs)[round].first, (*pairs)[round].second);
      ASSERT_NE(ra.isOk(), rb.isOk())
          << what << " round " << round << ": " << ra.message() << " / " << rb.message();
      const Status& lost = ra ? rb : ra;
      EXPECT_EQ(lost.code(), ErrorCode::kAlreadyExists) << lost.message();
      EXPECT_NE(lost.message().find(ra ? "仁心大药房南山店" : "仁心大药房福田店"),
                std::string::npos)
          << lost.message();
      (ra ? aWon : bWon) += 1;
    }
  EXPECT_EQ(aWon + bWon, 2 * kRounds);
  EXPECT_EQ(registryCount("claims WHERE kind = 'prescription'"), 2 * kRounds)
      << "one per shared prescription, and the box rounds' winners' (a refused hand-out claims "
         "nothing)";
  EXPECT_EQ(registryCount("claims WHERE kind = 'package'"), 2 * kRounds)
      << "the shared prescriptions' winners' boxes and one per shared box";
  EXPECT_EQ(registryCount("alerts"), 0) << "claims made online never meet later";
}

// The issue's partition: the registry stops in the middle of a run of intakes and hand-outs at two
// stores, then comes back. The stores keep working; their outboxes drain; every row reaches the
// registry once; the prescription both handed out while apart raises one alert at each store.
TEST_F(ChainTest, StoresWorkOnWhileTheRegistryIsAwayAndCatchUpWhenItIsBack) {
  Counter& a = store("a");
  Counter& b = store("b");
  ASSERT_TRUE(a.wang && b.wang);
  DispensingService atA(*a.wang), atB(*b.wang);
  int serial = 0;
  auto box = [&] { return "8123456" + std::to_string(7000000000000 + ++serial); };
  // Online: one hand-out at each store.
  RX_ASSERT_OK(atA.handOut(readyToHandOut(a, "RX-P-A0", box()), true));
  RX_ASSERT_OK(atB.handOut(readyToHandOut(b, "RX-P-B0", box()), true));
  EXPECT_FALSE(atA.lastWarning());

  ASSERT_TRUE(registry_->stop());
  for (int i = 1; i <= 5; ++i) {
    RX_ASSERT_OK(atA.handOut(readyToHandOut(a, "RX-P-A" + std::to_string(i), box()), true));
    ASSERT_TRUE(atA.lastWarning()) << "an offline hand-out says so";
    EXPECT_NE(atA.lastWarning()->find("cannot be reached"), std::string::npos);
    RX_ASSERT_OK(atB.handOut(readyToHandOut(b, "RX-P-B" + std::to_string(i), box()), true));
  }
  // The same prescription handed out at both while apart.
  RX_ASSERT_OK(atA.handOut(readyToHandOut(a, "RX-APART", box()), true));
  RX_ASSERT_OK(atB.handOut(readyToHandOut(b, "RX-APART", box()), true));
  auto offline = ChainService(*a.wang).status(true);
  RX_ASSERT_OK(offline);
  EXPECT_FALSE(offline->online);
  EXPECT_GE(offline->waiting, 12) << "6 presentations and their claims wait";
  EXPECT_TRUE(offline->lastError.has_value());

  ASSERT_TRUE(registry_->start());
  RX_ASSERT_OK(ChainService(*a.wang).exchange());
  RX_ASSERT_OK(ChainService(*b.wang).exchange());
  RX_ASSERT_OK(ChainService(*a.wang).exchange());  // A learns of the alert B's claim raised
  for (Counter* c : {&a, &b}) {
    auto st = ChainService(*c->wang).status(false);
    RX_ASSERT_OK(st);
    EXPECT_EQ(st->waiting, 0) << c->code;
    EXPECT_TRUE(st->online) << c->code;
    auto alerts = ChainService(*c->wang).alerts();
    RX_ASSERT_OK(alerts);
    ASSERT_EQ(alerts->size(), 1u) << c->code;
    EXPECT_EQ(alerts->at(0).kind, "prescription");
    EXPECT_EQ(alerts->at(0).firstStore, "a");
    EXPECT_EQ(alerts->at(0).secondStore, "b");
    auto audit = data::AuditLog(c->wang->store().connection()).entries(1, 1000000);
    RX_ASSERT_OK(audit);
    EXPECT_EQ(std::count_if(audit->begin(), audit->end(),
                            [](const auto& e) { return e.event == "chain.alert"; }),
              1)
        << c->code;
  }
  // Every presentation and claim once: 7 presentations and 7 boxes per store; 13 prescriptions
  // (RX-APART claimed by A only; B's claim became the alert).
  EXPECT_EQ(registryCount("presentations"), 14);
  EXPECT_EQ(registryCount("presentations WHERE state = 'handed-out'"), 14)
      << registry_->sql("SELECT store, local_id, state FROM presentations ORDER BY 1, 2").out;
  EXPECT_EQ(registryCount("claims WHERE kind = 'package'"), 14);
  EXPECT_EQ(registryCount("claims WHERE kind = 'prescription'"), 13);
  EXPECT_EQ(registryCount("alerts"), 1);
  // Exchanging again sends nothing twice.
  RX_ASSERT_OK(ChainService(*b.wang).exchange());
  EXPECT_EQ(registryCount("presentations"), 14);
  EXPECT_EQ(registryCount("alerts"), 1);

  // A registry restarted while the counter was idle: the next hand-out reconnects and claims
  // online, not offline.
  ASSERT_TRUE(registry_->stop());
  ASSERT_TRUE(registry_->start());
  RX_ASSERT_OK(atA.handOut(readyToHandOut(a, "RX-AFTER-RESTART", box()), true));
  EXPECT_FALSE(atA.lastWarning()) << *atA.lastWarning();
  EXPECT_EQ(registryCount("claims WHERE kind = 'prescription'"), 14);
}

// A hand-out whose local transaction fails after its claims were made gives them back: the
// prescription and the box stay free for this store (and any other) to hand out.
TEST_F(ChainTest, AHandOutThatDoesNotCommitGivesItsClaimsBack) {
  Counter& a = store("a");
  ASSERT_TRUE(a.wang);
  const std::int64_t id = readyToHandOut(a, "RX-NOT-COMMITTED", kCode);
  auto& conn = a.wang->store().connection();
  RX_ASSERT_OK(
      conn.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON audit_log "
                "WHEN NEW.event = 'dispense.hand_out' "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"));
  Status refused = DispensingService(*a.wang).handOut(id, true);
  EXPECT_FALSE(refused.isOk());
  EXPECT_EQ(registryCount("claims"), 0) << "the claims were given back";
  RX_ASSERT_OK(conn.exec("DROP TRIGGER refuse"));
  RX_ASSERT_OK(DispensingService(*a.wang).handOut(id, true));
  EXPECT_EQ(registryCount("claims"), 2);
}

// A store killed (SIGKILL) while it sends its outbox loses nothing and sends nothing twice.
TEST_F(ChainTest, AStoreKilledWhileSendingItsOutboxLosesNothingAndSendsNothingTwice) {
  Counter& a = store("a");
  ASSERT_TRUE(a.wang);
  ASSERT_TRUE(registry_->stop());
  constexpr int kPresented = 600;
  {
    ReviewService review(*a.wang);
    IntakeService intake(review);
    const EPrescription base = erx("RX-KILL-0");
    for (int i = 0; i < kPresented; ++i) {
      EPrescription e = base;
      e.rxNumber = "RX-KILL-" + std::to_string(i);  // each its own (not re-signed: unverified)
      ASSERT_TRUE(test::isOk(intake.presentElectronic(e, "rx.json")));
    }
  }
  ASSERT_TRUE(registry_->start());
  // rxdesk-cli chain sync in its own process, killed as soon as the registry has some of it.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("RXDESK_USER", "wang", 1);
    ::setenv("RXDESK_PASSWORD", "w", 1);
    ::execl(RXDESK_CLI_PATH, RXDESK_CLI_PATH, "--db", a.path.c_str(), "chain", "sync",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::int64_t atKill = 0;
  for (int i = 0; i < 2000 && atKill == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    atKill = registryCount("presentations");
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status))
      << "chain sync ended before it was killed; exit " << WEXITSTATUS(status);
  const std::int64_t sentBeforeKill = registryCount("presentations");
  EXPECT_GT(sentBeforeKill, 0);
  EXPECT_LT(sentBeforeKill, kPresented) << "killed in the middle";

  // The rest is sent by two programs at once (the window and an admin at the CLI): nothing twice.
  std::thread cliSync([&] { EXPECT_EQ(cli(a, {"chain", "sync"}).exitCode, 0); });
  RX_ASSERT_OK(ChainService(*a.wang).exchange());
  cliSync.join();
  EXPECT_EQ(registryCount("presentations"), kPresented);
  EXPECT_EQ(registryCount("(SELECT DISTINCT store, local_id FROM presentations) AS x"), kPresented);
  auto st = ChainService(*a.wang).status(false);
  RX_ASSERT_OK(st);
  EXPECT_EQ(st->waiting, 0);
}

// Security: a store's role cannot delete or change another store's rows; a client without a valid
// certificate is refused; a dump of the registry holds no patient name, number or image.
TEST_F(ChainTest, AStoreCannotTouchAnotherStoresRowsAndTheRegistryHoldsNoPatientData) {
  Counter& a = store("a");
  Counter& b = store("b");
  ASSERT_TRUE(a.wang && b.wang);
  RX_ASSERT_OK(
      DispensingService(*b.wang).handOut(readyToHandOut(b, "RX-SECRET-0001", kCode), true));
  {
    ReviewService review(*a.wang);
    ocr::ExtractedFields f;
    f.fields["rx_number"] = {"HOSP-778899", 0.95f, {}, {}};
    f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}, {}};
    f.fields["date"] = {beijingToday(), 0.95f, {}, {}};
    f.fields["patient_name"] = {"欧阳娜娜", 0.95f, {}, {}};
    cv::Mat page(1400, 1000, CV_8UC1, cv::Scalar(235));
    cv::putText(page, "HOSP-778899", {100, 300}, cv::FONT_HERSHEY_SIMPLEX, 2, cv::Scalar(20), 4);
    RX_ASSERT_OK(IntakeService(review).presentPaper(f, "photo.jpg", page));
  }
  const std::int64_t bRows = registryCount("presentations WHERE store = 'b'");
  const std::int64_t bClaims = registryCount("claims WHERE store = 'b'");
  ASSERT_EQ(bRows, 1);
  ASSERT_EQ(bClaims, 2);

  auto del = registry_->sqlAs("a", "DELETE FROM claims WHERE store = 'b'");
  EXPECT_EQ(del.exitCode, 0) << del.err;  // row-level security: none of them is visible to delete
  auto upd =
      registry_->sqlAs("a", "UPDATE presentations SET state = 'presented' WHERE store = 'b'");
  EXPECT_EQ(upd.exitCode, 0) << upd.err;
  auto delRows = registry_->sqlAs("a", "DELETE FROM presentations WHERE store = 'b'");
  EXPECT_NE(delRows.exitCode, 0);
  EXPECT_NE(delRows.err.find("permission denied"), std::string::npos) << delRows.err;
  auto forged =
      registry_->sqlAs("a",
                       "INSERT INTO claims(key, kind, store, local_id, claimed_at) VALUES ("
                       "decode(repeat('ab', 32), 'hex'), 'package', 'b', 1, now())");
  EXPECT_NE(forged.exitCode, 0);
  EXPECT_NE(forged.err.find("row-level security"), std::string::npos) << forged.err;
  auto sneak = registry_->sqlAs("a", "UPDATE presentations SET store = 'a' WHERE store = 'b'");
  EXPECT_EQ(registryCount("presentations WHERE store = 'b'"), bRows) << sneak.err;
  EXPECT_EQ(registryCount("presentations WHERE store = 'b' AND state = 'handed-out'"), bRows);
  EXPECT_EQ(registryCount("claims WHERE store = 'b'"), bClaims);

  // Another store's certificate, and none, are refused.
  auto wrongCert = registry_->sqlAs("a", "SELECT 1", "b");
  EXPECT_NE(wrongCert.exitCode, 0);
  EXPECT_NE(wrongCert.err.find("certificate authentication failed"), std::string::npos)
      << wrongCert.err;
  auto noCert = test::runProcess(
      {"/usr/bin/psql", "-X", "-tA",
       "host=localhost port=" + std::to_string(registry_->port()) +
           " dbname=rxdesk_registry user=a sslmode=verify-full sslrootcert=" + registry_->ca() +
           " sslcert=/nonexistent sslkey=/nonexistent",
       "-c", "SELECT 1"});
  EXPECT_NE(noCert.exitCode, 0);
  auto plain = test::runProcess({"/usr/bin/psql", "-X", "-tA",
                                 "host=localhost port=" + std::to_string(registry_->port()) +
                                     " dbname=rxdesk_registry user=a sslmode=disable",
                                 "-c", "SELECT 1"});
  EXPECT_NE(plain.exitCode, 0);
  EXPECT_NE(plain.err.find("rejects connection"), std::string::npos) << plain.err;

  const std::string dump = registry_->dump();
  ASSERT_NE(dump.find("COPY public.presentations"), std::string::npos) << "a real dump";
  for (const char* clear : {"张三", "欧阳娜娜", "RX-SECRET-0001", "HOSP-778899",
                            "110101198005010011", "北京市朝阳区第三人民医院", "JFIF", "\\xffd8ff"})
    EXPECT_EQ(dump.find(clear), std::string::npos) << clear << " is in the registry's dump";
}

// Issue 25: a pharmacist holding the database key rewrites the audit log and re-signs its
// checkpoints; the store's own checks pass, the heads its exchanges left in the registry do not.
// The store cannot change or delete those heads, nor add another store's.
TEST_F(ChainTest, AnAuditLogRewrittenInsideTheStoreIsCaughtByTheHeadsKeptInTheRegistry) {
  Counter& a = store("a");
  store("b");
  ASSERT_TRUE(a.wang);
  RX_ASSERT_OK(DispensingService(*a.wang).handOut(readyToHandOut(a, "RX-AUDIT-0001", kCode), true));
  auto synced = ChainService(*a.wang).exchange();
  RX_ASSERT_OK(synced);
  EXPECT_FALSE(synced->auditProblem);
  const std::int64_t heads = registryCount("audit_anchors WHERE store = 'a'");
  EXPECT_GE(heads, 2) << "the join and the hand-out's exchange each sent the newest head";

  auto change = registry_->sqlAs("a", "UPDATE audit_anchors SET head = sha256(head)");
  EXPECT_NE(change.exitCode, 0);
  EXPECT_NE(change.err.find("permission denied"), std::string::npos) << change.err;
  auto remove = registry_->sqlAs("a", "DELETE FROM audit_anchors");
  EXPECT_NE(remove.exitCode, 0);
  EXPECT_NE(remove.err.find("permission denied"), std::string::npos) << remove.err;
  auto forged = registry_->sqlAs("a",
                                 "INSERT INTO audit_anchors(store, seq, head) VALUES "
                                 "('b', 999, decode(repeat('ab', 32), 'hex'))");
  EXPECT_NE(forged.exitCode, 0);
  EXPECT_NE(forged.err.find("permission denied"), std::string::npos) << forged.err;
  ASSERT_GT(registryCount("audit_anchors WHERE store = 'b'"), 0) << "b's join sent its head";
  auto peek = registry_->sqlAs("a", "SELECT count(*) FROM audit_anchors WHERE store = 'b'");
  EXPECT_EQ(peek.out, "0\n") << "a store reads only its own heads";
  EXPECT_EQ(registryCount("audit_anchors WHERE store = 'a'"), heads);

  // The rewrite, with the pharmacist's own login.
  RX_ASSERT_OK(test::rewriteAuditLogAsAnInsider(a.wang->store().connection()));
  // The next exchange tells: the registry keeps another head for an entry it was sent.
  auto after = ChainService(*a.wang).exchange();
  RX_ASSERT_OK(after);
  ASSERT_TRUE(after->auditProblem);
  EXPECT_NE(after->auditProblem->find("rewritten"), std::string::npos) << *after->auditProblem;
  auto status = ChainService(*a.wang).status(false);
  RX_ASSERT_OK(status);
  EXPECT_EQ(status->lastError, after->auditProblem);
  a.wang.reset();
  auto sync = cli(a, {"chain", "sync", "--json"});
  ASSERT_EQ(sync.exitCode, 8) << sync.err;
  EXPECT_NE(json::parse(sync.out)["audit_problem"].get<std::string>().find("rewritten"),
            std::string::npos)
      << sync.out;

  // The supervisor's check names the first entry that no longer matches a kept head; without the
  // registry (no backup was made) the log would look intact.
  auto verify = cli(a, {"audit", "verify", "--json"}, "zhou", "z");
  EXPECT_EQ(verify.exitCode, 8) << verify.out << verify.err;  // damaged
  auto doc = json::parse(verify.out);
  EXPECT_EQ(doc["intact"], false);
  EXPECT_GE(doc["registry_anchors"].get<int>(), 2);
  // Entry 1 was rewritten: the first head kept after it is the first that differs.
  auto first = registry_->sql("SELECT min(seq) FROM audit_anchors WHERE store = 'a'");
  EXPECT_EQ(doc["problem"]["seq"], std::atoll(first.out.c_str()));
  EXPECT_NE(verify.err.find("chain registry"), std::string::npos) << verify.err;
}

// The office seals the chain key to a store's request file; a request or key file damaged or
// of another kind is refused with the file named, whatever type its members have.
TEST(ChainOffice, AMalformedRequestOrKeyIsRefusedNamingTheFile) {
  test::TempDir dir;
  RX_ASSERT_OK(makeChainKey(dir.file("chain.key")));
  const std::string request = dir.file("a.request");
  const std::string key32(64, 'a');
  for (const std::string& text :
       {std::string(R"({"format":1,"store":"a","public_key":")") + key32 + "\"}",
        std::string(R"({"format":"rxdesk-chain-request-1","store":["a"],"public_key":")") + key32 +
            "\"}",
        std::string("not json")}) {
    std::ofstream(request, std::ios::trunc) << text;
    Status s = sealChainKey(dir.file("chain.key"), request, dir.file("a.sealed"));
    EXPECT_FALSE(s) << text;
    EXPECT_NE(s.message().find(request), std::string::npos) << s.message();
    EXPECT_FALSE(std::filesystem::exists(dir.file("a.sealed")));
  }
  std::ofstream(dir.file("chain.key"), std::ios::trunc) << R"({"format":[],"key":"00"})";
  std::ofstream(request, std::ios::trunc)
      << R"({"format":"rxdesk-chain-request-1","store":"a","public_key":")" << key32 << "\"}";
  Status s = sealChainKey(dir.file("chain.key"), request, dir.file("a.sealed"));
  EXPECT_EQ(s.code(), ErrorCode::kCorrupt);
  EXPECT_NE(s.message().find("chain.key"), std::string::npos) << s.message();
}

// Which heads the registry keeps still count after restores: a head sent before a restore counts
// only when it is of an entry up to the restored backup's last one.
TEST(RegistryHeads, HeadsOfTheLogARestoreReplacedAreSetAsideAndEarlierOnesKept) {
  using registry::AuditHead;
  using registry::AuditRestore;
  const std::vector<AuditHead> heads = {{10, "h10", "", 0}, {12, "h12", "", 0},
                                        {15, "h15", "", 0},                      // before restore 1
                                        {14, "n14", "", 1}, {20, "n20", "", 1},  // after it
                                        {9, "m9", "", 2}};                       // after restore 2
  // Restore 1: a backup whose last entry was 11, restored at entry 13; restore 2: a backup whose
  // last entry was 8 (from before restore 1), restored at entry 9.
  const std::vector<AuditRestore> one = {{1, 11, 13, "r1", "", ""}};
  auto hashes = [](const std::vector<AuditHead>& hs) {
    std::vector<std::string> out;
    for (const auto& h : hs) out.push_back(h.hash);
    return out;
  };
  EXPECT_EQ(hashes(registry::headsOfTheCurrentLog(heads, {})),
            (std::vector<std::string>{"m9", "h10", "h12", "n14", "h15", "n20"}));
  EXPECT_EQ(hashes(registry::headsOfTheCurrentLog(
                {heads[0], heads[1], heads[2], heads[3], heads[4]}, one)),
            (std::vector<std::string>{"h10", "n14", "n20"}))
      << "12 and 15 were sent of the replaced log (the backup ended at 11)";
  const std::vector<AuditRestore> two = {{1, 11, 13, "r1", "", ""}, {2, 8, 9, "r2", "", ""}};
  EXPECT_EQ(hashes(registry::headsOfTheCurrentLog(heads, two)), (std::vector<std::string>{"m9"}));
}

// A store's local copy keeps the chain's presentations of the last chain.copy_days (30) days. An
// older one at another store is still caught while the registry is there: the intake asks the
// registry for the presentations that share its number (or patient and date).
TEST_F(ChainTest, APresentationOlderThanTheLocalCopyIsFoundThroughTheRegistry) {
  Counter& a = store("a");
  ASSERT_TRUE(a.wang);
  const std::string usedErx = erxFile("RX-OLD-0001");
  {
    ReviewService review(*a.wang);
    auto parsed = parseEPrescription(*data::readWholeFile(usedErx), "rx.json");
    ASSERT_TRUE(test::isOk(parsed));
    ASSERT_TRUE(test::isOk(IntakeService(review).presentElectronic(*parsed, "rx.json")));
  }
  ASSERT_EQ(registryCount("presentations WHERE store = 'a'"), 1);
  // As if presented 60 days ago: before what any store's local copy keeps.
  ASSERT_EQ(registry_
                ->sql("UPDATE presentations SET presented_at = presented_at - interval '60 days' "
                      "WHERE store = 'a'")
                .exitCode,
            0);
  Counter& b = store("b");  // joins now, so its copy starts 30 days back
  ASSERT_TRUE(b.wang);
  const auto copied = [&] {
    auto st = b.wang->store().connection().prepare("SELECT count(*) FROM chain_presentations");
    EXPECT_TRUE(test::isOk(st));
    EXPECT_TRUE(test::isOk(st->step()));
    return st->columnInt(0);
  };
  EXPECT_EQ(copied(), 0) << "the local copy does not have it";
  b.wang.reset();
  auto atB = cli(b, {"intake", usedErx, "--json"});
  ASSERT_EQ(atB.exitCode, 0) << atB.err;
  auto doc = json::parse(atB.out);
  EXPECT_NE(doc["verdict"], "new") << atB.out;
  ASSERT_FALSE(doc["matches"].empty()) << atB.out;
  EXPECT_EQ(doc["matches"][0]["store"], "a") << atB.out;
  EXPECT_EQ(doc["matches"][0]["signals"]["number"], "same") << atB.out;
}

// A backup made before the store joined its chain, restored later: before, the restored store had
// silently left the chain (its membership and the chain key were not in the backup). It stays in
// the chain now, its history is queued again, and what another store handed out is refused.
TEST_F(ChainTest, ABackupFromBeforeJoiningRestoredKeepsTheStoreInTheChain) {
  Counter& a = store("a");
  Counter& c = store("c", [&](Counter& alone) {
    auto backup = cli(alone, {"backup", "--out", dir_.file("c-before.rxbak")}, "zhou", "z");
    ASSERT_EQ(backup.exitCode, 0) << backup.err;
  });
  ASSERT_TRUE(a.wang && c.wang);
  const std::string usedErx = erxFile("RX-KEPT-0001");
  {
    auto parsed = parseEPrescription(*data::readWholeFile(usedErx), "rx.json");
    ASSERT_TRUE(test::isOk(parsed));
    const std::int64_t id = readyToHandOut(a, *parsed, kCode);
    ASSERT_NE(id, 0);
    RX_ASSERT_OK(DispensingService(*a.wang).handOut(id, true));
  }
  c.wang.reset();
  auto restore = cli(c, {"restore", dir_.file("c-before.rxbak"), "--json"}, "admin", "pw");
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_EQ(json::parse(restore.out)["kept_in_chain"], true) << restore.out;
  auto status = cli(c, {"chain", "status", "--json"});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  EXPECT_EQ(json::parse(status.out)["joined"], true) << status.out;
  EXPECT_EQ(json::parse(status.out)["store"], "c") << status.out;
  auto atC = cli(c, {"intake", usedErx, "--json"});
  ASSERT_EQ(atC.exitCode, 0) << atC.err;
  auto doc = json::parse(atC.out);
  EXPECT_EQ(doc["verdict"], "reuse-certain") << atC.out;
  ASSERT_FALSE(doc["matches"].empty()) << atC.out;
  EXPECT_EQ(doc["matches"][0]["store"], "a") << atC.out;
  // Restored once more (from the restored store, which has joined), it stays in the chain again.
  auto again = cli(c, {"restore", dir_.file("c-before.rxbak"), "--json"}, "admin", "pw");
  ASSERT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["kept_in_chain"], true) << again.out;
  auto still = cli(c, {"chain", "status", "--json"});
  EXPECT_EQ(json::parse(still.out)["joined"], true) << still.out;
}

// Issue 25: a store of the chain restored from a backup goes on from the backup's entries, so the
// heads it sent after the backup are of a log that no longer exists. The next exchange records the
// restore in the registry; those heads are set aside (counted, not checked), and neither the
// exchanges nor the supervisor's check call the restore a rewrite. A rewrite of an entry from
// before the backup is still caught.
TEST_F(ChainTest, ARestoreIsRecordedInTheRegistryAndNotTakenForARewrite) {
  Counter& a = store("a");
  ASSERT_TRUE(a.wang);
  a.wang.reset();
  auto backup = cli(a, {"backup", "--out", dir_.file("a.rxbak")}, "zhou", "z");
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  // Work after the backup, its heads sent to the registry: the first right away (the head is then
  // the backup's own audit entry, which the restored log does not have).
  ASSERT_EQ(cli(a, {"chain", "sync", "--json"}).exitCode, 0);
  ASSERT_EQ(cli(a, {"intake", erxFile("RX-RESTORE-0001"), "--json"}).exitCode, 0);
  auto sync = cli(a, {"chain", "sync", "--json"});
  ASSERT_EQ(sync.exitCode, 0) << sync.err;
  const std::int64_t headsBefore = registryCount("audit_anchors WHERE store = 'a'");

  auto restore = cli(a, {"restore", dir_.file("a.rxbak")}, "admin", "pw");
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  auto after = cli(a, {"chain", "sync", "--json"});
  EXPECT_EQ(after.exitCode, 0) << after.out << after.err;
  EXPECT_TRUE(json::parse(after.out)["audit_problem"].is_null()) << after.out;
  EXPECT_EQ(registryCount("audit_restores WHERE store = 'a'"), 1);
  EXPECT_GT(registryCount("audit_anchors WHERE store = 'a'"), headsBefore)
      << "the restored log's head was kept beside the replaced log's";
  // Sent again, the same restore is not recorded twice.
  ASSERT_EQ(cli(a, {"chain", "sync", "--json"}).exitCode, 0);
  EXPECT_EQ(registryCount("audit_restores WHERE store = 'a'"), 1);
  auto peek = registry_->sqlAs("b", "SELECT count(*) FROM audit_restores WHERE store = 'a'");
  EXPECT_EQ(peek.out, "0\n") << "a store reads only its own restores";
  auto forged = registry_->sqlAs("a", "DELETE FROM audit_restores");
  EXPECT_NE(forged.err.find("permission denied"), std::string::npos) << forged.err;

  auto verify = cli(a, {"audit", "verify", "--json"}, "zhou", "z");
  ASSERT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  auto doc = json::parse(verify.out);
  ASSERT_EQ(doc["registry_restores"].size(), 1u) << verify.out;
  EXPECT_GE(doc["registry_replaced_heads"].get<int>(), 2) << verify.out;
  // Said to the supervisor with the registry's own time, for them to confirm it was a restore.
  EXPECT_NE(verify.err.find("received by the registry"), std::string::npos) << verify.err;

  // Restored or not, an entry from before the backup rewritten inside the store is caught.
  {
    auto wang = Session::login(a.path, "wang", "w", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    RX_ASSERT_OK(test::rewriteAuditLogAsAnInsider((*wang)->store().connection()));
  }
  auto rewritten = cli(a, {"chain", "sync", "--json"});
  EXPECT_EQ(rewritten.exitCode, 8) << rewritten.out << rewritten.err;
  auto caught = cli(a, {"audit", "verify", "--json"}, "zhou", "z");
  EXPECT_EQ(caught.exitCode, 8) << caught.out << caught.err;

  // Which registry the store belongs to is kept in the store. Made to look as if it never joined
  // (so that no registry head would be checked), the backup made while it belonged says so.
  {
    auto wang = Session::login(a.path, "wang", "w", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    RX_ASSERT_OK(
        (*wang)->store().connection().exec("UPDATE chain_membership SET joined_at = NULL"));
  }
  auto unjoined =
      cli(a, {"audit", "verify", "--anchor", dir_.file("a.rxbak"), "--json"}, "zhou", "z");
  EXPECT_EQ(unjoined.exitCode, 8) << unjoined.out << unjoined.err;
  EXPECT_NE(unjoined.err.find("chain membership was changed outside rxdesk"), std::string::npos)
      << unjoined.err;
}

// A registry upgraded to a schema this rxdesk does not know (or not yet upgraded for it): the store
// works on offline, says why in the chain status, and the supervisor's audit check still runs.
TEST_F(ChainTest, ARegistryOfAnotherSchemaVersionLeavesTheCounterWorkingOffline) {
  Counter& a = store("a");
  ASSERT_TRUE(a.wang);
  const std::int64_t id = readyToHandOut(a, "RX-SCHEMA-0001", kCode);
  ASSERT_NE(id, 0);
  a.wang.reset();
  ASSERT_EQ(registry_->sql("INSERT INTO registry_migrations(version, name) VALUES (99, 'later')")
                .exitCode,
            0);
  // Each rxdesk-cli connects afresh and meets the new schema.
  auto handOut = cli(a, {"dispense", std::to_string(id), "--partial", "--json"});
  ASSERT_EQ(handOut.exitCode, 0) << handOut.err;
  EXPECT_NE(handOut.err.find("registry"), std::string::npos) << "handed out offline, and said so";
  auto intake = cli(a, {"intake", erxFile("RX-SCHEMA-0002"), "--json"});
  ASSERT_EQ(intake.exitCode, 0) << intake.err;
  EXPECT_EQ(json::parse(intake.out)["verdict"], "new");
  auto status = cli(a, {"chain", "status", "--json"});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  EXPECT_NE(json::parse(status.out)["last_error"].get<std::string>().find("schema version 99"),
            std::string::npos)
      << status.out;
  auto verify = cli(a, {"audit", "verify", "--json"}, "zhou", "z");
  EXPECT_EQ(verify.exitCode, 0) << verify.err;
  EXPECT_EQ(json::parse(verify.out)["registry_checked"], false) << verify.out;
  EXPECT_NE(verify.err.find("could not be reached"), std::string::npos) << verify.err;
}

// A store that worked alone for a while joins: its fingerprints are made again with the chain key
// and its past hand-outs are claimed, so the other stores catch them too.
TEST_F(ChainTest, AStoreJoiningLaterBringsItsHistory) {
  std::int64_t before = 0;
  Counter& c = store("c", [&](Counter& alone) {
    before = readyToHandOut(alone, "RX-HISTORY", "81234560000099990001");
    RX_ASSERT_OK(DispensingService(*alone.wang).handOut(before, true));
    // Its own index knows it, keyed with the store's own key.
    ReviewService review(*alone.wang);
    auto again = IntakeService(review).presentElectronic(erx("RX-HISTORY"), "rx.json");
    RX_ASSERT_OK(again);
    EXPECT_EQ(again->finding.verdict, dedup::Verdict::kCertain);
  });
  Counter& b = store("b");
  ASSERT_TRUE(c.wang && b.wang);
  EXPECT_EQ(registryCount("presentations WHERE store = 'c'"), 2);
  EXPECT_EQ(registryCount("claims WHERE store = 'c'"), 2) << "the prescription and its box";

  ReviewService atB(*b.wang);
  auto presented = IntakeService(atB).presentElectronic(erx("RX-HISTORY"), "rx.json");
  RX_ASSERT_OK(presented);
  EXPECT_EQ(presented->finding.verdict, dedup::Verdict::kCertain) << presented->finding.toJson();
  auto handedOutAtC = [&](const ReuseMatchInfo& m) {
    return m.store == "c" && m.storeRecord == before && m.used;
  };
  EXPECT_TRUE(std::any_of(presented->finding.matches.begin(), presented->finding.matches.end(),
                          handedOutAtC))
      << presented->finding.toJson();
  // C itself still catches its own history after the key changed (and B's presentation now).
  ReviewService atC(*c.wang);
  auto ownAgain = IntakeService(atC).presentElectronic(erx("RX-HISTORY"), "rx.json");
  RX_ASSERT_OK(ownAgain);
  EXPECT_EQ(ownAgain->finding.verdict, dedup::Verdict::kCertain) << ownAgain->finding.toJson();
  EXPECT_TRUE(
      std::any_of(ownAgain->finding.matches.begin(), ownAgain->finding.matches.end(),
                  [&](const ReuseMatchInfo& m) { return m.store.empty() && m.record == before; }))
      << ownAgain->finding.toJson();
  // The box C sold before it joined is refused at B.
  const std::int64_t other = readyToHandOut(b, "RX-OTHER", "81234560000099990002");
  auto box = DispensingService(*b.wang).scanPackage(other, "81234560000099990001");
  EXPECT_EQ(box.status().code(), ErrorCode::kAlreadyExists) << box.status().message();
}

}  // namespace
}  // namespace rx::ws
