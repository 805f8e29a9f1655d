#include "ec_tables.h"

#include <cryptopp/integer.h>

#include "ec_internal.h"

namespace rx::crypto::internal {

namespace {

using u64 = std::uint64_t;
__extension__ using u128 = unsigned __int128;  // GCC and Clang on 64-bit targets
using Fe = std::array<u64, 4>;                 // little-endian limbs

Fe fromBigEndian(const std::uint8_t* b) {
  Fe r;
  for (int i = 0; i < 4; ++i) {
    u64 v = 0;
    for (int k = 0; k < 8; ++k) v = (v << 8) | b[(3 - i) * 8 + k];
    r[i] = v;
  }
  return r;
}

Fe fromInteger(const CryptoPP::Integer& v) {
  std::uint8_t b[32];
  v.Encode(b, 32);
  return fromBigEndian(b);
}

bool isZero(const Fe& a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

// Returns true iff a >= b.
bool geq(const Fe& a, const Fe& b) {
  for (int i = 3; i >= 0; --i)
    if (a[i] != b[i]) return a[i] > b[i];
  return true;
}

// r = a - b mod 2^256; returns the borrow.
u64 subRaw(Fe& r, const Fe& a, const Fe& b) {
  u64 borrow = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 d = static_cast<u128>(a[i]) - b[i] - borrow;
    r[i] = static_cast<u64>(d);
    borrow = static_cast<u64>(d >> 64) & 1;
  }
  return borrow;
}

// r = a + b mod 2^256; returns the carry.
u64 addRaw(Fe& r, const Fe& a, const Fe& b) {
  u64 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const u128 s = static_cast<u128>(a[i]) + b[i] + carry;
    r[i] = static_cast<u64>(s);
    carry = static_cast<u64>(s >> 64);
  }
  return carry;
}

// Arithmetic modulo the field prime p in Montgomery form (R = 2^256); every value stays in [0, p).
struct Field {
  Fe p;
  u64 n0;  // -p^-1 mod 2^64
  Fe r2;   // R^2 mod p
  Fe one;  // R mod p

  explicit Field(const CryptoPP::Integer& prime) {
    p = fromInteger(prime);
    u64 inv = 1;  // Newton's iteration for p^-1 mod 2^64
    for (int i = 0; i < 7; ++i) inv *= 2 - p[0] * inv;
    n0 = ~inv + 1;
    const CryptoPP::Integer r = CryptoPP::Integer::Power2(256) % prime;
    one = fromInteger(r);
    r2 = fromInteger((r * r) % prime);
  }

  Fe add(const Fe& a, const Fe& b) const {
    Fe s, t;
    const u64 carry = addRaw(s, a, b);
    const u64 borrow = subRaw(t, s, p);
    return (carry || !borrow) ? t : s;
  }
  Fe sub(const Fe& a, const Fe& b) const {
    Fe d, t;
    if (subRaw(d, a, b)) {
      addRaw(t, d, p);
      return t;
    }
    return d;
  }
  // Montgomery multiplication (CIOS): a·b·R^-1 mod p.
  Fe mul(const Fe& a, const Fe& b) const {
    u64 t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; ++i) {
      u128 c = 0;
      for (int j = 0; j < 4; ++j) {
        c += static_cast<u128>(a[i]) * b[j] + t[j];
        t[j] = static_cast<u64>(c);
        c >>= 64;
      }
      c += t[4];
      t[4] = static_cast<u64>(c);
      t[5] = static_cast<u64>(c >> 64);
      const u64 m = t[0] * n0;
      c = static_cast<u128>(m) * p[0] + t[0];
      c >>= 64;
      for (int j = 1; j < 4; ++j) {
        c += static_cast<u128>(m) * p[j] + t[j];
        t[j - 1] = static_cast<u64>(c);
        c >>= 64;
      }
      c += t[4];
      t[3] = static_cast<u64>(c);
      t[4] = t[5] + static_cast<u64>(c >> 64);
    }
    Fe r = {t[0], t[1], t[2], t[3]}, s;
    const u64 borrow = subRaw(s, r, p);
    return (t[4] || !borrow) ? s : r;
  }
  Fe sqr(const Fe& a) const { return mul(a, a); }
  Fe toMont(const Fe& a) const { return mul(a, r2); }
  // a^(p-2) = a^-1 for a != 0.
  Fe inverse(const Fe& a) const {
    Fe e;
    subRaw(e, p, Fe{2, 0, 0, 0});
    Fe result = one;
    for (int i = 255; i >= 0; --i) {
      result = sqr(result);
      if ((e[i / 64] >> (i % 64)) & 1) result = mul(result, a);
    }
    return result;
  }
};

