// rxdesk-bench-reuse: the reuse detector on a generated corpus or on a corpus folder in the
// manifest format of ../shared/corpora/rx-photos-v1 (--corpus DIR, presented in manifest order as
// at the counter), fields only and fields with the page image (dedup/page_reuse.h), beside OpenCV
// pHash on the whole photo and on the straightened page (the baselines); the Hamming index against
// a brute-force scan at 1 and 10 million fingerprints; and the page index against brute force at
// 100,000 stored pages.
//   rxdesk-bench-reuse [--prescriptions N] [--photos K] [--seed S] [--layouts 2,3,4,5]
//                      [--corpus DIR] [--threads T] [--save FILE | --load FILE] [--verbose]
//                      [--index-sizes 1000000,10000000] [--queries Q] [--page-index-size N]
// The corpus's seed and layouts differ from the unit tests' (seed 77, layouts 0 and 1).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <opencv2/img_hash.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crypto/bytes.h"
#include "dedup/descriptor_distances.h"
#include "dedup/hamming_index.h"
#include "dedup/page_reuse.h"
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
  // The straightened page as the store keeps it (grey JPEG, quality 80) and its features.
  std::vector<std::uint8_t> pageJpeg;
  dedup::QueryFeatures query;  // the page's features, found at intake (dedup::queryFeatures)
  double featureMs = 0;
  std::string name;  // the photo, for reports
  // Read from the next likeliest outline: the page first found told nothing (not saved: false
  // when the fingerprints were loaded).
  bool otherOutline = false;
};

std::vector<std::uint8_t> storedPage(const cv::Mat& gray) {
  std::vector<std::uint8_t> jpeg;
  if (!gray.empty()) cv::imencode(".jpg", gray, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  return jpeg;
}

cv::Mat decodePage(const std::vector<std::uint8_t>& jpeg) {
  return jpeg.empty() ? cv::Mat() : cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
}

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
  // The pages beside it: FILE.pages/<i>.jpg.
  std::filesystem::create_directories(file + ".pages");
  for (std::size_t i = 0; i < items.size(); ++i)
    std::ofstream(file + ".pages/" + std::to_string(i) + ".jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(items[i].pageJpeg.data()),
               static_cast<std::streamsize>(items[i].pageJpeg.size()));
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
    std::ifstream page(file + ".pages/" + std::to_string(items.size()) + ".jpg", std::ios::binary);
    it.pageJpeg.assign(std::istreambuf_iterator<char>(page), {});
    const auto start = Clock::now();
    auto query = dedup::queryFeatures(decodePage(it.pageJpeg));
    it.featureMs = msSince(start);
    it.query = std::move(query);
    items.push_back(std::move(it));
  }
  return true;
}

