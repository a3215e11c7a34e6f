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
#include <cmath>
#include <cstdint>

namespace akili::detail {

// √x correctly rounded in every lane. Eigen's own float square root on SSE and AVX
// (under EIGEN_FAST_MATH, its default) is an approximate reciprocal square root
// refined by one Newton step: 4 in 10 results differ from √x in the last bit, and the
// approximation differs between CPU makers, so results would depend on the machine.
// torch.optim takes the square root itself, and so does every optimizer here.
template <typename Packet>
Packet exact_sqrt(const Packet& x) {
  return Eigen::internal::psqrt(x);  // double: the instruction itself on every architecture
}
#if defined(EIGEN_VECTORIZE_AVX512)
inline Eigen::internal::Packet16f exact_sqrt(const Eigen::internal::Packet16f& x) { return _mm512_sqrt_ps(x); }
#elif defined(EIGEN_VECTORIZE_AVX)
inline Eigen::internal::Packet8f exact_sqrt(const Eigen::internal::Packet8f& x) { return _mm256_sqrt_ps(x); }
#elif defined(EIGEN_VECTORIZE_SSE2)
inline Eigen::internal::Packet4f exact_sqrt(const Eigen::internal::Packet4f& x) { return _mm_sqrt_ps(x); }
#endif

/// exact_sqrt for Eigen expressions: `a.unaryExpr(ExactSqrt<Scalar>())` instead of `a.sqrt()`.
template <typename Scalar>
struct ExactSqrt {
  Scalar operator()(const Scalar& x) const { return std::sqrt(x); }
  template <typename Packet>
  Packet packetOp(const Packet& x) const {
    return exact_sqrt(x);
  }
};

}  // namespace akili::detail

template <typename Scalar>
struct Eigen::internal::functor_traits<akili::detail::ExactSqrt<Scalar>> {
  enum { Cost = 5 * NumTraits<Scalar>::MulCost, PacketAccess = packet_traits<Scalar>::HasSqrt };
};

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
