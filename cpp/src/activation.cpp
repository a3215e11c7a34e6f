// Activation functions and their derivatives (formulas in activation.hpp).
#include "akili/activation.hpp"

#include "isa_kernels.hpp"

#include <limits>
#include <stdexcept>

namespace akili {

namespace detail {

// a = 1 / (1 + e^-z), every value through the same vector code: Eigen's own
// expression computes most values with its vectorised exp but the ones before an
// aligned packet or after the last whole packet with std::exp, which can differ
// in the last bit, so a value would depend on where it sits in memory (a
// thread's band of columns, or the whole row). Here the last partial packet is
// padded and computed as a whole one: each value depends only on z, whatever the
// block, band or thread count. The instruction-set kernels (element_loops.hpp)
// reproduce these bits with wider registers.
template <typename Scalar>
void baseline_sigmoid(const Scalar* in, Scalar* out, std::ptrdiff_t n) {
  namespace ei = Eigen::internal;
  using P = typename ei::packet_traits<Scalar>::type;
  constexpr Eigen::Index size = ei::packet_traits<Scalar>::size;
  const P one = ei::pset1<P>(Scalar(1));
  auto sigmoid = [&](P x) { return ei::pdiv(one, ei::padd(one, ei::pexp(ei::pnegate(x)))); };  // 1 / (1 + e^-x)
  Eigen::Index j = 0;
  for (; j + size <= n; j += size) ei::pstoreu(out + j, sigmoid(ei::ploadu<P>(in + j)));
  if (j < n) {
    Scalar padded[size] = {};
    for (Eigen::Index k = j; k < n; ++k) padded[k - j] = in[k];
    ei::pstoreu(padded, sigmoid(ei::ploadu<P>(padded)));
    for (Eigen::Index k = j; k < n; ++k) out[k] = padded[k - j];
  }
}
template void baseline_sigmoid<float>(const float*, float*, std::ptrdiff_t);
template void baseline_sigmoid<double>(const double*, double*, std::ptrdiff_t);

}  // namespace detail

namespace {

template <typename Scalar>
void sigmoid_rows(const Eigen::Ref<const RowMatrix<Scalar>>& z, Eigen::Ref<RowMatrix<Scalar>> a) {
  const auto sigmoid = detail::active_element_loops<Scalar>().sigmoid;
  for (Eigen::Index row = 0; row < z.rows(); ++row) sigmoid(z.row(row).data(), a.row(row).data(), z.cols());
}

}  // namespace

bool is_elementwise(Activation activation) { return activation != Activation::softmax; }

template <typename Scalar>
void activate(Activation activation, const Eigen::Ref<const RowMatrix<Scalar>>& z, Eigen::Ref<RowMatrix<Scalar>> a) {
  switch (activation) {
    case Activation::identity:
      if (a.data() != z.data()) a = z;
      return;
    case Activation::sigmoid:
      // a = 1 / (1 + e^-z): saturates to 0 or 1 without NaN (the exponential is
      // clamped, or infinite, for large |z|).
      sigmoid_rows<Scalar>(z, a);
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
        a.row(row) =
            (a.row(row).array() < std::numeric_limits<Scalar>::min()).select(Scalar(0), a.row(row).array()).matrix();
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

template void activate<float>(Activation, const Eigen::Ref<const RowMatrix<float>>&, Eigen::Ref<RowMatrix<float>>);
template void activate<double>(Activation, const Eigen::Ref<const RowMatrix<double>>&, Eigen::Ref<RowMatrix<double>>);
template void multiply_by_derivative<float>(Activation, const Eigen::Ref<const RowMatrix<float>>&,
                                            Eigen::Ref<RowMatrix<float>>);
template void multiply_by_derivative<double>(Activation, const Eigen::Ref<const RowMatrix<double>>&,
                                             Eigen::Ref<RowMatrix<double>>);

}  // namespace akili
