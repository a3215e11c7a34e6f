// Single-example training called once per example (the book's loop:
// `n.train(inputs, targets)` for each record), at the speed of an online epoch.
//
// train_example queues the example and applies a block of them at a time with
// the online-block arithmetic of train_epoch (epoch.cpp): z_t = W₀·x_t + b₀ +
// lr·Σ_{s<t} δ_s·(x_s·x_t + 1), then W += lr·Dᵀ·X. Anything that can observe
// or change the network applies the queue first, so every observer sees every
// step taken so far. train_step on one row steps at once.
//
// Divergence without a copy of the model per step: the journal keeps the
// examples stepped or queued since a checkpoint (a copy of the layers taken
// once per kOnlineBlock steps). When a step makes the loss or a weight
// non-finite, the checkpoint is restored and the journal's earlier examples are
// replayed, which leaves exactly the weights from before the diverging step.
#include "akili/network.hpp"

#include "akili/activation.hpp"
#include "akili/threads.hpp"

#include "number_text.hpp"
#include "row_kernels.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace akili {

using detail::number_text;  // %g: 1e-09, 0.1, nan, never rounded to zero

template <typename Scalar>
void Network<Scalar>::train_example(const Eigen::Ref<const Matrix>& input, const Eigen::Ref<const Matrix>& target,
                                    const char* caller) {
  std::unique_lock lock(mutex_);
  const auto at = [caller] { return std::string("[") + caller + "] "; };  // built only for a message
  if (input.rows() != 1 || input.cols() != inputs()) {
    throw std::invalid_argument(at() + "expected one example of " + std::to_string(inputs()) + " inputs, got " +
                                std::to_string(input.rows()) + " x " + std::to_string(input.cols()) + " values");
  }
  if (target.rows() != 1 || target.cols() != outputs()) {
    throw std::invalid_argument(at() + "expected one target of " + std::to_string(outputs()) + " values, got " +
                                std::to_string(target.rows()) + " x " + std::to_string(target.cols()) + " values");
  }
  // Refused here, at the call that passes it, with the network unchanged.
  if (!kernels::all_finite(input.data(), input.cols())) throw NonFiniteDataError(caller, "inputs", 0);
  if (!kernels::all_finite(target.data(), target.cols())) throw NonFiniteDataError(caller, "targets", 0);
  apply_pending();  // train_step's deferred updates come before this example's queue
  if (!fused_paths()) {
    // The queue and its block arithmetic are plain SGD's without dropout: another
    // optimizer, or dropout, steps at once through the reference path.
    reset_journal();
    reserve_workspace(1);
    batch_inputs_.row(0) = input;
    batch_targets_.row(0) = target;
    step_restoring(caller, 1, nullptr);
    ++single_steps_;
    return;
  }
  const Eigen::Index row = journal_row();  // may apply a full journal's queue first
  journal_inputs_.row(row) = input;
  journal_targets_.row(row) = target;
  if (journal_queued_ == 0) queued_by_ = caller;
  ++single_steps_;
  ++journal_queued_;
  has_queued_.store(true, std::memory_order_release);
  if (journal_applied_ + journal_queued_ == kOnlineBlock) apply_queued();  // a full block: apply it now
}

template <typename Scalar>
void Network<Scalar>::settle() const {
  if (!has_queued_.load(std::memory_order_acquire)) return;
  // Applying the queue changes the weights but not the network's state as the
  // caller knows it: the steps were taken when they were queued, only their
  // arithmetic was deferred. A network with queued steps was trained through a
  // non-const reference, so it is not a const object.
  auto& self = const_cast<Network&>(*this);
  std::unique_lock lock(self.mutex_);
  self.apply_queued();
}

template <typename Scalar>
Eigen::Index Network<Scalar>::journal_row() {
  if (checkpoint_valid_ && journal_applied_ + journal_pending_ + journal_queued_ < kOnlineBlock) {
    return journal_applied_ + journal_pending_ + journal_queued_;
  }
  apply_queued();
  if (journal_inputs_.rows() != kOnlineBlock || journal_inputs_.cols() != inputs()) {
    journal_inputs_.resize(kOnlineBlock, inputs());
    journal_targets_.resize(kOnlineBlock, outputs());
  }
  checkpoint_copied_ = false;  // the layers are the checkpoint until a step changes them
  checkpoint_valid_ = true;
  journal_applied_ = 0;
  journal_first_step_ = single_steps_ + 1;
  return 0;
}

