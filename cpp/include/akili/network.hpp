#pragma once
// A feed-forward network of Dense layers trained by stochastic gradient descent.
//
// Error propagation, the heart of the lessons, is selectable (Rule):
//   transpose   the book's rule: E_hidden = Wᵀ·E where E is the RAW error of the
//               layer above (E_out = T - O), then ΔW = lr·((E ∘ f'(O))·Iᵀ)
//   gradient    true back-propagation: δ_hidden = (Wᵀ·δ_above) ∘ f'(O), the exact
//               gradient of the loss (passes finite-difference checks)
//   normalized  the lecture's first version: output error e_i is split among the
//               links into node i in proportion to w_ij / Σ_j |w_ij|
// All shapes below use samples as rows: X (n, inputs), T and O (n, outputs).
//
// The update W += lr·ΔW (ΔW = Dᵀ·I/n from the rule's deltas D) is plain SGD, the
// default; set_optimizer selects another (akili/optimizer.hpp), which then acts on
// the rule's ΔW as on the gradient -ΔW. Only plain SGD takes the fused online
// passes and the online blocks (uses_fast_paths()); every other optimizer takes
// the reference path, forward -> gradient -> step, per batch (an online step is a
// batch of one), with no allocation per step. Mini-batches of any optimizer are
// pipelined: the first layer's step waits for the next batch and shares its pass
// over the weights with that batch's forward product (not with sample weights or
// dropout, which take each batch whole).

#include "akili/dense.hpp"
#include "akili/errors.hpp"
#include "akili/optimizer.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <vector>

namespace akili {

/// Thrown when training produces a non-finite loss or weights; the weights are
/// restored to the start of the epoch before it is thrown.
class DivergenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What one pass over the training data measured, from the forward pass of each
/// step (before that step's update).
struct EpochResult {
  double loss_sum = 0.0;    ///< Σ over trained samples of the per-sample loss
  std::size_t correct = 0;  ///< samples whose output matched the target class
  std::size_t samples = 0;  ///< samples trained (fewer than n if stopped)
  bool stopped = false;     ///< the progress hook asked to stop
  /// Σ of the trained samples' weights (= samples without sample weights); with
  /// sample weights loss_sum is Σ w_i·L_i, so loss_sum / weight_sum is the
  /// weighted mean loss either way.
  double weight_sum = 0.0;
};

/// Called from the training loop between steps with the epoch's totals so far
/// (samples trained, their loss sum and correct count: a running learning curve
/// within the epoch); returning false stops training after the current step.
/// It may also throw, which aborts training with the weights of the last step.
using ProgressHook = std::function<bool(const EpochResult& so_far)>;

/// Every intermediate array of one forward pass or training step, named as in the
/// book; vectors hold one entry per layer, from the first layer to the output.
template <typename Scalar>
struct StepTrace {
  std::vector<RowMatrix<Scalar>> inputs;          ///< I: each layer's input (n, inputs)
  std::vector<RowMatrix<Scalar>> combined;        ///< X = W·I + b (n, outputs)
  std::vector<RowMatrix<Scalar>> outputs;         ///< O = f(X) (n, outputs)
  std::vector<RowMatrix<Scalar>> errors;          ///< E: output error and each hidden error under the rule
  std::vector<RowMatrix<Scalar>> deltas;          ///< D = -dL/dX as the rule computes it
  std::vector<RowMatrix<Scalar>> weight_updates;  ///< ΔW = lr/n · Dᵀ·I (∘ mask; zero when frozen)
  std::vector<Vector<Scalar>> bias_updates;       ///< Δb = lr/n · Σ_rows D
  /// Per layer, the dropout mask M on its outputs (0 or 1/(1-p) per value; the next
  /// layer's input is O ∘ M); empty for a layer without dropout and in forward traces.
  std::vector<RowMatrix<Scalar>> dropout_masks;
};

/// A network: layers, loss, rule, learning rate and a seeded random source.
/// Thread-safe: training and weight changes take an exclusive lock, prediction
/// and reads a shared one, so concurrent fits on one network run one after another.
template <typename Scalar>
class Network {
 public:
  using Matrix = RowMatrix<Scalar>;
  using Vec = Vector<Scalar>;

