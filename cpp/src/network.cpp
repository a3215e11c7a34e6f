// Network: forward pass, the three error-propagation rules and single training
// steps (the epoch loops are in epoch.cpp).
#include "akili/network.hpp"

#include "akili/activation.hpp"
#include "akili/classes.hpp"
#include "akili/loss.hpp"
#include "akili/threads.hpp"
#include "number_text.hpp"
#include "parallel_policy.hpp"
#include "products.hpp"
#include "row_kernels.hpp"
#include "shape_text.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>

namespace akili {

using detail::number_text;
using detail::shape_text;

namespace {

template <typename Scalar>
void check_learning_rate(const char* where, Scalar learning_rate) {
  if (!(std::isfinite(static_cast<double>(learning_rate)) && learning_rate > Scalar(0))) {
    throw std::invalid_argument(std::string("[") + where + "] expected a positive finite learning rate, got " +
                                number_text(static_cast<double>(learning_rate)));
  }
}

// Either every layer brings its weights or none does (then the constructor draws them).
template <typename Scalar>
void check_layer_weights(const std::vector<Dense<Scalar>>& layers) {
  std::string with, without;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    std::string& list = layers[k].has_weights() ? with : without;
    list += (list.empty() ? "" : ", ") + std::to_string(k);
  }
  if (!with.empty() && !without.empty()) {
    throw std::invalid_argument(
        "[Network] expected every layer to have weights (set_weights or initialize) or "
        "none (the network initialises them), got weights in layers " +
        with + " but not in layers " + without);
  }
}

// The first row holding a NaN or an infinity (only called once one is known to exist).
template <typename Scalar>
std::size_t first_non_finite_row(const Eigen::Ref<const RowMatrix<Scalar>>& matrix) {
  Eigen::Index row = 0;
  while (row + 1 < matrix.rows() && kernels::rows_finite(matrix, row, row + 1)) ++row;
  return static_cast<std::size_t>(row);
}

}  // namespace

template <typename Scalar>
Network<Scalar>::Network(std::vector<Dense<Scalar>> layers, Loss loss, Rule rule, Scalar learning_rate,
                         std::uint64_t seed, Init init)
    : layers_(std::move(layers)),
      loss_(loss),
      rule_(rule),
      learning_rate_(learning_rate),
      seed_(seed),
      init_(init),
      random_(seed) {
  if (layers_.empty()) throw std::invalid_argument("[Network] expected at least one layer, got none");
  check_layer_weights(layers_);
  for (std::size_t k = 1; k < layers_.size(); ++k) {
    if (layers_[k - 1].outputs() != layers_[k].inputs()) {
      throw std::invalid_argument("[Network] layer " + std::to_string(k - 1) + " has " +
                                  std::to_string(layers_[k - 1].outputs()) + " outputs but layer " + std::to_string(k) +
                                  " expects " + std::to_string(layers_[k].inputs()) + " inputs");
    }
  }
  check_loss_pairing(loss_, layers_.back().activation());
  if (layers_.back().dropout() != 0.0) {
    throw std::invalid_argument("[Network] the output layer cannot have dropout: its outputs are the prediction");
  }
  check_learning_rate("Network", learning_rate_);
  // A network is never left with all-zero weights, which train nothing.
  if (!layers_.front().has_weights()) {
    for (auto& layer : layers_) layer.initialize(init_, random_);
  }
  optimizer_.allocate(parameter_sizes());  // plain SGD: no state
}

template <typename Scalar>
Network<Scalar>::Network(const Network& other) {
  other.settle();  // a copy holds every step taken so far
  std::shared_lock lock(other.mutex_);
  layers_ = other.layers_;
  loss_ = other.loss_;
  rule_ = other.rule_;
  learning_rate_ = other.learning_rate_;
  seed_ = other.seed_;
  init_ = other.init_;
  random_ = other.random_;
  optimizer_ = other.optimizer_;
}

template <typename Scalar>
Network<Scalar>& Network<Scalar>::operator=(const Network& other) {
  if (this == &other) return *this;
  Network copy(other);
  std::unique_lock lock(mutex_);
  // Steps still queued here are replaced with the rest of the state.
  journal_queued_ = 0;
  has_queued_.store(false, std::memory_order_release);
  reset_journal();
  layers_ = std::move(copy.layers_);
  loss_ = copy.loss_;
  rule_ = copy.rule_;
  learning_rate_ = copy.learning_rate_;
  seed_ = copy.seed_;
  init_ = copy.init_;
  random_ = copy.random_;
  optimizer_ = std::move(copy.optimizer_);
  return *this;
}

