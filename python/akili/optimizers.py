"""Optimizers: how a Network turns each step's gradient into a change of its weights.

Each class is the torch.optim optimizer of the same name, with its defaults; the
arithmetic runs in the C++ core (``cpp/src/optimizers/``, one file each). The
learning rate ``lr`` is the network's ``learning_rate`` at each step (so schedules
and callbacks that change it act on every optimizer).

Notation, per weight matrix W or bias b (θ):

* ``g``: the gradient of the batch's mean loss. For the "gradient" rule it is
  -(1/n)·Dᵀ·I; for the "transpose" and "normalized" rules the optimizer acts on
  the rule's step ΔW in the same way (g = -ΔW/lr), as plain SGD always has.
* ``t``: the steps this θ has taken, this one included.
* ``weight_decay`` λ: coupled L2, ``g ← g + λ·θ``, first, for every optimizer except
  AdamW (decoupled, ``θ ← θ - lr·λ·θ``) and Rprop (none).

A trainable mask's fixed weights (``Dense.trainable_mask``) never change, decay
included; a frozen layer's state does not advance.

Plain SGD (no momentum, no weight decay) is the book's ``W += lr·ΔW`` and keeps
every fast path of the core; every other optimizer steps each batch (an online
step is a batch of one) through the core's reference path, still without any
allocation per step.

>>> import akili
>>> net = akili.Network([akili.Dense(2, 1)], optimizer=akili.optimizers.Adam(beta_2=0.99), learning_rate=0.01)
>>> net.optimizer
Adam(beta_1=0.9, beta_2=0.99, epsilon=1e-08, weight_decay=0.0)
"""

from __future__ import annotations

from numbers import Real
from typing import Any, ClassVar

from . import _core

#: The names ``optimizer=`` accepts, from the core's table.
OPTIMIZERS: tuple[str, ...] = _core.OPTIMIZERS

__all__ = ["OPTIMIZERS", "SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "Rprop", "get"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


class Optimizer:
    """The base class: a name (one of :data:`OPTIMIZERS`) and keyword settings.

    The settings are checked when the object is made (types here, ranges in the
    core, as torch.optim checks them); a bad one raises ValueError or TypeError
    naming the class, the setting, what it accepts and what arrived.
    """

    name: ClassVar[str] = ""
    _flags: ClassVar[tuple[str, ...]] = ()  # settings that are True or False

    def __init__(self, **settings: Any) -> None:
        where = type(self).__name__
        checked: dict[str, float | bool] = {}
        for key, value in settings.items():
            if key in self._flags:
                if not isinstance(value, bool):
                    raise TypeError(f"[{where}] expected {key} as True or False, got {value!r}")
                checked[key] = value
            else:
                if isinstance(value, bool) or not isinstance(value, Real):
                    raise TypeError(f"[{where}] expected {key} as a number, got {value!r}")
                checked[key] = float(value)
        _core.check_optimizer(self.name, checked, where)
        self._settings = checked

    @property
    def settings(self) -> dict[str, float | bool]:
        """The settings by keyword name (a copy)."""
        return dict(self._settings)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._settings == self._settings

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self._settings.items()))))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self._settings.items())
        return f"{type(self).__name__}({arguments})"


class SGD(Optimizer):
    """Stochastic gradient descent, torch.optim.SGD::

        g ← g + λ·θ
        b ← g (t = 1),  b ← μ·b + (1 - τ)·g (t > 1)       when μ ≠ 0
        g ← g + μ·b (nesterov)  or  g ← b                  when μ ≠ 0
        θ ← θ - lr·g

    ``SGD()`` (μ = 0, λ = 0) is the book's update and the default of every Network.
    Nesterov momentum needs μ > 0 and τ = 0.
    """

    name = "sgd"
    _flags = ("nesterov",)

    def __init__(
        self, *, momentum: float = 0.0, dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0
    ) -> None:
        super().__init__(momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)