  /// A network ready to train: when no layer has weights yet (Dense::has_weights),
  /// every layer is initialised with `init` (the book's rule unless another is
  /// given) from a random source seeded with `seed`, exactly as initialize(init,
  /// seed) does; when every layer already has weights (set_weights, initialize, a
  /// loaded file), they are kept. `seed` also drives later shuffles and is the
  /// seed save() records (see seed()).
  /// Throws std::invalid_argument if there are no layers, some layers have weights
  /// and others not, sizes do not chain (layer k's outputs != layer k+1's inputs),
  /// the loss does not suit the output activation, or the learning rate is not a
  /// positive finite number.
  Network(std::vector<Dense<Scalar>> layers, Loss loss, Rule rule, Scalar learning_rate, std::uint64_t seed = 0,
          Init init = Init::book);
  Network(const Network& other);
  Network& operator=(const Network& other);

  /// Redraws every layer's weights (see Dense::initialize) from a fresh random
  /// source seeded with `seed`, which also drives later shuffles; seed() and
  /// init() then report these.
  void initialize(Init init, std::uint64_t seed);

  /// The seed and initialisation of the constructor or the last initialize() (or
  /// of the loaded file): what save() and to_bytes() record by default.
  std::uint64_t seed() const;
  Init init() const;

  std::size_t layer_count() const { return layers_.size(); }
  Eigen::Index inputs() const { return layers_.front().inputs(); }
  Eigen::Index outputs() const { return layers_.back().outputs(); }
  /// Read access to a layer (queued steps applied first); not synchronised with a
  /// concurrent training call.
  const Dense<Scalar>& layer(std::size_t index) const;
  Loss loss() const { return loss_; }
  Rule rule() const { return rule_; }
  Scalar learning_rate() const { return learning_rate_; }

  Matrix weights(std::size_t index) const;  ///< copy of layer `index`'s W (outputs, inputs)
  Vec bias(std::size_t index) const;        ///< copy of layer `index`'s b (outputs)
  void set_weights(std::size_t index, const Eigen::Ref<const Matrix>& weights);
  void set_bias(std::size_t index, const Eigen::Ref<const Vec>& bias);
  void set_frozen(std::size_t index, bool frozen);
  void set_trainable_mask(std::size_t index, const Eigen::Ref<const Matrix>& mask);
  void set_learning_rate(Scalar learning_rate);
  /// Inverted dropout on layer `index`'s outputs while training (see
  /// Dense::dropout): masks are drawn from the network's random source, sample
  /// after sample, so a seed gives the same masks on any thread count. Steps with
  /// dropout take the reference path (forward, error, update per batch; a single
  /// example is a batch of one). Throws std::invalid_argument for the output
  /// layer (its outputs are the prediction) or a rate outside [0, 1).
  void set_dropout(std::size_t index, double rate);
  void set_rule(Rule rule);
  /// Selects the optimizer (plain SGD by default) with fresh state; the learning
  /// rate stays learning_rate(). Throws std::invalid_argument (naming
  /// Network::set_optimizer) for settings out of range, with the network unchanged.
  void set_optimizer(const OptimizerSettings& settings);
  /// Selects an optimizer with its state (a model file's): an optimizer without
  /// state (never allocated) starts fresh; otherwise its tensor sizes must be this
  /// network's (std::invalid_argument if not).
  void set_optimizer(const Optimizer<Scalar>& optimizer);
  /// A copy of the optimizer: settings and the state of every tensor.
  Optimizer<Scalar> optimizer() const;
  /// The optimizer's settings alone (no copy of its state).
  OptimizerSettings optimizer_settings() const;
  /// Whether updates take the plain-SGD fused paths (the optimizer is plain SGD
  /// and no layer has dropout).
  bool uses_fast_paths() const;
  /// The number of values of each parameter tensor, in the optimizer's order:
  /// layer k's W (outputs·inputs) at 2k, its b at 2k+1 (outputs, or 0 without a bias).
  std::vector<Eigen::Index> parameter_sizes() const;

  /// The random source that draws the shuffles (copied out / replaced whole).
  Random random_source() const;
  void set_random_source(const Random& random);

