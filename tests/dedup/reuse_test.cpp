// The reuse decision's rules, the fingerprint's storage form and keyed hashing, the ink hash, and
// the Hamming index against a brute-force scan. The OCR'd end-to-end cases (re-photos, monthly
// repeats, same-form prescriptions) are in tests/workstation/reuse_test.cpp.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include <opencv2/imgproc.hpp>

#include "dedup/hamming_index.h"
#include "dedup/reuse.h"
#include "status_matchers.h"

namespace rx::dedup {
namespace {

PresentationContent paper(std::string number, std::string date, std::string patient,
                          std::vector<std::string> drugs) {
  PresentationContent c;
  c.issuer = "北京市朝阳区第三人民医院";
  c.rxNumber = std::move(number);
  c.numberRead = true;
  c.date = std::move(date);
  c.patient = std::move(patient);
  c.drugs = std::move(drugs);
  c.values = {c.rxNumber, c.date, c.patient};
  for (const auto& d : c.drugs) c.values.push_back(d + "0.25g×12粒 2盒");
  return c;
}

class ReuseRules : public ::testing::Test {
 protected:
  Fingerprint fp(const PresentationContent& c) const { return maker_.make(c, {}, {}); }
  Fingerprinter maker_{crypto::randomSecret(32)};
  PresentationContent original_ =
      paper("202600001234", "2026-03-05", "郑梓萱", {"头孢克肟胶囊", "布洛芬缓释胶囊"});
};

TEST_F(ReuseRules, SameNumberAndDateIsCertain) {
  auto c = compare(fp(original_), fp(original_));
  EXPECT_EQ(c.verdict, Verdict::kCertain);
  EXPECT_EQ(c.signals.number, Agreement::kSame);
  EXPECT_EQ(c.signals.drugs, 1.0);
  EXPECT_GT(c.score, 0.95);
}

TEST_F(ReuseRules, MonthlyRepeatIsNew) {
  // Same patient, hospital and drugs; new number and date.
  auto repeat = original_;
  repeat.rxNumber = "202600051877";
  repeat.date = "2026-04-05";
  repeat.values[0] = repeat.rxNumber;
  repeat.values[1] = repeat.date;
  auto c = compare(fp(repeat), fp(original_));
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  EXPECT_EQ(c.signals.patient, Agreement::kSame);
  EXPECT_EQ(c.signals.date, Agreement::kDiffer);
}

TEST_F(ReuseRules, OtherPrescriptionOnTheSameFormIsNew) {
  auto other = paper("202600001299", "2026-03-05", "李明", {"阿莫西林胶囊"});
  auto c = compare(fp(other), fp(original_));
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  EXPECT_EQ(c.signals.issuer, Agreement::kSame);
}

TEST_F(ReuseRules, OneMisreadDigitWithTheSameDateAndPatientIsSuspected) {
  auto misread = original_;
  misread.rxNumber = "202600001284";  // 3 read as 8
  auto c = compare(fp(misread), fp(original_));
  EXPECT_EQ(c.signals.number, Agreement::kNear);
  EXPECT_EQ(c.verdict, Verdict::kSuspected) << c.rule;
  // A dropped digit is one character off as well.
  misread.rxNumber = "20260001234";
  EXPECT_EQ(compare(fp(misread), fp(original_)).verdict, Verdict::kSuspected);
}

TEST_F(ReuseRules, TheVisitsNextNumberWithOtherDrugsIsNewThoughOcrWasUnsureOfTheNumbers) {
  // The second prescription of a visit: the next number, the same day and patient, other drugs.
  // OCR was unsure of the numbers, so the two could be one paper misread, but a re-photo of one
  // paper does not read two drug lists with nothing in common.
  auto second = original_;
  second.rxNumber = "202600001235";
  second.drugs = {"阿莫西林胶囊"};
  second.values = {second.rxNumber, second.date, second.patient, "阿莫西林胶囊0.25g×24粒 1盒"};
  Fingerprint a = fp(second), b = fp(original_);
  ASSERT_TRUE(a.numberUnsure());
  auto c = compare(a, b);
  EXPECT_EQ(c.signals.number, Agreement::kNear);
  EXPECT_EQ(c.signals.drugs, 0.0);
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  // The next number differs in one digit: its ink may well be alike. Still new.
  a.inkRegions = b.inkRegions = 1 << kInkNumber;
  a.ink[kInkNumber] = 0x0123456789abcdefull;
  b.ink[kInkNumber] = 0x0123456789abcdefull ^ 0x0303000000000000ull;  // 4 bits apart
  c = compare(a, b);
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  // With one drug in common it may still be the same paper misread.
  second.drugs.push_back("布洛芬缓释胶囊");
  EXPECT_EQ(compare(fp(second), fp(original_)).verdict, Verdict::kSuspected);
}

TEST_F(ReuseRules, ConsecutiveSignedNumbersAreDifferentPrescriptions) {
  // E-prescription numbers are not misread: one character apart means the next prescription.
  auto a = original_, b = original_;
  a.numberRead = b.numberRead = false;
  b.rxNumber = "202600001235";
  EXPECT_EQ(compare(fp(b), fp(a)).verdict, Verdict::kNew);
}

TEST_F(ReuseRules, UnreadableNumberWithSameIssuerDatePatientIsSuspected) {
  auto noNumber = original_;
  noNumber.rxNumber.clear();
  auto c = compare(fp(noNumber), fp(original_));
  EXPECT_EQ(c.signals.number, Agreement::kUnknown);
  EXPECT_EQ(c.verdict, Verdict::kSuspected);
  // ... but not another day's.
  noNumber.date = "2026-04-05";
  EXPECT_EQ(compare(fp(noNumber), fp(original_)).verdict, Verdict::kNew);
}

TEST_F(ReuseRules, ANumberReadShortAndUnsureWithTheSameDatePatientAndADrugIsSuspected) {
  // Seen on a screen's photo: 556928211764 read `556328214`, unsure, against the paper's first
  // photo read with confidence. More than one character off, it says no more than a number not
  // read at all.
  auto misread = original_;
  misread.rxNumber = "2026001834";
  misread.values[0] = misread.rxNumber;
  auto sure = original_;
  sure.numberSure = true;
  auto c = compare(fp(misread), fp(sure));
  EXPECT_EQ(c.signals.number, Agreement::kDiffer);
  EXPECT_EQ(c.verdict, Verdict::kSuspected) << c.rule;
  EXPECT_EQ(c.rule, "number read unsure and different; same date, patient and a drug");
  struct Case {
    const char* what;
    std::function<void(PresentationContent&, PresentationContent&)> change;
  };
  const Case stayNew[] = {
      {"both read with confidence: two prescriptions", [](auto& q, auto&) { q.numberSure = true; }},
      {"the earlier one signed: its number is as written",
       [](auto&, auto& e) { e.numberRead = false; }},
      {"another patient's name read", [](auto& q, auto&) { q.patient = "郑梓宣"; }},
      {"no drug in common: the visit's second prescription",
       [](auto& q, auto&) { q.drugs = {"阿莫西林胶囊"}; }},
      {"no drug read on one: nothing says it is the same paper",
       [](auto& q, auto&) { q.drugs.clear(); }},
      {"another day", [](auto& q, auto&) { q.date = "2026-03-06"; }},
      {"another hospital", [](auto& q, auto&) { q.issuer = "上海市徐汇区中心医院"; }},
  };
  for (const Case& k : stayNew) {
    SCOPED_TRACE(k.what);
    auto q = misread, e = sure;
    k.change(q, e);
    const auto other = compare(fp(q), fp(e));
    EXPECT_EQ(other.verdict, Verdict::kNew) << other.rule;
  }
  // A name read otherwise whose ink is alike counts as the same patient elsewhere, not here: on
  // rx-photos-v1 it was another patient's (a fresh prescription of the same hospital and day).
  auto otherName = misread;
  otherName.patient = "郑梓宣";
  Fingerprint a = fp(otherName), b = fp(sure);
  a.inkRegions = b.inkRegions = 1 << kInkPatient;
  a.ink[kInkPatient] = 0x0123456789abcdefull;
  b.ink[kInkPatient] = 0x0123456789abcdefull ^ 0x0303000000000000ull;  // 4 bits apart
  const auto alike = compare(a, b);
  EXPECT_EQ(alike.verdict, Verdict::kNew) << alike.rule;
}

TEST_F(ReuseRules, UnreadableNumberWithAMisreadHospitalButSameDatePatientAndDrugsIsSuspected) {
  // Seen on the reuse corpus: the number lost and the hospital's name misread on one photo.
  auto misread = original_;
  misread.rxNumber.clear();
  misread.issuer = "北京市朝阳区第三人民医阮";
  auto c = compare(fp(misread), fp(original_));
  EXPECT_EQ(c.signals.issuer, Agreement::kDiffer);
  EXPECT_EQ(c.verdict, Verdict::kSuspected) << c.rule;
  // Another drug list that day for the patient is another prescription.
  misread.drugs = {"头孢克肟胶囊", "氯雷他定片"};
  EXPECT_EQ(compare(fp(misread), fp(original_)).verdict, Verdict::kNew);
}

TEST_F(ReuseRules, AMisreadNameWhoseInkIsAlikeCountsAsTheSamePatient) {
  auto misread = original_;
  misread.rxNumber.clear();    // number not read
  misread.patient = "郑梓营";  // one character misread
  Fingerprint a = fp(misread), b = fp(original_);
  a.inkRegions = b.inkRegions = 1 << kInkPatient;
  a.ink[kInkPatient] = 0x0123456789abcdefull;
  b.ink[kInkPatient] = 0x0123456789abcdefull ^ 0x0101010100000000ull;  // 4 bits apart
  auto c = compare(a, b);
  EXPECT_EQ(c.signals.patient, Agreement::kDiffer);
  EXPECT_EQ(c.verdict, Verdict::kSuspected) << c.rule;
  // Ink of a different name: not the same patient.
  b.ink[kInkPatient] = ~a.ink[kInkPatient];
  EXPECT_EQ(compare(a, b).verdict, Verdict::kNew);
}

TEST_F(ReuseRules, AMonthlyRepeatWhoseInkLooksAlikeIsNew) {
  // Seen on the reuse corpus (seed 16180): a repeat's number and date, read and different, in ink
  // 14 and 6 bits from the earlier one's; patient and drugs the same.
  auto repeat = original_;
  repeat.rxNumber = "202600051877";
  repeat.date = "2026-04-05";
  Fingerprint a = fp(repeat), b = fp(original_);
  a.inkRegions = b.inkRegions = (1 << kInkRegions) - 1;
  for (int r = 0; r < kInkRegions; ++r) a.ink[r] = b.ink[r] = 0x0123456789abcdefull * (r + 1);
  a.ink[kInkNumber] ^= 0x3fffull;  // 14 bits apart
  a.ink[kInkDate] ^= 0x3full;      // 6 bits apart
  auto c = compare(a, b);
  EXPECT_EQ(c.signals.number, Agreement::kDiffer);
  EXPECT_EQ(c.signals.date, Agreement::kDiffer);
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  // The same ink where OCR could not read the number is still the same paper.
  auto unread = repeat;
  unread.rxNumber.clear();
  Fingerprint u = fp(unread);
  u.inkRegions = a.inkRegions;
  u.ink = a.ink;
  EXPECT_EQ(compare(u, b).verdict, Verdict::kSuspected);
}

TEST_F(ReuseRules, KeyedHashesDependOnTheStoreKeyAndHideTheValues) {
  Fingerprinter other(crypto::randomSecret(32));
  const Fingerprint a = fp(original_), b = other.make(original_, {}, {});
  EXPECT_NE(a.number, b.number);
  EXPECT_NE(a.patient, b.patient);
  EXPECT_EQ(compare(a, b).verdict, Verdict::kNew);
  const std::string stored = a.serialize();
  for (const std::string& clear : {std::string("202600001234"), std::string("郑梓萱"),
                                   std::string("2026-03-05"), std::string("头孢")})
    EXPECT_EQ(stored.find(clear), std::string::npos) << clear;
}

TEST_F(ReuseRules, FingerprintRoundTripsAndBadTextIsNamed) {
  const Fingerprint a = fp(original_);
  auto back = Fingerprint::parse(a.serialize());
  RX_ASSERT_OK(back);
  EXPECT_EQ(back->serialize(), a.serialize());
  EXPECT_EQ(compare(*back, a).verdict, Verdict::kCertain);
  auto bad = Fingerprint::parse("v=1\ndate=xyz\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("'date'"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(Fingerprint::parse("number=0000000000000001\n"));  // no version
}

TEST_F(ReuseRules, DamagedFingerprintTextIsRefusedOrParsedNeverCrashes) {
  // Damaged fingerprint text (SQLCipher's page HMACs catch damage on disk first; this is the
  // parser's own guard): every mutation is refused as corrupt or parses to a fingerprint that
  // serialises and parses again; nothing crashes.
  const std::string good = fp(original_).serialize();
  std::mt19937 rng(3);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = good;
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0; --k) {
      const std::size_t at = rng() % bad.size();
      switch (rng() % 3) {
        case 0:
          bad[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          bad.erase(at, 1 + rng() % 8);
          break;
        default:
          bad.insert(at, 1, "=,:\n0fz"[rng() % 7]);
      }
      if (bad.empty()) bad = "x";
    }
    auto parsed = Fingerprint::parse(bad);
    if (!parsed) {
      EXPECT_EQ(parsed.status().code(), ErrorCode::kCorrupt);
      ++refused;
    } else {
      EXPECT_TRUE(Fingerprint::parse(parsed->serialize()).isOk());
    }
  }
  EXPECT_GT(refused, 2000);
}

TEST(ReuseIndexTest, FindsTheEarlierPresentationAmongManyOnTheSameForm) {
  Fingerprinter maker(crypto::randomSecret(32));
  ReuseIndex index;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "2026%08d", i);
    index.add(i, maker.make(paper(number, "2026-03-0" + std::to_string(1 + i % 9),
                                  "患者" + std::to_string(i), {"头孢克肟胶囊"}),
                            {}, {}));
  }
  std::size_t compared = 0;
  auto matches = index.find(
      maker.make(paper("202600000777", "2026-03-07", "患者777", {"头孢克肟胶囊"}), {}, {}), {},
      &compared);
  ASSERT_FALSE(matches.empty());
  EXPECT_EQ(matches.front().record, 777);
  EXPECT_EQ(matches.front().comparison.verdict, Verdict::kCertain);
  EXPECT_LT(compared, 400u);  // the same date's presentations, not all 2000
  // The record itself is left out when asked.
  EXPECT_TRUE(
      index.find(maker.make(paper("202600000777", "2026-03-07", "患者777", {}), {}, {}), 777)
          .empty());
}

