// Network: forward pass, the three error-propagation rules and the SGD loop.
#include "akili/network.hpp"

#include "akili/activation.hpp"
#include "akili/loss.hpp"
#include "akili/threads.hpp"
#include "parallel_policy.hpp"
#include "row_kernels.hpp"
#include "products.hpp"
#include "shape_text.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>

namespace akili {

using detail::shape_text;

namespace {

// The training loop calls the progress hook at least this often, so Ctrl-C is
// answered quickly however slow a single step is.
constexpr std::chrono::milliseconds kHookInterval{5};

template <typename Scalar>
void check_learning_rate(const char* where, Scalar learning_rate) {
  if (!(std::isfinite(static_cast<double>(learning_rate)) && learning_rate > Scalar(0))) {
    throw std::invalid_argument(std::string("[") + where +
                                "] expected a positive finite learning rate, got " +
                                std::to_string(static_cast<double>(learning_rate)));
  }
}

// Every value of rows [r0, r1) finite (rows of a row-major Ref are contiguous).
template <typename Scalar>
bool rows_finite(const Eigen::Ref<const RowMatrix<Scalar>>& matrix, Eigen::Index r0, Eigen::Index r1) {
  for (Eigen::Index r = r0; r < r1; ++r) {
    if (!kernels::all_finite(matrix.row(r).data(), matrix.cols())) return false;
  }
  return true;
}

}  // namespace

template <typename Scalar>
Network<Scalar>::Network(std::vector<Dense<Scalar>> layers, Loss loss, Rule rule, Scalar learning_rate,
                         std::uint64_t seed)
    : layers_(std::move(layers)), loss_(loss), rule_(rule), learning_rate_(learning_rate), random_(seed) {
  if (layers_.empty()) throw std::invalid_argument("[Network] expected at least one layer, got none");
  for (std::size_t k = 1; k < layers_.size(); ++k) {
    if (layers_[k - 1].outputs() != layers_[k].inputs()) {
      throw std::invalid_argument("[Network] layer " + std::to_string(k - 1) + " has " +
                                  std::to_string(layers_[k - 1].outputs()) + " outputs but layer " +
                                  std::to_string(k) + " expects " + std::to_string(layers_[k].inputs()) +
                                  " inputs");
    }
  }
  check_loss_pairing(loss_, layers_.back().activation());
  check_learning_rate("Network", learning_rate_);
}

template <typename Scalar>
Network<Scalar>::Network(const Network& other) {
  std::shared_lock lock(other.mutex_);
  layers_ = other.layers_;
  loss_ = other.loss_;
  rule_ = other.rule_;
  learning_rate_ = other.learning_rate_;
  random_ = other.random_;
}

template <typename Scalar>
Network<Scalar>& Network<Scalar>::operator=(const Network& other) {
  if (this == &other) return *this;
  Network copy(other);
  std::unique_lock lock(mutex_);
  layers_ = std::move(copy.layers_);
  loss_ = copy.loss_;
  rule_ = copy.rule_;
  learning_rate_ = copy.learning_rate_;
  random_ = copy.random_;
  return *this;
}

template <typename Scalar>
void Network<Scalar>::initialize(Init init, std::uint64_t seed) {
  std::unique_lock lock(mutex_);
  random_ = Random(seed);
  for (auto& layer : layers_) layer.initialize(init, random_);
}

template <typename Scalar>
const Dense<Scalar>& Network<Scalar>::layer(std::size_t index) const {
  if (index >= layers_.size()) {
    throw std::out_of_range("[Network::layer] layer index " + std::to_string(index) + " out of range for " +
                            std::to_string(layers_.size()) + " layers");
  }
  return layers_[index];
}

template <typename Scalar>
typename Network<Scalar>::Matrix Network<Scalar>::weights(std::size_t index) const {
  std::shared_lock lock(mutex_);
  return layer(index).weights();
}

template <typename Scalar>
typename Network<Scalar>::Vec Network<Scalar>::bias(std::size_t index) const {
  std::shared_lock lock(mutex_);
  return layer(index).bias();
}

template <typename Scalar>
void Network<Scalar>::set_weights(std::size_t index, const Eigen::Ref<const Matrix>& weights) {
  std::unique_lock lock(mutex_);
  layer(index);  // range check
  layers_[index].set_weights(weights);
}

template <typename Scalar>
void Network<Scalar>::set_bias(std::size_t index, const Eigen::Ref<const Vec>& bias) {
  std::unique_lock lock(mutex_);
  layer(index);
  layers_[index].set_bias(bias);
}

template <typename Scalar>
void Network<Scalar>::set_frozen(std::size_t index, bool frozen) {
  std::unique_lock lock(mutex_);
  layer(index);
  layers_[index].set_frozen(frozen);
}

template <typename Scalar>
void Network<Scalar>::set_trainable_mask(std::size_t index, const Eigen::Ref<const Matrix>& mask) {
  std::unique_lock lock(mutex_);
  layer(index);
  layers_[index].set_trainable_mask(mask);
}

template <typename Scalar>
void Network<Scalar>::set_learning_rate(Scalar learning_rate) {
  check_learning_rate("Network::set_learning_rate", learning_rate);
  std::unique_lock lock(mutex_);
  learning_rate_ = learning_rate;
}

template <typename Scalar>
void Network<Scalar>::set_rule(Rule rule) {
  std::unique_lock lock(mutex_);
  rule_ = rule;
}

template <typename Scalar>
void Network<Scalar>::check_data(const char* where, const Eigen::Ref<const Matrix>& inputs,
                                 const Eigen::Ref<const Matrix>* targets, bool values) const {
  const std::string at = std::string("[") + where + "] ";
  if (inputs.rows() == 0) throw std::invalid_argument(at + "expected at least one sample, got 0 rows");
  if (inputs.cols() != this->inputs()) {
    throw std::invalid_argument(at + "expected " + std::to_string(this->inputs()) + " input columns, got " +
                                std::to_string(inputs.cols()));
  }
  if (values && !rows_finite(inputs, 0, inputs.rows())) {
    throw std::invalid_argument(at + "inputs contain NaN or infinity");
  }
  if (!targets) return;
  if ((*targets).rows() != inputs.rows() || (*targets).cols() != this->outputs()) {
    throw std::invalid_argument(at + "expected targets of shape " + shape_text(inputs.rows(), this->outputs()) +
                                " (one row per input sample), got " +
                                shape_text((*targets).rows(), (*targets).cols()));
  }
  if (values && !rows_finite(*targets, 0, targets->rows())) {
    throw std::invalid_argument(at + "targets contain NaN or infinity");
  }
}

template <typename Scalar>
typename Network<Scalar>::Matrix Network<Scalar>::predict(const Eigen::Ref<const Matrix>& inputs) const {
  std::shared_lock lock(mutex_);
  const Eigen::Index rows = inputs.rows();
  const Eigen::Index chunk = parallel::kChunkRows;
  if (rows < 2 * chunk) {
    check_data("Network::predict", inputs, nullptr);
    Matrix current;
    Matrix next;
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      next.resize(rows, layers_[k].outputs());
      if (k == 0) {
        layers_[k].forward(inputs, next);
      } else {
        layers_[k].forward(current, next);
      }
      current.swap(next);
    }
    return current;
  }
  // A large batch: fixed chunks of samples, each checked and carried through every
  // layer by one thread while it is in that core's cache (the result does not
  // depend on the thread count).
  check_data("Network::predict", inputs, nullptr, false);
  Matrix result(rows, outputs());
  std::atomic<bool> finite{true};
  const std::size_t tasks = static_cast<std::size_t>((rows + chunk - 1) / chunk);
  parallel_for(tasks, [&](std::size_t task) {
    const Eigen::Index r0 = static_cast<Eigen::Index>(task) * chunk;
    const Eigen::Index h = std::min(chunk, rows - r0);
    Matrix current;
    Matrix next;
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      const bool output_layer = k + 1 == layers_.size();
      if (!output_layer) next.resize(h, layers_[k].outputs());
      Eigen::Ref<Matrix> target = output_layer ? Eigen::Ref<Matrix>(result.middleRows(r0, h)) : Eigen::Ref<Matrix>(next);
      if (k == 0) {
        // The chunk's inputs are checked through the first layer's product (no extra pass).
        if (!layers_[k].forward_serial(inputs.middleRows(r0, h), target, true)) {
          finite.store(false);
          return;
        }
      } else {
        layers_[k].forward_serial(current, target);
      }
      current.swap(next);
    }
  });
  if (!finite.load()) throw std::invalid_argument("[Network::predict] inputs contain NaN or infinity");
  return result;
}

