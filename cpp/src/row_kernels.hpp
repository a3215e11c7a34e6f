#pragma once
// Vector loops over one weight row for online (one example at a time) training,
// where the cost is memory traffic over W: each loop reads and writes every
// weight it touches exactly once.
//
// update_dot and back_update run the loops of the instruction set this process
// uses (row_loops.hpp, built for AVX2 and AVX-512 and chosen at run time like the
// products) and otherwise the baseline loops below. The baseline loops use
// Eigen's packet primitives (whatever the build targets: SSE2 on x86-64, NEON on
// aarch64) with unaligned loads, no alignment peeling and a fixed accumulation
// order, so a value is computed the same way whichever slice of a row a thread is
// given, provided slices start at multiples of packet_size(); the instruction-set
// loops compute each value the same way whatever the slice.

#include "akili/types.hpp"
#include "isa_kernels.hpp"

#include <Eigen/Core>

#include <type_traits>

namespace akili::kernels {

template <typename Scalar>
using Packet = typename Eigen::internal::packet_traits<Scalar>::type;

/// Elements per SIMD packet for Scalar in this build (1 without vectorisation).
template <typename Scalar>
constexpr Eigen::Index packet_size() {
  return Eigen::internal::packet_traits<Scalar>::size;
}

/// One pass over the row w[0, n):
///   kUpdate: w_j += gain · u_j (· m_j when kMasked)   — the online SGD update
///   kDot:    returns Σ_j w_j · v_j with the updated w  — the next example's X = W·I
/// The dot product sums four packet accumulators, then the scalar tail, always
/// in the same order, so baseline_update_dot<..., kUpdate, ..., true> and the plain dot
/// (kUpdate = false) agree bit for bit on the same weights.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
inline Scalar baseline_update_dot(std::conditional_t<kUpdate, Scalar*, const Scalar*> w, Eigen::Index n, Scalar gain,
                                  const Scalar* u, const Scalar* m, const Scalar* v) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index size = packet_size<Scalar>();
  const P g = ei::pset1<P>(gain);
  P acc0 = ei::pset1<P>(Scalar(0));
  P acc1 = acc0, acc2 = acc0, acc3 = acc0;
  auto one = [&](Eigen::Index j, P& acc) {
    P weight = ei::ploadu<P>(w + j);
    if constexpr (kUpdate) {
      P step = ei::ploadu<P>(u + j);
      if constexpr (kMasked) step = ei::pmul(step, ei::ploadu<P>(m + j));
      weight = ei::pmadd(g, step, weight);  // w += gain·u (∘ m)
      ei::pstoreu(w + j, weight);
    }
    if constexpr (kDot) acc = ei::pmadd(weight, ei::ploadu<P>(v + j), acc);  // acc += w·v
  };
  Eigen::Index j = 0;
  for (; j + 4 * size <= n; j += 4 * size) {
    one(j, acc0);
    one(j + size, acc1);
    one(j + 2 * size, acc2);
    one(j + 3 * size, acc3);
  }
  for (; j + size <= n; j += size) one(j, acc0);
  Scalar tail(0);
  for (; j < n; ++j) {
    if constexpr (kUpdate) {
      Scalar step = u[j];
      if constexpr (kMasked) step *= m[j];
      w[j] += gain * step;
    }
    if constexpr (kDot) tail += w[j] * v[j];
  }
  if constexpr (!kDot) return Scalar(0);
  return ei::predux(ei::padd(ei::padd(acc0, acc1), ei::padd(acc2, acc3))) + tail;
}

/// back[0, n) += c · w[0, n), then (kUpdate) w[0, n) += gain · u[0, n) (· m):
/// the error sent back along the OLD weights, then the update, in one pass.
/// Each back_j is a running sum over rows in row order, whatever slice this is.
template <typename Scalar, bool kUpdate, bool kMasked>
inline void baseline_back_update(Scalar* w, Eigen::Index n, Scalar c, Scalar* back, Scalar gain, const Scalar* u,
                                 const Scalar* m) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index size = packet_size<Scalar>();
  const P cp = ei::pset1<P>(c);
  const P g = ei::pset1<P>(gain);
  Eigen::Index j = 0;
  for (; j + size <= n; j += size) {
    P weight = ei::ploadu<P>(w + j);
    ei::pstoreu(back + j, ei::pmadd(cp, weight, ei::ploadu<P>(back + j)));  // back += c·w
    if constexpr (kUpdate) {
      P step = ei::ploadu<P>(u + j);
      if constexpr (kMasked) step = ei::pmul(step, ei::ploadu<P>(m + j));
      ei::pstoreu(w + j, ei::pmadd(g, step, weight));  // w += gain·u (∘ m)
    }
  }
  for (; j < n; ++j) {
    back[j] += c * w[j];
    if constexpr (kUpdate) {
      Scalar step = u[j];
      if constexpr (kMasked) step *= m[j];
      w[j] += gain * step;
    }
  }
}