template <typename Scalar>
void Network<Scalar>::keep_checkpoint() {
  if (checkpoint_copied_) return;
  checkpoint_ = layers_;  // same sizes every time: copied into the kept buffers
  checkpoint_copied_ = true;
}

template <typename Scalar>
void Network<Scalar>::reset_journal() {
  checkpoint_valid_ = false;
  journal_applied_ = 0;
  journal_pending_ = 0;  // callers apply them first, or replace the weights
}

template <typename Scalar>
double Network<Scalar>::step_journaled(Eigen::Index row, StepTrace<Scalar>* trace) {
  // The first layer, nearly all the weights, is checked in its own update pass; the
  // layers above (small) by a read.
  keep_checkpoint();
  const double loss =
      step_online(journal_inputs_.row(row).data(), journal_targets_.row(row).data(), trace, false, nullptr, true);
  if (!std::isfinite(loss) || !first_layer_finite_ || !layers_finite(1)) {
    undo_diverged(row, loss, "Network::train_step");
  }
  ++journal_applied_;
  return loss;
}

template <typename Scalar>
double Network<Scalar>::step_deferred(const Eigen::Ref<const Matrix>& input, const Eigen::Ref<const Matrix>& target) {
  const Eigen::Index row = journal_row();  // may apply a full journal's deferred updates first
  keep_checkpoint();                       // the layers above the first step now
  journal_inputs_.row(row) = input;
  journal_targets_.row(row) = target;
  ++single_steps_;
  Dense<Scalar>& first = layers_[0];
  if (block_deltas_.rows() != kOnlineBlock || block_deltas_.cols() != first.outputs()) {
    block_deltas_.resize(kOnlineBlock, first.outputs());
  }
  const Eigen::Index start = journal_applied_;  // rows [start, row): stepped, first layer's update deferred
  const auto x = journal_inputs_.row(row);
  auto z = outputs_[0].topRows(1);
  first.combine_row(x.data(), z.data());  // z = W₀·x + b₀ with the weights applied so far
  if (!first.frozen() && row > start) {
    // z += lr·Σ_{start ≤ s < row} (x_s·x + 1)·δ_s: the deferred updates W₀ += lr·δ_s·x_sᵀ
    // (b₀ += lr·δ_s) seen through x, as in an online block (epoch.cpp).
    auto gram = block_gram_row_.head(row - start);
    gram.noalias() = journal_inputs_.middleRows(start, row - start) * x.transpose();  // x_s·x
    if (first.has_bias()) gram.array() += Scalar(1);
    z.noalias() += learning_rate_ * (gram.transpose() * block_deltas_.middleRows(start, row - start));
  }
  activate<Scalar>(first.activation(), z, z);  // o₀ = f(z)
  const std::size_t last = layers_.size() - 1;
  for (std::size_t k = 1; k <= last; ++k) layers_[k].forward_row(outputs_[k - 1].data(), outputs_[k].data());
  const double loss = output_online(journal_targets_.row(row).data());
  if (std::isfinite(loss)) {
    backward_online();  // the layers above the first step now
    if (layers_finite(1)) {
      block_deltas_.row(row) = deltas_[0].row(0);
      ++journal_pending_;
      has_queued_.store(true, std::memory_order_release);
      if (row + 1 == kOnlineBlock) apply_pending();  // a full block: apply it now
      return loss;
    }
  }
  // This step diverged: the weights go back to before it (the checkpoint and the
  // journal's earlier rows, replayed as immediate steps) and the error names it.
  journal_pending_ = 0;
  undo_diverged(row, loss, "Network::train_step");
}

