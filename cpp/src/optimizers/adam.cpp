// Adam (torch.optim.Adam; defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0):
//   g ← g + λ·θ                                   (coupled decay, in Optimizer::step)
//   m ← β₁·m + (1 - β₁)·g
//   v ← β₂·v + (1 - β₂)·g²
//   θ ← θ - (lr / (1 - β₁ᵗ))·m / (√v / √(1 - β₂ᵗ) + ε)
// which is θ - lr·m̂/(√v̂ + ε) with m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ), in PyTorch's
// order of operations: ε is added after the bias correction of √v.
#include "steps.hpp"

#include <cmath>

namespace akili::detail {

template <typename Scalar>
void adam_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
               FlatArray<Scalar> gradient, Scalar learning_rate) {
  const auto beta1 = static_cast<Scalar>(settings.beta1);
  const auto beta2 = static_cast<Scalar>(settings.beta2);
  const double t = static_cast<double>(state.steps);
  const double correction1 = 1.0 - std::pow(settings.beta1, t);                                  // 1 - β₁ᵗ
  const double correction2 = 1.0 - std::pow(settings.beta2, t);                                  // 1 - β₂ᵗ
  const auto step_size = static_cast<Scalar>(static_cast<double>(learning_rate) / correction1);  // lr/(1-β₁ᵗ)
  const auto correction2_root = static_cast<Scalar>(std::sqrt(correction2));                     // √(1-β₂ᵗ)
  auto& first = state.slots[0];
  auto& second = state.slots[1];
  first = beta1 * first + (Scalar(1) - beta1) * gradient;             // m ← β₁·m + (1-β₁)·g
  second = beta2 * second + (Scalar(1) - beta2) * gradient.square();  // v ← β₂·v + (1-β₂)·g²
  theta -= step_size * first /
           (second.sqrt() / correction2_root + static_cast<Scalar>(settings.epsilon));  // θ ← θ - s·m/(√v/√c₂ + ε)
}

template void adam_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>, float);
template void adam_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                double);

}  // namespace akili::detail
