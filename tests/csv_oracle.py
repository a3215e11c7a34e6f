"""The pure-Python CSV reader akili.datasets.read_csv used before the native one
(NumPy's loadtxt plus a diagnosis pass), kept verbatim as the oracle the native
reader must match: bit-identical arrays on valid files, the same message and line
number on every file it refuses."""

from __future__ import annotations

import math
import os

import numpy as np

from akili.datasets import DatasetError

PathLike = "str | os.PathLike"
Dataset = tuple[np.ndarray, np.ndarray]


def _name(path) -> str:
    return os.fspath(path)


def _try_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _diagnose_csv(
    name: str, rows: list[tuple[int, str]], delimiter: str, ncols: int, ncols_line: int, label_col: int
) -> None:
    """Scan *rows* and raise DatasetError for the first problem found."""
    for lineno, line in rows:
        fields = line.split(delimiter)
        if len(fields) != ncols:
            raise DatasetError(
                f"{name}: line {lineno}: ragged row: {len(fields)} values, expected {ncols} (as on line {ncols_line})"
            )
        for j, field in enumerate(fields):
            value = _try_float(field)
            if value is None:
                raise DatasetError(f"{name}: line {lineno}, column {j + 1}: non-numeric value {field.strip()!r}")
            if not math.isfinite(value):
                raise DatasetError(f"{name}: line {lineno}, column {j + 1}: non-finite value {field.strip()!r}")
            if j == label_col and value != round(value):
                raise DatasetError(f"{name}: line {lineno}: label {field.strip()!r} is not an integer")


def read_csv(path: PathLike, label_column: int = 0, delimiter: str = ",") -> Dataset:
    """Read a numeric CSV file with one label column.

    This reads the MNIST CSV format of *Make Your Own Neural Network*
    (``mnist_train.csv``: no header, each line is the label followed by the
    784 pixel values 0..255) as well as any numeric CSV with a label column.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file (UTF-8, optional BOM).  Blank lines are ignored.  If the
        first non-blank line contains a value that is not a number it is
        taken to be a header and skipped; it must have as many fields as the
        data rows.
    label_column : int, default 0
        Index of the label column; negative values count from the end
        (``-1`` = last column).
    delimiter : str, default ","
        Field separator.

    Returns
    -------
    X : numpy.ndarray
        float64 array ``(n, m)`` of all columns except the label column.
    y : numpy.ndarray
        int64 array ``(n,)`` of labels.

    Raises
    ------
    DatasetError
        With the file name and 1-based line number, for: an empty file (or
        a header without data), ragged rows, non-numeric values, NaN or
        infinite values, non-integer labels, fewer than two columns or an
        out-of-range *label_column*.
    """
    name = _name(path)
    try:
        with open(path, encoding="utf-8-sig", newline=None) as f:
            text = f.read()
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{name}: not a UTF-8 text file: {exc}") from exc

    lines = text.split("\n")
    rows = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    if not rows:
        raise DatasetError(f"{name}: empty file (no CSV rows)")

    first_no, first = rows[0]
    first_fields = first.split(delimiter)
    ncols, ncols_line = len(first_fields), first_no
    if any(_try_float(v) is None for v in first_fields):
        rows = rows[1:]  # header line
        if not rows:
            raise DatasetError(f"{name}: no data rows after the header on line {first_no}")
    if ncols < 2:
        raise DatasetError(f"{name}: line {first_no}: need at least 2 columns (a label and one feature), found {ncols}")
    if not -ncols <= label_column < ncols:
        raise DatasetError(f"{name}: label_column {label_column} is out of range for {ncols} columns")
    label_col = label_column % ncols

    try:
        data = np.loadtxt([line for _, line in rows], delimiter=delimiter, comments=None, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        _diagnose_csv(name, rows, delimiter, ncols, ncols_line, label_col)
        raise DatasetError(f"{name}: cannot parse CSV: {exc}") from exc

    if data.shape[1] != ncols:
        raise DatasetError(
            f"{name}: line {rows[0][0]}: ragged row: {data.shape[1]} values, expected {ncols} (as on line {ncols_line})"
        )
    finite = np.isfinite(data)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise DatasetError(f"{name}: line {rows[r][0]}, column {c + 1}: non-finite value {data[r, c].item()!r}")
    labels = data[:, label_col]
    bad = labels != np.round(labels)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise DatasetError(f"{name}: line {rows[r][0]}: label {labels[r].item()!r} is not an integer")
    y = labels.astype(np.int64)
    X = np.ascontiguousarray(np.delete(data, label_col, axis=1))
    return X, y