template <typename Scalar>
void Network<Scalar>::apply_pending() {
  if (journal_pending_ == 0) return;
  keep_checkpoint();  // (step_deferred has taken it)
  const Eigen::Index first = journal_applied_;
  const Eigen::Index count = journal_pending_;
  journal_pending_ = 0;
  has_queued_.store(false, std::memory_order_release);
  bool first_finite = true;
  if (count == 1) {
    // W₀ += lr·δ·xᵀ, b₀ += lr·δ through the row loop of an immediate online step:
    // one step applied alone has an immediate step's bits.
    layers_[0].online_update_forward(block_deltas_.row(first).data(), journal_inputs_.row(first).data(), learning_rate_,
                                     nullptr, nullptr);
    first_finite = layers_finite(0);
  } else {
    // W₀ += lr·Dᵀ·X, b₀ += lr·Σ δ over the deferred steps, as an online block applies
    // them; each band checked for non-finite values while in cache.
    first_finite = layers_[0].apply_update_checked(block_deltas_.middleRows(first, count),
                                                   journal_inputs_.middleRows(first, count), learning_rate_);
  }
  journal_applied_ += count;
  if (first_finite) return;  // the layers above were checked by each step
  // A first-layer weight became non-finite: find the step that made it so, one
  // immediate step at a time from the checkpoint, and report it.
  layers_ = checkpoint_;
  for (Eigen::Index r = 0; r < first + count; ++r) {
    const double loss = step_online(journal_inputs_.row(r).data(), journal_targets_.row(r).data(), nullptr);
    if (!std::isfinite(loss) || !weights_finite()) {
      journal_queued_ = first + count - r - 1;  // the steps after it, dropped (named in the message)
      undo_diverged(r, loss, "Network::train_step");
    }
  }
  // Stepped one at a time, every step stayed finite (the block's other order of
  // summation had overflowed at the edge): keep these weights.
}

template <typename Scalar>
void Network<Scalar>::apply_queued() {
  apply_pending();
  if (journal_queued_ == 0) return;
  const Eigen::Index first = journal_applied_;
  const Eigen::Index count = journal_queued_;
  journal_queued_ = 0;
  has_queued_.store(false, std::memory_order_release);
  reserve_workspace(kOnlineBlock);
  double diverging_loss = 0.0;
  bool finite = true;
  if (count > 1 && online_blocks_apply(static_cast<std::size_t>(count))) {
    if (block_combined_.rows() < kOnlineBlock || block_combined_.cols() != layers_[0].outputs()) {
      block_combined_.resize(kOnlineBlock, layers_[0].outputs());
      block_gram_.resize(kOnlineBlock, kOnlineBlock);
      block_deltas_.resize(kOnlineBlock, layers_[0].outputs());
    }
    const auto block_inputs = journal_inputs_.middleRows(first, count);  // read in place, never copied
    batch_targets_.topRows(count) = journal_targets_.middleRows(first, count);
    if (!layers_[0].frozen()) {
      block_gram(block_inputs, block_gram_.topLeftCorner(count, count), layers_[0].has_bias());  // G_st = x_s·x_t (+1)
    }
    layers_[0].combine(block_inputs, block_combined_.topRows(count));  // Z = X·W₀ᵀ + b₀
    Eigen::Index done = 0;
    auto step_block = [&] {
      done = online_block(
          count, [](Eigen::Index, double) { return true; }, diverging_loss);
    };
    if (!checkpoint_copied_ && checkpoint_.size() == layers_.size() && upper_layers_small(1)) {
      // The checkpoint is still to be copied (nothing has changed the layers since
      // the journal began): the layers above the first, which the block steps,
      // now; the first layer, nearly all the weights and unchanged until the
      // block's update below, on the second core while this one steps the block.
      for (std::size_t k = 1; k < layers_.size(); ++k) checkpoint_[k] = layers_[k];
      run_alongside(step_block, [&] { checkpoint_[0] = layers_[0]; });
      checkpoint_copied_ = true;
    } else {
      keep_checkpoint();
      step_block();
    }
    // W += lr·Dᵀ·X, b += lr·Σ δ, each band checked for finiteness while in cache
    finite = layers_[0].apply_update_checked(block_deltas_.topRows(done), block_inputs.topRows(done), learning_rate_) &&
             layers_finite(1);
  } else {
    // Small networks (and masked first layers): exact online steps, each update
    // sharing its pass over the first layer with the next example's forward pass.
    keep_checkpoint();
    bool forward_done = false;
    for (Eigen::Index r = first; r < first + count; ++r) {
      const Scalar* next = r + 1 < first + count ? journal_inputs_.row(r + 1).data() : nullptr;
      const double loss =
          step_online(journal_inputs_.row(r).data(), journal_targets_.row(r).data(), nullptr, forward_done, next);
      forward_done = next != nullptr && layers_.size() > 1;
      if (!std::isfinite(loss)) {
        diverging_loss = loss;
        break;
      }
    }
    finite = weights_finite();
  }
  if (std::isfinite(diverging_loss) && finite) {
    reset_journal();  // all applied and sound: the next step starts a new checkpoint
    return;
  }
  // Something diverged: find the first step that did, one immediate step at a
  // time from the checkpoint (the journal's earlier rows were stepped that way).
  layers_ = checkpoint_;
  for (Eigen::Index r = 0; r < first; ++r) {
    step_online(journal_inputs_.row(r).data(), journal_targets_.row(r).data(), nullptr);
  }
  for (Eigen::Index r = first; r < first + count; ++r) {
    const double loss = step_online(journal_inputs_.row(r).data(), journal_targets_.row(r).data(), nullptr);
    if (!std::isfinite(loss) || !weights_finite()) {
      journal_queued_ = first + count - r - 1;  // the steps after it, dropped (named in the message)
      undo_diverged(r, loss, queued_by_);
    }
  }
  // Stepped one at a time, every step stayed finite (the block's other order of
  // summation had overflowed at the edge): keep these weights.
  reset_journal();
}

