"""Callbacks for ``Network.fit(..., callbacks=[...])``: early stopping, checkpoints,
learning-rate schedules.

A callback is an object with any of four hooks, called by ``fit`` in this order:

* ``on_train_begin(network, history)`` once, before the first epoch;
* ``on_epoch_begin(epoch, network)`` before each epoch (epochs count from 0);
* ``on_epoch_end(epoch, network, history)`` after each epoch, once its loss (and
  validation loss, with ``validation_data``) is in ``history``; returning False
  stops training (``history.stopped`` is then True);
* ``on_train_end(network, history)`` once, when training ends without an error.

``fit``'s ``on_epoch`` and ``on_progress`` work as before, beside the callbacks
(``on_epoch`` runs first). The learning rate a schedule sets is the network's
``learning_rate``, which every optimizer uses as its lr.

>>> import numpy as np, akili
>>> from akili.callbacks import EarlyStopping, LearningRateScheduler, StepDecay
>>> rng = np.random.default_rng(0)
>>> X, T = rng.normal(size=(40, 2)), rng.uniform(size=(40, 1))
>>> net = akili.Network([akili.Dense(2, 3), akili.Dense(3, 1)], learning_rate=0.5, seed=1)
>>> history = net.fit(X, T, epochs=4, validation_data=(X, T),
...                   callbacks=[LearningRateScheduler(StepDecay(0.5, factor=0.5, every=2)), EarlyStopping(patience=3)])
>>> net.learning_rate
0.25
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any

from ._validation import check_positive_int

if TYPE_CHECKING:
    import numpy as np

    from ._history import History
    from ._network import Network

__all__ = [
    "Callback",
    "CosineDecay",
    "EarlyStopping",
    "ExponentialDecay",
    "InverseScaling",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "StepDecay",
]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


MONITORS = ("val_loss", "loss")


class Callback:
    """The base class: every hook does nothing. Subclass it and override the hooks you need."""

    def on_train_begin(self, network: Network, history: History) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, network: Network) -> None:
        """Before epoch ``epoch`` (from 0)."""

    def on_epoch_end(self, epoch: int, network: Network, history: History) -> bool | None:
        """After epoch ``epoch``; False stops training."""
        return None

    def on_train_end(self, network: Network, history: History) -> None:
        """After the last epoch."""


def _number(value: Any, name: str, where: str, *, low: float = 0.0, low_open: bool = False) -> float:
    """A finite real number above ``low`` (or at it unless ``low_open``), as float."""
    fine = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not fine or value < low or (low_open and value == low):
        sign = ">" if low_open else ">="
        raise ValueError(f"[{where}] expected {name} as a finite number {sign} {low:g}, got {value!r}")
    return float(value)


def _monitor(value: Any, where: str) -> str:
    if value not in MONITORS:
        raise ValueError(f"[{where}] expected monitor as one of {', '.join(MONITORS)}, got {value!r}")
    return value


def _monitored(history: History, monitor: str, where: str) -> float:
    """The latest value of ``monitor``; val_loss needs fit's validation_data."""
    if monitor == "val_loss":
        if not history.val_loss:
            raise ValueError(
                f"[{where}] monitor='val_loss' needs fit(..., validation_data=(inputs, targets)); "
                "pass validation data or monitor='loss'"
            )
        return history.val_loss[-1]
    return history.loss[-1]


class EarlyStopping(Callback):
    """Stops training once ``monitor`` has not improved for ``patience`` epochs in a
    row (0: at the first epoch that does not improve), as Keras's EarlyStopping.

    An epoch improves when its value is below the best so far by more than
    ``min_delta``. With ``restore_best_weights`` the weights and biases of the best
    epoch are put back when training ends (stopped early or not); the optimizer
    state stays as it is. ``best``, ``best_epoch`` and ``stopped_epoch`` (None when
    it did not stop training) tell what happened.
    """

    def __init__(
        self,
        *,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        restore_best_weights: bool = False,
    ) -> None:
        self.monitor = _monitor(monitor, "EarlyStopping")
        self.patience = check_positive_int(patience, "patience", "EarlyStopping", minimum=0)
        self.min_delta = _number(min_delta, "min_delta", "EarlyStopping")
        if not isinstance(restore_best_weights, bool):
            raise TypeError(
                f"[EarlyStopping] expected restore_best_weights as True or False, got {restore_best_weights!r}"
            )
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, network: Network, history: History) -> None:
        self.best = math.inf
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.wait = 0
        self._best_parameters: list[tuple[np.ndarray, np.ndarray]] | None = None

    def on_epoch_end(self, epoch: int, network: Network, history: History) -> bool | None:
        value = _monitored(history, self.monitor, "EarlyStopping")
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_parameters = network._parameters()
            return None
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return False
        return None

    def on_train_end(self, network: Network, history: History) -> None:
        if self.restore_best_weights and self._best_parameters is not None:
            network._restore_parameters(self._best_parameters)


