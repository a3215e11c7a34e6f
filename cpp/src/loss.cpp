// Loss values and the output error and delta that start back-propagation (formulas in loss.hpp).
#include "akili/loss.hpp"

#include "akili/activation.hpp"

#include <limits>
#include <stdexcept>

namespace akili {

void check_loss_pairing(Loss loss, Activation output_activation, const char* where) {
  if (loss == Loss::cross_entropy && output_activation != Activation::softmax &&
      output_activation != Activation::sigmoid) {
    throw std::invalid_argument(std::string("[") + where +
                                "] loss \"cross_entropy\" needs a softmax or sigmoid output layer "
                                "(outputs must be probabilities); got output activation \"" +
                                to_string(output_activation) + "\"");
  }
}

template <typename Scalar>
double loss_sum(Loss loss, Activation output_activation, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                const Eigen::Ref<const RowMatrix<Scalar>>& targets) {
  const auto o = outputs.array();
  const auto t = targets.array();
  // tiny: the smallest normal number; log(tiny) is finite (about -708 in double, -87 in float).
  const Scalar tiny = std::numeric_limits<Scalar>::min();
  switch (loss) {
    case Loss::squared_error:
      return 0.5 * static_cast<double>((t - o).square().sum());  // Σ_samples ½ Σ_k (t - o)²
    case Loss::mse:
      // Σ_samples 1/k Σ_k (t - o)²
      return static_cast<double>((t - o).square().sum()) / static_cast<double>(outputs.cols());
    case Loss::cross_entropy:
      if (output_activation == Activation::softmax) {
        return -static_cast<double>((t * o.max(tiny).log()).sum());  // -Σ t log o
      }
      // -Σ [t log o + (1 - t) log(1 - o)]
      return -static_cast<double>((t * o.max(tiny).log() + (Scalar(1) - t) * (Scalar(1) - o).max(tiny).log()).sum());
  }
  throw std::invalid_argument("[loss_sum] unknown loss code");
}

template <typename Scalar>
void output_error(Loss loss, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                  const Eigen::Ref<const RowMatrix<Scalar>>& targets, Eigen::Ref<RowMatrix<Scalar>> error) {
  switch (loss) {
    case Loss::squared_error:
    case Loss::cross_entropy:
      error.noalias() = targets - outputs;  // E = T - O
      return;
    case Loss::mse:
      // E = -dL/dO = 2/k (T - O)
      error.noalias() = (Scalar(2) / static_cast<Scalar>(outputs.cols())) * (targets - outputs);
      return;
  }
  throw std::invalid_argument("[output_error] unknown loss code");
}

template <typename Scalar>
void output_delta(Loss loss, Activation output_activation, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                  const Eigen::Ref<const RowMatrix<Scalar>>& error, Eigen::Ref<RowMatrix<Scalar>> delta) {
  if (delta.data() != error.data()) delta = error;
  // Cross-entropy after softmax/sigmoid: -dL/dZ = T - O, which is already E.
  if (loss == Loss::cross_entropy) return;
  multiply_by_derivative<Scalar>(output_activation, outputs, delta);  // D = E ∘ f'(O)
}

#define AKILI_INSTANTIATE_LOSS(Scalar)                                                                           \
  template double loss_sum<Scalar>(Loss, Activation, const Eigen::Ref<const RowMatrix<Scalar>>&,                 \
                                   const Eigen::Ref<const RowMatrix<Scalar>>&);                                  \
  template void output_error<Scalar>(Loss, const Eigen::Ref<const RowMatrix<Scalar>>&,                           \
                                     const Eigen::Ref<const RowMatrix<Scalar>>&, Eigen::Ref<RowMatrix<Scalar>>); \
  template void output_delta<Scalar>(Loss, Activation, const Eigen::Ref<const RowMatrix<Scalar>>&,               \
                                     const Eigen::Ref<const RowMatrix<Scalar>>&, Eigen::Ref<RowMatrix<Scalar>>);
AKILI_INSTANTIATE_LOSS(float)
AKILI_INSTANTIATE_LOSS(double)
#undef AKILI_INSTANTIATE_LOSS

}  // namespace akili
