// The two products every dense layer spends its time in, on whichever kernel
// suits the CPU: the register-tiled kernel (gemm_kernel.hpp, built for AVX2+FMA
// and for AVX-512) where the CPU has it and the shapes fill its tiles, Eigen's
// baseline product elsewhere.
#pragma once

#include "akili/types.hpp"

namespace akili::detail {

template <typename Scalar>
using ConstRef = Eigen::Ref<const RowMatrix<Scalar>>;
template <typename Scalar>
using MutableRef = Eigen::Ref<RowMatrix<Scalar>>;

/// The forward product X = I·Wᵀ: inputs (n, in), weights (out, in) -> output (n, out).
template <typename Scalar>
void multiply_by_transpose(const ConstRef<Scalar>& inputs, const ConstRef<Scalar>& weights, MutableRef<Scalar> output);

/// The update W += α·Dᵀ·I: deltas (n, out), inputs (n, in), weights (out, in).
template <typename Scalar>
void add_transposed_product(Scalar alpha, const ConstRef<Scalar>& deltas, const ConstRef<Scalar>& inputs,
                            MutableRef<Scalar> weights);

}  // namespace akili::detail
