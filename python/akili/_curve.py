"""Learning curves inside an epoch: History's running loss (and accuracy) every
N samples, fed by the native epoch loop's totals so far.

The core reports, between steps, the samples trained so far in the epoch, the
sum of their losses and how many were classified correctly (``ProgressHook`` in
cpp/include/akili/network.hpp). A point of the curve is the mean over the
samples trained since the previous point — the loss of a window of training,
not the running mean since the start of the epoch, so the curve shows where the
network is now rather than averaging in how bad it was at the start:

    loss_point = (Σ loss up to now - Σ loss up to the previous point) / samples in between

Each loss is measured on a step's forward pass before that step's update, as
the epoch's own mean is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ._history import History

#: Without ``log_every``: about this many points per epoch ...
POINTS_PER_EPOCH = 50
#: ... and at most about this many for the whole run (many short epochs need none inside).
POINTS_PER_RUN = 1000


def automatic_points(epochs: int) -> int:
    """Points per epoch when ``fit`` chooses: 50 for up to 20 epochs, fewer for
    longer runs (≈ 1000 in all), and none beyond 500 epochs, where one point per
    epoch would only repeat the epoch means."""
    points = min(POINTS_PER_EPOCH, POINTS_PER_RUN // epochs)
    return points if points >= 2 else 0


class EpochCurve:
    """Records the in-epoch points of ``history`` while ``fit`` trains.

    Parameters
    ----------
    history : the History to append to (its ``curve_*`` lists).
    samples : rows of training data (samples in a full epoch).
    every : samples between points; None: :func:`automatic_points` points per epoch,
        at evenly spread sample counts; 0: no in-epoch points.
    epochs : epochs planned (for the automatic choice).
    classifies : whether accuracy is recorded too.
    """

    def __init__(self, history: History, *, samples: int, every: int | None, epochs: int, classifies: bool) -> None:
        self.history = history
        self.samples = samples
        self.classifies = classifies
        if every is None:
            points = min(automatic_points(epochs), samples)  # may be 0: no thresholds
            # Point k of P at ceil(k·n/P): windows differ by at most one sample, the last ends the epoch.
            self.thresholds = [math.ceil(k * samples / points) for k in range(1, points + 1)]
        elif every == 0:
            self.thresholds = []
        else:
            self.thresholds = list(range(every, samples, every)) + [samples]
        history.log_every = self.spacing
        self._epoch = 0
        self._next = 0  # index into thresholds
        self._done = 0  # samples, loss sum and correct count at the last point
        self._loss_sum = 0.0
        self._correct = 0

    @property
    def enabled(self) -> bool:
        """Whether any in-epoch point is recorded."""
        return bool(self.thresholds)

    @property
    def spacing(self) -> int:
        """Samples between points (the first window's size); 0 when disabled."""
        return self.thresholds[0] if self.thresholds else 0

    def start_epoch(self, epoch: int) -> None:
        """Resets the running totals: the core's totals restart with each epoch."""
        self._epoch, self._next = epoch, 0
        self._done, self._loss_sum, self._correct = 0, 0.0, 0

    def __call__(self, done: int, loss_sum: float, correct: int) -> bool:
        """The epoch's totals so far; records a point once ``done`` reaches the next
        threshold (returns whether it did)."""
        if self._next >= len(self.thresholds) or done < self.thresholds[self._next]:
            return False
        self._record(done, loss_sum, correct)
        # Batches may step past several thresholds at once: one point covers them.
        while self._next < len(self.thresholds) and self.thresholds[self._next] <= done:
            self._next += 1
        return True

    def end_epoch(self, done: int, loss_sum: float, correct: int) -> None:
        """The epoch's final totals: the samples since the last point make the last one."""
        if self.enabled and done > self._done:
            self._record(done, loss_sum, correct)

    def _record(self, done: int, loss_sum: float, correct: int) -> None:
        window = done - self._done
        if window <= 0:
            return
        history = self.history
        history.curve_position.append(self._epoch + done / self.samples)
        history.curve_samples.append(sum(history.samples) + done)
        history.curve_loss.append((loss_sum - self._loss_sum) / window)
        history.curve_accuracy.append((correct - self._correct) / window if self.classifies else None)
        self._done, self._loss_sum, self._correct = done, loss_sum, correct


def epoch_hook(
    epoch: int, curve: EpochCurve, on_progress: Callable[[int, int], Any] | None, progress_every: int
) -> Callable[[int, float, int], Any] | None:
    """The native loop's hook for one epoch: feeds the in-epoch curve and the
    caller's ``on_progress(samples_done, epoch)``; False from the latter stops."""
    if on_progress is None and not curve.enabled:
        return None
    # The core calls at the smaller of the two spacings (and every few ms):
    # on_progress keeps its own spacing.
    next_progress = [progress_every]

    def hook(done: int, loss_sum: float, correct: int) -> Any:
        recorded = curve(done, loss_sum, correct)
        if on_progress is None:
            return True
        due = bool(progress_every) and done >= next_progress[0]
        while progress_every and next_progress[0] <= done:
            next_progress[0] += progress_every
        if recorded and not due:
            return True  # a call for the curve only
        return on_progress(done, epoch)

    return hook
