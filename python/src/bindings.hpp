#pragma once
// Declarations shared by the binding files; each file binds one area of the core.

#include <pybind11/pybind11.h>

namespace akili::python {

/// Binds Network<float> as `Network32` and Network<double> as `Network64`.
void bind_network(pybind11::module_& module);

/// Binds the model file: save_model, model_to_bytes, load_model, load_model_bytes
/// and the exception ModelFormatError.
void bind_model(pybind11::module_& module);

/// Binds the brute-force search: `brute_force`, `searchable_parameters`, `combination_text`.
void bind_brute_force(pybind11::module_& module);

/// Binds akili::backquery for both dtypes as `backquery(network, targets)`.
void bind_backquery(pybind11::module_& module);

/// Binds the full-batch evaluations for both dtypes: `loss_and_gradient`,
/// `flat_parameters`, `set_flat_parameters` (L-BFGS, akili._lbfgs).
void bind_full_batch(pybind11::module_& module);

/// Binds akili::train_restarts for both dtypes as `train_restarts(networks, ...)`.
void bind_restarts(pybind11::module_& module);

/// Binds the optimizers' names (OPTIMIZERS), `check_optimizer`, `optimizer_defaults`
/// and the opaque optimizer copies OptimizerState32 / OptimizerState64.
void bind_optimizer(pybind11::module_& module);

/// Binds the name tables (ACTIVATIONS, LOSSES, RULES, INITS), `predicted_classes`
/// and the exception NonFiniteDataError.
void bind_names(pybind11::module_& module);

/// Binds `random_state(network)` and `set_random_state(network, state)` (pickling).
void bind_pickle(pybind11::module_& module);

/// Binds the thread count: `set_num_threads(n)`, `get_num_threads()`.
void bind_threads(pybind11::module_& module);

// akili.build_info(): compiler, Eigen, kernels compiled in and in use.
void bind_build_info(pybind11::module_& module);
/// Binds the readers: `read_csv`, `csv_blocks`, `CsvRows`, `decode_idx` and the exception CsvError.
void bind_io(pybind11::module_& module);

}  // namespace akili::python
