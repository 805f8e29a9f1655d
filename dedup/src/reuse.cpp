#include "dedup/reuse.h"

#include <algorithm>
#include <bit>

namespace rx::dedup {

std::string_view verdictName(Verdict v) {
  switch (v) {
    case Verdict::kNew:
      return "new";
    case Verdict::kSuspected:
      return "reuse-suspected";
    case Verdict::kCertain:
      return "reuse-certain";
  }
  return "?";
}

std::string_view agreementName(Agreement a) {
  switch (a) {
    case Agreement::kUnknown:
      return "unknown";
    case Agreement::kSame:
      return "same";
    case Agreement::kNear:
      return "near";
    case Agreement::kDiffer:
      return "differ";
  }
  return "?";
}

namespace {

Agreement agree(std::uint64_t a, std::uint64_t b) {
  if (a == 0 || b == 0) return Agreement::kUnknown;
  return a == b ? Agreement::kSame : Agreement::kDiffer;
}

bool sharesAny(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  auto i = a.begin(), j = b.begin();  // both sorted
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j)
      ++i;
    else
      ++j;
  }
  return false;
}

double jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.empty() || b.empty()) return -1;
  std::size_t common = 0;
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) {
      ++common;
      ++i;
      ++j;
    } else if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

// Bits apart of region `r`'s ink hashes (of 64); -1 when either was not hashed.
int inkDistance(const Fingerprint& a, const Fingerprint& b, int r) {
  return a.hasInk(r) && b.hasInk(r) ? std::popcount(a.ink[r] ^ b.ink[r]) : -1;
}

}  // namespace

