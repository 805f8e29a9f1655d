// rxdesk-bench-reuse: the reuse detector on a generated corpus, beside OpenCV pHash on the whole
// photo and on the straightened page (the baselines), and the Hamming index against a brute-force
// scan at 1 and 10 million fingerprints.
//   rxdesk-bench-reuse [--prescriptions N] [--photos K] [--seed S] [--layouts 2,3,4,5]
//                      [--threads T] [--save FILE | --load FILE] [--verbose]
//                      [--index-sizes 1000000,10000000] [--queries Q]
// The corpus's seed and layouts differ from the unit tests' (seed 77, layouts 0 and 1).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crypto/bytes.h"
#include "dedup/hamming_index.h"
#include "dedup/presentation.h"
#include "dedup/reuse.h"
#include "ocr/reader.h"
#include "ocr/runtime.h"
#include "reuse_corpus.h"

using namespace rx;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Item {
  int group = 0;
  std::string category;
  dedup::Fingerprint fp;
  std::uint64_t phashPhoto = 0, phashPage = 0;
  double ocrMs = 0, fingerprintMs = 0;
  // What is written on the paper (for the review simulation): number, date, patient, hospital.
  std::string number, date, patient, hospital;
};

// The key of the keyed hashes: fixed, so saved fingerprints can be completed after loading.
crypto::SecretBytes benchKey() {
  crypto::SecretBytes key(32);
  std::fill(key.begin(), key.end(), 0x5A);
  return key;
}

// Review before dispensing requires the fields OCR could not read to be typed in (the
// ocr-confirmed check), and a confirmation compares the presentation again
// (ReviewService::confirmFields). This gives every item the fingerprint it has after its review.
std::vector<Item> afterReview(std::vector<Item> items) {
  const dedup::Fingerprinter maker(benchKey());
  for (Item& it : items)
    if (it.fp.number == 0 || it.fp.date == 0 || it.fp.patient == 0) {
      dedup::PresentationContent typed;
      typed.rxNumber = it.number;
      typed.date = it.date;
      typed.patient = it.patient;
      typed.issuer = it.hospital;
      maker.setIdentity(it.fp, typed);
    }
  return items;
}

std::uint64_t pHash(const cv::Mat& img) {
  if (img.empty()) return 0;
  cv::Mat out;
  cv::img_hash::PHash::create()->compute(img, out);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | out.at<std::uint8_t>(0, i);
  return v;
}

std::string oneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ';');
  return s;
}

void save(const std::string& file, const std::vector<Item>& items) {
  std::ofstream out(file);
  for (const auto& it : items)
    out << it.group << '\t' << it.category << '\t' << it.phashPhoto << '\t' << it.phashPage << '\t'
        << it.ocrMs << '\t' << it.fingerprintMs << '\t' << it.number << '\t' << it.date << '\t'
        << it.patient << '\t' << it.hospital << '\t' << oneLine(it.fp.serialize()) << '\n';
}

bool load(const std::string& file, std::vector<Item>& items) {
  std::ifstream in(file);
  if (!in) return false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    Item it;
    std::string fp;
    f >> it.group >> it.category >> it.phashPhoto >> it.phashPage >> it.ocrMs >> it.fingerprintMs;
    f.ignore(1);
    std::getline(f, it.number, '\t');
    std::getline(f, it.date, '\t');
    std::getline(f, it.patient, '\t');
    std::getline(f, it.hospital, '\t');
    std::getline(f, fp);
    std::replace(fp.begin(), fp.end(), ';', '\n');
    auto parsed = dedup::Fingerprint::parse(fp);
    if (!parsed) {
      std::cerr << file << ": " << parsed.status().message() << "\n";
      return false;
    }
    it.fp = *parsed;
    items.push_back(std::move(it));
  }
  return true;
}

struct Rates {
  std::map<std::string, int> total, flagged;
  int caught = 0, wrongRecord = 0;
  double falseAlarmRate(const std::string& c) const {
    auto t = total.find(c);
    return t == total.end() || t->second == 0 ? 0 : 100.0 * flagged.at(c) / t->second;
  }
  double freshFalseAlarmRate() const {
    int t = 0, f = 0;
    for (const auto& [c, n] : total)
      if (c != "re-photo") {
        t += n;
        f += flagged.at(c);
      }
    return t ? 100.0 * f / t : 0;
  }
  double catchRate() const {
    auto t = total.find("re-photo");
    return t == total.end() || t->second == 0 ? 0 : 100.0 * caught / t->second;
  }
};

