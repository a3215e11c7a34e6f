// The seam between baseline code and the kernels compiled for one instruction
// set each (gemm_*.cpp: products; rows_*.cpp: the row loops): plain data and function
// declarations only, so including it adds no code to any translation unit.
#pragma once

#include <cstddef>

namespace akili::detail {

/// One product C = α·A·B (or C += α·A·B with `accumulate`): A is m×k and B is
/// k×n, element (i, j) of each at data[i·row_stride + j·col_stride]; C is
/// row-major with leading dimension ldc.
template <typename Scalar>
struct GemmCall {
  std::ptrdiff_t m, n, k;
  Scalar alpha;
  const Scalar* a;
  std::ptrdiff_t a_row_stride, a_col_stride;
  const Scalar* b;
  std::ptrdiff_t b_row_stride, b_col_stride;
  Scalar* c;
  std::ptrdiff_t ldc;
  bool accumulate;
};

/// A thread's packing buffer `which` (0 or 1) of at least `count` values; it only
/// grows, and stays valid until the thread's next call with the same `which`.
/// Baseline code (products.cpp), so the standard containers behind it are never
/// compiled with a kernel's instruction set.
template <typename Scalar>
Scalar* packing_buffer(int which, std::ptrdiff_t count);

/// The row loops of online training (row_kernels.hpp) of one instruction set:
/// update_dot[4·kUpdate + 2·kMasked + kDot], back_update[2·kUpdate + kMasked] and
/// dots with the meaning and arguments of kernels::update_dot, kernels::back_update
/// and kernels::row_dots (a loop that does not update never writes through w).
template <typename Scalar>
struct RowLoops {
  using UpdateDot = Scalar (*)(Scalar* w, std::ptrdiff_t n, Scalar gain, const Scalar* u, const Scalar* m,
                               const Scalar* v);
  using BackUpdate = void (*)(Scalar* w, std::ptrdiff_t n, Scalar c, Scalar* back, Scalar gain, const Scalar* u,
                              const Scalar* m);
  using Dots = void (*)(const Scalar* w, std::ptrdiff_t n, std::ptrdiff_t rows, const Scalar* v, Scalar* out);
  UpdateDot update_dot[8];
  BackUpdate back_update[4];
  Dots dots;
};

/// The row loops of the instruction set this process uses, or null where that is
/// the baseline (row_kernels.hpp then runs its Eigen-packet loops). Baseline
/// code (products.cpp), chosen once per process like the products' kernel.
template <typename Scalar>
const RowLoops<Scalar>* active_row_loops();

// The register-tiled kernel (gemm_kernel.hpp) and the row loops (row_loops.hpp)
// built for each instruction set; baseline code calls only those the CPU runs.
namespace isa_avx2 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
void row_loops(RowLoops<float>& loops);
void row_loops(RowLoops<double>& loops);
}  // namespace isa_avx2
namespace isa_avx512 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
void row_loops(RowLoops<float>& loops);
void row_loops(RowLoops<double>& loops);
}  // namespace isa_avx512

}  // namespace akili::detail
