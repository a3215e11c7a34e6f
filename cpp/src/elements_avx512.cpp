// The element-wise loops (element_loops.hpp) built for AVX-512F (Skylake-X, Zen 4 and later):
// cmake/AkiliKernels.cmake compiles this file with its instruction set's flags,
// and elements.cpp calls it only on a CPU that has them (akili::active_isa).
#include "element_loops.hpp"

namespace akili::detail::isa_avx512 {

void element_loops(ElementLoops<float>& loops) { kernels::fill_element_loops(loops); }
void element_loops(ElementLoops<double>& loops) { kernels::fill_element_loops(loops); }

}  // namespace akili::detail::isa_avx512
