"""Export a trained network to ONNX, to run it wherever ONNX runs.

Each Dense layer becomes a Gemm node, Y = X·Wᵀ + b (``transB=1``: W keeps the
book's (outputs, inputs) shape), followed by its activation node (Sigmoid, Tanh,
Relu or Softmax over the last axis; identity adds none). Samples are rows, the
batch dimension is dynamic: input ``"input"`` (N, inputs), output ``"output"``
(N, outputs). Needs the ``onnx`` extra::

    import akili.onnx
    akili.onnx.export(net, "net.onnx")
    # onnxruntime.InferenceSession("net.onnx").run(None, {"input": X.astype("float32")})
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ._network import Network
from ._version import __version__

__all__ = ["DEFAULT_OPSET", "MIN_OPSET", "export", "to_onnx"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


# ONNX opset 21 (IR version 10): recent, and run by every onnxruntime since 1.18.
DEFAULT_OPSET = 21
# Softmax normalises over one axis from opset 13 on (before, it flattened the rest).
MIN_OPSET = 13

_ACTIVATION_NODES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax", "identity": None}
_ELEMENT_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}


def _network_of(model: Any) -> Network:
    """The akili.Network in ``model``: a Network, or a fitted akili.sklearn estimator."""
    if isinstance(model, Network):
        return model
    network = getattr(model, "network_", None)
    if isinstance(network, Network):
        return network
    raise TypeError(
        f"[akili.onnx] expected an akili.Network or a fitted akili.sklearn estimator, got {type(model).__name__}"
    )


def to_onnx(model: Any, *, dtype: Any = None, opset: int = DEFAULT_OPSET, name: str = "akili") -> onnx.ModelProto:
    """The ONNX model of an akili.Network (or fitted AkiliClassifier/AkiliRegressor).

    ``dtype`` is "float32" or "float64" (default: the network's); ``opset`` from 13
    to the newest the installed onnx knows (pick one your runtime supports).
    The model is checked with ``onnx.checker.check_model(full_check=True)``.
    """
    network = _network_of(model)
    element = np.dtype(network.dtype if dtype is None else dtype)
    if element not in _ELEMENT_TYPES:
        raise ValueError(f"[akili.onnx] expected dtype 'float32' or 'float64', got {element.name!r}")
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"[akili.onnx] expected an opset from {MIN_OPSET} to {newest}, got {opset!r}")
    element_type = _ELEMENT_TYPES[element]

    nodes: list[onnx.NodeProto] = []
    initializers: list[onnx.TensorProto] = []
    current = "input"
    last = len(network.layers) - 1
    for index, layer in enumerate(network.layers):
        activation_op = _ACTIVATION_NODES[layer.activation]
        weights_name = f"layer{index}.weights"
        initializers.append(numpy_helper.from_array(np.asarray(layer.weights, dtype=element), weights_name))
        gemm_inputs = [current, weights_name]
        if layer.bias is not None:
            bias_name = f"layer{index}.bias"
            initializers.append(numpy_helper.from_array(np.asarray(layer.bias, dtype=element), bias_name))
            gemm_inputs.append(bias_name)
        combined = "output" if index == last and activation_op is None else f"layer{index}.combined"
        # X = I·Wᵀ + b: Gemm computes alpha·A·Bᵀ + beta·C with transB=1.
        nodes.append(helper.make_node("Gemm", gemm_inputs, [combined], name=f"layer{index}.gemm", transB=1))
        current = combined
        if activation_op is not None:
            activated = "output" if index == last else f"layer{index}.output"
            attributes: dict[str, Any] = {"axis": -1} if activation_op == "Softmax" else {}
            nodes.append(
                helper.make_node(
                    activation_op, [current], [activated], name=f"layer{index}.{layer.activation}", **attributes
                )
            )
            current = activated

    graph = helper.make_graph(
        nodes,
        name,
        inputs=[helper.make_tensor_value_info("input", element_type, ["N", network.n_inputs])],
        outputs=[helper.make_tensor_value_info("output", element_type, ["N", network.n_outputs])],
        initializer=initializers,
    )
    onnx_model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="akili", producer_version=__version__
    )
    # The oldest IR version that carries this opset, so older runtimes load the file.
    onnx_model.ir_version = helper.find_min_ir_version_for(list(onnx_model.opset_import))
    onnx_model.doc_string = repr(network)
    classes = getattr(model, "classes_", None)
    if classes is not None:
        # Output column k is the probability of classes_[k].
        helper.set_model_props(onnx_model, {"classes": "\n".join(str(label) for label in classes)})
    onnx.checker.check_model(onnx_model, full_check=True)
    return onnx_model


def export(
    model: Any, path: str | os.PathLike[str], *, dtype: Any = None, opset: int = DEFAULT_OPSET
) -> onnx.ModelProto:
    """Write ``model`` (an akili.Network or fitted akili.sklearn estimator) to ``path``
    as ONNX; returns the ModelProto. See ``to_onnx`` for ``dtype`` and ``opset``."""
    onnx_model = to_onnx(model, dtype=dtype, opset=opset)
    onnx.save_model(onnx_model, os.fspath(path))
    return onnx_model
