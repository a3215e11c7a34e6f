#pragma once
// When a pass is worth splitting over threads. Handing a job to the pool costs
// about a microsecond; below these sizes one thread is faster, so small networks
// (XOR, iris, digits) never use more than one.

#include "akili/threads.hpp"

#include <Eigen/Core>

namespace akili::parallel {

/// Samples per task when a large batch (prediction) is cut into fixed chunks.
constexpr Eigen::Index kChunkRows = 1024;

/// A batch product of rows × inputs × outputs multiply-adds (tens of microseconds and up).
inline bool worth_splitting(Eigen::Index multiply_adds) { return multiply_adds >= (Eigen::Index{1} << 19); }

/// Whether a batch product of `samples` rows with an (outputs, inputs) weight matrix
/// is cut into bands of weight rows, one per thread (each band then stays in its
/// thread's cache from the forward product to the update).
inline bool split_weight_rows(Eigen::Index samples, Eigen::Index inputs, Eigen::Index outputs) {
  return num_threads() > 1 && worth_splitting(samples * inputs * outputs) && outputs >= 2 * num_threads();
}

/// An online pass over a weight matrix of this many weights (one example).
inline bool worth_splitting_online(Eigen::Index weights) { return weights >= (Eigen::Index{1} << 15); }

/// body(begin, end) over [0, count): one band per thread when `split` and there
/// is more than one thread (band edges multiples of `align`), else in one call.
template <typename Body>
void for_bands(Eigen::Index count, bool split, const Body& body, Eigen::Index align = 1) {
  const int threads = num_threads();
  if (!split || threads < 2) {
    body(Eigen::Index{0}, count);
    return;
  }
  parallel_for(static_cast<std::size_t>(threads), [&](std::size_t task) {
    const auto [begin, end] = split_range(static_cast<std::size_t>(count), static_cast<std::size_t>(threads), task,
                                          static_cast<std::size_t>(align));
    if (end > begin) body(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end));
  });
}

}  // namespace akili::parallel
