"""Blow-ups that never become NaN: the checks ``Network.fit`` makes after each epoch
(and ``akili.restarts`` after each run).

The core raises ``DivergenceError`` the moment the loss or a weight becomes NaN or
infinite. A run can go wrong long before that: with a learning rate far too
large, a relu network's loss can grow to 1e114 and its weights to 1e94 in one
epoch and every output then sits at 0, all finite. And sigmoid or softmax
outputs driven deep into saturation give updates that vanish (f'(x) ≈ 0), so
training "runs" and learns nothing. After every epoch ``fit`` therefore checks,
on at most the first :data:`SAMPLE_ROWS` training rows:

* the epoch's mean loss grew more than :data:`LOSS_GROWTH` times over the loss
  before training (taken as at least 1, so a near-perfect start never counts), or
  a weight or bias exceeds :data:`MAX_WEIGHT` in magnitude: ``DivergenceError``,
  with the weights restored to the start of that epoch, as for a NaN;
* the output layer is sigmoid or softmax, at least :data:`SATURATED_SHARE` of the
  sampled outputs lie within :data:`SATURATION` of 0 or 1, and the epoch moved the
  weights by less than :data:`VANISHING_CHANGE` of their size: a RuntimeWarning.

Both messages give the same advice: a smaller learning rate (and scaled inputs).
The checks cost one prediction on the sample and one copy of the weights per
epoch, nothing per step.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._core import DivergenceError

if TYPE_CHECKING:
    from ._network import Network

#: Rows of the training data the checks look at.
SAMPLE_ROWS = 256
#: An epoch's mean loss this many times the loss before training (at least 1) diverged.
LOSS_GROWTH = 1e6
#: No sane model has a weight or bias of this magnitude.
MAX_WEIGHT = 1e10
#: An output within this distance of 0 or 1 is saturated (f'(x) of sigmoid ≈ this).
SATURATION = 1e-6
#: Share of saturated outputs that, with vanishing updates, deserves a warning.
SATURATED_SHARE = 0.99
#: Relative weight change of an epoch, ‖W_after − W_before‖ / ‖W_before‖, that counts as vanishing.
VANISHING_CHANGE = 1e-4

ADVICE = "Try a smaller learning rate (now {rate:g}), and inputs scaled to about -1..1 or 0..1."


Parameters = list[tuple[np.ndarray, np.ndarray]]


def reference_loss(network: Network, inputs: np.ndarray, targets: np.ndarray) -> float:
    """The loss before training on the sampled rows, taken as at least 1 (a near-perfect start never counts)."""
    return max(float(network._native.loss_value(inputs[:SAMPLE_ROWS], targets[:SAMPLE_ROWS])), 1.0)


def blow_up(reference: float, loss: float, parameters: Parameters) -> str | None:
    """Why training blew up without a NaN (loss grown LOSS_GROWTH-fold, or a weight beyond MAX_WEIGHT), else None."""
    if loss > LOSS_GROWTH * reference:
        return f"the mean loss grew from {reference:g} to {loss:g}"
    largest = max(max(float(np.abs(w).max(initial=0.0)), float(np.abs(b).max(initial=0.0))) for w, b in parameters)
    if largest > MAX_WEIGHT:
        return f"a weight reached {largest:g}, beyond {MAX_WEIGHT:g}"
    return None


class EpochChecks:
    """The checks of one ``fit`` call: ``start_epoch()`` before each epoch, ``end_epoch(loss)`` after it."""

    def __init__(self, network: Network, inputs: np.ndarray, targets: np.ndarray) -> None:
        self.network = network
        self.sample = inputs[:SAMPLE_ROWS]
        self.reference = reference_loss(network, inputs, targets)
        self.saturating = network.layers[-1].activation in ("sigmoid", "softmax")
        self.start: Parameters = []
        self.start_optimizer: Any = None

    def start_epoch(self) -> None:
        native = self.network._native
        self.start = self.network._parameters()
        # The optimizer's state (momenta, moments) goes back with the weights; plain SGD has none.
        self.start_optimizer = None if native.uses_fast_paths else native.optimizer_state()

    def _restore(self) -> None:
        self.network._restore_parameters(self.start)
        if self.start_optimizer is not None:
            self.network._native.set_optimizer_state(self.start_optimizer)

    def end_epoch(self, epoch: int, loss: float, where: str) -> None:
        native = self.network._native
        now = self.network._parameters()
        advice = ADVICE.format(rate=self.network.learning_rate)
        cause = blow_up(self.reference, loss, now)
        if cause is not None:
            self._restore()
            raise DivergenceError(
                f"[{where}] training diverged in epoch {epoch + 1}: {cause}; weights restored to "
                f"the start of the epoch. {advice}"
            )
        if not self.saturating:
            return
        outputs = native.predict(self.sample)
        saturated = float(np.mean(np.minimum(outputs, 1 - outputs) < SATURATION))
        if saturated < SATURATED_SHARE:
            return
        moved = np.sqrt(
            sum(
                float(np.sum((w1 - w0) ** 2)) + float(np.sum((b1 - b0) ** 2))
                for (w0, b0), (w1, b1) in zip(self.start, now)
            )
        )
        size = np.sqrt(sum(float(np.sum(w**2)) + float(np.sum(b**2)) for w, b in now))
        if moved <= VANISHING_CHANGE * size:
            warnings.warn(
                f"[{where}] epoch {epoch + 1}: {saturated:.0%} of the outputs are saturated (within "
                f"{SATURATION:g} of 0 or 1) and the weights barely moved ({moved / size:.1e} of their "
                f"size): the updates vanish and the network has stopped learning. {advice}",
                RuntimeWarning,
                stacklevel=3,
            )
