// The compiled module akili._core: conversion between NumPy and the C++ core only.
#include "bindings.hpp"

#include "akili/network.hpp"

PYBIND11_MODULE(_core, module) {
  module.doc() = "akili's C++ core (Eigen); use the akili package rather than this module directly.";
  pybind11::register_exception<akili::DivergenceError>(module, "DivergenceError", PyExc_ArithmeticError);
  akili::python::bind_names(module);
  akili::python::bind_optimizer(module);
  akili::python::bind_network(module);
  akili::python::bind_threads(module);
  akili::python::bind_build_info(module);
  akili::python::bind_model(module);
  akili::python::bind_pickle(module);
  akili::python::bind_restarts(module);
  akili::python::bind_backquery(module);
  akili::python::bind_full_batch(module);
  akili::python::bind_brute_force(module);
  akili::python::bind_io(module);
}
