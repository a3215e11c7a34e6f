// RMSprop (torch.optim.RMSprop; defaults α = 0.99, ε = 1e-8, λ = 0, μ = 0, not centered):
//   g ← g + λ·θ                                   (coupled decay, in Optimizer::step)
//   v ← α·v + (1 - α)·g²
//   centered: g_avg ← α·g_avg + (1 - α)·g,  ṽ ← v - g_avg²;  else ṽ ← v
//   μ > 0:    b ← μ·b + g / (√ṽ + ε),       θ ← θ - lr·b
//   else:     θ ← θ - lr·g / (√ṽ + ε)
#include "steps.hpp"

namespace akili::detail {

template <typename Scalar>
void rmsprop_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate) {
  const auto alpha = static_cast<Scalar>(settings.alpha);
  const auto epsilon = static_cast<Scalar>(settings.epsilon);
  auto& square_average = state.slots[0];
  square_average = alpha * square_average + (Scalar(1) - alpha) * gradient.square();  // v ← α·v + (1-α)·g²
  // The step from the denominator √ṽ + ε, an expression evaluated inside the update (no buffer).
  auto step = [&](const auto& denominator) {
    if (settings.momentum > 0.0) {
      auto& buffer = state.slots[1];
      buffer = static_cast<Scalar>(settings.momentum) * buffer + gradient / denominator;  // b ← μ·b + g/(√ṽ+ε)
      theta -= learning_rate * buffer;                                                    // θ ← θ - lr·b
    } else {
      theta -= learning_rate * gradient / denominator;  // θ ← θ - lr·g/(√ṽ+ε)
    }
  };
  if (settings.centered) {
    auto& gradient_average = state.slots[2];
    gradient_average = alpha * gradient_average + (Scalar(1) - alpha) * gradient;  // g_avg ← α·g_avg + (1-α)·g
    step((square_average - gradient_average.square()).unaryExpr(ExactSqrt<Scalar>()) + epsilon);  // ṽ = v - g_avg²
  } else {
    step(square_average.unaryExpr(ExactSqrt<Scalar>()) + epsilon);  // ṽ = v
  }
}

template void rmsprop_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>,
                                  float);
template void rmsprop_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                   double);

}  // namespace akili::detail
