// Activation functions and their derivatives (formulas in activation.hpp).
#include "akili/activation.hpp"

#include <limits>
#include <stdexcept>

namespace akili {

bool is_elementwise(Activation activation) { return activation != Activation::softmax; }

template <typename Scalar>
void activate(Activation activation, const Eigen::Ref<const RowMatrix<Scalar>>& z,
              Eigen::Ref<RowMatrix<Scalar>> a) {
  const Scalar one(1);
  switch (activation) {
    case Activation::identity:
      if (a.data() != z.data()) a = z;
      return;
    case Activation::sigmoid:
      // a = 1 / (1 + e^-z). Under IEEE arithmetic e^1000 = inf and 1/inf = 0,
      // so the plain formula saturates to exactly 0 or 1 without NaN.
      a = (one + (-z.array()).exp()).inverse().matrix();
      return;
    case Activation::tanh:
      a = z.array().tanh().matrix();
      return;
    case Activation::relu:
      a = z.array().max(Scalar(0)).matrix();
      return;
    case Activation::softmax:
      for (Eigen::Index row = 0; row < z.rows(); ++row) {
        // a_i = e^(z_i - m) / Σ_j e^(z_j - m), m = max_j z_j: the largest exponent is e^0 = 1.
        const Scalar largest = z.row(row).maxCoeff();
        a.row(row) = (z.row(row).array() - largest).exp().matrix();
        // Eigen's vectorised exp clamps arguments near the underflow limit on some
        // instruction sets (SSE2 gave e^-2000 = 5.6e-309 instead of 0): terms below
        // the smallest normal number are flushed to exactly 0, so every build agrees.
        a.row(row) = (a.row(row).array() < std::numeric_limits<Scalar>::min())
                         .select(Scalar(0), a.row(row).array())
                         .matrix();
        a.row(row) /= a.row(row).sum();
      }
      return;
  }
  throw std::invalid_argument("[activate] unknown activation code");
}

template <typename Scalar>
void multiply_by_derivative(Activation activation, const Eigen::Ref<const RowMatrix<Scalar>>& a,
                            Eigen::Ref<RowMatrix<Scalar>> error) {
  const Scalar one(1);
  switch (activation) {
    case Activation::identity:
      return;  // f' = 1
    case Activation::sigmoid:
      error.array() *= a.array() * (one - a.array());  // f' = a (1 - a)
      return;
    case Activation::tanh:
      error.array() *= one - a.array().square();  // f' = 1 - a²
      return;
    case Activation::relu:
      error.array() *= (a.array() > Scalar(0)).template cast<Scalar>();  // f' = [a > 0]
      return;
    case Activation::softmax:
      for (Eigen::Index row = 0; row < a.rows(); ++row) {
        // dL/dz_i = a_i (dL/da_i - Σ_j a_j dL/da_j): the softmax Jacobian diag(a) - a aᵀ applied to E.
        const Scalar weighted = error.row(row).dot(a.row(row));
        error.row(row).array() = a.row(row).array() * (error.row(row).array() - weighted);
      }
      return;
  }
  throw std::invalid_argument("[multiply_by_derivative] unknown activation code");
}

template void activate<float>(Activation, const Eigen::Ref<const RowMatrix<float>>&,
                              Eigen::Ref<RowMatrix<float>>);
template void activate<double>(Activation, const Eigen::Ref<const RowMatrix<double>>&,
                               Eigen::Ref<RowMatrix<double>>);
template void multiply_by_derivative<float>(Activation, const Eigen::Ref<const RowMatrix<float>>&,
                                            Eigen::Ref<RowMatrix<float>>);
template void multiply_by_derivative<double>(Activation, const Eigen::Ref<const RowMatrix<double>>&,
                                             Eigen::Ref<RowMatrix<double>>);

}  // namespace akili
