"""Data set loading and preprocessing helpers for akili.

This module is pure Python + NumPy.  Nothing in it ever unpickles data:
every ``numpy.load`` call passes ``allow_pickle=False``.

Readers
    :func:`read_idx`, :func:`load_idx_pair`, :func:`load_idx_dir` (MNIST /
    Fashion-MNIST IDX files, raw or gzipped), :func:`read_csv` (the MNIST CSV
    format used by *Make Your Own Neural Network* and any numeric CSV with a
    label column), :func:`load_npz`.
Data sets
    :func:`iris`, :func:`digits`, :func:`xor` (built in),
    :func:`fashion_mnist` (Debian's ``dataset-fashion-mnist`` package or a
    directory of IDX files), and the dispatcher :func:`load`.
Preprocessing
    :func:`scale_book`, :func:`one_hot`, :func:`standardize`,
    :func:`minmax_scale`, :func:`train_test_split`.

All readers raise :class:`DatasetError` (a :class:`ValueError`) with a message
naming the offending file and what is wrong with it.
"""

from __future__ import annotations

import gzip
import math
import os
import zipfile
import zlib
from importlib import resources
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

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

PathLike = Union[str, os.PathLike]
Dataset = Tuple[np.ndarray, np.ndarray]
Split = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class DatasetError(ValueError):
    """A data file is missing, malformed or inconsistent."""


class DatasetNotFoundError(DatasetError):
    """A data set could not be found where it was looked for."""


#: Class names of Fashion-MNIST, indexed by label.
FASHION_MNIST_CLASSES: List[str] = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]

#: Where Debian's ``dataset-fashion-mnist`` package installs its files.
FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

#: Environment variable naming an alternative Fashion-MNIST directory.
FASHION_MNIST_ENV = "AKILI_FASHION_MNIST_DIR"

#: Class names of the iris data set, indexed by label.
IRIS_CLASSES: List[str] = ["setosa", "versicolor", "virginica"]

#: Feature (column) names of the iris data set.
IRIS_FEATURES: List[str] = [
    "sepal length (cm)", "sepal width (cm)",
    "petal length (cm)", "petal width (cm)",
]

#: Class names of the digits data set, indexed by label.
DIGITS_CLASSES: List[str] = [str(d) for d in range(10)]

_SPLITS = {"train": "train", "t10k": "t10k", "test": "t10k"}

# --------------------------------------------------------------------------
# IDX
# --------------------------------------------------------------------------

#: IDX type code -> (big-endian dtype, human readable name).
_IDX_TYPES: Dict[int, Tuple[str, str]] = {
    0x08: (">u1", "uint8"),
    0x09: (">i1", "int8"),
    0x0B: (">i2", "int16"),
    0x0C: (">i4", "int32"),
    0x0D: (">f4", "float32"),
    0x0E: (">f8", "float64"),
}

_GZIP_MAGIC = b"\x1f\x8b"

#: Upper bound of the DEFLATE compression ratio (about 1032:1); a gzip file
#: can never decompress to more than this many times its own size.
_MAX_DEFLATE_RATIO = 1032

_CHUNK = 1 << 20


def _name(path: PathLike) -> str:
    return os.fspath(path)


def _describe_size(dims: Sequence[int], itemsize: int, tname: str) -> str:
    shape = "x".join(str(d) for d in dims)
    nbytes = math.prod(dims) * itemsize
    if itemsize == 1:
        return f"{shape} = {nbytes} bytes"
    return f"{shape} {tname} values = {nbytes} bytes"


