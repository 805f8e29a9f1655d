#include "workstation/export.h"
#include "presenting.h"
#include "workstation/intake.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/time.h"
#include "counter_store.h"
#include "data/audit.h"
#include "data/files.h"
#include "store_fixture.h"
#include "workstation/consultations.h"
#include "workstation/report.h"
#include "workstation/review.h"

namespace rx::ws {
namespace {

namespace fs = std::filesystem;

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = test::makeCounterStore(path());
    RX_ASSERT_OK(admin);
    admin->reset();
    auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    ocr::ExtractedFields f;
    f.fields["rx_number"] = {"202600000123", 0.95f, {}};
    f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
    f.fields["date"] = {beijingToday(), 0.95f, {}};
    f.fields["patient_name"] = {"郑梓萱", 0.95f, {}};
    ReviewService review(**wang);
    auto id = test::presented(IntakeService(review).presentPaper(f, "p.jpg"));
    RX_ASSERT_OK(id);
    RX_ASSERT_OK(review.startReview(*id));
    RX_ASSERT_OK(review.confirmFields(*id, {{"patient_id_no", "110101199001010022"}}));
    RX_ASSERT_OK(review.decide(*id, {Decision::kAsk, {"need-info"}, "请补充诊断", false}));
    NewConsultation c;
    c.patientName = "郑梓萱";
    c.patientIdNo = "110101199001010022";
    c.question = "布洛芬和对乙酰氨基酚能一起吃吗, \"急\"";
    c.advice = "不建议同时服用";
    RX_ASSERT_OK(ConsultationService(**wang).record(c));
  }
  std::string path() const { return dir_.file("e.rxdb"); }
  std::unique_ptr<Session> zhou() {
    auto s = Session::login(path(), "zhou", "z", test::fastStoreOptions());
    EXPECT_TRUE(test::isOk(s));
    return s ? std::move(*s) : nullptr;
  }
  ExportRequest today(const std::string& out) {
    const std::string d = datePart(chinaTime(utcTimestamp()));
    return {d, d, {}, false, dir_.file(out)};
  }
  test::TempDir dir_;
};

TEST_F(ExportTest, AnExportVerifiesAndAnyChangedByteIsNamed) {
  auto s = zhou();
  std::int64_t lastDone = 0, lastTotal = 0;
  auto summary = writeExport(*s, today("out"), [&](std::int64_t done, std::int64_t total) {
    lastDone = done;
    lastTotal = total;
  });
  RX_ASSERT_OK(summary);
  EXPECT_EQ(summary->rows["reviews"], 1);
  EXPECT_EQ(summary->rows["consultations"], 1);
  EXPECT_GT(summary->rows["audit"], 5);
  EXPECT_EQ(lastDone, lastTotal) << "progress reaches the end";
  EXPECT_EQ(summary->files.size(), 11u) << "5 tables × JSON and CSV, and the summary";
  auto check = verifyExport(dir_.file("out"));
  RX_ASSERT_OK(check);
  EXPECT_EQ(check->keyId, summary->keyId);

  // The CSV opens in a spreadsheet: BOM, header, the quoted comma and quotes intact.
  auto csv = data::readWholeFile(dir_.file("out/consultations.csv"));
  RX_ASSERT_OK(csv);
  EXPECT_EQ(csv->rfind("\xEF\xBB\xBFid,at,pharmacist,patient", 0), 0u);
  EXPECT_NE(csv->find("\"布洛芬和对乙酰氨基酚能一起吃吗, \"\"急\"\"\""), std::string::npos) << *csv;

  // One byte changed in any file is caught, naming the file.
  for (const auto& entry : fs::directory_iterator(dir_.file("out"))) {
    const std::string name = entry.path().filename().string();
    const std::string copy = dir_.file("copy-" + name);
    fs::copy(dir_.file("out"), copy);
    std::fstream f(copy + "/" + name, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(copy + "/" + name) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(copy + "/" + name) / 2));
    c = static_cast<char>(c ^ 0x01);
    f.write(&c, 1);
    f.close();
    auto bad = verifyExport(copy);
    ASSERT_FALSE(bad) << name << " altered but the export verified";
    if (name == "manifest.json" || name == "manifest.sig")
      EXPECT_TRUE(bad.status().code() == ErrorCode::kBadSignature ||
                  bad.status().code() == ErrorCode::kCorrupt)
          << bad.status().message();
    else
      EXPECT_NE(bad.status().message().find(name), std::string::npos) << bad.status().message();
  }
  // A manifest with members of the wrong type is refused, not thrown (the reader of a stranger's
  // folder must never crash).
  fs::copy(dir_.file("out"), dir_.file("odd"));
  for (const char* manifest :
       {R"({"format":"rxdesk-export","files":[1,2],"key":"x"})", R"({"format":7})", R"([1])"}) {
    std::ofstream(dir_.file("odd/manifest.json"), std::ios::trunc) << manifest;
    auto odd = verifyExport(dir_.file("odd"));
    ASSERT_FALSE(odd) << manifest;
    EXPECT_EQ(odd.status().code(), ErrorCode::kCorrupt) << odd.status().message();
  }
  std::ofstream(dir_.file("out/extra.csv")) << "x";
  EXPECT_NE(verifyExport(dir_.file("out")).status().message().find("extra.csv"), std::string::npos);
  fs::remove(dir_.file("out/extra.csv"));
  fs::remove(dir_.file("out/sales.json"));
  EXPECT_NE(verifyExport(dir_.file("out")).status().message().find("sales.json"),
            std::string::npos);
}

