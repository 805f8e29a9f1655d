#include "openssl_ec.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

namespace rx::crypto::internal {

namespace {

// Keeps OpenSSL's per-thread error queue as the caller left it: a rejected signature pushes
// errors there, and other users of libcrypto in the process (SQLCipher) read that queue.
class ErrorQueueMark {
 public:
  ErrorQueueMark() { ERR_set_mark(); }
  ~ErrorQueueMark() { ERR_pop_to_mark(); }
  ErrorQueueMark(const ErrorQueueMark&) = delete;
  ErrorQueueMark& operator=(const ErrorQueueMark&) = delete;
};

// Returns the minimal DER INTEGER content of the big-endian unsigned `v` appended to `out`.
void appendDerInteger(Bytes& out, const std::uint8_t* v, std::size_t size) {
  std::size_t skip = 0;
  while (skip + 1 < size && v[skip] == 0) ++skip;
  const bool pad = (v[skip] & 0x80) != 0;
  out.push_back(0x02);
  out.push_back(static_cast<std::uint8_t>(size - skip + (pad ? 1 : 0)));
  if (pad) out.push_back(0);
  out.insert(out.end(), v + skip, v + size);
}

}  // namespace

Bytes rawSignatureToDer(const std::uint8_t* raw, std::size_t scalarSize) {
  Bytes body;
  body.reserve(2 * scalarSize + 6);
  appendDerInteger(body, raw, scalarSize);
  appendDerInteger(body, raw + scalarSize, scalarSize);
  Bytes der;
  der.reserve(body.size() + 3);
  der.push_back(0x30);
  if (body.size() >= 0x80) der.push_back(0x81);  // P-256 and SM2 bodies stay below 256 bytes
  der.push_back(static_cast<std::uint8_t>(body.size()));
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

namespace {

// The standard P-256 group (on x86-64, OpenSSL's ecp_nistz256 method, with its static table of
// G's multiples), made once and only read after that, which OpenSSL allows from several threads.
const EC_GROUP* standardGroup() {
  static const EC_GROUP* const group = [] {
    ErrorQueueMark mark;
    return EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  }();
  return group;
}

std::atomic<int> tableCount{0};

}  // namespace

// What one verification needs from OpenSSL, allocated once per concurrent caller.
struct OpenSslP256Key::Scratch {
  BN_CTX* ctx = BN_CTX_new();
  BIGNUM *r = BN_new(), *s = BN_new(), *e = BN_new(), *w = BN_new(), *u1 = BN_new(), *u2 = BN_new(),
         *x = BN_new();
  EC_POINT *sum = EC_POINT_new(standardGroup()), *u1g = EC_POINT_new(standardGroup()),
           *u2q = EC_POINT_new(standardGroup());

  ~Scratch() {
    for (BIGNUM* b : {r, s, e, w, u1, u2, x}) BN_free(b);
    for (EC_POINT* p : {sum, u1g, u2q}) EC_POINT_free(p);
    BN_CTX_free(ctx);
  }
  bool complete() const { return ctx && r && s && e && w && u1 && u2 && x && sum && u1g && u2q; }
};

Result<std::unique_ptr<OpenSslP256Key>> OpenSslP256Key::fromPoint(
    const std::uint8_t* uncompressed65) {
  ErrorQueueMark mark;
  const EC_GROUP* group = standardGroup();
  if (group == nullptr) return Status(ErrorCode::kInternal, "OpenSSL has no P-256 support");
  EC_POINT* q = EC_POINT_new(group);
  // EC_POINT_oct2point checks that the point is on the curve as well.
  if (q == nullptr || EC_POINT_oct2point(group, q, uncompressed65, 65, nullptr) != 1) {
    EC_POINT_free(q);
    return Status(ErrorCode::kInternal, "OpenSSL refused a validated EC P-256 public key");
  }
  return std::unique_ptr<OpenSslP256Key>(new OpenSslP256Key(q));
}

OpenSslP256Key::~OpenSslP256Key() {
  for (Scratch* s : idle_) delete s;
  if (EC_GROUP* table = table_.load()) {
    EC_GROUP_free(table);
    tableCount.fetch_sub(1);
  }
  EC_POINT_free(q_);
}

int OpenSslP256Key::tablesInUse() { return tableCount.load(); }

OpenSslP256Key::Scratch* OpenSslP256Key::takeScratch() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      Scratch* s = idle_.back();
      idle_.pop_back();
      return s;
    }
  }
  auto s = std::make_unique<Scratch>();
  return s->complete() ? s.release() : nullptr;
}

void OpenSslP256Key::returnScratch(Scratch* s) const {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(s);
}

