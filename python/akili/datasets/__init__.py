"""Data set loading and preprocessing helpers for akili.

Nothing here ever unpickles data: every ``numpy.load`` call passes ``allow_pickle=False``.
The package has one module per job; this namespace exports only the public API below.

Readers (``_idx``, ``_csv``, ``_npz``)
    :func:`read_idx`, :func:`load_idx_pair`, :func:`load_idx_dir` (MNIST /
    Fashion-MNIST IDX files, raw or gzipped), :func:`read_csv` (the MNIST CSV
    format used by *Make Your Own Neural Network* and any numeric CSV with a
    label column), :func:`load_npz`; :func:`iter_csv` and :func:`iter_idx`
    stream a file in ``(X, y)`` batches with bounded memory; :func:`csv_to_dask`
    and :func:`idx_to_dask` hand a file to Dask as arrays read in chunks.
Data sets (``_builtin``)
    :func:`iris`, :func:`digits`, :func:`xor` (built in),
    :func:`fashion_mnist` (Debian's ``dataset-fashion-mnist`` package or a
    directory of IDX files), and the dispatcher :func:`load`.
Preprocessing (``_preprocessing``)
    :func:`scale_book`, :func:`one_hot`, :func:`standardize`,
    :func:`minmax_scale`, :func:`train_test_split`.

All readers raise :class:`DatasetError` (a :class:`ValueError`) with a message
naming the offending file and what is wrong with it.
"""

from ._builtin import (
    DIGITS_CLASSES,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    IRIS_CLASSES,
    IRIS_FEATURES,
    digits,
    fashion_mnist,
    iris,
    load,
    xor,
)
from ._csv import iter_csv, read_csv
from ._dask import csv_to_dask, idx_to_dask
from ._errors import DatasetError, DatasetNotFoundError
from ._idx import iter_idx, load_idx_dir, load_idx_pair, read_idx
from ._npz import load_npz
from ._preprocessing import minmax_scale, one_hot, scale_book, standardize, train_test_split

__all__ = [
    "DatasetError",
    "DatasetNotFoundError",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DIR",
    "IRIS_CLASSES",
    "IRIS_FEATURES",
    "DIGITS_CLASSES",
    "read_idx",
    "load_idx_pair",
    "load_idx_dir",
    "read_csv",
    "iter_csv",
    "iter_idx",
    "csv_to_dask",
    "idx_to_dask",
    "load_npz",
    "scale_book",
    "one_hot",
    "standardize",
    "minmax_scale",
    "train_test_split",
    "fashion_mnist",
    "iris",
    "digits",
    "xor",
    "load",
]


def __dir__() -> list[str]:
    # The private modules (_csv, _idx, ...) become attributes of the package once imported;
    # dir() and tab completion show the public API only.
    return sorted(__all__)
