// rxdesk-bench-registry: the chain registry (issue #22) on a throw-away PostgreSQL 15 cluster on
// this machine, filled with synthetic presentations, each figure beside the local in-memory index
// (or the local store) doing the same work in the same run:
//   - lookup of one intake's candidates (number keys, or patient and date): p50 / p99 over
//   loopback,
//     beside dedup::ReuseIndex::find over as many fingerprints of the same shape;
//   - hand-out claims per second from 8 store connections at once, beside claims recorded in the
//     local store's copy (one SQLCipher transaction each);
//   - a store's sync of the chain's last 30 days (--sync-rows of them), beside loading the same
//     fingerprints into the reuse index.
//   rxdesk-bench-registry [--rows N] [--sync-rows M] [--lookups Q] [--claim-seconds S]
//                         [--server-memory SIZE]
// The figures: --rows 10000000 --sync-rows 100000. By default the cluster has the 32 MB
// shared_buffers of the tests' cluster; --server-memory 6GB runs it like a registry server given
// memory for its data: shared_buffers of that size, the number-key and patient indexes and the
// last 30 days of the table loaded into it with pg_prewarm after the VACUUM. After filling it
// prints the table's and each index's size, and the buffers the timed lookups hit and read.
// RXDESK_BENCH_EXPLAIN=1 prints the plans with EXPLAIN (ANALYZE, BUFFERS), track_io_timing on.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/time.h"
#include "counter_store.h"
#include "crypto/bytes.h"
#include "data/chain.h"
#include "dedup/reuse.h"
#include "pg_registry.h"
#include "registry/client.h"
#include "workstation/chain.h"
#include "workstation/reuse.h"
#include "workstation/settings.h"

using namespace rx;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

// Thrown, not exit(): the cluster's destructor must stop its server and remove its folder.
[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

template <typename T>
T check(Result<T> r, const std::string& what) {
  if (!r) fail(what + ": " + r.status().message());
  return std::move(*r);
}

registry::Endpoint endpoint(const test::RegistryCluster& c, const std::string& store) {
  registry::Endpoint e;
  e.host = "localhost";
  e.port = c.port();
  e.store = store;
  e.caFile = c.ca();
  e.certFile = c.cert(store);
  e.keyFile = c.keyCopy(store);
  e.timeoutSeconds = 30;
  return e;
}

// Rows are presented in time order: the last syncRows in the last 30 days, the others 31 to 730
// days ago, the oldest first; each has
// 11 number keys (the number and its one-deleted variants), a patient among rows/3 and a date
// among 365, as dedup/fingerprint.h makes them.
std::string fillSql(long rows, long syncRows) {
  std::ostringstream s;
  s << "CREATE FUNCTION pg_temp.h(bigint) RETURNS text IMMUTABLE LANGUAGE sql AS "
       "$$ SELECT lpad(to_hex($1), 16, '0') $$;\n"
    << "INSERT INTO presentations(store, local_id, kind, fingerprint, number_keys, patient_key, "
       "date_key, state, presented_at) SELECT 's' || (1 + g % 8), g, 'paper', "
       "format(E'v=1\\nnumber=%s\\nread=1\\nnear=%s\\nissuer=%s\\ndate=%s\\npatient=%s\\n"
       "drugs=\\ntext=\\nink=0:%s\\n', pg_temp.h(k[1]), "
       "array_to_string(ARRAY(SELECT pg_temp.h(x) FROM unnest(k) x), ','), "
       "pg_temp.h(hashint8extended(g % 50, 300)), pg_temp.h(d), pg_temp.h(p), repeat('0', 64)), "
       "k, p, d, 'presented', now() - CASE WHEN g > "
    << rows - syncRows << " THEN (g % 29) ELSE 31 + (" << rows << "::bigint - g) * 700 / " << rows
    << " END * interval '1 day' FROM (SELECT g, "
       "ARRAY(SELECT hashint8extended(g, i) FROM generate_series(1, 11) i) AS k, "
       "hashint8extended(g % "
    << std::max(1L, rows / 3)
    << ", 100) AS p, hashint8extended(g % 365, 200) AS d FROM "
       "generate_series(1, "
    << rows << ") g) s;\n";
  return s.str();
}

// Buffer counters of the lookups' relations (pg_statio_*, flushed when a backend ends), and the
// database's time reading blocks (with track_io_timing).
struct BufferStats {
  double numberHit = 0, numberRead = 0, patientHit = 0, patientRead = 0, tableHit = 0,
         tableRead = 0, readMs = 0;
};

BufferStats bufferStats(const test::RegistryCluster& c) {
  auto r = c.sql(
      "SELECT n.idx_blks_hit, n.idx_blks_read, p.idx_blks_hit, p.idx_blks_read, t.heap_blks_hit, "
      "t.heap_blks_read, d.blk_read_time FROM pg_statio_user_indexes n, pg_statio_user_indexes p, "
      "pg_statio_user_tables t, pg_stat_database d WHERE n.indexrelname = "
      "'presentations_by_number' AND p.indexrelname = 'presentations_by_patient' AND t.relname = "
      "'presentations' AND d.datname = current_database()");
  if (r.exitCode != 0) fail("reading buffer statistics: " + r.err);
  BufferStats b;
  std::istringstream cols(r.out);
  std::string x;
  for (double* v : {&b.numberHit, &b.numberRead, &b.patientHit, &b.patientRead, &b.tableHit,
                    &b.tableRead, &b.readMs}) {
    std::getline(cols, x, '|');
    *v = std::stod(x);
  }
  return b;
}

}  // namespace

