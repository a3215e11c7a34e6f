"""Preprocessing: the book's scaling, one-hot targets, standardisation, min-max scaling, splits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ._errors import Split


def scale_book(X: npt.ArrayLike, max_value: float = 255.0, dtype: npt.DTypeLike = np.float64) -> np.ndarray:
    """Scale inputs the way *Make Your Own Neural Network* does.

    Computes ``X / max_value * 0.99 + 0.01``, mapping ``0 -> 0.01`` and
    ``max_value -> 1.0`` so that no input is exactly zero.

    Parameters
    ----------
    X : array_like
        Raw values, e.g. uint8 pixels 0..255.
    max_value : float, default 255.0
        Value mapped to 1.0.
    dtype : dtype, default numpy.float64
        Output dtype (e.g. ``numpy.float32``).  The arithmetic is done in
        float64 and then cast.

    Returns
    -------
    numpy.ndarray
        Scaled copy of *X*.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value!r}")
    # In place on one float64 copy: same values as the formula, fewer
    # temporaries (matters for 60000x784 image arrays).
    out = np.array(X, dtype=np.float64)
    out /= max_value
    out *= 0.99
    out += 0.01
    return out.astype(dtype, copy=False)


def one_hot(
    y: npt.ArrayLike,
    n_classes: int | None = None,
    low: float = 0.0,
    high: float = 1.0,
    dtype: npt.DTypeLike = np.float64,
) -> np.ndarray:
    """Encode integer labels as one-hot target rows.

    Parameters
    ----------
    y : array_like of int, shape (n,)
        Class labels in ``0 .. n_classes - 1``.
    n_classes : int, optional
        Number of classes; defaults to ``max(y) + 1``.
    low, high : float
        Values for the "off" and "on" entries.  The book uses
        ``low=0.01, high=0.99``.
    dtype : dtype, default numpy.float64
        Output dtype.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n, n_classes)`` filled with *low*, with *high* at
        ``[i, y[i]]``.

    Raises
    ------
    ValueError
        If *y* is not 1-D integral, or a label is negative or
        ``>= n_classes`` (the message names the label and its index).
    """
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"label {arr[i].item()!r} at index {i} is not an integer")
    elif arr.dtype.kind not in "iub":
        raise ValueError(f"labels must be integers, got dtype {arr.dtype}")
    labels = arr.astype(np.int64)
    if n_classes is None:
        if labels.size == 0:
            raise ValueError("cannot infer n_classes from an empty y")
        n_classes = int(labels.max()) + 1
    n_classes = int(n_classes)
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    bad = (labels < 0) | (labels >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"label {labels[i]} at index {i} is out of range for {n_classes} classes (valid labels: 0..{n_classes - 1})"
        )
    out = np.full((labels.size, n_classes), low, dtype=dtype)
    out[np.arange(labels.size), labels] = high
    return out


