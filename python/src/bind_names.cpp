// The core's shared tables and rules, exported so the Python layer never repeats
// them: the accepted names (ACTIVATIONS, LOSSES, RULES, INITS), the predicted-class
// rule, and NonFiniteDataError with its `data` and `row` as attributes (Python
// reports it under the caller's name without reading the message).
#include "bindings.hpp"

#include "akili/classes.hpp"
#include "akili/errors.hpp"
#include "akili/types.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <exception>
#include <string>
#include <vector>

namespace py = pybind11;

namespace akili::python {
namespace {

template <typename Scalar>
py::array_t<std::int64_t> predicted_classes(const Eigen::Ref<const RowMatrix<Scalar>>& outputs) {
  py::array_t<std::int64_t> classes(outputs.rows());
  auto out = classes.mutable_unchecked<1>();
  for (Eigen::Index r = 0; r < outputs.rows(); ++r) out(r) = predicted_class(outputs.row(r).data(), outputs.cols());
  return classes;
}

py::tuple as_tuple(const std::vector<std::string>& names) { return py::tuple(py::cast(names)); }

}  // namespace

void bind_names(py::module_& module) {
  module.attr("ACTIVATIONS") = as_tuple(activation_names());
  module.attr("LOSSES") = as_tuple(loss_names());
  module.attr("RULES") = as_tuple(rule_names());
  module.attr("INITS") = as_tuple(init_names());

  module.def("predicted_classes", &predicted_classes<float>, py::arg("outputs"));
  module.def("predicted_classes", &predicted_classes<double>, py::arg("outputs"),
             "The class each row of outputs (n, k) predicts: argmax (first on a tie); one output: 1 when >= 0.5.");

  // A ValueError subclass; the translator sets `data` ("inputs" or "targets") and `row`.
  py::object type = py::reinterpret_steal<py::object>(
      PyErr_NewException("akili._core.NonFiniteDataError", PyExc_ValueError, nullptr));
  module.attr("NonFiniteDataError") = type;
  py::register_exception_translator([](std::exception_ptr pointer) {
    try {
      if (pointer) std::rethrow_exception(pointer);
    } catch (const NonFiniteDataError& error) {
      py::object error_type = py::module_::import("akili._core").attr("NonFiniteDataError");
      py::object instance = error_type(error.what());
      instance.attr("data") = error.data();
      instance.attr("row") = error.row();
      PyErr_SetObject(error_type.ptr(), instance.ptr());
    }
  });
}

}  // namespace akili::python
