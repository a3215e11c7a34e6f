// Adam (torch.optim.Adam; defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0):
//   g ← g + λ·θ                                   (coupled decay, in Optimizer::step)
//   m ← β₁·m + (1 - β₁)·g
//   v ← β₂·v + (1 - β₂)·g²
//   θ ← θ - (lr / (1 - β₁ᵗ))·m / (√v / √(1 - β₂ᵗ) + ε)
// which is θ - lr·m̂/(√v̂ + ε) with m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ), in PyTorch's
// order of operations: ε is added after the bias correction of √v.
#include "steps.hpp"

#include "../isa_kernels.hpp"

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
  const AdamCoefficients<Scalar> coefficients{beta1,     Scalar(1) - beta1, beta2,  Scalar(1) - beta2,
                                              step_size, correction2_root,  epsilon};
  active_element_loops<Scalar>().adam(coefficients, theta.data(), state.slots[0].data(), state.slots[1].data(),
                                      gradient.data(), theta.size());
}

// Adam's update in one pass over g, m, v and θ instead of one per formula: each
// value goes through the same operations in the same order in the vector loop
// and in the tail, so its result does not depend on where it sits; the
// instruction-set kernels (element_loops.hpp) reproduce these bits.
template <typename Scalar>
void baseline_adam(const AdamCoefficients<Scalar>& c, Scalar* w, Scalar* m, Scalar* v, const Scalar* g,
                   std::ptrdiff_t n) {
  namespace ei = Eigen::internal;
  using Packet = typename ei::packet_traits<Scalar>::type;
  constexpr Eigen::Index width = ei::packet_traits<Scalar>::size;
  Eigen::Index i = 0;
  if constexpr (width > 1) {
    const Packet b1 = ei::pset1<Packet>(c.beta1), k1 = ei::pset1<Packet>(c.keep1);
    const Packet b2 = ei::pset1<Packet>(c.beta2), k2 = ei::pset1<Packet>(c.keep2);
    const Packet s = ei::pset1<Packet>(c.step_size), c2 = ei::pset1<Packet>(c.correction2_root);
    const Packet e = ei::pset1<Packet>(c.epsilon);
    for (; i + width <= n; i += width) {
      const Packet gi = ei::ploadu<Packet>(g + i);
      const Packet mi = ei::padd(ei::pmul(b1, ei::ploadu<Packet>(m + i)), ei::pmul(k1, gi));  // m ← β₁·m + (1-β₁)·g
      const Packet vi =
          ei::padd(ei::pmul(b2, ei::ploadu<Packet>(v + i)), ei::pmul(k2, ei::pmul(gi, gi)));  // v ← β₂·v + (1-β₂)·g²
      ei::pstoreu(m + i, mi);
      ei::pstoreu(v + i, vi);
      const Packet denominator = ei::padd(ei::pdiv(exact_sqrt(vi), c2), e);  // √v/√c₂ + ε
      ei::pstoreu(w + i,
                  ei::psub(ei::ploadu<Packet>(w + i), ei::pdiv(ei::pmul(s, mi), denominator)));  // θ ← θ - s·m/(…)
    }
  }
  for (; i < n; ++i) {
    m[i] = c.beta1 * m[i] + c.keep1 * g[i];           // m ← β₁·m + (1-β₁)·g
    v[i] = c.beta2 * v[i] + c.keep2 * (g[i] * g[i]);  // v ← β₂·v + (1-β₂)·g²
    w[i] -= (c.step_size * m[i]) / (std::sqrt(v[i]) / c.correction2_root + c.epsilon);  // θ ← θ - s·m/(√v/√c₂ + ε)
  }
}
template void baseline_adam<float>(const AdamCoefficients<float>&, float*, float*, float*, const float*,
                                   std::ptrdiff_t);
template void baseline_adam<double>(const AdamCoefficients<double>&, double*, double*, double*, const double*,
                                    std::ptrdiff_t);

template void adam_step<float>(const OptimizerSettings&, StateRange<float>&, FlatArray<float>, FlatArray<float>, float);
template void adam_step<double>(const OptimizerSettings&, StateRange<double>&, FlatArray<double>, FlatArray<double>,
                                double);

}  // namespace akili::detail
