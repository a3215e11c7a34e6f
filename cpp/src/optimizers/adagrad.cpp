// Adagrad (torch.optim.Adagrad; defaults lr_decay = 0, λ = 0, initial accumulator 0, ε = 1e-10):
//   g ← g + λ·θ                                   (coupled decay, in Optimizer::step)
//   lr_t ← lr / (1 + (t - 1)·lr_decay)
//   s ← s + g²                                    (s starts at the initial accumulator value)
//   θ ← θ - lr_t·g / (√s + ε)
#include "steps.hpp"

namespace akili::detail {

template <typename Scalar>
void adagrad_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate) {
  const double decayed = static_cast<double>(learning_rate) /
                         (1.0 + static_cast<double>(state.steps - 1) * settings.lr_decay);  // lr_t = lr/(1+(t-1)·d)
  auto& sum = state.slots[0];
  sum += gradient.square();  // s ← s + g²
  theta -= static_cast<Scalar>(decayed) * gradient /
           (sum.unaryExpr(ExactSqrt<Scalar>()) + static_cast<Scalar>(settings.epsilon));  // θ ← θ - lr_t·g/(√s + ε)
}

template void adagrad_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>,
                                  float);
template void adagrad_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                   double);

}  // namespace akili::detail
