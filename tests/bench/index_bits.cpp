#include "index_bits.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

namespace rx::bench {

namespace {

// Bits of information in a bit set with probability p.
double entropy(double p) {
  if (p <= 0 || p >= 1) return 0;
  return -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
}

// A key holds bits until it has this much information (a key of 16 random bits held 11-13). Chosen
// with the 100,000-page fill before stop 55 (every bit flipped with p = 1/8), single runs, seed
// 27182 (one of the corpora the bits are chosen on): 13 found the paper for 55 of 60 re-photos, 14
// for 58, 15 for 56; at 13 the paper also came first among ~270 pages less often (seed 31415:
// 80 -> 69 of 120), at 14 78. Not run again with the fill of real photo noise.
constexpr double kKeyEntropy = 14;
// Signature bits are set on 30-70% of features (at least this much information each).
constexpr double kSignatureEntropy = 0.88;
constexpr std::size_t kSignatureLength = 24;

}  // namespace

bool addCorpusRates(const std::string& file, const BitRates& corpus, BitRates& totals) {
  totals = BitRates{};
  std::error_code unknown;
  const bool exists = std::filesystem::exists(file, unknown);
  if (unknown) {
    std::cerr << file << ": " << unknown.message() << "\n";
    return false;
  }
  if (exists) {
    std::ifstream in(file);
    bool ok = static_cast<bool>(in >> totals.corpora) && totals.corpora > 0;
    for (int b = 0; b < 256 && ok; ++b) {
      ok = static_cast<bool>(in >> totals.flipped[b] >> totals.set[b]) && totals.flipped[b] >= 0 &&
           totals.flipped[b] <= totals.corpora && totals.set[b] >= 0 &&
           totals.set[b] <= totals.corpora;
    }
    std::string more;
    if (!ok || in >> more) {
      std::cerr << file << ": not a file of bit rates written by --bit-stats (nothing added)\n";
      return false;
    }
  }
  totals.corpora += corpus.corpora;
  for (int b = 0; b < 256; ++b) {
    totals.flipped[b] += corpus.flipped[b];
    totals.set[b] += corpus.set[b];
  }
  // Written beside it and renamed over it, so a failed write leaves the earlier totals.
  const std::string next = file + ".new";
  {
    std::ofstream out(next);
    out.precision(17);
    out << totals.corpora << '\n';
    for (int b = 0; b < 256; ++b) out << totals.flipped[b] << ' ' << totals.set[b] << '\n';
    out.close();
    if (!out) {
      std::cerr << next << ": cannot be written (" << file << " left as it was)\n";
      return false;
    }
  }
  std::error_code error;
  std::filesystem::rename(next, file, error);
  if (error) {
    std::cerr << file << ": cannot be replaced: " << error.message() << "\n";
    return false;
  }
  return true;
}

std::optional<IndexBitChoice> chooseIndexBits(const BitRates& totals) {
  const double n = std::max(1, totals.corpora);
  auto flipped = [&](int b) { return totals.flipped[b] / n; };
  auto information = [&](int b) { return entropy(totals.set[b] / n); };
  // What a bit brings to a key (its information) for what it costs (the share of pairs whose key
  // it breaks, as -log of the share it leaves intact).
  std::vector<int> rank(256);
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(), [&](int a, int b) {
    auto worth = [&](int bit) {
      return information(bit) / std::max(1e-4, -std::log(1 - flipped(bit)));
    };
    return worth(a) > worth(b);
  });
  auto held = [&](const std::vector<int>& bits) {
    double sum = 0;
    for (const int b : bits) sum += information(b);
    return sum;
  };
  IndexBitChoice choice;
  std::set<int> used;
  for (auto& key : choice.keys) {
    double inKey = 0;
    for (const int b : rank) {
      if (inKey >= kKeyEntropy) break;
      if (!used.insert(b).second) continue;
      key.push_back(b);
      inKey += information(b);
    }
  }
  std::vector<int> steadiest(256);
  std::iota(steadiest.begin(), steadiest.end(), 0);
  std::stable_sort(steadiest.begin(), steadiest.end(),
                   [&](int a, int b) { return flipped(a) < flipped(b); });
  for (std::size_t t = 0; t < choice.keys.size(); ++t) {
    auto& signature = choice.signatures[t];
    for (const int b : steadiest) {
      if (signature.size() == kSignatureLength) break;
      if (information(b) >= kSignatureEntropy &&
          std::find(choice.keys[t].begin(), choice.keys[t].end(), b) == choice.keys[t].end())
        signature.push_back(b);
    }
    std::sort(signature.begin(), signature.end());
  }
  for (std::size_t t = 0; t < choice.keys.size(); ++t) {
    if (choice.keys[t].size() > 64 || held(choice.keys[t]) < kKeyEntropy) {
      std::cerr << "key " << t << " cannot hold " << kKeyEntropy
                << " bits of information in 64 bits or fewer\n";
      return std::nullopt;
    }
    if (choice.signatures[t].size() != kSignatureLength) {
      std::cerr << "signature " << t << ": only " << choice.signatures[t].size()
                << " bits are set on 30-70% of features outside its key\n";
      return std::nullopt;
    }
  }
  return choice;
}

std::string asCode(const IndexBitChoice& choice) {
  std::ostringstream out;
  auto list = [&](const char* name, const std::array<std::vector<int>, 4>& tables) {
    out << "constexpr std::array<std::initializer_list<int>, 4> " << name << " = {{\n";
    for (const auto& bits : tables) {
      out << "    {";
      for (std::size_t i = 0; i < bits.size(); ++i) out << (i ? ", " : "") << bits[i];
      out << "},\n";
    }
    out << "}};\n";
  };
  list("kKeyBitsOf", choice.keys);
  list("kSignatureBitsOf", choice.signatures);
  return out.str();
}

}  // namespace rx::bench