Comparison compare(const Fingerprint& q, const Fingerprint& e, const ReuseThresholds& t) {
  Comparison c;
  Signals& s = c.signals;
  s.number = agree(q.number, e.number);
  // One character off is a possible misreading when OCR was unsure of one of the two numbers, or
  // when both were read and all else on the two papers is the same (hospital, date, patient and
  // drugs: a confident misreading). Otherwise numbers one apart are consecutive prescriptions:
  // signed ones, or two read with confidence with other drugs (the second of a visit).
  const bool allElseSame = q.numberRead && e.numberRead && q.issuer && q.issuer == e.issuer &&
                           q.date && q.date == e.date && q.patient && q.patient == e.patient &&
                           !q.drugs.empty() && q.drugs == e.drugs;
  const bool unsure = q.numberUnsure() || e.numberUnsure();
  if (s.number == Agreement::kDiffer && (unsure || allElseSame) &&
      sharesAny(q.numberNear, e.numberNear))
    s.number = Agreement::kNear;
  s.issuer = agree(q.issuer, e.issuer);
  s.date = agree(q.date, e.date);
  s.patient = agree(q.patient, e.patient);
  s.drugs = jaccard(q.drugs, e.drugs);
  if (q.hasText && e.hasText) s.text = hammingDistance(q.text, e.text);
  for (int r = 0; r < kInkRegions; ++r) s.ink[r] = inkDistance(q, e, r);

  auto inkSame = [&](int r) { return s.ink[r] >= 0 && s.ink[r] <= t.inkClose; };
  int inkAlike = 0;
  for (int r = 0; r < kInkRegions; ++r) inkAlike += inkSame(r) ? 1 : 0;
  const bool dateSame = s.date == Agreement::kSame;
  // A name OCR read differently whose ink is alike is the same name misread.
  const bool patientSame = s.patient == Agreement::kSame ||
                           (s.patient == Agreement::kDiffer && s.ink[kInkPatient] >= 0 &&
                            s.ink[kInkPatient] <= t.inkClose);

  // Score: agreeing evidence over available evidence, for ranking.
  double have = 0, got = 0;
  auto weigh = [&](double weight, bool known, double value) {
    if (!known) return;
    have += weight;
    got += weight * value;
  };
  weigh(4, s.number != Agreement::kUnknown,
        s.number == Agreement::kSame   ? 1
        : s.number == Agreement::kNear ? 0.7
                                       : 0);
  weigh(1, s.issuer != Agreement::kUnknown, s.issuer == Agreement::kSame);
  weigh(2, s.date != Agreement::kUnknown, dateSame);
  weigh(2, s.patient != Agreement::kUnknown, patientSame);
  weigh(1, s.drugs >= 0, std::max(0.0, s.drugs));
  weigh(1, s.text >= 0, std::max(0.0, 1 - s.text / 128.0));
  for (int r = 0; r < kInkRegions; ++r)
    weigh(0.5, s.ink[r] >= 0, std::max(0.0, 1 - s.ink[r] / 32.0));
  c.score = have > 0 ? got / have : 0;

  if (s.number == Agreement::kSame && s.issuer != Agreement::kDiffer && (dateSame || patientSame)) {
    c.verdict = Verdict::kCertain;
    c.rule =
        dateSame ? "same prescription number and date" : "same prescription number and patient";
  } else if (s.number == Agreement::kSame &&
             !(s.issuer == Agreement::kDiffer && s.date == Agreement::kDiffer &&
               s.patient == Agreement::kDiffer)) {
    c.verdict = Verdict::kSuspected;
    c.rule = "same prescription number";
  } else if (s.number == Agreement::kNear && dateSame && s.drugs != 0 &&
             (patientSame || s.drugs >= 0.5 || inkSame(kInkNumber))) {
    // Not when the drugs read on both share none: the next number of the same day, for the same
    // patient, with other drugs is the visit's second prescription (the page can still say it is
    // the same paper).
    c.verdict = Verdict::kSuspected;
    c.rule = "prescription number one character off, same date";
  } else if (s.number != Agreement::kSame && unsure && dateSame && inkSame(kInkNumber) &&
             s.drugs != 0 && (patientSame || s.drugs >= 0.5)) {
    c.verdict = Verdict::kSuspected;
    c.rule = "same date, and the number looks the same on the page (misread)";
  } else if (s.number == Agreement::kUnknown && dateSame && patientSame &&
             s.issuer != Agreement::kDiffer) {
    c.verdict = Verdict::kSuspected;
    c.rule = "number unreadable; same issuer, date and patient";
  } else if (s.number == Agreement::kDiffer && unsure && q.numberRead && e.numberRead && dateSame &&
             s.patient == Agreement::kSame && s.issuer != Agreement::kDiffer && s.drugs > 0) {
    // A number OCR was unsure of and that differs says no more than none: read short, or with
    // more than one character wrong (`556328214` for 556928211764 on a screen's photo). Only
    // with both numbers read by OCR (a signed number is as written), the patient's name read the
    // same (alike ink of a name read otherwise was another patient's on rx-photos-v1: a fresh
    // prescription of the same hospital and day), and a drug read on both (the visit's second
    // prescription, its number misread, has other drugs; unread drugs say nothing).
    c.verdict = Verdict::kSuspected;
    c.rule = "number read unsure and different; same date, patient and a drug";
  } else if (s.number == Agreement::kUnknown && dateSame && patientSame && s.drugs >= 1.0) {
    // The hospital's long name is the field OCR misreads most; the same patient with the same
    // drugs on the same day is the same paper, or a second prescription worth a look.
    c.verdict = Verdict::kSuspected;
    c.rule = "number unreadable; same date, patient and drugs";
  } else if (inkAlike >= 3 && s.number != Agreement::kSame && s.drugs != 0 &&
             (s.date != Agreement::kDiffer || inkAlike == kInkRegions) &&
             !(s.number == Agreement::kDiffer && s.date == Agreement::kDiffer) &&
             !(s.number == Agreement::kDiffer && !q.numberUnsure() && !e.numberUnsure())) {
    // Ink decides where OCR could not: two numbers read with confidence (or signed) that differ
    // are two prescriptions (a same-day one for the same patient and drug has alike date, drug
    // and number ink: numbers of one day share their first digits); a number and a date both
    // read and both different are
    // another prescription, however alike the ink (a monthly repeat's 2026-03-05 and 2026-04-05,
    // and numbers sharing their first digits, were seen 6 and 14 bits apart).
    c.verdict = Verdict::kSuspected;
    c.rule = "the filled-in ink looks the same (" + std::to_string(inkAlike) + " of 4 regions)";
  }
  return c;
}

