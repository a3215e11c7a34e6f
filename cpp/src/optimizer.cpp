// The optimizer seam: settings, their checks, the per-tensor state, and the one
// switch that sends a step to its optimizer (one file each in optimizers/).
#include "akili/optimizer.hpp"

#include "number_text.hpp"
#include "optimizers/steps.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace akili {

using detail::number_text;

namespace {

constexpr std::array<std::pair<OptimizerKind, const char*>, 6> kOptimizerNames{{{OptimizerKind::sgd, "sgd"},
                                                                                {OptimizerKind::adagrad, "adagrad"},
                                                                                {OptimizerKind::rmsprop, "rmsprop"},
                                                                                {OptimizerKind::adam, "adam"},
                                                                                {OptimizerKind::adamw, "adamw"},
                                                                                {OptimizerKind::rprop, "rprop"}}};

// A setting must be finite and inside [low, high] (ends open when the flags say so).
void check_range(const char* where, const std::string& optimizer, const char* name, double value, double low,
                 bool low_open, double high, bool high_open) {
  const bool above = low_open ? value > low : value >= low;
  const bool below = high_open ? value < high : value <= high;
  if (std::isfinite(value) && above && below) return;
  std::string range = std::string(low_open ? "(" : "[") + number_text(low) + ", ";
  range += std::isinf(high) ? "inf)" : number_text(high) + (high_open ? ")" : "]");
  throw std::invalid_argument(std::string("[") + where + "] expected " + optimizer + " " + name + " in " + range +
                              ", got " + number_text(value));
}

constexpr double kInf = HUGE_VAL;

// Optimizers whose weight_decay is the coupled L2 term g ← g + λ·θ.
bool couples_decay(OptimizerKind kind) { return kind != OptimizerKind::adamw && kind != OptimizerKind::rprop; }

}  // namespace

std::string to_string(OptimizerKind kind) {
  for (const auto& [entry, name] : kOptimizerNames) {
    if (entry == kind) return name;
  }
  return "unknown(" + std::to_string(static_cast<int>(kind)) + ")";
}

OptimizerKind parse_optimizer(const std::string& name) {
  std::string choices;
  for (const auto& [entry, entry_name] : kOptimizerNames) {
    if (name == entry_name) return entry;
    choices += choices.empty() ? "" : ", ";
    choices += entry_name;
  }
  throw std::invalid_argument("[parse_optimizer] unknown optimizer \"" + name + "\"; expected one of " + choices);
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const auto& entry : kOptimizerNames) names.emplace_back(entry.second);
  return names;
}

OptimizerSettings OptimizerSettings::defaults(OptimizerKind kind) {
  OptimizerSettings settings;
  settings.kind = kind;
  if (kind == OptimizerKind::adagrad) settings.epsilon = 1e-10;
  if (kind == OptimizerKind::adamw) settings.weight_decay = 1e-2;
  return settings;
}

bool OptimizerSettings::plain() const { return kind == OptimizerKind::sgd && momentum == 0.0 && weight_decay == 0.0; }

