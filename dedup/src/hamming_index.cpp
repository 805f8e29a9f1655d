#include "dedup/hamming_index.h"

#include <algorithm>
#include <bit>

#include "popcount.h"

namespace rx::dedup {

void HammingIndex::reserve(std::size_t n) {
  hashes_.reserve(n);
  ids_.reserve(n);
}

void HammingIndex::add(std::uint32_t id, const Hash256& hash) {
  hashes_.push_back(hash);
  ids_.push_back(id);
  const std::size_t tail = hashes_.size() - indexed_;
  if (!deferred_ && tail > std::max<std::size_t>(256, indexed_ / 32)) rebuild();
}

void HammingIndex::deferIndexing(bool defer) {
  deferred_ = defer;
  if (!defer && indexed_ != hashes_.size()) rebuild();
}

void HammingIndex::rebuild() {
  const std::size_t n = hashes_.size();
  bucketBits_ = std::clamp(static_cast<int>(std::bit_width(n)) - 2, 8, 24);  // ~4 per bucket
  const std::size_t buckets = std::size_t{1} << bucketBits_;
  for (int c = 0; c < kChunks; ++c) {
    Table& t = tables_[c];
    t.start.assign(buckets + 1, 0);
    for (std::size_t i = 0; i < n; ++i) ++t.start[bucket(chunk(hashes_[i], c)) + 1];
    for (std::size_t b = 0; b < buckets; ++b) t.start[b + 1] += t.start[b];
    std::vector<std::uint32_t>(n).swap(t.keys);  // exact capacity
    std::vector<std::uint32_t>(n).swap(t.pos);
    std::vector<std::uint32_t> fill(t.start.begin(), t.start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t key = chunk(hashes_[i], c);
      const std::uint32_t at = fill[bucket(key)]++;
      t.keys[at] = key;
      t.pos[at] = static_cast<std::uint32_t>(i);
    }
  }
  indexed_ = n;
}

RX_POPCNT_CLONES void HammingIndex::probe(const Table& t, std::uint32_t key, const Hash256& query,
                                          int radius, std::vector<Hit>& out, Work& work) const {
  const std::uint32_t b = bucket(key);
  work.done += 16 + (t.start[b + 1] - t.start[b]);
  for (std::uint32_t i = t.start[b], end = t.start[b + 1]; i < end; ++i) {
    if (t.keys[i] != key) continue;
    work.done += 16;  // a random read of the stored hash
    const int d = hammingDistance(hashes_[t.pos[i]], query);
    if (d <= radius) out.push_back({t.pos[i], d});
  }
}

std::size_t HammingIndex::exactCount(const Table& t, std::uint32_t key) const {
  const std::uint32_t b = bucket(key);
  std::size_t n = 0;
  for (std::uint32_t i = t.start[b], end = t.start[b + 1]; i < end; ++i) n += t.keys[i] == key;
  return n;
}

void HammingIndex::probeWithin(const Table& t, std::uint32_t q, int sub, const Hash256& query,
                               int radius, std::vector<Hit>& out, Work& work) const {
  probe(t, q, query, radius, out, work);
  if (sub < 1) return;
  for (int i = 0; i < 32 && !work.over(); ++i) {
    const std::uint32_t qi = q ^ (1u << i);
    probe(t, qi, query, radius, out, work);
    if (sub < 2) continue;
    for (int j = i + 1; j < 32 && !work.over(); ++j) {
      const std::uint32_t qj = qi ^ (1u << j);
      probe(t, qj, query, radius, out, work);
      if (sub < 3) continue;
      for (int k = j + 1; k < 32; ++k) probe(t, qj ^ (1u << k), query, radius, out, work);
    }
  }
}

RX_POPCNT_CLONES std::vector<HammingIndex::Hit> HammingIndex::within(const Hash256& query,
                                                                     int radius) const {
  std::vector<Hit> out;  // positions first, ids at the end
  if (radius < 0) return out;
  radius = std::min(radius, 31);
  if (indexed_ > 0) {
    // Pigeonhole with a radius per chunk: a hash within `radius` has some chunk c within sub[c]
    // bits as long as the sum of (sub[c] + 1) exceeds `radius` (sub -1: chunk not probed). Chunks
    // whose value many hashes share (the common part of a cluster) are skipped and the radius
    // moved to the rarest chunks, when the estimated work is smaller.
    const int base = radius / kChunks;
    std::array<std::size_t, kChunks> popularity{};
    std::array<int, kChunks> order{};
    for (int c = 0; c < kChunks; ++c) {
      popularity[c] = exactCount(tables_[c], chunk(query, c));
      order[c] = c;
    }
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return popularity[a] < popularity[b]; });
    static constexpr double kProbes[] = {1, 33, 529, 5489, 46865};
    std::array<int, kChunks> best;
    best.fill(base);  // the plain split, always valid
    double bestCost = -1;
    for (int skip = 0; skip <= 3; ++skip) {
      const int kept = kChunks - skip;
      const int raises = std::max(0, radius + 1 - kept * (base + 1));
      if (raises > kept || (raises > 0 && base + 1 > 3)) continue;
      std::array<int, kChunks> sub{};
      double cost = 0;
      for (int i = 0; i < kChunks; ++i) {
        const int c = order[i];
        sub[c] = i >= kept ? -1 : base + (i < raises ? 1 : 0);
        if (sub[c] >= 0) cost += kProbes[sub[c]] * (8.0 + static_cast<double>(popularity[c]));
      }
      if (bestCost < 0 || cost < bestCost) {
        bestCost = cost;
        best = sub;
      }
    }
    // A random probe or candidate costs about as much as 16 sequential distance computations
    // (the unit of `work`). When the estimate, or the work actually done, passes a scan of
    // everything, scan instead: a very tight cluster at a wide radius. So a lookup never costs
    // much more than a scan.
    Work work{0, indexed_};
    if (bestCost * 16 > static_cast<double>(indexed_)) return scan(query, radius);
    for (int c = 0; c < kChunks && !work.over(); ++c)
      if (best[c] >= 0) probeWithin(tables_[c], chunk(query, c), best[c], query, radius, out, work);
    if (work.over()) return scan(query, radius);
  }
  for (std::size_t i = indexed_; i < hashes_.size(); ++i) {
    const int d = hammingDistance(hashes_[i], query);
    if (d <= radius) out.push_back({static_cast<std::uint32_t>(i), d});
  }
  std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) { return a.id < b.id; });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  for (Hit& h : out) h.id = ids_[h.id];
  std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

RX_POPCNT_CLONES std::vector<HammingIndex::Hit> HammingIndex::scan(const Hash256& query,
                                                                   int radius) const {
  std::vector<Hit> out;
  for (std::size_t i = 0; i < hashes_.size(); ++i) {
    const int d = hammingDistance(hashes_[i], query);
    if (d <= radius) out.push_back({ids_[i], d});
  }
  std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

std::size_t HammingIndex::memoryBytes() const {
  std::size_t bytes = hashes_.capacity() * sizeof(Hash256) + ids_.capacity() * 4;
  for (const Table& t : tables_)
    bytes += (t.start.capacity() + t.keys.capacity() + t.pos.capacity()) * 4;
  return bytes;
}

}  // namespace rx::dedup
