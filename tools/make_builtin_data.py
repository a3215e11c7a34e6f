#!/usr/bin/env python3
"""Regenerate the small data sets shipped in ``akili`` (python/akili/data).

The files are derived from the copies of the UCI *Iris* and *Optical
Recognition of Handwritten Digits* data sets that are bundled with
scikit-learn (``sklearn.datasets.load_iris`` / ``load_digits``).  scikit-learn
is only needed to run this script, never at run time.

The ``.npz`` archives are written byte-for-byte reproducibly (fixed zip
timestamps, fixed member order), so re-running the script on an unchanged
scikit-learn produces no diff.  They contain plain numeric arrays only and
load with ``numpy.load(..., allow_pickle=False)``.

Usage::

    python tools/make_builtin_data.py            # writes python/akili/data/
    python tools/make_builtin_data.py --check    # verify the files are current
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "python" / "akili" / "data"

#: Fixed timestamp for every zip member (the earliest a zip file can encode).
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Serialise *arrays* as a deterministic, deflate-compressed ``.npz``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            arr = np.ascontiguousarray(arrays[key])
            if arr.dtype.hasobject:
                raise TypeError(f"{key}: object arrays are not allowed")
            member = io.BytesIO()
            np.lib.format.write_array(member, arr, allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return out.getvalue()


def build() -> dict[str, bytes]:
    """Return ``{file name: file contents}`` for every built-in data file."""
    from sklearn.datasets import load_digits, load_iris

    iris = load_iris()
    iris_x = np.asarray(iris.data, dtype=np.float64)
    iris_y = np.asarray(iris.target, dtype=np.uint8)
    assert iris_x.shape == (150, 4) and iris_y.shape == (150,)
    assert list(iris.target_names) == ["setosa", "versicolor", "virginica"]

    digits = load_digits()
    digits_x = np.asarray(digits.data)
    assert digits_x.shape == (1797, 64)
    assert digits_x.min() >= 0 and digits_x.max() <= 16
    assert np.array_equal(digits_x, np.round(digits_x))
    digits_x = digits_x.astype(np.uint8)
    digits_y = np.asarray(digits.target, dtype=np.uint8)
    assert digits_y.shape == (1797,)
    assert set(digits_y.tolist()) == set(range(10))

    return {
        "iris.npz": _npz_bytes({"X": iris_x, "y": iris_y}),
        "digits.npz": _npz_bytes({"X": digits_x, "y": digits_y}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify that the files are up to date")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help=f"output directory (default: {DATA_DIR})")
    args = parser.parse_args(argv)

    files = build()
    stale = []
    for name, blob in files.items():
        path = args.out / name
        current = path.read_bytes() if path.exists() else None
        if current == blob:
            print(f"{path}: up to date ({len(blob)} bytes)")
            continue
        stale.append(path)
        if not args.check:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_bytes(blob)
            print(f"{path}: written ({len(blob)} bytes)")
    if args.check and stale:
        for path in stale:
            print(f"{path}: out of date", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