void OptimizerSettings::check(const char* where) const {
  const std::string name = to_string(kind);
  const bool rprop = kind == OptimizerKind::rprop;
  if (rprop && weight_decay != 0.0) {
    throw std::invalid_argument(std::string("[") + where +
                                "] expected rprop weight_decay 0 (torch.optim.Rprop has no weight decay), got " +
                                number_text(weight_decay));
  }
  check_range(where, name, "weight_decay", weight_decay, 0.0, false, kInf, true);
  switch (kind) {
    case OptimizerKind::sgd:
      check_range(where, name, "momentum", momentum, 0.0, false, kInf, true);
      check_range(where, name, "dampening", dampening, 0.0, false, 1.0, false);
      if (nesterov && (momentum <= 0.0 || dampening != 0.0)) {
        throw std::invalid_argument(std::string("[") + where +
                                    "] expected momentum > 0 and dampening 0 for Nesterov momentum, got momentum " +
                                    number_text(momentum) + " and dampening " + number_text(dampening));
      }
      return;
    case OptimizerKind::adagrad:
      check_range(where, name, "lr_decay", lr_decay, 0.0, false, kInf, true);
      check_range(where, name, "initial_accumulator_value", initial_accumulator_value, 0.0, false, kInf, true);
      check_range(where, name, "epsilon", epsilon, 0.0, true, kInf, true);
      return;
    case OptimizerKind::rmsprop:
      check_range(where, name, "alpha", alpha, 0.0, false, 1.0, false);
      check_range(where, name, "momentum", momentum, 0.0, false, kInf, true);
      check_range(where, name, "epsilon", epsilon, 0.0, true, kInf, true);
      return;
    case OptimizerKind::adam:
    case OptimizerKind::adamw:
      check_range(where, name, "beta_1", beta1, 0.0, false, 1.0, true);
      check_range(where, name, "beta_2", beta2, 0.0, false, 1.0, true);
      check_range(where, name, "epsilon", epsilon, 0.0, true, kInf, true);
      return;
    case OptimizerKind::rprop:
      check_range(where, name, "eta_minus", eta_minus, 0.0, true, 1.0, true);
      check_range(where, name, "eta_plus", eta_plus, 1.0, true, kInf, true);
      check_range(where, name, "step_min", step_min, 0.0, true, kInf, true);
      check_range(where, name, "step_max", step_max, step_min, false, kInf, true);
      return;
  }
}

template <typename Scalar>
Optimizer<Scalar>::Optimizer(const OptimizerSettings& settings, const char* where) : settings_(settings) {
  settings_.check(where);
}

template <typename Scalar>
Eigen::Index Optimizer<Scalar>::slot_size(std::size_t slot, Eigen::Index size) const {
  switch (settings_.kind) {
    case OptimizerKind::sgd:
      return slot == 0 && settings_.momentum != 0.0 ? size : 0;
    case OptimizerKind::adagrad:
      return slot == 0 ? size : 0;
    case OptimizerKind::rmsprop:
      if (slot == 1) return settings_.momentum > 0.0 ? size : 0;
      if (slot == 2) return settings_.centered ? size : 0;
      return size;
    case OptimizerKind::adam:
    case OptimizerKind::adamw:
    case OptimizerKind::rprop:
      return slot < 2 ? size : 0;
  }
  return 0;
}

template <typename Scalar>
void Optimizer<Scalar>::allocate(const std::vector<Eigen::Index>& sizes) {
  states_.assign(sizes.size(), State{});
  for (std::size_t index = 0; index < sizes.size(); ++index) {
    for (std::size_t slot = 0; slot < 3; ++slot) states_[index].slots[slot].resize(slot_size(slot, sizes[index]));
  }
  sizes_ = sizes;
  reset();
}

template <typename Scalar>
void Optimizer<Scalar>::reset() {
  for (State& state : states_) {
    state.steps = 0;
    for (auto& slot : state.slots) slot.setZero();
    if (settings_.kind == OptimizerKind::adagrad) {
      state.slots[0].setConstant(static_cast<Scalar>(settings_.initial_accumulator_value));  // s₀
    }
  }
}

