#include "dedup/page_reuse.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "two_threads.h"

namespace rx::dedup {

NumberReadings NumberReadings::of(const Fingerprint& query, const Fingerprint& earlier) {
  const bool bothKnown = query.number != 0 && earlier.number != 0;
  return {.bothByOcr = bothKnown && query.numberRead && earlier.numberRead,
          .bothTakenAsRead = bothKnown && !query.numberUnsure() && !earlier.numberUnsure()};
}

namespace {

// The candidates with at least a quarter of the best's votes.
std::vector<PageIndex::Candidate> strongest(std::vector<PageIndex::Candidate> found) {
  if (!found.empty()) {
    const double best = found.front().votes;
    std::erase_if(found, [&](const PageIndex::Candidate& c) { return c.votes * 4 < best; });
  }
  return found;
}

}  // namespace

std::vector<PageIndex::Candidate> candidatesToRegister(const PageIndex& pages,
                                                       const PageFeatures& voteFeatures,
                                                       std::size_t* asked, std::size_t depth) {
  auto found = pages.candidates(voteFeatures, depth);
  if (asked) *asked = found.size();
  return strongest(std::move(found));
}

Comparison withPage(Comparison c, const PageEvidence& e, NumberReadings numbers) {
  auto& p = c.signals.page;
  p.compared = e.registered;
  p.features = e.inliers;
  p.inkFound = e.confirmed;
  p.inkDifferent = e.conflicts;
  p.inkUnseen = e.unseen;
  // Two different numbers are another prescription whatever the picture says when the dates
  // differ too (a blurred photo of a monthly repeat can look like the earlier page) or when
  // neither number is an unsure reading: the ink cells see where the writing is, not which
  // digits it holds, and a repeat written on the same day differs in its number alone.
  const bool fieldsDiffer = c.signals.number == Agreement::kDiffer &&
                            (c.signals.date == Agreement::kDiffer || numbers.bothTakenAsRead);
  p.samePaper = e.samePaper() && !fieldsDiffer;
  p.otherWriting = !p.samePaper && e.otherWriting();
  const int checked = e.confirmed + e.conflicts;
  const double pageScore = checked > 0 ? static_cast<double>(e.confirmed) / checked : 0;
  if (p.samePaper) {
    c.score = std::max(c.score, pageScore);
    if (c.verdict == Verdict::kNew) {
      c.verdict = Verdict::kSuspected;
      c.rule = "the same written page: " + std::to_string(e.confirmed) +
               " ink cells of the earlier page found in place, " + std::to_string(e.conflicts) +
               " different";
    }
  } else if (c.verdict == Verdict::kNew && e.mostlyFound() &&
             c.signals.number == Agreement::kUnknown && c.signals.date == Agreement::kSame &&
             c.signals.patient == Agreement::kSame && c.signals.drugs >= 0.5) {
    // The picture's limit on different cells side by side keeps a repeat whose number or date
    // alone changed from passing as the same page. Here the date and the patient read the same
    // and half the drugs or more (Jaccard), with a number not read: the fields alone flag that
    // when the hospital was not read otherwise ("number unreadable; same issuer, date and
    // patient") or every drug reads the same ("number unreadable; same date, patient and
    // drugs"). What is left is a crumpled sheet whose folds left words unlike, its hospital and a
    // drug misread: the two signals together flag it. The patient must read the same (not only its
    // ink alike): the picture has already given up its limit. Its writing is taken for this
    // paper's, so it is not reported as other writing.
    p.otherWriting = false;
    c.verdict = Verdict::kSuspected;
    c.score = std::max(c.score, pageScore);
    c.rule =
        "the same patient and date, half the drugs or more, on a page whose writing is "
        "found in place: " +
        std::to_string(e.confirmed) + " ink cells found, " + std::to_string(e.conflicts) +
        " different";
  } else if (p.otherWriting && numbers.bothByOcr && c.signals.number == Agreement::kSame &&
             e.mostlyOtherWriting()) {
    // Two papers whose writing mostly differs are two prescriptions, whatever one number OCR read
    // on both says (the next number of a visit, one digit misread).
    c.verdict = Verdict::kNew;
    c.rule.clear();
  } else if (p.otherWriting && c.verdict == Verdict::kSuspected &&
             c.signals.number != Agreement::kSame && c.signals.drugs < 0.5) {
    // Not when the drugs read on both are mostly the same: a second prescription of the visit
    // has other drugs, and a crumpled or dim photo of the same paper can leave a few words
    // looking different.
    c.verdict = Verdict::kNew;
    c.rule.clear();
  }
  return c;
}

std::vector<ReuseMatch> findWithPages(const ReuseIndex& fields, const PageIndex& pages,
                                      const Fingerprint& fp, const QueryFeatures& query,
                                      const cv::Mat& page, const EarlierPageLoader& earlierPage,
                                      std::optional<std::int64_t> exclude, PageLookup* lookup) {
  const PageFeatures& features = query.kept;
  PageLookup local;
  PageLookup& look = lookup ? *lookup : local;
  look = {};
  // Every earlier record the fields compared as alike, and the page index's candidates.
  std::vector<ReuseMatch> byFields = fields.find(fp, exclude);
  if (features.empty()) return byFields;
  std::vector<std::int64_t> records;
  for (const auto& m : byFields) records.push_back(m.record);
  const std::set<std::int64_t> matchedByFields(records.begin(), records.end());
  auto isFieldMatch = [&](std::int64_t r) { return matchedByFields.count(r) > 0; };
  // The vote looks for the earlier pages' features among more of the query's than registration
  // pairs (kVoteFeatureCount); among those when the caller found no more. One vote for both
  // stages below: the index's best kPageCandidates are the first of its best kDeeperCandidates.
  std::size_t asked = 0;
  const auto ranked = candidatesToRegister(pages, query.vote.empty() ? features : query.vote,
                                           &asked, kDeeperCandidates);
  const std::size_t firstCount = std::min(ranked.size(), kPageCandidates);
  std::map<std::int64_t, std::optional<PageEvidence>> registrationOf;  // each record once
  std::map<std::int64_t, PageEvidence> evidence;                       // compared in ink
  // One stage of the lookup: the field matches and the index's candidates up to `depth` are
  // registered (each record once over the stages), and of them the field matches and up to
  // kInkComparisons pages are compared in ink: in the first stage any, in the next only
  // candidates ranked from `from` on (a page the first stage left out had its turn).
  auto stage = [&](std::size_t depth, std::size_t from) {
    const std::vector<PageIndex::Candidate> found(
        ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(depth));
    std::set<std::int64_t> eligible;  // for ink beyond the field matches
    for (std::size_t k = from; k < depth; ++k) eligible.insert(ranked[k].record);
    std::vector<std::int64_t> records;
    for (const auto& m : byFields) records.push_back(m.record);
    for (const auto& c : found)
      if (!(exclude && c.record == *exclude) && !isFieldMatch(c.record))  // named once each
        records.push_back(c.record);
    std::vector<std::int64_t> fresh;
    std::vector<const PageFeatures*> earlierFeatures;
    for (std::int64_t r : records)
      if (!registrationOf.count(r)) {
        fresh.push_back(r);
        earlierFeatures.push_back(pages.features(r));
      }
    auto registrations = registerAll(features, earlierFeatures);
    for (std::size_t k = 0; k < fresh.size(); ++k)
      registrationOf[fresh[k]] = std::move(registrations[k]);
    std::vector<std::pair<std::int64_t, PageEvidence>> registered;
    for (std::int64_t r : records)
      if (const auto& e = registrationOf[r]) registered.emplace_back(r, *e);
    look.registered = registered.size();
    // Strongest first by what the query shares with few of the registered pages: a query feature
    // that agrees with most of them is the printed form; one that agrees with one page (or with
    // the two or three earlier photos of one paper) is writing.
    std::map<std::pair<float, float>, int> sharedBy;
    for (const auto& [r, e] : registered)
      for (const auto& [from, to] : e.pairs) ++sharedBy[{to.x, to.y}];
    const int few = std::max(2, static_cast<int>(registered.size()) / 3);
    std::map<std::int64_t, int> own;
    for (const auto& [r, e] : registered)
      for (const auto& [from, to] : e.pairs) own[r] += sharedBy[{to.x, to.y}] <= few ? 1 : 0;
    // Neither order alone puts the paper first every time (docs/reuse.md): the pages are taken
    // from the two in turn, by features of their own and by the index's votes.
    auto votesOf = [&](std::int64_t r) {
      for (const auto& c : found)
        if (c.record == r) return c.votes;
      return 0.0;
    };
    auto byOwn = registered, byVotes = registered;
    std::stable_sort(byOwn.begin(), byOwn.end(),
                     [&](const auto& a, const auto& b) { return own[a.first] > own[b.first]; });
    std::stable_sort(byVotes.begin(), byVotes.end(), [&](const auto& a, const auto& b) {
      return votesOf(a.first) > votesOf(b.first);
    });
    registered.clear();
    for (std::size_t k = 0; k < byOwn.size(); ++k)
      for (const auto* x : {&byOwn[k], &byVotes[k]})
        if (std::none_of(registered.begin(), registered.end(),
                         [&](const auto& y) { return y.first == x->first; }))
          registered.push_back(*x);
    int bestInliers = 0;
    for (const auto& x : registered) bestInliers = std::max(bestInliers, x.second.inliers);
    // Field matches are always compared (a veto needs the picture); then the best registered.
    std::stable_partition(registered.begin(), registered.end(),
                          [&](const auto& x) { return isFieldMatch(x.first); });
    struct Job {
      std::int64_t record;
      PageEvidence* evidence;
      cv::Mat earlier;
    };
    std::vector<Job> toCompare;
    std::size_t byPicture = 0;  // ink comparisons of pages the fields did not match
    for (auto& [record, e] : registered) {
      const std::int64_t r = record;    // a lambda may not capture a structured binding (clang 14)
      if (evidence.count(r)) continue;  // compared by an earlier stage
      const bool fieldMatch = isFieldMatch(r);
      if (!fieldMatch && !eligible.count(r)) continue;
      // Beyond the field matches, only the best registered pages are worth their ink; the field
      // matches do not use up their share (a same-day, same-hospital record would crowd out the
      // paper the picture found).
      if (!fieldMatch && (byPicture >= kInkComparisons || e.inliers * 2 < bestInliers)) continue;
      // The earlier pages are loaded here, one after the other (the loader may read the store).
      cv::Mat earlier = earlierPage ? earlierPage(r) : cv::Mat();
      if (earlier.empty()) continue;
      toCompare.push_back({r, &e, std::move(earlier)});
      byPicture += fieldMatch ? 0 : 1;
    }
    // The comparisons are independent: half of them on a second thread (compareInk keeps its
    // buffers per thread).
    onTwoThreads(toCompare.size(), [&](std::size_t k) {
      compareInk(page, toCompare[k].earlier, *toCompare[k].evidence);
    });
    for (const auto& c : toCompare) {
      ++look.inkCompared;
      evidence.emplace(c.record, *c.evidence);
    }
  };
  look.candidates = std::min(asked, kPageCandidates);
  stage(firstCount, 0);
  // A page whose number was not read, and no page compared is the same written page: the index's
  // candidates ranked after the first are looked at too. A re-photo whose number was read finds its
  // earlier record by the number; one whose number was not read has the picture alone, and a photo
  // whose page was found at another outline, or a dim one, keeps few of the earlier page's features
  // in place: its paper can rank below the first kPageCandidates though it registers (busy desks'
  // re-photo 224: 54th, 1 cell different).
  if (fp.number == 0 && ranked.size() > firstCount &&
      std::none_of(evidence.begin(), evidence.end(),
                   [](const auto& x) { return x.second.samePaper(); })) {
    look.deeper = true;
    look.candidates = asked;
    stage(ranked.size(), firstCount);
  }

  auto readings = [&](std::int64_t r) {
    const Fingerprint* earlierFp = fields.fingerprint(r);
    return earlierFp ? NumberReadings::of(fp, *earlierFp) : NumberReadings{};
  };
  std::vector<ReuseMatch> out;
  for (auto& m : byFields) {
    auto it = evidence.find(m.record);
    if (it != evidence.end())
      m.comparison = withPage(std::move(m.comparison), it->second, readings(m.record));
    if (m.comparison.verdict != Verdict::kNew) out.push_back(std::move(m));
  }
  for (const auto& [record, e] : evidence) {
    const std::int64_t r = record;
    // Field matches were combined with their evidence above (kept or dropped there).
    if (isFieldMatch(r)) continue;
    const Fingerprint* earlierFp = fields.fingerprint(r);
    Comparison c = earlierFp ? compare(fp, *earlierFp, fields.thresholds()) : Comparison{};
    c = withPage(std::move(c), e, readings(r));
    if (c.verdict != Verdict::kNew) out.push_back({r, std::move(c)});
  }
  // Of equal verdicts, a record whose date reads other than the query's comes after the others:
  // a monthly repeat of the paper is the same picture but for its number and date, and when the
  // query's number was not read, its date is what tells the repeat from the paper itself (seed
  // 31415's re-photo 248, a phone's screen, was put with the repeat by a hair's score).
  auto dateDiffers = [](const ReuseMatch& m) {
    return m.comparison.signals.date == Agreement::kDiffer;
  };
  std::sort(out.begin(), out.end(), [&](const ReuseMatch& a, const ReuseMatch& b) {
    if (a.comparison.verdict != b.comparison.verdict)
      return a.comparison.verdict > b.comparison.verdict;
    if (dateDiffers(a) != dateDiffers(b)) return !dateDiffers(a);
    if (a.comparison.score != b.comparison.score) return a.comparison.score > b.comparison.score;
    return a.record < b.record;
  });
  for (auto& [r, e] : evidence) look.evidence.emplace_back(r, std::move(e));
  std::stable_sort(look.evidence.begin(), look.evidence.end(), [](const auto& a, const auto& b) {
    return a.second.confirmed > b.second.confirmed;
  });
  return out;
}

}  // namespace rx::dedup