// The index leaves out the day's presentations that share no key and no ink region with the
// query before comparing them. It must still find every record of the same day, of a number key
// or of the patient that comparing every record finds, and nothing that comparison rejects
// (records sharing none of those are found only through the whole-ink index).
TEST(ReuseIndexTest, FindsWhatComparingEveryRecordOfTheDayOrAKeyFinds) {
  std::mt19937_64 rng(11);
  auto pick = [&](std::uint64_t n) { return rng() % n; };
  auto fingerprint = [&] {
    Fingerprint fp;
    if (pick(5)) {
      fp.number = 100 + pick(60);
      fp.numberNear = {fp.number, 1000000 + fp.number / 10};  // one "character" off: same tens
      fp.numberRead = pick(4) != 0;
      fp.numberSure = fp.numberRead && pick(2);
    }
    if (pick(4)) fp.patient = 1 + pick(40);
    if (pick(5)) fp.date = 1 + pick(3);  // a few days: most records share one
    if (pick(3)) fp.issuer = 1 + pick(2);
    for (std::uint64_t d = 0, n = pick(3); d < n; ++d) fp.drugs.push_back(1 + pick(6));
    std::sort(fp.drugs.begin(), fp.drugs.end());
    fp.drugs.erase(std::unique(fp.drugs.begin(), fp.drugs.end()), fp.drugs.end());
    // Ink drawn from a few shapes, each bit flipped now and then: some regions alike, most not.
    for (int r = 0; r < kInkRegions; ++r) {
      if (!pick(4)) continue;
      fp.inkRegions |= static_cast<std::uint8_t>(1 << r);
      fp.ink[r] = 0x9e3779b97f4a7c15ULL * (1 + pick(3)) * (r + 1);
      for (int b = 0; b < 64; ++b)
        if (!pick(6)) fp.ink[r] ^= 1ULL << b;
    }
    return fp;
  };
  ReuseIndex index;
  std::vector<Fingerprint> stored;
  for (int i = 0; i < 600; ++i) {
    stored.push_back(fingerprint());
    index.add(i, stored.back());
  }
  int matched = 0;
  for (int q = 0; q < 300; ++q) {
    const Fingerprint query = fingerprint();
    std::set<std::pair<std::int64_t, Verdict>> everyRecord, ofTheDayOrAKey, found;
    for (std::size_t i = 0; i < stored.size(); ++i) {
      const Fingerprint& e = stored[i];
      const Comparison c = compare(query, e);
      if (c.verdict == Verdict::kNew) continue;
      everyRecord.emplace(static_cast<std::int64_t>(i), c.verdict);
      const bool sharesKey =
          std::find_first_of(query.numberNear.begin(), query.numberNear.end(), e.numberNear.begin(),
                             e.numberNear.end()) != query.numberNear.end() ||
          (query.patient && query.patient == e.patient) || (query.date && query.date == e.date);
      if (sharesKey) ofTheDayOrAKey.emplace(static_cast<std::int64_t>(i), c.verdict);
    }
    for (const auto& m : index.find(query)) found.emplace(m.record, m.comparison.verdict);
    EXPECT_TRUE(
        std::includes(found.begin(), found.end(), ofTheDayOrAKey.begin(), ofTheDayOrAKey.end()))
        << "query " << q << " misses a record the rules match";
    EXPECT_TRUE(std::includes(everyRecord.begin(), everyRecord.end(), found.begin(), found.end()))
        << "query " << q;
    matched += static_cast<int>(ofTheDayOrAKey.size());
  }
  EXPECT_GT(matched, 300) << "the corpus gives matches by every kind of rule";
}