def standardize(
    X: npt.ArrayLike, mean: npt.ArrayLike | None = None, std: npt.ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardize columns to zero mean and unit variance.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Data.
    mean, std : array_like, shape (m,), optional
        Statistics to use (typically those returned for the training set);
        each one that is omitted is computed from *X*.  A standard deviation
        of 0 (a constant column) is replaced by 1 so that column becomes 0.

    Returns
    -------
    Xs : numpy.ndarray
        ``(X - mean) / std`` as float64.
    mean, std : numpy.ndarray
        The statistics used (``std`` with zeros replaced by 1).
    """
    Xf = np.asarray(X, dtype=np.float64)
    if mean is None:
        mean_arr = Xf.mean(axis=0)
    else:
        mean_arr = np.asarray(mean, dtype=np.float64)
    if std is None:
        std_arr = Xf.std(axis=0)
        if Xf.shape[0] > 0:
            # Constant columns can give a tiny non-zero std from rounding.
            std_arr = np.where(Xf.max(axis=0) == Xf.min(axis=0), 0.0, std_arr)
    else:
        std_arr = np.array(std, dtype=np.float64)
    std_arr = np.where(std_arr == 0, 1.0, std_arr)
    return (Xf - mean_arr) / std_arr, mean_arr, std_arr


def minmax_scale(
    X: npt.ArrayLike,
    lo: float = 0.0,
    hi: float = 1.0,
    data_min: npt.ArrayLike | None = None,
    data_max: npt.ArrayLike | None = None,
) -> np.ndarray:
    """Linearly rescale each column to the range ``[lo, hi]``.

    Parameters
    ----------
    X : array_like, shape (n, m)
        Data.
    lo, hi : float
        Target range; ``lo < hi``.
    data_min, data_max : array_like, shape (m,), optional
        Column minimum and maximum to map to *lo* and *hi* (e.g. taken from
        the training set); computed from *X* when omitted.

    Returns
    -------
    numpy.ndarray
        float64 array; constant columns map to *lo*.
    """
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo!r}, hi={hi!r}")
    Xf = np.asarray(X, dtype=np.float64)
    mn = Xf.min(axis=0) if data_min is None else np.asarray(data_min, float)
    mx = Xf.max(axis=0) if data_max is None else np.asarray(data_max, float)
    span = mx - mn
    span = np.where(span == 0, 1.0, span)
    return (Xf - mn) / span * (hi - lo) + lo


def train_test_split(
    X: npt.ArrayLike, y: npt.ArrayLike, test_fraction: float = 0.2, seed: int | None = 0, stratify: bool = True
) -> Split:
    """Randomly split a data set into training and test parts.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        Features.
    y : array_like, shape (n,)
        Labels.
    test_fraction : float, default 0.2
        Fraction of samples (of each class, if stratified) put in the test
        set; must be strictly between 0 and 1.
    seed : int or None, default 0
        Seed for :func:`numpy.random.default_rng`; the same seed always gives
        the same split.
    stratify : bool, default True
        Keep class proportions: ``round(test_fraction * n_c)`` samples of
        each class ``c`` go to the test set.

    Returns
    -------
    X_train, X_test, y_train, y_test : numpy.ndarray
        The two parts, each in shuffled order.

    Raises
    ------
    ValueError
        If the lengths differ, *test_fraction* is out of range, or either part
        would be empty.
    """
    Xa = np.asarray(X)
    ya = np.asarray(y)
    if Xa.shape[0] != ya.shape[0]:
        raise ValueError(f"X has {Xa.shape[0]} rows but y has {ya.shape[0]} labels")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    n = ya.shape[0]
    if stratify:
        test_parts = []
        train_parts = []
        for cls in np.unique(ya):
            idx = rng.permutation(np.flatnonzero(ya == cls))
            k = int(round(test_fraction * idx.size))
            test_parts.append(idx[:k])
            train_parts.append(idx[k:])
        test_idx = rng.permutation(np.concatenate(test_parts)) if test_parts else np.empty(0, np.int64)
        train_idx = rng.permutation(np.concatenate(train_parts)) if train_parts else np.empty(0, np.int64)
    else:
        perm = rng.permutation(n)
        k = int(round(test_fraction * n))
        test_idx, train_idx = perm[:k], perm[k:]
    if test_idx.size == 0 or train_idx.size == 0:
        raise ValueError(
            f"test_fraction={test_fraction} of {n} samples leaves an empty "
            f"{'test' if test_idx.size == 0 else 'training'} set"
        )
    return Xa[train_idx], Xa[test_idx], ya[train_idx], ya[test_idx]


#: The ways the command line scales inputs (``akili train --scale``); ``auto`` picks one from the data.
SCALINGS = ("auto", "book", "standard", "minmax", "none")


@dataclass
class Scaling:
    """How raw inputs become network inputs.

    ``book``: x / max_value · 0.99 + 0.01 (the book's pixels, 0.01..1.0);
    ``standard``: (x - mean) / std per column; ``minmax``: each column to
    0.01..1.0 using the training minimum and maximum; ``none``: as they are.
    """

    method: str
    max_value: float = 255.0
    mean: list[float] = field(default_factory=list)
    std: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)

    @classmethod
    def fit(cls, method: str, inputs: np.ndarray) -> Scaling:
        """The scaling ``method`` with its parameters measured on the training inputs.

        ``auto`` picks ``book`` for non-negative whole numbers (pixels; the maximum
        is 255 for bytes, else the largest training value) and ``standard`` otherwise.
        """
        if method not in SCALINGS:
            raise ValueError(f"unknown scaling {method!r}; expected one of {', '.join(SCALINGS)}")
        if method == "auto":
            whole = inputs.dtype.kind in "iub" or bool(np.all(inputs == np.round(inputs)))
            method = "book" if whole and inputs.min() >= 0 else "standard"
        if method == "book":
            largest = 255.0 if inputs.dtype == np.uint8 else float(inputs.max())
            return cls("book", max_value=largest if largest > 0 else 1.0)
        if method == "standard":
            _, mean, std = standardize(inputs)
            return cls("standard", mean=mean.tolist(), std=std.tolist())
        if method == "minmax":
            return cls(
                "minmax", low=inputs.min(axis=0).astype(float).tolist(), high=inputs.max(axis=0).astype(float).tolist()
            )
        return cls("none")

    def apply(self, inputs: np.ndarray, dtype: Any) -> np.ndarray:
        """Scaled copy of ``inputs`` (n, features) as a C-contiguous array of ``dtype``."""
        columns = len(self.mean or self.low)
        if columns and inputs.shape[1] != columns:
            raise ValueError(
                f"the data has {inputs.shape[1]} features per sample but the model's scaling was measured on {columns}"
            )
        if self.method == "book":
            scaled = scale_book(inputs, max_value=self.max_value)
        elif self.method == "standard":
            scaled, _, _ = standardize(inputs, mean=self.mean, std=self.std)
        elif self.method == "minmax":
            scaled = minmax_scale(inputs, lo=0.01, hi=1.0, data_min=self.low, data_max=self.high)
        else:
            scaled = inputs
        return np.ascontiguousarray(scaled, dtype=dtype)

    def describe(self) -> str:
        """One phrase for messages: ``book (x / 255 · 0.99 + 0.01)``."""
        if self.method == "book":
            return f"book (x / {self.max_value:g} * 0.99 + 0.01)"
        if self.method == "standard":
            return "standard ((x - mean) / std per column)"
        if self.method == "minmax":
            return "minmax (each column to 0.01..1.0)"
        return "none"

    def to_json(self) -> dict[str, Any]:
        if self.method == "book":
            return {"method": "book", "max_value": self.max_value}
        if self.method == "standard":
            return {"method": "standard", "mean": self.mean, "std": self.std}
        if self.method == "minmax":
            return {"method": "minmax", "low": self.low, "high": self.high}
        return {"method": "none"}

    @classmethod
    def from_json(cls, data: Any, source: str) -> Scaling:
        if not isinstance(data, dict) or data.get("method") not in SCALINGS[1:]:
            raise ValueError(
                f"{source}: 'input_scaling' must be an object with a method among {', '.join(SCALINGS[1:])}"
            )
        try:
            scaling = cls(
                data["method"],
                max_value=float(data.get("max_value", 255.0)),
                mean=[float(v) for v in data.get("mean", [])],
                std=[float(v) for v in data.get("std", [])],
                low=[float(v) for v in data.get("low", [])],
                high=[float(v) for v in data.get("high", [])],
            )
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: bad 'input_scaling' values: {error}") from None
        numbers = [scaling.max_value, *scaling.mean, *scaling.std, *scaling.low, *scaling.high]
        if not all(math.isfinite(value) for value in numbers) or scaling.max_value <= 0:
            raise ValueError(f"{source}: 'input_scaling' holds a non-finite or non-positive value")
        if len(scaling.mean) != len(scaling.std) or len(scaling.low) != len(scaling.high):
            raise ValueError(f"{source}: 'input_scaling' lists of different lengths")
        return scaling
