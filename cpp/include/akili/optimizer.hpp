#pragma once
// The update seam: how a parameter's gradient becomes a change of the parameter.
//
// Every optimizer follows PyTorch's torch.optim definition of the same name, with
// its defaults (the formula of each is written beside its code in
// cpp/src/optimizers/). Notation, per parameter tensor θ (a layer's W or b):
//   g      the gradient of the mean batch loss, g = -(1/n)·Dᵀ·I for W and
//          g = -(1/n)·Σ_rows D for b, D = -dL/dX the layer's delta; for the
//          "transpose" and "normalized" rules D is the rule's delta, so the
//          optimizer acts on the rule's step ΔW = -lr·g exactly as SGD does
//   lr     the network's learning rate at the time of the step
//   t      the number of steps this parameter has taken, this one included
//   λ      weight_decay: coupled L2, g ← g + λ·θ, before everything else, for every
//          optimizer except AdamW (decoupled: θ ← θ - lr·λ·θ) and Rprop (none)
// A trainable mask (Dense::trainable_mask) zeroes g, after the coupled decay, where
// the mask is 0: with a zero gradient and zero state every optimizer leaves such a
// weight unchanged (AdamW's decoupled decay is masked too).
//
// State lives per parameter tensor, allocated once when the optimizer is attached
// to a network (allocate); a step allocates nothing.

#include "akili/types.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace akili {

/// The optimizers, named as in torch.optim.
enum class OptimizerKind { sgd, adagrad, rmsprop, adam, adamw, rprop };

std::string to_string(OptimizerKind kind);
/// Throws std::invalid_argument listing the accepted names.
OptimizerKind parse_optimizer(const std::string& name);
/// Every accepted name ("sgd", "adagrad", "rmsprop", "adam", "adamw", "rprop").
std::vector<std::string> optimizer_names();

/// An optimizer's hyperparameters; each kind reads only its own (see defaults()).
struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::sgd;
  double momentum = 0.0;                   ///< sgd, rmsprop: μ
  double dampening = 0.0;                  ///< sgd: τ
  bool nesterov = false;                   ///< sgd: Nesterov momentum (needs μ > 0 and τ = 0)
  double weight_decay = 0.0;               ///< λ (all but rprop; adamw's default 1e-2)
  double beta1 = 0.9;                      ///< adam, adamw: β₁
  double beta2 = 0.999;                    ///< adam, adamw: β₂
  double alpha = 0.99;                     ///< rmsprop: smoothing α
  bool centered = false;                   ///< rmsprop: divide by the estimated variance instead
  double epsilon = 1e-8;                   ///< ε added to the denominator (adagrad's default 1e-10)
  double lr_decay = 0.0;                   ///< adagrad: lr_t = lr / (1 + (t-1)·lr_decay)
  double initial_accumulator_value = 0.0;  ///< adagrad: the sum of squares starts here
  double eta_minus = 0.5;                  ///< rprop: η₋, the step shrinks by this on a sign change
  double eta_plus = 1.2;                   ///< rprop: η₊, it grows by this while the sign holds
  double step_min = 1e-6;                  ///< rprop: Γ_min
  double step_max = 50.0;                  ///< rprop: Γ_max

  /// torch.optim's defaults for `kind` (adagrad ε = 1e-10, adamw λ = 1e-2, the rest above).
  static OptimizerSettings defaults(OptimizerKind kind);
  /// Plain SGD: no momentum and no weight decay, the update W += lr·ΔW that the
  /// network's fused and block paths compute without an optimizer.
  bool plain() const;
  /// Throws std::invalid_argument naming `where`, the setting, the accepted range
  /// and the value when a setting is out of torch.optim's range (or not finite).
  void check(const char* where) const;
};