template <typename Scalar>
double Network<Scalar>::loss_value(const Eigen::Ref<const Matrix>& inputs,
                                   const Eigen::Ref<const Matrix>& targets) const {
  check_data("Network::loss_value", inputs, &targets);
  const Matrix outputs = predict(inputs);
  return loss_sum<Scalar>(loss_, layers_.back().activation(), outputs, targets) /
         static_cast<double>(inputs.rows());
}

template <typename Scalar>
StepTrace<Scalar> Network<Scalar>::forward_trace(const Eigen::Ref<const Matrix>& inputs) const {
  std::shared_lock lock(mutex_);
  check_data("Network::forward_trace", inputs, nullptr);
  StepTrace<Scalar> trace;
  Matrix current = inputs;
  for (const auto& layer : layers_) {
    trace.inputs.push_back(current);
    // X = I·Wᵀ + 1·bᵀ, then O = f(X), kept separately for the learner to inspect.
    Matrix combined = current * layer.weights().transpose();
    if (layer.has_bias()) combined.rowwise() += layer.bias().transpose();
    Matrix output(combined.rows(), combined.cols());
    activate<Scalar>(layer.activation(), combined, output);
    trace.combined.push_back(combined);
    trace.outputs.push_back(output);
    current = output;
  }
  return trace;
}

