// Bindings of the model file (akili/model_file.hpp): bytes and paths in, native
// networks out. Errors: ModelFormatError -> akili.ModelFormatError (a ValueError),
// ModelFileError -> OSError with errno and filename (FileNotFoundError for ENOENT).
#include "bindings.hpp"

#include "akili/model_file.hpp"

#include <memory>
#include <string>
#include <utility>

namespace py = pybind11;

namespace akili::python {
namespace {

/// (network, dtype name, seed, init name) for a loaded model.
py::tuple to_python(AnyModel&& model) {
  return std::visit(
      [](auto&& loaded) {
        using Net = std::decay_t<decltype(loaded.network)>;
        const char* dtype = sizeof(typename Net::Matrix::Scalar) == 4 ? "float32" : "float64";
        auto network = std::make_unique<Net>(std::move(loaded.network));
        return py::make_tuple(py::cast(std::move(network)), dtype, loaded.info.seed, to_string(loaded.info.init));
      },
      std::move(model));
}

template <typename Scalar>
void bind_writers(py::module_& module) {
  module.def(
      "model_to_bytes",
      [](const Network<Scalar>& network, std::uint64_t seed, const std::string& init) {
        const ModelInfo info{seed, parse_init(init)};
        std::vector<std::uint8_t> bytes;
        {
          py::gil_scoped_release release;
          bytes = to_bytes(network, info);
        }
        return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      },
      py::arg("network"), py::arg("seed"), py::arg("init"), "The model file's bytes for a network.");
  module.def(
      "save_model",
      [](const Network<Scalar>& network, const std::string& path, std::uint64_t seed, const std::string& init,
         const std::string& caller) {
        const ModelInfo info{seed, parse_init(init)};
        py::gil_scoped_release release;
        save(network, path, info, caller.c_str());
      },
      py::arg("network"), py::arg("path"), py::arg("seed"), py::arg("init"), py::arg("caller"),
      "Writes the model file crash-safely (temporary file, fsync, atomic rename).");
}

}  // namespace

void bind_model(py::module_& module) {
  py::register_exception<ModelFormatError>(module, "ModelFormatError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr raised) {
    try {
      if (raised) std::rethrow_exception(raised);
    } catch (const ModelFileError& error) {
      // OSError(errno, text, filename) becomes the matching subclass, e.g. FileNotFoundError.
      const py::object instance =
          py::module_::import("builtins").attr("OSError")(error.code().value(), error.what(), error.path());
      PyErr_SetObject(py::type::handle_of(instance).ptr(), instance.ptr());
    }
  });
  bind_writers<float>(module);
  bind_writers<double>(module);
  module.def(
      "load_model",
      [](const std::string& path, const std::string& caller) {
        AnyModel model = [&] {
          py::gil_scoped_release release;
          return load(path, caller.c_str());
        }();
        return to_python(std::move(model));
      },
      py::arg("path"), py::arg("caller"), "Reads a model file: (network, dtype, seed, init).");
  module.def(
      "load_model_bytes",
      [](const py::bytes& data, const std::string& caller) {
        const std::string_view view(data);
        AnyModel model = [&] {
          py::gil_scoped_release release;
          return load_from_bytes(reinterpret_cast<const std::uint8_t*>(view.data()), view.size(), caller.c_str());
        }();
        return to_python(std::move(model));
      },
      py::arg("data"), py::arg("caller"), "Parses a model file held in memory: (network, dtype, seed, init).");
}

}  // namespace akili::python