/// baseline_update_dot on the loops of the instruction set in use.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
inline Scalar update_dot(std::conditional_t<kUpdate, Scalar*, const Scalar*> w, Eigen::Index n, Scalar gain,
                         const Scalar* u, const Scalar* m, const Scalar* v) {
  if (const detail::RowLoops<Scalar>* loops = detail::active_row_loops<Scalar>()) {
    // A loop that does not update never writes through w (isa_kernels.hpp).
    return loops->update_dot[4 * kUpdate + 2 * kMasked + kDot](const_cast<Scalar*>(w), n, gain, u, m, v);
  }
  return baseline_update_dot<Scalar, kUpdate, kMasked, kDot>(w, n, gain, u, m, v);
}

/// baseline_back_update on the loops of the instruction set in use.
template <typename Scalar, bool kUpdate, bool kMasked>
inline void back_update(Scalar* w, Eigen::Index n, Scalar c, Scalar* back, Scalar gain, const Scalar* u,
                        const Scalar* m) {
  if (const detail::RowLoops<Scalar>* loops = detail::active_row_loops<Scalar>()) {
    loops->back_update[2 * kUpdate + kMasked](w, n, c, back, gain, u, m);
    return;
  }
  baseline_back_update<Scalar, kUpdate, kMasked>(w, n, c, back, gain, u, m);
}

/// out[r] = Σ_j w_r,j · v_j for rows r < rows of w (row r at w + r·n), each the
/// same bits as update_dot<Scalar, false, false, true> on that row.
template <typename Scalar>
inline void row_dots(const Scalar* w, Eigen::Index n, Eigen::Index rows, const Scalar* v, Scalar* out) {
  if (const detail::RowLoops<Scalar>* loops = detail::active_row_loops<Scalar>()) {
    loops->dots(w, n, rows, v, out);
    return;
  }
  for (Eigen::Index r = 0; r < rows; ++r) {
    out[r] = baseline_update_dot<Scalar, false, false, true>(w + r * n, n, Scalar(0), nullptr, nullptr, v);
  }
}

/// True when every value of x[0, n) is finite: 0·x is 0 for finite x and NaN
/// for ±inf or NaN, so one multiply-add per packet and a single test at the end.
template <typename Scalar>
inline bool all_finite(const Scalar* x, Eigen::Index n) {
  namespace ei = Eigen::internal;
  using P = Packet<Scalar>;
  constexpr Eigen::Index size = packet_size<Scalar>();
  const P zero = ei::pset1<P>(Scalar(0));
  P acc0 = zero, acc1 = zero;
  Eigen::Index j = 0;
  for (; j + 2 * size <= n; j += 2 * size) {
    acc0 = ei::pmadd(ei::ploadu<P>(x + j), zero, acc0);
    acc1 = ei::pmadd(ei::ploadu<P>(x + j + size), zero, acc1);
  }
  Scalar tail(0);
  for (; j < n; ++j) tail += x[j] * Scalar(0);
  const Scalar total = ei::predux(ei::padd(acc0, acc1)) + tail;
  return total == total;  // false only for NaN
}

/// Every value of rows [r0, r1) finite (rows of a row-major Ref are contiguous).
template <typename Scalar>
bool rows_finite(const Eigen::Ref<const RowMatrix<Scalar>>& matrix, Eigen::Index r0, Eigen::Index r1) {
  for (Eigen::Index r = r0; r < r1; ++r) {
    if (!all_finite(matrix.row(r).data(), matrix.cols())) return false;
  }
  return true;
}

}  // namespace akili::kernels