template <typename Scalar>
void Network<Scalar>::initialize(Init init, std::uint64_t seed) {
  std::unique_lock lock(mutex_);
  // New weights replace whatever queued steps would have changed.
  journal_queued_ = 0;
  has_queued_.store(false, std::memory_order_release);
  reset_journal();
  random_ = Random(seed);
  seed_ = seed;
  init_ = init;
  for (auto& layer : layers_) layer.initialize(init, random_);
  optimizer_.reset();  // new weights start the optimizer afresh
}

template <typename Scalar>
std::uint64_t Network<Scalar>::seed() const {
  std::shared_lock lock(mutex_);
  return seed_;
}

template <typename Scalar>
Init Network<Scalar>::init() const {
  std::shared_lock lock(mutex_);
  return init_;
}

template <typename Scalar>
const Dense<Scalar>& Network<Scalar>::layer(std::size_t index) const {
  settle();
  check_index("Network::layer", index);
  return layers_[index];
}

template <typename Scalar>
void Network<Scalar>::check_index(const char* where, std::size_t index) const {
  if (index >= layers_.size()) {
    throw std::out_of_range(std::string("[") + where + "] layer index " + std::to_string(index) + " out of range for " +
                            std::to_string(layers_.size()) + " layers");
  }
}

template <typename Scalar>
typename Network<Scalar>::Matrix Network<Scalar>::weights(std::size_t index) const {
  settle();
  std::shared_lock lock(mutex_);
  check_index("Network::weights", index);
  return layers_[index].weights();
}

template <typename Scalar>
typename Network<Scalar>::Vec Network<Scalar>::bias(std::size_t index) const {
  settle();
  std::shared_lock lock(mutex_);
  check_index("Network::bias", index);
  return layers_[index].bias();
}

template <typename Scalar>
void Network<Scalar>::set_weights(std::size_t index, const Eigen::Ref<const Matrix>& weights) {
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran with the old values
  reset_journal();
  check_index("Network::set_weights", index);
  layers_[index].set_weights(weights);
}

template <typename Scalar>
void Network<Scalar>::set_bias(std::size_t index, const Eigen::Ref<const Vec>& bias) {
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran with the old values
  reset_journal();
  check_index("Network::set_bias", index);
  layers_[index].set_bias(bias);
}

template <typename Scalar>
void Network<Scalar>::set_frozen(std::size_t index, bool frozen) {
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran with the old values
  reset_journal();
  check_index("Network::set_frozen", index);
  layers_[index].set_frozen(frozen);
}

template <typename Scalar>
void Network<Scalar>::set_trainable_mask(std::size_t index, const Eigen::Ref<const Matrix>& mask) {
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran with the old values
  reset_journal();
  check_index("Network::set_trainable_mask", index);
  layers_[index].set_trainable_mask(mask);
}

template <typename Scalar>
void Network<Scalar>::set_learning_rate(Scalar learning_rate) {
  check_learning_rate("Network::set_learning_rate", learning_rate);
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran with the old rate
  reset_journal();
  learning_rate_ = learning_rate;
}

template <typename Scalar>
void Network<Scalar>::set_rule(Rule rule) {
  std::unique_lock lock(mutex_);
  apply_queued();
  reset_journal();
  rule_ = rule;
}

template <typename Scalar>
void Network<Scalar>::set_optimizer(const OptimizerSettings& settings) {
  Optimizer<Scalar> optimizer(settings, "Network::set_optimizer");  // checked before anything changes
  optimizer.allocate(parameter_sizes());
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps were taken with the old optimizer
  reset_journal();
  optimizer_ = std::move(optimizer);
}

template <typename Scalar>
void Network<Scalar>::set_optimizer(const Optimizer<Scalar>& optimizer) {
  Optimizer<Scalar> adopted = optimizer;
  if (adopted.states().empty()) {
    adopted.allocate(parameter_sizes());
  } else if (adopted.sizes() != parameter_sizes()) {
    throw std::invalid_argument(
        "[Network::set_optimizer] expected optimizer state sized for this network's parameters (" +
        std::to_string(parameter_sizes().size()) + " tensors), got state of " + std::to_string(adopted.sizes().size()) +
        " tensors or of other sizes");
  }
  std::unique_lock lock(mutex_);
  apply_queued();
  reset_journal();
  optimizer_ = std::move(adopted);
}

