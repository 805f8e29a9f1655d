#include "dedup/descriptor_distances.h"

#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>

namespace rx::dedup {
namespace {

// A registration pairs features by these answers: a path that counted one bit wrong, took a
// padding lane for a descriptor or kept a later one of equally near descriptors would pair other
// features on some CPUs than on others. Every path this CPU runs is checked against
// hammingDistance one pair at a time, for set sizes round the vector path's step (8), for
// descriptors at the extremes and for sets with ties (the same descriptor more than once).
TEST(DescriptorDistances, EveryPathThisCpuRunsFindsTheSameNearestTwo) {
  std::mt19937_64 rng(20261208);
  auto random = [&] { return Hash256{rng(), rng(), rng(), rng()}; };
  // Near a: a few of its bits flipped.
  auto near = [&](const Hash256& a, int flips) {
    Hash256 d = a;
    for (int f = 0; f < flips; ++f) d[rng() % 4] ^= 1ull << (rng() % 64);
    return d;
  };
  const Hash256 zeros{}, ones{~0ull, ~0ull, ~0ull, ~0ull};
  std::string checked;
  for (DistancePath path : {DistancePath::kScalar, DistancePath::kAvx512}) {
    if (!runs(path)) continue;
    checked += std::string(checked.empty() ? "" : ", ") + name(path);
    for (std::size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 500, 501}) {
      for (int trial = 0; trial < 20; ++trial) {
        const Hash256 a = trial == 0 ? zeros : trial == 1 ? ones : random();
        std::vector<Hash256> set;
        for (std::size_t i = 0; i < n; ++i)
          set.push_back(i % 5 == 1 ? ones : i % 3 == 0 ? near(a, 10 + trial) : random());
        if (n > 2) set[2] = zeros;
        if (n > 9 && trial % 2) set[n - 1] = set[n / 2];  // a tie, later in the set
        const DescriptorSet s(set);
        ASSERT_EQ(s.size(), n);
        Nearest expected;
        for (std::size_t i = 0; i < n; ++i) {
          const int d = hammingDistance(a, set[i]);
          if (d < expected.distance) {
            expected.second = expected.distance;
            expected.distance = d;
            expected.at = i;
          } else if (d < expected.second) {
            expected.second = d;
          }
        }
        const Nearest got = s.nearest(a, path);
        ASSERT_EQ(got.distance, expected.distance) << name(path) << ", set of " << n;
        ASSERT_EQ(got.at, expected.at) << name(path) << ", set of " << n;
        ASSERT_EQ(got.second, expected.second) << name(path) << ", set of " << n;
      }
    }
  }
  // The path registrations take is one of those checked.
  EXPECT_TRUE(runs(bestDistancePath()));
  EXPECT_NE(checked.find(name(bestDistancePath())), std::string::npos);
  RecordProperty("paths_checked", checked);
  std::cout << "distance paths checked on this CPU: " << checked << "\n";
}

}  // namespace
}  // namespace rx::dedup