void OpenSslP256Key::makeTable() const {
  if (tableCount.fetch_add(1) >= kMaxTables) {
    tableCount.fetch_sub(1);
    return;
  }
  ErrorQueueMark mark;
  // The same curve and order with Q as the generator (Q has order n as every point of P-256, whose
  // cofactor is 1); OpenSSL tabulates a group's generator for the comb it uses for
  // scalar·generator.
  EC_GROUP* group = EC_GROUP_dup(standardGroup());
  BN_CTX* ctx = BN_CTX_new();
  bool made =
      group != nullptr && ctx != nullptr &&
      EC_GROUP_set_generator(group, q_, EC_GROUP_get0_order(standardGroup()), BN_value_one()) == 1;
  // EC_GROUP_precompute_mult is deprecated in OpenSSL 3.0 (keys are to be used through EVP_PKEY)
  // but has no replacement: nothing else makes a fixed-base table for a point other than the
  // standard generator. The warning is silenced for these two calls only. (Without the table,
  // OpenSSL would still compute u2·Q right, only slower: the check keeps such a group unused.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  made = made && EC_GROUP_precompute_mult(group, ctx) == 1 &&
         EC_GROUP_have_precompute_mult(group) == 1;
#pragma GCC diagnostic pop
  BN_CTX_free(ctx);
  EC_GROUP* none = nullptr;
  if (!made || !table_.compare_exchange_strong(none, group, std::memory_order_acq_rel)) {
    EC_GROUP_free(group);
    tableCount.fetch_sub(1);
  }
}

bool OpenSslP256Key::makeTableNow() const {
  if (!hasTable()) makeTable();
  return hasTable();
}

const EC_GROUP* OpenSslP256Key::tableForThisCall() const {
  if (const EC_GROUP* table = table_.load(std::memory_order_acquire)) return table;
  // Every kTableAfter-th verification without a table tries to make one, so a key that found the
  // cap reached gets one later if a table has been freed meanwhile.
  if ((verifications_.fetch_add(1, std::memory_order_relaxed) + 1) % kTableAfter == 0) makeTable();
  return table_.load(std::memory_order_acquire);
}

Result<bool> OpenSslP256Key::verifyDigest(const std::uint8_t* raw,
                                          const std::uint8_t* digest) const {
  ErrorQueueMark mark;
  Scratch* s = takeScratch();
  if (s == nullptr) return Status(ErrorCode::kInternal, "OpenSSL could not allocate for verifying");
  const EC_GROUP* group = standardGroup();
  const BIGNUM* n = EC_GROUP_get0_order(group);
  // ECDSA verification (SEC 1 section 4.1.4): w = s^-1, u1 = e·w, u2 = r·w (mod n), with e the
  // digest itself (256 bits, as long as n). s is public: a variable-time inverse is fine.
  bool computed = BN_bin2bn(raw, 32, s->r) && BN_bin2bn(raw + 32, 32, s->s) &&
                  BN_bin2bn(digest, 32, s->e) && BN_mod_inverse(s->w, s->s, n, s->ctx) &&
                  BN_mod_mul(s->u1, s->e, s->w, n, s->ctx) &&
                  BN_mod_mul(s->u2, s->r, s->w, n, s->ctx);
  if (computed) {
    if (const EC_GROUP* table = tableForThisCall()) {
      // Two fixed-base combs (u1·G on G's static table, u2·Q on Q's), then one general addition,
      // which handles R = infinity and u1·G == u2·Q. The comb's additions need no doubling case
      // for scalars below n (two equal summands would need a scalar congruent to d·2^253 whose top
      // Booth digit is d; none is below n), and OpenSSL relies on that for u1·G already.
      computed = EC_POINT_mul(group, s->u1g, s->u1, nullptr, nullptr, s->ctx) &&
                 EC_POINT_mul(table, s->u2q, s->u2, nullptr, nullptr, s->ctx) &&
                 EC_POINT_add(group, s->sum, s->u1g, s->u2q, s->ctx);
    } else {
      // What ECDSA_verify does: G's static table and a windowed multiplication of Q.
      computed = EC_POINT_mul(group, s->sum, s->u1, q_, s->u2, s->ctx);
    }
  }
  // x(R) mod n == r, R not the point at infinity (which has no x).
  const bool match = computed && !EC_POINT_is_at_infinity(group, s->sum) &&
                     EC_POINT_get_affine_coordinates(group, s->sum, s->x, nullptr, s->ctx) &&
                     BN_nnmod(s->x, s->x, n, s->ctx) && BN_cmp(s->x, s->r) == 0;
  returnScratch(s);
  if (!computed) return Status(ErrorCode::kInternal, "OpenSSL failed while verifying ECDSA");
  return match;
}

}  // namespace rx::crypto::internal