std::string describe(const dedup::Signals& s) {
  std::ostringstream o;
  o << "number " << dedup::agreementName(s.number) << ", issuer " << dedup::agreementName(s.issuer)
    << ", date " << dedup::agreementName(s.date) << ", patient " << dedup::agreementName(s.patient)
    << ", drugs " << s.drugs << ", text " << s.text << ", ink";
  for (int d : s.ink) o << " " << d;
  return o.str();
}

Rates evaluateOurs(const std::vector<Item>& items, bool verbose) {
  Rates r;
  dedup::ReuseIndex index;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    auto matches = index.find(it.fp);
    const auto verdict = dedup::overallVerdict(matches);
    ++r.total[it.category];
    r.flagged[it.category] += 0;
    if (it.category == "re-photo") {
      const bool right = !matches.empty() && items[matches.front().record].group == it.group;
      if (verdict != dedup::Verdict::kNew && right) ++r.caught;
      if (verdict != dedup::Verdict::kNew && !right) ++r.wrongRecord;
      if (verbose && !(verdict != dedup::Verdict::kNew && right)) {
        // Show the signals against the true earlier photo.
        for (std::size_t j = 0; j < i; ++j)
          if (items[j].group == it.group) {
            std::cerr << "missed re-photo " << i << " (group " << it.group
                      << "): " << describe(dedup::compare(it.fp, items[j].fp).signals) << "\n";
            break;
          }
      }
    } else if (verdict != dedup::Verdict::kNew) {
      ++r.flagged[it.category];
      if (verbose)
        std::cerr << "false alarm " << i << " (" << it.category << ") on " << matches.front().record
                  << ": " << matches.front().comparison.rule << "; "
                  << describe(matches.front().comparison.signals) << "\n";
    }
    index.add(static_cast<std::int64_t>(i), it.fp);
  }
  return r;
}

// pHash: the nearest earlier photo; flagged when within `threshold` bits.
Rates evaluatePHash(const std::vector<Item>& items, std::uint64_t Item::*hash, int threshold) {
  Rates r;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    int best = 65;
    std::size_t bestAt = 0;
    for (std::size_t j = 0; j < i; ++j) {
      const int d = std::popcount(it.*hash ^ items[j].*hash);
      if (d < best) best = d, bestAt = j;
    }
    ++r.total[it.category];
    r.flagged[it.category] += 0;
    const bool flagged = best <= threshold;
    if (it.category == "re-photo") {
      if (flagged && items[bestAt].group == it.group) ++r.caught;
    } else if (flagged) {
      ++r.flagged[it.category];
    }
  }
  return r;
}

// The largest threshold at which fresh presentations raise at most 1% false alarms.
std::pair<int, Rates> pHashAtOnePercent(const std::vector<Item>& items, std::uint64_t Item::*hash) {
  std::pair<int, Rates> best{-1, evaluatePHash(items, hash, -1)};
  for (int t = 0; t <= 64; ++t) {
    Rates r = evaluatePHash(items, hash, t);
    if (r.freshFalseAlarmRate() > 1.0) break;
    best = {t, r};
  }
  return best;
}

