// Bindings of the build information and the kernel choice (akili/build_info.hpp).
#include "bindings.hpp"

#include "akili/build_info.hpp"

namespace py = pybind11;

namespace akili::python {

namespace {

py::list isa_names(const std::vector<Isa>& sets) {
  py::list names;
  for (const Isa isa : sets) names.append(to_string(isa));
  return names;
}

}  // namespace

void bind_build_info(py::module_& module) {
  module.def(
      "build_info",
      [] {
        const BuildInfo info = akili::build_info();
        py::dict result;
        result["version"] = info.version;
        result["compiler"] = info.compiler;
        result["eigen"] = info.eigen_version;
        result["architecture"] = info.architecture;
        result["native"] = info.native;
        result["compiled"] = isa_names(info.compiled);
        result["supported"] = isa_names(info.supported);
        result["active"] = to_string(info.active);
        result["selected_by"] = info.forced ? "AKILI_ISA" : "cpu";
        return result;
      },
      "The core's build (compiler, Eigen, native or portable) and product kernels: compiled, supported by this "
      "CPU, in use; raises ValueError for a bad AKILI_ISA.");
}

}  // namespace akili::python
