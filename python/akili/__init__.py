"""akili: fully-connected neural networks the way the from-scratch tutorials
teach them (X = W·I, O = sigmoid(X), errors back through Wᵀ, W += lr·ΔW), on a
C++/Eigen core.

>>> import akili
>>> nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=1)

Submodules loaded on first use: ``akili.datasets`` (IDX/CSV/npz readers and the
built-in data sets).
"""

from __future__ import annotations

import importlib
from typing import Any

from ._book import NeuralNetwork
from ._core import DivergenceError
from ._history import History
from ._network import ACTIVATIONS, INITS, LOSSES, RULES, Dense, Network
from ._trace import Trace
from ._version import __version__

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "LOSSES",
    "RULES",
    "Dense",
    "DivergenceError",
    "History",
    "Network",
    "NeuralNetwork",
    "Trace",
    "__version__",
    "datasets",
]

_LAZY_SUBMODULES = {"datasets"}


def __getattr__(name: str) -> Any:
    # Submodules import on first use, so `import akili` stays light.
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'akili' has no attribute {name!r}")
