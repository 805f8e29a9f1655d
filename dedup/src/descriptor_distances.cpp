#include "dedup/descriptor_distances.h"

#include <algorithm>
#include <bit>

#include "popcount.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RX_X86_DISTANCE_PATHS 1
#endif

namespace rx::dedup {

namespace {

constexpr int kNone = 257;  // more than any distance of 256 bits

RX_POPCNT_CLONES int scalarDistances(const std::uint64_t* w, std::size_t stride, std::size_t n,
                                     const Hash256& a, std::uint16_t* out) {
  int least = kNone;
  for (std::size_t i = 0; i < n; ++i) {
    const int d = std::popcount(w[i] ^ a[0]) + std::popcount(w[stride + i] ^ a[1]) +
                  std::popcount(w[2 * stride + i] ^ a[2]) + std::popcount(w[3 * stride + i] ^ a[3]);
    out[i] = static_cast<std::uint16_t>(d);
    least = std::min(least, d);
  }
  return least;
}

#ifdef RX_X86_DISTANCE_PATHS

// Eight descriptors a step: a word of each XORed with the query's and counted by VPOPCNTQ, the
// four words' counts added, stored as 16-bit numbers (the last step's lanes past n masked off).
__attribute__((target("avx512f,avx512vpopcntdq"))) int avx512Distances(const std::uint64_t* w,
                                                                       std::size_t stride,
                                                                       std::size_t n,
                                                                       const Hash256& a,
                                                                       std::uint16_t* out) {
  __m512i q[4];
  for (int k = 0; k < 4; ++k) q[k] = _mm512_set1_epi64(static_cast<long long>(a[k]));
  __m512i least = _mm512_set1_epi64(kNone);
  for (std::size_t i = 0; i < n; i += 8) {
    __m512i d = _mm512_setzero_si512();
    for (std::size_t k = 0; k < 4; ++k)
      d = _mm512_add_epi64(
          d, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(w + k * stride + i), q[k])));
    const __mmask8 lanes =
        n - i >= 8 ? static_cast<__mmask8>(0xFF) : static_cast<__mmask8>((1u << (n - i)) - 1);
    least = _mm512_mask_min_epu64(least, lanes, least, d);
    _mm512_mask_cvtepi64_storeu_epi16(out + i, lanes, d);
  }
  // Not _mm512_reduce_min_epu64: GCC 12's header builds it from an undefined vector, and
  // -Wuninitialized says so.
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, least);
  return static_cast<int>(*std::min_element(lanes, lanes + 8));
}

// Bits set in each byte of x: the count of each half-byte looked up in a 16-entry table (Muła's
// method; AVX2 has no vector popcount).
__attribute__((target("avx2"))) inline __m256i bitsPerByte(__m256i x) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  return _mm256_add_epi8(
      _mm256_shuffle_epi8(table, _mm256_and_si256(x, low)),
      _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
}

// Four descriptors a step: the four words' bits per byte added (at most 32 a byte), then each
// descriptor's eight bytes summed (VPSADBW).
__attribute__((target("avx2"))) int avx2Distances(const std::uint64_t* w, std::size_t stride,
                                                  std::size_t n, const Hash256& a,
                                                  std::uint16_t* out) {
  __m256i q[4];
  for (int k = 0; k < 4; ++k) q[k] = _mm256_set1_epi64x(static_cast<long long>(a[k]));
  int least = kNone;
  alignas(32) std::uint64_t d[4];
  for (std::size_t i = 0; i < n; i += 4) {
    __m256i bytes = _mm256_setzero_si256();
    for (std::size_t k = 0; k < 4; ++k)
      bytes = _mm256_add_epi8(
          bytes,
          bitsPerByte(_mm256_xor_si256(
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + k * stride + i)), q[k])));
    _mm256_store_si256(reinterpret_cast<__m256i*>(d),
                       _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
    for (std::size_t k = 0; k < 4 && i + k < n; ++k) {
      out[i + k] = static_cast<std::uint16_t>(d[k]);
      least = std::min(least, static_cast<int>(d[k]));
    }
  }
  return least;
}

#endif

}  // namespace

bool runs(DistancePath path) {
  switch (path) {
    case DistancePath::kScalar:
      return true;
#ifdef RX_X86_DISTANCE_PATHS
    case DistancePath::kAvx2:
      return __builtin_cpu_supports("avx2");
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
  static const DistancePath best = runs(DistancePath::kAvx512) ? DistancePath::kAvx512
                                   : runs(DistancePath::kAvx2) ? DistancePath::kAvx2
                                                               : DistancePath::kScalar;
  return best;
}

const char* name(DistancePath path) {
  switch (path) {
    case DistancePath::kScalar:
      return "scalar";
    case DistancePath::kAvx2:
      return "AVX2";
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

int DescriptorSet::distances(const Hash256& a, std::uint16_t* out) const {
  return distances(a, out, bestDistancePath());
}

int DescriptorSet::distances(const Hash256& a, std::uint16_t* out, DistancePath path) const {
  if (size_ == 0) return kNone;
#ifdef RX_X86_DISTANCE_PATHS
  // The vector paths read whole steps of the padded words (zero past size_) and write only the
  // first size_ distances.
  if (path == DistancePath::kAvx512 && runs(path))
    return avx512Distances(words_.data(), stride_, size_, a, out);
  if (path == DistancePath::kAvx2 && runs(path))
    return avx2Distances(words_.data(), stride_, size_, a, out);
#endif
  return scalarDistances(words_.data(), stride_, size_, a, out);
}

}  // namespace rx::dedup
