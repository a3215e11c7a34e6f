// The layer products against plain loops, for shapes that exercise every edge of
// the register-tiled kernel: partial tiles in both directions, several depth
// blocks, operands read in place and packed, and thread bands.
#include <doctest/doctest.h>

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
  const Eigen::Index shapes[][3] = {{1, 1, 1},   {2, 3, 8},    {6, 16, 8},    {7, 17, 9},   {13, 35, 257},
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
      akili::detail::multiply_by_transpose<double>(inputs, weights.middleRows(c0, width),
                                                   pieces.middleCols(c0, width));
    }
    CHECK((pieces.array() == whole.array()).all());
  }
}
