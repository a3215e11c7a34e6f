// Dispatch of the layer products (see products.hpp) and of the row loops
// (row_kernels.hpp): the kernels of the instruction set chosen once per process
// (akili::active_isa), Eigen's baseline code otherwise.
#include "products.hpp"

#include "akili/build_info.hpp"
#include "isa_kernels.hpp"

#include <vector>

namespace akili::detail {

template <typename Scalar>
Scalar* packing_buffer(int which, std::ptrdiff_t count) {
  // The buffers only grow: shrinking and growing again (products of different
  // shapes, one after another) would zero-fill them on every call.
  thread_local std::vector<Scalar> buffers[2];
  std::vector<Scalar>& buffer = buffers[which];
  if (buffer.size() < static_cast<std::size_t>(count)) buffer.resize(static_cast<std::size_t>(count));
  return buffer.data();
}
template float* packing_buffer<float>(int, std::ptrdiff_t);
template double* packing_buffer<double>(int, std::ptrdiff_t);

namespace {

template <typename Scalar>
using Kernel = void (*)(const GemmCall<Scalar>&);

template <typename Scalar>
Kernel<Scalar> chosen_kernel() {
  switch (active_isa()) {
#if AKILI_X86_KERNELS
    case Isa::avx2:
      return static_cast<Kernel<Scalar>>(&isa_avx2::gemm);
    case Isa::avx512:
      return static_cast<Kernel<Scalar>>(&isa_avx512::gemm);
#endif
    default:
      return nullptr;
  }
}

/// The kernel of this process (null: Eigen's product), looked up once.
template <typename Scalar>
Kernel<Scalar> kernel() {
  static const Kernel<Scalar> chosen = chosen_kernel<Scalar>();
  return chosen;
}

// The tiled kernel needs a few samples and some inputs per sample to pay for its
// packing; one-sample products go to Eigen's matrix-vector paths. The test looks
// only at the sample count and the input width, never at the number of weight rows, which
// threads split into bands: every band of a product takes the same kernel, so
// the result does not depend on the thread count.
inline bool kernel_suits(Eigen::Index samples, Eigen::Index width) { return samples >= 2 && width >= 8; }

template <typename Scalar>
const RowLoops<Scalar>* chosen_row_loops() {
  static RowLoops<Scalar> loops;
  switch (active_isa()) {
#if AKILI_X86_KERNELS
    case Isa::avx2:
      isa_avx2::row_loops(loops);
      return &loops;
    case Isa::avx512:
      isa_avx512::row_loops(loops);
      return &loops;
#endif
    default:
      return nullptr;
  }
}

}  // namespace

template <typename Scalar>
const RowLoops<Scalar>* active_row_loops() {
  static const RowLoops<Scalar>* const chosen = chosen_row_loops<Scalar>();
  return chosen;
}
template const RowLoops<float>* active_row_loops<float>();
template const RowLoops<double>* active_row_loops<double>();

template <typename Scalar>
void multiply_by_transpose(const ConstRef<Scalar>& inputs, const ConstRef<Scalar>& weights, MutableRef<Scalar> output) {
  const Kernel<Scalar> tiled = kernel<Scalar>();
  if (tiled && kernel_suits(inputs.rows(), inputs.cols())) {
    // A = I (n, in); B = Wᵀ, read as B(k, j) = W(j, k).
    tiled({inputs.rows(), weights.rows(), inputs.cols(), Scalar(1), inputs.data(), inputs.outerStride(), 1,
           weights.data(), 1, weights.outerStride(), output.data(), output.outerStride(), false});
    return;
  }
  output.noalias() = inputs * weights.transpose();  // X = I·Wᵀ
}

template <typename Scalar>
void add_transposed_product(Scalar alpha, const ConstRef<Scalar>& deltas, const ConstRef<Scalar>& inputs,
                            MutableRef<Scalar> weights) {
  const Kernel<Scalar> tiled = kernel<Scalar>();
  if (tiled && kernel_suits(deltas.rows(), inputs.cols())) {
    // A = Dᵀ, read as A(i, k) = D(k, i); B = I (n, in).
    tiled({weights.rows(), weights.cols(), deltas.rows(), alpha, deltas.data(), 1, deltas.outerStride(), inputs.data(),
           inputs.outerStride(), 1, weights.data(), weights.outerStride(), true});
    return;
  }
  weights.noalias() += alpha * deltas.transpose() * inputs;  // W += α·Dᵀ·I
}

template void multiply_by_transpose<float>(const ConstRef<float>&, const ConstRef<float>&, MutableRef<float>);
template void multiply_by_transpose<double>(const ConstRef<double>&, const ConstRef<double>&, MutableRef<double>);
template void add_transposed_product<float>(float, const ConstRef<float>&, const ConstRef<float>&, MutableRef<float>);
template void add_transposed_product<double>(double, const ConstRef<double>&, const ConstRef<double>&,
                                             MutableRef<double>);

}  // namespace akili::detail
