"""Brute force over a grid of weights: the lecture's alternative to gradient descent.

The search itself runs in the C++ core (cpp/src/brute_force.cpp); this module
checks arguments and packages the answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _core
from ._network import Network
from ._validation import as_matrix, as_targets, check_positive_int

DEFAULT_GRID = np.linspace(-2.0, 2.0, 21)
DEFAULT_LIMIT = 10_000_000


@dataclass(frozen=True, eq=False)
class BruteForceResult:
    """The best grid point of :func:`brute_force`.

    ``weights[k]`` (outputs, inputs) and ``biases[k]`` (outputs,) or None are the
    best values for layer k (weights that were frozen keep their values);
    ``loss`` is their mean per-sample loss; ``tried`` the number of combinations
    evaluated out of ``combinations`` = grid size ** ``parameters``.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray | None, ...]
    loss: float
    tried: int
    combinations: int
    parameters: int
    seconds: float

    def apply(self, network: Network) -> None:
        """Writes the best weights and biases into ``network`` (the one searched)."""
        if len(network.layers) != len(self.weights):
            raise ValueError(
                f"[BruteForceResult.apply] expected a network of {len(self.weights)} layers, got {len(network.layers)}"
            )
        for layer, weights, bias in zip(network.layers, self.weights, self.biases):
            layer.weights = weights
            if bias is not None:
                layer.bias = bias

    def __repr__(self) -> str:
        return (
            f"BruteForceResult(loss={self.loss:.6g}, tried={self.tried}, combinations={self.combinations}, "
            f"parameters={self.parameters}, seconds={self.seconds:.3g})"
        )


def combination_count(grid_size: int, parameters: int) -> str:
    """``"G^P = N combinations"``, e.g. ``combination_count(1000, 18)`` ->
    ``"1000^18 = 1e54 combinations"`` (the lecture's 3-3-3 network)."""
    grid_size = check_positive_int(grid_size, "grid_size", "combination_count")
    parameters = check_positive_int(parameters, "parameters", "combination_count")
    return _core.combination_text(grid_size, parameters)


def brute_force(
    network: Network,
    inputs: Any,
    targets: Any,
    *,
    grid: Any = DEFAULT_GRID,
    limit: int = DEFAULT_LIMIT,
) -> BruteForceResult:
    """Tries every combination of ``grid`` values for every trainable weight and
    bias of ``network`` and returns the one with the smallest mean loss on
    (inputs, targets), as computed by the network's own forward pass and loss.

    The network is not changed (``result.apply(network)`` loads the answer).
    Weights in a frozen layer or masked out by ``trainable_mask`` keep their
    values and are not searched. With G grid values and P parameters this is
    G**P forward passes: when that exceeds ``limit`` a ValueError carrying the
    count is raised before any work (the lecture's 3-3-3 net on 1,000 values:
    "1000^18 = 1e54 combinations"). The search releases the GIL and answers Ctrl-C.
    """
    if not isinstance(network, Network):
        raise TypeError(f"[brute_force] expected an akili.Network, got {type(network).__name__}")
    limit = check_positive_int(limit, "limit", "brute_force")
    values = np.asarray(grid)
    if values.dtype.kind not in "biuf":
        raise TypeError(f"[brute_force] expected grid as real numbers, got dtype {values.dtype}")
    values = values.astype(network.dtype)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"[brute_force] expected grid as a non-empty 1-D sequence of values, got shape {values.shape}")
    matrix, _ = as_matrix(inputs, dtype=network.dtype, columns=network.n_inputs, name="inputs", where="brute_force")
    target_matrix = as_targets(
        targets, dtype=network.dtype, columns=network.n_outputs, samples=matrix.shape[0], where="brute_force"
    )
    started = time.perf_counter()
    answer = _core.brute_force(
        network._native, matrix, target_matrix, values.tolist(), min(limit, np.iinfo(np.uint64).max)
    )
    seconds = time.perf_counter() - started
    biases = tuple(np.asarray(b) if layer.has_bias else None for layer, b in zip(network.layers, answer["biases"]))
    return BruteForceResult(
        weights=tuple(np.asarray(w) for w in answer["weights"]),
        biases=biases,
        loss=float(answer["loss"]),
        tried=int(answer["tried"]),
        combinations=int(answer["combinations"]),
        parameters=int(answer["parameters"]),
        seconds=seconds,
    )
