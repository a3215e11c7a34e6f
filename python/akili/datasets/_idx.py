"""IDX files (the MNIST / Fashion-MNIST format), raw or gzipped."""

from __future__ import annotations

import gzip
import math
import operator
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ._errors import Dataset, DatasetError, DatasetNotFoundError, PathLike, _name

_SPLITS = {"train": "train", "t10k": "t10k", "test": "t10k"}

#: IDX type code -> (big-endian dtype, human readable name).
_IDX_TYPES: dict[int, tuple[str, str]] = {
    0x08: (">u1", "uint8"),
    0x09: (">i1", "int8"),
    0x0B: (">i2", "int16"),
    0x0C: (">i4", "int32"),
    0x0D: (">f4", "float32"),
    0x0E: (">f8", "float64"),
}

_GZIP_MAGIC = b"\x1f\x8b"

#: Big-endian dtype string -> IDX type code (for the core's converter).
_IDX_CODES = {np.dtype(code_type[0]).str: code for code, code_type in _IDX_TYPES.items()}

try:
    # ISA-L's gzip reader (the isal package, a dependency where it ships wheels):
    # the same format and interface as gzip.GzipFile, decompressing about twice
    # as fast as zlib, which is most of the time a gzipped IDX read takes.
    from isal.igzip import IGzipFile as GzipReader
    from isal.isal_zlib import error as _IsalError

    _GZIP_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error, _IsalError)
except ImportError:  # elsewhere, Python's own gzip module
    GzipReader = gzip.GzipFile
    _GZIP_ERRORS = (OSError, EOFError, zlib.error)

#: Upper bound of the DEFLATE compression ratio (about 1032:1); a gzip file
#: can never decompress to more than this many times its own size.
_MAX_DEFLATE_RATIO = 1032

_CHUNK = 1 << 20


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