TEST_F(ExportTest, MaskedExportHidesNamesAndIdsAndOnlySupervisorsExport) {
  auto s = zhou();
  auto request = today("masked");
  request.maskPatients = true;
  request.what = {"reviews", "consultations"};
  auto summary = writeExport(*s, request);
  RX_ASSERT_OK(summary);
  EXPECT_EQ(summary->rows.size(), 2u);
  for (const char* f : {"masked/reviews.csv", "masked/consultations.json"}) {
    auto text = data::readWholeFile(dir_.file(f));
    RX_ASSERT_OK(text);
    EXPECT_EQ(text->find("郑梓萱"), std::string::npos) << f;
    EXPECT_EQ(text->find("110101199001010022"), std::string::npos) << f;
    EXPECT_NE(text->find("郑**"), std::string::npos) << f;
  }
  RX_EXPECT_OK(verifyExport(dir_.file("masked")));
  EXPECT_EQ(writeExport(*s, request).status().code(), ErrorCode::kAlreadyExists)
      << "never into a folder that has files";
  request.what = {"prescriptions"};
  request.outDir = dir_.file("other");
  EXPECT_NE(writeExport(*s, request).status().message().find("'prescriptions'"), std::string::npos);

  // Audited.
  data::AuditLog log(s->store().connection());
  auto entries = log.entries(1, log.verify()->entries);
  EXPECT_TRUE(std::any_of(entries->begin(), entries->end(),
                          [](const auto& e) { return e.event == "export" && e.actor == "zhou"; }));
  auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
  RX_ASSERT_OK(wang);
  EXPECT_EQ(writeExport(**wang, today("by-wang")).status().code(), ErrorCode::kPermissionDenied);
}

// Cancelled once rows are written (the window's Cancel, Ctrl+C at the CLI): the files written so
// far are taken away, and the folder too when the export made it; a folder the supervisor chose
// stays, empty. What inspectors find is complete and signed, or nothing.
TEST_F(ExportTest, AnExportCancelledOnceRowsAreWrittenLeavesNothingInTheFolder) {
  auto s = zhou();
  ASSERT_TRUE(s);
  for (bool folderWasThere : {false, true}) {
    const ExportRequest request = today(folderWasThere ? "chosen" : "made");
    if (folderWasThere) std::filesystem::create_directories(request.outDir);
    std::stop_source stop;
    bool sawFiles = false;
    auto cancelled = writeExport(
        *s, request,
        [&](std::int64_t, std::int64_t) {
          sawFiles = sawFiles || !std::filesystem::is_empty(request.outDir);
          stop.request_stop();
        },
        stop.get_token());
    EXPECT_EQ(cancelled.status().code(), ErrorCode::kCancelled) << cancelled.status().message();
    EXPECT_TRUE(sawFiles) << "rows were written before the cancel";
    EXPECT_EQ(std::filesystem::exists(request.outDir), folderWasThere);
    if (folderWasThere) EXPECT_TRUE(std::filesystem::is_empty(request.outDir));
    RX_ASSERT_OK(writeExport(*s, request)) << "the same folder takes the export afterwards";
    RX_EXPECT_OK(verifyExport(request.outDir));
  }
}

