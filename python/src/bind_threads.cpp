// Bindings of the core's thread count (akili/threads.hpp).
#include "bindings.hpp"

#include "akili/threads.hpp"

namespace py = pybind11;

namespace akili::python {

void bind_threads(py::module_& module) {
  module.def("set_num_threads", &akili::set_num_threads, py::arg("n"),
             "Threads for later training and prediction calls; n <= 0 restores the default "
             "(OMP_NUM_THREADS if set, else every core).");
  module.def("get_num_threads", &akili::num_threads, "Threads training and prediction use (>= 1).");
}

}  // namespace akili::python
