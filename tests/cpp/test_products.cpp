// The layer products against plain loops, for shapes that exercise every edge of
// the register-tiled kernel: partial tiles in both directions, several depth
// blocks, operands read in place and packed, and thread bands.
#include <doctest/doctest.h>

#include "akili/build_info.hpp"
#include "isa_kernels.hpp"
#include "products.hpp"

#include <algorithm>

#include <cmath>
#include <limits>

namespace {

template <typename Scalar>
using Matrix = akili::RowMatrix<Scalar>;

template <typename Scalar>
Scalar tolerance(Eigen::Index depth) {
  // |error| ≤ depth·ε·Σ|a·b| for a sum of `depth` products; values here are in [-1, 1].
  return static_cast<Scalar>(4 * depth) * std::numeric_limits<Scalar>::epsilon();
}

template <typename Scalar>
void check_shapes() {
  const Eigen::Index shapes[][3] = {{1, 1, 1},      {2, 3, 8},     {6, 16, 8},   {7, 17, 9},   {13, 35, 257},
                                    {64, 200, 784}, {65, 10, 300}, {5, 9, 1000}, {130, 40, 64}};
  for (const auto& shape : shapes) {
    const Eigen::Index rows = shape[0], nodes = shape[1], depth = shape[2];
    CAPTURE(rows);
    CAPTURE(nodes);
    CAPTURE(depth);
    const Matrix<Scalar> inputs = Matrix<Scalar>::Random(rows, depth);
    const Matrix<Scalar> weights = Matrix<Scalar>::Random(nodes, depth);
    // X = I·Wᵀ
    Matrix<Scalar> product(rows, nodes);
    akili::detail::multiply_by_transpose<Scalar>(inputs, weights, product);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < nodes; ++j) {
        long double expected = 0;
        for (Eigen::Index k = 0; k < depth; ++k) expected += static_cast<long double>(inputs(i, k)) * weights(j, k);
        REQUIRE(std::abs(static_cast<long double>(product(i, j)) - expected) <= tolerance<Scalar>(depth));
      }
    }
    // W += α·Dᵀ·I, D (rows, nodes), into a block of a wider matrix (a thread's band).
    const Matrix<Scalar> deltas = Matrix<Scalar>::Random(rows, nodes);
    const Scalar alpha = Scalar(0.25);
    Matrix<Scalar> wide = Matrix<Scalar>::Random(nodes + 3, depth + 2);
    const Matrix<Scalar> before = wide;
    akili::detail::add_transposed_product<Scalar>(alpha, deltas, inputs, wide.block(1, 2, nodes, depth));
    for (Eigen::Index i = 0; i < nodes + 3; ++i) {
      for (Eigen::Index j = 0; j < depth + 2; ++j) {
        const bool inside = i >= 1 && i <= nodes && j >= 2;
        long double expected = before(i, j);
        if (inside) {
          for (Eigen::Index r = 0; r < rows; ++r) {
            expected += static_cast<long double>(alpha) * deltas(r, i - 1) * inputs(r, j - 2);
          }
        }
        if (!inside) REQUIRE(wide(i, j) == before(i, j));  // nothing outside the band is touched
        REQUIRE(std::abs(static_cast<long double>(wide(i, j)) - expected) <= tolerance<Scalar>(rows + 1));
      }
    }
  }
}

}  // namespace

TEST_CASE("the forward product and the update match plain loops in float and double") {
  check_shapes<float>();
  check_shapes<double>();
}

TEST_CASE("a product gives the same bits however its weight rows are split into bands") {
  // Threads split the weight rows (output columns) into bands: each entry must be
  // summed the same way whichever band it falls in.
  const Matrix<double> inputs = Matrix<double>::Random(64, 784);
  const Matrix<double> weights = Matrix<double>::Random(200, 784);
  Matrix<double> whole(64, 200);
  akili::detail::multiply_by_transpose<double>(inputs, weights, whole);
  for (const Eigen::Index band : {1, 7, 50, 100, 133}) {
    Matrix<double> pieces(64, 200);
    for (Eigen::Index c0 = 0; c0 < 200; c0 += band) {
      const Eigen::Index width = std::min(band, Eigen::Index{200} - c0);
      akili::detail::multiply_by_transpose<double>(inputs, weights.middleRows(c0, width), pieces.middleCols(c0, width));
    }
    CHECK((pieces.array() == whole.array()).all());
  }
}

#if AKILI_TEST_X86_KERNELS
namespace {

bool cpu_has(akili::Isa isa) {
  const auto supported = akili::build_info().supported;
  return std::find(supported.begin(), supported.end(), isa) != supported.end();
}

// One product through a given kernel, C = α·A·B (+ C), A read as (m, k) through
// strides (the forward product's I, or the update's Dᵀ).
template <typename Scalar, typename Kernel>
Matrix<Scalar> product(Kernel kernel, const Matrix<Scalar>& a, bool a_transposed, const Matrix<Scalar>& b,
                       const Matrix<Scalar>& c, Scalar alpha, bool accumulate) {
  Matrix<Scalar> result = c;
  const Eigen::Index m = a_transposed ? a.cols() : a.rows();
  const Eigen::Index k = a_transposed ? a.rows() : a.cols();
  const akili::detail::GemmCall<Scalar> call{m,
                                             b.cols(),
                                             k,
                                             alpha,
                                             a.data(),
                                             a_transposed ? 1 : a.outerStride(),
                                             a_transposed ? a.outerStride() : 1,
                                             b.data(),
                                             b.outerStride(),
                                             1,
                                             result.data(),
                                             result.outerStride(),
                                             accumulate};
  kernel(call);
  return result;
}

template <typename Scalar>
void check_same_bits() {
  using Call = akili::detail::GemmCall<Scalar>;
  void (*const avx2)(const Call&) = &akili::detail::isa_avx2::gemm;
  void (*const avx512)(const Call&) = &akili::detail::isa_avx512::gemm;
  // Edges of both tile widths (16/32 floats, 8/16 doubles), several depth blocks.
  const Eigen::Index shapes[][3] = {{2, 8, 8}, {6, 16, 8}, {7, 33, 9}, {13, 100, 257}, {64, 200, 784}, {5, 17, 600}};
  for (const auto& shape : shapes) {
    const Eigen::Index m = shape[0], n = shape[1], k = shape[2];
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    const Matrix<Scalar> a = Matrix<Scalar>::Random(m, k);
    const Matrix<Scalar> a_t = a.transpose();
    const Matrix<Scalar> b = Matrix<Scalar>::Random(k, n);
    const Matrix<Scalar> c = Matrix<Scalar>::Random(m, n);
    for (const bool accumulate : {false, true}) {
      const Matrix<Scalar> wide = product<Scalar>(avx512, a, false, b, c, Scalar(0.3), accumulate);
      CHECK((product<Scalar>(avx2, a, false, b, c, Scalar(0.3), accumulate).array() == wide.array()).all());
      CHECK((product<Scalar>(avx2, a_t, true, b, c, Scalar(0.3), accumulate).array() == wide.array()).all());
    }
  }
}

}  // namespace

TEST_CASE("the AVX2 and AVX-512 kernels give the same bits on every shape") {
  if (!cpu_has(akili::Isa::avx512)) {
    MESSAGE("this CPU lacks AVX-512: nothing to compare");
    return;
  }
  check_same_bits<float>();
  check_same_bits<double>();
}
#endif
