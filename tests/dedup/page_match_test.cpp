// Page-image matching (dedup/page_match.h, page_reuse.h) on generated pages, without OCR: the same
// paper taken again is the same written page, also with a stamp and initials added or crumpled;
// a monthly repeat, a same-visit pair and another prescription on the same form are not; the page
// index finds what a scan finds. Pages are rendered by rxgen and "straightened" as the OCR
// pipeline leaves them: a small residual perspective, blur, noise and JPEG.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <latch>
#include <map>
#include <random>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "crumpled_rephoto.h"
#include "dedup/page_reuse.h"
#include "reuse_corpus.h"
#include "rxgen.h"
#include "status_matchers.h"

namespace rx::dedup {
namespace {

class PageMatch : public ::testing::Test {
 protected:
  PageEvidence compared(const cv::Mat& query, const cv::Mat& earlier) {
    auto e = registerPages(pageFeatures(query), pageFeatures(earlier));
    if (!e) return {};
    compareInk(query, earlier, *e);
    return *e;
  }
  static std::string describe(const PageEvidence& e) {
    return "registered " + std::to_string(e.registered) + ", " + std::to_string(e.inliers) +
           " features, ink found " + std::to_string(e.confirmed) + ", different " +
           std::to_string(e.conflicts) + " (" + std::to_string(e.clustered) +
           " side by side), unseen " + std::to_string(e.unseen);
  }
  test::RxGenerator gen_{4242, RXDESK_CATALOGUE};
};

TEST_F(PageMatch, TheSamePaperTakenAgainIsTheSameWrittenPage) {
  for (int layout : {0, 1, 2, 3}) {
    const test::GenRx rx = gen_.content(layout);
    const cv::Mat page = gen_.render(rx);
    const PageEvidence e =
        compared(test::straightenedPage(page, 2), test::straightenedPage(page, 1));
    EXPECT_TRUE(e.samePaper()) << "layout " << layout << ": " << describe(e);
    EXPECT_FALSE(e.otherWriting()) << describe(e);
  }
}

TEST_F(PageMatch, AStampAndInitialsAddedLaterOrACrumpleDoNotStopAMatch) {
  const test::GenRx rx = gen_.content(3);
  const cv::Mat page = gen_.render(rx);
  cv::Mat marked = page.clone();
  gen_.addPharmacyMarks(marked);
  const PageEvidence e =
      compared(test::straightenedPage(marked, 5), test::straightenedPage(page, 6));
  EXPECT_TRUE(e.samePaper()) << "stamped: " << describe(e);
  // A thumb over a corner hides ink; it does not make it different.
  cv::Mat thumbed = page.clone();
  cv::ellipse(thumbed, {0, thumbed.rows}, {180, 260}, 30, 0, 360, cv::Scalar(140, 160, 215),
              cv::FILLED);
  const PageEvidence t =
      compared(test::straightenedPage(thumbed, 7), test::straightenedPage(page, 8));
  EXPECT_TRUE(t.samePaper()) << "thumb: " << describe(t);
}

// Where the paper's outline was found differs from photo to photo: one straightened page keeps the
// shadow of the paper's edges, broken into pieces, another keeps it a little further in. The
// paper's edge is not writing.
TEST_F(PageMatch, ThePapersEdgeFoundElsewhereOnAnotherPhotoDoesNotStopAMatch) {
  const cv::Mat page = gen_.render(gen_.content(1));
  cv::Mat earlier = test::straightenedPage(page, 1), query = test::straightenedPage(page, 2);
  // Along the top, the right and the bottom.
  for (int x = 0; x + 60 < earlier.cols; x += 50) {
    earlier(cv::Rect(x, 6, 38, 3)).setTo(40);
    query(cv::Rect(x + 20, 20, 38, 3)).setTo(40);
    earlier(cv::Rect(x, earlier.rows - 9, 38, 3)).setTo(40);
    query(cv::Rect(x + 20, query.rows - 23, 38, 3)).setTo(40);
  }
  for (int y = 0; y + 60 < earlier.rows; y += 50) {
    earlier(cv::Rect(earlier.cols - 9, y, 3, 38)).setTo(40);
    query(cv::Rect(query.cols - 23, y + 20, 3, 38)).setTo(40);
  }
  const PageEvidence e = compared(query, earlier);
  EXPECT_TRUE(e.samePaper()) << describe(e);
}

TEST_F(PageMatch, MostCrumpledSheetsAreTheSameWrittenPageAndNoSecondPrescriptionIs) {
  // Crumpled as the generator's photos are: the writing moves 10-20 px, one way in one place and
  // another a few lines further, beyond what one homography follows. Over these 24 draws the
  // picture alone found the same paper in 23 (stop 45); with OpenCV's plain RANSAC for the
  // homographies and each cell looked for within 1 px, as before, in 15. At least seven in eight
  // must be found. Following the bends must never make a crumpled second prescription of the
  // visit agree, and nine in ten of them are seen as other writing (23 of 24 are).
  int same = 0, draws = 0, otherWriting = 0;
  std::string missed;
  for (int layout = 0; layout < 6; ++layout)
    for (int draw = 0; draw < 4; ++draw) {
      const test::GenRx rx = gen_.content(layout);
      const cv::Mat page = gen_.render(rx);
      const cv::Mat flat = test::straightenedPage(page, 100 + draw);
      const PageEvidence e =
          compared(test::straightenedPage(gen_.crumpled(page), 200 + draw), flat);
      ++draws;
      if (e.samePaper())
        ++same;
      else
        missed += "\nlayout " + std::to_string(layout) + ", draw " + std::to_string(draw) + ": " +
                  describe(e);
      const PageEvidence v = compared(
          test::straightenedPage(gen_.crumpled(gen_.render(gen_.sameVisit(rx))), 300 + draw), flat);
      EXPECT_FALSE(v.samePaper()) << "same visit, layout " << layout << ", draw " << draw << ": "
                                  << describe(v);
      otherWriting += v.otherWriting() ? 1 : 0;
    }
  EXPECT_GE(same * 8, draws * 7) << same << " of " << draws << " found; missed:" << missed;
  EXPECT_GE(otherWriting * 10, draws * 9) << otherWriting << " of " << draws;
}

TEST_F(PageMatch, OtherPrescriptionsOnTheSameFormAreNotTheSamePage) {
  for (int layout : {0, 2, 4}) {
    const test::GenRx rx = gen_.content(layout);
    const cv::Mat first = test::straightenedPage(gen_.render(rx), 11);
    struct Case {
      const char* what;
      test::GenRx other;
    };
    const std::vector<Case> cases = {{"monthly repeat", gen_.monthlyRepeat(rx)},
                                     {"same-visit pair", gen_.sameVisit(rx)},
                                     {"same form", gen_.sameForm(rx)}};
    for (const auto& c : cases) {
      const PageEvidence e = compared(test::straightenedPage(gen_.render(c.other), 12), first);
      EXPECT_FALSE(e.samePaper()) << c.what << ", layout " << layout << ": " << describe(e);
      // The printed form registers them: the difference is in the writing. A monthly repeat
      // differs only in its number and date; the others in many places.
      EXPECT_TRUE(e.registered) << c.what << ", layout " << layout;
      EXPECT_GE(e.conflicts, 5) << c.what << ", layout " << layout << ": " << describe(e);
      if (std::string(c.what) != "monthly repeat") {
        EXPECT_TRUE(e.otherWriting()) << c.what << ", layout " << layout << ": " << describe(e);
      }
    }
  }
}

TEST_F(PageMatch, FeaturesSurviveTheirStoredForm) {
  const PageFeatures f = pageFeatures(test::straightenedPage(gen_.render(gen_.content(1)), 3));
  ASSERT_GT(f.points.size(), 300u);
  auto back = PageFeatures::parse(f.serialize());
  RX_ASSERT_OK(back);
  EXPECT_EQ(back->descriptors, f.descriptors);
  ASSERT_EQ(back->points.size(), f.points.size());
  for (std::size_t i = 0; i < f.points.size(); ++i)
    EXPECT_NEAR(back->points[i].x, f.points[i].x, 0.07);
  auto bad = f.serialize();
  bad.pop_back();
  EXPECT_FALSE(PageFeatures::parse(bad));
}

TEST_F(PageMatch, TheIndexFindsTheSameCandidatesAsAScanWithTheRightPageAmongThem) {
  PageIndex index;
  std::vector<cv::Mat> pages;
  for (int i = 0; i < 24; ++i) {
    // Four forms: most stored pages share a form with the query.
    pages.push_back(gen_.render(gen_.content(i % 4)));
    index.add(100 + i, pageFeatures(test::straightenedPage(pages.back(), 20 + i)));
  }
  for (int i : {0, 5, 13, 22}) {
    const PageFeatures query = pageFeatures(test::straightenedPage(pages[i], 90 + i));
    const auto found = index.candidates(query, 8);
    EXPECT_EQ(found, index.scanCandidates(query, 8)) << "query " << i;
    EXPECT_TRUE(std::any_of(found.begin(), found.end(),
                            [&](const PageIndex::Candidate& c) { return c.record == 100 + i; }))
        << "query " << i;
  }
  // A page added again replaces the earlier one.
  index.add(100, pageFeatures(test::straightenedPage(pages[1], 300)));
  const PageFeatures query = pageFeatures(test::straightenedPage(pages[1], 301));
  const auto again = index.candidates(query, 24);
  EXPECT_TRUE(std::any_of(again.begin(), again.end(),
                          [](const PageIndex::Candidate& c) { return c.record == 100; }));
  EXPECT_EQ(again, index.scanCandidates(query, 24)) << "the replaced page votes in neither";
  EXPECT_EQ(index.size(), 24u);
}

// A lookup registers its candidates on two threads: the same answer, in the same order, as one
// after the other (a missing or empty page registers as nothing).
TEST_F(PageMatch, RegisteringCandidatesTogetherGivesWhatRegisteringEachGives) {
  std::vector<PageFeatures> stored;
  for (int i = 0; i < 5; ++i)
    stored.push_back(
        pageFeatures(test::straightenedPage(gen_.render(gen_.content(i % 3)), 60 + i)));
  const cv::Mat paper = gen_.render(gen_.content(1));
  stored.push_back(pageFeatures(test::straightenedPage(paper, 70)));
  const PageFeatures query = pageFeatures(test::straightenedPage(paper, 71));
  const PageFeatures none;
  std::vector<const PageFeatures*> earlier = {nullptr, &none};
  for (const auto& f : stored) earlier.push_back(&f);
  const auto together = registerAll(query, earlier);
  ASSERT_EQ(together.size(), earlier.size());
  EXPECT_FALSE(together[0]);
  EXPECT_FALSE(together[1]);
  for (std::size_t k = 2; k < earlier.size(); ++k) {
    const auto each = registerPages(query, *earlier[k]);
    ASSERT_EQ(together[k].has_value(), each.has_value()) << "page " << k;
    if (!each) continue;
    EXPECT_EQ(together[k]->inliers, each->inliers) << "page " << k;
    EXPECT_EQ(together[k]->pairs, each->pairs) << "page " << k;
  }
  ASSERT_TRUE(together.back()) << "the same paper registers";
}

// Lookups run at once from several threads of one process (the window's intake beside a folder
// being watched) share the kept second thread: each gets the index's candidates (its tables vote
// on two threads) and every stored page registered, as one lookup alone gets them.
TEST_F(PageMatch, LookupsAtOnceFromSeveralThreadsEachGetWhatOneAloneGets) {
  // Earlier photos of the query's paper at an even and an odd place (the calling thread registers
  // the even ones, the second thread the odd ones), other papers between them.
  const cv::Mat paper = gen_.render(gen_.content(2));
  std::vector<PageFeatures> stored;
  for (int i = 0; i < 6; ++i)
    stored.push_back(pageFeatures(test::straightenedPage(
        i == 2 || i == 5 ? paper : gen_.render(gen_.content(i % 2)), 80 + i)));
  const PageFeatures query = pageFeatures(test::straightenedPage(paper, 91));
  std::vector<const PageFeatures*> earlier;
  for (const auto& f : stored) earlier.push_back(&f);
  const auto alone = registerAll(query, earlier);
  ASSERT_TRUE(alone[2] && alone[5]) << "the same paper registers, on either thread";
  PageIndex index;
  for (std::size_t i = 0; i < stored.size(); ++i)
    index.add(static_cast<std::int64_t>(i), stored[i]);
  const auto candidatesAlone = index.candidates(query);
  auto isCandidate = [&](std::int64_t r) {
    return std::any_of(candidatesAlone.begin(), candidatesAlone.end(),
                       [&](const PageIndex::Candidate& c) { return c.record == r; });
  };
  ASSERT_TRUE(isCandidate(2) && isCandidate(5)) << "the index finds both photos of the paper";

  constexpr int kThreads = 4, kRounds = 5;
  std::vector<std::vector<std::optional<PageEvidence>>> got(kThreads * kRounds);
  std::vector<std::vector<PageIndex::Candidate>> asked(kThreads * kRounds);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int r = 0; r < kRounds; ++r) {
        asked[t * kRounds + r] = index.candidates(query);
        got[t * kRounds + r] = registerAll(query, earlier);
      }
    });
  for (auto& t : threads) t.join();
  for (std::size_t n = 0; n < got.size(); ++n) {
    EXPECT_EQ(asked[n], candidatesAlone) << "lookup " << n;
    ASSERT_EQ(got[n].size(), alone.size()) << "lookup " << n;
    for (std::size_t k = 0; k < alone.size(); ++k) {
      ASSERT_EQ(got[n][k].has_value(), alone[k].has_value()) << "lookup " << n << ", page " << k;
      if (alone[k]) {
        EXPECT_EQ(got[n][k]->inliers, alone[k]->inliers) << "lookup " << n << ", page " << k;
        EXPECT_EQ(got[n][k]->pairs, alone[k]->pairs) << "lookup " << n << ", page " << k;
      }
    }
  }
}