struct Rates {
  std::map<std::string, int> total, flagged;
  int caught = 0, wrongRecord = 0;
  // The page index alone, for re-photos: an earlier photo of the paper first among its
  // candidates, and among the kPageCandidates it gives a lookup (which registers those of them
  // with at least a quarter of the best's votes).
  int paperFirst = 0, paperAmongCandidates = 0;
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

std::string describePage(const dedup::PageEvidence& e) {
  std::ostringstream o;
  o << "page: " << e.inliers << " features, ink found " << e.confirmed << ", different "
    << e.conflicts << " (" << e.clustered << " side by side), unseen " << e.unseen;
  return o.str();
}

// Fields only (`withPages` false) or fields and page image, presented in corpus order.
// Where the first page `isPaper` accepts stands among `all` (the page index's votes, most first),
// for --verbose.
std::string voteRank(const std::vector<dedup::PageIndex::Candidate>& all,
                     const std::function<bool(std::int64_t)>& isPaper) {
  const auto at = std::find_if(all.begin(), all.end(), [&](const dedup::PageIndex::Candidate& c) {
    return isPaper(c.record);
  });
  if (at == all.end()) return "no page index votes (or not among the pages with most)";
  return "page index rank " + std::to_string(at - all.begin() + 1) + " of " +
         std::to_string(all.size()) + ", votes " + std::to_string(static_cast<int>(at->votes)) +
         " against the best's " + std::to_string(static_cast<int>(all.front().votes));
}

// `lookupMs`: each lookup's time; `deeperMs`: of those, the lookups that asked the index for more
// candidates (none of its first was the same written page).
Rates evaluateOurs(const std::vector<Item>& items, bool verbose, bool withPages = false,
                   std::vector<double>* lookupMs = nullptr,
                   std::vector<double>* deeperMs = nullptr) {
  Rates r;
  dedup::ReuseIndex index;
  dedup::PageIndex pages;
  auto loader = [&](std::int64_t record) { return decodePage(items[record].pageJpeg); };
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    std::vector<dedup::ReuseMatch> matches;
    dedup::PageLookup look;
    if (withPages) {
      const cv::Mat page = decodePage(it.pageJpeg);  // in memory at the counter
      const auto start = Clock::now();
      matches = dedup::findWithPages(index, pages, it.fp, it.query, page, loader, {}, &look);
      const double ms = msSince(start);
      if (lookupMs) lookupMs->push_back(ms);
      if (deeperMs && look.deeper) deeperMs->push_back(ms);
    } else {
      matches = index.find(it.fp);
    }
    const auto verdict = dedup::overallVerdict(matches);
    ++r.total[it.category];
    r.flagged[it.category] += 0;
    if (it.category == "re-photo" && withPages) {
      const auto asked = pages.candidates(it.query.vote, dedup::kPageCandidates);
      const auto paper = std::find_if(asked.begin(), asked.end(), [&](const auto& c) {
        return items[static_cast<std::size_t>(c.record)].group == it.group;
      });
      r.paperFirst += paper == asked.begin() && paper != asked.end() ? 1 : 0;
      r.paperAmongCandidates += paper != asked.end() ? 1 : 0;
    }
    if (it.category == "re-photo") {
      const bool right = !matches.empty() && items[matches.front().record].group == it.group;
      if (verdict != dedup::Verdict::kNew && right) ++r.caught;
      if (verdict != dedup::Verdict::kNew && !right) ++r.wrongRecord;
      if (verbose && !(verdict != dedup::Verdict::kNew && right)) {
        // Show the signals against the true earlier photo.
        for (std::size_t j = 0; j < i; ++j)
          if (items[j].group == it.group) {
            std::cerr << "missed re-photo " << i << " " << it.name << " (group " << it.group
                      << "): " << describe(dedup::compare(it.fp, items[j].fp).signals);
            if (withPages) {
              auto e = dedup::registerPages(it.query.kept, items[j].query.kept);
              if (e) {
                dedup::compareInk(decodePage(it.pageJpeg), decodePage(items[j].pageJpeg), *e);
                std::cerr << "; " << describePage(*e);
              } else {
                std::cerr << "; page not registered";
              }
              // Where the paper stands in the page index's votes, and whether the lookup's
              // candidates hold it (it registers those with at least a quarter of the best's
              // votes).
              auto placeIn = [&](const std::vector<dedup::PageIndex::Candidate>& list) {
                return static_cast<std::size_t>(std::find_if(list.begin(), list.end(),
                                                             [&](const auto& c) {
                                                               return c.record ==
                                                                      static_cast<std::int64_t>(j);
                                                             }) -
                                                list.begin());
              };
              const auto asked = pages.candidates(it.query.vote, dedup::kPageCandidates);
              const std::size_t place = placeIn(asked);
              if (place < asked.size())
                std::cerr << " (candidate " << place + 1 << " of " << asked.size() << ")";
              else
                std::cerr << " (not a candidate)";
              std::cerr << " ("
                        << voteRank(
                               pages.candidates(it.query.vote, pages.size()),
                               [&](std::int64_t r) { return r == static_cast<std::int64_t>(j); })
                        << ")";
            }
            std::cerr << "\n";
            break;
          }
      }
    } else if (verdict != dedup::Verdict::kNew) {
      ++r.flagged[it.category];
      if (verbose)
        std::cerr << "false alarm " << i << " " << it.name << " (" << it.category << ") on "
                  << matches.front().record << ": " << matches.front().comparison.rule << "; "
                  << describe(matches.front().comparison.signals) << "\n";
    }
    if (verbose && withPages)
      for (const auto& [rec, e] : look.evidence)
        std::cerr << "  page " << i << " (" << it.category << ", group " << it.group << ") vs "
                  << rec << " (group " << items[rec].group << "): " << describePage(e)
                  << (items[rec].group == it.group ? "  SAME PAPER" : "") << "\n";
    index.add(static_cast<std::int64_t>(i), it.fp);
    if (withPages) pages.add(static_cast<std::int64_t>(i), it.query.kept);
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

// The bits a photo flipped in each feature that registration paired between one of the corpus's
// papers and its re-photo: real photo noise, for the page index's fill.
std::vector<dedup::Hash256> photoNoise(const std::vector<Item>& items) {
  std::vector<dedup::Hash256> differences;
  for (const Item& paper : items) {
    if (paper.category == "re-photo" || paper.query.kept.empty()) continue;
    for (const Item& again : items)
      if (again.category == "re-photo" && again.group == paper.group && !again.query.kept.empty()) {
        const auto some = test::photoNoise(paper.query.kept, again.query.kept);
        differences.insert(differences.end(), some.begin(), some.end());
      }
  }
  return differences;
}

// The page index at `n` stored pages: the corpus's pages plus pages made from half of them (each
// descriptor with the bits flipped that a photo flipped in a feature of this corpus, and each
// point moved by up to 8 px each way: they vote and register like other prescriptions on the same
// forms). Every re-photo of the other half is looked up (index candidates and their registration),
// beside brute force (registration against every stored page, timed on the first 2,000 and
// scaled) and beside the vote computed by a scan.
void benchPageIndex(const std::vector<Item>& items, std::size_t n, bool verbose) {
  std::mt19937_64 rng(n);
  dedup::PageIndex index;
  // The papers are split by group: the re-photos of odd groups are the queries, their papers are
  // stored once; the stored pages of even groups are the models of the fill. A filler is such a
  // page with photo noise (the points moved, and each descriptor XORed with the difference of a
  // pair of features that registration paired between one of this corpus's papers and its
  // re-photo: a photo's noise flips some of ORB's tests in under 2% of features and others in
  // 30%, and the flips come together where a feature was found worse; flipping every bit alike
  // with p = 1/8, as the fill did before stop 55, favoured keys of steady bits over random ones):
  // the same forms and the same kinds of strokes as the queried papers, never the same written
  // page, as in a store of 100,000 presentations.
  const std::vector<dedup::Hash256> noise = photoNoise(items);
  if (noise.empty()) {
    std::cerr << "page index: no re-photo of the corpus registers on its paper, so there is no "
                 "photo noise to make the fill with\n";
    return;
  }
  std::vector<std::size_t> models;
  const auto buildStart = Clock::now();
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!items[i].query.kept.empty() && items[i].category != "re-photo") {
      index.add(static_cast<std::int64_t>(i), items[i].query.kept);
      if (items[i].group % 2 == 0) models.push_back(i);
    }
  if (models.empty()) return;
  const std::size_t corpusPages = index.size();
  // A filler's model, at its record - items.size() - corpusPages.
  std::vector<std::size_t> modelOf;
  for (std::size_t k = corpusPages; k < n; ++k) {
    modelOf.push_back(models[rng() % models.size()]);
    index.add(static_cast<std::int64_t>(items.size() + k),
              test::withPhotoNoise(items[modelOf.back()].query.kept, noise, rng));
  }
  const double buildS = msSince(buildStart) / 1000;
  std::vector<double> lookupMs, voteMs, scanVoteMs, serialMs;
  std::vector<std::size_t> registeredCounts;
  int found = 0, queries = 0, sameAsScan = 0, scanned = 0;
  auto isPaper = [&](std::int64_t record, const Item& query) {
    return record < static_cast<std::int64_t>(items.size()) &&
           items[static_cast<std::size_t>(record)].group == query.group;
  };
  // Where a re-photo's paper stood among every stored page's votes, and how many fillers' models
  // the candidates came from (one model's copies crowding the list out would be the fill's doing).
  struct Miss {
    std::size_t query;
    std::vector<dedup::PageIndex::Candidate> candidates;
    std::size_t registered;
  };
  std::vector<Miss> misses;  // printed after the timed lookups
  auto print = [&](const Miss& m) {
    const Item& it = items[m.query];
    std::set<std::size_t> fromModels;
    int fromCorpus = 0;
    for (const auto& c : m.candidates)
      if (c.record < static_cast<std::int64_t>(items.size()))
        ++fromCorpus;
      else
        fromModels.insert(modelOf[static_cast<std::size_t>(c.record) - items.size() - corpusPages]);
    std::cerr << "page index at " << index.size() << " pages missed re-photo " << m.query
              << " (group " << it.group << "): "
              << voteRank(index.candidates(items[m.query].query.vote, index.size(), 1e-3),
                          [&](std::int64_t r) { return isPaper(r, it); })
              << "; " << m.candidates.size() << " candidates: " << fromCorpus
              << " of the corpus, the rest from " << fromModels.size() << " fillers' models; "
              << m.registered << " registered\n";
  };
  // Each lookup is timed in kPasses passes over the queries and its median kept: on a shared
  // machine one pass's slowest lookup was as often another program's doing as the lookup's. The
  // passes go over every query before the next, so a lookup does not find its own buckets in the
  // cache. What was found is taken from the first pass.
  constexpr int kPasses = 3;
  std::vector<std::vector<double>> voteRuns(kPasses), lookupRuns(kPasses), serialRuns(kPasses);
  // A lookup whose number was not read and that finds no same written page among its first
  // candidates looks deeper (findWithPages): both its stages' vote and registration, timed as the
  // lookup above (no ink: nothing is loaded, so nothing is the same page and it always looks
  // deeper when the index has more candidates).
  std::vector<std::vector<double>> deeperRuns(kPasses);
  std::size_t lookedDeeper = 0;
  std::vector<std::size_t> queried;  // the queries, in order
  for (int pass = 0; pass < kPasses; ++pass) {
    const bool first = pass == 0;
    int inPass = 0;  // the queries of this pass so far
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Item& it = items[i];
      if (it.category != "re-photo" || it.query.kept.empty() || it.group % 2 == 0) continue;
      ++inPass;
      queries += first ? 1 : 0;
      // As a lookup at the counter does it (findWithPages): the index's candidates worth
      // registering, registered on two threads; beside it the same candidates registered one
      // after another (the lookup before stop 44), in turn first and second so neither always
      // finds the caches warm.
      auto t = Clock::now();
      const auto cands = dedup::candidatesToRegister(index, it.query.vote);
      const double vote = msSince(t);
      voteRuns[static_cast<std::size_t>(pass)].push_back(vote);
      std::vector<const dedup::PageFeatures*> earlier;
      for (const auto& c : cands) earlier.push_back(index.features(c.record));
      if (first) registeredCounts.push_back(cands.size());
      auto together = [&] {
        const auto start = Clock::now();
        const auto registered = dedup::registerAll(it.query.kept, earlier);
        lookupRuns[static_cast<std::size_t>(pass)].push_back(vote + msSince(start));
        if (!first) return;
        bool right = false;
        for (std::size_t k = 0; k < cands.size(); ++k)
          right = right || (registered[k] && isPaper(cands[k].record, it));
        found += right ? 1 : 0;
        if (verbose && !right)
          misses.push_back({i, cands,
                            static_cast<std::size_t>(
                                std::count_if(registered.begin(), registered.end(),
                                              [](const auto& r) { return r.has_value(); }))});
      };
      auto oneByOne = [&] {
        const auto start = Clock::now();
        for (const auto* f : earlier) (void)dedup::registerPages(it.query.kept, *f);
        serialRuns[static_cast<std::size_t>(pass)].push_back(vote + msSince(start));
      };
      if ((inPass + pass) % 2) {
        together();
        oneByOne();
      } else {
        oneByOne();
        together();
      }
      if (first) queried.push_back(i);
      if (first && scanned < 3) {  // the scan takes most of a minute a query
        const auto eight = index.candidates(it.query.vote, 8);
        const auto ts = Clock::now();
        const auto scan = index.scanCandidates(it.query.vote, 8);
        scanVoteMs.push_back(msSince(ts));
        sameAsScan += scan == eight ? 1 : 0;
        ++scanned;
      }
    }
  }
  // The deeper lookups in passes of their own, as the first stage's above.
  for (int pass = 0; pass < kPasses; ++pass)
    for (std::size_t i : queried) {
      dedup::PageLookup look;
      const auto start = Clock::now();
      (void)dedup::findWithPages(dedup::ReuseIndex(), index, dedup::Fingerprint{}, items[i].query,
                                 cv::Mat(), nullptr, {}, &look);
      deeperRuns[static_cast<std::size_t>(pass)].push_back(msSince(start));
      lookedDeeper += pass == 0 && look.deeper ? 1 : 0;
    }
  // Each query's median of its passes.
  auto medians = [&](const std::vector<std::vector<double>>& runs) {
    std::vector<double> out;
    for (std::size_t q = 0; q < runs[0].size(); ++q) {
      std::vector<double> times;
      for (const auto& r : runs) times.push_back(r[q]);
      std::nth_element(times.begin(), times.begin() + kPasses / 2, times.end());
      out.push_back(times[kPasses / 2]);
    }
    return out;
  };
  voteMs = medians(voteRuns);
  lookupMs = medians(lookupRuns);
  serialMs = medians(serialRuns);
  const std::vector<double> deeperMs = medians(deeperRuns);
  for (const Miss& m : misses) print(m);
  // Brute force: registration against every stored page (timed on the first 2,000, scaled).
  const Item* q = nullptr;
  for (const auto& it : items)
    if (it.category == "re-photo" && !it.query.kept.empty()) q = &it;
  double bruteMs = 0;
  if (q) {
    const std::size_t sample = std::min<std::size_t>(2000, index.size());
    const auto t = Clock::now();
    std::size_t k = 0;
    for (std::size_t i = 0; i < items.size() && k < sample; ++i)
      if (const auto* f = index.features(static_cast<std::int64_t>(i))) {
        (void)dedup::registerPages(q->query.kept, *f);
        ++k;
      }
    for (std::size_t r = items.size() + corpusPages; k < sample && r < items.size() + n; ++r, ++k)
      if (const auto* f = index.features(static_cast<std::int64_t>(r)))
        (void)dedup::registerPages(q->query.kept, *f);
    bruteMs = msSince(t) * static_cast<double>(index.size()) / static_cast<double>(sample);
  }
  // A registration's pairing alone (each feature of an earlier page looked for among the query's,
  // DescriptorSet::nearest) by each path this CPU runs, on the first 200 stored pages.
  std::string pairing;
  std::size_t pairedPages = 0;
  if (q) {
    const dedup::DescriptorSet set(q->query.kept.descriptors);
    std::vector<const dedup::PageFeatures*> pages;
    for (std::size_t i = 0; i < items.size() + n && pages.size() < 200; ++i)
      if (const auto* f = index.features(static_cast<std::int64_t>(i))) pages.push_back(f);
    pairedPages = pages.size();
    for (const auto path : {dedup::DistancePath::kScalar, dedup::DistancePath::kAvx512}) {
      if (!dedup::runs(path) || pages.empty()) continue;
      std::size_t paired = 0;
      std::vector<double> passes;  // the median of 5 passes over the pages
      for (int pass = 0; pass < 5; ++pass) {
        const auto t = Clock::now();
        for (const auto* f : pages)
          for (const auto& d : f->descriptors) paired += set.nearest(d, path).distance <= 64;
        passes.push_back(msSince(t) * 1000 / static_cast<double>(pages.size()));
      }
      std::nth_element(passes.begin(), passes.begin() + 2, passes.end());
      char part[96];
      std::snprintf(part, sizeof part, "%s%s %.0f us", pairing.empty() ? "" : ", ",
                    dedup::name(path), passes[2]);
      pairing += part;
      if (paired == 0) pairing += " (nothing near)";
    }
  }
  auto pct = [](std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
  };
  std::printf(
      "page index: %zu stored pages (built in %.1f s, %.0f bytes/page)  lookup with registration "
      "(each the median of %d passes) p50 %.1f ms  p99 %.1f ms (the first pass alone p50 %.1f ms  "
      "p99 %.1f ms; the index's vote alone p50 %.1f ms  p99 %.1f ms; %.1f candidates "
      "registered a lookup, on two threads), right paper among registered candidates %d/%d "
      "re-photos | the same candidates registered one after another: p50 %.1f ms  p99 %.1f ms | "
      "brute-force registration %.0f ms a lookup (2,000 timed, scaled) | vote by scan p50 %.0f "
      "ms, same 8 candidates as the index %d/%d | a lookup with nothing read and no same page "
      "found (both stages: the index's best up to %zu registered, on two threads; %zu of %d "
      "looked deeper; median of %d passes) p50 %.1f ms  p99 %.1f ms\n",
      index.size(), buildS, static_cast<double>(index.memoryBytes()) / index.size(), kPasses,
      pct(lookupMs, 0.5), pct(lookupMs, 0.99), pct(lookupRuns[0], 0.5), pct(lookupRuns[0], 0.99),
      pct(voteMs, 0.5), pct(voteMs, 0.99),
      registeredCounts.empty()
          ? 0.0
          : std::accumulate(registeredCounts.begin(), registeredCounts.end(), 0.0) /
                static_cast<double>(registeredCounts.size()),
      found, queries, pct(serialMs, 0.5), pct(serialMs, 0.99), bruteMs, pct(scanVoteMs, 0.5),
      sameAsScan, scanned, dedup::kDeeperCandidates, lookedDeeper, queries, kPasses,
      pct(deeperMs, 0.5), pct(deeperMs, 0.99));
  if (!pairing.empty())
    std::printf(
        "page index: one registration's pairing (an earlier page's features looked for "
        "among the query's %zu; the median of 5 passes over %zu stored pages), by path: "
        "%s; registerPages takes %s\n",
        q->query.kept.descriptors.size(), pairedPages, pairing.c_str(),
        dedup::name(dedup::bestDistancePath()));
}

