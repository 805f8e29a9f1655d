// Speed targets, on one core (`taskset -c 1`). Issue 3: Ed25519 >= 10,000 verifications/s; a whole
// e-prescription verification (parse, canonicalise, verify, agreement lookup) >= 2,000/s. Issue 24:
// SM2 and ECDSA P-256 verification at least as fast as OpenSSL's. OpenSSL's EVP verifies the same
// keys, messages and signatures in the same run, and the program ends with the ratios.
#include <benchmark/benchmark.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cryptopp/xed25519.h>
#include <map>

#include "crypto/hash.h"
#include "crypto/signing_key.h"
#include "store_fixture.h"
#include "workstation/agreements.h"
#include "workstation/demo_documents.h"
#include "workstation/settings.h"

namespace {

using namespace rx;

const crypto::Bytes& message() {
  static const crypto::Bytes m = crypto::randomBytes(1024);
  return m;
}

// One key per type and its signature of message(), shared by rxdesk's and OpenSSL's benchmarks.
struct Signed {
  crypto::SigningKey key;
  crypto::Bytes signature;  // as rxdesk signs: raw r‖s for ECDSA and SM2
};

const Signed& signedMessage(crypto::KeyType type) {
  static std::map<crypto::KeyType, Signed> made;
  auto it = made.find(type);
  if (it == made.end()) {
    crypto::SigningKey key = crypto::SigningKey::generate(type);
    crypto::Bytes sig = *key.sign(message());
    it = made.emplace(type, Signed{std::move(key), std::move(sig)}).first;
  }
  return it->second;
}

void BM_Baseline_CryptoPP_Ed25519Verify(benchmark::State& state) {
  const Signed& s = signedMessage(crypto::KeyType::kEd25519);
  const crypto::Bytes& spki = s.key.publicKey().spki();
  CryptoPP::ed25519Verifier verifier(spki.data() + 12);
  for (auto _ : state)
    benchmark::DoNotOptimize(verifier.VerifyMessage(message().data(), message().size(),
                                                    s.signature.data(), s.signature.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Baseline_CryptoPP_Ed25519Verify);

void verifyBench(benchmark::State& state, crypto::KeyType type) {
  const Signed& s = signedMessage(type);
  for (auto _ : state) {
    rx::Status st =
        crypto::verifySignature(s.key.publicKey(), s.key.defaultScheme(), message(), s.signature);
    if (!st) state.SkipWithError(st.message().c_str());
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

// Enrolling a key (parsing and validating its SPKI, and for SM2 tabulating its multiples) happens
// once per key: users keep parsed keys (ErxVerifier caches them by key id).
void keyEnrolmentBench(benchmark::State& state, crypto::KeyType type) {
  const crypto::Bytes& spki = signedMessage(type).key.publicKey().spki();
  for (auto _ : state) benchmark::DoNotOptimize(crypto::PublicKey::fromSpki(spki));
  state.SetItemsProcessed(state.iterations());
}
void BM_Rxdesk_EcdsaP256KeyEnrolment(benchmark::State& s) {
  keyEnrolmentBench(s, crypto::KeyType::kEcP256);
}
void BM_Rxdesk_Sm2KeyEnrolment(benchmark::State& s) { keyEnrolmentBench(s, crypto::KeyType::kSm2); }
BENCHMARK(BM_Rxdesk_EcdsaP256KeyEnrolment);
BENCHMARK(BM_Rxdesk_Sm2KeyEnrolment);

// The same key as an OpenSSL EVP_PKEY, read from the same SubjectPublicKeyInfo, and the same
// signature as OpenSSL takes it (DER for ECDSA and SM2).
struct OpenSslInputs {
  EVP_PKEY* key = nullptr;
  crypto::Bytes signature;
};

OpenSslInputs openSslInputs(crypto::KeyType type) {
  const Signed& s = signedMessage(type);
  OpenSslInputs in;
  const crypto::Bytes& spki = s.key.publicKey().spki();
  const unsigned char* p = spki.data();
  in.key = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (type == crypto::KeyType::kEd25519) {
    in.signature = s.signature;
    return in;
  }
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(s.signature.data(), 32, nullptr),
                 BN_bin2bn(s.signature.data() + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  in.signature.assign(der, der + len);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return in;
}

// What a program using OpenSSL does for each document: EVP_DigestVerifyInit (with the SM2 signer
// ID) and EVP_DigestVerify over the message, as `openssl speed sm2` times it.
void openSslDigestVerify(benchmark::State& state, crypto::KeyType type) {
  OpenSslInputs in = openSslInputs(type);
  const bool sm2 = type == crypto::KeyType::kSm2;
  if (in.key == nullptr || (sm2 && !EVP_PKEY_is_a(in.key, "SM2"))) {
    state.SkipWithError("OpenSSL did not read the key");
    return;
  }
  const EVP_MD* md = type == crypto::KeyType::kEd25519 ? nullptr : sm2 ? EVP_sm3() : EVP_sha256();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const std::string_view id = crypto::kSm2DefaultUserId;
  for (auto _ : state) {
    EVP_PKEY_CTX* pctx = nullptr;
    if (sm2) {
      pctx = EVP_PKEY_CTX_new_from_pkey(nullptr, in.key, nullptr);
      EVP_PKEY_CTX_set1_id(pctx, id.data(), static_cast<int>(id.size()));
      EVP_MD_CTX_set_pkey_ctx(ctx, pctx);
    }
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, in.key) == 1 &&
                    EVP_DigestVerify(ctx, in.signature.data(), in.signature.size(),
                                     message().data(), message().size()) == 1;
    EVP_MD_CTX_reset(ctx);
    EVP_PKEY_CTX_free(pctx);
    if (!ok) state.SkipWithError("OpenSSL rejected the signature");
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(in.key);
  state.SetItemsProcessed(state.iterations());
}
void BM_OpenSsl_Ed25519Verify(benchmark::State& s) {
  openSslDigestVerify(s, crypto::KeyType::kEd25519);
}
void BM_OpenSsl_EcdsaP256Verify(benchmark::State& s) {
  openSslDigestVerify(s, crypto::KeyType::kEcP256);
}
void BM_OpenSsl_Sm2Verify(benchmark::State& s) { openSslDigestVerify(s, crypto::KeyType::kSm2); }
BENCHMARK(BM_OpenSsl_Ed25519Verify);
BENCHMARK(BM_OpenSsl_EcdsaP256Verify);
BENCHMARK(BM_OpenSsl_Sm2Verify);

// ECDSA's curve arithmetic alone, as `openssl speed ecdsap256` times it: EVP_PKEY_verify of the
// message's SHA-256 on a context set up once. A floor that no verification of whole messages
// reaches, shown for reference. (`openssl speed sm2` times EVP_DigestVerifyInit and
// EVP_DigestVerify, as BM_OpenSsl_Sm2Verify does.)
void BM_OpenSsl_EcdsaP256VerifyPrehashed(benchmark::State& state) {
  OpenSslInputs in = openSslInputs(crypto::KeyType::kEcP256);
  if (in.key == nullptr) {
    state.SkipWithError("OpenSSL did not read the key");
    return;
  }
  const crypto::Digest256 digest = crypto::sha256(message());
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, in.key, nullptr);
  EVP_PKEY_verify_init(ctx);
  EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
  for (auto _ : state)
    if (EVP_PKEY_verify(ctx, in.signature.data(), in.signature.size(), digest.data(), 32) != 1)
      state.SkipWithError("OpenSSL rejected the signature");
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(in.key);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OpenSsl_EcdsaP256VerifyPrehashed);

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
  // The agreement is made out to this pharmacy: its 统一社会信用代码 first.
  if (!session || !agreement ||
      !ws::SettingsService(**session).set("pharmacy.uscc", "91440300708461136T") ||
      !ws::AgreementService(**session).import(*agreement, "ag")) {
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

// Prints the runs as usual and keeps each benchmark's items per second for the ratios.
class RateKeepingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto rate = run.counters.find("items_per_second");
      if (run.run_type == Run::RT_Iteration && !run.error_occurred && rate != run.counters.end())
        rates_[run.run_name.function_name].push_back(rate->second.value);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // Returns the mean rate of `name` over its repetitions, or 0 if it did not run.
  double rate(const std::string& name) const {
    auto it = rates_.find(name);
    if (it == rates_.end() || it->second.empty()) return 0;
    double sum = 0;
    for (double r : it->second) sum += r;
    return sum / static_cast<double>(it->second.size());
  }

 private:
  std::map<std::string, std::vector<double>> rates_;
};

void printRatios(const RateKeepingReporter& r) {
  struct Row {
    const char* scheme;
    const char* rxdesk;
    const char* openssl;
  };
  const Row rows[] = {
      {"SM2 (SM3)", "BM_Rxdesk_Sm2Verify", "BM_OpenSsl_Sm2Verify"},
      {"ECDSA P-256", "BM_Rxdesk_EcdsaP256Verify", "BM_OpenSsl_EcdsaP256Verify"},
      {"ECDSA P-256", "BM_Rxdesk_EcdsaP256Verify", "BM_OpenSsl_EcdsaP256VerifyPrehashed"},
      {"Ed25519", "BM_Rxdesk_Ed25519Verify", "BM_OpenSsl_Ed25519Verify"},
  };
  std::printf("\nVerifications per second, same keys, 1 KiB messages and signatures, this run:\n");
  std::printf("  %-12s %10s %10s %6s  %s\n", "scheme", "rxdesk", "OpenSSL", "ratio", "OpenSSL as");
  for (const Row& row : rows) {
    const double mine = r.rate(row.rxdesk), theirs = r.rate(row.openssl);
    if (mine <= 0 || theirs <= 0) continue;
    const bool prehashed = std::string_view(row.openssl).find("Prehashed") != std::string::npos;
    std::printf("  %-12s %10.0f %10.0f %6.2f  %s\n", row.scheme, mine, theirs, mine / theirs,
                prehashed ? "EVP_PKEY_verify of a ready digest (openssl speed's loop; no hashing)"
                          : "EVP_DigestVerifyInit + EVP_DigestVerify");
  }
  if (const double whole = r.rate("BM_WholeEPrescription_Sm2"); whole > 0)
    std::printf("  whole SM2-signed e-prescription: %.0f/s\n", whole);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RateKeepingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  printRatios(reporter);
  benchmark::Shutdown();
  return 0;
}