template <typename Scalar>
void Network<Scalar>::undo_diverged(Eigen::Index good, double loss, const std::string& caller) {
  const std::size_t dropped = static_cast<std::size_t>(journal_queued_);
  journal_queued_ = 0;
  has_queued_.store(false, std::memory_order_release);
  layers_ = checkpoint_;
  for (Eigen::Index r = 0; r < good; ++r) {
    step_online(journal_inputs_.row(r).data(), journal_targets_.row(r).data(), nullptr);
  }
  const std::uint64_t step = journal_first_step_ + static_cast<std::uint64_t>(good);
  single_steps_ = step - 1;  // the diverging step and those after it were not taken
  journal_applied_ = good;   // the journal still describes the weights: later steps continue it
  std::string message = "[" + caller + "] training diverged at step " + std::to_string(step) + ": ";
  message += std::isfinite(loss) ? "a weight became non-finite or too large (loss " + number_text(loss) + ")"
                                 : "the loss became " + number_text(loss);
  message += "; the weights are those from before that step";
  if (dropped > 0) {
    message += ", and the " + std::to_string(dropped) + " step" + (dropped == 1 ? "" : "s") +
               " queued after it were not taken";
  }
  message += ". Try a smaller learning rate (now " + number_text(static_cast<double>(learning_rate_)) + ")";
  throw DivergenceError(message);
}

#define AKILI_INSTANTIATE_SINGLE_STEPS(Scalar)                                                                      \
  template void Network<Scalar>::train_example(const Eigen::Ref<const Matrix>&, const Eigen::Ref<const Matrix>&,    \
                                               const char*);                                                        \
  template void Network<Scalar>::settle() const;                                                                    \
  template Eigen::Index Network<Scalar>::journal_row();                                                             \
  template void Network<Scalar>::reset_journal();                                                                   \
  template void Network<Scalar>::keep_checkpoint();                                                                 \
  template double Network<Scalar>::step_journaled(Eigen::Index, StepTrace<Scalar>*);                                \
  template double Network<Scalar>::step_deferred(const Eigen::Ref<const Matrix>&, const Eigen::Ref<const Matrix>&); \
  template void Network<Scalar>::apply_pending();                                                                   \
  template void Network<Scalar>::apply_queued();                                                                    \
  template void Network<Scalar>::undo_diverged(Eigen::Index, double, const std::string&);
AKILI_INSTANTIATE_SINGLE_STEPS(float)
AKILI_INSTANTIATE_SINGLE_STEPS(double)
#undef AKILI_INSTANTIATE_SINGLE_STEPS

}  // namespace akili