cv::Mat pageWith(const std::string& text, double dx, double scale, double blur) {
  cv::Mat page(400, 900, CV_8UC1, cv::Scalar(245));
  cv::putText(page, text, {static_cast<int>(60 + dx), 200}, cv::FONT_HERSHEY_SIMPLEX, 1.6 * scale,
              cv::Scalar(25), 3, cv::LINE_AA);
  if (blur > 0) cv::GaussianBlur(page, page, cv::Size(0, 0), blur);
  return page;
}

TEST(InkHashTest, SameInkMovedScaledBlurredIsCloseOtherInkIsFar) {
  const cv::Rect box(20, 120, 860, 120);
  auto a = inkHash(pageWith("2026 0305 1234", 0, 1, 0), box);
  auto moved = inkHash(pageWith("2026 0305 1234", 13, 0.93, 1.2), box);
  auto other = inkHash(pageWith("2026 1187 5590", 0, 1, 0), box);
  ASSERT_TRUE(a && moved && other);
  EXPECT_LE(std::popcount(*a ^ *moved), 12);
  EXPECT_GE(std::popcount(*a ^ *other), 16);
  // An empty box is no evidence.
  EXPECT_FALSE(inkHash(cv::Mat(400, 900, CV_8UC1, cv::Scalar(245)), box));
}

