// Reuse detection at the counter (M9): every presentation gets a fingerprint (dedup/) that is
// compared with all earlier ones through an in-memory index loaded from the store at start-up;
// the finding (new / reuse-suspected / reuse-certain, with each matched record, its state, when
// and by whom it came, and every signal's value) is stored with the presentation. A pharmacist may
// overrule a suspicion with a reason (audited); a certain reuse cannot be overruled.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "dedup/page_reuse.h"
#include "dedup/reuse.h"
#include "workstation/eprescription.h"
#include "workstation/read_fields.h"
#include "workstation/session.h"

namespace rx::ws {

struct ReuseMatchInfo {
  // This store's record; another store's presentation (from the chain registry's copy) has a
  // negative number, its store and its record there.
  std::int64_t record = 0;
  std::string store, storeName;  // empty: this store
  std::int64_t storeRecord = 0;
  std::string state;  // the record's state now, or "purged"
  std::string kind;   // paper | electronic
  std::string arrivedAt, arrivedBy;
  bool used = false;   // handed out
  std::string usedAt;  // when it was first handed out (UTC); empty when not known (purged)
  double score = 0;
  std::string verdict;  // reuse-suspected | reuse-certain
  std::string rule;
  nlohmann::json signals;
  // Where the earlier page's features were found on this one (earlier x, y, this x, y; page
  // pixels), when the pages were compared: drawn side by side in the 'presented before?' window.
  std::vector<std::array<float, 4>> pagePoints;
};

struct ReuseFinding {
  dedup::Verdict verdict = dedup::Verdict::kNew;
  std::vector<ReuseMatchInfo> matches;
  std::optional<std::string> overruledBy, overruledAt, overruleReason;
  bool overruled() const { return overruledBy.has_value(); }
  nlohmann::json toJson() const;
};

nlohmann::json signalsJson(const dedup::Signals& s);

class ReuseService {
 public:
  static constexpr std::size_t kPagesBackfilledQuietly = 64;

  explicit ReuseService(Session& session) : session_(session) {}

  // Loads every stored fingerprint into the index; `progress(done, total)` is called as it goes.
  // Pages kept before page features were (stores from before migration 10) get theirs first: all
  // of them when `pagesProgress(done, total)` is given to show it, else at most
  // kPagesBackfilledQuietly (a few seconds) a load, so a caller without progress never waits long.
  Status load(const std::function<void(std::size_t, std::size_t)>& progress = {},
              const std::function<void(std::size_t, std::size_t)>& pagesProgress = {});
  bool loaded() const { return fingerprinter_.has_value(); }
  std::size_t size() const { return index_.size(); }

  Result<dedup::Fingerprint> fingerprint(const dedup::PresentationContent& content,
                                         const cv::Mat& page = {},
                                         const dedup::InkBoxes& boxes = {});
  // Compares `fp` with every earlier presentation and stores fingerprint and finding for record
  // `id`. Call inside the presenting transaction, then commit() after it committed (the index
  // only learns committed presentations) or discard() if it did not.
  // `page` (the straightened grey page, may be empty) is kept with the record to be shown beside
  // a later presentation, with its features (dedup/page_match.h); it is compared with the
  // earlier pages the page index finds, so a re-photo is caught even when no field was read.
  Result<ReuseFinding> record(std::int64_t id, const dedup::Fingerprint& fp,
                              const cv::Mat& page = {});
  // After a pharmacist confirmed or corrected fields of record `id` (`fields`: as they are now),
  // compares it again with the corrected identity (and `drugs`, the drug names, when the lines
  // were corrected). An earlier overrule no longer applies. Same transaction rules as record().
  Result<ReuseFinding> refresh(std::int64_t id, const ReadFields& fields,
                               const std::optional<std::vector<std::string>>& drugs = {});
  void commit();
  void discard() {
    pending_.clear();
    pendingPages_.clear();
  }

  // The stored finding, with each match's current state.
  Result<std::optional<ReuseFinding>> finding(std::int64_t id);
  // The stored straightened page of a paper presentation (grey), empty if none.
  Result<cv::Mat> page(std::int64_t id);
  // Pharmacists: accept a suspected reuse as a different prescription, with the reason.
  Status overrule(std::int64_t id, const std::string& reason);

 private:
  Result<ReuseMatchInfo> describe(std::int64_t record);
  // Loads the index, or loads it again when the store's key changed (a chain joined).
  Status loadIfStale();
  // record() with `page` already stored (false: store it and its features).
  Result<ReuseFinding> compareAndStore(std::int64_t id, const dedup::Fingerprint& fp,
                                       const cv::Mat& page, bool pageStored);
  Status backfill();
  Status backfillPages(const std::function<void(std::size_t, std::size_t)>& progress);
  Status addStored(std::size_t total,
                   const std::function<void(std::size_t, std::size_t)>& progress);
  Session& session_;
  std::optional<dedup::Fingerprinter> fingerprinter_;
  dedup::ReuseIndex index_;
  dedup::PageIndex pages_;
  std::vector<std::pair<std::int64_t, dedup::Fingerprint>> pending_;
  std::vector<std::pair<std::int64_t, dedup::PageFeatures>> pendingPages_;
  std::int64_t lastId_ = 0;        // the highest record whose fingerprint the index holds
  std::int64_t lastPageId_ = 0;    // the highest record whose page features the page index holds
  std::int64_t lastChainSeq_ = 0;  // the last of the chain's presentations the index holds
  crypto::SecretBytes secret_;     // the key the index's fingerprints were made with
};

}  // namespace rx::ws