template <typename Scalar>
Optimizer<Scalar> Network<Scalar>::optimizer() const {
  settle();
  std::shared_lock lock(mutex_);
  return optimizer_;
}

template <typename Scalar>
OptimizerSettings Network<Scalar>::optimizer_settings() const {
  std::shared_lock lock(mutex_);
  return optimizer_.settings();
}

template <typename Scalar>
bool Network<Scalar>::uses_fast_paths() const {
  std::shared_lock lock(mutex_);
  return fused_paths();
}

template <typename Scalar>
bool Network<Scalar>::fused_paths() const {
  return optimizer_.plain() && !has_dropout();
}

template <typename Scalar>
bool Network<Scalar>::has_dropout() const {
  for (const Dense<Scalar>& layer : layers_) {
    if (layer.dropout() != 0.0) return true;
  }
  return false;
}

template <typename Scalar>
void Network<Scalar>::set_dropout(std::size_t index, double rate) {
  std::unique_lock lock(mutex_);
  apply_queued();  // queued steps ran without it
  reset_journal();
  check_index("Network::set_dropout", index);
  if (index + 1 == layers_.size() && rate != 0.0) {
    throw std::invalid_argument("[Network::set_dropout] the output layer (" + std::to_string(index) +
                                ") cannot have dropout: its outputs are the prediction");
  }
  layers_[index].set_dropout(rate, "Network::set_dropout");
}

template <typename Scalar>
const typename Network<Scalar>::Matrix& Network<Scalar>::step_input(std::size_t k) const {
  if (k == 0) return batch_inputs_;
  return layers_[k - 1].dropout() != 0.0 ? dropped_[k - 1] : outputs_[k - 1];
}

template <typename Scalar>
std::vector<Eigen::Index> Network<Scalar>::parameter_sizes() const {
  // Layer shapes never change after construction, so this needs no lock.
  std::vector<Eigen::Index> sizes;
  for (const Dense<Scalar>& layer : layers_) {
    sizes.push_back(layer.weights().size());
    sizes.push_back(layer.has_bias() ? layer.outputs() : 0);
  }
  return sizes;
}

template <typename Scalar>
Random Network<Scalar>::random_source() const {
  std::shared_lock lock(mutex_);
  return random_;
}

template <typename Scalar>
void Network<Scalar>::set_random_source(const Random& random) {
  std::unique_lock lock(mutex_);
  random_ = random;
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
  if (values && !kernels::rows_finite(inputs, 0, inputs.rows())) {
    throw NonFiniteDataError(where, "inputs", first_non_finite_row<Scalar>(inputs));
  }
  if (!targets) return;
  if ((*targets).rows() != inputs.rows() || (*targets).cols() != this->outputs()) {
    throw std::invalid_argument(at + "expected targets of shape " + shape_text(inputs.rows(), this->outputs()) +
                                " (one row per input sample), got " + shape_text((*targets).rows(), (*targets).cols()));
  }
  if (values && !kernels::rows_finite(*targets, 0, targets->rows())) {
    throw NonFiniteDataError(where, "targets", first_non_finite_row<Scalar>(*targets));
  }
}

template <typename Scalar>
typename Network<Scalar>::Matrix Network<Scalar>::predict(const Eigen::Ref<const Matrix>& inputs) const {
  settle();
  std::shared_lock lock(mutex_);
  const Eigen::Index rows = inputs.rows();
  const Eigen::Index chunk = parallel::kChunkRows;
  if (rows == 1) {
    // One example: the row kernels, as predict_example (same bits either way).
    check_data("Network::predict", inputs, nullptr);
    Matrix output(1, outputs());
    forward_example(inputs.data(), output.data());
    return output;
  }
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
      Eigen::Ref<Matrix> target =
          output_layer ? Eigen::Ref<Matrix>(result.middleRows(r0, h)) : Eigen::Ref<Matrix>(next);
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
  if (!finite.load()) throw NonFiniteDataError("Network::predict", "inputs", first_non_finite_row<Scalar>(inputs));
  return result;
}

