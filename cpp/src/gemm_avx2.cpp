// The product kernel built for AVX2 and FMA (Haswell, Zen and later): CMakeLists.txt compiles this
// file alone with -mavx2 -mfma. products.cpp calls it only on a CPU that has
// these instructions (detail::active_isa); all the code lives in
// gemm_kernel.hpp's anonymous namespace, so none of it is shared with other
// translation units.
#include "gemm_kernel.hpp"

namespace akili::detail::isa_avx2 {

void gemm(const GemmCall<float>& call) { kernels::gemm<float>(call); }
void gemm(const GemmCall<double>& call) { kernels::gemm<double>(call); }

}  // namespace akili::detail::isa_avx2