/// Calls visit(name, value) for every real-valued setting, under its keyword name
/// (akili.optimizers'), in one fixed order: the order of the model file
/// (docs/model-format.md). `settings` may be const (read) or not (write).
template <typename Settings, typename Visit>
void for_each_number(Settings& settings, const Visit& visit) {
  visit("momentum", settings.momentum);
  visit("dampening", settings.dampening);
  visit("weight_decay", settings.weight_decay);
  visit("beta_1", settings.beta1);
  visit("beta_2", settings.beta2);
  visit("alpha", settings.alpha);
  visit("epsilon", settings.epsilon);
  visit("lr_decay", settings.lr_decay);
  visit("initial_accumulator_value", settings.initial_accumulator_value);
  visit("eta_minus", settings.eta_minus);
  visit("eta_plus", settings.eta_plus);
  visit("step_min", settings.step_min);
  visit("step_max", settings.step_max);
}

/// The state of one parameter tensor; what each slot holds depends on the kind:
///   sgd      slots[0] momentum buffer b (empty without momentum)
///   adagrad  slots[0] sum of squared gradients
///   rmsprop  slots[0] square average v, slots[1] momentum buffer b (μ > 0),
///            slots[2] gradient average g_avg (centered)
///   adam(w)  slots[0] first moment m, slots[1] second moment v
///   rprop    slots[0] previous gradient, slots[1] step sizes η
template <typename Scalar>
struct ParameterState {
  using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
  std::uint64_t steps = 0;  ///< t: steps this tensor has taken
  std::array<Array, 3> slots;
};

/// An optimizer: settings plus the state of every parameter tensor of a network
/// (tensor 2k is layer k's W, 2k+1 its b). A value type: copying it copies the state.
template <typename Scalar>
class Optimizer {
 public:
  using State = ParameterState<Scalar>;

  Optimizer() = default;  ///< plain SGD
  /// Checks the settings (see OptimizerSettings::check) under the name `where`.
  explicit Optimizer(const OptimizerSettings& settings, const char* where = "Optimizer");

  const OptimizerSettings& settings() const { return settings_; }
  bool plain() const { return settings_.plain(); }

  /// Sizes the state for tensors of these sizes (values each) and resets it.
  void allocate(const std::vector<Eigen::Index>& sizes);
  /// Back to the state before the first step (sizes kept).
  void reset();
  /// The sizes allocate() was given.
  std::vector<Eigen::Index> sizes() const;

  const std::vector<State>& states() const { return states_; }
  /// Replaces the state (a model file's): throws std::invalid_argument naming
  /// `where` when the count, a slot's size or a value does not fit these settings.
  void set_states(std::vector<State> states, const char* where);

  /// One step of tensor `index`: θ (size values) changes in place; `gradient` g is
  /// used as scratch (it holds the decayed, masked gradient afterwards). `mask`
  /// (1 = trains, 0 = fixed) may be null.
  void step(std::size_t index, Scalar* theta, Scalar* gradient, const Scalar* mask, Eigen::Index size,
            Scalar learning_rate);

  /// step() in parts, so that threads can update the bands of a tensor they have
  /// just computed the gradient of: begin_step counts step t+1 of tensor `index`
  /// (of `size` values), then apply() updates values [offset, offset + count) of
  /// it, with θ, g and the mask pointing at value `offset`. Every update is
  /// element by element, so disjoint ranges may be applied at once from several
  /// threads, and ranges covering the tensor give exactly step()'s values.
  void begin_step(std::size_t index, Eigen::Index size);
  void apply(std::size_t index, Eigen::Index offset, Eigen::Index count, Scalar* theta, Scalar* gradient,
             const Scalar* mask, Scalar learning_rate);

 private:
  // How many values slot `slot` holds for a tensor of `size` values under these settings.
  Eigen::Index slot_size(std::size_t slot, Eigen::Index size) const;

  OptimizerSettings settings_;
  std::vector<Eigen::Index> sizes_;  // values per tensor, as allocate() was given them
  std::vector<State> states_;
};

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace akili
