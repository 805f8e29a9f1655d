// Issue 24 moved the curve arithmetic of ECDSA P-256 verification from Crypto++ to OpenSSL, and
// SM2's to rxdesk's own tables (ec_tables.h). Nothing may get weaker or stricter: the new path and
// the Crypto++ code it replaced (internal::CryptoPPEcVerifier) must give the same answer — accept,
// or reject with the same code and reason — on 100,000 random valid and altered signatures and on
// every test vector; the tables' rare cases (doubling, infinity) are driven on purpose.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "crypto/signature.h"
#include "crypto/signing_key.h"
#include "ec_internal.h"
#include "ec_reference.h"
#include "ec_tables.h"
#include "openssl_ec.h"
#include "test_vectors.h"

namespace rx::crypto {
namespace {

using test::hexBytes;
using test::loadVectors;

// The full count in normal builds; sanitizer builds run the same mix, fewer times.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kCrossCheckCount = 10'000;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kCrossCheckCount = 10'000;
#else
constexpr int kCrossCheckCount = 100'000;
#endif
#else
constexpr int kCrossCheckCount = 100'000;
#endif

// How a freshly made valid signature is altered before both verifiers see it.
enum class Alteration {
  kNone,             // the valid signature itself
  kMessageBit,       // one bit of the message flipped
  kRBit,             // one bit of r flipped
  kSBit,             // one bit of s flipped
  kEncodedBit,       // one bit of the encoded signature (raw or DER) flipped
  kHighS,            // s replaced by n - s (valid for ECDSA, which has no low-S rule)
  kWrongKey,         // verified with another key of the same curve
  kScalarEdge,       // r or s replaced by 0, 1, n - 1, n, n + 1 or 2^256 - 1
  kRandomScalar,     // r or s replaced by 32 random bytes
  kSwappedRS,        // s‖r instead of r‖s
  kTruncatedOrLong,  // a byte removed or appended
  kOtherUserId,      // SM2: another signer ID (P-256: the SM2 scheme, which does not fit the key)
  kCount
};

const char* alterationName(Alteration a) {
  static const char* const kNames[] = {"none",          "message bit", "r bit",     "s bit",
                                       "encoded bit",   "high s",      "wrong key", "scalar edge",
                                       "random scalar", "swapped r s", "length",    "user id"};
  return kNames[static_cast<int>(a)];
}

struct Curve {
  KeyType type;
  SignatureScheme scheme;
  Bytes order;  // n, big-endian, 32 bytes
  std::vector<SigningKey> keys;
};

Bytes orderOf(KeyType type) {
  const auto& params = type == KeyType::kSm2 ? internal::sm2Params() : internal::p256Params();
  Bytes n(32);
  params.GetSubgroupOrder().Encode(n.data(), 32);
  return n;
}

// Returns a - b (or a + b) modulo 2^256 over 32-byte big-endian values.
Bytes subtract(const Bytes& a, const Bytes& b) {
  Bytes out(32);
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = a[i] - b[i] - borrow;
    borrow = d < 0;
    out[i] = static_cast<std::uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}
Bytes addSmall(const Bytes& a, int k) {
  Bytes out = a;
  for (int i = 31; i >= 0 && k; --i) {
    int v = out[i] + k;
    out[i] = static_cast<std::uint8_t>(v & 0xff);
    k = v >> 8;
  }
  return out;
}

struct Case {
  const PublicKey* key;
  SignatureScheme scheme;
  Bytes message;
  Bytes signature;
  SignatureEncoding encoding;
  std::string userId;
  Alteration alteration;
};

// A fresh signature by a random key over a random message, with a random signer ID for some SM2
// signatures; every alteration starts from one.
struct Signed {
  const Curve* curve;
  std::size_t keyIndex;
  Bytes message;
  std::string userId;
  Bytes raw;  // r‖s
};

Signed signRandom(std::mt19937_64& rng, const std::vector<Curve>& curves) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  Signed out;
  out.curve = &curves[pick(curves.size())];
  out.keyIndex = pick(out.curve->keys.size());
  out.message.resize(pick(600));
  for (auto& b : out.message) b = static_cast<std::uint8_t>(rng());
  out.userId = kSm2DefaultUserId;
  if (out.curve->type == KeyType::kSm2 && pick(4) == 0)
    out.userId = "pharmacist-" + std::to_string(rng());
  out.raw = *out.curve->keys[out.keyIndex].sign(out.curve->scheme, out.message.data(),
                                                out.message.size(), out.userId);
  return out;
}

// Returns `base` altered by `alteration`, in a random encoding.
Case alter(std::mt19937_64& rng, const Signed& base, Alteration alteration) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const Curve& curve = *base.curve;
  const std::size_t keyIndex = base.keyIndex;
  Case c{&curve.keys[keyIndex].publicKey(), curve.scheme, base.message, {},
         SignatureEncoding::kRaw,           base.userId,  alteration};
  Bytes raw = base.raw;
  Bytes r(raw.begin(), raw.begin() + 32), s(raw.begin() + 32, raw.end());
  auto flipBit = [&](Bytes& v) {
    if (v.empty()) {
      v.push_back(static_cast<std::uint8_t>(rng()));
      return;
    }
    v[pick(v.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
  };
  switch (alteration) {
    case Alteration::kMessageBit:
      flipBit(c.message);
      break;
    case Alteration::kRBit:
      flipBit(r);
      break;
    case Alteration::kSBit:
      flipBit(s);
      break;
    case Alteration::kHighS:
      s = subtract(curve.order, s);
      break;
    case Alteration::kWrongKey:
      c.key =
          &curve.keys[(keyIndex + 1 + pick(curve.keys.size() - 1)) % curve.keys.size()].publicKey();
      break;
    case Alteration::kScalarEdge: {
      const Bytes zero(32, 0), ones(32, 0xff);
      const Bytes edges[] = {
          zero,        addSmall(zero, 1),        subtract(curve.order, addSmall(zero, 1)),
          curve.order, addSmall(curve.order, 1), ones};
      (pick(2) ? r : s) = edges[pick(6)];
      break;
    }
    case Alteration::kRandomScalar: {
      Bytes v(32);
      for (auto& b : v) b = static_cast<std::uint8_t>(rng());
      (pick(2) ? r : s) = v;
      break;
    }
    case Alteration::kSwappedRS:
      std::swap(r, s);
      break;
    case Alteration::kOtherUserId:
      if (curve.type == KeyType::kSm2)
        c.userId = c.userId == kSm2DefaultUserId ? "1234567812345679" : kSm2DefaultUserId;
      else
        c.scheme = SignatureScheme::kSm2Sm3;
      break;
    default:
      break;
  }
  raw = r;
  raw.insert(raw.end(), s.begin(), s.end());
  c.encoding = pick(2) ? SignatureEncoding::kDer : SignatureEncoding::kRaw;
  c.signature =
      c.encoding == SignatureEncoding::kDer ? internal::rawSignatureToDer(raw.data(), 32) : raw;
  if (alteration == Alteration::kEncodedBit) flipBit(c.signature);
  if (alteration == Alteration::kTruncatedOrLong) {
    if (pick(2))
      c.signature.pop_back();
    else
      c.signature.push_back(static_cast<std::uint8_t>(rng()));
  }
  return c;
}

std::string describe(const Case& c, const Status& now, const Status& before) {
  return std::string(alterationName(c.alteration)) + ", " + std::string(schemeName(c.scheme)) +
         (c.encoding == SignatureEncoding::kDer ? " DER" : " raw") + ", key " +
         toHex(c.key->spki()) + ", user id \"" + c.userId + "\", message " + toHex(c.message) +
         ", signature " + toHex(c.signature) + ": now [" + std::string(errorCodeName(now.code())) +
         "] " + now.message() + ", before [" + std::string(errorCodeName(before.code())) + "] " +
         before.message();
}

bool sameAnswer(const Status& a, const Status& b) {
  return a.isOk() == b.isOk() && a.code() == b.code() && a.message() == b.message();
}

TEST(EcVerifyCrossCheck, RandomValidAndAlteredSignaturesAgreeWithCryptoPP) {
  std::vector<Curve> curves = {
      {KeyType::kEcP256, SignatureScheme::kEcdsaP256Sha256, orderOf(KeyType::kEcP256), {}},
      {KeyType::kSm2, SignatureScheme::kSm2Sm3, orderOf(KeyType::kSm2), {}}};
  for (Curve& curve : curves)
    for (int i = 0; i < 6; ++i) curve.keys.push_back(SigningKey::generate(curve.type));

  // Two threads share the keys, as the workstation's verification workers do.
  const int threads = 2;
  const std::uint64_t seed = std::random_device()();
  std::atomic<int> accepted{0}, disagreements{0};
  std::mutex mutex;
  std::map<std::string, int> byAlteration;
  std::vector<std::string> reports;
  auto work = [&](int thread) {
    std::mt19937_64 rng(seed + static_cast<std::uint64_t>(thread));
    std::map<const PublicKey*, std::unique_ptr<internal::CryptoPPEcVerifier>> reference;
    for (Curve& curve : curves)
      for (const SigningKey& k : curve.keys)
        reference[&k.publicKey()] = std::make_unique<internal::CryptoPPEcVerifier>(k.publicKey());
    std::map<std::string, int> tally;
    // Each fresh signature is checked as made and altered every other way (signing costs about
    // as much as verifying).
    const int kinds = static_cast<int>(Alteration::kCount);
    Signed base;
    for (int i = thread; i < kCrossCheckCount; i += threads) {
      const int kind = (i / threads) % kinds;
      if (kind == 0) base = signRandom(rng, curves);
      const Case c = alter(rng, base, static_cast<Alteration>(kind));
      const Status now =
          verifySignature(*c.key, c.scheme, c.message, c.signature, c.encoding, c.userId);
      const Status before = reference.at(c.key)->verify(
          c.scheme, c.message.data(), c.message.size(), c.signature, c.encoding, c.userId);
      ++tally[std::string(alterationName(c.alteration)) + (now.isOk() ? " accepted" : " rejected")];
      if (now.isOk()) ++accepted;
      if (!sameAnswer(now, before)) {
        ++disagreements;
        std::lock_guard<std::mutex> lock(mutex);
        if (reports.size() < 10) reports.push_back(describe(c, now, before));
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [name, n] : tally) byAlteration[name] += n;
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& t : pool) t.join();

  for (const std::string& r : reports)
    ADD_FAILURE() << "verifiers disagree (seed " << seed << "): " << r;
  EXPECT_EQ(disagreements.load(), 0) << "of " << kCrossCheckCount << " signatures, seed " << seed;
  // The mix must exercise both answers: about 1 in 12 cases is a valid signature, and ECDSA's
  // high-S signatures verify too.
  EXPECT_GT(accepted.load(), kCrossCheckCount / 20);
  EXPECT_LT(accepted.load(), kCrossCheckCount / 4);
  // P-256 keys get OpenSSL's table of their multiples after kTableAfter verifications, made while
  // both threads verify: most of the P-256 signatures here go through the tables.
  const int tables = internal::OpenSslP256Key::tablesInUse();
  EXPECT_GT(tables, 0);
  std::printf(
      "%d signatures (seed %llu): %d accepted by both, %d disagreements; %d of %zu P-256 "
      "keys got a table\n",
      kCrossCheckCount, static_cast<unsigned long long>(seed), accepted.load(),
      disagreements.load(), tables, curves[0].keys.size());
  for (const auto& [name, n] : byAlteration) std::printf("  %-24s %6d\n", name.c_str(), n);
}

// Every P-256 and SM2 vector (including the ones whose key is refused at enrolment: those never
// reach either verifier) gives the same answer through both.
int compareVectors(const std::string& file, const Result<PublicKey>& key, const nlohmann::json& t,
                   SignatureScheme scheme, SignatureEncoding enc, const std::string& userId) {
  if (!key) return 0;
  internal::CryptoPPEcVerifier reference(*key);
  const Bytes msg = hexBytes(t["msg"]), sig = hexBytes(t["sig"]);
  const Status now = verifySignature(*key, scheme, msg, sig, enc, userId);
  const Status before = reference.verify(scheme, msg.data(), msg.size(), sig, enc, userId);
  EXPECT_TRUE(sameAnswer(now, before)) << file << " tcId " << t["tcId"] << ": now " << now.message()
                                       << ", before " << before.message();
  return 1;
}

TEST(EcVerifyCrossCheck, EveryTestVectorAgreesWithCryptoPP) {
  int compared = 0;
  for (auto [file, enc] :
       {std::pair{"ecdsa_secp256r1_sha256_test.json", SignatureEncoding::kDer},
        std::pair{"ecdsa_secp256r1_sha256_p1363_test.json", SignatureEncoding::kRaw}}) {
    nlohmann::json doc = loadVectors(std::string("wycheproof/") + file);
    ASSERT_TRUE(doc.is_object()) << file;
    for (const auto& group : doc["testGroups"]) {
      auto key = PublicKey::fromSpki(hexBytes(group["publicKeyDer"]));
      for (const auto& t : group["tests"])
        compared += compareVectors(file, key, t, SignatureScheme::kEcdsaP256Sha256, enc,
                                   std::string(kSm2DefaultUserId));
    }
  }
  nlohmann::json sm2 = loadVectors("sm2/sm2_sm3_openssl.json");
  ASSERT_TRUE(sm2.is_object());
  for (const auto& t : sm2["tests"])
    compared += compareVectors(
        "sm2_sm3_openssl.json", PublicKey::fromEcPoint(KeyType::kSm2, hexBytes(t["publicKey"])), t,
        SignatureScheme::kSm2Sm3, SignatureEncoding::kDer, t["userId"].get<std::string>());
  EXPECT_GE(compared, 900);
  std::printf("%d P-256 and SM2 vectors compared\n", compared);
}

// The tables on P-256 too, against Crypto++'s ECDSA, on every Wycheproof vector that gets past
// the strict checks: these include the arithmetic's edge cases (u1 == u2, points that double or
// cancel while adding, x(R) >= n), which random SM2 signatures practically never hit.
TEST(EcPointTables, AgreeWithCryptoPPOnEveryWycheproofP256Vector) {
  using CryptoPP::Integer;
  const auto& params = internal::p256Params();
  const Integer& n = params.GetSubgroupOrder();
  int compared = 0, accepted = 0;
  for (auto [file, enc] :
       {std::pair{"ecdsa_secp256r1_sha256_test.json", SignatureEncoding::kDer},
        std::pair{"ecdsa_secp256r1_sha256_p1363_test.json", SignatureEncoding::kRaw}}) {
    nlohmann::json doc = loadVectors(std::string("wycheproof/") + file);
    ASSERT_TRUE(doc.is_object()) << file;
    for (const auto& group : doc["testGroups"]) {
      auto key = PublicKey::fromSpki(hexBytes(group["publicKeyDer"]));
      if (!key) continue;
      const Bytes& spki = key->spki();  // canonical: the point is its last 64 bytes
      const internal::EcPointTable table(KeyType::kEcP256, &spki[spki.size() - 64],
                                         &spki[spki.size() - 32]);
      internal::CryptoPPEcVerifier reference(*key);
      for (const auto& t : group["tests"]) {
        const Bytes msg = hexBytes(t["msg"]), sig = hexBytes(t["sig"]);
        auto raw = internal::ecSignatureScalars(sig, enc, n, "ECDSA");
        if (!raw) continue;
        const Digest256 h = sha256(msg);
        const Integer e(h.data(), 32), r(raw->data(), 32), s(raw->data() + 32, 32);
        const Integer w = s.InverseMod(n);
        Bytes u1(32), u2(32);
        (e * w % n).Encode(u1.data(), 32);
        (r * w % n).Encode(u2.data(), 32);
        const bool tables =
            internal::combinationMatches(internal::EcPointTable::generator(KeyType::kEcP256), table,
                                         u1.data(), u2.data(), raw->data());
        const bool before =
            reference.verify(SignatureScheme::kEcdsaP256Sha256, msg.data(), msg.size(), sig, enc)
                .isOk();
        EXPECT_EQ(tables, before) << file << " tcId " << t["tcId"] << " (" << t["comment"] << ")";
        ++compared;
        accepted += tables;
      }
    }
  }
  EXPECT_GE(compared, 380);
  std::printf("%d P-256 vectors through the tables, %d accepted\n", compared, accepted);
}

// P-256 through OpenSSL both ways, with the key's table of multiples and without (as ECDSA_verify
// computes), against Crypto++'s ECDSA on every Wycheproof vector that gets past the strict checks:
// their edge cases (u1 == u2, points that double or cancel while adding, x(R) >= n) reach the
// table path here rather than after a key's kTableAfter-th verification.
TEST(OpenSslP256Tables, AgreeWithCryptoPPOnEveryWycheproofP256Vector) {
  const CryptoPP::Integer& n = internal::p256Params().GetSubgroupOrder();
  int compared = 0, accepted = 0;
  for (auto [file, enc] :
       {std::pair{"ecdsa_secp256r1_sha256_test.json", SignatureEncoding::kDer},
        std::pair{"ecdsa_secp256r1_sha256_p1363_test.json", SignatureEncoding::kRaw}}) {
    nlohmann::json doc = loadVectors(std::string("wycheproof/") + file);
    ASSERT_TRUE(doc.is_object()) << file;
    for (const auto& group : doc["testGroups"]) {
      auto key = PublicKey::fromSpki(hexBytes(group["publicKeyDer"]));
      if (!key) continue;
      const Bytes& spki = key->spki();  // canonical: the point (04 ‖ X ‖ Y) is its last 65 bytes
      auto plain = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
      auto tabled = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
      ASSERT_TRUE(plain && tabled);
      ASSERT_TRUE((*tabled)->makeTableNow());
      internal::CryptoPPEcVerifier reference(*key);
      for (const auto& t : group["tests"]) {
        const Bytes msg = hexBytes(t["msg"]), sig = hexBytes(t["sig"]);
        auto raw = internal::ecSignatureScalars(sig, enc, n, "ECDSA");
        if (!raw) continue;
        const Digest256 h = sha256(msg);
        const bool before =
            reference.verify(SignatureScheme::kEcdsaP256Sha256, msg.data(), msg.size(), sig, enc)
                .isOk();
        for (const auto* k : {&plain, &tabled}) {
          Result<bool> now = (**k)->verifyDigest(raw->data(), h.data());
          ASSERT_TRUE(now) << now.status().message();
          EXPECT_EQ(*now, before) << file << " tcId " << t["tcId"] << " (" << t["comment"] << "), "
                                  << (k == &plain ? "without" : "with") << " a table";
        }
        EXPECT_FALSE((*plain)->hasTable());
        ++compared;
        accepted += before;
      }
    }
  }
  EXPECT_GE(compared, 380);
  std::printf("%d P-256 vectors through OpenSSL with and without a table, %d accepted\n", compared,
              accepted);
}

// With Q = G (private key 1): e = r makes u1·G and u2·Q the same point (the final addition
// doubles) and e = -r makes them cancel (R is the point at infinity), with and without a table.
TEST(OpenSslP256Tables, DoublingAndInfinityAreHandled) {
  using CryptoPP::Integer;
  const auto& params = internal::p256Params();
  const Integer& n = params.GetSubgroupOrder();
  Bytes g(65);
  g[0] = 0x04;
  params.GetSubgroupGenerator().x.Encode(&g[1], 32);
  params.GetSubgroupGenerator().y.Encode(&g[33], 32);
  auto plain = internal::OpenSslP256Key::fromPoint(g.data());
  auto tabled = internal::OpenSslP256Key::fromPoint(g.data());
  ASSERT_TRUE(plain && tabled);
  ASSERT_TRUE((*tabled)->makeTableNow());
  std::mt19937_64 rng(24);
  for (int round = 0; round < 50; ++round) {
    Bytes kb(32);
    for (auto& b : kb) b = static_cast<std::uint8_t>(rng());
    const Integer k = Integer(kb.data(), 32) % (n - 1) + 1;
    const Integer r = params.ExponentiateBase(k).x % n;
    // s = k^-1·(e + r·d) with d = 1 and e = r: u1 = u2 = k/2.
    const Integer s = (k.InverseMod(n) * (r + r)) % n;
    Bytes raw(64), e(32), minusE(32), rPlusOne(32);
    r.Encode(raw.data(), 32);
    s.Encode(raw.data() + 32, 32);
    r.Encode(e.data(), 32);
    (n - r).Encode(minusE.data(), 32);
    ((r + 1) % n).Encode(rPlusOne.data(), 32);
    for (const auto* key : {&plain, &tabled}) {
      const char* which = key == &plain ? "without a table" : "with a table";
      EXPECT_TRUE(*(**key)->verifyDigest(raw.data(), e.data())) << which << ", round " << round;
      EXPECT_FALSE(*(**key)->verifyDigest(raw.data(), rPlusOne.data())) << which;
      EXPECT_FALSE(*(**key)->verifyDigest(raw.data(), minusE.data())) << which;
    }
  }
}

// A key gets its table at its kTableAfter-th verification, not before; a process holds at most
// kMaxTables, and a freed key gives its table's place back.
TEST(OpenSslP256Tables, MadeAfterSteadyUseAndCapped) {
  const int before = internal::OpenSslP256Key::tablesInUse();
  SigningKey signer = SigningKey::generate(KeyType::kEcP256);
  const Bytes message = toBytes("prescription");
  const Bytes raw = *signer.sign(SignatureScheme::kEcdsaP256Sha256, message.data(), message.size());
  const Bytes& spki = signer.publicKey().spki();
  auto key = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
  ASSERT_TRUE(key);
  const Digest256 h = sha256(message);
  for (std::uint64_t i = 1; i < internal::OpenSslP256Key::kTableAfter; ++i)
    ASSERT_TRUE(*(*key)->verifyDigest(raw.data(), h.data()));
  EXPECT_FALSE((*key)->hasTable());
  EXPECT_TRUE(*(*key)->verifyDigest(raw.data(), h.data()));
  EXPECT_TRUE((*key)->hasTable());
  EXPECT_EQ(internal::OpenSslP256Key::tablesInUse(), before + 1);
  EXPECT_TRUE(*(*key)->verifyDigest(raw.data(), h.data()));
  key->reset();
  EXPECT_EQ(internal::OpenSslP256Key::tablesInUse(), before);

  // Up to the cap and no further; a key without a table still verifies.
  std::vector<std::unique_ptr<internal::OpenSslP256Key>> keys;
  const auto start = std::chrono::steady_clock::now();
  while (internal::OpenSslP256Key::tablesInUse() < internal::OpenSslP256Key::kMaxTables) {
    auto another = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
    ASSERT_TRUE(another);
    ASSERT_TRUE((*another)->makeTableNow());
    keys.push_back(std::move(*another));
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  auto over = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
  ASSERT_TRUE(over);
  EXPECT_FALSE((*over)->makeTableNow());
  EXPECT_TRUE(*(*over)->verifyDigest(raw.data(), h.data()));
  keys.pop_back();
  EXPECT_TRUE((*over)->makeTableNow());
  EXPECT_TRUE(*(*over)->verifyDigest(raw.data(), h.data()));
  if (!keys.empty())
    std::printf("%zu tables made, %.1f ms each\n", keys.size() + 1,
                ms / static_cast<double>(keys.size() + 1));
}

// OpenSSL's per-thread error queue is other libcrypto users' (SQLCipher's) too: verifying, making
// a table and rejecting leave it as they found it.
TEST(OpenSslP256Tables, LeaveOpenSslsErrorQueueAsFound) {
  SigningKey signer = SigningKey::generate(KeyType::kEcP256);
  const Bytes message = toBytes("prescription");
  Bytes raw = *signer.sign(SignatureScheme::kEcdsaP256Sha256, message.data(), message.size());
  const Bytes& spki = signer.publicKey().spki();
  auto key = internal::OpenSslP256Key::fromPoint(&spki[spki.size() - 65]);
  ASSERT_TRUE(key);
  const Digest256 h = sha256(message);
  ERR_clear_error();
  ERR_raise(ERR_LIB_USER, 24);
  const unsigned long marker = ERR_peek_last_error();
  for (int withTable = 0; withTable < 2; ++withTable) {
    if (withTable) {
      ASSERT_TRUE((*key)->makeTableNow());
    }
    EXPECT_TRUE(*(*key)->verifyDigest(raw.data(), h.data()));
    raw[40] ^= 1;
    EXPECT_FALSE(*(*key)->verifyDigest(raw.data(), h.data()));
    raw[40] ^= 1;
  }
  EXPECT_EQ(ERR_get_error(), marker);
  EXPECT_EQ(ERR_get_error(), 0u);
}

// u1·G + u2·G with the generator's own table as Q: equal digits double, opposite scalars cancel.
TEST(EcPointTables, DoublingAndInfinityAreHandled) {
  using CryptoPP::Integer;
  for (KeyType type : {KeyType::kSm2, KeyType::kEcP256}) {
    const auto& params = type == KeyType::kSm2 ? internal::sm2Params() : internal::p256Params();
    const Integer& n = params.GetSubgroupOrder();
    const internal::EcPointTable& g = internal::EcPointTable::generator(type);
    std::mt19937_64 rng(24);
    for (int round = 0; round < 50; ++round) {
      Bytes ub(32);
      for (auto& b : ub) b = static_cast<std::uint8_t>(rng());
      if (round == 0) std::fill(ub.begin(), ub.end(), 0x11);  // every digit the same
      const Integer u = Integer(ub.data(), 32) % n;
      Bytes u1(32), minus(32), x(32), xPlusOne(32);
      u.Encode(u1.data(), 32);
      ((n - u) % n).Encode(minus.data(), 32);
      const Integer x2u = params.ExponentiateBase((u + u) % n).x % n;
      x2u.Encode(x.data(), 32);
      ((x2u + 1) % n).Encode(xPlusOne.data(), 32);
      EXPECT_TRUE(internal::combinationMatches(g, g, u1.data(), u1.data(), x.data()))
          << keyTypeName(type) << " round " << round;
      EXPECT_FALSE(internal::combinationMatches(g, g, u1.data(), u1.data(), xPlusOne.data()));
      // u·G + (n - u)·G is the point at infinity: no x matches, not even 0.
      const Bytes zero(32, 0);
      EXPECT_FALSE(internal::combinationMatches(g, g, u1.data(), minus.data(), zero.data()));
      EXPECT_FALSE(internal::combinationMatches(g, g, u1.data(), minus.data(), x.data()));
    }
  }
}

}  // namespace
}  // namespace rx::crypto