Hash256 randomHash(std::mt19937_64& rng) { return {rng(), rng(), rng(), rng()}; }

TEST(HammingIndexTest, AnswersExactlyAsAScanAtEveryRadius) {
  std::mt19937_64 rng(11);
  // One tight cluster (many shared chunk values) and uniform hashes, with an unindexed tail.
  const Hash256 centre = randomHash(rng);
  HammingIndex index;
  std::vector<Hash256> stored;
  for (std::uint32_t i = 0; i < 30000; ++i) {
    Hash256 h = centre;
    if (i % 3 == 0)
      h = randomHash(rng);
    else
      for (auto& w : h) w ^= rng() & rng() & rng() & rng();
    stored.push_back(h);
    index.add(i, h);
  }
  for (int radius : {0, 3, 8, 15, 23, 31})
    for (int q = 0; q < 40; ++q) {
      Hash256 query = stored[rng() % stored.size()];
      for (int f = static_cast<int>(rng() % (radius + 2)); f > 0; --f) {
        const int bit = static_cast<int>(rng() % 256);
        query[bit / 64] ^= std::uint64_t{1} << (bit % 64);
      }
      if (q % 4 == 0) query = randomHash(rng);
      ASSERT_EQ(index.within(query, radius), index.scan(query, radius)) << "radius " << radius;
    }
  // Loaded in bulk (indexed once at the end): the same answers, before and after indexing.
  HammingIndex bulk;
  bulk.deferIndexing(true);
  for (std::uint32_t i = 0; i < stored.size(); ++i) bulk.add(i, stored[i]);
  EXPECT_EQ(bulk.within(stored[77], 15), index.within(stored[77], 15));
  bulk.deferIndexing(false);
  EXPECT_EQ(bulk.within(stored[77], 15), index.within(stored[77], 15));
  EXPECT_EQ(bulk.within(stored[9], 23), index.scan(stored[9], 23));
  // The query's own hash is found at distance 0.
  auto hits = index.within(stored[1234], 0);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().distance, 0);
}

}  // namespace
}  // namespace rx::dedup
