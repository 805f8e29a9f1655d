#include "dedup/descriptor_distances.h"

#include <algorithm>
#include <array>
#include <bit>

#include "popcount.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RX_X86_DISTANCE_PATHS 1
#endif

namespace rx::dedup {

namespace {

// A descriptor at distance d, the i-th, taken into the nearest two so far.
inline void keep(Nearest& n, int d, std::size_t i) {
  if (d < n.distance) {
    n.second = n.distance;
    n.distance = d;
    n.at = i;
  } else if (d < n.second) {
    n.second = d;
  }
}

RX_POPCNT_CLONES Nearest scalarNearest(const std::uint64_t* w, std::size_t stride, std::size_t n,
                                       const Hash256& a) {
  Nearest out;
  for (std::size_t i = 0; i < n; ++i)
    keep(out,
         std::popcount(w[i] ^ a[0]) + std::popcount(w[stride + i] ^ a[1]) +
             std::popcount(w[2 * stride + i] ^ a[2]) + std::popcount(w[3 * stride + i] ^ a[3]),
         i);
  return out;
}

#ifdef RX_X86_DISTANCE_PATHS

constexpr int kNone = 257;  // more than any distance of 256 bits

// Eight descriptors a step: a word of each XORed with the query's and counted by VPOPCNTQ, the
// four words' counts added. Each of the eight lanes keeps its own nearest two (and where the
// nearest was first seen); the lanes are joined at the end. The mask forms of min and max: GCC
// 12's plain forms start from an undefined vector, and -Wuninitialized says so.
__attribute__((target("avx512f,avx512vpopcntdq"))) Nearest avx512Nearest(const std::uint64_t* w,
                                                                         std::size_t stride,
                                                                         std::size_t n,
                                                                         const Hash256& a) {
  __m512i q[4];
  for (int k = 0; k < 4; ++k) q[k] = _mm512_set1_epi64(static_cast<long long>(a[k]));
  const __m512i none = _mm512_set1_epi64(kNone), step = _mm512_set1_epi64(8);
  constexpr __mmask8 kAll = 0xFF;
  __m512i least = none, next = none, leastAt = _mm512_setzero_si512();
  __m512i index = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::size_t i = 0; i < n; i += 8) {
    __m512i d = _mm512_setzero_si512();
    for (std::size_t k = 0; k < 4; ++k)
      d = _mm512_add_epi64(
          d, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w + k * stride + i), q[k])));
    // Lanes past the set (zero padding) are never near.
    const __mmask8 lanes = n - i >= 8 ? kAll : static_cast<__mmask8>((1u << (n - i)) - 1);
    d = _mm512_mask_blend_epi64(lanes, none, d);
    const __mmask8 nearer = _mm512_cmplt_epu64_mask(d, least);
    next = _mm512_mask_min_epu64(next, kAll, next, _mm512_mask_max_epu64(d, kAll, least, d));
    least = _mm512_mask_min_epu64(least, kAll, least, d);
    leastAt = _mm512_mask_mov_epi64(leastAt, nearer, index);
    index = _mm512_add_epi64(index, step);
  }
  alignas(64) std::uint64_t l[8], s[8], at[8];
  _mm512_store_si512(l, least);
  _mm512_store_si512(s, next);
  _mm512_store_si512(at, leastAt);
  // The nearest: the least of the lanes', first seen earliest; the next: the second least of
  // every lane's two.
  Nearest out;
  for (int k = 0; k < 8; ++k)
    if (static_cast<int>(l[k]) < out.distance ||
        (static_cast<int>(l[k]) == out.distance && at[k] < out.at)) {
      out.distance = static_cast<int>(l[k]);
      out.at = static_cast<std::size_t>(at[k]);
    }
  std::array<std::uint64_t, 16> two{};
  std::copy(l, l + 8, two.begin());
  std::copy(s, s + 8, two.begin() + 8);
  std::partial_sort(two.begin(), two.begin() + 2, two.end());
  out.second = static_cast<int>(two[1]);
  return out;
}

#endif

}  // namespace

bool runs(DistancePath path) {
  switch (path) {
    case DistancePath::kScalar:
      return true;
#ifdef RX_X86_DISTANCE_PATHS
    case DistancePath::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
    default:
      return false;
#endif
  }
  return false;
}

DistancePath bestDistancePath() {
  static const DistancePath best =
      runs(DistancePath::kAvx512) ? DistancePath::kAvx512 : DistancePath::kScalar;
  return best;
}

const char* name(DistancePath path) {
  switch (path) {
    case DistancePath::kScalar:
      return "scalar";
    case DistancePath::kAvx512:
      return "AVX-512 VPOPCNTDQ";
  }
  return "?";
}

DescriptorSet::DescriptorSet(const std::vector<Hash256>& descriptors)
    : size_(descriptors.size()), stride_((descriptors.size() + 7) / 8 * 8), words_(4 * stride_, 0) {
  for (std::size_t i = 0; i < size_; ++i)
    for (std::size_t k = 0; k < 4; ++k) words_[k * stride_ + i] = descriptors[i][k];
}

Nearest DescriptorSet::nearest(const Hash256& a) const { return nearest(a, bestDistancePath()); }

Nearest DescriptorSet::nearest(const Hash256& a, [[maybe_unused]] DistancePath path) const {
  if (size_ == 0) return {};
#ifdef RX_X86_DISTANCE_PATHS
  // The vector paths read whole steps of the padded words (zero past size_).
  if (path == DistancePath::kAvx512 && runs(path))
    return avx512Nearest(words_.data(), stride_, size_, a);
#endif
  return scalarNearest(words_.data(), stride_, size_, a);
}

}  // namespace rx::dedup
