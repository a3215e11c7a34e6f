// What pickling a network needs beyond the model file: the state of its random
// source, so a copy made in another process (pickle, deepcopy, joblib, Dask)
// shuffles the next epochs exactly as the original would.
#include "bindings.hpp"

#include "akili/network.hpp"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace akili::python {
namespace {

template <typename Scalar>
void bind_for(py::module_& module) {
  module.def(
      "random_state", [](const Network<Scalar>& network) { return network.random_source().state(); },
      py::arg("network"), "The network's random source as six unsigned 64-bit words.");
  module.def(
      "set_random_state",
      [](Network<Scalar>& network, const Random::State& state) {
        network.set_random_source(Random::from_state(state));
      },
      py::arg("network"), py::arg("state"), "Replaces the network's random source with a saved state.");
}

}  // namespace

void bind_pickle(py::module_& module) {
  bind_for<float>(module);
  bind_for<double>(module);
}

}  // namespace akili::python
