// Element-wise loops (the logistic function, Adam's step) for x86-64, compiled
// once per instruction set by elements_avx2.cpp and elements_avx512.cpp.
//
// Same bits as the baseline build. Each value goes through the operations the
// baseline code (activation.cpp, adam.cpp) applies to it, in the same order,
// each rounded on its own: no fused multiply-add (the translation units are
// compiled with -ffp-contract=off), the exponential being Eigen's own algorithm
// (pexp_float / pexp_double of GenericPacketMathFunctions.h, whose pmadd is a
// multiply and an add on SSE2) written out with this file's registers. Every
// operation is IEEE-exact (+, -, ×, ÷, √, floor, min, max, scaling by 2^k), so
// a value's result depends neither on the register width nor on where it sits:
// the last partial block goes through the same code on a zero-padded copy.
// tests/cpp/test_products.cpp compares every path with the baseline bit for bit.
//
// One-definition rule: everything here lives in an anonymous namespace and uses
// no external-linkage inline code (isa_packet.hpp); the entry points are the
// per-set functions of isa_kernels.hpp.
#pragma once

#include "isa_kernels.hpp"
#include "isa_packet.hpp"

namespace akili::kernels {
namespace {

/// e^x by Cephes' method as Eigen writes it for float: x clamped to ±88.723,
/// x = m·ln 2 + r with m = ⌊x·log₂e + ½⌋ (ln 2 subtracted in two parts), e^r by a
/// degree-6 polynomial, then 2^m·e^r; max with the input keeps +∞ and NaN.
inline Packet<float>::Register exp(Packet<float>::Register input) {
  using P = Packet<float>;
  const auto madd = [](P::Register a, P::Register b, P::Register c) { return P::add(P::mul(a, b), c); };  // a·b + c
  const P::Register x = P::max(P::splat(-88.723f), P::min(P::splat(88.723f), input));
  const P::Register m = P::floor(madd(x, P::splat(1.44269504088896341f), P::splat(0.5f)));  // ⌊x·log₂e + ½⌋
  P::Register r = madd(m, P::splat(-0.693359375f), x);                                      // r = x - m·C₁
  r = madd(m, P::splat(2.12194440e-4f), r);  // r -= m·C₂ (C₁ - C₂ = ln 2)
  const P::Register r2 = P::mul(r, r);
  const P::Register r3 = P::mul(r2, r);
  // e^r ≈ 1 + r + r²·(p₅ + p₄r + p₃r² + p₂r³ + p₁r⁴ + p₀r⁵), in Eigen's order of evaluation.
  P::Register y = madd(P::splat(1.9875691500E-4f), r, P::splat(1.3981999507E-3f));
  P::Register y1 = madd(P::splat(4.1665795894E-2f), r, P::splat(1.6666665459E-1f));
  const P::Register y2 = P::add(r, P::splat(1.0f));
  y = madd(y, r, P::splat(8.3334519073E-3f));
  y1 = madd(y1, r, P::splat(5.0000001201E-1f));
  y = madd(y, r3, y1);
  y = madd(y, r2, y2);
  return P::max(input, P::ldexp(y, m));  // 2^m·e^r
}

/// e^x as Eigen writes it for double: x clamped to ±709.784, n = ⌊x·log₂e + ½⌋,
/// g = x - n·C₁ - n·C₂, e^g = 1 + 2·P(g²)·g / (Q(g²) - P(g²)·g) (Cephes' rational
/// approximation), then 2^n·e^g; max with the input keeps +∞ and NaN.
inline Packet<double>::Register exp(Packet<double>::Register input) {
  using P = Packet<double>;
  const auto madd = [](P::Register a, P::Register b, P::Register c) { return P::add(P::mul(a, b), c); };  // a·b + c
  P::Register x = P::max(P::splat(-709.784), P::min(P::splat(709.784), input));
  const P::Register n = P::floor(madd(P::splat(1.4426950408889634073599), x, P::splat(0.5)));  // ⌊x·log₂e + ½⌋
  const P::Register high = P::mul(n, P::splat(0.693145751953125));
  const P::Register low = P::mul(n, P::splat(1.42860682030941723212e-6));
  x = P::sub(P::sub(x, high), low);  // g = x - n·C₁ - n·C₂ (C₁ + C₂ = ln 2)
  const P::Register x2 = P::mul(x, x);
  P::Register px = madd(P::splat(1.26177193074810590878e-4), x2, P::splat(3.02994407707441961300e-2));
  px = madd(px, x2, P::splat(9.99999999999999999910e-1));
  px = P::mul(px, x);  // P(g²)·g
  P::Register qx = madd(P::splat(3.00198505138664455042e-6), x2, P::splat(2.52448340349684104192e-3));
  qx = madd(qx, x2, P::splat(2.27265548208155028766e-1));
  qx = madd(qx, x2, P::splat(2.00000000000000000009e0));  // Q(g²)
  x = P::div(px, P::sub(qx, px));
  x = madd(P::splat(2.0), x, P::splat(1.0));  // e^g = 1 + 2·P·g/(Q - P·g)
  return P::max(input, P::ldexp(x, n));       // 2^n·e^g
}

/// a = 1 / (1 + e^-z) for n values.
template <typename Scalar>
void sigmoid(const Scalar* z, Scalar* a, Index n) {
  using P = Packet<Scalar>;
  const auto one = P::splat(Scalar(1));
  const auto logistic = [&](typename P::Register x) { return P::div(one, P::add(one, exp(P::negate(x)))); };
  Index j = 0;
  for (; j + P::kWidth <= n; j += P::kWidth) P::store(a + j, logistic(P::load(z + j)));
  if (j < n) {
    Scalar padded[P::kWidth] = {};
    for (Index k = j; k < n; ++k) padded[k - j] = z[k];
    P::store(padded, logistic(P::load(padded)));
    for (Index k = j; k < n; ++k) a[k] = padded[k - j];
  }
}

/// Adam's update of n parameters (adam.cpp has the formulas), one pass:
///   m ← β₁·m + (1-β₁)·g;  v ← β₂·v + (1-β₂)·g²;  θ ← θ - s·m / (√v / √c₂ + ε)
template <typename Scalar>
void adam(const detail::AdamCoefficients<Scalar>& c, Scalar* theta, Scalar* m, Scalar* v, const Scalar* g, Index n) {
  using P = Packet<Scalar>;
  const auto b1 = P::splat(c.beta1), k1 = P::splat(c.keep1), b2 = P::splat(c.beta2), k2 = P::splat(c.keep2);
  const auto s = P::splat(c.step_size), c2 = P::splat(c.correction2_root), e = P::splat(c.epsilon);
  const auto block = [&](Scalar* theta_at, Scalar* m_at, Scalar* v_at, const Scalar* g_at) {
    const auto gi = P::load(g_at);
    const auto mi = P::add(P::mul(b1, P::load(m_at)), P::mul(k1, gi));              // m ← β₁·m + (1-β₁)·g
    const auto vi = P::add(P::mul(b2, P::load(v_at)), P::mul(k2, P::mul(gi, gi)));  // v ← β₂·v + (1-β₂)·g²
    P::store(m_at, mi);
    P::store(v_at, vi);
    const auto denominator = P::add(P::div(P::sqrt(vi), c2), e);                        // √v/√c₂ + ε
    P::store(theta_at, P::sub(P::load(theta_at), P::div(P::mul(s, mi), denominator)));  // θ ← θ - s·m/(…)
  };
  Index i = 0;
  for (; i + P::kWidth <= n; i += P::kWidth) block(theta + i, m + i, v + i, g + i);
  if (i < n) {
    Scalar tp[P::kWidth] = {}, mp[P::kWidth] = {}, vp[P::kWidth] = {}, gp[P::kWidth] = {};
    for (Index k = i; k < n; ++k) tp[k - i] = theta[k], mp[k - i] = m[k], vp[k - i] = v[k], gp[k - i] = g[k];
    block(tp, mp, vp, gp);
    for (Index k = i; k < n; ++k) theta[k] = tp[k - i], m[k] = mp[k - i], v[k] = vp[k - i];
  }
}

/// The table of isa_kernels.hpp's ElementLoops for this instruction set.
template <typename Scalar>
void fill_element_loops(detail::ElementLoops<Scalar>& loops) {
  loops.sigmoid = &sigmoid<Scalar>;
  loops.adam = &adam<Scalar>;
}

}  // namespace
}  // namespace akili::kernels