def _parse_idx_header(name: str, f, where: str) -> tuple[np.dtype, str, list[int], int]:
    """Read and validate the IDX header from the binary stream *f*.

    Returns ``(dtype, type name, dims, header length)``.
    """
    head = _read_exact(f, 4)
    if len(head) < 4:
        raise DatasetError(f"{name}: truncated IDX header: need at least 4 bytes, {where} has {len(head)}")
    if head[0] != 0 or head[1] != 0:
        raise DatasetError(
            f"{name}: not an IDX file: bad magic number 0x{head.hex()} "
            f"(IDX files start with two zero bytes, a type code and the "
            f"number of dimensions)"
        )
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        known = ", ".join(f"0x{c:02X} ({t[1]})" for c, t in _IDX_TYPES.items())
        raise DatasetError(f"{name}: unsupported IDX type code 0x{code:02X}; supported: {known}")
    if not 1 <= ndim <= 4:
        raise DatasetError(f"{name}: unsupported IDX dimension count {ndim} (must be 1 to 4)")
    header_len = 4 + 4 * ndim
    raw_dims = _read_exact(f, 4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise DatasetError(
            f"{name}: truncated IDX header: {ndim} dimensions need a "
            f"{header_len}-byte header, {where} has {4 + len(raw_dims)} bytes"
        )
    dims = [int(d) for d in np.frombuffer(raw_dims, dtype=">u4")]
    dtype_str, tname = _IDX_TYPES[code]
    # NumPy refuses a shape whose non-zero extents multiply past its index
    # type even when another extent is 0 and the array would be empty, so a
    # header such as (2**31, 768, 2**26, 0) must be refused here, by name.
    # (Shapes without a 0 are held to the file size by the payload checks.)
    nonzero_extent = math.prod(d for d in dims if d) * np.dtype(dtype_str).itemsize
    if 0 in dims and nonzero_extent > np.iinfo(np.intp).max:
        raise DatasetError(
            f"{name}: implausible IDX dimensions {dims}: their product exceeds the largest array this machine can index"
        )
    return np.dtype(dtype_str), tname, dims, header_len


class _BytesSink:
    """Collects an IDX payload as stored; :func:`read_idx` returns it in native byte order."""

    def start(self, dtype: np.dtype, dims: list[int], expected: int) -> None:
        self.dtype, self.dims = dtype, dims
        self.buffer = bytearray(expected)
        self.view = memoryview(self.buffer)

    def write(self, chunk: memoryview | bytes, offset: int) -> None:
        self.view[offset : offset + len(chunk)] = chunk

    def finish(self) -> np.ndarray:
        arr = np.frombuffer(self.buffer, dtype=self.dtype)
        if self.dtype.itemsize > 1:
            arr = arr.astype(self.dtype.newbyteorder("="))
        return arr.reshape(self.dims)


class _ScaledSink:
    """Converts an IDX payload chunk by chunk, in the core, into a float array with a scaling applied."""

    def __init__(self, dtype: np.dtype, scaling: str, max_value: float) -> None:
        self.out_dtype, self.scaling, self.max_value = dtype, scaling, max_value

    def start(self, dtype: np.dtype, dims: list[int], expected: int) -> None:
        from .. import _core

        self.core = _core
        self.source_dtype = dtype.newbyteorder("=")
        self.code = _IDX_CODES[dtype.str]
        self.itemsize = dtype.itemsize
        self.out = np.empty(dims, dtype=self.out_dtype)
        self.flat = self.out.reshape(-1)
        self.pending = b""  # a value split between two chunks

    def write(self, chunk: memoryview | bytes, offset: int) -> None:
        if self.pending:
            chunk = self.pending + bytes(chunk)
            offset -= len(self.pending)
        view = memoryview(chunk)
        whole = len(view) - len(view) % self.itemsize
        self.core.decode_idx(self.code, view[:whole], self.flat, offset // self.itemsize, self.scaling, self.max_value)
        self.pending = bytes(view[whole:])

    def finish(self) -> np.ndarray:
        return self.out


def _read_idx_raw(name: str, f, file_size: int, sink) -> np.ndarray:
    dtype, tname, dims, header_len = _parse_idx_header(name, f, "file")
    expected = math.prod(dims) * dtype.itemsize
    have = file_size - header_len
    if have < expected:
        raise DatasetError(
            f"{name}: truncated IDX payload: header declares "
            f"{_describe_size(dims, dtype.itemsize, tname)}, file has {have} "
            f"bytes after the {header_len}-byte header"
        )
    if have > expected:
        raise DatasetError(
            f"{name}: trailing bytes after IDX payload: header declares "
            f"{_describe_size(dims, dtype.itemsize, tname)}, file has {have} "
            f"bytes after the {header_len}-byte header"
        )
    sink.start(dtype, dims, expected)
    chunk = bytearray(min(_CHUNK, max(expected, 1)))
    view = memoryview(chunk)
    pos = 0
    while pos < expected:
        n = f.readinto(view[: min(len(chunk), expected - pos)])
        if not n:
            raise DatasetError(f"{name}: file shrank while reading: got {pos} of {expected} payload bytes")
        sink.write(view[:n], pos)
        pos += n
    return sink.finish()


def _read_idx_gzip(name: str, f, file_size: int, sink) -> np.ndarray:
    from concurrent.futures import ThreadPoolExecutor

    with GzipReader(fileobj=f, mode="rb") as gz:
        dtype, tname, dims, header_len = _parse_idx_header(name, gz, "decompressed data")
        expected = math.prod(dims) * dtype.itemsize
        limit = file_size * _MAX_DEFLATE_RATIO
        if header_len + expected > limit:
            raise DatasetError(
                f"{name}: implausible IDX size: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, but a "
                f"{file_size}-byte gzip file can hold at most about "
                f"{limit} bytes"
            )
        # Stream the payload so memory grows only with data actually present,
        # and never decompress more than the declared size plus one byte.
        # (Memory for the result is taken up front, bounded by the check above.)
        sink.start(dtype, dims, expected)
        got = 0
        # Each chunk is converted on a helper thread while the next one is
        # decompressed (zlib and the core's converter both release the GIL), so
        # the read takes about as long as the decompression alone. One chunk
        # converts at a time, in order: the sink sees the same calls as before.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="akili-idx") as helper:
            converting = None
            while got < expected:
                chunk = gz.read(min(_CHUNK, expected - got))
                if not chunk:
                    break
                if converting is not None:
                    converting.result()
                converting = helper.submit(sink.write, chunk, got)
                got += len(chunk)
            if converting is not None:
                converting.result()
        if got < expected:
            raise DatasetError(
                f"{name}: truncated IDX payload: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, file has "
                f"{got} bytes after the {header_len}-byte header"
            )
        if gz.read(1):
            raise DatasetError(
                f"{name}: trailing bytes after IDX payload: header declares "
                f"{_describe_size(dims, dtype.itemsize, tname)}, file has "
                f"more after the {header_len}-byte header"
            )
    return sink.finish()


def _read_idx_into(path: PathLike, sink) -> np.ndarray:
    """Reads the IDX file at *path* (raw or gzip) into *sink*; see :func:`read_idx` for the checks."""
    name = _name(path)
    with open(path, "rb") as f:
        file_size = os.fstat(f.fileno()).st_size
        if file_size == 0:
            raise DatasetError(f"{name}: empty file (expected IDX data)")
        magic = f.read(2)
        f.seek(0)
        if magic != _GZIP_MAGIC:
            return _read_idx_raw(name, f, file_size, sink)
        try:
            return _read_idx_gzip(name, f, file_size, sink)
        except DatasetError:
            raise
        except _GZIP_ERRORS as exc:
            raise DatasetError(f"{name}: corrupt gzip data: {exc}") from exc


def _read_idx_scaled(path: PathLike, dtype: npt.DTypeLike, scale: str | None, max_value: float = 255.0) -> np.ndarray:
    """An IDX file straight into float32/float64 with ``scale`` ("book", "unit" or None) applied in the core.

    Values are those of ``scale_book(read_idx(path), dtype=dtype)`` (book), of
    ``read_idx(path).astype(dtype) / dtype(max_value)`` (unit) and of
    ``read_idx(path).astype(dtype)`` (None), bit for bit, without the intermediate arrays;
    gzip files are decompressed by ISA-L (the isal package; Python's gzip module where
    isal is not installed) and converted chunk by chunk.
    """
    out_dtype = np.dtype(dtype)
    if out_dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {out_dtype}")
    return _read_idx_into(path, _ScaledSink(out_dtype, scale or "none", float(max_value)))


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
    return _read_idx_into(path, _BytesSink())


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
    return _checked_pair(images, read_idx(labels_path), images_path, labels_path)


def _checked_pair(images: np.ndarray, labels: np.ndarray, images_path: PathLike, labels_path: PathLike) -> Dataset:
    """Checks that *images* and *labels* belong together; returns (images flattened per row, int64 labels)."""
    iname, lname = _name(images_path), _name(labels_path)
    if images.ndim < 2:
        raise DatasetError(
            f"{iname}: expected an images file with at least 2 dimensions (n, rows, cols), got shape {images.shape}"
        )
    if labels.ndim != 1:
        raise DatasetError(f"{lname}: expected a 1-D labels file, got shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise DatasetError(f"{iname} has {images.shape[0]} images but {lname} has {labels.shape[0]} labels")
    y = _as_int_labels(labels, lname)
    X = images.reshape(images.shape[0], -1)
    return X, y


def _as_int_labels(labels: np.ndarray, name: str) -> np.ndarray:
    """Convert integral *labels* to int64, raising DatasetError otherwise."""
    if labels.dtype.kind in "iub":
        return labels.astype(np.int64)
    if labels.dtype.kind != "f":
        raise DatasetError(f"{name}: labels must be numeric, got {labels.dtype}")
    bad = ~np.isfinite(labels) | (labels != np.round(labels))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DatasetError(f"{name}: label {labels[i].item()!r} at index {i} is not an integer")
    return labels.astype(np.int64)


def _find_idx_files(directory: PathLike, kind: str) -> tuple[Path, Path]:
    if kind not in _SPLITS:
        raise ValueError(f"kind must be one of {sorted(_SPLITS)}, got {kind!r}")
    prefix = _SPLITS[kind]
    d = Path(directory)
    found = []
    for stem in (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"):
        candidates = [d / stem, d / (stem + ".gz")]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            raise DatasetNotFoundError(
                f"{_name(directory)}: no {stem} or {stem}.gz found"
                + ("" if d.is_dir() else " (directory does not exist)")
            )
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


class _IdxStream:
    """An IDX file opened for sequential reads of its payload (raw or gzip), header checked."""

    def __init__(self, path: PathLike) -> None:
        self.name = _name(path)
        self.file = open(path, "rb")  # noqa: SIM115 - closed by close()
        try:
            file_size = os.fstat(self.file.fileno()).st_size
            if file_size == 0:
                raise DatasetError(f"{self.name}: empty file (expected IDX data)")
            gzipped = self.file.read(2) == _GZIP_MAGIC
            self.file.seek(0)
            self.stream = GzipReader(fileobj=self.file, mode="rb") if gzipped else self.file
            where = "decompressed data" if gzipped else "file"
            try:
                self.dtype, self.tname, self.dims, header_len = _parse_idx_header(self.name, self.stream, where)
            except _GZIP_ERRORS as exc:
                raise DatasetError(f"{self.name}: corrupt gzip data: {exc}") from exc
            expected = math.prod(self.dims) * self.dtype.itemsize
            if not gzipped and file_size - header_len != expected:
                what = (
                    "truncated IDX payload" if file_size - header_len < expected else "trailing bytes after IDX payload"
                )
                raise DatasetError(
                    f"{self.name}: {what}: header declares "
                    f"{_describe_size(self.dims, self.dtype.itemsize, self.tname)}, file has "
                    f"{file_size - header_len} bytes after the {header_len}-byte header"
                )
            self.header_len = header_len
        except BaseException:
            self.file.close()
            raise

    def read(self, size: int) -> bytes:
        try:
            data = _read_exact(self.stream, size)
        except _GZIP_ERRORS as exc:
            raise DatasetError(f"{self.name}: corrupt gzip data: {exc}") from exc
        if len(data) < size:
            raise DatasetError(
                f"{self.name}: truncated IDX payload: header declares "
                f"{_describe_size(self.dims, self.dtype.itemsize, self.tname)}"
            )
        return data

    def close(self) -> None:
        if self.stream is not self.file:
            self.stream.close()
        self.file.close()


class IdxBatches:
    """Images and labels of an IDX pair as ``(X, y)`` batches, read with bounded memory.

    Made by :func:`iter_idx`; each ``iter()`` reads the files again from the start.
    """

    def __init__(
        self,
        images_path: PathLike,
        labels_path: PathLike,
        batch_rows: int,
        dtype: np.dtype,
        scale: str | None,
        max_value: float,
    ) -> None:
        self.images_path, self.labels_path = images_path, labels_path
        self.batch_rows, self.dtype = batch_rows, dtype
        self.scaling, self.max_value = scale or "none", float(max_value)
        images, labels = self._open()
        try:
            self.n_samples = images.dims[0]
            self.n_features = math.prod(images.dims[1:])
        finally:
            images.close()
            labels.close()

    def _open(self) -> tuple[_IdxStream, _IdxStream]:
        images = _IdxStream(self.images_path)
        try:
            labels = _IdxStream(self.labels_path)
        except BaseException:
            images.close()
            raise
        try:
            if len(images.dims) < 2:
                raise DatasetError(
                    f"{images.name}: expected an images file with at least 2 dimensions "
                    f"(n, rows, cols), got shape {tuple(images.dims)}"
                )
            if len(labels.dims) != 1:
                raise DatasetError(f"{labels.name}: expected a 1-D labels file, got shape {tuple(labels.dims)}")
            if images.dims[0] != labels.dims[0]:
                raise DatasetError(
                    f"{images.name} has {images.dims[0]} images but {labels.name} has {labels.dims[0]} labels"
                )
        except BaseException:
            images.close()
            labels.close()
            raise
        return images, labels

    def __iter__(self) -> Iterator[Dataset]:
        from .. import _core

        images, labels = self._open()
        try:
            code = _IDX_CODES[images.dtype.str]
            row_bytes = self.n_features * images.dtype.itemsize
            for start in range(0, self.n_samples, self.batch_rows):
                rows = min(self.batch_rows, self.n_samples - start)
                X = np.empty((rows, self.n_features), dtype=self.dtype)
                _core.decode_idx(code, images.read(rows * row_bytes), X.reshape(-1), 0, self.scaling, self.max_value)
                raw = np.frombuffer(labels.read(rows * labels.dtype.itemsize), dtype=labels.dtype)
                yield X, _as_int_labels(raw.astype(labels.dtype.newbyteorder("=")), labels.name)
        finally:
            images.close()
            labels.close()

    def __len__(self) -> int:
        return -(-self.n_samples // self.batch_rows)


def iter_idx(
    images_path: PathLike,
    labels_path: PathLike,
    batch_rows: int = 1024,
    *,
    dtype: npt.DTypeLike = np.float64,
    scale: str | None = None,
    max_value: float = 255.0,
) -> IdxBatches:
    """The images and labels of an IDX pair (raw or gzip) as ``(X, y)`` batches with bounded memory.

    ``X`` is ``(rows, pixels)`` of *dtype* with *scale* applied as in
    :func:`akili.datasets.read_csv` (``"book"``, ``"unit"`` or None), converted in
    the core; ``y`` int64.  Memory is one batch and the read buffers.  The result
    is re-iterable (each loop reads the files from the start), so it can be handed
    to ``Network.fit`` for several epochs.  Headers and shapes are checked when it
    is made; a truncated or corrupt payload raises :class:`DatasetError` when the
    reading reaches it.
    """
    batch_rows = operator.index(batch_rows)
    if batch_rows < 1:
        raise ValueError(f"iter_idx: batch_rows must be at least 1, got {batch_rows}")
    out_dtype = np.dtype(dtype)
    if out_dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"iter_idx: dtype must be float32 or float64, got {out_dtype}")
    if scale not in (None, "book", "unit") or not float(max_value) > 0:
        raise ValueError(
            f"iter_idx: scale must be 'book', 'unit' or None and max_value positive, got {scale!r} and {max_value!r}"
        )
    return IdxBatches(images_path, labels_path, batch_rows, out_dtype, scale, max_value)