template <typename Scalar>
void Network<Scalar>::reserve_workspace(Eigen::Index rows) {
  const std::size_t count = layers_.size();
  if (outputs_.size() == count && batch_inputs_.rows() >= rows) return;
  outputs_.resize(count);
  errors_.resize(count);
  deltas_.resize(count);
  coefficients_.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    outputs_[k].resize(rows, layers_[k].outputs());
    errors_[k].resize(rows, layers_[k].outputs());
    deltas_[k].resize(rows, layers_[k].outputs());
    coefficients_[k].resize(rows, layers_[k].outputs());
  }
  batch_inputs_.resize(rows, inputs());
  batch_targets_.resize(rows, outputs());
}

template <typename Scalar>
void Network<Scalar>::backward_coefficients(std::size_t index, Eigen::Index rows) {
  // The error each node of layer `index` sends back along its links, per the rule.
  auto coefficient = coefficients_[index].topRows(rows);
  switch (rule_) {
    case Rule::transpose:
      coefficient = errors_[index].topRows(rows);  // the raw error E (the book)
      return;
    case Rule::gradient:
      coefficient = deltas_[index].topRows(rows);  // the delta δ = E ∘ f' (back-propagation)
      return;
    case Rule::normalized: {
      // e_i / Σ_j |w_ij|: sending c_i·w_ij to input j splits e_i in proportion to w_ij.
      const Vec row_sums = layers_[index].weights().cwiseAbs().rowwise().sum();
      for (Eigen::Index i = 0; i < row_sums.size(); ++i) {
        const Scalar scale = row_sums(i) > Scalar(0) ? Scalar(1) / row_sums(i) : Scalar(0);
        coefficient.col(i) = errors_[index].topRows(rows).col(i) * scale;
      }
      return;
    }
  }
}

