"""NumPy ``.npz`` archives of ``X`` and ``y``, never unpickled."""

from __future__ import annotations

import math
import zipfile

import numpy as np

from ._errors import Dataset, DatasetError, PathLike, _name
from ._idx import _as_int_labels

_NPY_MAGIC = b"\x93NUMPY"


def _check_npz_member(archive: np.lib.npyio.NpzFile, key: str, name: str) -> None:
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
                f"{name}: array {key!r} uses .npy format version {version[0]}.{version[1]}; expected 1.0 or 2.0"
            )
    if dtype.hasobject:
        raise DatasetError(
            f"{name}: cannot read arrays: {key!r} holds Python objects "
            f"(dtype {dtype}), which would need allow_pickle=True; pickled "
            f"data is never loaded"
        )
    declared = math.prod(shape) * dtype.itemsize
    if declared > info.file_size:
        raise DatasetError(
            f"{name}: array {key!r} declares shape {shape} of {dtype} "
            f"({declared} bytes) but the archive member holds "
            f"{info.file_size} bytes"
        )


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
            raise DatasetError(f"{name}: expected an .npz archive with arrays 'X' and 'y', got a single .npy array")
        handle.seek(0)
        try:
            archive = np.load(handle, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise DatasetError(f"{name}: not a readable .npz archive: {exc}") from exc
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise DatasetError(f"{name}: expected an .npz archive with arrays 'X' and 'y'")
        with archive:
            keys = list(archive.files)
            missing = [k for k in ("X", "y") if k not in keys]
            if missing:
                raise DatasetError(
                    f"{name}: missing array(s) {', '.join(map(repr, missing))}; "
                    f"the archive must contain 'X' and 'y', found "
                    f"{', '.join(map(repr, keys)) or 'no arrays'}"
                )
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
        raise DatasetError(f"{name}: X must have shape (n_samples, n_features), got {X.shape}")
    if y.ndim != 1:
        raise DatasetError(f"{name}: y must be 1-D, got shape {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise DatasetError(f"{name}: X has {X.shape[0]} rows but y has {y.shape[0]} labels")
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        r = int(np.argwhere(~np.isfinite(X))[0][0])
        raise DatasetError(f"{name}: X row {r} contains NaN or inf")
    y = _as_int_labels(y, name)
    return X.reshape(X.shape[0], -1), y
