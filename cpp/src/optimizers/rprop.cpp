// Rprop (torch.optim.Rprop; defaults η₋ = 0.5, η₊ = 1.2, Γ_min = 1e-6, Γ_max = 50;
// no weight decay). Per value, with g' the previous step's (possibly zeroed) gradient
// and step sizes η that start at lr:
//   g·g' > 0:  η ← min(η·η₊, Γ_max)
//   g·g' < 0:  η ← max(η·η₋, Γ_min),  g ← 0   (a sign change: step back no further)
//   g·g' = 0:  η ← clamp(η, Γ_min, Γ_max)
//   θ ← θ - sign(g)·η,  g' ← g
// Only the sign of the gradient is used, so the rule's scale never matters.
#include "steps.hpp"

#include <algorithm>

namespace akili::detail {

template <typename Scalar>
void rprop_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, Scalar learning_rate) {
  auto& previous = state.slots[0];
  auto& sizes = state.slots[1];
  if (state.steps == 1) sizes.setConstant(learning_rate);  // η ← lr at the first step
  const auto eta_minus = static_cast<Scalar>(settings.eta_minus);
  const auto eta_plus = static_cast<Scalar>(settings.eta_plus);
  const auto step_min = static_cast<Scalar>(settings.step_min);
  const auto step_max = static_cast<Scalar>(settings.step_max);
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    const Scalar product = gradient[i] * previous[i];  // g·g'
    Scalar g = gradient[i];
    Scalar size = sizes[i];
    if (product > Scalar(0)) {
      size *= eta_plus;  // η·η₊
    } else if (product < Scalar(0)) {
      size *= eta_minus;  // η·η₋
      g = Scalar(0);      // g ← 0 after a sign change
    }
    size = std::min(std::max(size, step_min), step_max);  // clamp to [Γ_min, Γ_max]
    const Scalar sign = static_cast<Scalar>((g > Scalar(0)) - (g < Scalar(0)));
    theta[i] -= sign * size;  // θ ← θ - sign(g)·η
    sizes[i] = size;
    previous[i] = g;  // g' ← g
  }
}

template void rprop_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>,
                                float);
template void rprop_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                 double);

}  // namespace akili::detail
