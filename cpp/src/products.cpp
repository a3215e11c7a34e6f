// Dispatch of the layer products (see products.hpp).
#include "products.hpp"

#include "gemm_kernel.hpp"

namespace akili::detail {
namespace {

#if AKILI_GEMM_KERNEL
// The tiled kernel needs a few samples and some inputs per sample to pay for its
// packing; one-sample products go to Eigen's matrix-vector paths. The test looks
// only at the sample count and the input width, never at the number of weight rows, which
// threads split into bands: every band of a product takes the same kernel, so
// the result does not depend on the thread count.
inline bool kernel_suits(Eigen::Index samples, Eigen::Index width) { return samples >= 2 && width >= 8; }
#endif

}  // namespace

template <typename Scalar>
void multiply_by_transpose(const ConstRef<Scalar>& inputs, const ConstRef<Scalar>& weights,
                           MutableRef<Scalar> output) {
#if AKILI_GEMM_KERNEL
  if (kernel_suits(inputs.rows(), inputs.cols())) {
    // A = I (n, in); B = Wᵀ, read as B(k, j) = W(j, k).
    const kernels::Operand<Scalar> a{inputs.data(), inputs.outerStride(), 1};
    const kernels::Operand<Scalar> b{weights.data(), 1, weights.outerStride()};
    kernels::gemm<Scalar>(inputs.rows(), weights.rows(), inputs.cols(), Scalar(1), a, b, output.data(),
                          output.outerStride(), false);
    return;
  }
#endif
  output.noalias() = inputs * weights.transpose();  // X = I·Wᵀ
}

template <typename Scalar>
void add_transposed_product(Scalar alpha, const ConstRef<Scalar>& deltas, const ConstRef<Scalar>& inputs,
                            MutableRef<Scalar> weights) {
#if AKILI_GEMM_KERNEL
  if (kernel_suits(deltas.rows(), inputs.cols())) {
    // A = Dᵀ, read as A(i, k) = D(k, i); B = I (n, in).
    const kernels::Operand<Scalar> a{deltas.data(), 1, deltas.outerStride()};
    const kernels::Operand<Scalar> b{inputs.data(), inputs.outerStride(), 1};
    kernels::gemm<Scalar>(weights.rows(), weights.cols(), deltas.rows(), alpha, a, b, weights.data(),
                          weights.outerStride(), true);
    return;
  }
#endif
  weights.noalias() += alpha * deltas.transpose() * inputs;  // W += α·Dᵀ·I
}

template void multiply_by_transpose<float>(const ConstRef<float>&, const ConstRef<float>&, MutableRef<float>);
template void multiply_by_transpose<double>(const ConstRef<double>&, const ConstRef<double>&, MutableRef<double>);
template void add_transposed_product<float>(float, const ConstRef<float>&, const ConstRef<float>&,
                                            MutableRef<float>);
template void add_transposed_product<double>(double, const ConstRef<double>&, const ConstRef<double>&,
                                             MutableRef<double>);

}  // namespace akili::detail
