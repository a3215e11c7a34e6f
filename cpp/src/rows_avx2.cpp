// The row loops of online training built for AVX2 and FMA (Haswell, Zen and later): cmake/AkiliKernels.cmake
// compiles this file with its instruction set's flags, and row_kernels.hpp calls
// it only on a CPU that has them (akili::active_isa). The code lives in
// row_loops.hpp's anonymous namespace, so none of it is shared with other
// translation units.
#include "row_loops.hpp"

namespace akili::detail::isa_avx2 {

void row_loops(RowLoops<float>& loops) { kernels::fill_row_loops(loops); }
void row_loops(RowLoops<double>& loops) { kernels::fill_row_loops(loops); }

}  // namespace akili::detail::isa_avx2
