// The seam between baseline code and the kernels compiled for one instruction
// set each (gemm_*.cpp: products; rows_*.cpp: the row loops; elements_*.cpp: the
// logistic function and Adam's step): plain data and function
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

/// Adam's per-step constants (adam.cpp): β₁, 1-β₁, β₂, 1-β₂, s = lr/(1-β₁ᵗ), √(1-β₂ᵗ), ε.
template <typename Scalar>
struct AdamCoefficients {
  Scalar beta1, keep1, beta2, keep2, step_size, correction2_root, epsilon;
};

/// Element-wise loops with the same bits on every instruction set, baseline
/// included (element_loops.hpp says how): sigmoid(z, a, n) sets a = 1/(1 + e^-z)
/// for n values (a may be z); adam(c, θ, m, v, g, n) is Adam's update of n
/// parameters (adam.cpp).
template <typename Scalar>
struct ElementLoops {
  using Sigmoid = void (*)(const Scalar* z, Scalar* a, std::ptrdiff_t n);
  using Adam = void (*)(const AdamCoefficients<Scalar>& c, Scalar* theta, Scalar* m, Scalar* v, const Scalar* g,
                        std::ptrdiff_t n);
  Sigmoid sigmoid;
  Adam adam;
};

/// The element-wise loops of the instruction set this process uses (elements.cpp:
/// the baseline ones, activation.cpp's and adam.cpp's, where no other is chosen).
template <typename Scalar>
const ElementLoops<Scalar>& active_element_loops();

/// The baseline element-wise loops (Eigen's packets, compiled for the baseline
/// instruction set): what every other set must reproduce bit for bit.
template <typename Scalar>
void baseline_sigmoid(const Scalar* z, Scalar* a, std::ptrdiff_t n);
template <typename Scalar>
void baseline_adam(const AdamCoefficients<Scalar>& c, Scalar* theta, Scalar* m, Scalar* v, const Scalar* g,
                   std::ptrdiff_t n);

// The register-tiled kernel (gemm_kernel.hpp), the row loops (row_loops.hpp) and
// the element-wise loops (element_loops.hpp) built for each instruction set;
// baseline code calls only those the CPU runs.
namespace isa_avx2 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
void row_loops(RowLoops<float>& loops);
void row_loops(RowLoops<double>& loops);
void element_loops(ElementLoops<float>& loops);
void element_loops(ElementLoops<double>& loops);
}  // namespace isa_avx2
namespace isa_avx512 {
void gemm(const GemmCall<float>& call);
void gemm(const GemmCall<double>& call);
void row_loops(RowLoops<float>& loops);
void row_loops(RowLoops<double>& loops);
void element_loops(ElementLoops<float>& loops);
void element_loops(ElementLoops<double>& loops);
}  // namespace isa_avx512

}  // namespace akili::detail
