#pragma once
// The loss of a whole data set and its exact gradient in one call: what a
// full-batch optimizer such as L-BFGS (akili.Network.fit(optimizer="lbfgs"),
// through scipy.optimize in Python) asks for at every evaluation, with no loop
// over samples outside the core. With per-sample weights w_i (all 1 when none
// are given) and an L2 coefficient λ:
//   J(θ) = Σ_i w_i·L_i / Σ_i w_i  +  (λ/2)·Σ_k ‖W_k‖²       (biases are not decayed)
//   ∂J/∂W_k = -Σ_i w_i·δ_k,iᵀ·I_k,i / Σ_i w_i + λ·W_k
//   ∂J/∂b_k = -Σ_i w_i·δ_k,i / Σ_i w_i
// where δ_k = -dL/dZ_k is back-propagation's delta (the "gradient" rule,
// whatever rule the network trains with: a full-batch optimizer needs the true
// gradient) and I_k the layer's input. Values a layer's trainable mask fixes,
// and every value of a frozen layer, get a zero gradient, so an optimizer
// following it leaves them as they are.
//
// Parameters are flattened in the optimizer's order (Network::parameter_sizes):
// layer k's W row by row, then its b (none without a bias), for k = 0, 1, ...

#include "akili/network.hpp"
#include "akili/types.hpp"

#include <vector>

namespace akili {

/// J(θ) and ∂J/∂θ (the data's types are deduced from the network alone, so any matrix
/// expression of its scalar type can be passed) (flattened, Σ parameter_sizes() values, written to `gradient`)
/// for the rows of `inputs` (n, inputs()) and `targets` (n, outputs()).
/// `sample_weights` holds n non-negative weights with a positive sum, or is empty
/// (every weight 1); `l2` is λ ≥ 0. The rows are processed a chunk at a time, so
/// the memory used beyond the data is that of one chunk's activations. Throws
/// std::invalid_argument (naming `where`) on mismatched shapes, a NaN or
/// infinity in the data, or bad weights; the network is only read.
template <typename Scalar>
double loss_and_gradient(const Network<Scalar>& network,
                         const Eigen::Ref<const typename Network<Scalar>::Matrix>& inputs,
                         const Eigen::Ref<const typename Network<Scalar>::Matrix>& targets,
                         const Eigen::Ref<const typename Network<Scalar>::Vec>& sample_weights, double l2,
                         Eigen::Ref<typename Network<Scalar>::Vec> gradient,
                         const char* where = "akili::loss_and_gradient");

/// Every parameter of the network, flattened in the order above.
template <typename Scalar>
Vector<Scalar> flat_parameters(const Network<Scalar>& network);

/// Sets every parameter from `values` (flattened in the order above; std::invalid_argument,
/// naming `where`, when the count is not Σ parameter_sizes() or a value is not finite,
/// with the network unchanged).
template <typename Scalar>
void set_flat_parameters(Network<Scalar>& network, const Eigen::Ref<const typename Network<Scalar>::Vec>& values,
                         const char* where = "akili::set_flat_parameters");

extern template double loss_and_gradient<float>(const Network<float>&, const Eigen::Ref<const Network<float>::Matrix>&,
                                                const Eigen::Ref<const Network<float>::Matrix>&,
                                                const Eigen::Ref<const Network<float>::Vec>&, double,
                                                Eigen::Ref<Network<float>::Vec>, const char*);
extern template double loss_and_gradient<double>(const Network<double>&,
                                                 const Eigen::Ref<const Network<double>::Matrix>&,
                                                 const Eigen::Ref<const Network<double>::Matrix>&,
                                                 const Eigen::Ref<const Network<double>::Vec>&, double,
                                                 Eigen::Ref<Network<double>::Vec>, const char*);

}  // namespace akili