// A stored feature votes where the query has one like it in about the same place of the page: the
// same features elsewhere on a page (another paper whose writing happens to share them) add
// little (a few land by chance near a like feature: a character repeated on the page), and
// features in the same places whose descriptors differ beyond a photo's noise add nothing.
TEST_F(PageMatch, TheIndexCountsOnlyLikeFeaturesFoundInAboutTheSamePlace) {
  const cv::Mat paper = gen_.render(gen_.content(2));
  const PageFeatures query = pageFeatures(test::straightenedPage(paper, 41));
  const PageFeatures stored = pageFeatures(test::straightenedPage(paper, 42));
  PageFeatures elsewhere = stored;
  const auto height = static_cast<float>(elsewhere.height);
  for (auto& p : elsewhere.points)  // the same features, each moved a third of the page down
    p.y = std::fmod(p.y + height / 3, height);
  PageFeatures unlike = stored;
  for (auto& d : unlike.descriptors)  // the same places, every other bit flipped: other strokes
    for (auto& w : d) w ^= 0xAAAAAAAAAAAAAAAAull;
  PageIndex index;
  index.add(1, stored);
  index.add(2, elsewhere);
  index.add(3, unlike);
  const auto found = index.candidates(query, 8, 0);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().record, 1);
  EXPECT_GT(found.front().votes, 20);
  auto votesOf = [&](std::int64_t record) {
    for (const auto& c : found)
      if (c.record == record) return c.votes;
    return 0.0;
  };
  EXPECT_LT(votesOf(2) * 4, found.front().votes) << "features moved a third of the page down";
  EXPECT_EQ(votesOf(3), 0) << "other descriptors in the same places";
  EXPECT_EQ(found, index.scanCandidates(query, 8, 0));
}

