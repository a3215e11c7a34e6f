"""One learner's playground: the settings, the data, the network and its training,
all run by akili's core through the public API.

A :class:`Session` belongs to one browser tab. Everything the page shows comes
from here: ``frame()`` trains ``epochs_per_frame`` epochs with ``Network.fit`` and
returns the new state (losses, weights, the decision boundary and every node's
output over the plane), ``step("example")`` is exactly ``net.step(x, t, trace=True)``
on the next training example, ``model_bytes()`` is ``Network.to_bytes()`` and
``python_code()`` writes a script that replays the same run.

Which settings start again: changing the data, the layers, an activation, the
loss, bias or the seed builds a new network (as TensorFlow Playground does);
the rule, the learning rate, the batch size and the speed change the running
network and the training continues (the exported code records when).
"""

from __future__ import annotations

import base64
import copy
import threading
import time
from typing import Any

import numpy as np

import akili

from . import options as opts
from .data import DATASETS, IRIS_FEATURES, IRIS_SPECIES, make_points
from .lectures import LECTURES

GRID = 48  # the decision boundary's cells per side
NODE_GRID = 24  # cells per side of each node's map (the forward trace costs more per point than predict)
MAX_HIDDEN_LAYERS = 6
MAX_NODES = 12
MAX_EXTRA_POINTS = 1000
MAX_EPOCHS_PER_FRAME = 100
MAX_HISTORY = 5000  # loss-curve points kept (older ones are thinned out two to one)
DATA_NAMES = DATASETS + tuple(f"lecture:{name}" for name in LECTURES)

DEFAULT_CONFIG: dict[str, Any] = {
    "data": "xor",
    "count": 500,
    "noise": 0.0,
    "test_share": 0.5,
    "iris_features": [2, 3],
    "iris_species": 1,
    "hidden": [{"nodes": 4, "activation": "tanh"}, {"nodes": 4, "activation": "tanh"}],
    "output_activation": "sigmoid",
    "bias": True,
    "epochs_per_frame": 1,
    **{option.name: option.default for option in opts.OPTIONS},
}
LIVE_KEYS = {option.name for option in opts.OPTIONS if option.live} | {"epochs_per_frame"}


class SessionError(ValueError):
    """A request the session cannot carry out (its message is shown to the learner)."""


class TrainingDiverged(SessionError):
    """The loss became non-finite; ``Network.fit`` restored the weights of the epoch's start."""


def _whole(value: Any, low: int, high: int, what: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or value != int(value)
        or not low <= value <= high
    ):
        raise SessionError(f"[playground config] expected {what} as a whole number from {low} to {high}, got {value!r}")
    return int(value)


