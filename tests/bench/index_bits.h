// Which of an ORB descriptor's 256 bits the page index keys on (rxdesk-bench-reuse --bit-stats).
//
// A photo's noise flips some of ORB's tests far more often than others: between a paper's stored
// page and its re-photos, some bits flip in under 2% of the paired features, others in 30%. The
// steadiest bits are mostly set on nearly every feature or on nearly none, so a key takes bits in
// order of their information for their steadiness until it holds 14 bits of information (16 bits
// drawn at random held 11-13), and is hashed to 16 bits. The signature, which tells a like feature
// from an unlike one, takes the steadiest of the bits set on 30-70% of features. The choice is
// printed as C++ arrays for dedup/src/page_match.cpp. Tried at stop 55 and not kept (the index
// keeps its random bits; docs/reuse.md has the figures).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace rx::bench {

// Per bit, summed over corpora: how often it flips between paired features and how often it is
// set on a stored page's features (each a rate of one corpus), and how many corpora were added.
struct BitRates {
  int corpora = 0;
  std::array<double, 256> flipped{}, set{};
};

// The keys (each as many bits as it takes, first the highest bit of the value hashed) and 24-bit
// signatures of the index's four tables.
struct IndexBitChoice {
  std::array<std::vector<int>, 4> keys, signatures;
};

// `file`'s totals with one more corpus's rates added, and written back (a missing file holds none;
// the same corpus added twice counts twice); false with a message on stderr, and the file as it
// was, when it is not such a file or cannot be written.
bool addCorpusRates(const std::string& file, const BitRates& corpus, BitRates& totals);

// The index's bits chosen from `totals` (as the header says), or nullopt with a message on stderr
// when a key would need more than 64 bits or fewer than 24 bits qualify for a signature.
std::optional<IndexBitChoice> chooseIndexBits(const BitRates& totals);

// The choice as C++ arrays for dedup/src/page_match.cpp (clang-format lays them out).
std::string asCode(const IndexBitChoice& choice);

}  // namespace rx::bench