// Index lookups on hashes of one hospital form: every hash is the form's centre with each bit
// flipped with probability p. "ink" (p = 0.30) gives two hashes ~107 bits apart, as the ink hashes
// of different prescriptions on one form are in the corpus (median 108-112 of 256); "tight"
// (p = 1/8, ~56 bits apart) is what whole-page hashes of one form look like, a stress test.
// Queries: half stored hashes with up to `radius` bits flipped, half new hashes of the form.
void benchIndex(std::size_t n, int queries, const std::vector<int>& radii, bool tight) {
  std::mt19937_64 rng(n);
  const dedup::Hash256 centre{rng(), rng(), rng(), rng()};
  auto member = [&] {
    dedup::Hash256 h = centre;
    for (auto& w : h)
      w ^= tight ? rng() & rng() & rng() : (rng() & rng()) | (rng() & rng() & rng() & rng());
    return h;
  };
  dedup::HammingIndex index;
  index.reserve(n);
  index.deferIndexing(true);  // as the reuse index loads at start-up
  std::vector<dedup::Hash256> stored;
  stored.reserve(std::min<std::size_t>(n, 100000));
  auto build = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    auto h = member();
    if (stored.size() < 100000) stored.push_back(h);
    index.add(static_cast<std::uint32_t>(i), h);
  }
  index.deferIndexing(false);
  const double buildS = msSince(build) / 1000;
  for (const int radius : radii) {
    std::vector<dedup::Hash256> qs;
    for (int q = 0; q < queries; ++q) {
      if (q % 2 == 0) {
        auto h = stored[rng() % stored.size()];
        const int flips = static_cast<int>(rng() % (radius + 1));
        for (int f = 0; f < flips; ++f) {
          const int bit = static_cast<int>(rng() % 256);
          h[bit / 64] ^= std::uint64_t{1} << (bit % 64);
        }
        qs.push_back(h);
      } else {
        qs.push_back(member());
      }
    }
    std::vector<double> indexMs, scanMs;
    std::size_t mismatches = 0, hits = 0;
    for (const auto& q : qs) {
      auto t = Clock::now();
      auto a = index.within(q, radius);
      indexMs.push_back(msSince(t));
      if (scanMs.size() < 200) {  // the scan is slow; 200 queries give its p50/p99
        t = Clock::now();
        auto b = index.scan(q, radius);
        scanMs.push_back(msSince(t));
        if (a != b) ++mismatches;
      }
      hits += a.empty() ? 0 : 1;
    }
    auto pct = [](std::vector<double> v, double p) {
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
    };
    std::printf(
        "%-5s %9zu hashes  radius %2d  index p50 %7.3f ms  p99 %7.3f ms | scan p50 %7.3f ms  p99 "
        "%7.3f ms"
        " | p99 ratio index/scan %.3f | %.0f bytes/hash | build %.1f s | %zu/%d queries found, %zu "
        "answers differ from the scan\n",
        tight ? "tight" : "ink", n, radius, pct(indexMs, 0.5), pct(indexMs, 0.99), pct(scanMs, 0.5),
        pct(scanMs, 0.99), pct(indexMs, 0.99) / pct(scanMs, 0.99),
        static_cast<double>(index.memoryBytes()) / n, buildS, hits, queries, mismatches);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ocr::ensureSingleThreadedOpenMp(argv);
  CLI::App app{"Reuse detection accuracy against pHash baselines, and Hamming index speed"};
  test::CorpusSpec spec;
  spec.seed = 9091;
  spec.layouts = {2, 3, 4, 5};
  spec.prescriptions = 60;
  std::string saveFile, loadFile;
  bool verbose = false;
  std::vector<std::size_t> indexSizes = {1000000, 10000000};
  int queries = 2000;
  app.add_option("--prescriptions", spec.prescriptions, "Prescriptions in the corpus");
  app.add_option("--photos", spec.photos, "Photos of each prescription");
  app.add_option("--seed", spec.seed, "Corpus seed");
  app.add_option("--layouts", spec.layouts, "Hospital layouts")->delimiter(',');
  app.add_option("--threads", spec.threads, "Photos read in parallel");
  app.add_option("--save", saveFile, "Save the corpus's fingerprints (skip OCR next time)");
  app.add_option("--load", loadFile, "Load fingerprints saved with --save");
  app.add_flag("--verbose", verbose, "Print every miss and false alarm with its signals");
  std::string photosDir;
  app.add_option("--write-photos", photosDir, "Write the corpus's photos to this folder and stop");
  app.add_option("--index-sizes", indexSizes, "Index sizes to time (0: none)")->delimiter(',');
  app.add_option("--queries", queries, "Index queries per size");
  CLI11_PARSE(app, argc, argv);

  std::vector<Item> items;
  if (!loadFile.empty()) {
    if (!load(loadFile, items)) return 1;
  } else if (spec.prescriptions > 0) {
    const std::string catalogue = ocr::defaultCataloguePath();
    auto lexicon = ocr::DrugLexicon::load(catalogue);
    if (!lexicon) {
      std::cerr << lexicon.status().message() << "\n";
      return 1;
    }
    auto t = Clock::now();
    auto corpus = test::makeReuseCorpus(spec, catalogue);
    std::cerr << "corpus: " << corpus.size() << " photos generated in " << msSince(t) / 1000
              << " s\n";
    items.resize(corpus.size());
    if (!photosDir.empty()) {
      std::filesystem::create_directories(photosDir);
      for (std::size_t i = 0; i < corpus.size(); ++i)
        std::ofstream(photosDir + "/" + std::to_string(i) + "-" + corpus[i].category + ".jpg",
                      std::ios::binary)
            .write(reinterpret_cast<const char*>(corpus[i].jpeg.data()),
                   static_cast<std::streamsize>(corpus[i].jpeg.size()));
      std::cerr << "wrote " << corpus.size() << " photos to " << photosDir << "\n";
      return 0;
    }
    const dedup::Fingerprinter fingerprinter(benchKey());
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex progress;
    auto work = [&] {
      auto reader = ocr::makeStandardReader(&*lexicon);
      for (std::size_t i; (i = next++) < corpus.size();) {
        Item& it = items[i];
        it.group = corpus[i].group;
        it.category = corpus[i].category;
        it.number = corpus[i].truth.rxNumber;
        it.date = corpus[i].truth.date;
        it.patient = corpus[i].truth.patientName;
        it.hospital = corpus[i].truth.hospital;
        auto start = Clock::now();
        auto read = reader->read(corpus[i].jpeg, "photo-" + std::to_string(i) + ".jpg");
        it.ocrMs = msSince(start);
        cv::Mat photo = cv::imdecode(corpus[i].jpeg, cv::IMREAD_GRAYSCALE);
        it.phashPhoto = pHash(photo);
        if (read) {
          start = Clock::now();
          it.fp = fingerprinter.make(dedup::contentFromFields(read->fields), read->page.gray,
                                     dedup::inkBoxesFromFields(read->fields));
          it.fingerprintMs = msSince(start);
          it.phashPage = pHash(read->page.gray);
        }
        std::lock_guard lock(progress);
        std::cerr << "\rread " << ++done << " / " << corpus.size() << std::flush;
      }
    };
    std::vector<std::thread> threads;
    for (int k = 0; k < std::max(1, spec.threads); ++k) threads.emplace_back(work);
    for (auto& th : threads) th.join();
    std::cerr << "\n";
    if (!saveFile.empty()) save(saveFile, items);
  }

  if (!items.empty()) {
    const Rates ours = evaluateOurs(items, verbose);
    const Rates reviewed = evaluateOurs(afterReview(items), false);
    const auto [tPhoto, photo] = pHashAtOnePercent(items, &Item::phashPhoto);
    const auto [tPage, page] = pHashAtOnePercent(items, &Item::phashPage);
    std::printf("corpus: %zu presentations (%d re-photos), ", items.size(),
                ours.total.count("re-photo") ? ours.total.at("re-photo") : 0);
    if (loadFile.empty()) {
      std::printf("seed %llu, layouts", static_cast<unsigned long long>(spec.seed));
      for (int l : spec.layouts) std::printf(" %d", l);
    } else {
      std::printf("loaded from %s", loadFile.c_str());
    }
    std::printf("\n%-34s %10s %14s %14s\n", "", "rxdesk", "pHash photo", "pHash page");
    std::printf("%-34s %10s %14d %14d\n", "pHash threshold (bits, ≤1% FA)", "-", tPhoto, tPage);
    std::printf("%-34s %9.1f%% %13.1f%% %13.1f%%\n", "re-photos caught, right record",
                ours.catchRate(), photo.catchRate(), page.catchRate());
    for (const char* c : {"fresh", "monthly-repeat", "same-form"})
      std::printf("%-34s %9.1f%% %13.1f%% %13.1f%%\n", (std::string("false alarms, ") + c).c_str(),
                  ours.falseAlarmRate(c), photo.falseAlarmRate(c), page.falseAlarmRate(c));
    std::printf("%-34s %10d\n", "re-photos matched to a wrong record", ours.wrongRecord);
    std::printf("after review typed what OCR could not read (number, date or patient missing):\n");
    std::printf("%-34s %9.1f%%\n", "re-photos caught, right record", reviewed.catchRate());
    for (const char* c : {"fresh", "monthly-repeat", "same-form"})
      std::printf("%-34s %9.1f%%\n", (std::string("false alarms, ") + c).c_str(),
                  reviewed.falseAlarmRate(c));
    std::printf("%-34s %10d\n", "re-photos matched to a wrong record", reviewed.wrongRecord);
    std::vector<double> fpMs, ocrMs;
    for (const auto& it : items) {
      fpMs.push_back(it.fingerprintMs);
      ocrMs.push_back(it.ocrMs);
    }
    std::sort(fpMs.begin(), fpMs.end());
    std::sort(ocrMs.begin(), ocrMs.end());
    std::printf("fingerprint ms per photo: median %.2f, max %.2f (OCR median %.0f ms: %.2f%%)\n",
                fpMs[fpMs.size() / 2], fpMs.back(), ocrMs[ocrMs.size() / 2],
                100 * fpMs[fpMs.size() / 2] / std::max(1.0, ocrMs[ocrMs.size() / 2]));
  }

  // The radius the reuse index searches, and a narrower one.
  const std::vector<int> radii = {dedup::ReuseThresholds{}.inkSearch, 15};
  for (std::size_t n : indexSizes)
    if (n > 0)
      for (bool tight : {false, true}) benchIndex(n, queries, radii, tight);
  return 0;
}
