#pragma once
// Activation functions f (the node's non-linear step, O = f(X)) and their
// derivatives, applied to a batch whose samples are rows.

#include "akili/types.hpp"

namespace akili {

/// A = f(Z) for every row of Z (shape (n, k)); A may alias Z (in place).
///   sigmoid  a = 1 / (1 + e^-z)   — overflow-safe: e^1000 = inf gives exactly 0, e^-1000 = 0 gives exactly 1
///   tanh     a = tanh(z)
///   relu     a = max(0, z)
///   softmax  a_i = e^(z_i - m) / sum_j e^(z_j - m), m = max_j z_j (subtracting m keeps e^ finite)
///   identity a = z
template <typename Scalar>
void activate(Activation activation, const Eigen::Ref<const RowMatrix<Scalar>>& z, Eigen::Ref<RowMatrix<Scalar>> a);

/// Turns an error with respect to the outputs, E = -dL/dA (shape (n, k)), into
/// the delta with respect to the weighted sums, D = -dL/dZ, in place, using
/// only the outputs A = f(Z):
///   sigmoid  f' = a (1 - a)      tanh  f' = 1 - a^2      relu  f' = [a > 0]
///   identity f' = 1              softmax D = A ∘ (E - (E·A) 1ᵀ)  (Jacobian-vector product per row)
template <typename Scalar>
void multiply_by_derivative(Activation activation, const Eigen::Ref<const RowMatrix<Scalar>>& a,
                            Eigen::Ref<RowMatrix<Scalar>> error);

/// True when the activation acts on each element alone (all but softmax).
bool is_elementwise(Activation activation);

}  // namespace akili
