"""CSV and IDX files as Dask arrays: each chunk is read by the core on whichever
worker computes it, so a file larger than any one machine's memory can feed
``dask_ml.wrappers.Incremental`` (which calls the estimators' ``partial_fit``
chunk by chunk). Dask is imported only when these functions are called.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import numpy.typing as npt

from ._csv import _check_delimiter, _check_scale, _csv_problem, _float_dtype
from ._errors import DatasetError, PathLike, _name
from ._idx import _GZIP_MAGIC, _IDX_CODES, _checked_pair, _IdxStream

#: Default bytes of CSV text per chunk (about 28,000 rows of the book's MNIST lines).
CSV_BLOCK_BYTES = 64 << 20


def _read_csv_block(
    path: str,
    label_column: int,
    delimiter: str,
    scaling: str,
    max_value: float,
    block: tuple[int, int, int],
    rows: int,
    n_features: int,
    dtype: str,
) -> tuple[np.ndarray, np.ndarray]:
    """One chunk: the rows in bytes [begin, end) of the file (run on a worker)."""
    from .. import _core

    X = np.empty((rows, n_features), dtype=dtype)
    y = np.empty(rows, dtype=np.int64)
    try:
        reader = _core.CsvRows(path, label_column, delimiter, scaling, max_value, block)
        got = reader.read(X, y)
    except _core.CsvError as error:
        raise _csv_problem(path, path, error.args[1], label_column) from None
    if got != rows:
        raise DatasetError(
            f"{path}: the block at byte {block[0]} holds {got} rows, {rows} were counted (did the file change?)"
        )
    return X, y


def csv_to_dask(
    path: PathLike,
    label_column: int = 0,
    delimiter: str = ",",
    *,
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = None,
    max_value: float = 255.0,
    block_bytes: int = CSV_BLOCK_BYTES,
) -> tuple[Any, Any]:
    """A CSV file as Dask arrays ``(X, y)``, one chunk per *block_bytes* of text.

    The file is scanned once here, by the core, to cut it at line ends and count
    the rows of each block (so the chunks have known sizes); the values are parsed
    only when a chunk is computed, on the worker computing it, with the rules,
    dtype and scaling of :func:`akili.datasets.read_csv`.  The path must be
    readable by every worker (a shared file system on a multi-machine cluster).
    """
    import dask
    import dask.array as da

    where = "csv_to_dask"
    out_dtype = _float_dtype(dtype, where)
    scaling = _check_scale(scale, max_value, where)
    delimiter = _check_delimiter(delimiter, where)
    text = os.path.abspath(os.fsdecode(path))
    with open(text, "rb"):
        pass
    from .. import _core

    try:
        layout, blocks = _core.csv_blocks(text, int(label_column), delimiter, int(block_bytes))
    except _core.CsvError as error:
        raise _csv_problem(_name(path), path, error.args[1], int(label_column)) from None
    n_features = layout["columns"] - 1
    X_parts, y_parts = [], []
    for begin, end, first_line, rows in blocks:
        part = dask.delayed(_read_csv_block, pure=True)(
            text,
            int(label_column),
            delimiter,
            scaling,
            float(max_value),
            (begin, end, first_line),
            rows,
            n_features,
            out_dtype.name,
        )
        X_parts.append(da.from_delayed(part[0], shape=(rows, n_features), dtype=out_dtype))
        y_parts.append(da.from_delayed(part[1], shape=(rows,), dtype=np.int64))
    return da.concatenate(X_parts), da.concatenate(y_parts)


def _read_idx_rows(
    path: str,
    header_len: int,
    row_bytes: int,
    start: int,
    rows: int,
    n_features: int,
    code: int,
    dtype: str,
    scaling: str,
    max_value: float,
) -> np.ndarray:
    """One chunk: images start..start+rows of an uncompressed IDX file (run on a worker)."""
    from .. import _core

    out = np.empty((rows, n_features), dtype=dtype)
    with open(path, "rb") as handle:
        handle.seek(header_len + start * row_bytes)
        data = handle.read(rows * row_bytes)
    if len(data) != rows * row_bytes:
        raise DatasetError(f"{path}: the file shrank while it was read")
    _core.decode_idx(code, data, out.reshape(-1), 0, scaling, max_value)
    return out


def idx_to_dask(
    images_path: PathLike,
    labels_path: PathLike,
    rows_per_chunk: int = 10_000,
    *,
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = None,
    max_value: float = 255.0,
) -> tuple[Any, Any]:
    """An uncompressed IDX pair as Dask arrays ``(X, y)``, *rows_per_chunk* images per chunk.

    Each chunk reads its own byte range of the images file and converts it in the
    core (dtype and scaling as in :func:`akili.datasets.iter_idx`).  The labels
    (one small value per image) are read here.  Gzip files cannot be cut into
    independently readable chunks: decompress them first (``gunzip -k``).
    """
    import dask
    import dask.array as da

    out_dtype = _float_dtype(dtype, "idx_to_dask")
    scaling = _check_scale(scale, max_value, "idx_to_dask")
    text = os.path.abspath(os.fsdecode(images_path))
    with open(text, "rb") as handle:
        if handle.read(2) == _GZIP_MAGIC:
            raise DatasetError(
                f"{_name(images_path)}: a gzip file cannot be read in independent chunks; "
                "decompress it first (gunzip -k) and pass the decompressed file"
            )
    images = _IdxStream(text)
    images.close()
    from ._idx import read_idx

    if len(images.dims) < 2:
        raise DatasetError(
            f"{images.name}: expected an images file with at least 2 dimensions (n, rows, cols), "
            f"got shape {tuple(images.dims)}"
        )
    # The pair checks (labels 1-D integers, one per image) on a stand-in of the images' length.
    _, y = _checked_pair(np.empty((images.dims[0], 1)), read_idx(labels_path), images_path, labels_path)
    n, n_features = images.dims[0], math.prod(images.dims[1:])
    code = _IDX_CODES[images.dtype.str]
    row_bytes = n_features * images.dtype.itemsize
    parts = []
    for start in range(0, n, rows_per_chunk):
        rows = min(rows_per_chunk, n - start)
        part = dask.delayed(_read_idx_rows, pure=True)(
            text, images.header_len, row_bytes, start, rows, n_features, code, out_dtype.name, scaling, float(max_value)
        )
        parts.append(da.from_delayed(part, shape=(rows, n_features), dtype=out_dtype))
    return da.concatenate(parts), da.from_array(y, chunks=rows_per_chunk)
