// Bit counting for the distance loops of dedup/. Debian's baseline x86-64 has no POPCNT
// instruction, so a plain popcount is a call into libgcc: the loops that count bits are built
// twice, with and without POPCNT, and the loader picks the one the CPU supports.
#pragma once

#include "dedup/fingerprint.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RX_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define RX_POPCNT_CLONES
#endif

namespace rx::dedup {

// The number of bits in which `a` and `b` differ; inlined into a RX_POPCNT_CLONES function, the
// POPCNT instruction where the CPU has it.
inline int bitsApart(const Hash256& a, const Hash256& b) {
  return __builtin_popcountll(a[0] ^ b[0]) + __builtin_popcountll(a[1] ^ b[1]) +
         __builtin_popcountll(a[2] ^ b[2]) + __builtin_popcountll(a[3] ^ b[3]);
}

}  // namespace rx::dedup
