"""Pictures of training: learning curves, back-queried images and the network
itself (``draw_network``: nodes, weights and a Trace's numbers).

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

from ._diagram import draw_network
from ._history import History
from ._labels import check_language, word

__all__ = ["plot_history", "plot_backquery", "image_shape", "draw_network"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


PathLike = str | os.PathLike

#: Histories of more epochs are drawn as lines, without a dot per epoch or epoch boundaries.
MAX_MARKED_EPOCHS = 50


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


def plot_history(
    history: History,
    path: PathLike | None = None,
    *,
    title: str | None = None,
    validation_name: str | None = None,
    lang: str = "en",
) -> Any:
    """Draws the loss and accuracy curves of ``history`` (a History from ``fit``);
    writes them to ``path`` and returns the path, or without a path returns the
    matplotlib Figure (Jupyter shows it).

    Left: training loss, right: accuracy (when the targets were classes). The x
    axis is in epochs: the in-epoch points (``History.curve_loss``, the mean of
    each window of samples) form the line, each epoch's mean is a dot at its
    end, validation (if recorded) a square there, and dotted lines mark where
    one epoch ends and the next begins (up to 50 epochs; longer runs are drawn
    as plain lines). A history without in-epoch points draws the epoch means
    alone. The file type follows the extension (.png, .svg, ...).
    ``lang="sw"`` labels the picture in Kiswahili.
    """
    if not isinstance(history, History):
        raise TypeError(f"[plot_history] expected an akili.History, got {type(history).__name__}")
    if history.epochs == 0:
        raise ValueError("[plot_history] the history has no epochs to draw")
    check_language(lang, "plot_history")
    validation_name = validation_name if validation_name is not None else word("validation", lang)
    accuracy = _series(history.accuracy)
    val_accuracy = _series(history.val_accuracy)
    curve_accuracy = _series(history.curve_accuracy)
    panels = 2 if accuracy is not None or val_accuracy is not None else 1
    figure = _figure(5.0 * panels, 3.8)
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, history.epochs + 1)
    inside = len(history.curve_loss) > 0
    training = word("training", lang)
    series: list[tuple[str, Any, Any, Any]] = [(word("loss", lang), history.loss, history.curve_loss, history.val_loss)]
    if panels == 2:
        series.append((word("accuracy", lang), accuracy, curve_accuracy, val_accuracy))
    for index, (name, means, curve, validation) in enumerate(series):
        axes = figure.add_subplot(1, panels, index + 1)
        if inside and curve is not None:
            axes.plot(
                history.curve_position,
                curve,
                color="C0",
                linewidth=1.2,
                marker=".",
                markersize=3,
                label=f"{training} ({word('every', lang, n=history.log_every)})",
            )
        # One dot per epoch at its end (a one-epoch run without inside points stays
        # visible); beyond MAX_MARKED_EPOCHS epochs, dots and boundaries would only blot the curve.
        marker = "o" if history.epochs <= MAX_MARKED_EPOCHS else None
        if means is not None:
            axes.plot(
                epochs,
                means,
                color="C0",
                linestyle="none" if inside else "-",
                marker=marker or "o",
                markersize=6 if marker else 2,
                label=f"{training} ({word('epoch mean', lang)})" if inside else training,
            )
        if validation is not None and len(validation):
            axes.plot(epochs[: len(validation)], validation, color="C1", marker=marker and "s", label=validation_name)
        if inside and history.epochs <= MAX_MARKED_EPOCHS:
            for boundary in epochs[:-1]:
                axes.axvline(boundary, color="0.6", linestyle=":", linewidth=1.0)
        axes.set_xlabel(word("epoch", lang))
        axes.set_ylabel(name)
        axes.set_title(name)
        axes.legend(fontsize=8)
        axes.grid(True, alpha=0.3)
        if inside:
            axes.set_xlim(0.0, history.epochs + 0.02 * history.epochs)
        if history.epochs > 1 or not inside:
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        if history.epochs == 1 and not inside:
            # One value per curve: one whole tick, no fractional epochs to misread as a scale.
            axes.set_xlim(0.5, 1.5)
            axes.set_xticks([1])
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    if path is None:
        return figure
    figure.savefig(os.fspath(path))
    return os.fspath(path)


def image_shape(size: int) -> tuple[int, int]:
    """(rows, columns) of a square image of ``size`` pixels: 784 -> (28, 28), 64 -> (8, 8)."""
    side = math.isqrt(size)
    if side * side != size:
        raise ValueError(f"[image_shape] {size} values do not make a square image; pass shape=(rows, columns)")
    return side, side


def plot_backquery(
    images: Any,
    path: PathLike | None = None,
    *,
    labels: Sequence[str] | None = None,
    shape: tuple[int, int] | None = None,
    title: str | None = None,
) -> Any:
    """Draws back-queried inputs (one row of ``images`` per class, e.g. from
    ``Network.backquery``) as a grid of grey-scale pictures; returns the path,
    or without a path the matplotlib Figure (Jupyter shows it).

    ``shape`` is each picture's (rows, columns), by default the square the row
    length allows (784 -> 28x28). Each picture is scaled to its own range, as the
    book shows them.
    """
    array = np.asarray(images, dtype=float)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"[plot_backquery] expected images of shape (n, pixels), got {np.shape(images)}")
    rows, columns = image_shape(array.shape[1]) if shape is None else (int(shape[0]), int(shape[1]))
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
    if path is None:
        return figure
    figure.savefig(os.fspath(path))
    return os.fspath(path)
