// The Hamming distances of one 256-bit descriptor to each of a set: the pairing step of a page
// registration (dedup/page_match.h) measures 500 x 500 of them, more than half of its time when
// done one pair after another. The set keeps its descriptors word by word, so one instruction
// counts the bits of a word of eight descriptors (AVX-512 with VPOPCNTDQ) or four (AVX2); the
// CPU's best path is chosen once, and every path gives the same distances as hammingDistance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dedup/fingerprint.h"

namespace rx::dedup {

enum class DistancePath { kScalar, kAvx2, kAvx512 };

// Whether this CPU (and its operating system) runs `path`; kScalar always.
bool runs(DistancePath path);
// The path DescriptorSet::distances takes here: the fastest that runs.
DistancePath bestDistancePath();
const char* name(DistancePath path);

class DescriptorSet {
 public:
  DescriptorSet() = default;
  explicit DescriptorSet(const std::vector<Hash256>& descriptors);

  std::size_t size() const { return size_; }

  // The distance of `a` to each descriptor of the set, in the set's order, into `out` (at least
  // size() of them); returns the least (257 for an empty set). By bestDistancePath(), or by
  // `path` when it runs here (tests compare the paths); a path that does not run here falls back
  // to the scalar one.
  int distances(const Hash256& a, std::uint16_t* out) const;
  int distances(const Hash256& a, std::uint16_t* out, DistancePath path) const;

 private:
  std::size_t size_ = 0;
  std::size_t stride_ = 0;            // size_ rounded up to a multiple of 8
  std::vector<std::uint64_t> words_;  // word w of descriptor i at w * stride_ + i; padding zero
};

}  // namespace rx::dedup