struct Jacobian {
  Fe x, y, z;  // z == 0: the point at infinity
};

struct Curve {
  Field field;
  Fe n;  // the group order
  Fe gx, gy;

  explicit Curve(const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& params)
      : field(params.GetCurve().GetField().GetModulus()),
        n(fromInteger(params.GetSubgroupOrder())),
        gx(fromInteger(params.GetSubgroupGenerator().x)),
        gy(fromInteger(params.GetSubgroupGenerator().y)) {}

  // dbl-2001-b (a = -3).
  Jacobian dbl(const Jacobian& p) const {
    const Field& f = field;
    if (isZero(p.z)) return p;
    const Fe delta = f.sqr(p.z), gamma = f.sqr(p.y), beta = f.mul(p.x, gamma);
    const Fe t = f.mul(f.sub(p.x, delta), f.add(p.x, delta));
    const Fe alpha = f.add(f.add(t, t), t);
    const Fe beta2 = f.add(beta, beta), beta4 = f.add(beta2, beta2), beta8 = f.add(beta4, beta4);
    Jacobian r;
    r.x = f.sub(f.sqr(alpha), beta8);
    r.z = f.sub(f.sub(f.sqr(f.add(p.y, p.z)), gamma), delta);
    const Fe g2 = f.sqr(gamma), g4 = f.add(g2, g2), g8 = f.add(g4, g4);
    r.y = f.sub(f.mul(alpha, f.sub(beta4, r.x)), f.add(g8, g8));
    return r;
  }

  // madd-2007-bl: p + (x2, y2), with the cases where the formula does not apply.
  Jacobian addAffine(const Jacobian& p, const Fe& x2, const Fe& y2) const {
    const Field& f = field;
    if (isZero(p.z)) return Jacobian{x2, y2, f.one};
    const Fe z1z1 = f.sqr(p.z);
    const Fe u2 = f.mul(x2, z1z1);
    const Fe s2 = f.mul(y2, f.mul(p.z, z1z1));
    const Fe h = f.sub(u2, p.x);
    const Fe sy = f.sub(s2, p.y);
    if (isZero(h)) {
      if (isZero(sy)) return dbl(p);                  // p == (x2, y2)
      return Jacobian{f.one, f.one, Fe{0, 0, 0, 0}};  // p == -(x2, y2)
    }
    const Fe hh = f.sqr(h), hh2 = f.add(hh, hh), i = f.add(hh2, hh2);
    const Fe j = f.mul(h, i);
    const Fe r = f.add(sy, sy);
    const Fe v = f.mul(p.x, i);
    Jacobian out;
    out.x = f.sub(f.sub(f.sqr(r), j), f.add(v, v));
    const Fe yj = f.mul(p.y, j);
    out.y = f.sub(f.mul(r, f.sub(v, out.x)), f.add(yj, yj));
    out.z = f.sub(f.sub(f.sqr(f.add(p.z, h)), z1z1), hh);
    return out;
  }
};

const Curve& curveFor(KeyType type) {
  static const Curve p256(p256Params());
  static const Curve sm2(sm2Params());
  return type == KeyType::kSm2 ? sm2 : p256;
}

int nibble(const std::uint8_t* scalar, int i) {
  return (scalar[31 - i / 2] >> (4 * (i % 2))) & 0xf;
}

}  // namespace

