"""The data sets akili knows by name: iris, digits, XOR (built in), Fashion-MNIST, and :func:`load`."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ._csv import read_csv
from ._errors import Dataset, DatasetError, DatasetNotFoundError, PathLike
from ._idx import (
    _SPLITS,
    _checked_pair,
    _find_idx_files,
    _read_idx_into,
    _ScaledSink,
    load_idx_dir,
    load_idx_pair,
    read_idx,
)
from ._npz import load_npz

#: Class names of Fashion-MNIST, indexed by label.
FASHION_MNIST_CLASSES: list[str] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

#: Where Debian's ``dataset-fashion-mnist`` package installs its files.
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

#: Environment variable naming an alternative Fashion-MNIST directory.
FASHION_MNIST_ENV = "AKILI_FASHION_MNIST_DIR"

#: Class names of the iris data set, indexed by label.
IRIS_CLASSES: list[str] = ["setosa", "versicolor", "virginica"]

#: Feature (column) names of the iris data set.
IRIS_FEATURES: list[str] = [
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
]

#: Class names of the digits data set, indexed by label.
DIGITS_CLASSES: list[str] = [str(d) for d in range(10)]


def _fashion_dir(directory: PathLike | None) -> tuple[Path, str]:
    if directory is not None:
        return Path(directory), "the directory argument"
    env = os.environ.get(FASHION_MNIST_ENV)
    if env:
        return Path(env), f"${FASHION_MNIST_ENV}"
    return Path(FASHION_MNIST_DIR), "the default location"


def fashion_mnist(
    directory: PathLike | None = None,
    kind: str = "train",
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = "book",
) -> Dataset:
    """Load Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017; MIT licence).

    The files are looked for in, in order: *directory*, the directory named
    by the environment variable ``AKILI_FASHION_MNIST_DIR``, and
    ``/usr/share/datasets/fashion-mnist`` (where Debian's
    ``dataset-fashion-mnist`` package installs them).

    Parameters
    ----------
    directory : str or os.PathLike, optional
        Directory with ``train-images-idx3-ubyte[.gz]``,
        ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]`` and
        ``t10k-labels-idx1-ubyte[.gz]``.
    kind : {"train", "test", "t10k"}
        ``"train"`` (60000 images) or ``"test"``/``"t10k"`` (10000 images).
    dtype : dtype, default numpy.float64
        Output dtype of ``X`` when *scale* is not None.
    scale : {"book", "unit", None}, default "book"
        ``"book"``: :func:`scale_book` (0..255 -> 0.01..1.0); ``"unit"``:
        divide by 255 (0.0..1.0); None: the raw uint8 pixels.

    Returns
    -------
    X : numpy.ndarray
        ``(n, 784)`` images, one row per image (28x28, row-major).
    y : numpy.ndarray
        ``(n,)`` int64 labels 0..9, see :data:`FASHION_MNIST_CLASSES`.

    Raises
    ------
    DatasetNotFoundError
        If the files are not found; the message explains how to install
        them.
    DatasetError
        If the files are invalid or not 28x28 images with labels 0..9.
    """
    if scale not in ("book", "unit", None):
        raise ValueError(f"scale must be 'book', 'unit' or None, got {scale!r}")
    if kind not in _SPLITS:
        raise ValueError(f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    if scale is not None and np.dtype(dtype).kind != "f":
        raise ValueError(f"dtype must be a floating-point type when scale={scale!r}, got {np.dtype(dtype)}")
    path, origin = _fashion_dir(directory)
    try:
        images, labels = _find_idx_files(path, kind)
    except DatasetNotFoundError:
        prefix = _SPLITS[kind]
        reason = (
            "directory does not exist"
            if not path.is_dir()
            else f"no {prefix}-images-idx3-ubyte[.gz] and {prefix}-labels-idx1-ubyte[.gz] there"
        )
        raise DatasetNotFoundError(
            f"Fashion-MNIST not found in {path} ({origin}: {reason}). "
            f"Install it with `sudo apt-get install dataset-fashion-mnist` "
            f"(Debian/Ubuntu; installs to {FASHION_MNIST_DIR}), or pass "
            f"directory=... or set {FASHION_MNIST_ENV} to a directory "
            f"containing {prefix}-images-idx3-ubyte.gz and "
            f"{prefix}-labels-idx1-ubyte.gz"
        ) from None
    if scale is None:
        X, y = load_idx_pair(images, labels)
        source_dtype = X.dtype
    else:
        # Decoded and scaled in the core as the file is read: no uint8 or float64 copy.
        sink = _ScaledSink(np.dtype(dtype), scale, 255.0)
        X, y = _checked_pair(_read_idx_into(images, sink), read_idx(labels), images, labels)
        source_dtype = sink.source_dtype
    if X.shape[1] != 784 or source_dtype != np.uint8:
        raise DatasetError(f"{images}: expected 28x28 uint8 images, got {X.shape[1]} {source_dtype} values per image")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise DatasetError(f"{labels}: labels must be in 0..9, found {y.min()}..{y.max()}")
    return X, y


def _load_builtin(filename: str) -> Dataset:
    ref = resources.files("akili") / "data" / filename
    with ref.open("rb") as f:
        with np.load(f, allow_pickle=False) as archive:
            return archive["X"], archive["y"]


def iris() -> Dataset:
    """Return the iris data set (Fisher, 1936).

    Loaded from ``akili/data/iris.npz``, which is scikit-learn's copy of the
    UCI Iris data (scikit-learn is BSD-3-Clause licensed; see
    ``akili/data/README.md`` for source and licence).

    Returns
    -------
    X : numpy.ndarray
        float64 ``(150, 4)``: sepal length, sepal width, petal length, petal
        width in cm (:data:`IRIS_FEATURES`).
    y : numpy.ndarray
        int64 ``(150,)`` labels 0..2, see :data:`IRIS_CLASSES`; 50 of each,
        ordered by class.
    """
    X, y = _load_builtin("iris.npz")
    return X.astype(np.float64), y.astype(np.int64)


def digits() -> Dataset:
    """Return the 8x8 handwritten digits data set.

    Loaded from ``akili/data/digits.npz``, which is scikit-learn's copy of
    the test set of the UCI *Optical Recognition of Handwritten Digits* data
    (Alpaydin & Kaynak, 1998; scikit-learn is BSD-3-Clause licensed; see
    ``akili/data/README.md`` for source and licence).

    Returns
    -------
    X : numpy.ndarray
        float64 ``(1797, 64)``; each row is an 8x8 image, row-major, with
        integer values 0..16 (use ``scale_book(X, max_value=16)`` for the
        book's input range).
    y : numpy.ndarray
        int64 ``(1797,)`` labels 0..9.
    """
    X, y = _load_builtin("digits.npz")
    return X.astype(np.float64), y.astype(np.int64)


def xor() -> Dataset:
    """Return the four-point XOR problem.

    Returns
    -------
    X : numpy.ndarray
        float64 ``(4, 2)``: ``[[0, 0], [0, 1], [1, 0], [1, 1]]``.
    y : numpy.ndarray
        int64 ``(4,)``: ``[0, 1, 1, 0]``.
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


_BUILTINS = {
    "iris": iris,
    "digits": digits,
    "xor": xor,
}
#: Every spelling of Fashion-MNIST's name that :func:`load` and the CLI accept; the first is canonical.
_FASHION_NAMES = ("fashion-mnist", "fashion_mnist", "fashionmnist")

#: Class names of the named data sets that have them, by canonical name.
_CLASS_NAMES = {"fashion-mnist": FASHION_MNIST_CLASSES, "iris": IRIS_CLASSES, "digits": DIGITS_CLASSES}


def _known_name(spec: str) -> str | None:
    """The canonical name (``"fashion-mnist"``, ``"iris"``, ...) when ``spec`` names a known data set, else None.

    Case and surrounding spaces are ignored, as in :func:`load`.
    """
    key = spec.strip().lower()
    if key in _FASHION_NAMES:
        return _FASHION_NAMES[0]
    return key if key in _BUILTINS else None


def load(spec: PathLike, kind: str = "train") -> Dataset:
    """Load a data set by name or path.

    Parameters
    ----------
    spec : str or os.PathLike
        One of

        * ``"iris"``, ``"digits"``, ``"xor"``: built-in data sets;
        * ``"fashion-mnist"`` (or ``"fashion_mnist"``): :func:`fashion_mnist`
          with its default ``"book"`` scaling;
        * a path ending in ``.csv``: :func:`read_csv`;
        * a path ending in ``.npz``: :func:`load_npz`;
        * a directory of IDX files: :func:`load_idx_dir`.

        Names are case-insensitive; an existing file or directory of the same
        name takes precedence only if *spec* is not a known name.
    kind : {"train", "test", "t10k"}
        Split, for Fashion-MNIST and IDX directories.  The built-in, CSV and
        npz data sets have a single split; asking them for ``"test"`` raises
        (use :func:`train_test_split`).

    Returns
    -------
    X, y : numpy.ndarray
        Features and int64 labels.

    Raises
    ------
    DatasetError
        If *spec* is neither a known name nor a usable path; the message lists
        the valid choices.
    """
    if kind not in _SPLITS:
        raise ValueError(f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    text = os.fspath(spec)
    key = text.strip().lower()
    single = "built-in data sets, .csv and .npz files have a single split; use train_test_split() to make a test set"
    if key in _BUILTINS:
        if _SPLITS[kind] != "train":
            raise DatasetError(f"{text}: no {kind!r} split: {single}")
        return _BUILTINS[key]()
    if key in _FASHION_NAMES:
        return fashion_mnist(kind=kind)

    path = Path(text)
    suffix = path.suffix.lower()
    if path.is_dir():
        return load_idx_dir(path, kind=kind)
    if suffix in (".csv", ".npz") and path.is_file():
        if _SPLITS[kind] != "train":
            raise DatasetError(f"{text}: no {kind!r} split: {single}")
        return read_csv(path) if suffix == ".csv" else load_npz(path)
    choices = (
        ", ".join(repr(k) for k in [*_BUILTINS, _FASHION_NAMES[0]])
        + ", a path to a .csv or .npz file, or a directory of IDX "
        "files"
    )
    what = "no such file" if suffix in (".csv", ".npz") else "unknown data set"
    raise DatasetError(f"{text}: {what}; valid choices: {choices}")
