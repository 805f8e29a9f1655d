// The curve arithmetic of ECDSA P-256 verification, done by OpenSSL's libcrypto (internal): its
// assembly P-256 code (ecp_nistz256) is about 10 times Crypto++'s speed and faster than rxdesk's
// portable tables (ec_tables.h, which SM2 uses). rxdesk's own checks (key validation, DER
// strictness, r and s in [1, n-1]) run before it and decide; OpenSSL only answers whether the
// equation holds for scalars already known to be valid.
//
// Speed (issue 24): OpenSSL's ECDSA_verify computes u1·G + u2·Q with a static table for G and a
// windowed multiplication of Q (about 256 doublings), which is most of its time. A key that
// verifies many signatures gets a table of Q's multiples as well (OpenSSL's own fixed-base comb,
// made for an EC_GROUP whose generator is Q), so that u2·Q costs 37 additions and no doublings.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/signature.h"

// OpenSSL's types, so that this header does not pull in <openssl/ec.h>.
typedef struct ec_group_st EC_GROUP;
typedef struct ec_point_st EC_POINT;

namespace rx::crypto::internal {

// A validated P-256 public key Q for OpenSSL, with scratch space kept ready for reuse. Safe to use
// from several threads at once: each call takes scratch space of its own, and the table of Q's
// multiples, once made, is only read.
class OpenSslP256Key {
 public:
  // A key gets its table at its kTableAfter-th verification. Making it takes about 21 ms here, as
  // much as the table saves on some 600 verifications (about 64 µs each without, 30 µs with), so a
  // key verifying once or a few times never pays for it, and one in steady use soon gains.
  static constexpr std::uint64_t kTableAfter = 512;
  // At most this many tables exist at once in the process, each of 148 KiB (37 rows of 64 affine
  // points of 64 bytes), so at most 9.3 MiB; further keys verify without one (at OpenSSL's speed)
  // until a table is freed with its key.
  static constexpr int kMaxTables = 64;

  // Builds the key from its uncompressed point (0x04 ‖ X ‖ Y), which the caller has validated.
  static Result<std::unique_ptr<OpenSslP256Key>> fromPoint(const std::uint8_t* uncompressed65);
  ~OpenSslP256Key();
  OpenSslP256Key(const OpenSslP256Key&) = delete;
  OpenSslP256Key& operator=(const OpenSslP256Key&) = delete;

  // Returns true iff the signature raw r‖s (32 bytes each, both already in [1, n-1]) verifies the
  // 32-byte `digest` = SHA-256(M): R = (e·s^-1)·G + (r·s^-1)·Q is not the point at infinity and
  // x(R) mod n == r. kInternal if OpenSSL failed (out of memory): no answer either way.
  Result<bool> verifyDigest(const std::uint8_t* raw, const std::uint8_t* digest) const;

  // Makes the table now rather than at the kTableAfter-th verification (tests; the cap still
  // applies). Returns true iff the key has a table.
  bool makeTableNow() const;
  bool hasTable() const { return table_.load(std::memory_order_acquire) != nullptr; }
  // The number of tables that exist in the process now.
  static int tablesInUse();

 private:
  struct Scratch;
  explicit OpenSslP256Key(EC_POINT* q) : q_(q) {}
  Scratch* takeScratch() const;
  void returnScratch(Scratch* s) const;
  // Returns the table, making it if this is the verification to make it at; null without one.
  const EC_GROUP* tableForThisCall() const;
  // Makes the table and publishes it in table_ (unless the cap is reached or OpenSSL fails).
  void makeTable() const;

  EC_POINT* q_;  // on the standard P-256 group
  // P-256 with Q as its generator and the comb table of Q's multiples in it; null until made.
  mutable std::atomic<EC_GROUP*> table_{nullptr};
  mutable std::atomic<std::uint64_t> verifications_{0};
  // Scratch space (a BN_CTX, numbers and points); at most one per concurrent caller.
  mutable std::mutex mutex_;
  mutable std::vector<Scratch*> idle_;
};

// Returns the DER SEQUENCE { INTEGER r, INTEGER s } of raw r‖s (`scalarSize` bytes each).
Bytes rawSignatureToDer(const std::uint8_t* raw, std::size_t scalarSize);

}  // namespace rx::crypto::internal