namespace {
// Returns `points` (none at infinity) in affine coordinates, with one inversion for all
// (Montgomery's trick).
std::vector<EcPointTable::Affine> toAffine(const Field& f, const std::vector<Jacobian>& points) {
  std::vector<Fe> prefix(points.size());
  Fe acc = f.one;
  for (std::size_t k = 0; k < points.size(); ++k) {
    prefix[k] = acc;
    acc = f.mul(acc, points[k].z);
  }
  Fe inv = f.inverse(acc);
  std::vector<EcPointTable::Affine> out(points.size());
  for (std::size_t k = points.size(); k-- > 0;) {
    const Fe zi = f.mul(inv, prefix[k]);
    inv = f.mul(inv, points[k].z);
    const Fe zi2 = f.sqr(zi);
    out[k].x = f.mul(points[k].x, zi2);
    out[k].y = f.mul(points[k].y, f.mul(zi2, zi));
  }
  return out;
}
}  // namespace

EcPointTable::EcPointTable(KeyType curve, const std::uint8_t* x, const std::uint8_t* y)
    : curve_(curve) {
  const Curve& c = curveFor(curve);
  const Field& f = c.field;
  // 16^w·P for every window, then j·16^w·P from each; j·16^w < n, so none is at infinity.
  std::vector<Jacobian> bases(64);
  bases[0] = Jacobian{f.toMont(fromBigEndian(x)), f.toMont(fromBigEndian(y)), f.one};
  for (int w = 1; w < 64; ++w) bases[w] = c.dbl(c.dbl(c.dbl(c.dbl(bases[w - 1]))));
  const std::vector<Affine> affineBases = toAffine(f, bases);
  std::vector<Jacobian> multiples;
  multiples.reserve(64 * 15);
  for (const Affine& b : affineBases) {
    multiples.push_back(Jacobian{b.x, b.y, f.one});
    multiples.push_back(c.dbl(multiples.back()));
    for (int j = 3; j <= 15; ++j) multiples.push_back(c.addAffine(multiples.back(), b.x, b.y));
  }
  points_ = toAffine(f, multiples);
}

const EcPointTable& EcPointTable::generator(KeyType curve) {
  auto make = [](KeyType type) {
    const auto& params = type == KeyType::kSm2 ? sm2Params() : p256Params();
    std::uint8_t x[32], y[32];
    params.GetSubgroupGenerator().x.Encode(x, 32);
    params.GetSubgroupGenerator().y.Encode(y, 32);
    return EcPointTable(type, x, y);
  };
  static const EcPointTable p256 = make(KeyType::kEcP256);
  static const EcPointTable sm2 = make(KeyType::kSm2);
  return curve == KeyType::kSm2 ? sm2 : p256;
}

bool combinationMatches(const EcPointTable& g, const EcPointTable& q, const std::uint8_t* u1,
                        const std::uint8_t* u2, const std::uint8_t* v) {
  const Curve& c = curveFor(q.curve());
  const Field& f = c.field;
  Jacobian r{f.one, f.one, Fe{0, 0, 0, 0}};
  for (int w = 0; w < 64; ++w) {
    if (const int d = nibble(u1, w)) r = c.addAffine(r, g.multiple(w, d).x, g.multiple(w, d).y);
    if (const int d = nibble(u2, w)) r = c.addAffine(r, q.multiple(w, d).x, q.multiple(w, d).y);
  }
  if (isZero(r.z)) return false;
  // x(R) = X/Z^2 lies in [0, p); x(R) mod n == v iff X == v·Z^2 or, when v + n < p, (v + n)·Z^2.
  const Fe z2 = f.sqr(r.z);
  Fe candidate = fromBigEndian(v);
  if (f.mul(f.toMont(candidate), z2) == r.x) return true;
  if (addRaw(candidate, candidate, c.n) != 0 || geq(candidate, f.p)) return false;
  return f.mul(f.toMont(candidate), z2) == r.x;
}

}  // namespace rx::crypto::internal
