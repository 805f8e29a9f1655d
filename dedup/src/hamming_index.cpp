#include "dedup/hamming_index.h"

#include <algorithm>
#include <bit>

namespace rx::dedup {

void HammingIndex::reserve(std::size_t n) {
  hashes_.reserve(n);
  ids_.reserve(n);
}

void HammingIndex::add(std::uint32_t id, const Hash256& hash) {
  hashes_.push_back(hash);
  ids_.push_back(id);
  const std::size_t tail = hashes_.size() - indexed_;
  if (tail > std::max<std::size_t>(256, indexed_ / 32)) rebuild();
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
    t.keys.resize(n);
    t.pos.resize(n);
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

void HammingIndex::probe(const Table& t, std::uint32_t key, const Hash256& query, int radius,
                         std::vector<Hit>& out) const {
  const std::uint32_t b = bucket(key);
  for (std::uint32_t i = t.start[b], end = t.start[b + 1]; i < end; ++i) {
    if (t.keys[i] != key) continue;
    const int d = hammingDistance(hashes_[t.pos[i]], query);
    if (d <= radius) out.push_back({t.pos[i], d});
  }
}

std::vector<HammingIndex::Hit> HammingIndex::within(const Hash256& query, int radius) const {
  std::vector<Hit> out;  // positions first, ids at the end
  if (radius < 0) return out;
  radius = std::min(radius, 31);
  if (indexed_ > 0) {
    const int sub = radius / kChunks;
    for (int c = 0; c < kChunks; ++c) {
      const Table& t = tables_[c];
      const std::uint32_t q = chunk(query, c);
      probe(t, q, query, radius, out);
      if (sub >= 1)
        for (int i = 0; i < 32; ++i) {
          const std::uint32_t qi = q ^ (1u << i);
          probe(t, qi, query, radius, out);
          if (sub >= 2)
            for (int j = i + 1; j < 32; ++j) {
              const std::uint32_t qj = qi ^ (1u << j);
              probe(t, qj, query, radius, out);
              if (sub >= 3)
                for (int k = j + 1; k < 32; ++k) probe(t, qj ^ (1u << k), query, radius, out);
            }
        }
    }
  }
  for (std::size_t i = indexed_; i < hashes_.size(); ++i) {
    const int d = hammingDistance(hashes_[i], query);
    if (d <= radius) out.push_back({static_cast<std::uint32_t>(i), d});
  }
  std::sort(out.begin(), out.end(),
            [](const Hit& a, const Hit& b) { return a.id < b.id; });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  for (Hit& h : out) h.id = ids_[h.id];
  std::sort(out.begin(), out.end(), [](const Hit& a, const Hit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.id < b.id;
  });
  return out;
}

std::vector<HammingIndex::Hit> HammingIndex::scan(const Hash256& query, int radius) const {
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
