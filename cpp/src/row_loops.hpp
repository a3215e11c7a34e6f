// The row loops of online training (row_kernels.hpp) for x86-64 with FMA,
// compiled once per instruction set by rows_avx2.cpp and rows_avx512.cpp.
//
// Same bits on every instruction set. Every update is one fused multiply-add per
// weight, w_j = fma(gain, u_j (· m_j), w_j), in the vector body and the tail
// alike, so a weight's new value depends on nothing but its own inputs. The dot
// product Σ_j w_j·v_j keeps kLanes partial sums (128 bytes: two AVX-512 or four
// AVX2 registers), lane l summing j ≡ l (mod kLanes) in ascending j with fused
// multiply-adds; the last partial block goes through the same vector
// arithmetic with its missing values read as zeros (masked loads); the lanes are
// then added pairwise, lane[i] += lane[i + h] for h = kLanes/2, ..., 1. None of
// it depends on the register width, so the AVX2 and AVX-512 builds agree bit for
// bit (tests/test_dispatch.py).
//
// One-definition rule: everything here lives in an anonymous namespace and uses
// no external-linkage inline code (isa_packet.hpp); the entry points are the
// per-set functions of isa_kernels.hpp.
#pragma once

#include "isa_kernels.hpp"
#include "isa_packet.hpp"

#include <type_traits>