template <typename Scalar>
void Network<Scalar>::forward_example(const Scalar* input, Scalar* output) const {
  // o_k = f(W_k·o_{k-1} + b_k), alternating between two per-thread rows.
  thread_local Matrix rows[2];
  const Scalar* below = input;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const bool last = k + 1 == layers_.size();
    Matrix& scratch = rows[k % 2];
    if (!last && scratch.cols() < layers_[k].outputs()) scratch.resize(1, layers_[k].outputs());
    Scalar* into = last ? output : scratch.data();
    layers_[k].forward_row(below, into);
    below = into;
  }
}

template <typename Scalar>
void Network<Scalar>::predict_example(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const {
  settle();
  std::shared_lock lock(mutex_);
  if (input.rows() != 1 || output.rows() != 1 || output.cols() != outputs()) {
    throw std::invalid_argument("[Network::predict_example] expected one example in and one row of " +
                                std::to_string(outputs()) + " outputs");
  }
  check_data("Network::predict_example", input, nullptr);
  forward_example(input.data(), output.data());
}

template <typename Scalar>
double Network<Scalar>::loss_value(const Eigen::Ref<const Matrix>& inputs,
                                   const Eigen::Ref<const Matrix>& targets) const {
  check_data("Network::loss_value", inputs, &targets);
  const Matrix outputs = predict(inputs);
  return loss_sum<Scalar>(loss_, layers_.back().activation(), outputs, targets) / static_cast<double>(inputs.rows());
}

template <typename Scalar>
StepTrace<Scalar> Network<Scalar>::forward_trace(const Eigen::Ref<const Matrix>& inputs) const {
  settle();
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
  if (!optimizer_.plain() && weight_gradients_.size() != count) {
    // The optimizers' gradient buffers, once: sized by the layers, not the batch.
    weight_gradients_.resize(count);
    bias_gradients_.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
      weight_gradients_[k].resize(layers_[k].outputs(), layers_[k].inputs());
      bias_gradients_[k].resize(layers_[k].outputs());
    }
  }
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
                                   bool defer_first_update, const Scalar* weights) {
  const std::size_t last = layers_.size() - 1;
  const auto inputs = batch_inputs_.topRows(rows);
  const auto targets = batch_targets_.topRows(rows);
  if (trace) combined_.assign(layers_.size(), Matrix());
  // Forward: O_k = f(O_{k-1}·W_kᵀ + b_k).
  for (std::size_t k = 0; k <= last; ++k) {
    auto output = outputs_[k].topRows(rows);
    if (trace) {
      const Matrix& below = step_input(k);
      combined_[k] = below.topRows(rows) * layers_[k].weights().transpose();
      if (layers_[k].has_bias()) combined_[k].rowwise() += layers_[k].bias().transpose();
    }
    if (k == 0) {
      if (!first_forward_done) layers_[k].forward(inputs, output);
    } else {
      layers_[k].forward(step_input(k).topRows(rows), output);
    }
    const double rate = layers_[k].dropout();
    if (rate != 0.0) {
      // Inverted dropout: M = 1/(1-p) with probability 1-p, else 0, drawn from the
      // network's source one sample after another (the same masks on any thread count).
      if (dropped_.size() != layers_.size()) {
        dropped_.resize(layers_.size());
        dropout_masks_.resize(layers_.size());
      }
      if (dropped_[k].rows() < rows || dropped_[k].cols() != layers_[k].outputs()) {
        dropped_[k].resize(std::max(rows, batch_inputs_.rows()), layers_[k].outputs());
        dropout_masks_[k].resize(dropped_[k].rows(), layers_[k].outputs());
      }
      const auto keep = static_cast<Scalar>(1.0 / (1.0 - rate));  // 1/(1-p)
      auto mask = dropout_masks_[k].topRows(rows);
      for (Eigen::Index row = 0; row < rows; ++row) {
        for (Eigen::Index unit = 0; unit < mask.cols(); ++unit) {
          mask(row, unit) = random_.uniform() < rate ? Scalar(0) : keep;
        }
      }
      dropped_[k].topRows(rows) = output.cwiseProduct(mask);  // Õ = O ∘ M
    }
  }
  const Activation output_activation = layers_[last].activation();
  double loss = 0.0;
  double weight_sum = 0.0;  // Σ_i w_i over the batch
  if (weights) {
    for (Eigen::Index row = 0; row < rows; ++row) {
      weight_sum += static_cast<double>(weights[row]);
      if (weights[row] == Scalar(0)) continue;  // 0·L_i = 0, whatever L_i is
      loss += static_cast<double>(weights[row]) *
              loss_sum<Scalar>(loss_, output_activation, outputs_[last].row(row), targets.row(row));  // Σ w_i·L_i
    }
    if (weight_sum == 0.0) return 0.0;  // every weight 0: no step
  } else {
    loss = loss_sum<Scalar>(loss_, output_activation, outputs_[last].topRows(rows), targets);
  }
  // Output: E = -dL/dO, D = -dL/dX.
  output_error<Scalar>(loss_, outputs_[last].topRows(rows), targets, errors_[last].topRows(rows));
  output_delta<Scalar>(loss_, output_activation, outputs_[last].topRows(rows), errors_[last].topRows(rows),
                       deltas_[last].topRows(rows));
  if (weights) {
    // Every rule sends back an error linear in the output's E and D, so scaling
    // sample i's by c_i = n·w_i / Σw scales all its layers' updates: the step's
    // lr/n·Σ_i c_i·ΔW_i is then lr·Σ_i w_i·ΔW_i / Σw, the weighted mean.
    for (Eigen::Index row = 0; row < rows; ++row) {
      const auto scale =
          static_cast<Scalar>(static_cast<double>(rows) * static_cast<double>(weights[row]) / weight_sum);
      errors_[last].row(row) *= scale;
      deltas_[last].row(row) *= scale;
    }
  }
  // Hidden errors all come from the weights before this step's update.
  for (std::size_t k = last; k > 0; --k) {
    backward_coefficients(k, rows);
    // E_{k-1} = C_k·W_k (row form of Wᵀ·C), then D_{k-1} = E_{k-1} ∘ f'(O_{k-1}).
    errors_[k - 1].topRows(rows).noalias() = coefficients_[k].topRows(rows) * layers_[k].weights();
    if (layers_[k - 1].dropout() != 0.0) {
      // E ← E ∘ M: a dropped output passes no error back, a kept one its error·1/(1-p).
      errors_[k - 1].topRows(rows).array() *= dropout_masks_[k - 1].topRows(rows).array();
    }
    deltas_[k - 1].topRows(rows) = errors_[k - 1].topRows(rows);
    multiply_by_derivative<Scalar>(layers_[k - 1].activation(), outputs_[k - 1].topRows(rows),
                                   deltas_[k - 1].topRows(rows));
  }
  const Scalar step = learning_rate_ / static_cast<Scalar>(rows);  // lr/n: the mean over the batch
  if (trace) {
    record_forward(*trace, rows);
    record_backward(*trace, rows, step);
  }
  if (!optimizer_.plain()) {
    // The reference path: G = -(1/n)·Dᵀ·I per layer, then the optimizer's step.
    if (trace) {
      for (std::size_t k = 0; k <= last; ++k) {  // the recorded update is the step's change: new - old
        trace->weight_updates[k] = -layers_[k].weights();
        trace->bias_updates[k] = -layers_[k].bias();
      }
    }
    const Scalar scale = Scalar(1) / static_cast<Scalar>(rows);  // 1/n: the mean over the batch
    for (std::size_t k = defer_first_update ? 1 : 0; k <= last; ++k) {
      const auto below = step_input(k).topRows(rows);
      layers_[k].optimizer_update(deltas_[k].topRows(rows), below, scale, optimizer_, k, weight_gradients_[k],
                                  bias_gradients_[k], learning_rate_);
    }
    if (trace) {
      for (std::size_t k = 0; k <= last; ++k) {
        trace->weight_updates[k] += layers_[k].weights();
        trace->bias_updates[k] += layers_[k].bias();
      }
    }
    return loss;
  }
  for (std::size_t k = defer_first_update ? 1 : 0; k <= last; ++k) {
    const auto below = step_input(k).topRows(rows);
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
    multiply_by_derivative<Scalar>(layers_[k - 1].activation(), outputs_[k - 1].topRows(1), deltas_[k - 1].topRows(1));
  }
}

