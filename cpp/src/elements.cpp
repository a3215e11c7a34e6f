// Dispatch of the element-wise loops (isa_kernels.hpp's ElementLoops): the
// kernels of the instruction set chosen once per process (akili::active_isa),
// the baseline loops of activation.cpp and adam.cpp otherwise. Every set gives
// the same bits (element_loops.hpp), so the choice changes only the speed.
#include "akili/build_info.hpp"
#include "isa_kernels.hpp"

namespace akili::detail {

namespace {

template <typename Scalar>
ElementLoops<Scalar> chosen_element_loops() {
  ElementLoops<Scalar> loops{&baseline_sigmoid<Scalar>, &baseline_adam<Scalar>};
  switch (active_isa()) {
#if AKILI_X86_KERNELS
    case Isa::avx2:
      isa_avx2::element_loops(loops);
      break;
    case Isa::avx512:
      isa_avx512::element_loops(loops);
      break;
#endif
    default:
      break;
  }
  return loops;
}

}  // namespace

template <typename Scalar>
const ElementLoops<Scalar>& active_element_loops() {
  static const ElementLoops<Scalar> chosen = chosen_element_loops<Scalar>();
  return chosen;
}
template const ElementLoops<float>& active_element_loops<float>();
template const ElementLoops<double>& active_element_loops<double>();

}  // namespace akili::detail