template <typename Scalar>
double Network<Scalar>::step_batch(Eigen::Index rows, StepTrace<Scalar>* trace, bool first_forward_done,
                                   bool defer_first_update) {
  const std::size_t last = layers_.size() - 1;
  const auto inputs = batch_inputs_.topRows(rows);
  const auto targets = batch_targets_.topRows(rows);
  if (trace) combined_.assign(layers_.size(), Matrix());
  // Forward: O_k = f(O_{k-1}·W_kᵀ + b_k).
  for (std::size_t k = 0; k <= last; ++k) {
    auto output = outputs_[k].topRows(rows);
    if (trace) {
      const Matrix& below = k == 0 ? batch_inputs_ : outputs_[k - 1];
      combined_[k] = below.topRows(rows) * layers_[k].weights().transpose();
      if (layers_[k].has_bias()) combined_[k].rowwise() += layers_[k].bias().transpose();
    }
    if (k == 0) {
      if (!first_forward_done) layers_[k].forward(inputs, output);
    } else {
      layers_[k].forward(outputs_[k - 1].topRows(rows), output);
    }
  }
  const Activation output_activation = layers_[last].activation();
  const double loss = loss_sum<Scalar>(loss_, output_activation, outputs_[last].topRows(rows), targets);
  // Output: E = -dL/dO, D = -dL/dX.
  output_error<Scalar>(loss_, outputs_[last].topRows(rows), targets, errors_[last].topRows(rows));
  output_delta<Scalar>(loss_, output_activation, outputs_[last].topRows(rows), errors_[last].topRows(rows),
                       deltas_[last].topRows(rows));
  // Hidden errors all come from the weights before this step's update.
  for (std::size_t k = last; k > 0; --k) {
    backward_coefficients(k, rows);
    // E_{k-1} = C_k·W_k (row form of Wᵀ·C), then D_{k-1} = E_{k-1} ∘ f'(O_{k-1}).
    errors_[k - 1].topRows(rows).noalias() = coefficients_[k].topRows(rows) * layers_[k].weights();
    deltas_[k - 1].topRows(rows) = errors_[k - 1].topRows(rows);
    multiply_by_derivative<Scalar>(layers_[k - 1].activation(), outputs_[k - 1].topRows(rows),
                                   deltas_[k - 1].topRows(rows));
  }
  const Scalar step = learning_rate_ / static_cast<Scalar>(rows);  // lr/n: the mean over the batch
  if (trace) {
    record_forward(*trace, rows);
    record_backward(*trace, rows, step);
  }
  for (std::size_t k = defer_first_update ? 1 : 0; k <= last; ++k) {
    const auto below = k == 0 ? batch_inputs_.topRows(rows) : outputs_[k - 1].topRows(rows);
    layers_[k].apply_update(deltas_[k].topRows(rows), below, step);  // W += lr/n·Dᵀ·I
  }
  return loss;
}

template <typename Scalar>
double Network<Scalar>::output_online(const Scalar* target) {
  const std::size_t last = layers_.size() - 1;
  const Eigen::Map<const Matrix> target_row(target, 1, outputs());
  const Activation output_activation = layers_[last].activation();
  const double loss = loss_sum<Scalar>(loss_, output_activation, outputs_[last].topRows(1), target_row);
  // E = -dL/dO, D = -dL/dX for the one sample in row 0.
  output_error<Scalar>(loss_, outputs_[last].topRows(1), target_row, errors_[last].topRows(1));
  output_delta<Scalar>(loss_, output_activation, outputs_[last].topRows(1), errors_[last].topRows(1),
                       deltas_[last].topRows(1));
  return loss;
}

template <typename Scalar>
void Network<Scalar>::backward_online() {
  // Backward and update fused, top layer first: one pass over each W computes the
  // error for the layer below from the old weights and then updates them.
  for (std::size_t k = layers_.size() - 1; k > 0; --k) {
    backward_coefficients(k, 1);
    errors_[k - 1].row(0).setZero();
    layers_[k].fused_online_update(coefficients_[k].data(), deltas_[k].data(), outputs_[k - 1].data(),
                                   errors_[k - 1].data(), learning_rate_);
    // d_{k-1} = e_{k-1} ∘ f'(o_{k-1})
    deltas_[k - 1].row(0) = errors_[k - 1].row(0);
    multiply_by_derivative<Scalar>(layers_[k - 1].activation(), outputs_[k - 1].topRows(1),
                                   deltas_[k - 1].topRows(1));
  }
}

