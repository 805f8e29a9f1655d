// An in-memory index of 256-bit hashes for Hamming-radius search (multi-index hashing,
// Norouzi et al.): each hash is cut into eight 32-bit chunks; if two hashes are within r bits,
// one chunk differs in at most r/8 bits (pigeonhole), so a search probes every chunk value within
// r/8 bits of the query's chunk in that chunk's table and checks the full distance of what it
// finds. Per query, chunk values that many hashes share are skipped and their share of the radius
// given to the rarest chunks (the pigeonhole argument holds for any split), which keeps clustered
// hashes fast.
//
// Each table is a counting sort of (chunk, position) pairs by a mixed hash of the chunk, so equal
// chunks land together and distinct chunks spread evenly even when the hashes cluster (one
// hospital form gives many hashes that share most bits). New hashes go to a tail that is scanned
// directly until it is worth re-indexing (O(n), on add). Memory: 100 bytes per hash.
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "dedup/fingerprint.h"

namespace rx::dedup {

class HammingIndex {
 public:
  struct Hit {
    std::uint32_t id;
    int distance;
    bool operator==(const Hit&) const = default;
  };

  void reserve(std::size_t n);
  void add(std::uint32_t id, const Hash256& hash);
  // While deferred, add() only appends (loading many at start-up); ending it indexes them once.
  void deferIndexing(bool defer);
  std::size_t size() const { return hashes_.size(); }

  // Every stored hash within `radius` bits of `query` (radius < 32), sorted by distance then id.
  // Fast while radius/8 is at most 2; larger radii probe many more chunk values.
  std::vector<Hit> within(const Hash256& query, int radius) const;
  // The same answer by scanning every hash (the baseline the index is measured against).
  std::vector<Hit> scan(const Hash256& query, int radius) const;

  // Bytes held, for the memory-per-hash figure.
  std::size_t memoryBytes() const;
  // Indexes the tail now (add() does it when the tail grows past a share of the indexed part).
  void rebuild();

 private:
  static constexpr int kChunks = 8;
  struct Table {
    std::vector<std::uint32_t> start;  // bucket -> first entry; size buckets + 1
    std::vector<std::uint32_t> keys;   // chunk values, grouped by bucket
    std::vector<std::uint32_t> pos;    // position in hashes_
  };
  static std::uint32_t chunk(const Hash256& h, int c) {
    return static_cast<std::uint32_t>(h[c / 2] >> (32 * (c % 2)));
  }
  std::uint32_t bucket(std::uint32_t key) const {
    return static_cast<std::uint32_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - bucketBits_));
  }
  struct Work {
    std::size_t done = 0, budget = 0;  // in sequential distance computations
    bool over() const { return done > budget; }
  };
  void probe(const Table& t, std::uint32_t key, const Hash256& query, int radius,
             std::vector<Hit>& out, Work& work) const;
  void probeWithin(const Table& t, std::uint32_t key, int sub, const Hash256& query, int radius,
                   std::vector<Hit>& out, Work& work) const;
  std::size_t exactCount(const Table& t, std::uint32_t key) const;

  std::vector<Hash256> hashes_;
  std::vector<std::uint32_t> ids_;
  std::array<Table, kChunks> tables_;
  std::size_t indexed_ = 0;  // hashes_[indexed_..] are the unindexed tail
  bool deferred_ = false;
  int bucketBits_ = 8;
};

}  // namespace rx::dedup