class ModelCheckpoint(Callback):
    """Saves the network (``Network.save``, the model file) after each epoch.

    ``path`` may name the epoch, ``"model-{epoch:03d}.akili"`` (from 1, as the
    epochs are numbered for people). With ``save_best_only`` a file is written only
    when ``monitor`` beats the best value so far; ``saved`` lists the paths written.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, monitor: str = "val_loss", save_best_only: bool = False
    ) -> None:
        self.path = os.fspath(path)
        self.monitor = _monitor(monitor, "ModelCheckpoint")
        if not isinstance(save_best_only, bool):
            raise TypeError(f"[ModelCheckpoint] expected save_best_only as True or False, got {save_best_only!r}")
        self.save_best_only = save_best_only
        try:
            self.path.format(epoch=1)
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(
                f"[ModelCheckpoint] expected a path whose only field is {{epoch}}, got {self.path!r} ({error})"
            ) from None

    def on_train_begin(self, network: Network, history: History) -> None:
        self.best = math.inf
        self.saved: list[str] = []

    def on_epoch_end(self, epoch: int, network: Network, history: History) -> bool | None:
        if self.save_best_only:
            value = _monitored(history, self.monitor, "ModelCheckpoint")
            if not value < self.best:
                return None
            self.best = value
        path = self.path.format(epoch=epoch + 1)
        network.save(path)
        self.saved.append(path)
        return None


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` once ``monitor`` has not improved
    (by more than ``min_delta``) for ``patience`` epochs, never below ``min_lr``;
    after a reduction the next ``cooldown`` epochs count nothing (an improvement
    still sets the best value). The defaults are Keras's."""

    def __init__(
        self,
        *,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        self.monitor = _monitor(monitor, "ReduceLROnPlateau")
        self.factor = _number(factor, "factor", "ReduceLROnPlateau", low_open=True)
        if self.factor >= 1:
            raise ValueError(f"[ReduceLROnPlateau] expected factor below 1 (a reduction), got {factor!r}")
        self.patience = check_positive_int(patience, "patience", "ReduceLROnPlateau", minimum=0)
        self.min_delta = _number(min_delta, "min_delta", "ReduceLROnPlateau")
        self.cooldown = check_positive_int(cooldown, "cooldown", "ReduceLROnPlateau", minimum=0)
        self.min_lr = _number(min_lr, "min_lr", "ReduceLROnPlateau")

    def on_train_begin(self, network: Network, history: History) -> None:
        self.best = math.inf
        self.wait = 0
        self.cooldown_left = 0

    def on_epoch_end(self, epoch: int, network: Network, history: History) -> bool | None:
        value = _monitored(history, self.monitor, "ReduceLROnPlateau")
        improved = value < self.best - self.min_delta
        if improved:
            self.best, self.wait = value, 0
        if self.cooldown_left > 0:  # a cooldown epoch counts nothing
            self.cooldown_left -= 1
            return None
        if not improved:
            self.wait += 1
            if self.wait >= self.patience:
                reduced = max(network.learning_rate * self.factor, self.min_lr)  # lr ← max(lr·factor, min_lr)
                if 0 < reduced < network.learning_rate:
                    network.learning_rate = reduced
                self.cooldown_left, self.wait = self.cooldown, 0
        return None


class LearningRateScheduler(Callback):
    """Sets the learning rate before each epoch: ``lr = schedule(epoch, lr)``, with
    ``epoch`` from 0 and ``lr`` the current rate. ``schedule`` may be any such
    function or one of the ready schedules below."""

    def __init__(self, schedule: Callable[[int, float], float]) -> None:
        if not callable(schedule):
            raise TypeError(f"[LearningRateScheduler] expected a function (epoch, lr) -> lr, got {schedule!r}")
        self.schedule = schedule

    def on_epoch_begin(self, epoch: int, network: Network) -> None:
        rate = self.schedule(epoch, network.learning_rate)
        fine = isinstance(rate, Real) and not isinstance(rate, bool) and math.isfinite(rate) and rate > 0
        if not fine:
            raise ValueError(
                f"[LearningRateScheduler] expected the schedule to return a positive finite learning rate "
                f"for epoch {epoch}, got {rate!r}"
            )
        network.learning_rate = float(rate)


class StepDecay:
    """``lr_e = initial · factor^⌊e / every⌋``: the rate drops by ``factor`` every ``every`` epochs."""

    def __init__(self, initial: float, *, factor: float = 0.5, every: int = 10) -> None:
        self.initial = _number(initial, "initial", "StepDecay", low_open=True)
        self.factor = _number(factor, "factor", "StepDecay", low_open=True)
        self.every = check_positive_int(every, "every", "StepDecay")

    def __call__(self, epoch: int, lr: float = 0.0) -> float:
        return self.initial * self.factor ** (epoch // self.every)


class ExponentialDecay:
    """``lr_e = initial · rate^e``."""

    def __init__(self, initial: float, *, rate: float = 0.96) -> None:
        self.initial = _number(initial, "initial", "ExponentialDecay", low_open=True)
        self.rate = _number(rate, "rate", "ExponentialDecay", low_open=True)

    def __call__(self, epoch: int, lr: float = 0.0) -> float:
        return self.initial * self.rate**epoch


class CosineDecay:
    """``lr_e = minimum + (initial - minimum) · (1 + cos(π · min(e, epochs) / epochs)) / 2``:
    half a cosine from ``initial`` at epoch 0 to ``minimum`` at epoch ``epochs``,
    then ``minimum`` (with ``minimum`` 0, LearningRateScheduler refuses that rate:
    train for at most ``epochs`` epochs, e = 0 … epochs - 1)."""

    def __init__(self, initial: float, *, epochs: int, minimum: float = 0.0) -> None:
        self.initial = _number(initial, "initial", "CosineDecay", low_open=True)
        self.epochs = check_positive_int(epochs, "epochs", "CosineDecay")
        self.minimum = _number(minimum, "minimum", "CosineDecay")
        if self.minimum >= self.initial:
            raise ValueError(f"[CosineDecay] expected minimum below initial ({initial!r}), got {minimum!r}")

    def __call__(self, epoch: int, lr: float = 0.0) -> float:
        progress = min(epoch, self.epochs) / self.epochs
        return self.minimum + (self.initial - self.minimum) * (1 + math.cos(math.pi * progress)) / 2


class InverseScaling:
    """``lr_e = initial / (e + 1)^power_t``: scikit-learn's "invscaling" rate, counted in
    epochs (scikit-learn counts samples)."""

    def __init__(self, initial: float, *, power_t: float = 0.5) -> None:
        self.initial = _number(initial, "initial", "InverseScaling", low_open=True)
        self.power_t = _number(power_t, "power_t", "InverseScaling")

    def __call__(self, epoch: int, lr: float = 0.0) -> float:
        return self.initial / (epoch + 1) ** self.power_t


class CallbackList:
    """fit's view of its callbacks: each hook called on every callback that has it."""

    def __init__(self, callbacks: Sequence[Any] | None, where: str) -> None:
        if callbacks is None:
            callbacks = []
        if isinstance(callbacks, Callback) or not isinstance(callbacks, (list, tuple)):
            raise TypeError(f"[{where}] expected callbacks as a list of akili.callbacks objects, got {callbacks!r}")
        hooks = ("on_train_begin", "on_epoch_begin", "on_epoch_end", "on_train_end")
        for position, callback in enumerate(callbacks):
            if not any(callable(getattr(callback, hook, None)) for hook in hooks):
                raise TypeError(
                    f"[{where}] expected callbacks with on_epoch_end or another hook of akili.callbacks.Callback, "
                    f"got {type(callback).__name__} at position {position}"
                )
        self.callbacks = list(callbacks)

    def _each(self, hook: str, *arguments: Any) -> list[Any]:
        return [getattr(c, hook)(*arguments) for c in self.callbacks if callable(getattr(c, hook, None))]

    def train_begin(self, network: Network, history: History) -> None:
        self._each("on_train_begin", network, history)

    def epoch_begin(self, epoch: int, network: Network) -> None:
        self._each("on_epoch_begin", epoch, network)

    def epoch_end(self, epoch: int, network: Network, history: History) -> bool:
        """False when a callback asks to stop (every callback still sees the epoch)."""
        return all(answer is not False for answer in self._each("on_epoch_end", epoch, network, history))

    def train_end(self, network: Network, history: History) -> None:
        self._each("on_train_end", network, history)