def _number(value: Any, low: float, high: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise SessionError(f"[playground config] expected {what} from {low:g} to {high:g}, got {value!r}")
    return float(value)


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise SessionError(f"[playground config] unknown {what} {value!r}; expected one of {', '.join(choices)}")
    return value


def check_config(changes: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``base`` (default: the defaults) with ``changes`` applied, every value checked."""
    if not isinstance(changes, dict):
        raise SessionError(f"[playground config] expected a JSON object of settings, got {type(changes).__name__}")
    config = copy.deepcopy(DEFAULT_CONFIG if base is None else base)
    unknown = sorted(set(changes) - set(DEFAULT_CONFIG))
    if unknown:
        raise SessionError(
            f"[playground config] unknown setting {unknown[0]!r}; expected some of {', '.join(DEFAULT_CONFIG)}"
        )
    config.update(copy.deepcopy(changes))
    config["data"] = _choice(config["data"], DATA_NAMES, "data set")
    config["count"] = _whole(config["count"], 10, 2000, "count")
    config["noise"] = _number(config["noise"], 0.0, 0.5, "noise")
    config["test_share"] = _number(config["test_share"], 0.05, 0.95, "test_share")
    features = config["iris_features"]
    if (
        not isinstance(features, list)
        or len(features) != 2
        or any(isinstance(f, bool) or f not in range(len(IRIS_FEATURES)) for f in features)
        or features[0] == features[1]
    ):
        raise SessionError(
            f"[playground config] expected iris_features as two different indices from 0 to 3, got {features!r}"
        )
    config["iris_species"] = _whole(config["iris_species"], 0, len(IRIS_SPECIES) - 1, "iris_species")
    hidden = config["hidden"]
    if not isinstance(hidden, list) or len(hidden) > MAX_HIDDEN_LAYERS:
        raise SessionError(
            f"[playground config] expected hidden as a list of at most {MAX_HIDDEN_LAYERS} layers, got {hidden!r}"
        )
    for layer in hidden:
        if not isinstance(layer, dict) or set(layer) != {"nodes", "activation"}:
            raise SessionError(
                f'[playground config] expected each hidden layer as {{"nodes": n, "activation": name}}, got {layer!r}'
            )
        layer["nodes"] = _whole(layer["nodes"], 1, MAX_NODES, "nodes per layer")
        _choice(layer["activation"], akili.ACTIVATIONS, "activation")
    _choice(config["output_activation"], tuple(a for a in akili.ACTIVATIONS if a != "softmax"), "output activation")
    if not isinstance(config["bias"], bool):
        raise SessionError(f"[playground config] expected bias as true or false, got {config['bias']!r}")
    config["epochs_per_frame"] = _whole(config["epochs_per_frame"], 1, MAX_EPOCHS_PER_FRAME, "epochs_per_frame")
    for option in opts.OPTIONS:
        try:
            config[option.name] = option.check(config[option.name])
        except ValueError as error:
            raise SessionError(str(error)) from None
    return config


def _quantized(values: np.ndarray) -> dict[str, Any]:
    """A map as bytes: b = round(255·(v - low)/(high - low)), base64-encoded, with low and high."""
    low, high = float(values.min()), float(values.max())
    scale = 255.0 / (high - low) if high > low else 0.0
    data = np.rint((values - low) * scale).astype(np.uint8)
    return {"low": low, "high": high, "data": base64.b64encode(data.tobytes()).decode("ascii")}


def _plane_grid(cells: int) -> np.ndarray:
    # Cell centres of [-1, 1]², row by row from the top (y = +1) as the page draws them.
    centres = -1.0 + (2.0 * np.arange(cells) + 1.0) / cells
    xs, ys = np.meshgrid(centres, centres[::-1])
    return np.column_stack([xs.ravel(), ys.ravel()])


_GRID_POINTS = _plane_grid(GRID)
_NODE_GRID_POINTS = _plane_grid(NODE_GRID)


def _lists(arrays: Any) -> list[Any]:
    return [None if a is None else np.asarray(a).tolist() for a in arrays]


class Session:
    """The state of one tab. Not thread-safe by itself: the server holds ``lock``."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.lock = threading.Lock()
        self.last_used = time.monotonic()
        self.config = check_config(config or {})
        self.extra_points: list[list[float]] = []
        self._reset()

    # -- building ------------------------------------------------------------
    @property
    def lecture(self) -> str | None:
        data = self.config["data"]
        return data.split(":", 1)[1] if data.startswith("lecture:") else None

    def _make_data(self) -> None:
        config = self.config
        if self.lecture is not None:
            inputs, targets = LECTURES[self.lecture].example()
            self.x_train = self.x_test = inputs[None, :]
            self.t_train = self.t_test = targets[None, :]
            return
        x_train, y_train, x_test, y_test = make_points(
            config["data"],
            count=config["count"],
            noise=config["noise"],
            test_share=config["test_share"],
            seed=config["seed"],
            iris_features=tuple(config["iris_features"]),
            iris_species=config["iris_species"],
            extra_points=[tuple(p) for p in self.extra_points],
        )
        self.x_train, self.x_test = x_train, x_test
        self.t_train = y_train[:, None].astype(np.float64)  # targets 0 and 1, one output node
        self.t_test = y_test[:, None].astype(np.float64)

    def _network_keywords(self) -> dict[str, Any]:
        return {option.name: self.config[option.name] for option in opts.OPTIONS if option.target == "network"}

    def _fit_keywords(self) -> dict[str, Any]:
        return {option.name: self.config[option.name] for option in opts.OPTIONS if option.target == "fit"}

    def _build_network(self) -> akili.Network:
        keywords = self._network_keywords()
        if self.lecture is not None:
            return LECTURES[self.lecture].network(
                rule=keywords["rule"], learning_rate=keywords["learning_rate"], loss=keywords["loss"]
            )
        sizes = [2] + [layer["nodes"] for layer in self.config["hidden"]]
        activations = [layer["activation"] for layer in self.config["hidden"]] + [self.config["output_activation"]]
        layers = [
            akili.Dense(n_in, n_out, activation=activation, bias=self.config["bias"])
            for n_in, n_out, activation in zip(sizes, sizes[1:] + [1], activations)
        ]
        try:
            return akili.Network(layers, **keywords)
        except ValueError as error:  # e.g. cross_entropy without a sigmoid output
            raise SessionError(str(error)) from None

    def _reset(self) -> None:
        self._make_data()
        self.net = self._build_network()
        self.built_with = self._network_keywords()  # live changes come later, in the log
        self.epoch = 0
        self.steps = 0
        self.cursor = 0  # the next training example of step mode
        self.history: list[list[float]] = []
        self.log: list[tuple[Any, ...]] = []  # what the run did, for python_code()
        self.log_points = len(self.extra_points)
        self._record_losses()

    # -- changing ------------------------------------------------------------
    def configure(self, changes: Any) -> None:
        """Apply setting changes; a change outside LIVE_KEYS starts again."""
        config = check_config(changes, self.config)
        changed = {key for key in config if config[key] != self.config[key]}
        if not changed <= LIVE_KEYS:
            saved = dict(self.__dict__)
            if config["data"] != self.config["data"]:
                self.extra_points = []
            self.config = config
            try:
                self._reset()
            except SessionError:
                self.__dict__.update(saved)  # refused: the session goes on exactly as it was
                raise
            return
        self.config = config
        for key in sorted(changed):
            option = opts.BY_NAME.get(key)
            if option is not None and option.target == "network":
                setattr(self.net, key, config[key])  # live: net.rule = ..., net.learning_rate = ...
                self.log.append(("set", key, config[key]))

    def reset(self) -> None:
        self._reset()

    def add_point(self, x: Any, y: Any, label: Any) -> None:
        """A clicked point (x, y in [-1, 1], class 0 or 1) joins the training set."""
        if self.lecture is not None:
            raise SessionError("[playground points] the lecture examples have one input: points cannot be added")
        x = _number(x, -1.0, 1.0, "x")
        y = _number(y, -1.0, 1.0, "y")
        label = _whole(label, 0, 1, "class")
        if len(self.extra_points) >= MAX_EXTRA_POINTS:
            raise SessionError(f"[playground points] at most {MAX_EXTRA_POINTS} points can be added")
        self.extra_points.append([x, y, label])
        self._make_data()
        self.log.append(("points", len(self.extra_points)))

    # -- training ------------------------------------------------------------
    def _record_losses(self) -> None:
        self.train_loss = self.net.loss_value(self.x_train, self.t_train)
        self.test_loss = self.net.loss_value(self.x_test, self.t_test)
        self.history.append([self.epoch, self.steps, self.train_loss, self.test_loss])
        if len(self.history) > MAX_HISTORY:
            self.history = self.history[::2]

    def frame(self) -> dict[str, Any]:
        """Train ``epochs_per_frame`` epochs (Network.fit, shuffled) and return the new state."""
        epochs = self.config["epochs_per_frame"]
        fit = self._fit_keywords()
        try:
            history = self.net.fit(self.x_train, self.t_train, epochs=epochs, shuffle=True, **fit)
        except akili.DivergenceError as error:
            self.log.append(("diverged", epochs, fit))
            raise TrainingDiverged(f"training diverged: {error}") from None
        self.epoch += len(history.loss)
        self.steps += sum(-(-n // fit["batch_size"]) for n in history.samples)
        if self.log and self.log[-1][0] == "fit" and self.log[-1][2] == fit:
            self.log[-1] = ("fit", self.log[-1][1] + epochs, fit)
        else:
            self.log.append(("fit", epochs, fit))
        self._record_losses()
        return self.frame_state()

    def _next_indices(self, count: int) -> list[int]:
        size = len(self.x_train)
        indices = [(self.cursor + k) % size for k in range(min(count, size))]
        self.cursor = (self.cursor + len(indices)) % size
        return indices

    def step(self, kind: Any) -> dict[str, Any]:
        """One step of the next batch (``"batch"``) or of the next single example (``"example"``),
        by ``net.step``. The example's answer holds the trace and the weights it started from."""
        if kind not in ("batch", "example"):
            raise SessionError(f"[playground step] expected kind 'batch' or 'example', got {kind!r}")
        indices = self._next_indices(1 if kind == "example" else self._fit_keywords()["batch_size"])
        weights = [layer.weights for layer in self.net.layers]
        biases = [layer.bias for layer in self.net.layers]
        if kind == "example":
            x, t = self.x_train[indices[0]], self.t_train[indices[0]]
            trace = self.net.step(x, t, trace=True)  # exactly the Python API's step, numbers and all
        else:
            self.net.step(self.x_train[indices], self.t_train[indices])
        self.log.append(("step", kind, indices))
        self.steps += 1
        self._record_losses()
        answer: dict[str, Any] = {"frame": self.frame_state()}
        if kind == "example":
            answer["example"] = {
                "index": indices[0],
                "inputs": x.tolist(),
                "targets": t.tolist(),
                "rule": self.net.rule,
                "learning_rate": self.net.learning_rate,
                "loss": self.net.loss,
                "activations": [layer.activation for layer in self.net.layers],
                "weights": _lists(weights),
                "biases": _lists(biases),
                "trace": {
                    "layer_inputs": _lists(trace.layer_inputs),
                    "combined": _lists(trace.combined),
                    "layer_outputs": _lists(trace.layer_outputs),
                    "errors": _lists(trace.errors),
                    "deltas": _lists(trace.deltas),
                    "weight_updates": _lists(trace.weight_updates),
                    "bias_updates": _lists(trace.bias_updates),
                    "loss": trace.loss,
                },
            }
        return answer

    # -- what the page draws -------------------------------------------------
    def frame_state(self) -> dict[str, Any]:
        """Losses, weights, and (for 2-D data) the boundary and each node's output over the plane."""
        state: dict[str, Any] = {
            "epoch": self.epoch,
            "steps": self.steps,
            "train_loss": self.train_loss,
            "test_loss": self.test_loss,
            "weights": _lists(layer.weights for layer in self.net.layers),
            "biases": _lists(layer.bias for layer in self.net.layers),
            "boundary": None,
            "nodes": None,
        }
        if self.lecture is None:
            state["boundary"] = {"size": GRID, **_quantized(self.net.predict(_GRID_POINTS)[:, 0])}
            trace = self.net.forward(_NODE_GRID_POINTS, trace=True)
            state["nodes"] = [
                [{"size": NODE_GRID, **_quantized(outputs[:, k])} for k in range(outputs.shape[1])]
                for outputs in trace.layer_outputs
            ]
        return state

    def state(self) -> dict[str, Any]:
        """Everything the page needs after loading or a reset: settings, data, history, frame."""
        return {
            "config": self.config,
            "extra_points": self.extra_points,
            "layers": [
                {"inputs": l.inputs, "outputs": l.outputs, "activation": l.activation, "bias": l.has_bias}
                for l in self.net.layers
            ],
            "train": {"x": self.x_train.tolist(), "t": self.t_train.tolist()},
            "test": {"x": self.x_test.tolist(), "t": self.t_test.tolist()},
            "history": self.history,
            "frame": self.frame_state(),
        }

    # -- export --------------------------------------------------------------
    def model_bytes(self) -> bytes:
        """The akili model file of the network as it is now (``akili.loads`` reads it)."""
        return self.net.to_bytes()

    def python_code(self) -> str:
        """A script that rebuilds the data and the network and replays this run's training."""
        from .export import python_code

        return python_code(self)
