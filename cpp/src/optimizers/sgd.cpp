// SGD (torch.optim.SGD; defaults μ = 0, τ = 0, nesterov off, λ = 0):
//   g ← g + λ·θ                                   (coupled decay, in Optimizer::step)
//   b ← g                         at t = 1         (when μ ≠ 0)
//   b ← μ·b + (1 - τ)·g           after
//   g ← g + μ·b  with Nesterov,   else g ← b
//   θ ← θ - lr·g
// Plain SGD (μ = 0, λ = 0) is θ ← θ - lr·g, which the network computes in its
// fused paths without calling this.
#include "steps.hpp"

namespace akili::detail {

template <typename Scalar>
void sgd_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
              FlatArray<Scalar> gradient, Scalar learning_rate) {
  if (settings.momentum != 0.0) {
    const auto momentum = static_cast<Scalar>(settings.momentum);
    auto& buffer = state.slots[0];
    if (state.steps == 1) {
      buffer = gradient;  // b ← g (the first step starts the buffer undamped)
    } else {
      buffer =
          momentum * buffer + (Scalar(1) - static_cast<Scalar>(settings.dampening)) * gradient;  // b ← μ·b + (1-τ)·g
    }
    if (settings.nesterov) {
      gradient += momentum * buffer;  // g ← g + μ·b
    } else {
      gradient = buffer;  // g ← b
    }
  }
  theta -= learning_rate * gradient;  // θ ← θ - lr·g
}

template void sgd_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>, float);
template void sgd_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                               double);

}  // namespace akili::detail
