// Binding of akili::backquery: the network run backwards from target outputs.
#include "bindings.hpp"

#include "akili/backquery.hpp"

#include <pybind11/eigen.h>

namespace py = pybind11;

namespace akili::python {
namespace {

template <typename Scalar>
void bind_backquery_type(py::module_& module) {
  module.def("backquery", &backquery<Scalar>, py::arg("network"), py::arg("targets"),
             py::call_guard<py::gil_scoped_release>(),
             "Input-space signals (n, inputs) for targets (n, outputs); see akili.Network.backquery.");
}

}  // namespace

void bind_backquery(py::module_& module) {
  bind_backquery_type<float>(module);
  bind_backquery_type<double>(module);
}

}  // namespace akili::python
