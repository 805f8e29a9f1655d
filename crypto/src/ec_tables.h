// Curve arithmetic for verifying ECDSA P-256 and SM2 signatures (internal): both curves have a
// 256-bit prime field and a = -3, so one Montgomery field and one set of Jacobian formulas serve
// both. A point's multiples are tabulated once (the generator per curve, a public key when it is
// enrolled), so u1·G + u2·Q costs at most 128 mixed additions and no doublings. Only public values
// pass through here (verification), so nothing needs to run in constant time. rxdesk verifies SM2
// with it (about 3 times OpenSSL 3.0's generic SM2 code); P-256 goes to OpenSSL's assembly, which
// is faster than these portable tables, and the tests run both curves through them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/signature.h"

namespace rx::crypto::internal {

class EcPointTable {
 public:
  // j·16^i·P for i in [0, 64), j in [1, 16), in affine Montgomery coordinates.
  struct Affine {
    std::array<std::uint64_t, 4> x, y;
  };

  // Tabulates the point (x, y) of `curve` (big-endian coordinates, already validated as a point
  // of the curve's group).
  EcPointTable(KeyType curve, const std::uint8_t* x, const std::uint8_t* y);
  // The table of the curve's generator, made once and shared (read-only).
  static const EcPointTable& generator(KeyType curve);

  KeyType curve() const { return curve_; }
  const Affine& multiple(int window, int digit) const { return points_[window * 15 + digit - 1]; }

 private:
  KeyType curve_;
  std::vector<Affine> points_;
};

// Returns true iff R = u1·G + u2·Q is not the point at infinity and x(R) ≡ v (mod n). `g` and `q`
// are tables of the same curve; u1, u2 and v are big-endian and below n.
bool combinationMatches(const EcPointTable& g, const EcPointTable& q, const std::uint8_t* u1,
                        const std::uint8_t* u2, const std::uint8_t* v);

}  // namespace rx::crypto::internal
