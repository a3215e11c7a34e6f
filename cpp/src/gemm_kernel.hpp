// A matrix-product kernel for x86-64 with FMA: C = α·A·B or C += α·A·B.
//
// Why not Eigen's product here: the layer products of these networks have one
// small dimension (N = 200 nodes, or K = 64 samples in a mini-batch update), and
// on AVX2 machines Eigen's general kernel (12 accumulators of 3×4 packets) left
// about a quarter of the FMA throughput unused on them. This is the classic
// Goto/BLIS scheme with a 6×NR register tile, NR two registers wide (6×16 float
// or 6×8 double with AVX2, 6×32 or 6×16 with AVX-512):
//
//   for each block of KC along K:         pack KC×N of B into strips of NR columns
//     for each block of MC rows of A:      pack MC×KC of A into strips of MR rows
//       for each NR-strip of B, each MR-strip of A:   C tile += A strip · B strip
//
// The packed A block stays in L2 and each packed B strip in L1 while the 12
// accumulators stay in registers: per k, two loads of B, six broadcasts of A and
// twelve FMAs. Operands are read through (row stride, column stride) pairs, so
// the same routine computes I·Wᵀ (the forward pass) and Dᵀ·I (the update)
// without transposed copies.
//
// Same bits on every instruction set: each C entry is one chain of fused
// multiply-adds, Σ_k in ascending k within a KC block, then C = α·acc (first
// block) or C = fma(α, acc, C), blocks in order; that holds for every lane of a
// full tile and for every entry of an edge tile alike. Nothing depends on the
// register width, the tile an entry falls in, threads or timing, so the AVX2 and
// AVX-512 builds of this file give identical results.
//
// One-definition rule: this header is compiled once per instruction set, by
// gemm_avx2.cpp and gemm_avx512.cpp, each with its own -m flags (CMakeLists.txt).
// Everything here lives in an anonymous namespace and uses no external-linkage
// inline code (no standard containers or algorithms, no Eigen), so no function
// built for one instruction set can be merged by the linker into another
// translation unit; the packing buffers come from baseline code
// (detail::packing_buffer). tests/cpp/check_isa_objects.cmake checks the objects.
#pragma once

#if !defined(__AVX2__) || !defined(__FMA__)
#error "gemm_kernel.hpp is compiled only with -mavx2 -mfma (or more): see CMakeLists.txt"
#endif

#include "isa_kernels.hpp"
#include "isa_packet.hpp"

