"""Turning user input into the arrays the core expects, with clear errors.

The core receives C-contiguous arrays of the network's dtype. Such arrays are
passed through without a copy; anything else (lists, other dtypes, Fortran-order
or strided views) is converted once, here, and the caller's array is never
modified.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, float


def _as_array(values: Any, name: str, where: str) -> np.ndarray:
    """``np.asarray(values)``, refusing what it would silently or obscurely mishandle."""
    if isinstance(values, np.ma.MaskedArray) and np.ma.getmaskarray(values).any():
        # np.asarray would drop the mask and train on the hidden values.
        raise ValueError(f"[{where}] {name} is a masked array with masked entries; fill or drop them first")
    try:
        return np.asarray(values)
    except (ValueError, TypeError) as error:  # e.g. ragged nested lists
        raise ValueError(f"[{where}] cannot read {name} as a numeric array: {error}") from error


def as_matrix(
    values: Any, *, dtype: np.dtype, columns: int, name: str, where: str, core_checks_finite: bool = False
) -> tuple[np.ndarray, bool]:
    """Return ``(matrix, was_1d)``: a C-contiguous 2-D array of ``dtype`` whose
    rows are samples with ``columns`` values each.

    A 1-D array of length ``columns`` is one sample. Raises TypeError for
    non-numeric data and ValueError for a wrong shape, an empty array, NaN or
    infinity. ``core_checks_finite=True`` leaves the NaN/infinity test to the
    core function the matrix goes to, which checks each row while it is in
    cache (a separate pass here would cost a full read and a boolean copy of
    the data); values that only became infinite by narrowing to float32 are
    still refused here, where the message can say why.
    """
    array = _as_array(values, name, where)
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"[{where}] expected {name} as a real numeric array, got dtype {array.dtype} "
            "(object, complex and string arrays are not accepted)"
        )
    was_1d = array.ndim == 1
    if was_1d:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise ValueError(
            f"[{where}] expected {name} as a 2-D array (samples, {columns}) or one 1-D sample, "
            f"got an array of shape {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"[{where}] expected at least one sample in {name}, got shape {array.shape}")
    if array.shape[1] != columns:
        raise ValueError(f"[{where}] expected {columns} columns in {name}, got {array.shape[1]} (shape {array.shape})")
    narrowed = array.dtype.kind == "f" and array.dtype.itemsize > np.dtype(dtype).itemsize
    if array.dtype.kind == "f":
        with np.errstate(over="ignore"):  # a float64 too large for float32 becomes inf, refused below
            array = np.ascontiguousarray(array, dtype=dtype)
    else:
        array = np.ascontiguousarray(array, dtype=dtype)
    if (narrowed or not core_checks_finite) and not np.isfinite(array).all():
        raise ValueError(f"[{where}] {name} contain NaN or infinity (or values too large for {np.dtype(dtype).name})")
    return array, was_1d


def as_targets(values: Any, *, dtype: np.dtype, columns: int, samples: int, where: str) -> np.ndarray:
    """Targets as a (samples, columns) array; a 1-D array is accepted when there is one output."""
    array = _as_array(values, "targets", where)
    if array.ndim == 1 and columns == 1:
        array = array.reshape(-1, 1)
    elif array.ndim == 1 and array.dtype.kind in "iu" and array.shape[0] == samples:
        raise ValueError(
            f"[{where}] got {samples} integer class labels but the network has {columns} outputs: "
            "expected one target row per sample; convert labels with akili.datasets.one_hot(labels, "
            f"{columns})"
        )
    matrix, _ = as_matrix(
        array if array.ndim != 1 else array.reshape(1, -1), dtype=dtype, columns=columns, name="targets", where=where
    )
    if matrix.shape[0] != samples:
        raise ValueError(f"[{where}] expected {samples} target rows (one per input sample), got {matrix.shape[0]}")
    return matrix


def check_positive_int(value: Any, name: str, where: str, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum`` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"[{where}] expected {name} as an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"[{where}] expected {name} >= {minimum}, got {value}")
    return int(value)


def check_dtype(dtype: Any) -> np.dtype:
    """The network dtype: float32 or float64."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"[Network] expected dtype 'float32' or 'float64', got {dtype!r}") from error
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"[Network] expected dtype 'float32' or 'float64', got {resolved.name!r}")
    return resolved


def check_learning_rate(value: Any, where: str) -> float:
    """``value`` as a positive finite float (bools and non-numbers refused); numbers in the
    message are written %g-style, so -1e-9 reads "-1e-09"."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"[{where}] expected a positive finite learning rate, got {type(value).__name__} {value!r}")
    rate = float(value)
    if not (np.isfinite(rate) and rate > 0):
        raise ValueError(f"[{where}] expected a positive finite learning rate, got {rate:g}")
    return rate


def as_sample_weight(values: Any, *, dtype: np.dtype, samples: int, where: str) -> np.ndarray | None:
    """``sample_weight`` as a C-contiguous 1-D array of ``dtype`` with one weight per
    sample, or None when ``values`` is None (every sample weighs 1). Raises
    ValueError for a wrong count, a negative, NaN or infinite weight, or weights
    that all are 0 (nothing would train), and TypeError for non-numeric ones."""
    if values is None:
        return None
    array = _as_array(values, "sample_weight", where)
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"[{where}] expected sample_weight as numbers, got dtype {array.dtype}")
    if array.ndim != 1 or array.shape[0] != samples:
        raise ValueError(
            f"[{where}] expected sample_weight as {samples} values, one per sample, got shape {array.shape}"
        )
    weights = np.ascontiguousarray(array, dtype=dtype)
    if not np.isfinite(weights).all():
        raise ValueError(f"[{where}] sample_weight holds NaN or infinity (row {int(np.argmin(np.isfinite(weights)))})")
    if (weights < 0).any():
        raise ValueError(
            f"[{where}] expected sample_weight >= 0, got {weights.min():g} (row {int(np.argmin(weights))})"
        )
    if not weights.any():
        raise ValueError(f"[{where}] every sample_weight is 0: nothing to train on")
    return weights
