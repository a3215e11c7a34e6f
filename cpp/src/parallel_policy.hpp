#pragma once
// When a pass is worth splitting over threads. Handing a job to the pool costs
// about a microsecond; below these sizes one thread is faster, so small networks
// (XOR, iris, digits) never use more than one.

#include <Eigen/Core>

namespace akili::parallel {

/// Samples per task when a large batch (prediction) is cut into fixed chunks.
constexpr Eigen::Index kChunkRows = 256;

/// A batch product of rows × inputs × outputs multiply-adds (tens of microseconds and up).
inline bool worth_splitting(Eigen::Index multiply_adds) { return multiply_adds >= (Eigen::Index{1} << 19); }

/// An online pass over a weight matrix of this many weights (one example).
inline bool worth_splitting_online(Eigen::Index weights) { return weights >= (Eigen::Index{1} << 15); }

}  // namespace akili::parallel