  /// O = the output layer's output for inputs X (n, inputs) -> (n, outputs).
  Matrix predict(const Eigen::Ref<const Matrix>& inputs) const;
  /// O for one example: `input` (1, inputs) -> `output` (1, outputs), allocation-free
  /// (the book's query() on one record). Throws std::invalid_argument on a wrong
  /// size or a NaN or infinity in the input. predict on one row takes the same path.
  void predict_example(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const;
  /// Mean per-sample loss over the rows of X, T.
  double loss_value(const Eigen::Ref<const Matrix>& inputs, const Eigen::Ref<const Matrix>& targets) const;
  /// Forward pass recording inputs, combined inputs and outputs of every layer.
  StepTrace<Scalar> forward_trace(const Eigen::Ref<const Matrix>& inputs) const;

  /// One SGD step on the batch X (n, inputs), T (n, outputs), the update averaged
  /// over the n samples; n = 1 is the book's train(). Returns the batch's loss sum
  /// before the update. With `trace` it also records every intermediate array;
  /// the weights end up identical either way. Throws DivergenceError, with the
  /// weights restored, when the step makes the loss or a weight non-finite.
  /// One row without a trace, on a network whose online epochs take blocks (plain
  /// SGD, a large unmasked first layer): the loss and the layers above the first
  /// are computed at once, and the first layer's update, nearly all the weights,
  /// is deferred and applied a block at a time like train_example's (the first
  /// layer's output for each later step is corrected by the deferred updates,
  /// z = W₀·x + b₀ + lr·Σ_s δ_s·(x_s·x + 1)), before anything reads or changes the
  /// network: the result is that of immediate steps (float64 to ~1e-15) at nearly
  /// an online epoch's cost per example. A first-layer weight that becomes
  /// non-finite is then reported by the call that applies the block, naming the step.
  double train_step(const Eigen::Ref<const Matrix>& inputs, const Eigen::Ref<const Matrix>& targets,
                    StepTrace<Scalar>* trace = nullptr);

  /// One online step on one example, the book's train(), possibly deferred: the
  /// example (a row of inputs() and one of outputs() values) is checked at once
  /// (std::invalid_argument on a wrong size, NaN or infinity, with the network
  /// unchanged) and queued; queued examples are applied in order, a block at a
  /// time with the same arithmetic as train_epoch's online blocks (see epoch.cpp),
  /// when the block is full and before anything reads or changes the network
  /// (every accessor, predict, train_step, a copy, a save). So the result is that
  /// of immediate steps (float64 weights equal to them to ~1e-15), at fit's speed.
  /// A step that diverges (non-finite loss or weights) is reported by the
  /// DivergenceError of the call that applies it, naming the step; the weights
  /// are then those before it and the steps queued after it are dropped.
  /// `caller` names the API the user called, for that message.
  void train_example(const Eigen::Ref<const Matrix>& input, const Eigen::Ref<const Matrix>& target,
                     const char* caller = "Network::train_example");
  /// Single-example steps (train_example and one-row train_step) accepted so far.
  std::uint64_t single_steps() const { return single_steps_; }

  /// One epoch: every row once, in a shuffled order when `shuffle` (drawn from the
  /// network's random source), in batches of `batch_size` (the last may be
  /// smaller). `hook` is called every `hook_every` samples (0: never for that
  /// reason) and at least every few milliseconds. Throws DivergenceError on a
  /// non-finite loss, with the weights restored to the start of the epoch.
  ///
  /// `sample_weights` (n non-negative values; empty: every sample weighs 1, the
  /// fast paths) make each batch's update the weighted mean of its samples'
  /// updates, as scikit-learn's MLP does: ΔW = lr·Σ_i w_i·ΔW_i / Σ_i w_i over
  /// the batch's samples (a batch whose weights sum to 0 takes no step), and the
  /// epoch's loss Σ w_i·L_i. So with one batch per epoch, integer weights equal
  /// repeated rows and zero weights equal removed rows; with batches of one
  /// sample a weight only decides whether the sample trains (w > 0) or not.
  /// Weighted epochs take the reference path (forward, update per batch).
  /// Throws std::invalid_argument for a wrong count or a negative, NaN or
  /// infinite weight, with the network unchanged.
  EpochResult train_epoch(const Eigen::Ref<const Matrix>& inputs, const Eigen::Ref<const Matrix>& targets,
                          std::size_t batch_size, bool shuffle, const ProgressHook& hook = {},
                          std::size_t hook_every = 0, const Eigen::Ref<const Vec>& sample_weights = Vec());

 private:
  // Shapes, and (when `values`) that every value is finite; callers passing
  // values = false check each row themselves when it is first used.
  void check_data(const char* where, const Eigen::Ref<const Matrix>& inputs, const Eigen::Ref<const Matrix>* targets,
                  bool values = true) const;
  void reserve_workspace(Eigen::Index rows);
  // uses_fast_paths() for a caller holding the lock: plain SGD and no dropout.
  bool fused_paths() const;
  // Whether some layer drops outputs while training.
  bool has_dropout() const;
  // The input of layer k in a batch step: the batch, or the layer below's output
  // after its dropout mask.
  const Matrix& step_input(std::size_t k) const;
  // One online step; `forward_done`: the first layer's output for `input` is
  // already in outputs_[0]; `next_input` (may be null): compute the first layer's
  // output for it while updating that layer (one pass over W instead of two).
  // `check_weights`: instead, check the updated first layer in its update pass
  // (W·input + b all finite) and leave the answer in first_layer_finite_.
  double step_online(const Scalar* input, const Scalar* target, StepTrace<Scalar>* trace, bool forward_done = false,
                     const Scalar* next_input = nullptr, bool check_weights = false);
  // One batch in batch_inputs_ / batch_targets_. `first_forward_done`: the first
  // layer's output is already in outputs_[0]; `defer_first_update`: leave the
  // first layer's update (deltas_[0] with batch_inputs_) to the caller.
  // `weights` (may be null): the batch's sample weights, which make the update
  // their weighted mean and the returned loss Σ w_i·L_i (see train_epoch).
  double step_batch(Eigen::Index rows, StepTrace<Scalar>* trace, bool first_forward_done = false,
                    bool defer_first_update = false, const Scalar* weights = nullptr);
  // Online, one sample in row 0 of the workspace: the loss, output error and
  // delta for `target` (returns the loss), then the fused backward pass and
  // update of every layer above the first, leaving the first layer's delta.
  double output_online(const Scalar* target);
  void backward_online();
  // Whether an online epoch takes the first layer's update a block at a time.
  bool online_blocks_apply(std::size_t samples) const;
  // G_st = x_s·x_t (+ 1 with a bias) for s < t, the block's examples' dot products.
  // Static: it runs beside training and touches no member.
  static void block_gram(const Eigen::Ref<const Matrix>& inputs, Eigen::Ref<Matrix> gram, bool bias);
  // Online training on the `count` examples in batch_inputs_ / batch_targets_,
  // one exact step per example, from the block's combined inputs in
  // block_combined_ and its Gram matrix in block_gram_; the first layer's deltas
  // are left in block_deltas_ for the caller to apply (see epoch.cpp).
  // `after(t, loss)` runs after example t; when it returns false the block stops
  // there and this returns the number of examples done, else `count`. An example
  // whose loss is not finite stops the block before its update: its loss goes to
  // `diverging_loss` and this returns its index (the examples done before it).
  Eigen::Index online_block(Eigen::Index count, const std::function<bool(Eigen::Index, double)>& after,
                            double& diverging_loss);
  void record_forward(StepTrace<Scalar>& trace, Eigen::Index rows) const;
  void record_backward(StepTrace<Scalar>& trace, Eigen::Index rows, Scalar step) const;
  std::size_t count_correct(Eigen::Index rows, const Scalar* targets, Eigen::Index target_stride) const;
  void backward_coefficients(std::size_t index, Eigen::Index rows);
  bool weights_finite() const;
  // predict_example's pass (caller holds a lock and checked the sizes).
  void forward_example(const Scalar* input, Scalar* output) const;
  // Layers [first, end) all finite (weights and bias).
  bool layers_finite(std::size_t first) const;
  void check_index(const char* where, std::size_t index) const;
  // A batch step in batch_inputs_ / batch_targets_ that restores the layers and the
  // optimizer state (and throws DivergenceError naming `where`) when it diverges.
  double step_restoring(const char* where, Eigen::Index rows, StepTrace<Scalar>* trace);

  // Single-example steps (single_steps.cpp). The journal holds, in order, the
  // examples stepped or queued since checkpoint_ (a copy of the layers taken
  // before its first row): a diverging step is undone exactly by restoring the
  // checkpoint and replaying the journal's earlier rows, so no step copies the
  // model (one copy per kOnlineBlock steps instead).
  static constexpr Eigen::Index kOnlineBlock = 64;
  // Applies the queued examples (caller holds the exclusive lock).
  void apply_queued();
  // settle() for const observers: applies queued examples under the exclusive lock.
  void settle() const;
  // Makes room for one more journal row (resetting the journal when it is full
  // or stale) and returns its index.
  Eigen::Index journal_row();
  // Forgets the journal (weights changed by something else than a journaled step).
  void reset_journal();
  // Copies the layers into checkpoint_ if journal_row() left that for later;
  // called before anything changes the layers while the journal is kept.
  void keep_checkpoint();
  // Whether the layers above the first are too small to use the second core
  // themselves (it then prepares the next block alongside).
  bool upper_layers_small(Eigen::Index batch) const;
  // One immediate online step on journal row `row` (train_step on one row).
  double step_journaled(Eigen::Index row, StepTrace<Scalar>* trace);
  // train_step on one row where online blocks apply: the step's loss and the
  // layers above the first now, the first layer's update deferred and applied a
  // block at a time (apply_pending); returns the loss.
  double step_deferred(const Eigen::Ref<const Matrix>& input, const Eigen::Ref<const Matrix>& target);
  // Applies the deferred first-layer updates of step_deferred (caller holds the
  // exclusive lock); apply_queued() does this first.
  void apply_pending();
  // Restores the checkpoint, replays journal rows [0, good) and throws the
  // DivergenceError for the step in journal row `good`.
  [[noreturn]] void undo_diverged(Eigen::Index good, double loss, const std::string& caller);

  std::vector<Dense<Scalar>> layers_;
  Loss loss_;
  Rule rule_;
  Scalar learning_rate_;
  std::uint64_t seed_ = 0;
  Init init_ = Init::book;
  Random random_;
  Optimizer<Scalar> optimizer_;
  mutable std::shared_mutex mutex_;

  // Training workspace, sized once per batch size (no allocation per sample):
  // per layer outputs O, errors E, deltas D and the coefficients sent back.
  std::vector<Matrix> outputs_;
  std::vector<Matrix> errors_;
  std::vector<Matrix> deltas_;
  std::vector<Matrix> coefficients_;
  std::vector<Matrix> combined_;            // X = W·I + b, kept only while tracing
  std::vector<Matrix> dropout_masks_;       // per layer with dropout: M (0 or 1/(1-p)), this batch's
  std::vector<Matrix> dropped_;             // per layer with dropout: O ∘ M, the next layer's input
  Matrix block_combined_;                   // online blocks: Z = X·W₀ᵀ + b₀ with the block's starting weights
  Matrix block_gram_;                       // online blocks: G_st = x_s·x_t (+ 1 with a bias)
  Matrix block_deltas_;                     // online blocks: each example's first-layer delta δ_t
  Vec block_gram_row_ = Vec(kOnlineBlock);  // step_deferred: x_s·x (+ 1) for the deferred rows s
  Matrix batch_inputs_;
  Matrix batch_targets_;
  // The next batch or block, gathered while this one trains (swapped in after it).
  Matrix next_inputs_;
  Matrix next_targets_;
  Matrix next_gram_;
  std::vector<std::size_t> order_;
  std::vector<Dense<Scalar>> step_snapshot_;  // a batch train_step's starting point, restored on divergence
  Optimizer<Scalar> optimizer_snapshot_;      // the optimizer state at that point
  std::vector<Matrix> weight_gradients_;      // per layer G (outputs, inputs): the optimizers' gradients
  std::vector<Vec> bias_gradients_;           // per layer g_b (outputs)

  Matrix journal_inputs_;             // (kOnlineBlock, inputs): examples since checkpoint_
  Matrix journal_targets_;            // (kOnlineBlock, outputs)
  Eigen::Index journal_applied_ = 0;  // rows [0, applied) are in the weights
  Eigen::Index journal_queued_ = 0;   // rows [applied, applied + queued) wait
  // rows [applied, applied + pending) were stepped by step_deferred but the first
  // layer's update (their deltas in block_deltas_, same rows) waits; never at the
  // same time as queued rows (train_example applies them first).
  Eigen::Index journal_pending_ = 0;
  bool checkpoint_valid_ = false;  // checkpoint_ is the weights before journal row 0
  // false: the layers themselves are still the weights before journal row 0 (no
  // step has changed them yet), so the copy is left until one does.
  bool checkpoint_copied_ = false;
  std::vector<Dense<Scalar>> checkpoint_;
  Matrix check_row_;  // step_online's check of the updated first layer
  bool first_layer_finite_ = true;
  std::uint64_t single_steps_ = 0;        // single-example steps accepted (names a diverging one)
  std::uint64_t journal_first_step_ = 0;  // single_steps_ number of journal row 0 (1-based)
  std::atomic<bool> has_queued_{false};   // lets const observers skip the exclusive lock
  std::string queued_by_;                 // the API that queued them, for a divergence message
};

extern template class Network<float>;
extern template class Network<double>;

}  // namespace akili