class Adagrad(Optimizer):
    """Adagrad, torch.optim.Adagrad::

    g ← g + λ·θ
    lr_t ← lr / (1 + (t - 1)·lr_decay)
    s ← s + g²                       (s starts at initial_accumulator_value)
    θ ← θ - lr_t·g / (√s + ε)
    """

    name = "adagrad"

    def __init__(
        self,
        *,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        epsilon: float = 1e-10,
    ) -> None:
        super().__init__(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            epsilon=epsilon,
        )


class RMSprop(Optimizer):
    """RMSprop, torch.optim.RMSprop::

    g ← g + λ·θ
    v ← α·v + (1 - α)·g²
    ṽ ← v - g_avg², g_avg ← α·g_avg + (1 - α)·g first   (centered)    else ṽ ← v
    b ← μ·b + g / (√ṽ + ε),  θ ← θ - lr·b               (μ > 0)
    θ ← θ - lr·g / (√ṽ + ε)                             (μ = 0)
    """

    name = "rmsprop"
    _flags = ("centered",)

    def __init__(
        self,
        *,
        alpha: float = 0.99,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(alpha=alpha, epsilon=epsilon, weight_decay=weight_decay, momentum=momentum, centered=centered)


class Adam(Optimizer):
    """Adam, torch.optim.Adam (coupled L2 weight decay; see AdamW for the decoupled one)::

        g ← g + λ·θ
        m ← β₁·m + (1 - β₁)·g
        v ← β₂·v + (1 - β₂)·g²
        θ ← θ - (lr / (1 - β₁ᵗ))·m / (√v / √(1 - β₂ᵗ) + ε)

    that is θ - lr·m̂ / (√v̂ + ε) with the bias-corrected m̂ and v̂, ε added after
    the correction of √v as PyTorch adds it.
    """

    name = "adam"

    def __init__(
        self, *, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, weight_decay: float = 0.0
    ) -> None:
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, weight_decay=weight_decay)


class AdamW(Optimizer):
    """AdamW, torch.optim.AdamW: decoupled weight decay, then Adam on the undecayed g::

    θ ← θ - lr·λ·θ
    m ← β₁·m + (1 - β₁)·g,  v ← β₂·v + (1 - β₂)·g²
    θ ← θ - (lr / (1 - β₁ᵗ))·m / (√v / √(1 - β₂ᵗ) + ε)
    """

    name = "adamw"

    def __init__(
        self, *, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, weight_decay: float = 1e-2
    ) -> None:
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, weight_decay=weight_decay)


class Rprop(Optimizer):
    """Resilient back-propagation, torch.optim.Rprop (FANN's default). Only the sign
    of g counts; each value has its own step size η, which starts at lr::

        g·g' > 0:  η ← min(η·η₊, Γ_max)
        g·g' < 0:  η ← max(η·η₋, Γ_min), g ← 0     (no step right after a sign change)
        else:      η ← clamp(η, Γ_min, Γ_max)
        θ ← θ - sign(g)·η,  g' ← g

    with η₋ = ``eta_minus``, η₊ = ``eta_plus``, Γ = ``step_min``, ``step_max``. Rprop
    has no weight decay.
    """

    name = "rprop"

    def __init__(
        self, *, eta_minus: float = 0.5, eta_plus: float = 1.2, step_min: float = 1e-6, step_max: float = 50.0
    ) -> None:
        super().__init__(eta_minus=eta_minus, eta_plus=eta_plus, step_min=step_min, step_max=step_max)


_CLASSES: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW, Rprop)}


def get(optimizer: str | Optimizer, where: str) -> Optimizer:
    """An Optimizer from a name of :data:`OPTIMIZERS` (torch.optim's defaults) or an Optimizer."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer in _CLASSES:
        return _CLASSES[optimizer]()
    raise ValueError(
        f"[{where}] expected optimizer as one of {', '.join(OPTIMIZERS)} or an akili.optimizers object, "
        f"got {optimizer!r}"
    )


def _from_native(name: str, settings: dict[str, float | bool]) -> Optimizer:
    """The Optimizer a native network reports: its class with the settings that class takes."""
    cls = _CLASSES[name]
    optimizer = object.__new__(cls)
    defaults = cls()._settings
    optimizer._settings = {key: type(defaults[key])(settings[key]) for key in defaults}
    return optimizer
