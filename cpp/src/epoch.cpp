// Network's training epochs: the shuffled pass over a data set in mini-batches,
// or online (one example per step) with the first layer's updates taken a block
// of examples at a time, each pipelined with the preparation of the next.
#include "akili/network.hpp"

#include "akili/activation.hpp"
#include "akili/threads.hpp"
#include "number_text.hpp"
#include "parallel_policy.hpp"
#include "products.hpp"
#include "row_kernels.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace akili {
namespace {

// The training loop calls the progress hook at least this often, so Ctrl-C is
// answered quickly however slow a single step is.
constexpr std::chrono::milliseconds kHookInterval{5};

}  // namespace

// Online training a block at a time. Example t of a block sees the first layer's
// weights after the updates of examples 0..t-1 of the block:
//   W_t = W_0 + lr·Σ_{s<t} δ_s·x_sᵀ   and   b_t = b_0 + lr·Σ_{s<t} δ_s,
// so its combined input is
//   z_t = W_t·x_t + b_t = (W_0·x_t + b_0) + lr·Σ_{s<t} δ_s·(x_s·x_t + 1),
// where the 1 is the bias's constant input (absent without a bias). The first
// term, for every example of the block, is one matrix product over W_0; the dot
// products x_s·x_t are one more (the Gram matrix of the block); the δ_s come from
// the examples already done. After the block the updates are applied together,
// W += lr·Dᵀ·X. Every example is still one exact step of the book's online rule
// (the same arithmetic, summed in another order), but the first layer, which
// holds nearly all the weights, is read twice per block instead of twice per
// example: online training becomes bound by arithmetic, not by memory traffic.
// The layers above are small and are stepped one example at a time as before.
// The block holds Network::kOnlineBlock examples.

template <typename Scalar>
bool Network<Scalar>::online_blocks_apply(std::size_t samples) const {
  const Dense<Scalar>& first = layers_[0];
  return samples > 1 && fused_paths() && first.trainable_mask().size() == 0 &&
         parallel::worth_splitting_online(first.weights().size());
}

template <typename Scalar>
bool Network<Scalar>::upper_layers_small(Eigen::Index batch) const {
  for (std::size_t k = 1; k < layers_.size(); ++k) {
    const Dense<Scalar>& layer = layers_[k];
    if (parallel::worth_splitting_online(layer.weights().size()) ||
        parallel::split_weight_rows(batch, layer.inputs(), layer.outputs())) {
      return false;
    }
  }
  return true;
}

template <typename Scalar>
void Network<Scalar>::block_gram(const Eigen::Ref<const Matrix>& inputs, Eigen::Ref<Matrix> gram, bool bias) {
  // G_st = x_s·x_t (+ 1·1 for the bias input), needed only above the diagonal
  // (s < t): columns [c0, c1) need rows [0, c1). Narrow column bands, handed
  // out to the threads as they come free, keep the triangle's work balanced.
  const Eigen::Index count = inputs.rows();
  constexpr Eigen::Index kBand = 8;
  const std::size_t bands = static_cast<std::size_t>((count + kBand - 1) / kBand);
  auto band = [&](std::size_t index) {
    const Eigen::Index c0 = static_cast<Eigen::Index>(index) * kBand;
    const Eigen::Index c1 = std::min(count, c0 + kBand);
    auto block = gram.block(0, c0, c1, c1 - c0);
    detail::multiply_by_transpose<Scalar>(inputs.topRows(c1), inputs.middleRows(c0, c1 - c0), block);
    if (bias) block.array() += Scalar(1);
  };
  if (parallel::worth_splitting(count * count * inputs.cols() / 2)) {
    parallel_for(bands, band);
  } else {
    for (std::size_t index = 0; index < bands; ++index) band(index);
  }
}