namespace akili::kernels {
namespace {

/// Partial sums of a dot product: 128 bytes of Scalar, whatever the register width.
template <typename Scalar>
constexpr int kLanes = 128 / static_cast<int>(sizeof(Scalar));

/// One block of kLanes values at offset 0 of w, u, m, v: the update and/or the
/// dot-product step of row_update_dot below.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
inline void lane_block(Scalar* w, const Scalar* u, const Scalar* m, const Scalar* v,
                       typename Packet<Scalar>::Register gain, typename Packet<Scalar>::Register* sums) {
  using P = Packet<Scalar>;
  constexpr int kRegisters = kLanes<Scalar> / P::kWidth;
  for (int r = 0; r < kRegisters; ++r) {
    const Index at = r * P::kWidth;
    auto weight = P::load(w + at);
    if constexpr (kUpdate) {
      auto step = P::load(u + at);
      if constexpr (kMasked) step = P::mul(step, P::load(m + at));  // u ∘ m
      weight = P::fma(gain, step, weight);                          // w += gain·u (∘ m), one rounding
      P::store(w + at, weight);
    }
    if constexpr (kDot) sums[r] = P::fma(weight, P::load(v + at), sums[r]);  // lane += w·v
  }
}

/// lane_block on the first `rest` (< kLanes) values only: the lanes past them read
/// as 0, exactly as from a zero-padded copy (they add 0·0 to the sums), and are
/// never written.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
inline void first_lanes_block(Scalar* w, const Scalar* u, const Scalar* m, const Scalar* v, Index rest,
                              typename Packet<Scalar>::Register gain, typename Packet<Scalar>::Register* sums) {
  using P = Packet<Scalar>;
  constexpr int kRegisters = kLanes<Scalar> / P::kWidth;
  for (int r = 0; r < kRegisters; ++r) {
    const Index at = r * P::kWidth;
    const Index count = rest <= at ? 0 : (rest - at < P::kWidth ? rest - at : P::kWidth);
    // A register wholly past the row is zeros (never a pointer past the row).
    auto first = [&](const Scalar* p) { return count > 0 ? P::load_first(p + at, count) : P::zero(); };
    auto weight = first(w);
    if constexpr (kUpdate) {
      auto step = first(u);
      if constexpr (kMasked) step = P::mul(step, first(m));  // u ∘ m
      weight = P::fma(gain, step, weight);                   // w += gain·u (∘ m), one rounding
      if (count > 0) P::store_first(w + at, weight, count);
    }
    if constexpr (kDot) sums[r] = P::fma(weight, first(v), sums[r]);  // lane += w·v
  }
}

/// The end of row_update_dot from column `j` (a multiple of kLanes) on: the last
/// partial block through the same vector arithmetic, its missing values read as
/// zeros (first_lanes_block); then, with kDot, the lanes added pairwise,
/// lane[i] += lane[i + h] for h = kLanes/2 ... 1 (whole registers while h spans
/// them, then within one), and their total returned.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
Scalar finish_row(std::conditional_t<kUpdate, Scalar*, const Scalar*> w, Index n, Index j, Scalar gain, const Scalar* u,
                  const Scalar* m, const Scalar* v, typename Packet<Scalar>::Register* sums) {
  using P = Packet<Scalar>;
  constexpr int kRegisters = kLanes<Scalar> / P::kWidth;
  if (const Index rest = n - j; rest > 0) {
    first_lanes_block<Scalar, kUpdate, kMasked, kDot>(const_cast<Scalar*>(w + j), kUpdate ? u + j : nullptr,
                                                      kMasked ? m + j : nullptr, kDot ? v + j : nullptr, rest,
                                                      P::splat(gain), sums);
  }
  if constexpr (!kDot) {
    return Scalar(0);
  } else {
    for (int registers = kRegisters / 2; registers >= 1; registers /= 2) {
      for (int r = 0; r < registers; ++r) sums[r] = P::add(sums[r], sums[r + registers]);
    }
    return P::halving_sum(sums[0]);  // within the register: h = kWidth/2 ... 1
  }
}

/// kUpdate: w[0, n) += gain · u (∘ m); kDot: returns Σ_j w_j · v_j with the updated w.
/// Unused pointers may be null.
template <typename Scalar, bool kUpdate, bool kMasked, bool kDot>
Scalar row_update_dot(Scalar* w, Index n, Scalar gain, const Scalar* u, const Scalar* m, const Scalar* v) {
  using P = Packet<Scalar>;
  constexpr int kBlock = kLanes<Scalar>;
  constexpr int kRegisters = kBlock / P::kWidth;
  typename P::Register sums[kRegisters];
  for (auto& sum : sums) sum = P::zero();
  const auto g = P::splat(gain);
  Index j = 0;
  for (; j + kBlock <= n; j += kBlock) {
    lane_block<Scalar, kUpdate, kMasked, kDot>(w + j, kUpdate ? u + j : nullptr, kMasked ? m + j : nullptr,
                                               kDot ? v + j : nullptr, g, sums);
  }
  return finish_row<Scalar, kUpdate, kMasked, kDot>(w, n, j, gain, u, m, v, sums);
}

/// out[r] = Σ_j w_r,j · v_j for the rows r < rows of w (row r at w + r·n): each
/// row's sum exactly as row_update_dot computes it (same lanes, same order), four
/// rows at a time, so that four rows' chains of multiply-adds overlap and share
/// each load of v.
template <typename Scalar>
void row_dots(const Scalar* w, Index n, Index rows, const Scalar* v, Scalar* out) {
  using P = Packet<Scalar>;
  using Register = typename P::Register;
  constexpr int kBlock = kLanes<Scalar>;
  constexpr int kRegisters = kBlock / P::kWidth;
  constexpr int kRows = 4;
  const Index full = n - n % kBlock;
  Index r = 0;
  for (; r + kRows <= rows; r += kRows) {
    const Scalar* first = w + r * n;
    Register sums[kRows][kRegisters];
    for (auto& row : sums) {
      for (auto& sum : row) sum = P::zero();
    }
    for (Index j = 0; j < full; j += kBlock) {
      for (int k = 0; k < kRegisters; ++k) {
        const Index at = j + k * P::kWidth;
        const Register x = P::load(v + at);
        for (int q = 0; q < kRows; ++q) sums[q][k] = P::fma(P::load(first + q * n + at), x, sums[q][k]);  // lane += w·v
      }
    }
    for (int q = 0; q < kRows; ++q) {
      out[r + q] =
          finish_row<Scalar, false, false, true>(first + q * n, n, full, Scalar(0), nullptr, nullptr, v, sums[q]);
    }
  }
  for (; r < rows; ++r) {
    out[r] = row_update_dot<Scalar, false, false, true>(const_cast<Scalar*>(w + r * n), n, Scalar(0), nullptr, nullptr,
                                                        v);  // reads only: no update
  }
}

/// back[0, n) += c · w (the old weights), then (kUpdate) w += gain · u (∘ m):
/// element by element, one fused multiply-add each.
template <typename Scalar, bool kUpdate, bool kMasked>
void row_back_update(Scalar* w, Index n, Scalar c, Scalar* back, Scalar gain, const Scalar* u, const Scalar* m) {
  using P = Packet<Scalar>;
  const auto cp = P::splat(c);
  const auto g = P::splat(gain);
  Index j = 0;
  for (; j + P::kWidth <= n; j += P::kWidth) {
    const auto weight = P::load(w + j);
    P::store(back + j, P::fma(cp, weight, P::load(back + j)));  // back += c·w
    if constexpr (kUpdate) {
      auto step = P::load(u + j);
      if constexpr (kMasked) step = P::mul(step, P::load(m + j));
      P::store(w + j, P::fma(g, step, weight));  // w += gain·u (∘ m)
    }
  }
  for (; j < n; ++j) {
    const Scalar weight = w[j];
    back[j] = scalar_fma(c, weight, back[j]);
    if constexpr (kUpdate) {
      Scalar step = u[j];
      if constexpr (kMasked) step *= m[j];
      w[j] = scalar_fma(gain, step, weight);
    }
  }
}

/// The table of isa_kernels.hpp's RowLoops for this instruction set.
template <typename Scalar>
void fill_row_loops(detail::RowLoops<Scalar>& loops) {
  loops.update_dot[0] = &row_update_dot<Scalar, false, false, false>;
  loops.update_dot[1] = &row_update_dot<Scalar, false, false, true>;
  loops.update_dot[2] = &row_update_dot<Scalar, false, true, false>;
  loops.update_dot[3] = &row_update_dot<Scalar, false, true, true>;
  loops.update_dot[4] = &row_update_dot<Scalar, true, false, false>;
  loops.update_dot[5] = &row_update_dot<Scalar, true, false, true>;
  loops.update_dot[6] = &row_update_dot<Scalar, true, true, false>;
  loops.update_dot[7] = &row_update_dot<Scalar, true, true, true>;
  loops.back_update[0] = &row_back_update<Scalar, false, false>;
  loops.back_update[1] = &row_back_update<Scalar, false, true>;
  loops.back_update[2] = &row_back_update<Scalar, true, false>;
  loops.back_update[3] = &row_back_update<Scalar, true, true>;
  loops.dots = &row_dots<Scalar>;
}

}  // namespace
}  // namespace akili::kernels
