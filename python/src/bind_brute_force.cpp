// Bindings of the brute-force search (akili/brute_force.hpp): conversion only.
#include "bindings.hpp"

#include "akili/brute_force.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <vector>

namespace py = pybind11;

namespace akili::python {
namespace {

template <typename Scalar>
void bind_brute_force_type(py::module_& module) {
  using Net = Network<Scalar>;
  using MatrixRef = Eigen::Ref<const RowMatrix<Scalar>>;

  module.def(
      "brute_force",
      [](const Net& network, const MatrixRef& inputs, const MatrixRef& targets, const std::vector<Scalar>& grid,
         std::uint64_t limit) {
        // The hook runs between combinations with the GIL taken only to let
        // Python deliver Ctrl-C (KeyboardInterrupt propagates out of the search).
        const SearchHook hook = [](std::uint64_t) {
          py::gil_scoped_acquire acquire;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
          return true;
        };
        BruteForceResult<Scalar> result;
        {
          py::gil_scoped_release release;
          result = brute_force<Scalar>(network, inputs, targets, grid, limit, hook);
        }
        py::dict answer;
        answer["weights"] = result.weights;
        answer["biases"] = result.biases;
        answer["loss"] = result.loss;
        answer["tried"] = result.tried;
        answer["combinations"] = result.combinations;
        answer["parameters"] = result.parameters;
        answer["stopped"] = result.stopped;
        return answer;
      },
      py::arg("network"), py::arg("inputs"), py::arg("targets"), py::arg("grid"), py::arg("limit"),
      "Best grid point for the network's searchable weights and biases (see akili.brute_force).");
  module.def("searchable_parameters", &searchable_parameters<Scalar>, py::arg("network"),
             "Number of weights and biases brute force would search.");
}

}  // namespace

void bind_brute_force(py::module_& module) {
  bind_brute_force_type<float>(module);
  bind_brute_force_type<double>(module);
  module.def("combination_text", &combination_text, py::arg("grid_size"), py::arg("parameters"),
             "\"G^P = N combinations\" for G grid values and P parameters, e.g. \"1000^18 = 1e54 combinations\".");
}

}  // namespace akili::python
