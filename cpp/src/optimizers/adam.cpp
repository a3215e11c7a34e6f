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
  const auto epsilon = static_cast<Scalar>(settings.epsilon);
  const Scalar keep1 = Scalar(1) - beta1;  // 1-β₁
  const Scalar keep2 = Scalar(1) - beta2;  // 1-β₂
  Scalar* m = state.slots[0].data();
  Scalar* v = state.slots[1].data();
  Scalar* w = theta.data();
  const Scalar* g = gradient.data();
  // One pass over g, m, v and θ instead of one per formula: each value goes through
  // the same operations in the same order in the vector loop and in the tail, so
  // its result does not depend on where it sits.
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<Scalar>::type;
  constexpr Eigen::Index width = ei::packet_traits<Scalar>::size;
  const Eigen::Index n = theta.size();
  Eigen::Index i = 0;
  if constexpr (width > 1) {
    const Packet b1 = ei::pset1<Packet>(beta1), k1 = ei::pset1<Packet>(keep1);
    const Packet b2 = ei::pset1<Packet>(beta2), k2 = ei::pset1<Packet>(keep2);
    const Packet s = ei::pset1<Packet>(step_size), c2 = ei::pset1<Packet>(correction2_root);
    const Packet e = ei::pset1<Packet>(epsilon);
    for (; i + width <= n; i += width) {
      const Packet gi = ei::ploadu<Packet>(g + i);
      const Packet mi = ei::padd(ei::pmul(b1, ei::ploadu<Packet>(m + i)), ei::pmul(k1, gi));  // m ← β₁·m + (1-β₁)·g
      const Packet vi =
          ei::padd(ei::pmul(b2, ei::ploadu<Packet>(v + i)), ei::pmul(k2, ei::pmul(gi, gi)));  // v ← β₂·v + (1-β₂)·g²
      ei::pstoreu(m + i, mi);
      ei::pstoreu(v + i, vi);
      const Packet denominator = ei::padd(ei::pdiv(ei::psqrt(vi), c2), e);  // √v/√c₂ + ε
      ei::pstoreu(w + i,
                  ei::psub(ei::ploadu<Packet>(w + i), ei::pdiv(ei::pmul(s, mi), denominator)));  // θ ← θ - s·m/(…)
    }
  }
  for (; i < n; ++i) {
    m[i] = beta1 * m[i] + keep1 * g[i];                                           // m ← β₁·m + (1-β₁)·g
    v[i] = beta2 * v[i] + keep2 * (g[i] * g[i]);                                  // v ← β₂·v + (1-β₂)·g²
    w[i] -= (step_size * m[i]) / (std::sqrt(v[i]) / correction2_root + epsilon);  // θ ← θ - s·m/(√v/√c₂ + ε)
  }
}

template void adam_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>, float);
template void adam_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                double);

}  // namespace akili::detail
