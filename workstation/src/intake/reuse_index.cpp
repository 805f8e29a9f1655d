// Loading the reuse index from the store: fingerprints, page features, the chain's presentations.
#include "workstation/reuse.h"

#include <spdlog/spdlog.h>

#include "data/chain.h"
#include "data/prescriptions.h"
#include "data/reuse.h"
#include "workstation/content.h"

namespace rx::ws {

Status ReuseService::load(const std::function<void(std::size_t, std::size_t)>& progress,
                          const std::function<void(std::size_t, std::size_t)>& pagesProgress) {
  RX_RETURN_IF_ERROR(backfillPages(pagesProgress));
  data::ReuseRepository repo(session_.store().connection());
  RX_ASSIGN_OR_RETURN(crypto::SecretBytes key, repo.secret());
  RX_ASSIGN_OR_RETURN(std::int64_t total, repo.fingerprintCount());
  index_ = dedup::ReuseIndex();
  pages_ = dedup::PageIndex();
  lastId_ = 0;
  lastPageId_ = 0;
  lastChainSeq_ = 0;
  secret_ = key;
  index_.beginBulkLoad(static_cast<std::size_t>(total));
  Status added = addStored(static_cast<std::size_t>(total), progress);
  index_.endBulkLoad();
  RX_RETURN_IF_ERROR(added);
  fingerprinter_.emplace(std::move(key));
  return backfill();
}

Status ReuseService::backfill() {
  auto& conn = session_.store().connection();
  RX_ASSIGN_OR_RETURN(auto missing, data::ReuseRepository(conn).withoutFingerprint());
  if (missing.empty()) return Status();
  // Records from before fingerprints were kept get one from what was stored (no image evidence),
  // so a later re-photo of them is still caught.
  data::PrescriptionRepository prescriptions(conn);
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  std::vector<std::pair<std::int64_t, dedup::Fingerprint>> made;
  for (std::int64_t id : missing) {
    RX_ASSIGN_OR_RETURN(data::PrescriptionRecord r, prescriptions.find(id));
    dedup::Fingerprint fp = fingerprinter_->make(contentOf(r), {}, {});
    RX_RETURN_IF_ERROR(data::ReuseRepository(conn).putFingerprint(id, fp.serialize()));
    made.emplace_back(id, std::move(fp));
  }
  RX_RETURN_IF_ERROR(tx.commit());
  for (auto& [id, fp] : made) {
    index_.add(id, fp);
    lastId_ = std::max(lastId_, id);
  }
  return Status();
}

Status ReuseService::backfillPages(const std::function<void(std::size_t, std::size_t)>& progress) {
  auto& conn = session_.store().connection();
  data::ReuseRepository repo(conn);
  RX_ASSIGN_OR_RETURN(auto missing, repo.pagesWithoutFeatures());
  if (!progress && missing.size() > kPagesBackfilledQuietly)
    missing.resize(kPagesBackfilledQuietly);
  // Computed outside the store's write lock, written in short transactions, so the counter and a
  // backup go on meanwhile; another process doing the same at once writes the same rows.
  constexpr std::size_t kBatch = 32;
  for (std::size_t at = 0; at < missing.size(); at += kBatch) {
    std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> made;
    for (std::size_t k = at; k < std::min(missing.size(), at + kBatch); ++k) {
      auto stored = page(missing[k]);
      // An unreadable page gets no features (rxdesk-cli check names it): marked done, not retried.
      const cv::Mat gray = stored ? *stored : cv::Mat();
      made.emplace_back(missing[k], dedup::pageFeatures(gray).serialize());
    }
    data::Transaction tx(conn);
    RX_RETURN_IF_ERROR(tx.beginStatus());
    for (const auto& [id, bytes] : made) RX_RETURN_IF_ERROR(repo.putPageFeatures(id, bytes));
    RX_RETURN_IF_ERROR(tx.commit());
    if (progress) progress(std::min(missing.size(), at + kBatch), missing.size());
  }
  return Status();
}

Status ReuseService::addStored(std::size_t total,
                               const std::function<void(std::size_t, std::size_t)>& progress) {
  std::size_t done = 0;
  data::ReuseRepository repo(session_.store().connection());
  std::vector<std::int64_t> damaged;
  RX_RETURN_IF_ERROR(repo.forEachPageFeatures(
      [&](std::int64_t id, const std::vector<std::uint8_t>& bytes) -> Status {
        for (const auto& p : pendingPages_)
          if (p.first == id) return Status();
        lastPageId_ = std::max(lastPageId_, id);
        auto features = dedup::PageFeatures::parse(bytes);
        if (!features) {
          damaged.push_back(id);
          return Status();
        }
        pages_.add(id, std::move(*features));
        return Status();
      },
      lastPageId_));
  // Page features are derived from the kept page: damaged ones are made again from it rather
  // than stopping every intake.
  for (std::int64_t id : damaged) {
    spdlog::warn("page features of prescription {} were damaged; made again from its kept page",
                 id);
    auto stored = page(id);
    dedup::PageFeatures features = dedup::pageFeatures(stored ? *stored : cv::Mat());
    RX_RETURN_IF_ERROR(repo.putPageFeatures(id, features.serialize()));
    pages_.add(id, std::move(features));
  }
  RX_RETURN_IF_ERROR(repo.forEachFingerprint(
      [&](std::int64_t id, const std::string& text, bool) -> Status {
        // This session's own presentations of the open transaction join at commit().
        for (const auto& p : pending_)
          if (p.first == id) return Status();
        lastId_ = std::max(lastId_, id);
        auto fp = dedup::Fingerprint::parse(text);
        if (!fp)
          return Status(ErrorCode::kCorrupt, "fingerprint of prescription " + std::to_string(id) +
                                                 ": " + fp.status().message());
        index_.add(id, *fp);
        if (progress && (++done % 4096 == 0 || done == total)) progress(done, total);
        return Status();
      },
      lastId_));
  // The other stores' presentations (the chain registry's copy, docs/registry.md), keyed with the
  // same chain key, under negative numbers.
  return data::ChainRepository(session_.store().connection())
      .forEachPresentation(
          [&](const data::ChainPresentationRow& row) -> Status {
            lastChainSeq_ = std::max(lastChainSeq_, row.seq);
            auto fp = dedup::Fingerprint::parse(row.fingerprint);
            if (!fp) {
              spdlog::warn("a fingerprint from the chain registry (store {}) is damaged; skipped",
                           row.store);
              return Status();
            }
            index_.add(-row.registryId, *fp);
            return Status();
          },
          lastChainSeq_);
}

Status ReuseService::loadIfStale() {
  if (loaded()) {
    // Joining a chain replaces the key (perhaps in another program): everything is keyed anew.
    RX_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                        data::ReuseRepository(session_.store().connection()).secret());
    if (key == secret_) return Status();
  }
  return load();
}

}  // namespace rx::ws