template <typename Scalar>
double Network<Scalar>::step_online(const Scalar* input, const Scalar* target, StepTrace<Scalar>* trace,
                                    bool forward_done, const Scalar* next_input, bool check_weights) {
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
  if (check_weights) {
    // x' = W_new·input + b, into a row of its own: finite exactly when no updated weight
    // of the first layer became non-finite (barring an overflow of the sum itself).
    if (check_row_.cols() != layers_[0].outputs()) check_row_.resize(1, layers_[0].outputs());
    first_layer_finite_ =
        layers_[0].online_update_forward(deltas_[0].data(), input, learning_rate_, input, check_row_.data());
    return loss;
  }
  const Scalar* next = last > 0 ? next_input : nullptr;
  layers_[0].online_update_forward(deltas_[0].data(), input, learning_rate_, next, outputs_[0].data());
  return loss;
}

template <typename Scalar>
void Network<Scalar>::record_forward(StepTrace<Scalar>& trace, Eigen::Index rows) const {
  trace = StepTrace<Scalar>{};
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    trace.inputs.push_back(step_input(k).topRows(rows));
    trace.combined.push_back(combined_[k]);
    trace.outputs.push_back(outputs_[k].topRows(rows));
    trace.dropout_masks.push_back(layers_[k].dropout() != 0.0 ? Matrix(dropout_masks_[k].topRows(rows)) : Matrix());
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
  const Eigen::Index rows = inputs.rows();
  const bool deferred = rows == 1 && !trace && fused_paths() && online_blocks_apply(kOnlineBlock);
  // Queued examples come first; deferred steps keep their first layer's updates waiting.
  if (!deferred || journal_queued_ > 0) apply_queued();
  check_data("Network::train_step", inputs, &targets);
  reserve_workspace(rows);
  if (deferred) return step_deferred(inputs, targets);
  if (rows == 1 && fused_paths()) {
    // One example: journaled (see single_steps.cpp), so no copy of the model per step.
    const Eigen::Index row = journal_row();
    journal_inputs_.row(row) = inputs.row(0);
    journal_targets_.row(row) = targets.row(0);
    ++single_steps_;
    return step_journaled(row, trace);
  }
  reset_journal();  // a batch step changes the weights outside the journal
  batch_inputs_.topRows(rows) = inputs;
  batch_targets_.topRows(rows) = targets;
  const double loss = step_restoring("Network::train_step", rows, trace);
  if (rows == 1) ++single_steps_;  // another optimizer's single-example step (plain SGD's is journaled)
  return loss;
}