// At a chain's scale: among thousands of stored pages of its own form (other prescriptions, each
// with a photo's noise), a paper photographed again is among the candidates a lookup registers.
TEST_F(PageMatch, TheIndexFindsAPaperAmongThousandsOfPagesOfItsForm) {
  const test::GenRx first = gen_.content(2);
  std::vector<cv::Mat> papers = {gen_.render(first)};
  for (int i = 0; i < 5; ++i) papers.push_back(gen_.render(gen_.sameForm(first)));
  // A photo's noise: the bits in which the features registration pairs differ, between two
  // photos of one paper (papers 3-5, which are not looked up).
  std::vector<Hash256> noise;
  std::vector<PageFeatures> models;
  for (std::size_t p = 3; p < papers.size(); ++p) {
    models.push_back(pageFeatures(test::straightenedPage(papers[p], 200 + p)));
    const auto some =
        test::photoNoise(models.back(), pageFeatures(test::straightenedPage(papers[p], 300 + p)));
    noise.insert(noise.end(), some.begin(), some.end());
  }
  ASSERT_GT(noise.size(), 100u);
  PageIndex index;
  std::vector<cv::Mat> stored;  // the papers' pages as the store keeps them
  for (std::int64_t p = 0; p < 3; ++p) {
    stored.push_back(test::straightenedPage(papers[static_cast<std::size_t>(p)], 100 + p));
    index.add(p, pageFeatures(stored.back()));
  }
  std::mt19937_64 rng(9);
  for (std::int64_t r = 3; r < 4000; ++r)
    index.add(r, test::withPhotoNoise(models[rng() % models.size()], noise, rng));
  for (std::int64_t p = 0; p < 3; ++p) {
    // The query votes with its features as a lookup finds them: more than a page keeps.
    const cv::Mat photo = test::straightenedPage(papers[static_cast<std::size_t>(p)], 401 + 3 * p);
    const PageFeatures query = queryFeatures(photo).vote;
    const auto found = candidatesToRegister(index, query);
    EXPECT_TRUE(std::any_of(found.begin(), found.end(),
                            [&](const PageIndex::Candidate& c) { return c.record == p; }))
        << "paper " << p << " among " << found.size() << " candidates";
    // The same photo out of focus (1.5 px more blur): its strongest features are others than the
    // stored page's strongest, and with 500 of its own to vote paper 2 was not a candidate.
    cv::Mat soft;
    cv::GaussianBlur(photo, soft, cv::Size(0, 0), 1.5);
    const QueryFeatures softQuery = queryFeatures(soft);
    const auto softFound = candidatesToRegister(index, softQuery.vote);
    EXPECT_TRUE(std::any_of(softFound.begin(), softFound.end(),
                            [&](const PageIndex::Candidate& c) { return c.record == p; }))
        << "paper " << p << ", soft photo, among " << softFound.size() << " candidates";
    // The counter's lookup registers it and compares its ink (nothing read: the page alone).
    PageLookup look;
    (void)findWithPages(
        ReuseIndex(), index, Fingerprint{}, softQuery, soft,
        [&](std::int64_t r) { return r < 3 ? stored[static_cast<std::size_t>(r)] : cv::Mat(); }, {},
        &look);
    EXPECT_TRUE(std::any_of(look.evidence.begin(), look.evidence.end(),
                            [&](const auto& e) { return e.first == p && e.second.samePaper(); }))
        << "paper " << p << ", soft photo: " << look.registered << " registered, "
        << look.inkCompared << " compared";
    // More pages have votes than the index looks at closely (kPool): it still answers as a scan.
    if (p == 0) {
      EXPECT_EQ(index.candidates(query, 24), index.scanCandidates(query, 24));
    }
  }
}

