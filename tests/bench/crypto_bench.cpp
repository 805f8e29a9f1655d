// Issue 3 speed targets, on one core: Ed25519 >= 10,000 verifications/s; a whole e-prescription
// verification (parse, canonicalise, verify, agreement lookup) >= 2,000/s. The raw Crypto++
// verify call runs in the same process as the baseline.
#include <benchmark/benchmark.h>

#include <cryptopp/xed25519.h>

#include "crypto/signing_key.h"
#include "store_fixture.h"
#include "workstation/agreements.h"
#include "workstation/demo_documents.h"

namespace {

using namespace rx;

const crypto::Bytes& message() {
  static const crypto::Bytes m = crypto::randomBytes(1024);
  return m;
}

void BM_Baseline_CryptoPP_Ed25519Verify(benchmark::State& state) {
  crypto::SigningKey key = crypto::SigningKey::generate(crypto::KeyType::kEd25519);
  crypto::Bytes sig = *key.sign(message());
  const crypto::Bytes& spki = key.publicKey().spki();
  CryptoPP::ed25519Verifier verifier(spki.data() + 12);
  for (auto _ : state)
    benchmark::DoNotOptimize(
        verifier.VerifyMessage(message().data(), message().size(), sig.data(), sig.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Baseline_CryptoPP_Ed25519Verify);

void verifyBench(benchmark::State& state, crypto::KeyType type) {
  crypto::SigningKey key = crypto::SigningKey::generate(type);
  crypto::Bytes sig = *key.sign(message());
  for (auto _ : state) {
    rx::Status s = crypto::verifySignature(key.publicKey(), key.defaultScheme(), message(), sig);
    if (!s) state.SkipWithError(s.message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Rxdesk_Ed25519Verify(benchmark::State& s) { verifyBench(s, crypto::KeyType::kEd25519); }
void BM_Rxdesk_EcdsaP256Verify(benchmark::State& s) { verifyBench(s, crypto::KeyType::kEcP256); }
void BM_Rxdesk_Sm2Verify(benchmark::State& s) { verifyBench(s, crypto::KeyType::kSm2); }
void BM_Rxdesk_RsaPss3072Verify(benchmark::State& s) { verifyBench(s, crypto::KeyType::kRsa); }
BENCHMARK(BM_Rxdesk_Ed25519Verify);
BENCHMARK(BM_Rxdesk_EcdsaP256Verify);
BENCHMARK(BM_Rxdesk_Sm2Verify);
BENCHMARK(BM_Rxdesk_RsaPss3072Verify);

// The whole path a pharmacist's "verify" takes, minus the durable write of the record.
void wholeEPrescription(benchmark::State& state, crypto::KeyType type) {
  test::TempDir dir;
  auto session =
      ws::Session::initStore(dir.file("b.rxdb"), test::adminUser(), "pw", test::fastStoreOptions());
  crypto::SigningKey provider = crypto::SigningKey::generate(type);
  auto agreement = ws::signAgreement(
      ws::demoAgreementDraft("AG-B", "示例互联网医院", "12440000455858776H", "示例大药房",
                             "91440300708461136T", "2026-01-01", "2099-12-31"),
      provider, "2026-01-01T00:00:00Z");
  if (!session || !agreement || !ws::AgreementService(**session).import(*agreement, "ag")) {
    state.SkipWithError("setup failed");
    return;
  }
  ws::DemoPrescription p;
  p.drugs = {{"阿莫西林胶囊", "rx", "0.25g×24粒", 2, "盒", "口服"},
             {"布洛芬缓释胶囊", "otc-a", "0.3g×20粒", 1, "盒", "口服"},
             {"二甲双胍片", "rx", "0.5g×48片", 3, "盒", "口服"}};
  const std::string text =
      *ws::signEPrescription(ws::demoBundle(p), provider, "2026-11-22T08:00:00Z");
  ws::ErxVerifier verifier(**session);
  for (auto _ : state) {
    auto rx = ws::parseEPrescription(text, "bench.json");
    auto verdict = verifier.evaluate(*rx, "2026-11-22T10:00:00Z");
    if (!verdict || !verdict->accepted()) state.SkipWithError("not accepted");
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bundle_bytes"] = static_cast<double>(text.size());
}
void BM_WholeEPrescription_Ed25519(benchmark::State& s) {
  wholeEPrescription(s, crypto::KeyType::kEd25519);
}
void BM_WholeEPrescription_Sm2(benchmark::State& s) {
  wholeEPrescription(s, crypto::KeyType::kSm2);
}
BENCHMARK(BM_WholeEPrescription_Ed25519);
BENCHMARK(BM_WholeEPrescription_Sm2);

}  // namespace

BENCHMARK_MAIN();
