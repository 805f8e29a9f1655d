// Bit counting for the distance loops of dedup/. Debian's baseline x86-64 has no POPCNT
// instruction, so a plain popcount is a call into libgcc: the loops that count bits
// (hammingDistance, inlined) are built twice, with and without POPCNT, and the loader picks the
// one the CPU supports.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RX_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define RX_POPCNT_CLONES
#endif