template <typename Scalar>
double Network<Scalar>::step_online(const Scalar* input, const Scalar* target, StepTrace<Scalar>* trace,
                                    bool forward_done, const Scalar* next_input) {
  const std::size_t last = layers_.size() - 1;
  const Eigen::Map<const Matrix> input_row(input, 1, inputs());
  if (trace) {
    batch_inputs_.row(0) = input_row;
    combined_.assign(layers_.size(), Matrix());
  }
  // Forward: o_k = f(W_k·o_{k-1} + b_k), one sample.
  for (std::size_t k = 0; k <= last; ++k) {
    if (trace) {
      const Matrix below = k == 0 ? Matrix(input_row) : Matrix(outputs_[k - 1].topRows(1));
      combined_[k] = below * layers_[k].weights().transpose();
      if (layers_[k].has_bias()) combined_[k].rowwise() += layers_[k].bias().transpose();
    }
    if (k == 0 && forward_done) continue;
    layers_[k].forward_row(k == 0 ? input : outputs_[k - 1].data(), outputs_[k].data());
  }
  const double loss = output_online(target);
  if (trace) {
    // Every error is computed before the first update, as in the book's train().
    for (std::size_t k = last; k > 0; --k) {
      backward_coefficients(k, 1);
      errors_[k - 1].topRows(1).noalias() = coefficients_[k].topRows(1) * layers_[k].weights();
      deltas_[k - 1].topRows(1) = errors_[k - 1].topRows(1);
      multiply_by_derivative<Scalar>(layers_[k - 1].activation(), outputs_[k - 1].topRows(1),
                                     deltas_[k - 1].topRows(1));
    }
    record_forward(*trace, 1);
    record_backward(*trace, 1, learning_rate_);
  }
  backward_online();
  // The first layer sends nothing back: its update shares the pass over W with
  // the next example's forward pass (when there is a next example and the
  // output layer's result is no longer needed).
  const Scalar* next = last > 0 ? next_input : nullptr;
  layers_[0].online_update_forward(deltas_[0].data(), input, learning_rate_, next, outputs_[0].data());
  return loss;
}

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
#define kOnlineBlock (static_cast<Eigen::Index>(std::getenv("AKB") ? std::atol(std::getenv("AKB")) : 64))

template <typename Scalar>
bool Network<Scalar>::online_blocks_apply(std::size_t samples) const {
  const Dense<Scalar>& first = layers_[0];
  return samples > 1 && first.trainable_mask().size() == 0 &&
         parallel::worth_splitting_online(first.weights().size());
}

template <typename Scalar>
void Network<Scalar>::block_gram(const Eigen::Ref<const Matrix>& inputs, Eigen::Ref<Matrix> gram) const {
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
    if (layers_[0].has_bias()) block.array() += Scalar(1);
  };
  if (parallel::worth_splitting(count * count * inputs.cols() / 2)) {
    parallel_for(bands, band);
  } else {
    for (std::size_t index = 0; index < bands; ++index) band(index);
  }
}

template <typename Scalar>
Eigen::Index Network<Scalar>::online_block(Eigen::Index count,
                                           const std::function<bool(Eigen::Index, double)>& after) {
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
      z.noalias() += learning_rate_ * (gram.col(t).segment(group_start, earlier).transpose() *
                                       deltas.middleRows(group_start, earlier));
    }
    activate<Scalar>(first.activation(), z, z);  // o_0 = f(z_t)
    for (std::size_t k = 1; k <= last; ++k) layers_[k].forward_row(outputs_[k - 1].data(), outputs_[k].data());
    const double loss = output_online(batch_targets_.row(t).data());
    backward_online();  // the layers above the first
    deltas.row(t) = deltas_[0].row(0);
    if (!after(t, loss)) return t + 1;
  }
  return count;
}

template <typename Scalar>
void Network<Scalar>::record_forward(StepTrace<Scalar>& trace, Eigen::Index rows) const {
  trace = StepTrace<Scalar>{};
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    trace.inputs.push_back(k == 0 ? Matrix(batch_inputs_.topRows(rows)) : Matrix(outputs_[k - 1].topRows(rows)));
    trace.combined.push_back(combined_[k]);
    trace.outputs.push_back(outputs_[k].topRows(rows));
  }
}

