"""Pictures of training: learning curves and back-queried images.

matplotlib is an optional dependency (``pip install 'akili[plot]'``), imported
only when a function here draws. Figures are drawn with matplotlib's Agg
canvas directly (no pyplot, no GUI backend), so they work on headless machines
and never open windows.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._history import History

__all__ = ["plot_history", "plot_backquery", "image_shape"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


PathLike = str | os.PathLike


def _figure(width: float, height: float) -> Any:
    """A matplotlib Figure on an Agg canvas; a clear ImportError names the extra to install."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "drawing plots needs matplotlib, which is not installed: pip install 'akili[plot]' "
            "(or pip install matplotlib)"
        ) from error
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _series(values: Sequence[Any]) -> np.ndarray | None:
    """Values as floats, or None when there are none to draw (accuracy None for non-class targets)."""
    if not values or any(value is None for value in values):
        return None
    return np.asarray(values, dtype=float)


def plot_history(history: History, path: PathLike, *, title: str | None = None,
                 validation_name: str = "validation") -> str:
    """Draws the loss and accuracy curves of ``history`` (a History from ``fit``)
    into an image file; returns the path.

    Left: loss per epoch, training and (if recorded) validation. Right: accuracy
    per epoch, likewise, when the targets were classes. The file type follows the
    extension (.png, .svg, .pdf, ...).
    """
    if not isinstance(history, History):
        raise TypeError(f"[plot_history] expected an akili.History, got {type(history).__name__}")
    if history.epochs == 0:
        raise ValueError("[plot_history] the history has no epochs to draw")
    figure = _history_figure(history, title, validation_name)
    figure.savefig(os.fspath(path))
    return os.fspath(path)


def _history_figure(history: History, title: str | None, validation_name: str) -> Any:
    """The figure plot_history saves. A run of one epoch has one point per curve:
    it is drawn as labelled points on an axis with the single whole tick "1" (no
    line, no fractional epochs), and the title says there is no curve to see."""
    accuracy = _series(history.accuracy)
    val_accuracy = _series(history.val_accuracy)
    panels = 2 if accuracy is not None or val_accuracy is not None else 1
    figure = _figure(5.0 * panels, 3.8)
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, history.epochs + 1)
    # One point per epoch: markers keep a one-epoch run visible.
    loss_axes = figure.add_subplot(1, panels, 1)
    loss_axes.plot(epochs, history.loss, marker="o", label="training")
    if history.val_loss:
        loss_axes.plot(epochs[: len(history.val_loss)], history.val_loss, marker="s", label=validation_name)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("loss")
    loss_axes.legend()
    loss_axes.grid(True, alpha=0.3)
    if panels == 2:
        accuracy_axes = figure.add_subplot(1, 2, 2)
        if accuracy is not None:
            accuracy_axes.plot(epochs, accuracy, marker="o", label="training")
        if val_accuracy is not None:
            accuracy_axes.plot(epochs[: len(val_accuracy)], val_accuracy, marker="s", label=validation_name)
        accuracy_axes.set_xlabel("epoch")
        accuracy_axes.set_ylabel("accuracy")
        accuracy_axes.set_title("accuracy")
        accuracy_axes.legend()
        accuracy_axes.grid(True, alpha=0.3)
    for axes in figure.axes:
        # Epochs are whole numbers: ticks on integers only, even when there is just one.
        axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        axes.set_xlim(0.5, history.epochs + 0.5)
        if history.epochs == 1:
            for line in axes.get_lines():
                value = float(line.get_ydata()[0])
                axes.annotate(f"{value:.4g}", (1.0, value), textcoords="offset points", xytext=(8, 0),
                              va="center", color=line.get_color())
    if history.epochs == 1:
        title = f"{title + ': ' if title else ''}one epoch, so one point per curve"
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def image_shape(size: int) -> tuple[int, int]:
    """(rows, columns) of a square image of ``size`` pixels: 784 -> (28, 28), 64 -> (8, 8)."""
    return _square(size, "image_shape")


def _square(size: int, where: str) -> tuple[int, int]:
    side = math.isqrt(size)
    if side * side != size:
        raise ValueError(f"[{where}] {size} values do not make a square image; pass shape=(rows, columns)")
    return side, side


def plot_backquery(images: Any, path: PathLike, *, labels: Sequence[str] | None = None,
                   shape: tuple[int, int] | None = None, title: str | None = None) -> str:
    """Draws back-queried inputs (one row of ``images`` per class, e.g. from
    ``Network.backquery``) as a grid of grey-scale pictures; returns the path.

    ``shape`` is each picture's (rows, columns), by default the square the row
    length allows (784 -> 28x28). Each picture is scaled to its own range, as the
    book shows them.
    """
    array = np.asarray(images, dtype=float)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"[plot_backquery] expected images of shape (n, pixels), got {np.shape(images)}")
    rows, columns = _square(array.shape[1], "plot_backquery") if shape is None else (int(shape[0]), int(shape[1]))
    if rows * columns != array.shape[1]:
        raise ValueError(f"[plot_backquery] shape {rows}x{columns} does not hold {array.shape[1]} values")
    if labels is not None and len(labels) != array.shape[0]:
        raise ValueError(f"[plot_backquery] got {len(labels)} labels for {array.shape[0]} images")
    count = array.shape[0]
    grid_columns = min(count, 5)
    grid_rows = math.ceil(count / grid_columns)
    figure = _figure(2.0 * grid_columns, 2.2 * grid_rows + (0.4 if title else 0.0))
    for index in range(count):
        axes = figure.add_subplot(grid_rows, grid_columns, index + 1)
        axes.imshow(array[index].reshape(rows, columns), cmap="Greys", interpolation="nearest")
        axes.set_xticks([])
        axes.set_yticks([])
        if labels is not None:
            axes.set_title(str(labels[index]), fontsize=10)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(os.fspath(path))
    return os.fspath(path)