def _read_exact(f, n: int) -> bytes:
    """Read up to *n* bytes, looping over short reads."""
    parts = []
    got = 0
    while got < n:
        chunk = f.read(n - got)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _parse_idx_header(name: str, f, where: str
                      ) -> Tuple[np.dtype, str, List[int], int]:
    """Read and validate the IDX header from the binary stream *f*.

    Returns ``(dtype, type name, dims, header length)``.
    """
    head = _read_exact(f, 4)
    if len(head) < 4:
        raise DatasetError(
            f"{name}: truncated IDX header: need at least 4 bytes, "
            f"{where} has {len(head)}")
    if head[0] != 0 or head[1] != 0:
        raise DatasetError(
            f"{name}: not an IDX file: bad magic number 0x{head.hex()} "
            f"(IDX files start with two zero bytes, a type code and the "
            f"number of dimensions)")
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({t[1]})" for c, t in _IDX_TYPES.items())
        raise DatasetError(
            f"{name}: unsupported IDX type code 0x{code:02X}; "
            f"supported: {known}")
    if not 1 <= ndim <= 4:
        raise DatasetError(
            f"{name}: unsupported IDX dimension count {ndim} "
            f"(must be 1 to 4)")
    header_len = 4 + 4 * ndim
    raw_dims = _read_exact(f, 4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise DatasetError(
            f"{name}: truncated IDX header: {ndim} dimensions need a "
            f"{header_len}-byte header, {where} has {4 + len(raw_dims)} bytes")
    dims = [int(d) for d in np.frombuffer(raw_dims, dtype=">u4")]
    dtype_str, tname = _IDX_TYPES[code]
    # NumPy refuses a shape whose non-zero extents multiply past its index
    # type even when another extent is 0 and the array would be empty, so a
    # header such as (2**31, 768, 2**26, 0) must be refused here, by name.
    # (Shapes without a 0 are held to the file size by the payload checks.)
    nonzero_extent = math.prod(d for d in dims if d) * np.dtype(dtype_str).itemsize
    if 0 in dims and nonzero_extent > np.iinfo(np.intp).max:
        raise DatasetError(
            f"{name}: implausible IDX dimensions {dims}: their product "
            f"exceeds the largest array this machine can index")
    return np.dtype(dtype_str), tname, dims, header_len


def _finish_idx(buf: bytearray, dtype: np.dtype,
                dims: List[int]) -> np.ndarray:
    arr = np.frombuffer(buf, dtype=dtype)
    native = dtype.newbyteorder("=")
    if dtype.itemsize > 1:
        arr = arr.astype(native)
    return arr.reshape(dims)


def _read_idx_raw(name: str, f, file_size: int) -> np.ndarray:
    dtype, tname, dims, header_len = _parse_idx_header(name, f, "file")
    expected = math.prod(dims) * dtype.itemsize
    have = file_size - header_len
    if have < expected:
        raise DatasetError(
            f"{name}: truncated IDX payload: header declares "
            f"{_describe_size(dims, dtype.itemsize, tname)}, file has {have} "
            f"bytes after the {header_len}-byte header")
    if have > expected:
        raise DatasetError(
            f"{name}: trailing bytes after IDX payload: header declares "
            f"{_describe_size(dims, dtype.itemsize, tname)}, file has {have} "
            f"bytes after the {header_len}-byte header")
    buf = bytearray(expected)
    view = memoryview(buf)
    pos = 0
    while pos < expected:
        n = f.readinto(view[pos:])
        if not n:
            raise DatasetError(
                f"{name}: file shrank while reading: got {pos} of "
                f"{expected} payload bytes")
        pos += n
    return _finish_idx(buf, dtype, dims)


def _read_idx_gzip(name: str, f, file_size: int) -> np.ndarray:
    with gzip.GzipFile(fileobj=f, mode="rb") as gz:
        dtype, tname, dims, header_len = _parse_idx_header(
            name, gz, "decompressed data")
        expected = math.prod(dims) * dtype.itemsize
        limit = file_size * _MAX_DEFLATE_RATIO
        if header_len + expected > limit:
            raise DatasetError(
                f"{name}: implausible IDX size: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, but a "
                f"{file_size}-byte gzip file can hold at most about "
                f"{limit} bytes")
        # Stream the payload so memory grows only with data actually present,
        # and never decompress more than the declared size plus one byte.
        buf = bytearray()
        while len(buf) < expected:
            chunk = gz.read(min(_CHUNK, expected - len(buf)))
            if not chunk:
                break
            buf += chunk
        if len(buf) < expected:
            raise DatasetError(
                f"{name}: truncated IDX payload: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, file has "
                f"{len(buf)} bytes after the {header_len}-byte header")
        if gz.read(1):
            raise DatasetError(
                f"{name}: trailing bytes after IDX payload: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, file has "
                f"more after the {header_len}-byte header")
    return _finish_idx(buf, dtype, dims)


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST / Fashion-MNIST format).

    Parameters
    ----------
    path : str or os.PathLike
        File to read.  Gzip compression is detected from the magic bytes
        ``1f 8b`` (not from the file name), so ``.gz`` and uncompressed files
        both work whatever they are called.

    Returns
    -------
    numpy.ndarray
        Array with the declared shape (1 to 4 dimensions) in native byte
        order.  Supported element types: unsigned byte (0x08), signed byte
        (0x09), int16 (0x0B), int32 (0x0C), float32 (0x0D), float64 (0x0E).

    Raises
    ------
    DatasetError
        If the file is empty, is not an IDX file (bad magic, unknown type
        code, dimension count outside 1..4), is a corrupt gzip stream, or if
        the payload is shorter or longer than the header declares.  Declared
        sizes are checked against the file size *before* any payload memory
        is allocated; for gzip files at most the declared size plus one byte
        is ever decompressed.
    FileNotFoundError
        If *path* does not exist.
    """
    name = _name(path)
    with open(path, "rb") as f:
        file_size = os.fstat(f.fileno()).st_size
        if file_size == 0:
            raise DatasetError(f"{name}: empty file (expected IDX data)")
        magic = f.read(2)
        f.seek(0)
        if magic != _GZIP_MAGIC:
            return _read_idx_raw(name, f, file_size)
        try:
            return _read_idx_gzip(name, f, file_size)
        except DatasetError:
            raise
        except (OSError, EOFError, zlib.error) as exc:
            raise DatasetError(
                f"{name}: corrupt gzip data: {exc}") from exc


def load_idx_pair(images_path: PathLike, labels_path: PathLike) -> Dataset:
    """Load an IDX images file and its matching labels file.

    Parameters
    ----------
    images_path : str or os.PathLike
        IDX file of images with shape ``(n, rows, cols)`` (or any
        ``(n, ...)`` with at least two dimensions).
    labels_path : str or os.PathLike
        IDX file of labels with shape ``(n,)``.

    Returns
    -------
    X : numpy.ndarray
        Images flattened to ``(n, rows * cols)``, dtype as stored (uint8 for
        MNIST and Fashion-MNIST).
    y : numpy.ndarray
        Labels as int64, shape ``(n,)``.

    Raises
    ------
    DatasetError
        If either file is invalid, the images are not at least 2-D, the
        labels are not 1-D integers, or the counts disagree.
    """
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    iname, lname = _name(images_path), _name(labels_path)
    if images.ndim < 2:
        raise DatasetError(
            f"{iname}: expected an images file with at least 2 dimensions "
            f"(n, rows, cols), got shape {images.shape}")
    if labels.ndim != 1:
        raise DatasetError(
            f"{lname}: expected a 1-D labels file, got shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise DatasetError(
            f"{iname} has {images.shape[0]} images but {lname} has "
            f"{labels.shape[0]} labels")
    y = _as_int_labels(labels, lname)
    X = images.reshape(images.shape[0], -1)
    return X, y


def _as_int_labels(labels: np.ndarray, name: str) -> np.ndarray:
    """Convert integral *labels* to int64, raising DatasetError otherwise."""
    if labels.dtype.kind in "iub":
        return labels.astype(np.int64)
    if labels.dtype.kind != "f":
        raise DatasetError(
            f"{name}: labels must be numeric, got {labels.dtype}")
    bad = ~np.isfinite(labels) | (labels != np.round(labels))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DatasetError(
            f"{name}: label {labels[i].item()!r} at index {i} is not an "
            f"integer")
    return labels.astype(np.int64)


def _find_idx_files(directory: PathLike, kind: str) -> Tuple[Path, Path]:
    if kind not in _SPLITS:
        raise ValueError(
            f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    prefix = _SPLITS[kind]
    d = Path(directory)
    found = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        candidates = [d / stem, d / (stem + ".gz")]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            raise DatasetNotFoundError(
                f"{_name(directory)}: no {stem} or {stem}.gz found"
                + ("" if d.is_dir() else " (directory does not exist)"))
        found.append(hit)
    return found[0], found[1]


def load_idx_dir(directory: PathLike, kind: str = "train") -> Dataset:
    """Load an MNIST-style split from a directory of IDX files.

    Parameters
    ----------
    directory : str or os.PathLike
        Directory containing ``train-images-idx3-ubyte[.gz]`` and
        ``train-labels-idx1-ubyte[.gz]`` (and/or the ``t10k-`` test files).
        An uncompressed file is preferred over a ``.gz`` one of the same name.
    kind : {"train", "t10k", "test"}
        Which split to load; ``"test"`` is an alias for ``"t10k"``.

    Returns
    -------
    X : numpy.ndarray
        ``(n, rows * cols)`` images as stored (uint8).
    y : numpy.ndarray
        ``(n,)`` int64 labels.

    Raises
    ------
    DatasetNotFoundError
        If the files are not in *directory*.
    DatasetError
        If a file is invalid (see :func:`load_idx_pair`).
    ValueError
        If *kind* is not a valid split name.
    """
    images, labels = _find_idx_files(directory, kind)
    return load_idx_pair(images, labels)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

def _try_float(text: str) -> Optional[float]:
    try:
        return float(text)
    except ValueError:
        return None


def _diagnose_csv(name: str, rows: List[Tuple[int, str]], delimiter: str,
                  ncols: int, ncols_line: int, label_col: int) -> None:
    """Scan *rows* and raise DatasetError for the first problem found."""
    for lineno, line in rows:
        fields = line.split(delimiter)
        if len(fields) != ncols:
            raise DatasetError(
                f"{name}: line {lineno}: ragged row: {len(fields)} values, "
                f"expected {ncols} (as on line {ncols_line})")
        for j, field in enumerate(fields):
            value = _try_float(field)
            if value is None:
                raise DatasetError(
                    f"{name}: line {lineno}, column {j + 1}: non-numeric "
                    f"value {field.strip()!r}")
            if not math.isfinite(value):
                raise DatasetError(
                    f"{name}: line {lineno}, column {j + 1}: non-finite "
                    f"value {field.strip()!r}")
            if j == label_col and value != round(value):
                raise DatasetError(
                    f"{name}: line {lineno}: label {field.strip()!r} is not "
                    f"an integer")


def read_csv(path: PathLike, label_column: int = 0,
             delimiter: str = ",") -> Dataset:
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
        with open(path, "r", encoding="utf-8-sig", newline=None) as f:
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
            raise DatasetError(
                f"{name}: no data rows after the header on line {first_no}")
    if ncols < 2:
        raise DatasetError(
            f"{name}: line {first_no}: need at least 2 columns (a label and "
            f"one feature), found {ncols}")
    if not -ncols <= label_column < ncols:
        raise DatasetError(
            f"{name}: label_column {label_column} is out of range for "
            f"{ncols} columns")
    label_col = label_column % ncols

    try:
        data = np.loadtxt([line for _, line in rows], delimiter=delimiter,
                          comments=None, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        _diagnose_csv(name, rows, delimiter, ncols, ncols_line, label_col)
        raise DatasetError(f"{name}: cannot parse CSV: {exc}") from exc

    if data.shape[1] != ncols:
        raise DatasetError(
            f"{name}: line {rows[0][0]}: ragged row: {data.shape[1]} values, "
            f"expected {ncols} (as on line {ncols_line})")
    finite = np.isfinite(data)
    if not finite.all():
        r, c = np.argwhere(~finite)[0]
        raise DatasetError(
            f"{name}: line {rows[r][0]}, column {c + 1}: non-finite value "
            f"{data[r, c].item()!r}")
    labels = data[:, label_col]
    bad = labels != np.round(labels)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise DatasetError(
            f"{name}: line {rows[r][0]}: label {labels[r].item()!r} is not an "
            f"integer")
    y = labels.astype(np.int64)
    X = np.ascontiguousarray(np.delete(data, label_col, axis=1))
    return X, y


# --------------------------------------------------------------------------
# NPZ
# --------------------------------------------------------------------------

_NPY_MAGIC = b"\x93NUMPY"


def _check_npz_member(archive: "np.lib.npyio.NpzFile", key: str,
                      name: str) -> None:
    """Refuse a member whose header declares object data or more bytes than
    the member holds, before NumPy allocates the declared array."""
    info = archive.zip.getinfo(key + ".npy")
    with archive.zip.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise DatasetError(
                f"{name}: array {key!r} uses .npy format version "
                f"{version[0]}.{version[1]}; expected 1.0 or 2.0")
    if dtype.hasobject:
        raise DatasetError(
            f"{name}: cannot read arrays: {key!r} holds Python objects "
            f"(dtype {dtype}), which would need allow_pickle=True; pickled "
            f"data is never loaded")
    declared = math.prod(shape) * dtype.itemsize
    if declared > info.file_size:
        raise DatasetError(
            f"{name}: array {key!r} declares shape {shape} of {dtype} "
            f"({declared} bytes) but the archive member holds "
            f"{info.file_size} bytes")


def load_npz(path: PathLike) -> Dataset:
    """Load features ``X`` and labels ``y`` from a NumPy ``.npz`` archive.

    The archive is opened with ``allow_pickle=False``; object arrays are
    refused.

    Parameters
    ----------
    path : str or os.PathLike
        Archive with (at least) the arrays ``X`` (numeric, ``(n, m)``, or
        ``(n, ...)`` which is flattened to ``(n, m)``) and ``y`` (integral,
        ``(n,)``).

    Returns
    -------
    X : numpy.ndarray
        Features, dtype as stored.
    y : numpy.ndarray
        int64 labels.

    Raises
    ------
    DatasetError
        If the file is not an ``.npz`` archive, lacks ``X`` or ``y`` (the
        message lists the keys found), contains object arrays, has
        non-numeric or non-finite features, non-integer labels, or
        mismatched lengths.
    """
    name = _name(path)
    # Opened here so the file is closed whatever np.load makes of it (np.load
    # leaves its own handle open when a damaged archive fails to parse).
    with open(path, "rb") as handle:
        if handle.read(len(_NPY_MAGIC)) == _NPY_MAGIC:
            raise DatasetError(
                f"{name}: expected an .npz archive with arrays 'X' and 'y', "
                f"got a single .npy array")
        handle.seek(0)
        try:
            archive = np.load(handle, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile,
                NotImplementedError, RuntimeError) as exc:
            raise DatasetError(
                f"{name}: not a readable .npz archive: {exc}") from exc
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DatasetError(
                f"{name}: expected an .npz archive with arrays 'X' and 'y'")
        with archive:
            keys = list(archive.files)
            missing = [k for k in ("X", "y") if k not in keys]
            if missing:
                raise DatasetError(
                    f"{name}: missing array(s) {', '.join(map(repr, missing))}; "
                    f"the archive must contain 'X' and 'y', found "
                    f"{', '.join(map(repr, keys)) or 'no arrays'}")
            try:
                for key in ("X", "y"):
                    _check_npz_member(archive, key, name)
                X = archive["X"]
                y = archive["y"]
            # Damaged members fail in many ways inside zipfile and NumPy's
            # header parser (BadZipFile, zlib.error, NotImplementedError for an
            # unknown compression method, RuntimeError for encryption,
            # tokenize.TokenError for a garbled header, ...): all are refusals.
            except Exception as exc:  # noqa: BLE001 - re-raised as DatasetError
                if isinstance(exc, DatasetError):
                    raise
                raise DatasetError(f"{name}: cannot read arrays: {exc}") from exc
    if X.dtype.kind not in "biuf":
        raise DatasetError(f"{name}: X must be numeric, got dtype {X.dtype}")
    if X.ndim < 2:
        raise DatasetError(
            f"{name}: X must have shape (n_samples, n_features), got "
            f"{X.shape}")
    if y.ndim != 1:
        raise DatasetError(f"{name}: y must be 1-D, got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise DatasetError(
            f"{name}: X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        r = int(np.argwhere(~np.isfinite(X))[0][0])
        raise DatasetError(f"{name}: X row {r} contains NaN or inf")
    y = _as_int_labels(y, name)
    return X.reshape(X.shape[0], -1), y


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

def scale_book(X: npt.ArrayLike, max_value: float = 255.0,
               dtype: npt.DTypeLike = np.float64) -> np.ndarray:
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


def one_hot(y: npt.ArrayLike, n_classes: Optional[int] = None,
            low: float = 0.0, high: float = 1.0,
            dtype: npt.DTypeLike = np.float64) -> np.ndarray:
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
            raise ValueError(
                f"label {arr[i].item()!r} at index {i} is not an integer")
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
            f"label {labels[i]} at index {i} is out of range for "
            f"{n_classes} classes (valid labels: 0..{n_classes - 1})")
    out = np.full((labels.size, n_classes), low, dtype=dtype)
    out[np.arange(labels.size), labels] = high
    return out


def standardize(X: npt.ArrayLike, mean: Optional[npt.ArrayLike] = None,
                std: Optional[npt.ArrayLike] = None
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def minmax_scale(X: npt.ArrayLike, lo: float = 0.0, hi: float = 1.0,
                 data_min: Optional[npt.ArrayLike] = None,
                 data_max: Optional[npt.ArrayLike] = None) -> np.ndarray:
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


def train_test_split(X: npt.ArrayLike, y: npt.ArrayLike,
                     test_fraction: float = 0.2, seed: Optional[int] = 0,
                     stratify: bool = True) -> Split:
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
        raise ValueError(
            f"X has {Xa.shape[0]} rows but y has {ya.shape[0]} labels")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"test_fraction must be between 0 and 1, got {test_fraction!r}")
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
        test_idx = rng.permutation(np.concatenate(test_parts)) \
            if test_parts else np.empty(0, np.int64)
        train_idx = rng.permutation(np.concatenate(train_parts)) \
            if train_parts else np.empty(0, np.int64)
    else:
        perm = rng.permutation(n)
        k = int(round(test_fraction * n))
        test_idx, train_idx = perm[:k], perm[k:]
    if test_idx.size == 0 or train_idx.size == 0:
        raise ValueError(
            f"test_fraction={test_fraction} of {n} samples leaves an empty "
            f"{'test' if test_idx.size == 0 else 'training'} set")
    return Xa[train_idx], Xa[test_idx], ya[train_idx], ya[test_idx]


# --------------------------------------------------------------------------
# Data sets
# --------------------------------------------------------------------------

def _fashion_dir(directory: Optional[PathLike]) -> Tuple[Path, str]:
    if directory is not None:
        return Path(directory), "the directory argument"
    env = os.environ.get(FASHION_MNIST_ENV)
    if env:
        return Path(env), f"${FASHION_MNIST_ENV}"
    return Path(FASHION_MNIST_DIR), "the default location"


def fashion_mnist(directory: Optional[PathLike] = None, kind: str = "train",
                  dtype: npt.DTypeLike = np.float64,
                  scale: Optional[str] = "book") -> Dataset:
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
        raise ValueError(
            f"scale must be 'book', 'unit' or None, got {scale!r}")
    if kind not in _SPLITS:
        raise ValueError(
            f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    if scale is not None and np.dtype(dtype).kind != "f":
        raise ValueError(
            f"dtype must be a floating-point type when scale={scale!r}, "
            f"got {np.dtype(dtype)}")
    path, origin = _fashion_dir(directory)
    try:
        images, labels = _find_idx_files(path, kind)
    except DatasetNotFoundError:
        prefix = _SPLITS[kind]
        reason = ("directory does not exist" if not path.is_dir()
                  else f"no {prefix}-images-idx3-ubyte[.gz] and "
                       f"{prefix}-labels-idx1-ubyte[.gz] there")
        raise DatasetNotFoundError(
            f"Fashion-MNIST not found in {path} ({origin}: {reason}). "
            f"Install it with `sudo apt-get install dataset-fashion-mnist` "
            f"(Debian/Ubuntu; installs to {FASHION_MNIST_DIR}), or pass "
            f"directory=... or set {FASHION_MNIST_ENV} to a directory "
            f"containing {prefix}-images-idx3-ubyte.gz and "
            f"{prefix}-labels-idx1-ubyte.gz") from None
    X, y = load_idx_pair(images, labels)
    if X.shape[1] != 784 or X.dtype != np.uint8:
        raise DatasetError(
            f"{images}: expected 28x28 uint8 images, got {X.shape[1]} "
            f"{X.dtype} values per image")
    if y.size and (y.min() < 0 or y.max() > 9):
        raise DatasetError(
            f"{labels}: labels must be in 0..9, found {y.min()}..{y.max()}")
    if scale == "book":
        X = scale_book(X, dtype=dtype)
    elif scale == "unit":
        X = np.array(X, dtype=dtype)
        X /= 255.0
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
_FASHION_NAMES = ("fashion-mnist", "fashion_mnist", "fashionmnist")


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
        raise ValueError(
            f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    text = os.fspath(spec)
    key = text.strip().lower()
    single = ("built-in data sets, .csv and .npz files have a single split; "
              "use train_test_split() to make a test set")
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
    choices = (", ".join(repr(k) for k in [*_BUILTINS, _FASHION_NAMES[0]])
               + ", a path to a .csv or .npz file, or a directory of IDX "
               "files")
    what = ("no such file" if suffix in (".csv", ".npz")
            else "unknown data set")
    raise DatasetError(f"{text}: {what}; valid choices: {choices}")
