#pragma once
// Declarations shared by the binding files; each file binds one area of the core.

#include <pybind11/pybind11.h>

namespace akili::python {

/// Binds Network<float> as `Network32` and Network<double> as `Network64`.
void bind_network(pybind11::module_& module);

}  // namespace akili::python
