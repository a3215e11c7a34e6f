#pragma once
// Losses: the error a network minimises, its value and the error signal that
// starts back-propagation. Per sample with k outputs o and targets t:
//   squared_error  L = ½ Σ_k (t - o)²                    (the book's and Grokking's; E = T - O)
//   mse            L = 1/k Σ_k (t - o)²                  (the article's; averaged over samples too)
//   cross_entropy  L = -Σ_k t log o                      with a softmax output (categorical)
//                  L = -Σ_k [t log o + (1-t) log(1-o)]   with a sigmoid output (binary)
// Logs are taken of max(o, tiny) so the loss stays finite when o rounds to 0.
// Batch losses and gradients are the mean over the n samples of the batch.

#include "akili/types.hpp"

namespace akili {

/// Sum over the rows of O, T (shape (n, k)) of the per-sample loss.
template <typename Scalar>
double loss_sum(Loss loss, Activation output_activation, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                const Eigen::Ref<const RowMatrix<Scalar>>& targets);

/// The output error E = -dL/dO per sample (shape (n, k)):
///   squared_error  E = T - O        mse  E = 2/k (T - O)
///   cross_entropy  E = T - O        (the error the book names; see output_delta)
template <typename Scalar>
void output_error(Loss loss, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                  const Eigen::Ref<const RowMatrix<Scalar>>& targets, Eigen::Ref<RowMatrix<Scalar>> error);

/// The output delta D = -dL/dZ per sample from the output error E:
///   cross_entropy with softmax or sigmoid: D = T - O exactly (= E; the
///   activation's derivative cancels against the log's)
///   otherwise: D = E ∘ f'(O) (see multiply_by_derivative).
template <typename Scalar>
void output_delta(Loss loss, Activation output_activation, const Eigen::Ref<const RowMatrix<Scalar>>& outputs,
                  const Eigen::Ref<const RowMatrix<Scalar>>& error, Eigen::Ref<RowMatrix<Scalar>> delta);

/// Throws std::invalid_argument unless the loss can follow this output
/// activation (cross_entropy needs probabilities: softmax or sigmoid); the
/// message starts with `[where]`, the call the user made.
void check_loss_pairing(Loss loss, Activation output_activation, const char* where = "Network");

}  // namespace akili