namespace akili::kernels {
namespace {

constexpr Index smaller(Index a, Index b) { return b < a ? b : a; }

/// A read-only matrix operand: element (i, j) is data[i·row_stride + j·col_stride].
template <typename Scalar>
struct Operand {
  const Scalar* data;
  Index row_stride;
  Index col_stride;
  const Scalar& operator()(Index i, Index j) const { return data[i * row_stride + j * col_stride]; }
};

constexpr int kTileRows = 6;  // MR: rows of A per register tile
template <typename Scalar>
constexpr int kTileCols = 2 * Packet<Scalar>::kWidth;  // NR: columns of B per register tile

constexpr Index kDepthBlock = 256;    // KC: a packed B strip of KC×NR fits L1 beside the A strip
constexpr Index kRowBlock = 96;       // MC: the packed MC×KC block of A fits L2
constexpr Index kColumnBlock = 2048;  // NC: bounds the packed B block (KC×NC) for very wide layers
constexpr Index kDirectDepth = 128;   // B is read in place up to this depth

/// The register tile: acc = Σ_k a_k·b_kᵀ over `depth` steps, then C = α·acc or
/// C += α·acc on the top-left rows × cols of the tile (smaller at the edges of C).
/// A(r, k) is a[r·a_row + k·a_depth]: a packed strip (a_row = 1, a_depth = MR) or,
/// when A's rows are contiguous along k, A itself (a_row = its row stride,
/// a_depth = 1: no packing). B(k, j) is b[k·b_depth + j]: a packed strip
/// (b_depth = NR) or, when B's rows are contiguous along j, B itself.
/// `Half`: only the first register of columns (cols ≤ NR/2), for a last strip
/// that would otherwise spend half its multiply-adds on zero padding; each entry
/// is the same sum, in the same order, as in a full tile.
template <typename Scalar, bool Half>
inline void tile(Index depth, const Scalar* a, Index a_row, Index a_depth, const Scalar* b, Index b_depth, Scalar* c,
                 Index ldc, Scalar alpha, bool accumulate, int rows, int cols) {
  using P = Packet<Scalar>;
  using R = typename P::Register;
  constexpr int W = P::kWidth;
  constexpr int NR = kTileCols<Scalar>;
  constexpr int kHalves = Half ? 1 : 2;
  R c00 = P::zero(), c01 = P::zero(), c10 = P::zero(), c11 = P::zero(), c20 = P::zero(), c21 = P::zero();
  R c30 = P::zero(), c31 = P::zero(), c40 = P::zero(), c41 = P::zero(), c50 = P::zero(), c51 = P::zero();
  const Scalar* a0 = a;
  const Scalar* a1 = a + a_row;
  const Scalar* a2 = a + 2 * a_row;
  const Scalar* a3 = a + 3 * a_row;
  const Scalar* a4 = a + 4 * a_row;
  const Scalar* a5 = a + 5 * a_row;
  for (Index k = 0; k < depth; ++k) {
    // acc_r += A_rk · B_k for the six rows r of the tile: C_rj += A_rk·B_kj.
    const Index at = k * a_depth;
    const R b0 = P::load(b);
    const R b1 = Half ? b0 : P::load(b + W);  // Half: the second register is never used
    // One row r of the tile: a broadcast of A_rk, times both registers of B_k.
    auto row = [&](const Scalar* a_r, R& low, R& high) {
      const R a_rk = P::broadcast(a_r + at);
      low = P::fma(a_rk, b0, low);
      if constexpr (!Half) high = P::fma(a_rk, b1, high);
    };
    row(a0, c00, c01);
    row(a1, c10, c11);
    row(a2, c20, c21);
    row(a3, c30, c31);
    row(a4, c40, c41);
    row(a5, c50, c51);
    b += b_depth;
  }
  const R scale = P::splat(alpha);
  const R acc[kTileRows][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (rows == kTileRows && cols == kHalves * W) {
    for (int r = 0; r < kTileRows; ++r) {
      Scalar* row = c + r * ldc;
      for (int half = 0; half < kHalves; ++half) {
        // C = α·acc, or C = α·acc + C
        P::store(row + half * W,
                 accumulate ? P::fma(scale, acc[r][half], P::load(row + half * W)) : P::mul(scale, acc[r][half]));
      }
    }
    return;
  }
  alignas(64) Scalar spill[kTileRows * NR];
  for (int r = 0; r < kTileRows; ++r) {
    P::store(spill + r * NR, acc[r][0]);
    P::store(spill + r * NR + W, acc[r][1]);
  }
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < cols; ++j) {
      Scalar& entry = c[r * ldc + j];
      // The same operations as a full tile's lanes: C = fma(α, acc, C) or C = α·acc.
      entry = accumulate ? scalar_fma(alpha, spill[r * NR + j], entry) : alpha * spill[r * NR + j];
    }
  }
}

/// Packs rows [row0, row0 + rows) × depths [k0, k0 + depth) of A into strips of MR
/// rows: strip s holds, for each k, the MR values A(row0 + s·MR + r, k), zero past the end.
template <typename Scalar>
void pack_rows(const Operand<Scalar>& a, Index row0, Index rows, Index k0, Index depth, Scalar* out) {
  for (Index strip = 0; strip * kTileRows < rows; ++strip) {
    const Index first = row0 + strip * kTileRows;
    const int valid = static_cast<int>(smaller(kTileRows, row0 + rows - first));
    Scalar* dst = out + strip * depth * kTileRows;
    if (a.col_stride == 1) {
      // Rows contiguous along k: read each row once, in order, and scatter it.
      for (int r = 0; r < kTileRows; ++r) {
        if (r < valid) {
          const Scalar* row = &a(first + r, k0);
          for (Index k = 0; k < depth; ++k) dst[k * kTileRows + r] = row[k];
        } else {
          for (Index k = 0; k < depth; ++k) dst[k * kTileRows + r] = Scalar(0);
        }
      }
      continue;
    }
    for (Index k = 0; k < depth; ++k) {
      int r = 0;
      for (; r < valid; ++r) dst[k * kTileRows + r] = a(first + r, k0 + k);
      for (; r < kTileRows; ++r) dst[k * kTileRows + r] = Scalar(0);
    }
  }
}

/// dst[k·NR + j] = rows[j·stride + k] for the NR rows j and depths k in [0, d), d the
/// largest multiple of 8 floats or 4 doubles ≤ depth, by 256-bit register
/// transposes (8×8 floats or 4×4 doubles, NR/8 or NR/4 of them side by side).
/// Returns d.
inline Index transpose_squares(const float* rows, Index stride, Index depth, float* dst) {
  constexpr int NR = kTileCols<float>;
  const Index whole = depth / 8 * 8;
  for (int half = 0; half < NR / 8; ++half) {
    const float* src = rows + half * 8 * stride;
    for (Index k = 0; k < whole; k += 8) {
      __m256 r0 = _mm256_loadu_ps(src + 0 * stride + k), r1 = _mm256_loadu_ps(src + 1 * stride + k);
      __m256 r2 = _mm256_loadu_ps(src + 2 * stride + k), r3 = _mm256_loadu_ps(src + 3 * stride + k);
      __m256 r4 = _mm256_loadu_ps(src + 4 * stride + k), r5 = _mm256_loadu_ps(src + 5 * stride + k);
      __m256 r6 = _mm256_loadu_ps(src + 6 * stride + k), r7 = _mm256_loadu_ps(src + 7 * stride + k);
      // The standard 8×8 transpose: interleave pairs, then quadruples, then swap 128-bit halves.
      const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
      const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
      const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
      const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
      const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
      const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
      const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      r0 = _mm256_permute2f128_ps(u0, u4, 0x20);
      r1 = _mm256_permute2f128_ps(u1, u5, 0x20);
      r2 = _mm256_permute2f128_ps(u2, u6, 0x20);
      r3 = _mm256_permute2f128_ps(u3, u7, 0x20);
      r4 = _mm256_permute2f128_ps(u0, u4, 0x31);
      r5 = _mm256_permute2f128_ps(u1, u5, 0x31);
      r6 = _mm256_permute2f128_ps(u2, u6, 0x31);
      r7 = _mm256_permute2f128_ps(u3, u7, 0x31);
      float* out = dst + k * NR + half * 8;
      _mm256_storeu_ps(out + 0 * NR, r0);
      _mm256_storeu_ps(out + 1 * NR, r1);
      _mm256_storeu_ps(out + 2 * NR, r2);
      _mm256_storeu_ps(out + 3 * NR, r3);
      _mm256_storeu_ps(out + 4 * NR, r4);
      _mm256_storeu_ps(out + 5 * NR, r5);
      _mm256_storeu_ps(out + 6 * NR, r6);
      _mm256_storeu_ps(out + 7 * NR, r7);
    }
  }
  return whole;
}

inline Index transpose_squares(const double* rows, Index stride, Index depth, double* dst) {
  constexpr int NR = kTileCols<double>;
  const Index whole = depth / 4 * 4;
  for (int half = 0; half < NR / 4; ++half) {
    const double* src = rows + half * 4 * stride;
    for (Index k = 0; k < whole; k += 4) {
      const __m256d r0 = _mm256_loadu_pd(src + 0 * stride + k), r1 = _mm256_loadu_pd(src + 1 * stride + k);
      const __m256d r2 = _mm256_loadu_pd(src + 2 * stride + k), r3 = _mm256_loadu_pd(src + 3 * stride + k);
      // 4×4 transpose: interleave pairs, then swap 128-bit halves.
      const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
      const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
      double* out = dst + k * NR + half * 4;
      _mm256_storeu_pd(out + 0 * NR, _mm256_permute2f128_pd(t0, t2, 0x20));
      _mm256_storeu_pd(out + 1 * NR, _mm256_permute2f128_pd(t1, t3, 0x20));
      _mm256_storeu_pd(out + 2 * NR, _mm256_permute2f128_pd(t0, t2, 0x31));
      _mm256_storeu_pd(out + 3 * NR, _mm256_permute2f128_pd(t1, t3, 0x31));
    }
  }
  return whole;
}

/// Packs depths [k0, k0 + depth) × columns [col0, col0 + cols) of B into strips of
/// NR columns: strip s holds, for each k, the NR values B(k, col0 + s·NR + j).
template <typename Scalar>
void pack_columns(const Operand<Scalar>& b, Index k0, Index depth, Index col0, Index cols, Scalar* out) {
  constexpr int NR = kTileCols<Scalar>;
  for (Index strip = 0; strip * NR < cols; ++strip) {
    const Index first = col0 + strip * NR;
    const int valid = static_cast<int>(smaller(NR, col0 + cols - first));
    Scalar* dst = out + strip * depth * NR;
    if (b.row_stride == 1) {
      // Columns contiguous along k (B = Wᵀ): a transpose. Whole W-register squares
      // go through registers; the rest is read a weight row at a time, in order.
      Index done = 0;
      if (valid == NR) done = transpose_squares(&b(k0, first), b.col_stride, depth, dst);
      for (int j = 0; j < NR; ++j) {
        if (done == depth) break;
        if (j < valid) {
          const Scalar* column = &b(k0, first + j);
          for (Index k = done; k < depth; ++k) dst[k * NR + j] = column[k];
        } else {
          for (Index k = done; k < depth; ++k) dst[k * NR + j] = Scalar(0);
        }
      }
      continue;
    }
    for (Index k = 0; k < depth; ++k) {
      int j = 0;
      for (; j < valid; ++j) dst[k * NR + j] = b(k0 + k, first + j);
      for (; j < NR; ++j) dst[k * NR + j] = Scalar(0);
    }
  }
}

/// C (M×N, row-major, leading dimension ldc) = α·A·B, or += with `accumulate`;
/// A is M×K and B is K×N through their strides. Packing buffers are kept per
/// thread by baseline code (detail::packing_buffer).
template <typename Scalar>
void gemm(const detail::GemmCall<Scalar>& call) {
  constexpr int NR = kTileCols<Scalar>;
  const Index m = call.m, n = call.n, k = call.k;
  const Scalar alpha = call.alpha;
  const Operand<Scalar> a{call.a, call.a_row_stride, call.a_col_stride};
  const Operand<Scalar> b{call.b, call.b_row_stride, call.b_col_stride};
  Scalar* const c = call.c;
  const Index ldc = call.ldc;
  const bool accumulate = call.accumulate;
  const Index depth_block = smaller(kDepthBlock, k);
  const Index column_block = smaller(kColumnBlock, n);
  // The buffers only grow: shrinking and growing again (products of different
  // shapes, one after another) would zero-fill them on every call.
  Scalar* const packed_a = detail::packing_buffer<Scalar>(
      0, depth_block * ((smaller(kRowBlock, m) + kTileRows - 1) / kTileRows) * kTileRows);
  Scalar* const packed_b = detail::packing_buffer<Scalar>(1, depth_block * ((column_block + NR - 1) / NR) * NR);
  for (Index col0 = 0; col0 < n; col0 += kColumnBlock) {
    const Index cols = smaller(kColumnBlock, n - col0);
    for (Index k0 = 0; k0 < k; k0 += kDepthBlock) {
      const Index depth = smaller(kDepthBlock, k - k0);
      // Later K blocks add to what the earlier ones wrote.
      const bool add = accumulate || k0 > 0;
      // Rows of B contiguous along j are read in place (a shallow B, like the
      // update's 64 samples: deeper ones would walk one page per k), except a last
      // strip of fewer than NR columns, which is packed (zero-padded).
      const bool direct_b = b.col_stride == 1 && k <= kDirectDepth;
      const Index whole_b = direct_b ? cols / NR * NR : 0;
      if (cols > whole_b) pack_columns(b, k0, depth, col0 + whole_b, cols - whole_b, packed_b);
      for (Index row0 = 0; row0 < m; row0 += kRowBlock) {
        const Index rows = smaller(kRowBlock, m - row0);
        // Rows of A contiguous along k are read in place, except a last strip of
        // fewer than MR rows, which is packed (zero-padded) like any other A.
        const bool direct = a.col_stride == 1;
        const Index whole = direct ? rows / kTileRows * kTileRows : 0;
        if (rows > whole) pack_rows(a, row0 + whole, rows - whole, k0, depth, packed_a);
        for (Index js = 0; js * NR < cols; ++js) {
          const int tile_cols = static_cast<int>(smaller(NR, cols - js * NR));
          for (Index is = 0; is * kTileRows < rows; ++is) {
            const Index first = is * kTileRows;
            const int tile_rows = static_cast<int>(smaller(kTileRows, rows - first));
            Scalar* target = c + (row0 + first) * ldc + col0 + js * NR;
            const bool in_place_b = js * NR < whole_b;
            const Scalar* strip_b =
                in_place_b ? &b(k0, col0 + js * NR) : packed_b + (js * NR - whole_b) / NR * depth * NR;
            const Index b_depth = in_place_b ? b.row_stride : Index{NR};
            const bool in_place_a = first < whole;
            const Scalar* strip_a =
                in_place_a ? &a(row0 + first, k0) : packed_a + (first - whole) / kTileRows * depth * kTileRows;
            const Index a_row = in_place_a ? a.row_stride : Index{1};
            const Index a_depth = in_place_a ? Index{1} : Index{kTileRows};
            if (tile_cols <= Packet<Scalar>::kWidth) {
              tile<Scalar, true>(depth, strip_a, a_row, a_depth, strip_b, b_depth, target, ldc, alpha, add, tile_rows,
                                 tile_cols);
            } else {
              tile<Scalar, false>(depth, strip_a, a_row, a_depth, strip_b, b_depth, target, ldc, alpha, add, tile_rows,
                                  tile_cols);
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace akili::kernels
