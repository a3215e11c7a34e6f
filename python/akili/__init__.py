"""akili: fully-connected neural networks the way the from-scratch tutorials
teach them (X = W·I, O = sigmoid(X), errors back through Wᵀ, W += lr·ΔW), on a
C++/Eigen core.

>>> import akili
>>> nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=1)

Submodules loaded on first use: ``akili.datasets`` (IDX/CSV/npz readers and the
built-in data sets), ``akili.sklearn`` (scikit-learn estimators) and
``akili.onnx`` (ONNX export); the last two need the ``sklearn`` and ``onnx`` extras.
``akili.lessons`` compares the three error rules side by side.
``akili.optimizers`` holds SGD with momentum, Adagrad, RMSprop, Adam, AdamW and Rprop;
``akili.callbacks`` early stopping, checkpoints and learning-rate schedules for ``fit``.
``akili.plotting`` draws learning curves and back-queried images (the ``plot`` extra).
"""

import importlib as _importlib

from ._book import NeuralNetwork
from ._brute_force import BruteForceResult, brute_force, combination_count
from ._build_info import build_info
from ._core import DivergenceError
from ._dropout import Dropout
from ._history import History
from ._model_file import ModelFormatError, load, loads
from ._network import ACTIVATIONS, INITS, LOSSES, RULES, Dense, Network
from ._restarts import RestartResult, restarts
from ._threads import get_num_threads, set_num_threads
from ._trace import Trace
from ._version import __version__

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "LOSSES",
    "RULES",
    "BruteForceResult",
    "Dense",
    "Dropout",
    "DivergenceError",
    "History",
    "ModelFormatError",
    "Network",
    "NeuralNetwork",
    "RestartResult",
    "Trace",
    "__version__",
    "brute_force",
    "build_info",
    "combination_count",
    "restarts",
    "datasets",
    "get_num_threads",
    "set_num_threads",
    "load",
    "loads",
]

_LAZY_SUBMODULES = ("callbacks", "datasets", "lessons", "onnx", "optimizers", "plotting", "sklearn")


def __getattr__(name: str) -> object:
    # Submodules import on first use, so `import akili` stays light.
    if name in _LAZY_SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'akili' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The API only: what __all__ lists and the submodules, not the helpers this file imports.
    return sorted({*__all__, *_LAZY_SUBMODULES})
