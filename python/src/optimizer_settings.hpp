// Optimizer settings to and from a Python dict of keyword names (the names of
// akili.optimizers: beta_1, epsilon, ...), shared by the binding files.
#pragma once

#include "akili/optimizer.hpp"

#include <pybind11/pybind11.h>

#include <string>

namespace akili::python {

/// torch.optim's defaults for `name`, with every entry of `values` applied; throws
/// std::invalid_argument naming `where` for an unknown key and, through
/// OptimizerSettings::check, for a value out of range.
OptimizerSettings optimizer_settings(const std::string& name, const pybind11::dict& values, const char* where);

/// Every setting the optimizer reads, under its keyword name.
pybind11::dict optimizer_settings_dict(const OptimizerSettings& settings);

}  // namespace akili::python
