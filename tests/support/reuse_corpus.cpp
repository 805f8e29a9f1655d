#include "reuse_corpus.h"

#include <atomic>
#include <thread>

namespace rx::test {

std::vector<CorpusPhoto> makeReuseCorpus(const CorpusSpec& spec, const std::string& catalogue) {
  RxGenerator gen(spec.seed, catalogue);
  std::vector<CorpusPhoto> out;
  std::vector<GenRx> originals;
  for (int i = 0; i < spec.prescriptions; ++i) {
    originals.push_back(gen.content(spec.layouts[i % spec.layouts.size()]));
    out.push_back({i, "fresh", originals.back(), {}});
  }
  int group = spec.prescriptions;
  for (int i = 0; i < spec.prescriptions; i += 2) {
    out.push_back({group++, "monthly-repeat", gen.monthlyRepeat(originals[i]), {}});
    out.push_back({group++, "same-form", gen.sameForm(originals[i]), {}});
  }
  for (int k = 1; k < spec.photos; ++k)
    for (int i = 0; i < spec.prescriptions; ++i) out.push_back({i, "re-photo", originals[i], {}});

  // Every photo gets its own capture randomness, so the corpus does not depend on thread timing.
  CaptureOptions capture;
  capture.cropProbability = 0.15;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    RxGenerator local(0, catalogue);
    for (std::size_t i; (i = next++) < out.size();) {
      local.rng().seed(spec.seed * 1000003 + i);
      out[i].jpeg = local.photograph(local.render(out[i].truth), capture);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, spec.threads); ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace rx::test