int run(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "rxdesk-bench-registry: " << e.what() << "\n";
    return 1;
  }
}

int run(int argc, char** argv) {
  CLI::App app{"The chain registry's speed beside the local index"};
  long rows = 1000000, syncRows = 100000;
  int lookups = 1000;
  double claimSeconds = 5;
  std::string serverMemory;
  app.add_option("--rows", rows, "Presentations in the registry")->capture_default_str();
  app.add_option("--sync-rows", syncRows, "Of them, presented in the last 30 days")
      ->capture_default_str();
  app.add_option("--lookups", lookups, "Lookups timed")->capture_default_str();
  app.add_option("--claim-seconds", claimSeconds, "How long the claim run lasts")
      ->capture_default_str();
  app.add_option("--server-memory", serverMemory,
                 "shared_buffers of the registry's cluster (e.g. 6GB), its lookup indexes and "
                 "last 30 days prewarmed; default: the tests' 32MB, nothing prewarmed");
  CLI11_PARSE(app, argc, argv);
  const bool explain = std::getenv("RXDESK_BENCH_EXPLAIN") != nullptr;
  syncRows = std::min(syncRows, rows);
  std::cout << std::unitbuf;  // each figure as soon as it is measured (a 10M run takes an hour)

  std::vector<std::pair<std::string, std::string>> stores;
  for (int i = 1; i <= 8; ++i)
    stores.emplace_back("s" + std::to_string(i), "store " + std::to_string(i));
  stores.emplace_back("me", "the store that syncs");
  std::string why;
  std::vector<std::string> settings;
  if (!serverMemory.empty()) settings.push_back("shared_buffers = '" + serverMemory + "'");
  if (explain) settings.push_back("track_io_timing = on");  // I/O Timings in the plans
  auto cluster = test::RegistryCluster::start(stores, &why, settings);
  if (!cluster) fail(why);
  auto t = Clock::now();
  auto filled = cluster->sql(fillSql(rows, syncRows));
  if (filled.exitCode != 0) fail("filling the registry: " + filled.err);
  // What autovacuum does on a registry in service: the GIN index's pending list merged, statistics.
  auto vacuumed = cluster->sql("VACUUM ANALYZE presentations");
  if (vacuumed.exitCode != 0) fail("vacuum: " + vacuumed.err);
  std::cout << "registry filled with " << rows << " presentations in " << msSince(t) / 1000
            << " s\n";
  if (!serverMemory.empty()) {
    // A registry server's memory holds what a lookup reads: both lookup indexes, and the table's
    // last 30 days (the rows are in time order, so its last blocks).
    t = Clock::now();
    auto warmed = cluster->sql(
        "CREATE EXTENSION IF NOT EXISTS pg_prewarm; SELECT pg_prewarm('presentations_by_number') "
        "|| ' + ' || pg_prewarm('presentations_by_patient') || ' + ' || "
        "pg_prewarm('presentations', 'buffer', 'main', greatest(0, n - 1 - n * " +
        std::to_string(syncRows) + " / " + std::to_string(rows) +
        "), n - 1) FROM (SELECT pg_relation_size('presentations') / "
        "current_setting('block_size')::bigint AS n) b");
    if (warmed.exitCode != 0) fail("pg_prewarm: " + warmed.err);
    std::string blocks = warmed.out;
    blocks.erase(0, blocks.find_first_of("0123456789"));  // past CREATE EXTENSION's tag
    blocks.erase(blocks.find_last_not_of("\n") + 1);
    std::cout << "server memory: shared_buffers " << serverMemory
              << "; prewarmed number-key index + patient index + last 30 days' table blocks: "
              << blocks << " blocks in " << msSince(t) / 1000 << " s\n";
  }
  std::cout << "sizes:\n"
            << cluster
                   ->sql(
                       "SELECT '  ' || c.relname || ' ' || pg_size_pretty(pg_relation_size(c.oid)) "
                       "|| ' (' || pg_relation_filepath(c.oid) || ')' FROM pg_class c WHERE "
                       "c.oid = 'presentations'::regclass OR c.oid IN (SELECT indexrelid FROM "
                       "pg_index WHERE indrelid = 'presentations'::regclass) ORDER BY "
                       "pg_relation_size(c.oid) DESC")
                   .out
            << "  all of presentations with indexes and TOAST: "
            << cluster->sql("SELECT pg_size_pretty(pg_total_relation_size('presentations'))").out;

  // Lookups: the keys of existing rows, as an intake of a re-photo would bring them.
  auto sample = cluster->sql(
      "SELECT array_to_string(number_keys, ','), patient_key, date_key FROM presentations "
      "ORDER BY random() LIMIT " +
      std::to_string(lookups));
  struct Keys {
    std::vector<std::int64_t> number;
    std::int64_t patient = 0, date = 0;
  };
  std::vector<Keys> queries;
  std::istringstream lines(sample.out);
  for (std::string line; std::getline(lines, line);) {
    Keys k;
    std::istringstream cols(line);
    std::string numbers, patient, date;
    std::getline(cols, numbers, '|');
    std::getline(cols, patient, '|');
    std::getline(cols, date, '|');
    std::istringstream items(numbers);
    for (std::string x; std::getline(items, x, ',');) k.number.push_back(std::stoll(x));
    k.patient = std::stoll(patient);
    k.date = std::stoll(date);
    queries.push_back(std::move(k));
  }
  auto keyList = [](const Keys& q) {
    std::string keys;
    for (auto k : q.number) keys += (keys.empty() ? "" : ",") + std::to_string(k);
    return keys;
  };
  if (explain && queries.size() >= 3) {
    const std::string keys = keyList(queries[0]);
    std::cout << cluster
                     ->sql(
                         "EXPLAIN (ANALYZE, BUFFERS) (SELECT * FROM presentations_with_number('{" +
                         keys +
                         "}') AS p WHERE store <> 'me' LIMIT 200) UNION (SELECT * FROM "
                         "presentations WHERE patient_key = " +
                         std::to_string(queries[0].patient) + " AND date_key = " +
                         std::to_string(queries[0].date) + " AND store <> 'me' LIMIT 200)")
                     .out;
    // The number-key probe written out (another intake's keys), so that the GIN index's blocks
    // and the table's are counted apart; the function's own setting keeps it on the index.
    std::cout << cluster
                     ->sql(
                         "SET enable_seqscan = off; EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM "
                         "presentations WHERE number_keys && '{" +
                         keyList(queries[1]) + "}'")
                     .out;
    // Where a joining store's first sync starts (registry::Client::firstChangeSince).
    std::cout << cluster
                     ->sql(
                         "EXPLAIN (ANALYZE, BUFFERS) SELECT coalesce(min(changed + 0), 1) - 1 FROM "
                         "presentations WHERE presented_at >= now() - interval '30 days'")
                     .out;
    // The plan the function itself runs (planned inside it, for any keys), by auto_explain.
    auto nested = cluster->sql(
        "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET "
        "auto_explain.log_nested_statements = on; SET auto_explain.log_analyze = on; SET "
        "auto_explain.log_buffers = on; SET auto_explain.log_level = notice; SELECT count(*) FROM "
        "presentations_with_number('{" +
        keyList(queries[2]) + "}')");
    std::cout << "inside presentations_with_number (auto_explain):\n" << nested.err;
  }
  const BufferStats before = bufferStats(*cluster);
  std::vector<double> remote;
  {
    auto client = check(registry::Client::connect(endpoint(*cluster, "me")), "connecting");
    for (const auto& q : queries) {
      t = Clock::now();
      auto found = check(client.candidates(q.number, q.patient, q.date), "lookup");
      remote.push_back(msSince(t));
      if (found.empty()) fail("a lookup found nothing");
    }
  }  // disconnected: its backend's statistics are flushed as it ends
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const BufferStats after = bufferStats(*cluster);
  const double n = std::max<std::size_t>(1, remote.size());
  std::cout << "buffers per timed lookup (hit / read from the OS): number-key index "
            << (after.numberHit - before.numberHit) / n << " / "
            << (after.numberRead - before.numberRead) / n << ", patient index "
            << (after.patientHit - before.patientHit) / n << " / "
            << (after.patientRead - before.patientRead) / n << ", table "
            << (after.tableHit - before.tableHit) / n << " / "
            << (after.tableRead - before.tableRead) / n;
  if (explain) std::cout << "; reading them " << (after.readMs - before.readMs) / n << " ms";
  std::cout << "\n";
  if (explain) {
    // Diagnosis: the same lookups again, a setting changed for the store's role. (The client
    // now turns both off for its session itself, registry/src/client.cpp, so these passes only
    // show that nothing else in the role's settings matters.)
    for (const std::string setting : {"jit = off", "max_parallel_workers_per_gather = 0"}) {
      if (cluster->sql("ALTER ROLE me SET " + setting).exitCode != 0) fail("ALTER ROLE");
      std::vector<double> again;
      {
        auto client = check(registry::Client::connect(endpoint(*cluster, "me")), "connecting");
        for (const auto& q : queries) {
          t = Clock::now();
          check(client.candidates(q.number, q.patient, q.date), "lookup");
          again.push_back(msSince(t));
        }
      }
      cluster->sql("ALTER ROLE me RESET ALL");
      std::cout << "lookup again with " << setting << " for the store's role (diagnosis): p50 "
                << percentile(again, 0.5) << " ms, p99 " << percentile(again, 0.99) << " ms\n";
    }
  }
  // The local index over as many fingerprints of the same shape.
  std::mt19937_64 rng(7);
  dedup::ReuseIndex index;
  index.beginBulkLoad(static_cast<std::size_t>(rows));
  std::vector<dedup::Fingerprint> localQueries;
  for (long g = 1; g <= rows; ++g) {
    dedup::Fingerprint fp;
    for (int i = 0; i < 11; ++i) fp.numberNear.push_back(rng());
    fp.number = fp.numberNear[0];
    fp.numberRead = true;
    fp.patient = 1 + static_cast<std::uint64_t>(g % std::max(1L, rows / 3));
    fp.date = 1000 + static_cast<std::uint64_t>(g % 365);
    fp.issuer = 5000 + static_cast<std::uint64_t>(g % 50);
    if (g % std::max(1L, rows / lookups) == 0) localQueries.push_back(fp);
    index.add(g, fp);
  }
  index.endBulkLoad();
  std::vector<double> local;
  for (const auto& q : localQueries) {
    t = Clock::now();
    auto found = index.find(q);
    local.push_back(msSince(t));
  }
  std::cout << "lookup, one intake: registry p50 " << percentile(remote, 0.5) << " ms, p99 "
            << percentile(remote, 0.99) << " ms (goal p99 <= 20 ms); local index p50 "
            << percentile(local, 0.5) << " ms, p99 " << percentile(local, 0.99) << " ms\n";

  // Claims: 8 stores at once, each claiming new keys as fast as it can.
  std::atomic<long> claimed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 1; i <= 8; ++i)
    threads.emplace_back([&, i] {
      auto c = check(registry::Client::connect(endpoint(*cluster, "s" + std::to_string(i))),
                     "connecting store " + std::to_string(i));
      std::mt19937_64 keys(static_cast<std::uint64_t>(i));
      for (long n = 0; !stop; ++n) {
        std::string key(32, '\0');
        for (auto& ch : key) ch = static_cast<char>(keys());
        auto o = check(c.claim({{key, "package", n, utcTimestamp(), false}}, true), "claim");
        if (o.size() == 1 && o[0].won) ++claimed;
      }
    });
  t = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(claimSeconds));
  stop = true;
  for (auto& th : threads) th.join();
  const double remoteRate = claimed / (msSince(t) / 1000);
  // The same claims recorded in a local store's copy, one transaction each.
  test::TempDir dir;
  auto admin = check(test::makeCounterStore(dir.file("me.rxdb")), "making a store");
  long localClaims = 0;
  t = Clock::now();
  {
    auto& conn = admin->store().connection();
    data::ChainRepository repo(conn);
    while (msSince(t) < claimSeconds * 1000 / 5) {
      data::Transaction tx(conn);
      if (!tx.beginStatus()) fail("local transaction");
      if (!repo.putClaim({crypto::randomBytes(32), "package", "me", localClaims, utcTimestamp()}))
        fail("local claim");
      if (!tx.commit()) fail("local commit");
      ++localClaims;
    }
  }
  std::cout << "claims, 8 connections: registry " << static_cast<long>(remoteRate)
            << " /s (goal >= 2000 /s); local store "
            << static_cast<long>(localClaims / (msSince(t) / 1000)) << " /s\n";

  // Sync: the store joins and fetches the chain's last 30 days.
  if (!ws::makeChainKey(dir.file("chain.key"))) fail("chain key");
  ws::ChainService chain(*admin);
  if (!chain.request("me", "the store that syncs", dir.file("me.request")) ||
      !ws::sealChainKey(dir.file("chain.key"), dir.file("me.request"), dir.file("me.sealed")))
    fail("request or seal");
  t = Clock::now();
  auto report =
      check(chain.join(cluster->joinOptions("me", dir.file("me.sealed"))), "join and sync");
  const double syncMs = msSince(t);
  t = Clock::now();
  ws::ReuseService reuse(*admin);
  if (!reuse.load()) fail("loading the reuse index");
  const double loadMs = msSince(t);
  std::cout << "sync of the last 30 days: " << report.presentationsReceived << " fingerprints in "
            << syncMs / 1000 << " s (goal: 100,000 in <= 10 s); loading them into the reuse "
            << "index " << loadMs / 1000 << " s (" << reuse.size() << " entries)\n";
  return 0;
}
