// Activations: exact saturation far from zero and the derivatives' formulas.
#include <doctest/doctest.h>

#include "akili/activation.hpp"

#include <cmath>

using akili::Activation;
using Matrix = akili::RowMatrix<double>;

namespace {

Matrix row(std::initializer_list<double> values) {
  Matrix m(1, static_cast<Eigen::Index>(values.size()));
  Eigen::Index j = 0;
  for (double v : values) m(0, j++) = v;
  return m;
}

Matrix apply(Activation activation, const Matrix& z) {
  Matrix a(z.rows(), z.cols());
  akili::activate<double>(activation, z, a);
  return a;
}

}  // namespace

TEST_CASE("sigmoid saturates to exactly 0 and 1 at -1000 and +1000") {
  const Matrix a = apply(Activation::sigmoid, row({-1000.0, 0.0, 1000.0}));
  CHECK(a(0, 0) == 0.0);  // 1 / (1 + e^1000) = 1 / inf = 0
  CHECK(a(0, 1) == 0.5);  // 1 / (1 + e^0)
  CHECK(a(0, 2) == 1.0);  // 1 / (1 + e^-1000) = 1 / 1

  akili::RowMatrix<float> z32(1, 2), a32(1, 2);
  z32 << -1000.0f, 1000.0f;
  akili::activate<float>(Activation::sigmoid, z32, a32);
  CHECK(a32(0, 0) == 0.0f);
  CHECK(a32(0, 1) == 1.0f);
}

TEST_CASE("sigmoid, tanh and relu match their formulas") {
  const Matrix z = row({-2.0, -0.5, 0.25, 3.0});
  const Matrix sigmoid = apply(Activation::sigmoid, z);
  const Matrix tanh = apply(Activation::tanh, z);
  const Matrix relu = apply(Activation::relu, z);
  for (Eigen::Index j = 0; j < z.cols(); ++j) {
    CHECK(sigmoid(0, j) == doctest::Approx(1.0 / (1.0 + std::exp(-z(0, j)))).epsilon(1e-15));
    CHECK(tanh(0, j) == doctest::Approx(std::tanh(z(0, j))).epsilon(1e-15));
    CHECK(relu(0, j) == std::max(0.0, z(0, j)));
  }
  CHECK(apply(Activation::identity, z) == z);
}

TEST_CASE("softmax stays finite for huge inputs and each row sums to 1") {
  Matrix z(2, 3);
  z << 1000.0, 1001.0, 1002.0,  // e^1002 overflows; e^(z - max) does not
      1.0, 2.0, 3.0;
  const Matrix a = apply(Activation::softmax, z);
  CHECK(a.allFinite());
  // Shifting every input by the same amount leaves softmax unchanged.
  for (Eigen::Index j = 0; j < 3; ++j) CHECK(a(0, j) == doctest::Approx(a(1, j)).epsilon(1e-15));
  CHECK(a.row(0).sum() == doctest::Approx(1.0).epsilon(1e-15));
  // e^-2 / (e^-2 + e^-1 + 1)
  const double expected = std::exp(-2.0) / (std::exp(-2.0) + std::exp(-1.0) + 1.0);
  CHECK(a(1, 0) == doctest::Approx(expected).epsilon(1e-15));
}

TEST_CASE("derivatives come from the outputs") {
  const Matrix a = row({0.2, 0.5, 0.9});
  Matrix error = row({1.0, 2.0, -1.0});
  akili::multiply_by_derivative<double>(Activation::sigmoid, a, error);
  CHECK(error(0, 0) == doctest::Approx(1.0 * 0.2 * 0.8));  // e · a(1 - a)
  CHECK(error(0, 1) == doctest::Approx(2.0 * 0.5 * 0.5));
  CHECK(error(0, 2) == doctest::Approx(-1.0 * 0.9 * 0.1));

  error = row({1.0, 2.0, -1.0});
  akili::multiply_by_derivative<double>(Activation::tanh, a, error);
  CHECK(error(0, 1) == doctest::Approx(2.0 * (1.0 - 0.25)));  // e · (1 - a²)

  const Matrix relu_out = row({0.0, 3.0, 0.5});
  error = row({1.0, 2.0, -1.0});
  akili::multiply_by_derivative<double>(Activation::relu, relu_out, error);
  CHECK(error == row({0.0, 2.0, -1.0}));  // e · [a > 0]

  // Softmax: D = A ∘ (E - (E·A)); with A = (0.5, 0.5) and E = (1, 0): E·A = 0.5.
  const Matrix soft = row({0.5, 0.5});
  error = row({1.0, 0.0});
  akili::multiply_by_derivative<double>(Activation::softmax, soft, error);
  CHECK(error(0, 0) == doctest::Approx(0.25));
  CHECK(error(0, 1) == doctest::Approx(-0.25));
}

TEST_CASE("only softmax is not element-wise") {
  CHECK(akili::is_elementwise(Activation::sigmoid));
  CHECK(akili::is_elementwise(Activation::relu));
  CHECK_FALSE(akili::is_elementwise(Activation::softmax));
}
