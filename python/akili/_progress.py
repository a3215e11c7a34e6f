"""Progress reporting for training: a tqdm.auto bar per epoch (a widget in
Jupyter, text in a terminal) and, for the command line, a line of loss and
accuracy after each one.

tqdm is imported only when a bar is actually shown (``import akili`` never
imports it); when it is not installed, training runs without a bar and the
per-epoch lines are still printed.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, TextIO

from ._history import History


def _tqdm_class() -> Any:
    """tqdm.auto's bar: a widget in Jupyter, text in a terminal. Without ipywidgets
    a notebook gets the text bar; tqdm's warning about that is not repeated here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal (a bar only makes sense there)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def progress_every(samples: int) -> int:
    """How many samples between bar updates: about 200 updates per epoch.

    The native loop also calls back every few milliseconds, so a slow epoch still
    moves the bar; 200 Python calls per epoch cost nothing measurable.
    """
    return max(1, samples // 200)


class EpochProgress:
    """Feeds ``Network.fit``'s ``on_progress`` and ``on_epoch`` hooks.

    Parameters
    ----------
    samples : training samples per epoch (the bar's total).
    epochs : number of epochs planned (for the "epoch k/n" labels).
    bar : draw a tqdm bar (on ``bar_stream``) while an epoch runs.
    lines : print a summary line per epoch on ``line_stream`` (the first 10, then every
        k-th epoch of long runs and the last: at most about 30 lines).
    validation_name : what the validation data is called in the lines ("test").
    """

    def __init__(
        self,
        samples: int,
        epochs: int,
        *,
        bar: bool = True,
        lines: bool = True,
        validation_name: str = "validation",
        bar_stream: TextIO | None = None,
        line_stream: TextIO | None = None,
    ) -> None:
        self.samples = samples
        self.epochs = epochs
        self.lines = lines
        self.validation_name = validation_name
        self.bar_stream = bar_stream if bar_stream is not None else sys.stderr
        self.line_stream = line_stream if line_stream is not None else sys.stdout
        self._tqdm = _tqdm_class() if bar else None
        self._bar: Any = None
        self._bar_epoch = -1
        self._shown = 0
        #: The History of the run, kept from the last on_epoch call so that an
        #: interrupted run can still report (and save) what it completed.
        self.history: History | None = None

    @property
    def draws_bar(self) -> bool:
        """Whether a bar is drawn (False when disabled or tqdm is missing)."""
        return self._tqdm is not None

    def on_progress(self, done: int, epoch: int) -> None:
        """``fit``'s progress hook: ``done`` samples of epoch ``epoch`` (0-based) trained."""
        if self._tqdm is None:
            return
        if epoch != self._bar_epoch:
            self.close()
            self._bar = self._tqdm(
                total=self.samples,
                desc=f"epoch {epoch + 1}/{self.epochs}",
                unit="sample",
                file=self.bar_stream,
                leave=False,
                dynamic_ncols=True,
                mininterval=0.1,
            )
            self._bar_epoch, self._shown = epoch, 0
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done

    def progress_hook(self, then: Callable[[int, int], Any] | None = None) -> Callable[[int, int], Any]:
        """An ``on_progress`` that moves the bar, then calls ``then`` (if any) and returns its answer."""

        def hook(done: int, epoch: int) -> Any:
            self.on_progress(done, epoch)
            return True if then is None else then(done, epoch)

        return hook

    def on_epoch(self, epoch: int, history: History) -> None:
        """``fit``'s epoch hook: closes the bar and prints the epoch's line."""
        self.history = history
        self.close()
        # At most about 30 lines: the first 10 epochs, then (long runs such as XOR's 2,000
        # epochs) every k-th epoch and the last.
        every = max(1, self.epochs // 20)
        if self.lines and (epoch < 10 or (epoch + 1) % every == 0 or epoch + 1 == self.epochs):
            print(self.epoch_line(epoch, history), file=self.line_stream, flush=True)

    def epoch_line(self, epoch: int, history: History) -> str:
        """``epoch 2/10: loss 0.0421, accuracy 0.9123, test loss 0.0388, test accuracy 0.9350 (0.41 s)``."""
        parts = [f"loss {history.loss[epoch]:.4f}"]
        if history.accuracy[epoch] is not None:
            parts.append(f"accuracy {history.accuracy[epoch]:.4f}")
        if len(history.val_loss) > epoch:
            parts.append(f"{self.validation_name} loss {history.val_loss[epoch]:.4f}")
            if history.val_accuracy[epoch] is not None:
                parts.append(f"{self.validation_name} accuracy {history.val_accuracy[epoch]:.4f}")
        return f"epoch {epoch + 1}/{self.epochs}: {', '.join(parts)} ({history.epoch_seconds[epoch]:.2f} s)"

    def close(self) -> None:
        """Removes the current bar, if any (also after Ctrl-C)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            self._bar_epoch = -1