// One presentation to read: a generated photo or a corpus folder's.
struct Source {
  int group = 0;
  std::string category;
  std::string number, date, patient, hospital;
  std::vector<std::uint8_t> jpeg;
  std::string name;
};

// A corpus folder in the format of ../shared/corpora/rx-photos-v1 (its README): events in counter
// order; `first` is a fresh presentation, `reuse` a re-photo of the paper `of`, `fresh` of kind
// `same-template` or `repeat` another prescription that must stay new.
Result<std::vector<Source>> readCorpusFolder(const std::string& dir) {
  auto readBytes = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
  };
  std::ifstream manifestFile(dir + "/manifest.json");
  if (!manifestFile) return Status(ErrorCode::kNotFound, dir + "/manifest.json: cannot be read");
  const auto manifest = nlohmann::json::parse(manifestFile, nullptr, false);
  if (!manifest.is_object() || !manifest.contains("events"))
    return Status(ErrorCode::kCorrupt, dir + "/manifest.json: no events");
  std::map<std::string, int> groupOf;
  std::vector<Source> out;
  for (const auto& ev : manifest["events"]) {
    Source s;
    const std::string role = ev.value("role", ""), item = ev.value("item", "");
    const std::string paper = role == "reuse" ? ev.value("of", "") : item;
    if (!groupOf.count(paper)) groupOf[paper] = static_cast<int>(groupOf.size());
    s.group = groupOf[paper];
    if (role == "first")
      s.category = "fresh";
    else if (role == "reuse")
      s.category = "re-photo";
    else
      s.category = ev.value("kind", "") == "repeat" ? "monthly-repeat" : "same-form";
    s.name = ev.value("photo", "");
    s.jpeg = readBytes(dir + "/" + s.name);
    if (s.jpeg.empty())
      return Status(ErrorCode::kNotFound, dir + "/" + s.name + ": cannot be read");
    std::ifstream truthFile(dir + "/truth/" + item + ".json");
    const auto truth = nlohmann::json::parse(truthFile, nullptr, false);
    if (truth.is_object()) {
      s.number = truth.value("rx_number", "");
      s.date = truth.value("date", "");
      s.patient = truth.value("patient_name", "");
      s.hospital = truth.value("hospital", "");
    }
    out.push_back(std::move(s));
  }
  return out;
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
  app.add_flag("--varied-formats", spec.variedFormats,
               "Numbers and dates as other hospitals print them (CF-20261105-7510, "
               "RX261108-43512, 12 digits; 2026/11/09)");
  app.add_flag("--other-forms", spec.otherForms,
               "Forms and printing as other hospitals have them (drug tables, a 普通 box, red "
               "seals; coloured paper; dot-matrix, low-toner, thermal printing)");
  app.add_flag("--hard", spec.hard,
               "Add same-visit pairs, pharmacy marks, scans, photocopies, screens, crumpled paper, "
               "low light and thumbs (reuse_corpus.h)");
  app.add_flag("--busy-desks", spec.busyDesks,
               "Photograph the papers on busy desks (a light counter, wood, a patterned mat; a "
               "receipt, another sheet, a pen, a box, a phone beside them), smaller in the frame");
  app.add_option("--save", saveFile, "Save the corpus's fingerprints (skip OCR next time)");
  app.add_option("--load", loadFile, "Load fingerprints saved with --save");
  app.add_flag("--verbose", verbose, "Print every miss and false alarm with its signals");
  std::string photosDir;
  app.add_option("--write-photos", photosDir, "Write the corpus's photos to this folder and stop");
  app.add_option("--index-sizes", indexSizes, "Index sizes to time (0: none)")->delimiter(',');
  app.add_option("--queries", queries, "Index queries per size");
  std::string corpusDir;
  app.add_option("--corpus", corpusDir,
                 "A corpus folder in the rx-photos-v1 format (manifest.json, photos/, truth/) "
                 "instead of the generated one");
  std::size_t pageIndexSize = 100000;
  app.add_option("--page-index-size", pageIndexSize,
                 "Stored pages for the page index timing (0: none)");
  CLI11_PARSE(app, argc, argv);

  std::vector<Item> items;
  if (!loadFile.empty()) {
    if (!load(loadFile, items)) return 1;
  } else if (spec.prescriptions > 0 || !corpusDir.empty()) {
    const std::string catalogue = ocr::defaultCataloguePath();
    auto lexicon = ocr::DrugLexicon::load(catalogue);
    if (!lexicon) {
      std::cerr << lexicon.status().message() << "\n";
      return 1;
    }
    std::vector<Source> sources;
    if (!corpusDir.empty()) {
      auto read = readCorpusFolder(corpusDir);
      if (!read) {
        std::cerr << read.status().message() << "\n";
        return 1;
      }
      sources = std::move(*read);
    } else {
      auto t = Clock::now();
      auto corpus = test::makeReuseCorpus(spec, catalogue);
      std::cerr << "corpus: " << corpus.size() << " photos generated in " << msSince(t) / 1000
                << " s\n";
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
      for (std::size_t i = 0; i < corpus.size(); ++i)
        sources.push_back({corpus[i].group, corpus[i].category, corpus[i].truth.rxNumber,
                           corpus[i].truth.date, corpus[i].truth.patientName,
                           corpus[i].truth.hospital, std::move(corpus[i].jpeg),
                           "photo-" + std::to_string(i) + "-" + corpus[i].taken + ".jpg"});
    }
    items.resize(sources.size());
    const dedup::Fingerprinter fingerprinter(benchKey());
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex progress;
    auto work = [&] {
      auto reader = ocr::makeStandardReader(&*lexicon);
      for (std::size_t i; (i = next++) < sources.size();) {
        Item& it = items[i];
        const Source& src = sources[i];
        it.group = src.group;
        it.category = src.category;
        it.number = src.number;
        it.date = src.date;
        it.patient = src.patient;
        it.hospital = src.hospital;
        it.name = src.name;
        auto start = Clock::now();
        auto read = reader->read(src.jpeg, src.name);
        it.ocrMs = msSince(start);
        cv::Mat photo = cv::imdecode(src.jpeg, cv::IMREAD_GRAYSCALE);
        it.phashPhoto = pHash(photo);
        if (read) {
          start = Clock::now();
          it.fp = fingerprinter.make(dedup::contentFromFields(read->fields), read->page.gray,
                                     dedup::inkBoxesFromFields(read->fields));
          it.fingerprintMs = msSince(start);
          it.phashPage = pHash(read->page.gray);
          it.otherOutline = read->page.otherOutline;
          it.pageJpeg = storedPage(read->page.gray);
          // Features of the page as stored (what a later lookup compares against).
          start = Clock::now();
          auto query = dedup::queryFeatures(decodePage(it.pageJpeg));
          it.featureMs = msSince(start);
          it.query = std::move(query);
        }
        std::lock_guard lock(progress);
        std::cerr << "\rread " << ++done << " / " << sources.size() << std::flush;
      }
    };
    std::vector<std::thread> threads;
    for (int k = 0; k < std::max(1, spec.threads); ++k) threads.emplace_back(work);
    for (auto& th : threads) th.join();
    std::cerr << "\n";
    if (!saveFile.empty()) save(saveFile, items);
  }

  if (!items.empty()) {
    const Rates ours = evaluateOurs(items, false);
    std::vector<double> lookupMs, deeperMs;
    const Rates paged = evaluateOurs(items, verbose, true, &lookupMs, &deeperMs);
    const Rates reviewed = evaluateOurs(afterReview(items), false, true);
    const auto [tPhoto, photo] = pHashAtOnePercent(items, &Item::phashPhoto);
    const auto [tPage, page] = pHashAtOnePercent(items, &Item::phashPage);
    std::vector<std::string> kinds;  // the fresh kinds this corpus has
    for (const auto& [c, n] : paged.total)
      if (c != "re-photo") kinds.push_back(c);
    std::printf("corpus: %zu presentations (%d re-photos), ", items.size(),
                paged.total.count("re-photo") ? paged.total.at("re-photo") : 0);
    if (!loadFile.empty()) {
      std::printf("loaded from %s", loadFile.c_str());
    } else if (!corpusDir.empty()) {
      std::printf("folder %s", corpusDir.c_str());
    } else {
      std::printf("seed %llu, layouts", static_cast<unsigned long long>(spec.seed));
      for (int l : spec.layouts) std::printf(" %d", l);
      if (spec.hard) std::printf(", hard");
      if (spec.variedFormats) std::printf(", varied formats");
      if (spec.otherForms) std::printf(", other forms");
      if (spec.busyDesks) std::printf(", busy desks");
    }
    std::printf("\n%-36s %12s %12s %12s %12s\n", "", "fields only", "fields+page", "pHash photo",
                "pHash page");
    std::printf("%-36s %12s %12s %12d %12d\n", "pHash threshold (bits, ≤1% FA)", "-", "-", tPhoto,
                tPage);
    auto rate = [](int k, int n) {
      char b[32];
      std::snprintf(b, sizeof b, "%.1f%% %d/%d", n ? 100.0 * k / n : 0.0, k, n);
      return std::string(b);
    };
    const int nRe = paged.total.count("re-photo") ? paged.total.at("re-photo") : 0;
    std::printf("%-36s %12s %12s %12s %12s\n", "re-photos caught, right record",
                rate(ours.caught, nRe).c_str(), rate(paged.caught, nRe).c_str(),
                rate(photo.caught, nRe).c_str(), rate(page.caught, nRe).c_str());
    for (const auto& c : kinds) {
      const int n = paged.total.at(c);
      std::printf("%-36s %12s %12s %12s %12s\n", ("false alarms, " + c).c_str(),
                  rate(ours.flagged.at(c), n).c_str(), rate(paged.flagged.at(c), n).c_str(),
                  rate(photo.flagged.at(c), n).c_str(), rate(page.flagged.at(c), n).c_str());
    }
    std::printf("%-36s %12d %12d\n", "re-photos matched to a wrong record", ours.wrongRecord,
                paged.wrongRecord);
    std::printf("%-36s %12s %12s\n", "page index: the paper first", "-",
                rate(paged.paperFirst, nRe).c_str());
    std::printf("%-36s %12s %12s\n",
                ("page index: the paper in its " + std::to_string(dedup::kPageCandidates)).c_str(),
                "-", rate(paged.paperAmongCandidates, nRe).c_str());
    std::printf(
        "after review typed what OCR could not read (number, date or patient missing), "
        "fields+page:\n");
    std::printf("%-36s %12s\n", "re-photos caught, right record",
                rate(reviewed.caught, nRe).c_str());
    for (const auto& c : kinds)
      std::printf("%-36s %12s\n", ("false alarms, " + c).c_str(),
                  rate(reviewed.flagged.at(c), reviewed.total.at(c)).c_str());
    std::printf("%-36s %12d\n", "re-photos matched to a wrong record", reviewed.wrongRecord);
    std::vector<double> fpMs, ocrMs, featMs;
    for (const auto& it : items) {
      fpMs.push_back(it.fingerprintMs);
      ocrMs.push_back(it.ocrMs);
      featMs.push_back(it.featureMs);
    }
    auto pct = [](std::vector<double> v, double p) {
      if (v.empty()) return 0.0;
      std::sort(v.begin(), v.end());
      return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
    };
    std::printf(
        "fingerprint ms per photo: median %.2f, max %.2f (OCR median %.0f ms: %.2f%%; OCR max %.0f "
        "ms)\n",
        pct(fpMs, 0.5), pct(fpMs, 1.0), pct(ocrMs, 0.5),
        100 * pct(fpMs, 0.5) / std::max(1.0, pct(ocrMs, 0.5)), pct(ocrMs, 1.0));
    const auto fromOther =
        std::count_if(items.begin(), items.end(), [](const Item& it) { return it.otherOutline; });
    if (loadFile.empty())
      std::printf("read from the next likeliest outline (the first told nothing): %zd of %zu\n",
                  static_cast<std::ptrdiff_t>(fromOther), items.size());
    std::printf(
        "page features (the 500 kept and the vote's 1,000, on two threads) ms per photo: median "
        "%.1f, p99 %.1f; page lookup (index, registration, ink of the field matches and up to 8 "
        "pages; when no number was read and none was the same page, up to 8 more of the "
        "index's 25th-64th) ms: median %.1f, p99 %.1f; of those, the %zu that looked deeper: "
        "median %.1f, p99 %.1f\n",
        pct(featMs, 0.5), pct(featMs, 0.99), pct(lookupMs, 0.5), pct(lookupMs, 0.99),
        deeperMs.size(), pct(deeperMs, 0.5), pct(deeperMs, 0.99));
    if (pageIndexSize > 0) benchPageIndex(items, pageIndexSize, verbose);
  }

  // The radius the reuse index searches, and a narrower one.
  const std::vector<int> radii = {dedup::ReuseThresholds{}.inkSearch, 15};
  for (std::size_t n : indexSizes)
    if (n > 0)
      for (bool tight : {false, true}) benchIndex(n, queries, radii, tight);
  return 0;
}
