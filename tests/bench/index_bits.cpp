#include "index_bits.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <numeric>
#include <set>
#include <sstream>

namespace rx::bench {

namespace {

// Bits of information in a bit set with probability p.
double entropy(double p) {
  if (p <= 0 || p >= 1) return 0;
  return -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
}

// A key holds bits until it has this much information (a key of 16 random bits held 11-13). At
// 100,000 stored pages (seed 27182), 13 found the paper for 55 of 60 re-photos, 14 for 58, 15 for
// 56; at 13 the generator's paper came first among ~270 pages less often (seed 31415: 80 -> 69 of
// 120), at 14 about as often as before.
constexpr double kKeyEntropy = 14;
// Signature bits are set on 30-70% of features (at least this much information each).
constexpr double kSignatureEntropy = 0.88;
constexpr std::size_t kSignatureLength = 24;

}  // namespace

bool addCorpusRates(const std::string& file, const BitRates& corpus, BitRates& totals) {
  totals = BitRates{};
  if (std::ifstream in(file); in) {
    in >> totals.corpora;
    for (int b = 0; b < 256; ++b) in >> totals.flipped[b] >> totals.set[b];
    if (!in) {
      std::cerr << file << ": not a file of bit rates written by --bit-stats\n";
      return false;
    }
  }
  totals.corpora += corpus.corpora;
  for (int b = 0; b < 256; ++b) {
    totals.flipped[b] += corpus.flipped[b];
    totals.set[b] += corpus.set[b];
  }
  std::ofstream out(file);
  out.precision(17);
  out << totals.corpora << '\n';
  for (int b = 0; b < 256; ++b) out << totals.flipped[b] << ' ' << totals.set[b] << '\n';
  if (!out) {
    std::cerr << file << ": cannot be written\n";
    return false;
  }
  return true;
}

IndexBitChoice chooseIndexBits(const BitRates& totals) {
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
  IndexBitChoice choice;
  std::set<int> used;
  for (auto& key : choice.keys) {
    double held = 0;
    for (const int b : rank) {
      if (held >= kKeyEntropy) break;
      if (!used.insert(b).second) continue;
      key.push_back(b);
      held += information(b);
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
  return choice;
}

std::string asCode(const IndexBitChoice& choice) {
  std::ostringstream out;
  auto list = [&](const char* name, const std::array<std::vector<int>, 4>& tables) {
    out << name << " = {{\n";
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
