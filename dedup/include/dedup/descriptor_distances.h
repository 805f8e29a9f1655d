// The nearest of a set of 256-bit descriptors to a query, by Hamming distance: the pairing step of
// a page registration (dedup/page_match.h) looks for 500 earlier features among 500 of the query,
// most of its time when measured one pair after another. The set keeps its descriptors word by
// word, so one instruction counts the bits of a word of eight descriptors (AVX-512 with
// VPOPCNTDQ, each lane keeping its own nearest two); a CPU without it counts one descriptor at a
// time with POPCNT. Both paths give the same answer as hammingDistance one pair at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dedup/fingerprint.h"

namespace rx::dedup {

// AVX2 has no vector bit count: a path counting four descriptors at a time with a half-byte table
// was no faster than POPCNT one at a time (376 against 356 us a registration, stop 68), and was
// taken out.
enum class DistancePath { kScalar, kAvx512 };

// Whether this CPU (and its operating system) runs `path`; kScalar always.
bool runs(DistancePath path);
// The path DescriptorSet::nearest takes here: the fastest that runs.
DistancePath bestDistancePath();
const char* name(DistancePath path);

// Of a set, the descriptor nearest to a query and how near the next one is: what a ratio test
// pairs by.
struct Nearest {
  int distance = 257;  // the least distance (257: the set is empty)
  std::size_t at = 0;  // the first descriptor at that distance
  int second = 257;    // the least distance to any other descriptor (equal to `distance` when
                       // two are equally near)
};

class DescriptorSet {
 public:
  DescriptorSet() = default;
  explicit DescriptorSet(const std::vector<Hash256>& descriptors);

  std::size_t size() const { return size_; }

  // By bestDistancePath(), or by `path` when it runs here (tests compare the paths; one that does
  // not run here falls back to the scalar one). Every path gives the same answer.
  Nearest nearest(const Hash256& a) const;
  Nearest nearest(const Hash256& a, DistancePath path) const;

 private:
  std::size_t size_ = 0;
  std::size_t stride_ = 0;            // size_ rounded up to a multiple of 8
  std::vector<std::uint64_t> words_;  // word w of descriptor i at w * stride_ + i; padding zero
};

}  // namespace rx::dedup