TEST_F(PageMatch, APaperIsPutBeforeItsMonthlyRepeatByItsDateWhenItsNumberWasNotRead) {
  // A monthly repeat is the same picture but for its number and date, and the picture cannot
  // always tell it from the paper (docs/reuse.md, Limits): here the repeat's record holds the same
  // page. The query is the paper taken again, its number not read, its date read: the paper
  // itself, whose date reads the same, is the match shown first, before the repeat whose date
  // reads otherwise (seed 31415's re-photo 248, a phone's screen, was put with the repeat).
  const test::GenRx rx = gen_.content(2);
  const test::GenRx repeat = gen_.monthlyRepeat(rx);
  const cv::Mat paper = gen_.render(rx);
  const Fingerprinter maker(crypto::randomSecret(32));
  auto content = [](const test::GenRx& r, bool numberRead) {
    PresentationContent c;
    c.issuer = r.hospital;
    c.date = r.date;
    c.patient = r.patientName;
    c.numberRead = true;
    c.numberSure = true;
    if (numberRead) c.rxNumber = r.rxNumber;
    return c;
  };
  ReuseIndex fields;
  PageIndex pages;
  const cv::Mat stored = test::straightenedPage(paper, 61);
  // The repeat is stored first (the lower record): on a tie it came first.
  fields.add(1, maker.make(content(repeat, true), {}, {}));
  fields.add(2, maker.make(content(rx, true), {}, {}));
  pages.add(1, pageFeatures(stored));
  pages.add(2, pageFeatures(stored));
  const cv::Mat photo = test::straightenedPage(paper, 62);
  const auto matches =
      findWithPages(fields, pages, maker.make(content(rx, false), {}, {}), queryFeatures(photo),
                    photo, [&](std::int64_t) { return stored; }, {});
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].record, 2) << matches[0].comparison.rule;
  EXPECT_EQ(matches[0].comparison.signals.date, Agreement::kSame);
  EXPECT_EQ(matches[1].comparison.signals.date, Agreement::kDiffer);
}