template <typename Scalar>
void Network<Scalar>::record_backward(StepTrace<Scalar>& trace, Eigen::Index rows, Scalar step) const {
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const Dense<Scalar>& layer = layers_[k];
    trace.errors.push_back(errors_[k].topRows(rows));
    trace.deltas.push_back(deltas_[k].topRows(rows));
    Matrix update = Matrix::Zero(layer.outputs(), layer.inputs());
    Vec bias_update = Vec::Zero(layer.outputs());
    if (!layer.frozen()) {
      update.noalias() = step * deltas_[k].topRows(rows).transpose() * trace.inputs[k];  // ΔW = lr/n·Dᵀ·I
      if (layer.trainable_mask().size() != 0) update.array() *= layer.trainable_mask().array();
      if (layer.has_bias()) bias_update = step * deltas_[k].topRows(rows).colwise().sum().transpose();
    }
    trace.weight_updates.push_back(std::move(update));
    trace.bias_updates.push_back(std::move(bias_update));
  }
}

template <typename Scalar>
double Network<Scalar>::train_step(const Eigen::Ref<const Matrix>& inputs, const Eigen::Ref<const Matrix>& targets,
                                   StepTrace<Scalar>* trace) {
  std::unique_lock lock(mutex_);
  check_data("Network::train_step", inputs, &targets);
  const Eigen::Index rows = inputs.rows();
  reserve_workspace(rows);
  // The step's starting point, restored if the step makes the loss or a weight
  // non-finite (a learning rate far too large): a diverging step never leaves NaN weights.
  // Copied into a kept buffer: same sizes every step, so no allocation after the first.
  step_snapshot_ = layers_;
  double loss = 0.0;
  if (rows == 1) {
    loss = step_online(inputs.data(), targets.data(), trace);  // a Ref's row is contiguous
  } else {
    batch_inputs_.topRows(rows) = inputs;
    batch_targets_.topRows(rows) = targets;
    loss = step_batch(rows, trace);
  }
  if (!std::isfinite(loss) || !weights_finite()) {
    layers_ = step_snapshot_;
    throw DivergenceError("[Network::train_step] training diverged: the loss became " + std::to_string(loss) +
                          (std::isfinite(loss) ? " and a weight became non-finite" : "") +
                          "; weights restored to before the step. Try a smaller learning rate (now " +
                          std::to_string(static_cast<double>(learning_rate_)) + ")");
  }
  return loss;
}

template <typename Scalar>
std::size_t Network<Scalar>::count_correct(Eigen::Index rows, const Scalar* targets,
                                           Eigen::Index target_stride) const {
  const Matrix& output = outputs_.back();
  std::size_t correct = 0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const Scalar* target = targets + r * target_stride;
    if (output.cols() == 1) {
      // One output: the class is which side of ½ it falls.
      correct += (output(r, 0) >= Scalar(0.5)) == (target[0] >= Scalar(0.5));
      continue;
    }
    Eigen::Index predicted = 0;
    output.row(r).maxCoeff(&predicted);
    Eigen::Index expected = 0;
    Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(target, output.cols()).maxCoeff(&expected);
    correct += predicted == expected;
  }
  return correct;
}

template <typename Scalar>
bool Network<Scalar>::weights_finite() const {
  for (const auto& layer : layers_) {
    if (!kernels::all_finite(layer.weights().data(), layer.weights().size()) ||
        !kernels::all_finite(layer.bias().data(), layer.bias().size())) {
      return false;
    }
  }
  return true;
}

