// rxdesk-bench-records: consultation search, the supervisor's month report and a month's export
// on a store holding N consultations and N review decisions spread over 12 months (issue targets:
// search and dashboard <= 200 ms, a month's export <= 30 s). The baseline printed beside the
// search is the same search as a plain LIKE scan over the consultations, in the same run.
//   rxdesk-bench-records [--consultations N] [--decisions N] [--queries Q] [--keep DIR]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>

#include "base/time.h"
#include "base/utf8.h"
#include "data/consultations.h"
#include "data/prescriptions.h"
#include "store_fixture.h"
#include "temp_dir.h"
#include "workstation/consultations.h"
#include "workstation/export.h"
#include "workstation/report.h"

using namespace rx;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

const char* kDrugs[] = {"阿莫西林胶囊", "头孢克肟胶囊",     "二甲双胍片",     "布洛芬缓释胶囊",
                        "氯雷他定片",   "奥美拉唑肠溶胶囊", "阿托伐他汀钙片", "硝苯地平控释片",
                        "蒙脱石散",     "右美沙芬糖浆"};
const char* kQuestions[] = {"饭前还是饭后吃？",       "孕妇能不能用？",      "漏服一次怎么办？",
                            "和酒一起会怎样？",       "孩子能吃吗？",        "夜里咳嗽加重怎么办？",
                            "可以和降压药一起吃吗？", "吃了以后头晕正常吗？"};
const char* kAdvice[] = {"饭后服用，一日两次。", "请咨询医生后再用。", "想起时补服，勿加倍。",
                         "服药期间不要饮酒。",   "儿童需遵医嘱减量。", "take it with food",
                         "多喝水，注意休息。",   "如症状持续请就医。"};
const char* kSurnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗";

std::string name(std::mt19937_64& rng) {
  std::u32string s = U"王";
  s[0] = toU32(kSurnames)[rng() % 20];
  const char32_t given[] = U"伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂";
  s += given[rng() % 22];
  if (rng() % 2) s += given[rng() % 22];
  return toUtf8(s);
}

struct Timing {
  double median = 0, p95 = 0;
  std::size_t results = 0;
};