template <typename Scalar>
void Optimizer<Scalar>::set_states(std::vector<State> states, const char* where) {
  const std::string at = std::string("[") + where + "] ";
  if (states.size() != sizes_.size()) {
    throw std::invalid_argument(at + "expected optimizer state for " + std::to_string(sizes_.size()) +
                                " tensors, got " + std::to_string(states.size()));
  }
  // Second moments and step sizes are square roots' arguments or step lengths: never negative.
  const bool adam = settings_.kind == OptimizerKind::adam || settings_.kind == OptimizerKind::adamw;
  const std::size_t non_negative_slot =
      adam || settings_.kind == OptimizerKind::rprop ? 1 : (settings_.kind == OptimizerKind::sgd ? 3 : 0);
  for (std::size_t index = 0; index < states.size(); ++index) {
    for (std::size_t slot = 0; slot < 3; ++slot) {
      const auto& values = states[index].slots[slot];
      const Eigen::Index expected = slot_size(slot, sizes_[index]);
      const std::string which = "tensor " + std::to_string(index) + " slot " + std::to_string(slot);
      if (values.size() != expected) {
        throw std::invalid_argument(at + "expected " + std::to_string(expected) + " values in optimizer state " +
                                    which + ", got " + std::to_string(values.size()));
      }
      if (!values.allFinite()) throw std::invalid_argument(at + "optimizer state " + which + " holds NaN or infinity");
      if (slot == non_negative_slot && (values < Scalar(0)).any()) {
        throw std::invalid_argument(at + "optimizer state " + which + " holds a negative value");
      }
    }
  }
  states_ = std::move(states);
}

template <typename Scalar>
std::vector<Eigen::Index> Optimizer<Scalar>::sizes() const {
  return sizes_;
}

template <typename Scalar>
void Optimizer<Scalar>::step(std::size_t index, Scalar* theta, Scalar* gradient, const Scalar* mask, Eigen::Index size,
                             Scalar learning_rate) {
  begin_step(index, size);
  apply(index, 0, size, theta, gradient, mask, learning_rate);
}

template <typename Scalar>
void Optimizer<Scalar>::begin_step(std::size_t index, Eigen::Index size) {
  if (index >= states_.size() || sizes_[index] != size) {
    throw std::logic_error("[Optimizer::step] tensor " + std::to_string(index) + " of " + std::to_string(size) +
                           " values does not match the allocated state");
  }
  ++states_[index].steps;  // t ← t + 1
}

template <typename Scalar>
void Optimizer<Scalar>::apply(std::size_t index, Eigen::Index offset, Eigen::Index count, Scalar* theta,
                              Scalar* gradient, const Scalar* mask, Scalar learning_rate) {
  if (index >= states_.size() || offset < 0 || count < 0 || offset + count > sizes_[index]) {
    throw std::logic_error("[Optimizer::apply] values [" + std::to_string(offset) + ", " +
                           std::to_string(offset + count) + ") are outside tensor " + std::to_string(index));
  }
  State& state = states_[index];
  // The same range of each slot this optimizer uses (empty slots stay empty).
  auto slot_range = [&](std::size_t slot) {
    auto& values = state.slots[slot];
    return detail::FlatArray<Scalar>(values.size() ? values.data() + offset : nullptr, values.size() ? count : 0);
  };
  detail::StateRange<Scalar> range{state.steps, {slot_range(0), slot_range(1), slot_range(2)}};
  detail::FlatArray<Scalar> values(theta, count);
  detail::FlatArray<Scalar> g(gradient, count);
  if (settings_.weight_decay != 0.0 && couples_decay(settings_.kind)) {
    g += static_cast<Scalar>(settings_.weight_decay) * values;  // g ← g + λ·θ (coupled L2)
  }
  if (mask) g *= detail::ConstFlatArray<Scalar>(mask, count);  // g ← g ∘ mask
  switch (settings_.kind) {
    case OptimizerKind::sgd:
      detail::sgd_step(settings_, range, values, g, learning_rate);
      return;
    case OptimizerKind::adagrad:
      detail::adagrad_step(settings_, range, values, g, learning_rate);
      return;
    case OptimizerKind::rmsprop:
      detail::rmsprop_step(settings_, range, values, g, learning_rate);
      return;
    case OptimizerKind::adam:
      detail::adam_step(settings_, range, values, g, learning_rate);
      return;
    case OptimizerKind::adamw:
      detail::adamw_step(settings_, range, values, g, mask, learning_rate);
      return;
    case OptimizerKind::rprop:
      detail::rprop_step(settings_, range, values, g, learning_rate);
      return;
  }
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace akili
