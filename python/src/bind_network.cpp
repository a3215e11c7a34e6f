// Bindings of akili::Network: arguments arrive as NumPy arrays (Eigen::Ref maps a
// C-contiguous array of the right dtype without copying; anything else is
// converted by pybind11) and names arrive as strings parsed by the core.
#include "bindings.hpp"
#include "optimizer_settings.hpp"

#include "akili/network.hpp"

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace py = pybind11;

namespace akili::python {
namespace {

/// (inputs, outputs, activation name, has bias) for one layer.
using LayerSpec = std::tuple<Eigen::Index, Eigen::Index, std::string, bool>;

template <typename Scalar>
py::dict trace_to_dict(const StepTrace<Scalar>& trace) {
  py::dict result;
  result["inputs"] = trace.inputs;
  result["combined"] = trace.combined;
  result["outputs"] = trace.outputs;
  result["errors"] = trace.errors;
  result["deltas"] = trace.deltas;
  result["weight_updates"] = trace.weight_updates;
  result["bias_updates"] = trace.bias_updates;
  result["dropout_masks"] = trace.dropout_masks;
  return result;
}

template <typename Scalar, typename Source>
const Scalar* row_from(const py::array& array, Eigen::Index length, RowMatrix<Scalar>& buffer) {
  const auto stride = array.strides(0) / static_cast<py::ssize_t>(sizeof(Source));
  const auto* values = static_cast<const Source*>(array.data());
  if constexpr (std::is_same_v<Scalar, Source>) {
    if (stride == 1) return values;  // used in place
  }
  buffer.resize(1, length);
  for (Eigen::Index i = 0; i < length; ++i) buffer(0, i) = static_cast<Scalar>(values[i * stride]);
  return buffer.data();
}

/// One example given as a 1-D float64 or float32 NumPy array of `length` values,
/// as a row of Scalar: in place when it already is one, else converted into
/// `buffer`. Null for anything else: the Python layer then converts and checks
/// it with its own messages (the per-call paths stay free of that work).
template <typename Scalar>
const Scalar* example_row(py::handle object, Eigen::Index length, RowMatrix<Scalar>& buffer) {
  if (!py::isinstance<py::array>(object)) return nullptr;
  const auto array = py::reinterpret_borrow<py::array>(object);
  if (array.ndim() != 1 || array.shape(0) != length || array.strides(0) % array.itemsize() != 0) return nullptr;
  if (py::array_t<double>::check_(object)) return row_from<Scalar, double>(array, length, buffer);
  if (py::array_t<float>::check_(object)) return row_from<Scalar, float>(array, length, buffer);
  return nullptr;
}

template <typename Scalar>
void bind_network_type(py::module_& module, const char* name) {
  using Net = Network<Scalar>;
  using Matrix = RowMatrix<Scalar>;
  using MatrixRef = Eigen::Ref<const Matrix>;
  using Release = py::call_guard<py::gil_scoped_release>;

  py::class_<Net>(module, name, "A network of dense layers (see akili.Network for the documented API).")
      .def(py::init([](const std::vector<LayerSpec>& specs, const std::string& loss, const std::string& rule,
                       Scalar learning_rate, const std::string& init, std::uint64_t seed) {
             std::vector<Dense<Scalar>> layers;
             for (const auto& [inputs, outputs, activation, bias] : specs) {
               layers.emplace_back(inputs, outputs, parse_activation(activation), bias);
             }
             auto network =
                 std::make_unique<Net>(std::move(layers), parse_loss(loss), parse_rule(rule), learning_rate, seed);
             network->initialize(parse_init(init), seed);
             return network;
           }),
           py::arg("layers"), py::arg("loss"), py::arg("rule"), py::arg("learning_rate"), py::arg("init"),
           py::arg("seed"))
      .def(
          "copy", [](const Net& network) { return Net(network); }, Release())
      .def(
          "initialize",
          [](Net& network, const std::string& init, std::uint64_t seed) {
            const Init parsed = parse_init(init);
            py::gil_scoped_release release;
            network.initialize(parsed, seed);
          },
          py::arg("init"), py::arg("seed"))
      .def_property_readonly("layer_count", &Net::layer_count)
      .def_property_readonly("inputs", &Net::inputs)
      .def_property_readonly("outputs", &Net::outputs)
      .def_property_readonly("loss", [](const Net& network) { return to_string(network.loss()); })
      .def_property(
          "rule", [](const Net& network) { return to_string(network.rule()); },
          [](Net& network, const std::string& rule) { network.set_rule(parse_rule(rule)); })
      .def_property("learning_rate", &Net::learning_rate, &Net::set_learning_rate)
      .def(
          "layer_info",
          [](const Net& network, std::size_t index) {
            const Dense<Scalar>& layer = network.layer(index);
            return py::make_tuple(layer.inputs(), layer.outputs(), to_string(layer.activation()), layer.has_bias(),
                                  layer.frozen());
          },
          py::arg("index"))
      .def("weights", &Net::weights, py::arg("index"), Release())
      .def("bias", &Net::bias, py::arg("index"), Release())
      .def(
          "trainable_mask",
          [](const Net& network, std::size_t index) { return Matrix(network.layer(index).trainable_mask()); },
          py::arg("index"))
      .def("set_weights", &Net::set_weights, py::arg("index"), py::arg("weights"), Release())
      .def("set_bias", &Net::set_bias, py::arg("index"), py::arg("bias"), Release())
      .def("set_frozen", &Net::set_frozen, py::arg("index"), py::arg("frozen"), Release())
      .def("set_dropout", &Net::set_dropout, py::arg("index"), py::arg("rate"), Release(),
           "Inverted dropout on layer index's outputs while training (0 <= rate < 1; not the output layer).")
      .def(
          "dropout", [](const Net& network, std::size_t index) { return network.layer(index).dropout(); },
          py::arg("index"), "Layer index's dropout rate (0: none).")
      .def("set_trainable_mask", &Net::set_trainable_mask, py::arg("index"), py::arg("mask"), Release())
      .def("predict", &Net::predict, py::arg("inputs"), Release())
      .def("loss_value", &Net::loss_value, py::arg("inputs"), py::arg("targets"), Release())
      .def(
          "forward_trace",
          [](const Net& network, const MatrixRef& inputs) {
            StepTrace<Scalar> trace;
            {
              py::gil_scoped_release release;
              trace = network.forward_trace(inputs);
            }
            return trace_to_dict(trace);
          },
          py::arg("inputs"))
      .def(
          "train_step",
          [](Net& network, const MatrixRef& inputs, const MatrixRef& targets, bool trace) {
            StepTrace<Scalar> recorded;
            double loss = 0.0;
            {
              py::gil_scoped_release release;
              loss = network.train_step(inputs, targets, trace ? &recorded : nullptr);
            }
            py::object record = py::none();
            if (trace) record = trace_to_dict(recorded);
            return py::make_tuple(loss, record);
          },
          py::arg("inputs"), py::arg("targets"), py::arg("trace") = false)
      .def(
          "train_example",
          [](Net& network, py::handle inputs, py::handle targets, const char* caller) {
            thread_local Matrix input_buffer;
            thread_local Matrix target_buffer;
            const Scalar* input = example_row<Scalar>(inputs, network.inputs(), input_buffer);
            const Scalar* target = input ? example_row<Scalar>(targets, network.outputs(), target_buffer) : nullptr;
            if (!target) return false;
            py::gil_scoped_release release;
            network.train_example(Eigen::Map<const Matrix>(input, 1, network.inputs()),
                                  Eigen::Map<const Matrix>(target, 1, network.outputs()), caller);
            return true;
          },
          py::arg("inputs"), py::arg("targets"), py::arg("caller"),
          "Queue one online step if both are 1-D float arrays of the right length; False (nothing done) otherwise.")
      .def(
          "step_example",
          [](Net& network, py::handle inputs, py::handle targets) -> py::object {
            thread_local Matrix input_buffer;
            thread_local Matrix target_buffer;
            const Scalar* input = example_row<Scalar>(inputs, network.inputs(), input_buffer);
            const Scalar* target = input ? example_row<Scalar>(targets, network.outputs(), target_buffer) : nullptr;
            if (!target) return py::none();
            double loss = 0.0;
            {
              py::gil_scoped_release release;
              loss = network.train_step(Eigen::Map<const Matrix>(input, 1, network.inputs()),
                                        Eigen::Map<const Matrix>(target, 1, network.outputs()));
            }
            return py::float_(loss);
          },
          py::arg("inputs"), py::arg("targets"),
          "One online step on 1-D float arrays, returning its loss (the first layer's update may be deferred); None "
          "(nothing done) for other input.")
      .def(
          "predict_example",
          [](const Net& network, py::handle inputs) -> py::object {
            thread_local Matrix input_buffer;
            const Scalar* input = example_row<Scalar>(inputs, network.inputs(), input_buffer);
            if (!input) return py::none();
            py::array_t<Scalar> result(network.outputs());
            {
              py::gil_scoped_release release;
              Eigen::Map<Matrix> output(result.mutable_data(), 1, network.outputs());
              network.predict_example(Eigen::Map<const Matrix>(input, 1, network.inputs()), output);
            }
            return std::move(result);
          },
          py::arg("inputs"), "The outputs for one 1-D float example; None (nothing done) for other input.")
      .def(
          "set_optimizer",
          [](Net& network, const std::string& name, const py::dict& settings) {
            const OptimizerSettings parsed = optimizer_settings(name, settings, "Network.optimizer");
            py::gil_scoped_release release;
            network.set_optimizer(parsed);
          },
          py::arg("name"), py::arg("settings"), "Selects an optimizer with fresh state (settings by keyword name).")
      .def_property_readonly("optimizer",
                             [](const Net& network) {
                               const OptimizerSettings settings = network.optimizer_settings();
                               return py::make_tuple(to_string(settings.kind), optimizer_settings_dict(settings));
                             })
      .def_property_readonly("uses_fast_paths", &Net::uses_fast_paths)
      .def("optimizer_state", &Net::optimizer, Release(), "A copy of the optimizer with its state.")
      .def(
          "set_optimizer_state",
          [](Net& network, const Optimizer<Scalar>& optimizer) { network.set_optimizer(optimizer); }, py::arg("state"),
          Release(), "Restores a copy taken by optimizer_state().")
      .def_property_readonly("single_steps", &Net::single_steps)
      .def(
          "train_epoch",
          [](Net& network, const MatrixRef& inputs, const MatrixRef& targets, std::size_t batch_size, bool shuffle,
             py::object progress, std::size_t every, py::object sample_weights) {
            // The hook runs between steps: it takes the GIL only to let Python
            // deliver Ctrl-C (KeyboardInterrupt propagates out, weights intact)
            // and to call the optional progress callback with the epoch's totals
            // so far, progress(samples, loss_sum, correct) (returns False to stop).
            const ProgressHook hook = [&progress](const EpochResult& so_far) {
              py::gil_scoped_acquire acquire;
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
              if (progress.is_none()) return true;
              const py::object answer = progress(so_far.samples, so_far.loss_sum, so_far.correct);
              return !(answer.is(py::bool_(false)));
            };
            // None: unweighted (every fast path); else a copy in the network's dtype.
            const Vector<Scalar> weights =
                sample_weights.is_none() ? Vector<Scalar>() : sample_weights.cast<Vector<Scalar>>();
            EpochResult result;
            {
              py::gil_scoped_release release;
              result = network.train_epoch(inputs, targets, batch_size, shuffle, hook, every, weights);
            }
            return py::make_tuple(result.loss_sum, result.correct, result.samples, result.stopped, result.weight_sum);
          },
          py::arg("inputs"), py::arg("targets"), py::arg("batch_size"), py::arg("shuffle"),
          py::arg("progress") = py::none(), py::arg("every") = 0, py::arg("sample_weights") = py::none(),
          "One epoch: (loss_sum, correct, samples, stopped, weight_sum); loss_sum / weight_sum is the mean loss.");
}

}  // namespace

void bind_network(py::module_& module) {
  bind_network_type<float>(module, "Network32");
  bind_network_type<double>(module, "Network64");
}

}  // namespace akili::python
