// A corpus for the reuse detector: prescriptions photographed several times (re-photos that must be
// caught), plus monthly repeats and other prescriptions on the same hospital form (fresh
// presentations that must not be flagged), in the order they would reach the counter.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "dedup/page_match.h"
#include "rxgen.h"

namespace rx::test {

struct CorpusPhoto {
  int group = 0;         // photos of the same paper share a group
  std::string category;  // fresh | monthly-repeat | same-form | same-visit | re-photo
  std::string taken;     // how it was taken: phone, scan, photocopy, screen (+crumpled, ...)
  GenRx truth;
  std::vector<std::uint8_t> jpeg;
};

struct CorpusSpec {
  std::uint64_t seed = 1;
  std::vector<int> layouts;
  int prescriptions = 10;  // each photographed `photos` times
  int photos = 3;
  int threads = 2;  // photos are rendered in parallel (deterministic per photo)
  // Harder: every other prescription also has a same-visit pair (next number, same patient and
  // day, other drugs); half the papers are stamped and initialled by the pharmacy after their
  // first presentation; each re-photo is taken as a scan, a photo of a photocopy or of a phone
  // screen, crumpled, in low light or with a thumb over a corner (or a plain phone photo).
  bool hard = false;
  // Numbers and dates as other hospitals print them (RxGenerator::setVariedFormats).
  bool variedFormats = false;
  // Forms, paper and printing as other hospitals have them (RxGenerator::setOtherForms).
  bool otherForms = false;
  // Every photo on a busy desk, the paper smaller in the frame (busyDeskCapture()).
  bool busyDesks = false;
};

// How photos on busy desks are taken: CaptureOptions::busyDesk, the page 35-80% of the frame's
// short side (rx-photos-v1 has papers a quarter of the frame).
CaptureOptions busyDeskCapture();

// The ways a paper is taken in the harder corpora: 0 a phone photo, 1 a scan, 2 a photo of a
// photocopy, 3 of a phone screen, 4 of crumpled paper, 5 in low light, 6 with a thumb over a
// corner.
inline constexpr int kWaysOfTaking = 7;
Conditions wayOfTaking(int way);

// Order: the first photo of every prescription, then one monthly repeat and one same-form
// prescription (and, when hard, a same-visit one) for every other prescription, then the
// re-photos.
std::vector<CorpusPhoto> makeReuseCorpus(const CorpusSpec& spec, const std::string& catalogue);

// A rendered page (BGR) as the OCR pipeline leaves it straightened: grey, off by a few pixels of
// perspective, blurred and noisy, through JPEG; `seed` draws all of it.
cv::Mat straightenedPage(const cv::Mat& page, std::uint64_t seed);

// The bits a photo flipped in each feature that registration pairs between a paper's stored page
// and a photo of it taken `again` (the XOR of the two descriptors): real photo noise, to make
// pages like those of a large store from a few (none when the two do not register).
std::vector<dedup::Hash256> photoNoise(const dedup::PageFeatures& paper,
                                       const dedup::PageFeatures& again);

// `page` as a store holds another prescription on its form: each descriptor XORed with one of
// `noise` (photoNoise's differences) and each point moved by up to 8 px each way, drawn by `rng`.
dedup::PageFeatures withPhotoNoise(dedup::PageFeatures page,
                                   const std::vector<dedup::Hash256>& noise, std::mt19937_64& rng);

}  // namespace rx::test
