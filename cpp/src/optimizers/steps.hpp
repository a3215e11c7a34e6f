// One function per optimizer, each in its own file beside this one with its
// formula; Optimizer::apply (optimizer.cpp) has already added the coupled weight
// decay g ← g + λ·θ and applied the trainable mask to g, and Optimizer::begin_step
// has counted the step (state.steps is t, this step included). Every update is
// element by element, so a function may be given any range of a tensor's values
// (StateRange: those values' slots), and the bands of weight rows that threads
// update side by side give the same values as one call on the whole tensor.
#pragma once

#include "akili/optimizer.hpp"

#include <array>
#include <cstdint>

namespace akili::detail {

template <typename Scalar>
using FlatArray = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
template <typename Scalar>
using ConstFlatArray = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;

/// The state of one range of a tensor's values: its step count t and, for each
/// slot that these settings use, the same range of that slot (empty otherwise).
template <typename Scalar>
struct StateRange {
  std::uint64_t steps;
  std::array<FlatArray<Scalar>, 3> slots;
};

template <typename Scalar>
void sgd_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
              FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void adagrad_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void rmsprop_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void adam_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
               FlatArray<Scalar> gradient, Scalar learning_rate);
// AdamW needs the mask for its decoupled decay (null: every value trains).
template <typename Scalar>
void adamw_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, const Scalar* mask, Scalar learning_rate);
template <typename Scalar>
void rprop_step(const OptimizerSettings& settings, StateRange<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, Scalar learning_rate);

}  // namespace akili::detail