template <typename F>
Timing measure(int queries, F&& run) {
  std::vector<double> ms;
  Timing t;
  for (int i = 0; i < queries; ++i) {
    const auto start = Clock::now();
    t.results = run();
    ms.push_back(msSince(start));
  }
  std::sort(ms.begin(), ms.end());
  t.median = ms[ms.size() / 2];
  t.p95 = ms[std::min(ms.size() - 1, ms.size() * 95 / 100)];
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rxdesk-bench-records"};
  int consultations = 1000000, decisions = 1000000, queries = 20;
  std::string keep;
  app.add_option("--consultations", consultations, "Consultations in the store");
  app.add_option("--decisions", decisions, "Review decisions (one prescription each)");
  app.add_option("--queries", queries, "Runs of each query (median and p95 printed)");
  app.add_option("--keep", keep, "Build the store in this folder and keep it (reused if there)");
  CLI11_PARSE(app, argc, argv);

  test::TempDir tmp;
  const std::string dir = keep.empty() ? tmp.path() : keep;
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/records.rxdb";
  const bool exists = std::filesystem::exists(path);
  if (!exists) {
    auto admin = ws::Session::initStore(path, test::adminUser(), "pw", test::fastStoreOptions());
    if (!admin) return std::fprintf(stderr, "%s\n", admin.status().message().c_str()), 1;
    for (int i = 0; i < 10; ++i)
      (void)(*admin)->addUser(test::pharmacistUser("ph" + std::to_string(i)), "pw");
    (void)(*admin)->addUser({"sup", data::Role::kSupervisor, "主管", std::nullopt}, "pw");
  }
  auto session = ws::Session::login(path, "sup", "pw", test::fastStoreOptions());
  if (!session) return std::fprintf(stderr, "%s\n", session.status().message().c_str()), 1;
  auto& conn = (*session)->store().connection();

  // Twelve months ending today; rows spread evenly.
  const auto now = std::chrono::system_clock::now();
  const auto yearAgo = now - std::chrono::hours(24 * 365);
  std::mt19937_64 rng(20261122);
  auto timeAt = [&](int i, int n) {
    return utcTimestamp(
        yearAgo + std::chrono::seconds(static_cast<long long>(365.0 * 86400 * i / std::max(n, 1))));
  };
  if (!exists) {
    const auto build = Clock::now();
    data::ConsultationRepository repo(conn);
    data::Transaction* tx = nullptr;
    std::unique_ptr<data::Transaction> holder;
    for (int i = 0; i < consultations; ++i) {
      if (i % 20000 == 0) {
        if (holder) (void)holder->commit();
        holder = std::make_unique<data::Transaction>(conn);
        tx = holder.get();
        std::fprintf(stderr, "\rconsultations %d / %d", i, consultations);
      }
      data::ConsultationRecord c;
      c.pharmacist = "ph" + std::to_string(rng() % 10);
      if (rng() % 5) {
        c.patientName = name(rng);
        c.patientIdNo = "1101011980" + std::to_string(100000 + rng() % 200000) + "2";
      }
      c.channel = (rng() % 3 == 0) ? "phone" : "counter";
      const char* drug = kDrugs[rng() % 10];
      c.question = std::string(drug) + kQuestions[rng() % 8];
      c.advice = kAdvice[rng() % 8];
      c.drugs = {drug};
      c.minutes = static_cast<int>(rng() % 20);
      c.at = timeAt(i, consultations);
      c.retainUntil = "2099-12-31";
      if (!repo.insert(c)) return std::fprintf(stderr, "insert failed\n"), 1;
    }
    if (holder) (void)holder->commit();
    holder.reset();
    data::PrescriptionRepository rx(conn);
    for (int i = 0; i < decisions; ++i) {
      if (i % 20000 == 0) {
        if (holder) (void)holder->commit();
        holder = std::make_unique<data::Transaction>(conn);
        std::fprintf(stderr, "\rdecisions %d / %d        ", i, decisions);
      }
      data::PrescriptionRecord p;
      p.kind = data::RxKind::kPaper;
      p.arrivedAt = timeAt(i, decisions);
      p.arrivedBy = "ph" + std::to_string(i % 10);
      p.patientName = name(rng);
      p.patientIdNo = "1101011980" + std::to_string(100000 + rng() % 200000) + "2";
      p.retainUntil = "2099-12-31";
      auto id = rx.insert(p);
      if (!id) return std::fprintf(stderr, "%s\n", id.status().message().c_str()), 1;
      const bool reject = rng() % 10 == 0;
      data::DecisionRecord d{0,
                             *id,
                             reject ? "reject" : "approve",
                             std::string("{\"reasons\":[\"") + (reject ? "expired" : "") + "\"]}",
                             crypto::Bytes(64, 1),
                             "k",
                             p.arrivedBy,
                             p.arrivedAt};
      if (!rx.addDecision(d)) return std::fprintf(stderr, "decision failed\n"), 1;
    }
    if (holder) (void)holder->commit();
    (void)tx;
    std::fprintf(stderr, "\rbuilt in %.0f s                      \n", msSince(build) / 1000);
  }
  std::printf("store: %d consultations, %d decisions over 12 months, %.0f MB\n", consultations,
              decisions, std::filesystem::file_size(path) / 1e6);

  ws::ConsultationService service(**session);
  auto search = [&](const std::string& text, std::optional<std::string> drug = {}) {
    data::ConsultationQuery q;
    q.text = text;
    q.drug = drug;
    q.limit = 200;
    auto r = data::ConsultationRepository(conn).search(q);
    return r ? r->size() : 0;
  };
  auto asPharmacist = [&](const std::string& text) {
    data::ConsultationQuery q;
    q.text = text;
    q.visibleTo = "ph3";
    auto r = data::ConsultationRepository(conn).search(q);
    return r ? r->size() : 0;
  };
  auto likeScan = [&](const std::string& text) {
    auto st = conn.prepare(
        "SELECT id FROM consultations WHERE (coalesce(patient_name, '') || ' ' || question || ' ' "
        "|| advice) LIKE ? ORDER BY id DESC LIMIT 200");
    if (!st) return std::size_t{0};
    st->bind(1, "%" + text + "%");
    auto rows = st->collect([](const data::Statement& s) { return s.columnInt(0); });
    return rows ? rows->size() : 0;
  };
  std::printf("\n%-46s %10s %10s %8s %12s\n", "query (200 newest)", "median ms", "p95 ms",
              "results", "vs 200 ms");
  auto row = [&](const char* label, Timing t) {
    std::printf("%-46s %10.1f %10.1f %8zu %11.2fx\n", label, t.median, t.p95, t.results,
                t.p95 / 200.0);
  };
  row("search 咳嗽 (2 chars: pair index)", measure(queries, [&] { return search("咳嗽"); }));
  row("search 头孢克 (3 chars: trigram)", measure(queries, [&] { return search("头孢克"); }));
  row("search food (English)", measure(queries, [&] { return search("food"); }));
  row("search 饭后 头孢 (two words)", measure(queries, [&] { return search("饭后 头孢"); }));
  row("search 漏服 as a pharmacist (who-may-see)",
      measure(queries, [&] { return asPharmacist("漏服"); }));
  row("search by drug 蒙脱石散", measure(queries, [&] { return search("", "蒙脱石散"); }));
  row("search 王伟芳 (a name: few results)", measure(queries, [&] { return search("王伟芳"); }));
  row("search 青霉素皮试 (no result)", measure(queries, [&] { return search("青霉素皮试"); }));
  row("baseline: LIKE scan 咳嗽",
      measure(std::max(3, queries / 5), [&] { return likeScan("咳嗽"); }));
  row("baseline: LIKE scan 王伟芳",
      measure(std::max(3, queries / 5), [&] { return likeScan("王伟芳"); }));
  row("baseline: LIKE scan 青霉素皮试",
      measure(std::max(3, queries / 5), [&] { return likeScan("青霉素皮试"); }));

  const std::string to = datePart(chinaTime(utcTimestamp(now)));
  const std::string from = fromDays(*toDays(to) - std::chrono::days(30));
  std::map<std::string, std::vector<double>> perFigure;
  row("dashboard: all 7 figures, one month", measure(queries, [&] {
        auto r = ws::makeReport(**session, from, to);
        if (r)
          for (const auto& [name, ms] : r->milliseconds) perFigure[name].push_back(ms);
        return r ? r->figures.size() : 0;
      }));
  for (auto& [name, ms] : perFigure) {
    std::sort(ms.begin(), ms.end());
    std::printf("  %-44s %10.1f\n", name.c_str(), ms[ms.size() / 2]);
  }

  const auto start = Clock::now();
  ws::ExportRequest req{from, to, {}, false, dir + "/export-" + std::to_string(rng())};
  auto summary = ws::writeExport(**session, req);
  const double exportMs = msSince(start);
  if (!summary) return std::fprintf(stderr, "%s\n", summary.status().message().c_str()), 1;
  std::int64_t rows = 0;
  for (const auto& [t, n] : summary->rows) rows += n;
  std::printf("\nexport one month (%s..%s): %lld rows in %.1f s (%.2fx of the 30 s target)\n",
              from.c_str(), to.c_str(), static_cast<long long>(rows), exportMs / 1000,
              exportMs / 30000);
  for (const auto& [t, n] : summary->rows)
    std::printf("  %-14s %lld rows\n", t.c_str(), static_cast<long long>(n));
  const auto vstart = Clock::now();
  auto check = ws::verifyExport(req.outDir);
  std::printf("export verify: %s in %.1f s\n", check ? "intact" : check.status().message().c_str(),
              msSince(vstart) / 1000);
  std::filesystem::remove_all(req.outDir);
  return 0;
}
