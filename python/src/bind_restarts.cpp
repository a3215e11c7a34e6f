// Bindings of akili::train_restarts: the networks arrive as the native objects
// behind akili.Network (Network32 or Network64), the data as NumPy arrays; the
// runs train with the GIL released while this thread polls for Ctrl-C.
#include "bindings.hpp"

#include "akili/restarts.hpp"

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include <vector>

namespace py = pybind11;

namespace akili::python {
namespace {

py::dict run_to_dict(const RestartRun& run) {
  py::dict result;
  result["loss"] = run.loss;
  result["correct"] = run.correct;
  result["samples"] = run.samples;
  result["epoch_seconds"] = run.epoch_seconds;
  result["score"] = run.score;
  result["stopped"] = run.stopped;
  result["error"] = run.error;
  return result;
}

template <typename Scalar>
void bind_restarts_type(py::module_& module) {
  using MatrixRef = Eigen::Ref<const RowMatrix<Scalar>>;
  module.def(
      "train_restarts",
      [](const std::vector<Network<Scalar>*>& networks, const MatrixRef& inputs, const MatrixRef& targets,
         const MatrixRef& score_inputs, const MatrixRef& score_targets, std::size_t epochs, std::size_t batch_size,
         bool shuffle, std::size_t threads) {
        const RestartOptions options{epochs, batch_size, shuffle, threads};
        // Polled from this (the calling, main) thread: only it may take the GIL to
        // let Python deliver Ctrl-C; KeyboardInterrupt stops every run and propagates.
        const StopHook should_stop = []() {
          py::gil_scoped_acquire acquire;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
          return false;
        };
        std::vector<RestartRun> runs;
        {
          py::gil_scoped_release release;
          runs = train_restarts<Scalar>(networks, inputs, targets, score_inputs, score_targets, options, should_stop);
        }
        py::list result;
        for (const RestartRun& run : runs) result.append(run_to_dict(run));
        return result;
      },
      py::arg("networks"), py::arg("inputs"), py::arg("targets"), py::arg("score_inputs"), py::arg("score_targets"),
      py::arg("epochs"), py::arg("batch_size"), py::arg("shuffle"), py::arg("threads"),
      "Trains each network (all of one dtype) on (inputs, targets) on parallel threads and scores it by its mean "
      "loss on (score_inputs, score_targets); returns one dict per run: loss, correct, samples, epoch_seconds "
      "(per epoch), score, stopped, error.");
}

}  // namespace

void bind_restarts(py::module_& module) {
  bind_restarts_type<float>(module);
  bind_restarts_type<double>(module);
}

}  // namespace akili::python
