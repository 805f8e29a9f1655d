#include "dedup/descriptor_distances.h"

#include <gtest/gtest.h>

#include <iostream>
#include <random>
#include <string>

namespace rx::dedup {
namespace {

// A registration pairs features by these distances: a path that counted one bit wrong, or wrote
// past the set's size, would pair other features (or overwrite the caller's memory) on some CPUs
// and not on others. Every path this CPU runs is checked against hammingDistance, for set sizes
// round the vector paths' steps (4 and 8) and for descriptors at the extremes.
TEST(DescriptorDistances, EveryPathThisCpuRunsGivesTheHammingDistances) {
  std::mt19937_64 rng(20261208);
  auto random = [&] { return Hash256{rng(), rng(), rng(), rng()}; };
  const Hash256 zeros{}, ones{~0ull, ~0ull, ~0ull, ~0ull};
  std::string checked;
  for (DistancePath path : {DistancePath::kScalar, DistancePath::kAvx2, DistancePath::kAvx512}) {
    if (!runs(path)) continue;
    checked += std::string(checked.empty() ? "" : ", ") + name(path);
    for (std::size_t n : {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 500, 501}) {
      std::vector<Hash256> set;
      for (std::size_t i = 0; i < n; ++i) set.push_back(i % 5 == 1 ? ones : random());
      if (n > 2) set[2] = zeros;
      const DescriptorSet s(set);
      ASSERT_EQ(s.size(), n);
      for (const Hash256& a : {random(), zeros, ones, n > 0 ? set[n - 1] : random()}) {
        // Sentinels past the set's size must stay as they are.
        std::vector<std::uint16_t> out(n + 8, 0xBEEF);
        const int least = s.distances(a, out.data(), path);
        int expectedLeast = 257;
        for (std::size_t i = 0; i < n; ++i) {
          const int d = hammingDistance(a, set[i]);
          ASSERT_EQ(out[i], d) << name(path) << ", set of " << n << ", descriptor " << i;
          expectedLeast = std::min(expectedLeast, d);
        }
        EXPECT_EQ(least, expectedLeast) << name(path) << ", set of " << n;
        for (std::size_t i = n; i < out.size(); ++i)
          ASSERT_EQ(out[i], 0xBEEF) << name(path) << " wrote past a set of " << n;
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
