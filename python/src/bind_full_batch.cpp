// Binding of the full-batch loss and gradient (akili/full_batch.hpp): the
// evaluations L-BFGS asks for, and the flattened parameters it moves.
#include "bindings.hpp"

#include "akili/full_batch.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>

namespace py = pybind11;

namespace akili::python {
namespace {

template <typename Scalar>
void bind_full_batch_type(py::module_& module) {
  using Matrix = RowMatrix<Scalar>;
  using Vec = Vector<Scalar>;
  module.def(
      "loss_and_gradient",
      [](const Network<Scalar>& network, const Eigen::Ref<const Matrix>& inputs,
         const Eigen::Ref<const Matrix>& targets, const Eigen::Ref<const Vec>& sample_weights, double l2,
         const char* caller) {
        Vec gradient(static_cast<Eigen::Index>(0));
        Eigen::Index count = 0;
        for (Eigen::Index size : network.parameter_sizes()) count += size;
        gradient.resize(count);
        double loss = 0.0;
        {
          py::gil_scoped_release release;
          loss = loss_and_gradient<Scalar>(network, inputs, targets, sample_weights, l2, gradient, caller);
        }
        return py::make_tuple(loss, gradient);
      },
      py::arg("network"), py::arg("inputs"), py::arg("targets"), py::arg("sample_weights"), py::arg("l2"),
      py::arg("caller"),
      "(J, dJ/dθ flattened) over the whole data set: weighted mean loss + l2/2·Σ‖W‖² (empty weights: all 1).");
  module.def("flat_parameters", &flat_parameters<Scalar>, py::arg("network"),
             "Every weight and bias, flattened layer by layer (W row by row, then b).");
  module.def("set_flat_parameters", &set_flat_parameters<Scalar>, py::arg("network"), py::arg("values"),
             py::arg("caller"), "Sets every weight and bias from flat_parameters' layout.");
}

}  // namespace

void bind_full_batch(py::module_& module) {
  bind_full_batch_type<float>(module);
  bind_full_batch_type<double>(module);
}

}  // namespace akili::python
