// The seam between baseline code and the kernels compiled for one instruction
// set each (gemm_avx2.cpp, gemm_avx512.cpp): plain data and function
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

// The register-tiled kernel (gemm_kernel.hpp) built for each instruction set;
// products.cpp calls only the one the CPU runs.
namespace isa_avx2 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
}  // namespace isa_avx2
namespace isa_avx512 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
}  // namespace isa_avx512

}  // namespace akili::detail