template <typename Scalar>
EpochResult Network<Scalar>::train_epoch(const Eigen::Ref<const Matrix>& inputs,
                                         const Eigen::Ref<const Matrix>& targets, std::size_t batch_size,
                                         bool shuffle, const ProgressHook& hook, std::size_t hook_every) {
  std::unique_lock lock(mutex_);
  // Values are checked row by row as the epoch first uses them (while they are in
  // cache) rather than in a separate pass over the whole data set.
  check_data("Network::train_epoch", inputs, &targets, false);
  if (batch_size == 0) throw std::invalid_argument("[Network::train_epoch] expected batch_size >= 1, got 0");
  const std::size_t samples = static_cast<std::size_t>(inputs.rows());
  const std::size_t batch = std::min(batch_size, samples);
  const bool blocks = batch == 1 && online_blocks_apply(samples);
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
  auto diverged = [&](std::size_t at, double loss) {
    layers_ = snapshot;
    throw DivergenceError("[Network::train_epoch] training diverged at sample " + std::to_string(at) +
                          ": the loss became " + std::to_string(loss) +
                          "; weights restored to the start of the epoch. Try a smaller learning rate (now " +
                          std::to_string(static_cast<double>(learning_rate_)) + ")");
  };

  // A NaN or infinity in the data: the network is left exactly as it was.
  auto refuse = [&](const char* what, std::size_t row) {
    layers_ = snapshot;
    random_ = random_before;
    throw std::invalid_argument(std::string("[Network::train_epoch] ") + what + " contain NaN or infinity (row " +
                                std::to_string(row) + ")");
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
    return hook(result.samples);
  };
  // Gathers rows [start, start + rows) of the epoch's order into the given
  // workspaces and returns the first row holding NaN or infinity, if any (the
  // caller refuses it: this may run on another thread, where it must not throw).
  struct BadRow {
    const char* what = nullptr;
    std::size_t row = 0;
  };
  auto gather = [&](std::size_t start, std::size_t rows, Matrix& into_inputs, Matrix& into_targets) {
    // Shuffled rows are scattered over the data set (main memory): each row's
    // cache lines are requested two rows ahead, so the copies do not wait on them.
    constexpr std::size_t kAhead = 2;
    auto request = [&](std::size_t r) {
      const char* row = reinterpret_cast<const char*>(inputs.row(order_[start + r]).data());
      const std::size_t bytes = static_cast<std::size_t>(inputs.cols()) * sizeof(Scalar);
      for (std::size_t at = 0; at < bytes; at += 64) __builtin_prefetch(row + at);
    };
    for (std::size_t r = 0; r < std::min(kAhead, rows); ++r) request(r);
    for (std::size_t r = 0; r < rows; ++r) {
      if (r + kAhead < rows) request(r + kAhead);
      into_inputs.row(static_cast<Eigen::Index>(r)) = inputs.row(order_[start + r]);
      into_targets.row(static_cast<Eigen::Index>(r)) = targets.row(order_[start + r]);
    }
    for (std::size_t r = 0; r < rows; ++r) {
      if (!kernels::all_finite(into_inputs.row(r).data(), inputs.cols())) return BadRow{"inputs", order_[start + r]};
      if (!kernels::all_finite(into_targets.row(r).data(), targets.cols())) return BadRow{"targets", order_[start + r]};
    }
    return BadRow{};
  };
  auto refuse_bad = [&](const BadRow& bad) {
    if (bad.what) refuse(bad.what, bad.row);
  };
  // The next batch or block is prepared on the second core while the layers above
  // the first train on this one, when those layers are too small to use it themselves.
  bool upper_layers_small = true;
  for (std::size_t k = 1; k < layers_.size(); ++k) {
    const Dense<Scalar>& layer = layers_[k];
    const bool splits = parallel::worth_splitting_online(layer.weights().size()) ||
                        parallel::split_weight_rows(static_cast<Eigen::Index>(batch), layer.inputs(), layer.outputs());
    upper_layers_small = upper_layers_small && !splits;
  }
  auto alongside = [&](const auto& main, const auto& side) {
    if (upper_layers_small) {
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
    auto block_size = [&](std::size_t start) {
      return std::min(static_cast<std::size_t>(kOnlineBlock), samples - start);
    };
    auto prepare = [&](std::size_t start, Matrix& into_inputs, Matrix& into_targets, Matrix& into_gram) {
      const std::size_t count = block_size(start);
      const BadRow bad = gather(start, count, into_inputs, into_targets);
      const auto rows = static_cast<Eigen::Index>(count);
      if (!bad.what && first_trains) block_gram(into_inputs.topRows(rows), into_gram.topLeftCorner(rows, rows));
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
      alongside(
          [&] {
            done = online_block(count, [&](Eigen::Index t, double loss) {
              if (!std::isfinite(loss)) diverged(start + static_cast<std::size_t>(t), loss);
              result.loss_sum += loss;
              result.correct += count_correct(1, batch_targets_.row(t).data(), 0);
              result.samples += 1;
              return report();
            });
          },
          [&] {
            if (has_next) bad = prepare(next_start, next_inputs_, next_targets_, next_gram_);
          });
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
    return result;
  }

  // Mini-batches: each batch's first-layer update waits for the next batch, so
  // that one pass per band of the first layer's weights applies it and computes
  // the next batch's first layer (Dense::update_then_forward); the next batch is
  // gathered while the layers above train on this one. Batches of 2048 rows and
  // more take the forward pass's fixed sample chunks instead.
  const bool pipelined = batch >= 2 && batch < static_cast<std::size_t>(2 * parallel::kChunkRows);
  Eigen::Index pending = 0;  // rows in batch_inputs_ whose first-layer update (deltas_[0]) waits
  auto apply_pending = [&] {
    if (pending == 0) return;
    const Scalar step = learning_rate_ / static_cast<Scalar>(pending);  // lr/n: the mean over the batch
    layers_[0].apply_update(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), step);
    pending = 0;
  };
  BadRow gathered;
  if (pipelined) gathered = gather(0, batch, next_inputs_, next_targets_);
  bool first_ready = false;  // online: the first layer's output for this sample was computed with the last update
  for (std::size_t start = 0; start < samples; start += batch) {
    const std::size_t rows = std::min(batch, samples - start);
    double loss = 0.0;
    if (rows == 1) {
      apply_pending();
      // Each row of a row-major Ref is contiguous: train on it in place, no copy.
      const std::size_t sample = order_[start];
      if (!rows_finite(inputs, sample, sample + 1)) refuse("inputs", sample);
      if (!rows_finite(targets, sample, sample + 1)) refuse("targets", sample);
      const Scalar* next = start + 1 < samples ? inputs.row(order_[start + 1]).data() : nullptr;
      loss = step_online(inputs.row(sample).data(), targets.row(sample).data(), nullptr, first_ready, next);
      first_ready = next != nullptr && layers_.size() > 1;
    } else if (pipelined) {
      refuse_bad(gathered);
      const auto count = static_cast<Eigen::Index>(rows);
      auto first_output = outputs_[0].topRows(count);
      if (pending > 0) {
        // W₀ += lr/n·Dᵀ·X for the last batch, then O₀ = f(X_next·W₀ᵀ + b₀) for this one
        const Scalar step = learning_rate_ / static_cast<Scalar>(pending);
        layers_[0].update_then_forward(deltas_[0].topRows(pending), batch_inputs_.topRows(pending), step,
                                       next_inputs_.topRows(count), first_output, true);
      } else {
        layers_[0].forward(next_inputs_.topRows(count), first_output);
      }
      batch_inputs_.swap(next_inputs_);
      batch_targets_.swap(next_targets_);
      const std::size_t next_start = start + rows;
      const std::size_t next_rows = next_start < samples ? std::min(batch, samples - next_start) : 0;
      gathered = BadRow{};
      alongside([&] { loss = step_batch(count, nullptr, true, true); },
                [&] {
                  if (next_rows >= 2) gathered = gather(next_start, next_rows, next_inputs_, next_targets_);
                });
      pending = count;
    } else {
      refuse_bad(gather(start, rows, batch_inputs_, batch_targets_));  // this batch's rows, by the shuffled index
      loss = step_batch(static_cast<Eigen::Index>(rows), nullptr);
    }
    if (!std::isfinite(loss)) diverged(start, loss);
    result.loss_sum += loss;
    if (rows == 1) {
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
  return result;
}

template class Network<float>;
template class Network<double>;

}  // namespace akili
