#pragma once
// Back-query ("Make Your Own Neural Network", ch. 3): run a trained network
// backwards to see what input it associates with an output. Starting from the
// output O, each layer from the last to the first computes
//   X = f⁻¹(O)          the activation's inverse (sigmoid: logit, X = ln(O / (1 - O)))
//   I = Wᵀ·(X - b)      the signal sent back through the transposed weights
//   I ← (I - min I) / (max I - min I) · 0.98 + 0.01
// and I becomes the O of the layer below. The rescaling keeps every value in
// 0.01..0.99, inside the open range the next inverse needs. The result is the
// last I: one input-space "image" per target row.

#include "akili/network.hpp"
#include "akili/types.hpp"

namespace akili {

/// Runs `network` backwards from `targets` (n, outputs) and returns the
/// input-space signals (n, inputs), each row rescaled to 0.01..0.99 (a row whose
/// values are all equal becomes 0.5 everywhere).
///
/// Inverses: sigmoid X = ln(O / (1 - O)) needs 0 < O < 1; tanh X = atanh(O)
/// needs -1 < O < 1; softmax X = ln(O) needs O > 0 (softmax ignores a constant
/// added to X, so this is one of its preimages); identity X = O. relu has no
/// inverse. Throws std::invalid_argument, naming the layer, the row and the
/// value, when a layer's activation has no inverse, a target lies outside its
/// inverse's domain, targets have the wrong number of columns or no rows, or a
/// target is not finite. Reads the weights under the network's shared lock.
/// The scalar type is deduced from the network alone (the targets' type is a
/// non-deduced context), so any matrix expression of that type can be passed.
template <typename Scalar>
RowMatrix<Scalar> backquery(const Network<Scalar>& network,
                            const Eigen::Ref<const typename Network<Scalar>::Matrix>& targets);

extern template RowMatrix<float> backquery<float>(const Network<float>&,
                                                  const Eigen::Ref<const Network<float>::Matrix>&);
extern template RowMatrix<double> backquery<double>(const Network<double>&,
                                                    const Eigen::Ref<const Network<double>::Matrix>&);

}  // namespace akili
