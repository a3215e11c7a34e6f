// AdamW (torch.optim.AdamW; defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 1e-2):
// Adam with the weight decay taken out of the gradient and applied to θ directly
// (decoupled), before the Adam step:
//   θ ← θ - lr·λ·θ                                (∘ mask: fixed weights do not decay)
//   then Adam's m, v and θ updates on the undecayed g (adam.cpp)
#include "steps.hpp"

namespace akili::detail {

template <typename Scalar>
void adamw_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, const Scalar* mask, Scalar learning_rate) {
  if (settings.weight_decay != 0.0) {
    const auto shrink = static_cast<Scalar>(1.0 - static_cast<double>(learning_rate) * settings.weight_decay);
    if (mask) {
      const ConstFlatArray<Scalar> trains(mask, theta.size());
      // θ ← θ·(1 - lr·λ) where the mask is 1, θ unchanged where it is 0
      theta = (trains != Scalar(0)).select(theta * shrink, theta);
    } else {
      theta *= shrink;  // θ ← θ·(1 - lr·λ)
    }
  }
  adam_step(settings, state, theta, gradient, learning_rate);
}

template void adamw_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>,
                                const float*, float);
template void adamw_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                 const double*, double);

}  // namespace akili::detail
