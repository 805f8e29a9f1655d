#include "workstation/reuse.h"

#include <opencv2/imgcodecs.hpp>

#include "base/text.h"
#include "base/time.h"
#include "data/chain.h"
#include "data/prescriptions.h"
#include "data/reuse.h"
#include "workstation/chain.h"
#include "workstation/content.h"

namespace rx::ws {

using nlohmann::json;

namespace {
constexpr std::size_t kDrawnPoints = 60;  // matched points kept with a finding, to draw

// Keeps up to kDrawnPoints of the page points matched with `m`'s record, evenly spread, in
// `info`; returns them rounded, as the finding stores them.
json keepPagePoints(const dedup::ReuseMatch& m, const dedup::PageLookup& lookup,
                    ReuseMatchInfo& info) {
  json points = json::array();
  for (const auto& [r, e] : lookup.evidence)
    if (r == m.record && m.comparison.signals.page.compared)
      for (std::size_t k = 0; k < e.pairs.size() && k < kDrawnPoints; ++k) {
        const auto& [a, b] = e.pairs[k * e.pairs.size() / std::min(e.pairs.size(), kDrawnPoints)];
        info.pagePoints.push_back({a.x, a.y, b.x, b.y});
        points.push_back({std::lround(a.x), std::lround(a.y), std::lround(b.x), std::lround(b.y)});
      }
  return points;
}
}  // namespace

json signalsJson(const dedup::Signals& s) {
  json ink = json::object();
  for (int r = 0; r < dedup::kInkRegions; ++r)
    ink[dedup::inkRegionName(r)] = s.ink[r] < 0 ? json(nullptr) : json(s.ink[r]);
  return {{"number", std::string(dedup::agreementName(s.number))},
          {"issuer", std::string(dedup::agreementName(s.issuer))},
          {"date", std::string(dedup::agreementName(s.date))},
          {"patient", std::string(dedup::agreementName(s.patient))},
          {"drugs", s.drugs < 0 ? json(nullptr) : json(s.drugs)},
          {"text_distance", s.text < 0 ? json(nullptr) : json(s.text)},
          {"ink_distance", ink},
          {"page", !s.page.compared ? json(nullptr)
                                    : json{{"features", s.page.features},
                                           {"ink_found", s.page.inkFound},
                                           {"ink_different", s.page.inkDifferent},
                                           {"ink_unseen", s.page.inkUnseen},
                                           {"same_paper", s.page.samePaper},
                                           {"other_writing", s.page.otherWriting}}}};
}

json ReuseFinding::toJson() const {
  json m = json::array();
  for (const auto& x : matches)
    m.push_back({{"record", x.record},
                 {"store", x.store.empty() ? json(nullptr) : json(x.store)},
                 {"store_name", x.storeName.empty() ? json(nullptr) : json(x.storeName)},
                 {"store_record", x.store.empty() ? json(nullptr) : json(x.storeRecord)},
                 {"verdict", x.verdict},
                 {"state", x.state},
                 {"kind", x.kind},
                 {"arrived_at", x.arrivedAt},
                 {"arrived_by", x.arrivedBy},
                 {"used", x.used},
                 {"score", x.score},
                 {"rule", x.rule},
                 {"signals", x.signals}});
  json out = {{"verdict", std::string(dedup::verdictName(verdict))}, {"matches", m}};
  if (overruledBy)
    out["overruled"] = {
        {"by", *overruledBy}, {"at", overruledAt.value_or("")}, {"reason", *overruleReason}};
  return out;
}

Result<dedup::Fingerprint> ReuseService::fingerprint(const dedup::PresentationContent& content,
                                                     const cv::Mat& page,
                                                     const dedup::InkBoxes& boxes) {
  RX_RETURN_IF_ERROR(loadIfStale());
  return fingerprinter_->make(content, page, boxes);
}

Result<ReuseMatchInfo> ReuseService::describe(std::int64_t record) {
  ReuseMatchInfo m;
  m.record = record;
  if (record < 0) {
    data::ChainRepository chain(session_.store().connection());
    RX_ASSIGN_OR_RETURN(auto row, chain.presentation(-record));
    if (!row) {
      m.state = "forgotten";  // older than the chain's copy keeps
      return m;
    }
    m.store = row->store;
    RX_ASSIGN_OR_RETURN(m.storeName, chain.storeName(row->store));
    m.storeRecord = row->localId;
    m.kind = row->kind;
    m.arrivedAt = row->presentedAt;
    m.arrivedBy = m.storeName;
    m.used = row->state == "handed-out";
    if (m.used) m.usedAt = row->handedOutAt.value_or("");
    m.state = m.used ? "handed out at " + m.storeName + " on " +
                           chinaTime(row->handedOutAt.value_or(row->presentedAt))
                     : "presented at " + m.storeName;
    return m;
  }
  auto r = data::PrescriptionRepository(session_.store().connection()).find(record);
  if (!r) {
    if (r.status().code() != ErrorCode::kNotFound) return r.status();
    m.state = "purged";
    m.used = true;  // only closed records are purged
    return m;
  }
  m.state = std::string(data::rxStateName(r->state));
  m.kind = std::string(data::rxKindName(r->kind));
  m.arrivedAt = r->arrivedAt;
  m.arrivedBy = r->arrivedBy;
  m.used = r->state == data::RxState::kDispensed || r->state == data::RxState::kClosed ||
           r->state == data::RxState::kPartiallyDispensed;
  if (m.used) {
    // The first hand-out made it used (a partial one is followed by others).
    RX_ASSIGN_OR_RETURN(auto steps,
                        data::PrescriptionRepository(session_.store().connection()).steps(record));
    for (const auto& s : steps)
      if (s.step == data::DispenseStep::kHandOut && (m.usedAt.empty() || s.at < m.usedAt))
        m.usedAt = s.at;
  }
  return m;
}

Result<ReuseFinding> ReuseService::record(std::int64_t id, const dedup::Fingerprint& fp,
                                          const cv::Mat& page) {
  return compareAndStore(id, fp, page, false);
}

Result<ReuseFinding> ReuseService::compareAndStore(std::int64_t id, const dedup::Fingerprint& fp,
                                                   const cv::Mat& page, bool pageStored) {
  if (!loaded()) RX_RETURN_IF_ERROR(load());
  // Presentations another program (the GUI, another CLI run) stored since we loaded.
  RX_RETURN_IF_ERROR(addStored(0, {}));
  ReuseFinding f;
  const dedup::QueryFeatures query = dedup::queryFeatures(page);
  const dedup::PageFeatures& features = query.kept;
  Status pageError;
  auto earlierPage = [&](std::int64_t record) -> cv::Mat {
    auto p = this->page(record);
    if (!p) {
      pageError = p.status();
      return cv::Mat();
    }
    return *p;
  };
  dedup::PageLookup lookup;
  auto matches = dedup::findWithPages(index_, pages_, fp, query, page, earlierPage, id, &lookup);
  RX_RETURN_IF_ERROR(pageError);
  for (const auto& [other, fingerprint] : pending_) {  // earlier in this same transaction
    auto c = dedup::compare(fp, fingerprint, index_.thresholds());
    if (c.verdict != dedup::Verdict::kNew) matches.push_back({other, std::move(c)});
  }
  // Only what came before counts: when a pharmacist corrects the fields of an earlier
  // presentation (refresh), a later photo of the same paper is not a reason to block the first.
  std::erase_if(matches, [id](const auto& m) { return m.record >= id; });
  f.verdict = dedup::overallVerdict(matches);
  json stored = json::array();
  for (const auto& m : matches) {
    RX_ASSIGN_OR_RETURN(ReuseMatchInfo info, describe(m.record));
    info.score = m.comparison.score;
    info.verdict = std::string(dedup::verdictName(m.comparison.verdict));
    info.rule = m.comparison.rule;
    info.signals = signalsJson(m.comparison.signals);
    const json points = keepPagePoints(m, lookup, info);
    json entry = {{"record", info.record},
                  {"verdict", info.verdict},
                  {"score", info.score},
                  {"rule", info.rule},
                  {"signals", info.signals}};
    if (!points.empty()) entry["page_points"] = points;
    stored.push_back(std::move(entry));
    f.matches.push_back(std::move(info));
  }
  data::ReuseRepository repo(session_.store().connection());
  RX_RETURN_IF_ERROR(repo.putFingerprint(id, fp.serialize()));
  if (!page.empty() && !pageStored) {
    std::vector<std::uint8_t> jpeg;
    cv::imencode(".jpg", page, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
    RX_RETURN_IF_ERROR(repo.putPage(id, jpeg));
    if (!features.empty()) {
      RX_RETURN_IF_ERROR(repo.putPageFeatures(id, features.serialize()));
      pendingPages_.emplace_back(id, features);
    }
  }
  RX_RETURN_IF_ERROR(repo.putFinding(
      {id, std::string(dedup::verdictName(f.verdict)), stored.dump(), utcTimestamp(), {}, {}, {}}));
  // The chain registry learns the presentation (or its corrected fingerprint) with this store.
  RX_RETURN_IF_ERROR(ChainService(session_).enqueuePresentation(id, utcTimestamp()));
  pending_.emplace_back(id, fp);
  return f;
}

Result<ReuseFinding> ReuseService::refresh(std::int64_t id, const ReadFields& fields,
                                           const std::optional<std::vector<std::string>>& drugs) {
  RX_RETURN_IF_ERROR(loadIfStale());
  RX_ASSIGN_OR_RETURN(auto text,
                      data::ReuseRepository(session_.store().connection()).fingerprint(id));
  dedup::Fingerprint fp;  // none for a record presented before fingerprints were kept
  if (text) {
    RX_ASSIGN_OR_RETURN(fp, dedup::Fingerprint::parse(*text));
  }
  fingerprinter_->setIdentity(fp, confirmedIdentity(fields));
  if (drugs) fingerprinter_->setDrugs(fp, *drugs);
  RX_ASSIGN_OR_RETURN(cv::Mat stored, page(id));
  return compareAndStore(id, fp, stored, true);
}

void ReuseService::commit() {
  for (auto& [id, fp] : pending_) {
    index_.add(id, fp);
    lastId_ = std::max(lastId_, id);
  }
  pending_.clear();
  for (auto& [id, features] : pendingPages_) {
    pages_.add(id, std::move(features));
    lastPageId_ = std::max(lastPageId_, id);
  }
  pendingPages_.clear();
}

Result<std::optional<ReuseFinding>> ReuseService::finding(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(auto row, data::ReuseRepository(session_.store().connection()).finding(id));
  if (!row) return std::optional<ReuseFinding>();
  ReuseFinding f;
  if (row->verdict == "reuse-certain")
    f.verdict = dedup::Verdict::kCertain;
  else if (row->verdict == "reuse-suspected")
    f.verdict = dedup::Verdict::kSuspected;
  f.overruledBy = row->overruledBy;
  f.overruledAt = row->overruledAt;
  f.overruleReason = row->overruleReason;
  const json stored = json::parse(row->matches, nullptr, false);
  if (!stored.is_array())
    return Status(ErrorCode::kCorrupt,
                  "reuse finding of prescription " + std::to_string(id) + ": matches not a list");
  for (const auto& m : stored) {
    RX_ASSIGN_OR_RETURN(ReuseMatchInfo info, describe(m.value("record", std::int64_t{0})));
    info.verdict = m.value("verdict", "");
    info.score = m.value("score", 0.0);
    info.rule = m.value("rule", "");
    info.signals = m.value("signals", json::object());
    if (m.contains("page_points") && m["page_points"].is_array())
      for (const auto& p : m["page_points"])
        if (p.is_array() && p.size() == 4)
          info.pagePoints.push_back(
              {p[0].get<float>(), p[1].get<float>(), p[2].get<float>(), p[3].get<float>()});
    f.matches.push_back(std::move(info));
  }
  return std::optional<ReuseFinding>(std::move(f));
}

Result<cv::Mat> ReuseService::page(std::int64_t id) {
  RX_ASSIGN_OR_RETURN(auto jpeg, data::ReuseRepository(session_.store().connection()).page(id));
  if (!jpeg) return cv::Mat();
  cv::Mat img = cv::imdecode(*jpeg, cv::IMREAD_GRAYSCALE);
  if (img.empty())
    return Status(ErrorCode::kCorrupt,
                  "stored page of prescription " + std::to_string(id) + " is not a readable image");
  return img;
}

Status ReuseService::overrule(std::int64_t id, const std::string& reason) {
  RX_RETURN_IF_ERROR(session_.require(data::Role::kPharmacist, "overrule a reuse suspicion"));
  RX_RETURN_IF_ERROR(
      checkRequiredText("the reason for overruling a reuse suspicion", reason, kMaxNoteText, true));
  RX_ASSIGN_OR_RETURN(auto f, finding(id));
  if (!f || f->verdict == dedup::Verdict::kNew)
    return Status(ErrorCode::kConflict,
                  "prescription " + std::to_string(id) + " has no reuse suspicion to overrule");
  if (f->verdict == dedup::Verdict::kCertain)
    return Status(ErrorCode::kConflict, "prescription " + std::to_string(id) +
                                            " is certainly a reuse; that cannot be overruled");
  auto& conn = session_.store().connection();
  data::Transaction tx(conn);
  RX_RETURN_IF_ERROR(tx.beginStatus());
  RX_RETURN_IF_ERROR(
      data::ReuseRepository(conn).overrule(id, session_.user().name, utcTimestamp(), reason));
  json matched = json::array();
  for (const auto& m : f->matches) matched.push_back(m.record);
  RX_RETURN_IF_ERROR(session_
                         .audit("rx.reuse-overrule", std::to_string(id),
                                {{"reason", reason}, {"matches", matched}})
                         .status());
  return tx.commit();
}

}  // namespace rx::ws
