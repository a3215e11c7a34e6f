// Bindings of the optimizer seam (akili/optimizer.hpp): the names, the settings
// check, and the optimizer state as an opaque value (a copy of it, restored whole).
#include "bindings.hpp"
#include "optimizer_settings.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace akili::python {
namespace {

// Each keyword name and the setting it reads or writes: the numbers, then the flags.
template <typename Visit>
void for_each_setting(OptimizerSettings& settings, const Visit& visit) {
  for_each_number(settings, visit);
  visit("nesterov", settings.nesterov);
  visit("centered", settings.centered);
}

template <typename Scalar>
void bind_state_type(py::module_& module, const char* name) {
  py::class_<Optimizer<Scalar>>(module, name, "A copy of a network's optimizer: settings and per-tensor state.")
      .def_property_readonly("name",
                             [](const Optimizer<Scalar>& optimizer) { return to_string(optimizer.settings().kind); })
      .def_property_readonly("tensors", [](const Optimizer<Scalar>& optimizer) {
        // (steps, [slot arrays]) per tensor: layer k's W at 2k, its b at 2k+1.
        py::list tensors;
        for (const auto& state : optimizer.states()) {
          py::list slots;
          for (const auto& slot : state.slots) slots.append(py::cast(Vector<Scalar>(slot.matrix())));
          tensors.append(py::make_tuple(state.steps, slots));
        }
        return tensors;
      });
}

}  // namespace

OptimizerSettings optimizer_settings(const std::string& name, const py::dict& values, const char* where) {
  OptimizerSettings settings = OptimizerSettings::defaults(parse_optimizer(name));
  for (const auto& item : values) {
    // Named handles, not a structured binding: a lambda may capture those only from C++20.
    const py::handle key = item.first;
    const py::handle value = item.second;
    const std::string text = py::str(key);
    bool known = false;
    for_each_setting(settings, [&](const char* setting, auto& field) {
      if (text != setting) return;
      known = true;
      field = value.cast<std::remove_reference_t<decltype(field)>>();
    });
    if (!known) {
      throw std::invalid_argument(std::string("[") + where + "] unknown optimizer setting \"" + text + "\"");
    }
  }
  settings.check(where);
  return settings;
}

py::dict optimizer_settings_dict(const OptimizerSettings& settings) {
  py::dict values;
  OptimizerSettings copy = settings;
  for_each_setting(copy, [&](const char* setting, auto& field) { values[setting] = field; });
  return values;
}

void bind_optimizer(py::module_& module) {
  module.attr("OPTIMIZERS") = py::tuple(py::cast(optimizer_names()));
  module.def(
      "check_optimizer",
      [](const std::string& name, const py::dict& values, const std::string& where) {
        optimizer_settings(name, values, where.c_str());
      },
      py::arg("name"), py::arg("settings"), py::arg("where"),
      "Raises ValueError naming `where` when the settings are out of torch.optim's range.");
  module.def(
      "optimizer_defaults",
      [](const std::string& name) {
        return optimizer_settings_dict(OptimizerSettings::defaults(parse_optimizer(name)));
      },
      py::arg("name"), "torch.optim's defaults for the optimizer `name`, as keyword settings.");
  bind_state_type<float>(module, "OptimizerState32");
  bind_state_type<double>(module, "OptimizerState64");
}

}  // namespace akili::python