template <typename Scalar>
Eigen::Index Network<Scalar>::online_block(Eigen::Index count, const std::function<bool(Eigen::Index, double)>& after,
                                           double& diverging_loss) {
  const std::size_t last = layers_.size() - 1;
  const Dense<Scalar>& first = layers_[0];
  auto combined = block_combined_.topRows(count);
  const auto gram = block_gram_.topLeftCorner(count, count);
  const bool trains = !first.frozen();
  auto deltas = block_deltas_.topRows(count);
  // The corrections z_t += lr·Σ_{s<t} G_st·δ_s come in two parts: at the start of
  // each group of kGroup examples, the earlier groups' share for the whole group
  // as one matrix product; then, per example, the terms of its own group.
  constexpr Eigen::Index kGroup = 16;
  for (Eigen::Index t = 0; t < count; ++t) {
    const Eigen::Index group_start = t / kGroup * kGroup;
    if (trains && t == group_start && t > 0) {
      // Z_j += lr·Σ_{s<t} G_sj·δ_s for the group's examples j: Z_group += lr·G[0:t, group]ᵀ·D[0:t]
      const Eigen::Index size = std::min(kGroup, count - t);
      detail::add_transposed_product<Scalar>(learning_rate_, gram.block(0, t, t, size), deltas.topRows(t),
                                             combined.middleRows(t, size));
    }
    auto z = outputs_[0].topRows(1);
    z = combined.row(t);
    if (trains && t > group_start) {
      // z_t += lr·Σ_{group_start ≤ s < t} G_st·δ_s (the group's earlier updates, seen through x_t)
      const Eigen::Index earlier = t - group_start;
      z.noalias() += learning_rate_ *
                     (gram.col(t).segment(group_start, earlier).transpose() * deltas.middleRows(group_start, earlier));
    }
    activate<Scalar>(first.activation(), z, z);  // o_0 = f(z_t)
    for (std::size_t k = 1; k <= last; ++k) layers_[k].forward_row(outputs_[k - 1].data(), outputs_[k].data());
    const double loss = output_online(batch_targets_.row(t).data());
    if (!std::isfinite(loss)) {
      diverging_loss = loss;  // stop before this example changes anything
      return t;
    }
    backward_online();  // the layers above the first
    deltas.row(t) = deltas_[0].row(0);
    if (!after(t, loss)) return t + 1;
  }
  return count;
}

