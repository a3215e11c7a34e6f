// One function per optimizer, each in its own file beside this one with its
// formula; Optimizer::step (optimizer.cpp) has already added the coupled weight
// decay g ← g + λ·θ and applied the trainable mask to g, and has counted the
// step (state.steps is t, this step included).
#pragma once

#include "akili/optimizer.hpp"

namespace akili::detail {

template <typename Scalar>
using FlatArray = Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
template <typename Scalar>
using ConstFlatArray = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;

template <typename Scalar>
void sgd_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
              FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void adagrad_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void rmsprop_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
                  FlatArray<Scalar> gradient, Scalar learning_rate);
template <typename Scalar>
void adam_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
               FlatArray<Scalar> gradient, Scalar learning_rate);
// AdamW needs the mask for its decoupled decay (null: every value trains).
template <typename Scalar>
void adamw_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, const Scalar* mask, Scalar learning_rate);
template <typename Scalar>
void rprop_step(const OptimizerSettings& settings, ParameterState<Scalar>& state, FlatArray<Scalar> theta,
                FlatArray<Scalar> gradient, Scalar learning_rate);

}  // namespace akili::detail