void ReuseIndex::add(std::int64_t record, const Fingerprint& fp) {
  const auto at = static_cast<std::uint32_t>(records_.size());
  records_.emplace_back(record, fp);
  latest_[record] = at;  // an earlier entry of the record is skipped from now on
  for (std::uint64_t k : fp.numberNear) byNumber_[k].push_back(at);
  if (fp.patient) byPatient_[fp.patient].push_back(at);
  if (fp.date) byDate_[fp.date].push_back(at);
  if (fp.inkRegions == (1 << kInkRegions) - 1) ink_.add(at, fp.ink);
}

const Fingerprint* ReuseIndex::fingerprint(std::int64_t record) const {
  auto it = latest_.find(record);
  return it == latest_.end() ? nullptr : &records_[it->second].second;
}

void ReuseIndex::beginBulkLoad(std::size_t expected) {
  records_.reserve(records_.size() + expected);
  ink_.reserve(ink_.size() + expected);
  ink_.deferIndexing(true);
}

std::vector<ReuseMatch> ReuseIndex::find(const Fingerprint& fp, std::optional<std::int64_t> exclude,
                                         std::size_t* compared) const {
  std::vector<std::uint32_t> candidates;
  auto collect = [&](const std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>& map,
                     std::uint64_t key) {
    if (auto it = map.find(key); it != map.end())
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  };
  for (std::uint64_t k : fp.numberNear) collect(byNumber_, k);
  if (fp.patient) collect(byPatient_, fp.patient);
  if (fp.inkRegions == (1 << kInkRegions) - 1)
    for (const auto& hit : ink_.within(fp.ink, thresholds_.inkSearch)) candidates.push_back(hit.id);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  // Every presentation of the same day is a candidate too, but one that shares neither a number
  // key nor the patient can only be suspected through its ink (compare's rules: a misread number
  // whose ink is alike, a misread name whose ink is alike, three regions of ink alike). Those
  // without one ink region alike are left out before compare: a chain's day holds thousands.
  if (fp.date) {
    if (auto it = byDate_.find(fp.date); it != byDate_.end()) {
      const std::size_t found = candidates.size();
      for (std::uint32_t at : it->second) {
        const Fingerprint& e = records_[at].second;
        bool inkAlike = false;
        for (int r = 0; r < kInkRegions && !inkAlike; ++r) {
          const int d = inkDistance(fp, e, r);
          inkAlike = d >= 0 && d <= thresholds_.inkClose;
        }
        const bool sameKey =
            (fp.number && fp.number == e.number) || (fp.patient && fp.patient == e.patient);
        if ((inkAlike || sameKey) &&
            !std::binary_search(candidates.begin(), candidates.begin() + found, at))
          candidates.push_back(at);
      }
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
  }
  if (compared) *compared = candidates.size();

  std::vector<ReuseMatch> out;
  for (std::uint32_t at : candidates) {
    const auto& [record, earlier] = records_[at];
    if (exclude && record == *exclude) continue;
    if (latest_.at(record) != at) continue;  // replaced
    Comparison c = compare(fp, earlier, thresholds_);
    if (c.verdict != Verdict::kNew) out.push_back({record, std::move(c)});
  }
  std::sort(out.begin(), out.end(), [](const ReuseMatch& a, const ReuseMatch& b) {
    if (a.comparison.verdict != b.comparison.verdict)
      return a.comparison.verdict > b.comparison.verdict;
    if (a.comparison.score != b.comparison.score) return a.comparison.score > b.comparison.score;
    return a.record < b.record;
  });
  return out;
}

Verdict overallVerdict(const std::vector<ReuseMatch>& matches) {
  return matches.empty() ? Verdict::kNew : matches.front().comparison.verdict;
}

}  // namespace rx::dedup