template <typename Scalar>
EpochResult Network<Scalar>::train_epoch(const Eigen::Ref<const Matrix>& inputs,
                                         const Eigen::Ref<const Matrix>& targets, std::size_t batch_size, bool shuffle,
                                         const ProgressHook& hook, std::size_t hook_every,
                                         const Eigen::Ref<const Vec>& sample_weights) {
  std::unique_lock lock(mutex_);
  apply_queued();   // single-example steps queued before this epoch come first
  reset_journal();  // the epoch changes the weights outside the journal
  // Values are checked row by row as the epoch first uses them (while they are in
  // cache) rather than in a separate pass over the whole data set.
  check_data("Network::train_epoch", inputs, &targets, false);
  if (batch_size == 0) throw std::invalid_argument("[Network::train_epoch] expected batch_size >= 1, got 0");
  const std::size_t samples = static_cast<std::size_t>(inputs.rows());
  const bool weighted = sample_weights.size() != 0;
  if (weighted) {
    if (sample_weights.size() != inputs.rows()) {
      throw std::invalid_argument("[Network::train_epoch] expected one sample weight per sample (" +
                                  std::to_string(samples) + "), got " + std::to_string(sample_weights.size()));
    }
    if (!sample_weights.allFinite() || (sample_weights.array() < Scalar(0)).any()) {
      throw std::invalid_argument("[Network::train_epoch] sample weights must be finite and >= 0");
    }
  }
  const std::size_t batch = std::min(batch_size, samples);
  const bool blocks = batch == 1 && !weighted && online_blocks_apply(samples);
  reserve_workspace(blocks ? kOnlineBlock : static_cast<Eigen::Index>(batch));
  if (blocks) {
    block_combined_.resize(kOnlineBlock, layers_[0].outputs());
    block_gram_.resize(kOnlineBlock, kOnlineBlock);
    block_deltas_.resize(kOnlineBlock, layers_[0].outputs());
  }

  // Shuffle an index, never the data: memory stays at one copy of the data set.
  const Random random_before = random_;
  order_.resize(samples);
  std::iota(order_.begin(), order_.end(), std::size_t{0});
  if (shuffle) random_.shuffle(order_);

  // The epoch's starting point, restored if training diverges.
  const std::vector<Dense<Scalar>> snapshot = layers_;
  const Optimizer<Scalar> optimizer_before = optimizer_;  // plain SGD: empty
  auto diverged = [&](std::size_t at, double loss) {
    layers_ = snapshot;
    optimizer_ = optimizer_before;
    throw DivergenceError("[Network::train_epoch] training diverged at sample " + std::to_string(at) +
                          ": the loss became " + detail::number_text(loss) +
                          "; weights restored to the start of the epoch. Try a smaller learning rate (now " +
                          detail::number_text(static_cast<double>(learning_rate_)) + ")");
  };

  // A NaN or infinity in the data: the network is left exactly as it was.
  auto refuse = [&](const char* what, std::size_t row) {
    layers_ = snapshot;
    optimizer_ = optimizer_before;
    random_ = random_before;
    throw NonFiniteDataError("Network::train_epoch", what, row);
  };

  EpochResult result;
  auto last_hook = std::chrono::steady_clock::now();
  std::size_t next_report = hook_every ? hook_every : samples + 1;
  // The hook, every hook_every samples and at least every kHookInterval; false: stop.
  auto report = [&]() {
    if (!hook) return true;
    const auto now = std::chrono::steady_clock::now();
    if (result.samples < next_report && now - last_hook < kHookInterval) return true;
    while (next_report <= result.samples) next_report += hook_every ? hook_every : samples + 1;
    last_hook = now;
    return hook(result);
  };
  // Gathers rows [first, last) of the batch that starts at `start` in the epoch's
  // order into the given workspaces and returns the first of them holding NaN or
  // infinity, if any (the caller refuses it: this may run on another thread,
  // where it must not throw).
  struct BadRow {
    const char* what = nullptr;
    std::size_t row = 0;
  };
  auto gather_rows = [&](std::size_t start, std::size_t first, std::size_t last, Matrix& into_inputs,
                         Matrix& into_targets) {
    for (std::size_t r = first; r < last; ++r) {
      into_inputs.row(static_cast<Eigen::Index>(r)) = inputs.row(order_[start + r]);
      into_targets.row(static_cast<Eigen::Index>(r)) = targets.row(order_[start + r]);
    }
    for (std::size_t r = first; r < last; ++r) {
      if (!kernels::all_finite(into_inputs.row(r).data(), inputs.cols())) return BadRow{"inputs", order_[start + r]};
      if (!kernels::all_finite(into_targets.row(r).data(), targets.cols())) return BadRow{"targets", order_[start + r]};
    }
    return BadRow{};
  };
  auto gather = [&](std::size_t start, std::size_t rows, Matrix& into_inputs, Matrix& into_targets) {
    return gather_rows(start, 0, rows, into_inputs, into_targets);
  };
  // A gather that several threads share: shuffled rows come from all over the
  // data set, so gathering is bound by main memory, not by one core. Each thread
  // claims chunks of rows from a common cursor; each chunk keeps its own finding.
  constexpr std::size_t kGatherChunk = 8;
  std::atomic<std::size_t> gather_cursor{0};
  std::vector<BadRow> chunk_findings;
  auto gather_share = [&](std::size_t start, std::size_t rows, Matrix& into_inputs, Matrix& into_targets) {
    for (;;) {
      const std::size_t chunk = gather_cursor.fetch_add(1, std::memory_order_relaxed);
      const std::size_t first = chunk * kGatherChunk;
      if (first >= rows) return;
      chunk_findings[chunk] =
          gather_rows(start, first, std::min(rows, first + kGatherChunk), into_inputs, into_targets);
    }
  };
  auto first_finding = [&] {
    for (const BadRow& finding : chunk_findings) {
      if (finding.what) return finding;
    }
    return BadRow{};
  };
  auto refuse_bad = [&](const BadRow& bad) {
    if (bad.what) refuse(bad.what, bad.row);
  };
  // The next batch or block is prepared on the second core while the layers above
  // the first train on this one, when those layers are too small to use it themselves.
  const bool small_above = upper_layers_small(static_cast<Eigen::Index>(batch));
  auto alongside = [&](const auto& main, const auto& side) {
    if (small_above) {
      run_alongside(main, side);
    } else {
      side();
      main();
    }
  };
  next_inputs_.resize(batch_inputs_.rows(), batch_inputs_.cols());
  next_targets_.resize(batch_targets_.rows(), batch_targets_.cols());

  if (blocks) {
    // Online blocks (see online_block): while one block's examples are stepped, the
    // next block is gathered and its Gram matrix computed; then one pass per band
    // of the first layer applies the block's updates and computes the next
    // block's combined inputs (Dense::update_then_forward).
    next_gram_.resize(kOnlineBlock, kOnlineBlock);
    const bool first_trains = !layers_[0].frozen();
    const bool first_bias = layers_[0].has_bias();
    auto block_size = [&](std::size_t start) {
      return std::min(static_cast<std::size_t>(kOnlineBlock), samples - start);
    };
    auto prepare = [&](std::size_t start, Matrix& into_inputs, Matrix& into_targets, Matrix& into_gram) {
      const std::size_t count = block_size(start);
      const BadRow bad = gather(start, count, into_inputs, into_targets);
      const auto rows = static_cast<Eigen::Index>(count);
      if (!bad.what && first_trains) {
        block_gram(into_inputs.topRows(rows), into_gram.topLeftCorner(rows, rows), first_bias);
      }
      return bad;
    };
    refuse_bad(prepare(0, batch_inputs_, batch_targets_, block_gram_));
    const auto first_count = static_cast<Eigen::Index>(block_size(0));
    layers_[0].combine(batch_inputs_.topRows(first_count), block_combined_.topRows(first_count));  // Z = X·W₀ᵀ + b₀
    for (std::size_t start = 0; start < samples; start += kOnlineBlock) {
      const auto count = static_cast<Eigen::Index>(block_size(start));
      const std::size_t next_start = start + static_cast<std::size_t>(count);
      const bool has_next = next_start < samples;
      Eigen::Index done = 0;
      BadRow bad;
      // A diverging example stops the block; the weights are restored (and the
      // error thrown) only once the other core has finished with them.
      double diverging_loss = 0.0;
      alongside(
          [&] {
            done = online_block(
                count,
                [&](Eigen::Index t, double loss) {
                  result.loss_sum += loss;
                  result.correct += count_correct(1, batch_targets_.row(t).data(), 0);
                  result.samples += 1;
                  return report();
                },
                diverging_loss);
          },
          [&] {
            if (has_next) bad = prepare(next_start, next_inputs_, next_targets_, next_gram_);
          });
      if (!std::isfinite(diverging_loss)) diverged(start + static_cast<std::size_t>(done), diverging_loss);
      const auto deltas = block_deltas_.topRows(done);
      const auto block_inputs = batch_inputs_.topRows(done);
      if (done < count || !has_next) {
        layers_[0].apply_update(deltas, block_inputs, learning_rate_);  // W += lr·Dᵀ·X, b += lr·Σ_t δ_t
        result.stopped = done < count;
        break;
      }
      refuse_bad(bad);
      const auto next_count = static_cast<Eigen::Index>(block_size(next_start));
      // W += lr·Dᵀ·X, b += lr·Σ_t δ_t, then the next block's Z = X·Wᵀ + b
      layers_[0].update_then_forward(deltas, block_inputs, learning_rate_, next_inputs_.topRows(next_count),
                                     block_combined_.topRows(next_count), false);
      batch_inputs_.swap(next_inputs_);
      batch_targets_.swap(next_targets_);
      block_gram_.swap(next_gram_);
    }
    if (!weights_finite()) diverged(result.samples, result.loss_sum);
    result.weight_sum = static_cast<double>(result.samples);  // every sample weighs 1
    return result;
  }

  // Mini-batches: each batch's first-layer update waits for the next batch, so
  // that one pass per band of the first layer's weights applies it and computes
  // the next batch's first layer (Dense::update_then_forward); the next batch is
  // gathered while the layers above train on this one. Batches of 2048 rows and
  // more take the forward pass's fixed sample chunks instead.
  // Another optimizer takes single examples through step_batch's reference path
  // (a batch of one) but is pipelined the same way on mini-batches.
  const bool fast = fused_paths() && !weighted;
  std::vector<Scalar> batch_weights(weighted ? batch : 0);  // the batch's weights, in its shuffled order
  // Pipelined mini-batches: plain SGD, and every other optimizer too (its step on
  // the first layer fused with the next batch's forward pass in the same way);
  // not with sample weights or dropout, which take each batch whole.
  const bool plain = optimizer_.plain();
  const bool batches_whole = weighted || has_dropout();
  const bool pipelined = !batches_whole && batch >= 2 && batch < static_cast<std::size_t>(2 * parallel::kChunkRows);
  Eigen::Index pending = 0;  // rows in batch_inputs_ whose first-layer update (deltas_[0]) waits
  auto apply_pending = [&] {
    if (pending == 0) return;
    if (plain) {
      const Scalar step = learning_rate_ / static_cast<Scalar>(pending);  // lr/n: the mean over the batch
      layers_[0].apply_update(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), step);
    } else {
      const Scalar scale = Scalar(1) / static_cast<Scalar>(pending);  // 1/n: the mean over the batch
      layers_[0].optimizer_update(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), scale, optimizer_, 0,
                                  weight_gradients_[0], bias_gradients_[0], learning_rate_);
    }
    pending = 0;
  };
  BadRow gathered;
  if (pipelined) gathered = gather(0, batch, next_inputs_, next_targets_);
  bool first_ready = false;  // online: the first layer's output for this sample was computed with the last update
  for (std::size_t start = 0; start < samples; start += batch) {
    const std::size_t rows = std::min(batch, samples - start);
    double loss = 0.0;
    if (rows == 1 && fast) {
      apply_pending();
      // Each row of a row-major Ref is contiguous: train on it in place, no copy.
      const std::size_t sample = order_[start];
      if (!kernels::rows_finite(inputs, sample, sample + 1)) refuse("inputs", sample);
      if (!kernels::rows_finite(targets, sample, sample + 1)) refuse("targets", sample);
      const Scalar* next = start + 1 < samples ? inputs.row(order_[start + 1]).data() : nullptr;
      loss = step_online(inputs.row(sample).data(), targets.row(sample).data(), nullptr, first_ready, next);
      first_ready = next != nullptr && layers_.size() > 1;
    } else if (pipelined) {
      refuse_bad(gathered);
      const auto count = static_cast<Eigen::Index>(rows);
      auto first_output = outputs_[0].topRows(count);
      if (pending > 0 && plain) {
        // W₀ += lr/n·Dᵀ·X for the last batch, then O₀ = f(X_next·W₀ᵀ + b₀) for this one
        const Scalar step = learning_rate_ / static_cast<Scalar>(pending);
        layers_[0].update_then_forward(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), step,
                                       next_inputs_.topRows(count), first_output, true);
      } else if (pending > 0) {
        // The optimizer's step of W₀ and b₀ for the last batch (G = -(1/n)·Dᵀ·X), then
        // O₀ = f(X_next·W₀ᵀ + b₀) for this one, band by band
        const Scalar scale = Scalar(1) / static_cast<Scalar>(pending);
        layers_[0].optimizer_update_then_forward(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), scale,
                                                 optimizer_, 0, weight_gradients_[0], bias_gradients_[0],
                                                 learning_rate_, next_inputs_.topRows(count), first_output, true);
      } else {
        layers_[0].forward(next_inputs_.topRows(count), first_output);
      }
      batch_inputs_.swap(next_inputs_);
      batch_targets_.swap(next_targets_);
      const std::size_t next_start = start + rows;
      const std::size_t next_rows = next_start < samples ? std::min(batch, samples - next_start) : 0;
      // The layers above train on this batch while the second core gathers the
      // next one; the first core joins the gathering when it is done.
      // (A last batch of one row trains online under plain SGD, from the data in place.)
      const std::size_t gather_rows_next = next_rows >= (fast ? 2 : 1) ? next_rows : 0;
      gather_cursor.store(0, std::memory_order_relaxed);
      chunk_findings.assign((gather_rows_next + kGatherChunk - 1) / kGatherChunk, BadRow{});
      alongside(
          [&] {
            loss = step_batch(count, nullptr, true, true);
            gather_share(next_start, gather_rows_next, next_inputs_, next_targets_);
          },
          [&] { gather_share(next_start, gather_rows_next, next_inputs_, next_targets_); });
      gathered = first_finding();
      pending = count;
    } else {
      refuse_bad(gather(start, rows, batch_inputs_, batch_targets_));  // this batch's rows, by the shuffled index
      if (weighted) {
        double weight_sum = 0.0;
        for (std::size_t r = 0; r < rows; ++r) {
          batch_weights[r] = sample_weights(static_cast<Eigen::Index>(order_[start + r]));
          weight_sum += static_cast<double>(batch_weights[r]);
        }
        result.weight_sum += weight_sum;
        loss = step_batch(static_cast<Eigen::Index>(rows), nullptr, false, false, batch_weights.data());
      } else {
        loss = step_batch(static_cast<Eigen::Index>(rows), nullptr);
      }
    }
    if (!std::isfinite(loss)) diverged(start, loss);
    result.loss_sum += loss;
    if (rows == 1 && fast) {
      result.correct += count_correct(1, targets.row(order_[start]).data(), 0);
    } else {
      result.correct += count_correct(static_cast<Eigen::Index>(rows), batch_targets_.data(), batch_targets_.cols());
    }
    result.samples += rows;
    if (!report()) {
      result.stopped = true;
      break;
    }
  }
  apply_pending();
  if (!weights_finite()) diverged(result.samples, result.loss_sum);
  if (!weighted) result.weight_sum = static_cast<double>(result.samples);  // every sample weighs 1
  return result;
}

// The members defined in this file, for both element types (the rest of the
// class is instantiated in network.cpp).
#define AKILI_INSTANTIATE_EPOCH(Scalar)                                                                               \
  template bool Network<Scalar>::online_blocks_apply(std::size_t) const;                                              \
  template bool Network<Scalar>::upper_layers_small(Eigen::Index) const;                                              \
  template void Network<Scalar>::block_gram(const Eigen::Ref<const Matrix>&, Eigen::Ref<Matrix>, bool);               \
  template Eigen::Index Network<Scalar>::online_block(Eigen::Index, const std::function<bool(Eigen::Index, double)>&, \
                                                      double&);                                                       \
  template EpochResult Network<Scalar>::train_epoch(const Eigen::Ref<const Matrix>&, const Eigen::Ref<const Matrix>&, \
                                                    std::size_t, bool, const ProgressHook&, std::size_t,              \
                                                    const Eigen::Ref<const Vec>&);
AKILI_INSTANTIATE_EPOCH(float)
AKILI_INSTANTIATE_EPOCH(double)
#undef AKILI_INSTANTIATE_EPOCH

}  // namespace akili