// Export files are owner-only from their creation, in a folder of the user's own that is not a
// link (issue 25 #5): an export cannot be steered through a planted link to another place.
TEST_F(ExportTest, ExportFilesArePrivateAndALinkedFolderIsRefused) {
  auto s = zhou();
  auto request = today("private");
  RX_ASSERT_OK(writeExport(*s, request));
  struct stat st {};
  ASSERT_EQ(::stat(request.outDir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& f : fs::directory_iterator(request.outDir)) {
    ASSERT_EQ(::lstat(f.path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode)) << f.path();
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f.path();
  }
  fs::create_directories(dir_.file("elsewhere"));
  fs::create_directory_symlink(dir_.file("elsewhere"), dir_.file("linked"));
  request.outDir = dir_.file("linked");
  auto linked = writeExport(*s, request);
  ASSERT_FALSE(linked);
  EXPECT_NE(linked.status().message().find("link"), std::string::npos) << linked.status().message();
  EXPECT_TRUE(fs::is_empty(dir_.file("elsewhere")));
}

TEST_F(ExportTest, ReportCountsDecisionsReasonsAndConsultationsPerBeijingDay) {
  {
    auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
    RX_ASSERT_OK(wang);
    ocr::ExtractedFields f;
    f.fields["rx_number"] = {"202600000124", 0.95f, {}};
    f.fields["hospital"] = {"北京市朝阳区第三人民医院", 0.95f, {}};
    f.fields["date"] = {"2026-01-05", 0.95f, {}};
    f.fields["patient_name"] = {"钱七", 0.95f, {}};
    ReviewService review(**wang);
    auto id = test::presented(IntakeService(review).presentPaper(f, "q.jpg"));
    RX_ASSERT_OK(id);
    RX_ASSERT_OK(review.startReview(*id));
    RX_ASSERT_OK(review.decide(*id, {Decision::kReject, {"expired", "no-id"}, "", false}));
  }
  auto s = zhou();
  const std::string today = datePart(chinaTime(utcTimestamp()));
  auto r = makeReport(*s, today, today);
  RX_ASSERT_OK(r);
  auto count = [&](const std::string& figure, const std::string& key, const std::string& key2) {
    for (const auto& row : r->figures[figure])
      if (row.key == key && row.key2 == key2) return row.count;
    return std::int64_t{0};
  };
  EXPECT_EQ(count("decisions_per_day", today, "ask"), 1);
  EXPECT_EQ(count("decisions_per_day", today, "reject"), 1);
  EXPECT_EQ(count("decisions_per_pharmacist", "wang", "reject"), 1);
  EXPECT_EQ(count("rejection_reasons", "expired", ""), 1);
  EXPECT_EQ(count("rejection_reasons", "no-id", ""), 1);
  EXPECT_EQ(count("consultations_per_day", today, "counter"), 1);
  auto json = reportJson(*r);
  EXPECT_EQ(json["figures"]["rejection_reasons"].size(), 2u);
  const std::string yesterday = fromDays(*toDays(today) - std::chrono::days(1));
  EXPECT_TRUE(makeReport(*s, yesterday, yesterday)->figures["decisions_per_day"].empty());
  EXPECT_EQ(makeReport(*s, today, yesterday).status().code(), ErrorCode::kInvalidArgument);
  auto wang = Session::login(path(), "wang", "w", test::fastStoreOptions());
  EXPECT_EQ(makeReport(**wang, today, today).status().code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace rx::ws
