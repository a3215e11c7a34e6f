"""Numeric CSV files with one label column (the book's ``mnist_train.csv``), read by the core.

The parsing is native (``cpp/src/io/csv.cpp``): each value is parsed once, straight
into float32 or float64 with the book's or unit scaling applied, on both cores,
with the GIL released. The core reports a problem as a kind and a position; the
messages are worded here, as the former pure-Python reader worded them.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from ._errors import Dataset, DatasetError, PathLike, _name

#: Input scalings the native readers apply as they parse.
_SCALES = (None, "book", "unit")


def _float_dtype(dtype: npt.DTypeLike, where: str) -> np.dtype:
    resolved = np.dtype(dtype)
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"{where}: dtype must be float32 or float64, got {resolved}")
    return resolved


def _check_scale(scale: str | None, max_value: float, where: str) -> str:
    if scale not in _SCALES:
        raise ValueError(f"{where}: scale must be 'book', 'unit' or None, got {scale!r}")
    if not float(max_value) > 0:
        raise ValueError(f"{where}: max_value must be positive, got {max_value!r}")
    return scale or "none"


def _check_delimiter(delimiter: str, where: str) -> str:
    if not isinstance(delimiter, str) or len(delimiter) != 1 or not delimiter.isascii():
        raise ValueError(f"{where}: delimiter must be a single ASCII character, got {delimiter!r}")
    return delimiter


def _csv_problem(name: str, path: PathLike, details: dict[str, Any], label_column: int) -> DatasetError:
    """The DatasetError for a problem the core reported (same wording as the former Python reader)."""
    kind = details["kind"]
    line = details["line"]
    text = details["text"].decode("utf-8", "replace")
    # Where the file has a structural problem (ragged row, non-number) the field is
    # quoted as written; otherwise the parsed value is shown (as NumPy printed it).
    shown = repr(text) if details["structural"] else repr(details["value"])
    if kind == "not_utf8":
        try:
            with open(path, encoding="utf-8-sig") as handle:
                handle.read()
        except UnicodeDecodeError as exc:
            return DatasetError(f"{name}: not a UTF-8 text file: {exc}")
        return DatasetError(f"{name}: not a UTF-8 text file: invalid byte at offset {details['byte_offset']}")
    messages = {
        "cannot_open": f"{name}: cannot open the file for reading",
        "empty_file": f"{name}: empty file (no CSV rows)",
        "header_without_data": f"{name}: no data rows after the header on line {line}",
        "too_few_columns": (
            f"{name}: line {line}: need at least 2 columns (a label and one feature), found {details['values']}"
        ),
        "label_column_out_of_range": (
            f"{name}: label_column {label_column} is out of range for {details['expected']} columns"
        ),
        "ragged_row": (
            f"{name}: line {line}: ragged row: {details['values']} values, expected "
            f"{details['expected']} (as on line {details['expected_line']})"
        ),
        "non_numeric": f"{name}: line {line}, column {details['column']}: non-numeric value {text!r}",
        "non_finite": f"{name}: line {line}, column {details['column']}: non-finite value {shown}",
        "label_not_integer": f"{name}: line {line}: label {shown} is not an integer",
        "label_out_of_range": f"{name}: line {line}: label {shown} is beyond the range of 64-bit integer labels",
    }
    return DatasetError(messages.get(kind, f"{name}: unreadable CSV ({kind})"))


def read_csv(
    path: PathLike,
    label_column: int = 0,
    delimiter: str = ",",
    *,
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = None,
    max_value: float = 255.0,
) -> Dataset:
    """Read a numeric CSV file with one label column.

    This reads the MNIST CSV format of *Make Your Own Neural Network*
    (``mnist_train.csv``: no header, each line is the label followed by the
    784 pixel values 0..255) as well as any numeric CSV with a label column.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file (UTF-8, optional BOM).  Blank lines are ignored; ``\\n``,
        ``\\r\\n`` and a lone ``\\r`` end lines, and every line counts for the line
        numbers in errors.  If the first non-blank line contains a value that is
        not a number it is taken to be a header and skipped; it must have as
        many fields as the data rows.
    label_column : int, default 0
        Index of the label column; negative values count from the end
        (``-1`` = last column).
    delimiter : str, default ","
        Field separator, one ASCII character.
    dtype : numpy.float32 or numpy.float64, default numpy.float64
        dtype of ``X``, parsed straight into it.
    scale : {None, "book", "unit"}, default None
        Applied to every feature as it is parsed: ``"book"`` gives exactly
        ``scale_book(X, max_value, dtype)`` (x / max_value · 0.99 + 0.01 in
        float64, then rounded to *dtype*); ``"unit"`` gives
        ``X.astype(dtype) / dtype(max_value)``; None the values as they are.
    max_value : float, default 255.0
        The value scaled to 1.0.

    Returns
    -------
    X : numpy.ndarray
        ``(n, m)`` array of all columns except the label column.  Values are
        bit for bit ``float(text)`` (correctly rounded), then scaled.
    y : numpy.ndarray
        int64 array ``(n,)`` of labels.

    Raises
    ------
    DatasetError
        With the file name and 1-based line number, for: an empty file (or
        a header without data), ragged rows, non-numeric values, NaN or
        infinite values, non-integer labels (or labels beyond the int64
        range), fewer than two columns or an out-of-range *label_column*.
        When a file has several problems, a ragged row or non-number anywhere
        makes the first problem in file order the one reported; otherwise the
        first non-finite value, else the first non-integer label.

    Notes
    -----
    The parse runs in the core on up to two threads (``akili.set_num_threads``),
    with the GIL released; Ctrl-C stops it.  Memory is the returned arrays plus a
    few MiB of read buffers.  A number is what both Python's ``float()`` and
    NumPy's ``loadtxt`` accept in ASCII: ``1_000`` and non-ASCII digits are not
    numbers here.
    """
    from .. import _core

    where = "read_csv"
    out_dtype = _float_dtype(dtype, where)
    scaling = _check_scale(scale, max_value, where)
    delimiter = _check_delimiter(delimiter, where)
    label_column = operator.index(label_column)
    name = _name(path)
    # Opened here first so a missing file or a directory raises the usual OSError.
    with open(path, "rb"):
        pass
    try:
        X, y = _core.read_csv(os.fsdecode(path), label_column, delimiter, out_dtype.name, scaling, float(max_value))
    except _core.CsvError as error:
        raise _csv_problem(name, path, error.args[1], label_column) from None
    return X, y


class CsvBatches:
    """The rows of a CSV file as ``(X, y)`` batches, read with bounded memory.

    Made by :func:`iter_csv`.  Each ``iter()`` reads the file again from the
    start, so the object can be handed to ``Network.fit`` for several epochs.
    """

    def __init__(
        self,
        path: PathLike,
        batch_rows: int,
        label_column: int,
        delimiter: str,
        dtype: np.dtype,
        scaling: str,
        max_value: float,
    ) -> None:
        from .. import _core

        self._core = _core
        self.path = os.fsdecode(path)
        self.batch_rows = batch_rows
        self.dtype = dtype
        self._args = (self.path, label_column, delimiter, scaling, float(max_value))
        self._label_column = label_column
        # Checked now (missing file, empty file, header, columns), not at the first batch.
        self.n_features = self._open().feature_columns

    def _open(self) -> Any:
        try:
            return self._core.CsvRows(*self._args)
        except self._core.CsvError as error:
            raise _csv_problem(self.path, self.path, error.args[1], self._label_column) from None

    def __iter__(self) -> Iterator[Dataset]:
        rows = self._open()
        while True:
            X = np.empty((self.batch_rows, self.n_features), dtype=self.dtype)
            y = np.empty(self.batch_rows, dtype=np.int64)
            try:
                count = rows.read(X, y)
            except self._core.CsvError as error:
                raise _csv_problem(self.path, self.path, error.args[1], self._label_column) from None
            if count == 0:
                return
            yield (X, y) if count == self.batch_rows else (X[:count].copy(), y[:count].copy())

    def __repr__(self) -> str:
        return f"CsvBatches({self.path!r}, batch_rows={self.batch_rows}, dtype={self.dtype.name})"


def iter_csv(
    path: PathLike,
    batch_rows: int = 1024,
    label_column: int = 0,
    delimiter: str = ",",
    *,
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = None,
    max_value: float = 255.0,
) -> CsvBatches:
    """The rows of a CSV file as ``(X, y)`` batches of at most *batch_rows* rows, with bounded memory.

    Same file rules, parsing and scaling as :func:`read_csv` (whose parameters
    these are); memory is one batch plus a 1 MiB read buffer, whatever the file
    size.  The result is re-iterable: every ``for`` loop over it reads the file
    from the start, so ``net.fit(iter_csv(...), epochs=3)`` trains three epochs.

    A problem in the file raises :class:`DatasetError` when the reading reaches
    it (the batches before it have been yielded): the first problem in file
    order, with its line number, quoting the field as written.
    """
    batch_rows = operator.index(batch_rows)
    if batch_rows < 1:
        raise ValueError(f"iter_csv: batch_rows must be at least 1, got {batch_rows}")
    with open(path, "rb"):
        pass
    return CsvBatches(
        path,
        batch_rows,
        operator.index(label_column),
        _check_delimiter(delimiter, "iter_csv"),
        _float_dtype(dtype, "iter_csv"),
        _check_scale(scale, max_value, "iter_csv"),
        max_value,
    )