template <typename Scalar>
double Network<Scalar>::step_restoring(const char* where, Eigen::Index rows, StepTrace<Scalar>* trace) {
  // The step's starting point, restored if the step makes the loss or a weight
  // non-finite (a learning rate far too large): a diverging step never leaves NaN weights.
  // Copied into kept buffers: same sizes every step, so no allocation after the first.
  step_snapshot_ = layers_;
  const bool stateful = !optimizer_.plain();
  if (stateful) optimizer_snapshot_ = optimizer_;
  const double loss = step_batch(rows, trace);
  if (!std::isfinite(loss) || !weights_finite()) {
    layers_ = step_snapshot_;
    if (stateful) optimizer_ = optimizer_snapshot_;
    throw DivergenceError(std::string("[") + where + "] training diverged: the loss became " + number_text(loss) +
                          (std::isfinite(loss) ? " and a weight became non-finite" : "") +
                          "; weights restored to before the step. Try a smaller learning rate (now " +
                          number_text(static_cast<double>(learning_rate_)) + ")");
  }
  return loss;
}

template <typename Scalar>
std::size_t Network<Scalar>::count_correct(Eigen::Index rows, const Scalar* targets, Eigen::Index target_stride) const {
  const Matrix& output = outputs_.back();
  std::size_t correct = 0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    // The target's class by the same rule as the output's (akili/classes.hpp).
    correct += predicted_class(output.row(r).data(), output.cols()) ==
               predicted_class(targets + r * target_stride, output.cols());
  }
  return correct;
}

template <typename Scalar>
bool Network<Scalar>::weights_finite() const {
  return layers_finite(0);
}

template <typename Scalar>
bool Network<Scalar>::layers_finite(std::size_t first) const {
  for (std::size_t k = first; k < layers_.size(); ++k) {
    const Dense<Scalar>& layer = layers_[k];
    if (!kernels::all_finite(layer.weights().data(), layer.weights().size()) ||
        !kernels::all_finite(layer.bias().data(), layer.bias().size())) {
      return false;
    }
  }
  return true;
}

template class Network<float>;
template class Network<double>;

}  // namespace akili