TEST_F(PageMatch, APaperTheIndexRanksBelowItsFirstCandidatesIsFoundWhenNoneOfThemIsIt) {
  // A photo whose page was found at another outline keeps few of the earlier page's features in
  // place: its paper can rank below other papers of its form (busy desks' re-photo 224 ranked
  // 54th). Here the paper's page was kept from a photo whose outline was found askew (turned by
  // 5 degrees), and forty other prescriptions of the same form were kept straight.
  const test::GenRx rx = gen_.content(3);
  const cv::Mat paper = gen_.render(rx);
  const cv::Mat askew = test::straightenedPage(paper, 72);
  cv::Mat kept;
  cv::warpAffine(askew, kept,
                 cv::getRotationMatrix2D(cv::Point2f(askew.cols / 2.0f, askew.rows / 2.0f), 5, 1),
                 askew.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
  constexpr std::int64_t kPaper = 1;
  std::map<std::int64_t, cv::Mat> stored = {{kPaper, kept}};
  PageIndex pages;
  pages.add(kPaper, pageFeatures(kept));
  for (std::int64_t r = 2; r < 42; ++r) {
    stored[r] =
        test::straightenedPage(gen_.render(gen_.sameForm(rx)), 100 + static_cast<std::uint64_t>(r));
    pages.add(r, pageFeatures(stored[r]));
  }
  const cv::Mat photo = test::straightenedPage(paper, 73);
  const QueryFeatures query = queryFeatures(photo);
  auto hasPaper = [](const std::vector<PageIndex::Candidate>& found) {
    return std::any_of(found.begin(), found.end(),
                       [](const PageIndex::Candidate& c) { return c.record == kPaper; });
  };
  // The paper ranks below the first candidates, not under the quarter of the best's votes.
  const auto ranked = candidatesToRegister(pages, query.vote, nullptr, kDeeperCandidates);
  const auto at = std::find_if(ranked.begin(), ranked.end(),
                               [](const PageIndex::Candidate& c) { return c.record == kPaper; });
  ASSERT_NE(at, ranked.end());
  ASSERT_GE(at - ranked.begin(), static_cast<std::ptrdiff_t>(kPageCandidates))
      << "the paper must rank below the first candidates for this test";
  ASSERT_FALSE(hasPaper(candidatesToRegister(pages, query.vote)));
  // Nothing read: the page alone decides.
  PageLookup look;
  const auto matches = findWithPages(
      ReuseIndex(), pages, Fingerprint{}, query, photo,
      [&](std::int64_t r) { return stored.at(r); }, {}, &look);
  ASSERT_FALSE(matches.empty()) << look.registered << " registered, " << look.inkCompared
                                << " compared in ink";
  EXPECT_EQ(matches[0].record, kPaper) << matches[0].comparison.rule;
  EXPECT_EQ(matches[0].comparison.verdict, Verdict::kSuspected);
  EXPECT_TRUE(matches[0].comparison.signals.page.samePaper);
  EXPECT_TRUE(look.deeper);
  // Not one of the other prescriptions is taken for the paper.
  for (const auto& m : matches) EXPECT_EQ(m.record, kPaper) << m.comparison.rule;
  // A page whose number was read (and matches no record) finds its earlier record by the number,
  // not by a deeper look: a fresh prescription does not pay for one.
  Fingerprint numbered;
  numbered.number = 0x5eed;
  numbered.numberRead = true;
  PageLookup withNumber;
  (void)findWithPages(
      ReuseIndex(), pages, numbered, query, photo, [&](std::int64_t r) { return stored.at(r); }, {},
      &withNumber);
  EXPECT_FALSE(withNumber.deeper);
}

// Near is not enough: the same paper under another outline has its features shifted alike, while
// a page sharing keys with the query by chance has them shifted every way. Only the votes whose
// shifts agree are counted.
TEST_F(PageMatch, TheIndexCountsVotesWhoseShiftsAgree) {
  const cv::Mat paper = gen_.render(gen_.content(3));
  const PageFeatures query = pageFeatures(test::straightenedPage(paper, 43));
  const PageFeatures stored = pageFeatures(test::straightenedPage(paper, 44));
  const float cellX = static_cast<float>(stored.width) / PageIndex::kGrid;
  const float cellY = static_cast<float>(stored.height) / PageIndex::kGrid;
  PageFeatures shifted = stored, scattered = stored;
  for (auto& p : shifted.points)  // the whole page two cells right and one down
    p += cv::Point2f(2 * cellX, cellY);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> within(-2.5f, 2.5f);
  for (auto& p : scattered.points) {  // each feature up to 2.5 cells each way, on its own
    const float dx = within(rng), dy = within(rng);
    p += cv::Point2f(dx * cellX, dy * cellY);
  }
  auto votesFor = [&](const PageFeatures& page) {
    PageIndex index;
    index.add(1, page);
    const auto found = index.candidates(query, 1, 0);
    EXPECT_EQ(found, index.scanCandidates(query, 1, 0));
    return found.empty() ? 0.0 : found.front().votes;
  };
  const double same = votesFor(stored);
  ASSERT_GT(same, 20);
  EXPECT_GT(votesFor(shifted), same * 3 / 4) << "the same paper, every feature shifted alike";
  EXPECT_LT(votesFor(scattered), same / 2) << "the same keys nearby, shifted every way";
}

class PageRules : public ::testing::Test {
 protected:
  static PageEvidence samePage() {
    PageEvidence e;
    e.registered = true;
    e.inliers = 80;
    e.confirmed = 900;
    e.conflicts = 1;
    e.unseen = 40;
    return e;
  }
  static PageEvidence otherWritingOnTheForm() {
    PageEvidence e = samePage();
    e.confirmed = 500;
    e.conflicts = 120;
    e.clustered = 60;
    return e;
  }
  Fingerprinter maker_{crypto::randomSecret(32)};
};

TEST_F(PageRules, TheSamePageIsASuspicionWhenNoFieldWasRead) {
  const Fingerprint nothing = maker_.make({}, {}, {});
  const Comparison fields = compare(nothing, nothing);
  ASSERT_EQ(fields.verdict, Verdict::kNew);
  const Comparison c = withPage(fields, samePage());
  EXPECT_EQ(c.verdict, Verdict::kSuspected);
  EXPECT_TRUE(c.signals.page.samePaper);
  EXPECT_NE(c.rule.find("same written page"), std::string::npos) << c.rule;
}

TEST_F(PageRules, OtherWritingOnTheSameFormVetoesASuspicionWithoutTheSameNumber) {
  // A same-visit pair whose numbers OCR could not read: same issuer, date and patient.
  PresentationContent a;
  a.issuer = "北京市朝阳区第三人民医院";
  a.date = "2026-03-05";
  a.patient = "郑梓萱";
  a.numberRead = true;
  const Comparison fields = compare(maker_.make(a, {}, {}), maker_.make(a, {}, {}));
  ASSERT_EQ(fields.verdict, Verdict::kSuspected) << fields.rule;
  EXPECT_EQ(withPage(fields, otherWritingOnTheForm()).verdict, Verdict::kNew);
  // The same number read on both stays certain whatever the picture says.
  a.rxNumber = "202600001234";
  const Comparison certain = compare(maker_.make(a, {}, {}), maker_.make(a, {}, {}));
  ASSERT_EQ(certain.verdict, Verdict::kCertain);
  EXPECT_EQ(withPage(certain, otherWritingOnTheForm()).verdict, Verdict::kCertain);
}

TEST_F(PageRules, WritingMostlyOtherThanTheEarlierPagesOverrulesANumberOcrReadTheSame) {
  // The next prescription of a visit, its number misread by one digit as the first one's.
  PresentationContent a;
  a.issuer = "北京市朝阳区第三人民医院";
  a.date = "2026-03-05";
  a.patient = "郑梓萱";
  a.rxNumber = "202600001234";
  a.numberRead = true;
  const Comparison fields = compare(maker_.make(a, {}, {}), maker_.make(a, {}, {}));
  ASSERT_EQ(fields.verdict, Verdict::kCertain);
  PageEvidence mostlyOther = otherWritingOnTheForm();
  mostlyOther.confirmed = 300;
  mostlyOther.conflicts = 420;
  mostlyOther.clustered = 190;
  const Comparison c = withPage(fields, mostlyOther, {.bothByOcr = true});
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  EXPECT_TRUE(c.signals.page.otherWriting);
  // A signed number (an e-prescription's, or its QR's on a printout) is never overruled, and
  // writing that differs in places only (a crumpled or dim photo) does not overrule OCR either.
  EXPECT_EQ(withPage(fields, mostlyOther, {.bothTakenAsRead = true}).verdict, Verdict::kCertain);
  EXPECT_EQ(withPage(fields, otherWritingOnTheForm(), {.bothByOcr = true}).verdict,
            Verdict::kCertain);
}

TEST_F(PageRules, ARepeatOfTheSameDayWhoseNumbersWereReadWithConfidenceIsNotTheSamePage) {
  // rx-photos-v1's f015 and f033: the same patient, hospital, drugs and date; only the number
  // differs, and the ink cells of the two pages agree (a digit's cell holds ink either way).
  PresentationContent first;
  first.issuer = "北京市朝阳区第三人民医院";
  first.date = "2026-12-05";
  first.patient = "孙燕";
  first.drugs = {"缬沙坦胶囊"};
  first.rxNumber = "20261205801633";
  first.numberRead = true;
  first.numberSure = true;
  PresentationContent repeat = first;
  repeat.rxNumber = "20261205608001";
  const Fingerprint a = maker_.make(first, {}, {}), b = maker_.make(repeat, {}, {});
  const Comparison fields = compare(b, a);
  ASSERT_EQ(fields.signals.number, Agreement::kDiffer);
  ASSERT_EQ(fields.signals.date, Agreement::kSame);
  ASSERT_EQ(fields.verdict, Verdict::kNew) << fields.rule;
  const NumberReadings sure = NumberReadings::of(b, a);
  EXPECT_TRUE(sure.bothByOcr && sure.bothTakenAsRead);
  const Comparison c = withPage(fields, samePage(), sure);
  EXPECT_EQ(c.verdict, Verdict::kNew) << c.rule;
  EXPECT_FALSE(c.signals.page.samePaper);
  // One number read without confidence may be the same number misread: the picture decides
  // (its drugs not read, so that the fields say nothing: rule 7 asks for a drug read on both).
  repeat.numberSure = false;
  repeat.drugs.clear();
  const Fingerprint unsure = maker_.make(repeat, {}, {});
  const NumberReadings misread = NumberReadings::of(unsure, a);
  EXPECT_FALSE(misread.bothTakenAsRead);
  ASSERT_EQ(compare(unsure, a).verdict, Verdict::kNew) << compare(unsure, a).rule;
  const Comparison photo = withPage(compare(unsure, a), samePage(), misread);
  EXPECT_EQ(photo.verdict, Verdict::kSuspected) << photo.rule;
  EXPECT_TRUE(photo.signals.page.samePaper);
}

TEST_F(PageRules, ACrumpledSheetReadWithTheSamePatientDateAndMostDrugsIsSuspected) {
  // test::crumpledRephoto's folds leave 20 of 27 different cells side by side, more than the same
  // written page allows.
  const auto [first, crumpled] = test::crumpledRephoto();
  const Fingerprint a = maker_.make(first, {}, {});
  const Comparison fields = compare(maker_.make(crumpled, {}, {}), a);
  ASSERT_EQ(fields.verdict, Verdict::kNew) << fields.rule;
  PageEvidence folds = samePage();
  folds.confirmed = 491;
  folds.conflicts = 27;
  folds.clustered = 20;
  ASSERT_FALSE(folds.samePaper());
  const Comparison c = withPage(fields, folds);
  EXPECT_EQ(c.verdict, Verdict::kSuspected) << c.rule;
  EXPECT_NE(c.rule.find("half the drugs or more"), std::string::npos) << c.rule;
  EXPECT_FALSE(c.signals.page.otherWriting);
  // Not the visit's second prescription (other drugs, or one drug of three in common), nor a
  // repeat of another day, nor a paper whose number was read and differs, nor a page whose
  // writing differs in more than a tenth of its cells.
  PresentationContent secondOfVisit = crumpled;
  secondOfVisit.drugs = {"氯雷他定片", "盐酸西替利嗪片"};
  EXPECT_EQ(withPage(compare(maker_.make(secondOfVisit, {}, {}), a), folds).verdict, Verdict::kNew);
  secondOfVisit.drugs = {"阿莫西林胶囊", "氯雷他定片", "盐酸西替利嗪片"};
  const Comparison oneInCommon = compare(maker_.make(secondOfVisit, {}, {}), a);
  ASSERT_GT(oneInCommon.signals.drugs, 0);
  ASSERT_LT(oneInCommon.signals.drugs, 0.5);
  EXPECT_EQ(withPage(oneInCommon, folds).verdict, Verdict::kNew);
  PresentationContent numbered = crumpled;
  numbered.rxNumber = "CF-20260514-7533";
  numbered.numberRead = true;
  const Comparison otherNumber = compare(maker_.make(numbered, {}, {}), a);
  ASSERT_EQ(otherNumber.signals.number, Agreement::kDiffer);
  EXPECT_EQ(withPage(otherNumber, folds).verdict, Verdict::kNew) << otherNumber.rule;
  PresentationContent nextMonth = crumpled;
  nextMonth.date = "2026-06-14";
  EXPECT_EQ(withPage(compare(maker_.make(nextMonth, {}, {}), a), folds).verdict, Verdict::kNew);
  PageEvidence rewritten = folds;
  rewritten.conflicts = 80;
  EXPECT_EQ(withPage(fields, rewritten).verdict, Verdict::kNew);
}

}  // namespace
}  // namespace rx::dedup
