#include "reuse_corpus.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace rx::test {

CaptureOptions busyDeskCapture() {
  CaptureOptions o;
  o.busyDesk = true;
  o.minFill = 0.35;
  o.maxFill = 0.8;
  return o;
}

Conditions wayOfTaking(int way) {
  Conditions c;
  switch (way) {
    case 1:
      c.medium = Medium::kScan;
      break;
    case 2:
      c.medium = Medium::kPhotocopy;
      break;
    case 3:
      c.medium = Medium::kScreen;
      break;
    case 4:
      c.crumpled = true;
      break;
    case 5:
      c.lowLight = true;
      break;
    case 6:
      c.thumb = true;
      break;
    default:
      break;
  }
  return c;
}

std::vector<CorpusPhoto> makeReuseCorpus(const CorpusSpec& spec, const std::string& catalogue) {
  RxGenerator gen(spec.seed, catalogue);
  gen.setVariedFormats(spec.variedFormats);
  gen.setOtherForms(spec.otherForms);
  std::vector<CorpusPhoto> out;
  std::vector<GenRx> originals;
  for (int i = 0; i < spec.prescriptions; ++i) {
    originals.push_back(gen.content(spec.layouts[i % spec.layouts.size()]));
    out.push_back({i, "fresh", "", originals.back(), {}});
  }
  int group = spec.prescriptions;
  for (int i = 0; i < spec.prescriptions; i += 2) {
    out.push_back({group++, "monthly-repeat", "", gen.monthlyRepeat(originals[i]), {}});
    out.push_back({group++, "same-form", "", gen.sameForm(originals[i]), {}});
    if (spec.hard) out.push_back({group++, "same-visit", "", gen.sameVisit(originals[i]), {}});
  }
  for (int k = 1; k < spec.photos; ++k)
    for (int i = 0; i < spec.prescriptions; ++i)
      out.push_back({i, "re-photo", "", originals[i], {}});

  // Every photo gets its own capture randomness, so the corpus does not depend on thread timing.
  CaptureOptions capture = spec.busyDesks ? busyDeskCapture() : CaptureOptions{};
  capture.cropProbability = 0.15;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    RxGenerator local(0, catalogue);
    local.setOtherForms(spec.otherForms);  // it renders the pages
    for (std::size_t i; (i = next++) < out.size();) {
      local.rng().seed(spec.seed * 1000003 + i);
      if (!spec.hard) {
        out[i].taken = "phone";
        out[i].jpeg = local.photograph(local.render(out[i].truth), capture);
        continue;
      }
      cv::Mat page = local.render(out[i].truth);
      Conditions c;
      if (out[i].category == "re-photo") {
        // Half the papers were stamped and initialled at their first dispensing (the marks are
        // the same on every later photo of that paper).
        if (out[i].group % 2 == 1) {
          RxGenerator marks(spec.seed * 7919 + static_cast<std::uint64_t>(out[i].group), catalogue);
          marks.addPharmacyMarks(page);
        }
        std::uniform_int_distribution<int> pick(0, kWaysOfTaking - 1);
        c = wayOfTaking(pick(local.rng()));
      }
      out[i].taken = std::string(mediumName(c.medium)) + (c.crumpled ? "+crumpled" : "") +
                     (c.lowLight ? "+low-light" : "") + (c.thumb ? "+thumb" : "") +
                     (out[i].category == "re-photo" && out[i].group % 2 == 1 ? "+marks" : "");
      out[i].jpeg = local.take(page, c, capture);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, spec.threads); ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  return out;
}

cv::Mat straightenedPage(const cv::Mat& page, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> j(-8, 8);
  const float w = static_cast<float>(page.cols), h = static_cast<float>(page.rows);
  const std::vector<cv::Point2f> from = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const std::vector<cv::Point2f> to = {
      {j(rng), j(rng)}, {w + j(rng), j(rng)}, {w + j(rng), h + j(rng)}, {j(rng), h + j(rng)}};
  cv::Mat grey, warped;
  cv::cvtColor(page, grey, cv::COLOR_BGR2GRAY);
  cv::warpPerspective(grey, warped, cv::getPerspectiveTransform(from, to), grey.size(),
                      cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::GaussianBlur(warped, warped, cv::Size(0, 0), 0.6 + 0.5 * (seed % 3));
  cv::Mat noise(warped.size(), CV_16S);
  cv::RNG(seed).fill(noise, cv::RNG::NORMAL, 0, 4);
  cv::Mat w16;
  warped.convertTo(w16, CV_16S);
  w16 += noise;
  w16.convertTo(warped, CV_8U);
  std::vector<std::uint8_t> jpeg;
  cv::imencode(".jpg", warped, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80});
  return cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
}

std::vector<dedup::Hash256> photoNoise(const dedup::PageFeatures& paper,
                                       const dedup::PageFeatures& again) {
  std::vector<dedup::Hash256> differences;
  const auto evidence = dedup::registerPages(again, paper);
  if (!evidence) return differences;
  auto indexOf = [](const dedup::PageFeatures& f, cv::Point2f p) {
    const auto it = std::find(f.points.begin(), f.points.end(), p);
    return it == f.points.end() ? -1 : static_cast<int>(it - f.points.begin());
  };
  for (const auto& [stored, seen] : evidence->pairs) {
    const int a = indexOf(paper, stored), q = indexOf(again, seen);
    if (a < 0 || q < 0) continue;
    dedup::Hash256 difference = paper.descriptors[static_cast<std::size_t>(a)];
    const dedup::Hash256& y = again.descriptors[static_cast<std::size_t>(q)];
    for (std::size_t w = 0; w < difference.size(); ++w) difference[w] ^= y[w];
    differences.push_back(difference);
  }
  return differences;
}

dedup::PageFeatures withPhotoNoise(dedup::PageFeatures page,
                                   const std::vector<dedup::Hash256>& noise, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> moved(-8, 8);  // px each way
  for (auto& d : page.descriptors) {
    const dedup::Hash256& noisy = noise[rng() % noise.size()];
    for (std::size_t w = 0; w < d.size(); ++w) d[w] ^= noisy[w];
  }
  for (auto& p : page.points) {
    const float dy = moved(rng), dx = moved(rng);  // y first, as the bench's fill drew them
    p += cv::Point2f(dx, dy);
  }
  return page;
}

}  // namespace rx::test
