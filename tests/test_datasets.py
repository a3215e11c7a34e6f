"""Tests for akili.datasets (pure Python + NumPy; no C++ extension needed)."""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from akili import datasets as ds
from akili.datasets import DatasetError, DatasetNotFoundError
from akili.datasets import _idx as idx_module

REPO = Path(__file__).resolve().parent.parent
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")

_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def idx_bytes(arr, dims=None, code=None, magic=None) -> bytes:
    """Serialise *arr* as IDX; *dims*/*code*/*magic* override the header."""
    arr = np.asarray(arr)
    if code is None:
        code = _CODES[arr.dtype]
    if dims is None:
        dims = arr.shape
    head = magic if magic is not None else bytes([0, 0, code, len(dims)])
    head += b"".join(struct.pack(">I", d) for d in dims)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path: Path, data: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def write_split(directory: Path, X, y, prefix="train", gz=True) -> None:
    ext = ".gz" if gz else ""
    write(directory / f"{prefix}-images-idx3-ubyte{ext}", idx_bytes(X), gz)
    write(directory / f"{prefix}-labels-idx1-ubyte{ext}", idx_bytes(y), gz)


def tiny_images(n=5, rows=28, cols=28, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    y = (np.arange(n) % 10).astype(np.uint8)
    return X, y


# --------------------------------------------------------------------------
# read_idx
# --------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip_uint8(tmp_path, gz):
    X, _ = tiny_images(3, 4, 5)
    p = write(tmp_path / "imgs", idx_bytes(X), gz)
    out = ds.read_idx(p)
    assert out.dtype == np.uint8
    assert out.shape == (3, 4, 5)
    np.testing.assert_array_equal(out, X)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip_types(tmp_path, dtype, gz):
    arr = np.array([[-3, 0, 7], [100, -100, 1]], dtype=dtype)
    if np.dtype(dtype).kind == "f":
        arr = arr * 0.5 + 0.25
    p = write(tmp_path / "a.idx", idx_bytes(arr), gz)
    out = ds.read_idx(p)
    assert out.dtype == np.dtype(dtype)
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, arr)


def test_read_idx_is_big_endian(tmp_path):
    # int16 value 258 is bytes 01 02 in big-endian order.
    p = write(tmp_path / "be", bytes([0, 0, 0x0B, 1, 0, 0, 0, 1, 1, 2]))
    out = ds.read_idx(p)
    assert out.tolist() == [258]


def test_read_idx_one_and_four_dims(tmp_path):
    labels = np.array([9, 0, 3], dtype=np.uint8)
    assert ds.read_idx(write(tmp_path / "l", idx_bytes(labels))).tolist() == [9, 0, 3]
    four = np.arange(2 * 3 * 1 * 2, dtype=np.uint8).reshape(2, 3, 1, 2)
    out = ds.read_idx(write(tmp_path / "f", idx_bytes(four)))
    assert out.shape == (2, 3, 1, 2)
    assert out[1, 2, 0, 1] == 11


def test_gzip_detected_by_magic_not_extension(tmp_path):
    X, _ = tiny_images(2, 3, 3)
    raw_named_gz = write(tmp_path / "raw.gz", idx_bytes(X), gz=False)
    gz_named_raw = write(tmp_path / "gz-idx3-ubyte", idx_bytes(X), gz=True)
    np.testing.assert_array_equal(ds.read_idx(raw_named_gz), X)
    np.testing.assert_array_equal(ds.read_idx(gz_named_raw), X)


def test_read_idx_example_truncation_message(tmp_path):
    data = bytes([0, 0, 8, 3]) + struct.pack(">III", 60000, 28, 28)
    p = write(tmp_path / "train-images-idx3-ubyte", data + bytes(1200))
    with pytest.raises(DatasetError) as exc:
        ds.read_idx(p)
    assert str(exc.value) == (
        f"{p}: truncated IDX payload: header declares 60000x28x28 = "
        f"47040000 bytes, file has 1200 bytes after the 16-byte header"
    )
    # gzipped: random payload so the file is big enough to be plausible
    noise = np.random.default_rng(0).integers(0, 256, 1200, dtype=np.uint8)
    data = bytes([0, 0, 8, 3]) + struct.pack(">III", 100, 28, 28)
    pz = write(tmp_path / "train-images-idx3-ubyte.gz", data + noise.tobytes(), gz=True)
    with pytest.raises(DatasetError) as exc:
        ds.read_idx(pz)
    assert str(exc.value) == (
        f"{pz}: truncated IDX payload: header declares 100x28x28 = "
        f"78400 bytes, file has 1200 bytes after the 16-byte header"
    )


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("cut", [1, 2, 3, 5, 8, 12, 15, 16, 17, 40, 63])
def test_read_idx_truncated(tmp_path, gz, cut):
    X, _ = tiny_images(1, 8, 8)  # 16-byte header + 64-byte payload
    data = idx_bytes(X)
    assert len(data) == 80
    p = write(tmp_path / "t.idx", data[:cut], gz)
    with pytest.raises(DatasetError) as exc:
        ds.read_idx(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert "truncated IDX" in msg
    if cut >= 16:
        assert "header declares 1x8x8 = 64 bytes" in msg
        assert f"file has {cut - 16} bytes" in msg
    else:
        assert "header" in msg


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_trailing_bytes(tmp_path, gz):
    X, _ = tiny_images(2, 2, 2)
    p = write(tmp_path / "x", idx_bytes(X) + b"\x00\x01\x02", gz)
    with pytest.raises(DatasetError, match="trailing bytes after IDX payload"):
        ds.read_idx(p)
    if not gz:
        with pytest.raises(DatasetError, match="file has 11 bytes"):
            ds.read_idx(p)


def test_read_idx_wrong_magic(tmp_path):
    X, _ = tiny_images(1, 2, 2)
    data = idx_bytes(X, magic=bytes([1, 0, 8, 3]))
    p = write(tmp_path / "bad", data)
    with pytest.raises(DatasetError, match=r"bad magic number 0x01000803"):
        ds.read_idx(p)
    p2 = write(tmp_path / "text", b"label,pixel1\n1,2\n")
    with pytest.raises(DatasetError, match="not an IDX file"):
        ds.read_idx(p2)


def test_read_idx_unknown_type_code(tmp_path):
    p = write(tmp_path / "u", bytes([0, 0, 0x0A, 1, 0, 0, 0, 1, 7]))
    with pytest.raises(DatasetError, match="unsupported IDX type code 0x0A"):
        ds.read_idx(p)


@pytest.mark.parametrize("ndim", [0, 5, 255])
def test_read_idx_bad_ndim(tmp_path, ndim):
    p = write(tmp_path / "n", bytes([0, 0, 8, ndim]) + bytes(4 * ndim + 1))
    with pytest.raises(DatasetError, match=f"unsupported IDX dimension count {ndim}"):
        ds.read_idx(p)


def test_read_idx_absurd_dims_raw(tmp_path):
    big = 0xFFFFFFFF
    p = write(tmp_path / "big", bytes([0, 0, 8, 3]) + struct.pack(">III", big, big, big) + bytes(10))
    with pytest.raises(DatasetError) as exc:
        ds.read_idx(p)
    assert (f"header declares {big}x{big}x{big} = {big**3} bytes, file has 10 bytes") in str(exc.value)


def test_read_idx_absurd_dims_gzip(tmp_path):
    big = 0xFFFFFFFF
    p = write(tmp_path / "big.gz", bytes([0, 0, 0x0E, 2]) + struct.pack(">II", big, big) + bytes(10), gz=True)
    with pytest.raises(DatasetError) as exc:
        ds.read_idx(p)
    msg = str(exc.value)
    assert "implausible IDX size" in msg
    assert f"{big}x{big} float64 values = {big * big * 8} bytes" in msg


def test_read_idx_gzip_bomb_is_capped(tmp_path, monkeypatch):
    # Declares 10 bytes but decompresses to 8 MB: must stop after 11 bytes.
    header = bytes([0, 0, 8, 1]) + struct.pack(">I", 10)
    p = write(tmp_path / "bomb.gz", header + bytes(8 << 20), gz=True)
    assert p.stat().st_size < 20000
    total = []
    reader = idx_module.GzipReader  # isal's IGzipFile, or gzip.GzipFile without isal
    real_read = reader.read

    def counting_read(self, size=-1):
        assert size is not None and size >= 0, "unbounded gzip read"
        out = real_read(self, size)
        total.append(len(out))
        return out

    monkeypatch.setattr(reader, "read", counting_read)
    with pytest.raises(DatasetError, match="trailing bytes after IDX payload"):
        ds.read_idx(p)
    assert sum(total) == len(header) + 10 + 1


def test_read_idx_empty_file(tmp_path):
    p = write(tmp_path / "empty.idx", b"")
    with pytest.raises(DatasetError, match=r"empty\.idx: empty file"):
        ds.read_idx(p)


def test_read_idx_corrupt_gzip(tmp_path):
    X, _ = tiny_images(2, 8, 8)
    good = gzip.compress(idx_bytes(X), mtime=0)
    # Garbage after a valid gzip header.
    p = write(tmp_path / "corrupt.gz", good[:10] + b"\xff" * 50)
    with pytest.raises(DatasetError, match=r"corrupt\.gz: corrupt gzip data"):
        ds.read_idx(p)
    # Compressed stream cut short.
    p2 = write(tmp_path / "cut.gz", good[: len(good) // 2])
    with pytest.raises(DatasetError, match=r"cut\.gz: "):
        ds.read_idx(p2)
    # Only the gzip magic.
    p3 = write(tmp_path / "magic.gz", b"\x1f\x8b")
    with pytest.raises(DatasetError, match="corrupt gzip data"):
        ds.read_idx(p3)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ds.read_idx(tmp_path / "nope")


# --------------------------------------------------------------------------
# load_idx_pair / load_idx_dir
# --------------------------------------------------------------------------


def test_load_idx_pair(tmp_path):
    X, y = tiny_images(4, 3, 2)
    pi = write(tmp_path / "i.gz", idx_bytes(X), gz=True)
    pl = write(tmp_path / "l", idx_bytes(y))
    Xo, yo = ds.load_idx_pair(pi, pl)
    assert Xo.shape == (4, 6) and Xo.dtype == np.uint8
    assert yo.dtype == np.int64
    np.testing.assert_array_equal(Xo, X.reshape(4, 6))
    assert yo.tolist() == [0, 1, 2, 3]


def test_load_idx_pair_count_mismatch(tmp_path):
    X, y = tiny_images(4, 3, 2)
    pi = write(tmp_path / "imgs", idx_bytes(X))
    pl = write(tmp_path / "labs", idx_bytes(y[:3]))
    with pytest.raises(DatasetError) as exc:
        ds.load_idx_pair(pi, pl)
    assert str(exc.value) == f"{pi} has 4 images but {pl} has 3 labels"


def test_load_idx_pair_label_checks(tmp_path):
    X, _ = tiny_images(2, 2, 2)
    pi = write(tmp_path / "imgs", idx_bytes(X))
    ok = write(tmp_path / "f", idx_bytes(np.array([1.0, 7.0])))
    assert ds.load_idx_pair(pi, ok)[1].tolist() == [1, 7]
    frac = write(tmp_path / "frac", idx_bytes(np.array([1.0, 2.5])))
    with pytest.raises(DatasetError, match="label 2.5 at index 1 is not an"):
        ds.load_idx_pair(pi, frac)
    two_d = write(tmp_path / "2d", idx_bytes(np.zeros((2, 1), np.uint8)))
    with pytest.raises(DatasetError, match=r"expected a 1-D labels file"):
        ds.load_idx_pair(pi, two_d)
    one_d = write(tmp_path / "1d", idx_bytes(np.zeros(2, np.uint8)))
    with pytest.raises(DatasetError, match="at least 2 dimensions"):
        ds.load_idx_pair(one_d, one_d)


@pytest.mark.parametrize("gz", [False, True])
def test_load_idx_dir(tmp_path, gz):
    Xtr, ytr = tiny_images(6, 28, 28, seed=2)
    Xte, yte = tiny_images(3, 28, 28, seed=3)
    write_split(tmp_path, Xtr, ytr, "train", gz)
    write_split(tmp_path, Xte, yte, "t10k", gz)
    X, y = ds.load_idx_dir(tmp_path)
    np.testing.assert_array_equal(X, Xtr.reshape(6, 784))
    assert y.tolist() == [0, 1, 2, 3, 4, 5]
    for kind in ("test", "t10k"):
        X, y = ds.load_idx_dir(tmp_path, kind=kind)
        np.testing.assert_array_equal(X, Xte.reshape(3, 784))
        assert y.tolist() == [0, 1, 2]


def test_load_idx_dir_missing(tmp_path):
    Xtr, ytr = tiny_images(2)
    write_split(tmp_path, Xtr, ytr, "train")
    with pytest.raises(
        DatasetNotFoundError,
        match="no t10k-images-idx3-ubyte or "
        r"t10k-images-idx3-ubyte\.gz found",
    ):
        ds.load_idx_dir(tmp_path, kind="test")
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match="train-labels-idx1-ubyte"):
        ds.load_idx_dir(tmp_path)
    with pytest.raises(ValueError, match="kind must be one of"):
        ds.load_idx_dir(tmp_path, kind="validation")


# --------------------------------------------------------------------------
# read_csv
# --------------------------------------------------------------------------


def test_read_csv_book_format(tmp_path):
    rows = [[5] + [0] * 783 + [255], [0] + list(range(784))[::-1]]
    text = "\n".join(",".join(map(str, r)) for r in rows) + "\n"
    p = write(tmp_path / "mnist_train_2.csv", text.encode())
    X, y = ds.read_csv(p)
    assert X.shape == (2, 784) and X.dtype == np.float64
    assert y.dtype == np.int64 and y.tolist() == [5, 0]
    assert X[0, 0] == 0.0 and X[0, 783] == 255.0
    assert X[1, 0] == 783.0 and X[1, 783] == 0.0
    assert X.flags.c_contiguous


def test_read_csv_header_and_label_column(tmp_path):
    p = write(tmp_path / "h.csv", b"\xef\xbb\xbff1,f2,label\r\n1.5,2,1\r\n\r\n-3,4e1,0\r\n")
    X, y = ds.read_csv(p, label_column=-1)
    np.testing.assert_array_equal(X, [[1.5, 2.0], [-3.0, 40.0]])
    assert y.tolist() == [1, 0]
    X2, y2 = ds.read_csv(p, label_column=1)
    np.testing.assert_array_equal(X2, [[1.5, 1.0], [-3.0, 0.0]])
    assert y2.tolist() == [2, 40]


def test_read_csv_float_integral_labels(tmp_path):
    p = write(tmp_path / "f.csv", b"3.0,1,2\n-1,0.5,0.25\n")
    X, y = ds.read_csv(p)
    assert y.tolist() == [3, -1]
    np.testing.assert_array_equal(X, [[1.0, 2.0], [0.5, 0.25]])


@pytest.mark.parametrize(
    "content, pattern",
    [
        (
            b"1,2,3\n4,5\n",
            r"r\.csv: line 2: ragged row: 2 values, expected 3 "
            r"\(as on line 1\)",
        ),
        (
            b"a,b,c\n1,2,3\n\n4,5,6,7\n",
            r"line 4: ragged row: 4 values, "
            r"expected 3 \(as on line 1\)",
        ),
        (
            b"1,2,3\n4,x5,6\n",
            r"r\.csv: line 2, column 2: non-numeric value "
            r"'x5'",
        ),
        (b"1,2,3\n4,,6\n", r"line 2, column 2: non-numeric value ''"),
        (b"1,2,3\n4,5,nan\n", r"line 2, column 3: non-finite value"),
        (b"1,2,3\n4,5,6\n7,-inf,9\n", r"line 3, column 2: non-finite value"),
        (b"1,2,3\n4.5,5,6\n", r"line 2: label 4\.5 is not an integer"),
        (b"", r"r\.csv: empty file"),
        (b"\n  \n\n", r"r\.csv: empty file"),
        (b"label,x\n", r"no data rows after the header on line 1"),
        (b"1\n2\n", r"need at least 2 columns"),
    ],
)
def test_read_csv_errors(tmp_path, content, pattern):
    p = write(tmp_path / "r.csv", content)
    with pytest.raises(DatasetError, match=pattern):
        ds.read_csv(p)


def test_read_csv_label_column_out_of_range(tmp_path):
    p = write(tmp_path / "c.csv", b"1,2\n3,4\n")
    with pytest.raises(DatasetError, match="label_column 2 is out of range"):
        ds.read_csv(p, label_column=2)
    assert ds.read_csv(p, label_column=-2)[1].tolist() == [1, 3]


def test_read_csv_not_utf8(tmp_path):
    p = write(tmp_path / "bin.csv", b"\xff\xfe\x00\x01")
    with pytest.raises(DatasetError, match="not a UTF-8 text file"):
        ds.read_csv(p)


# --------------------------------------------------------------------------
# load_npz
# --------------------------------------------------------------------------


def test_load_npz_round_trip(tmp_path):
    p = tmp_path / "d.npz"
    X = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    np.savez(p, X=X, y=np.array([2.0, 0.0, 1.0]), extra=np.zeros(1))
    Xo, yo = ds.load_npz(p)
    assert Xo.shape == (3, 4) and Xo.dtype == np.float32
    assert Xo[2].tolist() == [8.0, 9.0, 10.0, 11.0]
    assert yo.dtype == np.int64 and yo.tolist() == [2, 0, 1]


def test_load_npz_missing_keys(tmp_path):
    p = tmp_path / "k.npz"
    np.savez(p, x_train=np.zeros((2, 2)), y_train=np.zeros(2))
    with pytest.raises(DatasetError) as exc:
        ds.load_npz(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: missing array(s) 'X', 'y'")
    assert "found 'x_train', 'y_train'" in msg


def test_load_npz_refuses_object_arrays(tmp_path):
    p = tmp_path / "obj.npz"
    obj = np.empty(2, dtype=object)
    obj[0], obj[1] = {"a": 1}, [1, 2]
    np.savez(p, X=obj, y=np.array([0, 1]))
    with pytest.raises(DatasetError, match="cannot read arrays") as exc:
        ds.load_npz(p)
    assert "allow_pickle" in str(exc.value)


@pytest.mark.parametrize(
    "arrays, pattern",
    [
        ({"X": np.zeros((3, 2)), "y": np.zeros(2)}, "X has 3 rows but y has 2"),
        ({"X": np.zeros(3), "y": np.zeros(3)}, r"X must have shape"),
        ({"X": np.zeros((2, 2)), "y": np.zeros((2, 1))}, r"y must be 1-D"),
        ({"X": np.array([[1.0, np.nan]]), "y": np.zeros(1)}, "X row 0 contains NaN or inf"),
        ({"X": np.array([["a", "b"]]), "y": np.zeros(1)}, "X must be numeric"),
        ({"X": np.zeros((2, 2)), "y": np.array([0.0, 0.5])}, "label 0.5 at index 1 is not an integer"),
    ],
)
def test_load_npz_invalid_content(tmp_path, arrays, pattern):
    p = tmp_path / "bad.npz"
    np.savez(p, **arrays)
    with pytest.raises(DatasetError, match=pattern):
        ds.load_npz(p)


def test_load_npz_not_an_archive(tmp_path):
    p = write(tmp_path / "junk.npz", b"this is not a zip file")
    with pytest.raises(DatasetError, match=r"junk\.npz: not a readable"):
        ds.load_npz(p)
    npy = tmp_path / "single.npz"
    with open(npy, "wb") as f:
        np.save(f, np.zeros(3))
    with pytest.raises(DatasetError, match="got a single .npy array"):
        ds.load_npz(npy)


# --------------------------------------------------------------------------
# preprocessing
# --------------------------------------------------------------------------


def test_scale_book_exact_values():
    X = np.array([[0, 255, 51]], dtype=np.uint8)
    out = ds.scale_book(X)
    assert out.dtype == np.float64
    assert out[0, 0] == 0.01
    assert out[0, 1] == 1.0
    assert out[0, 2] == pytest.approx(0.2 * 0.99 + 0.01, abs=1e-15)
    np.testing.assert_array_equal(ds.scale_book(X.astype(float)), out)
    out32 = ds.scale_book(X, dtype=np.float32)
    assert out32.dtype == np.float32
    assert out32[0, 0] == np.float32(0.01) and out32[0, 1] == 1.0
    sixteen = ds.scale_book([0, 8, 16], max_value=16)
    np.testing.assert_allclose(sixteen, [0.01, 0.505, 1.0], rtol=0, atol=1e-15)
    assert X[0, 1] == 255  # input untouched
    with pytest.raises(ValueError, match="max_value must be positive"):
        ds.scale_book(X, max_value=0)


def test_one_hot_values():
    out = ds.one_hot([2, 0, 1, 2])
    assert out.shape == (4, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    book = ds.one_hot(np.array([1, 3], np.uint8), n_classes=5, low=0.01, high=0.99, dtype=np.float32)
    assert book.dtype == np.float32 and book.shape == (2, 5)
    assert book[0, 1] == np.float32(0.99) and book[1, 3] == np.float32(0.99)
    assert book.sum() == pytest.approx(2 * 0.99 + 8 * 0.01, abs=1e-6)
    assert ds.one_hot(np.array([1.0, 0.0]), 2).tolist() == [[0, 1], [1, 0]]


def test_one_hot_errors():
    with pytest.raises(ValueError, match="label -1 at index 2 is out of range"):
        ds.one_hot([0, 1, -1], n_classes=3)
    with pytest.raises(
        ValueError,
        match=r"label 3 at index 1 is out of range for 3 "
        r"classes \(valid labels: 0..2\)",
    ):
        ds.one_hot([0, 3], n_classes=3)
    with pytest.raises(ValueError, match="label 1.5 at index 0 is not an"):
        ds.one_hot([1.5])
    with pytest.raises(ValueError, match="y must be 1-D"):
        ds.one_hot([[0, 1]])
    with pytest.raises(ValueError, match="cannot infer n_classes"):
        ds.one_hot(np.array([], dtype=np.int64))
    with pytest.raises(ValueError, match="labels must be integers"):
        ds.one_hot(["a"])


def test_standardize():
    X = np.array([[1.0, 5.0, 0.3], [3.0, 5.0, 0.3], [5.0, 5.0, 0.3]])
    Xs, mean, std = ds.standardize(X)
    np.testing.assert_allclose(mean, [3.0, 5.0, 0.3])
    np.testing.assert_allclose(std, [np.sqrt(8 / 3), 1.0, 1.0])
    np.testing.assert_allclose(Xs[:, 0], [-1.224744871391589, 0.0, 1.224744871391589])
    assert np.all(Xs[:, 1:] == 0.0)
    test = np.array([[7.0, 6.0, 0.3]])
    Xt, m2, s2 = ds.standardize(test, mean, std)
    np.testing.assert_allclose(Xt, [[4 / np.sqrt(8 / 3), 1.0, 0.0]], atol=1e-15)
    assert m2 is not None and np.array_equal(s2, std)
    _, _, s3 = ds.standardize(test, mean=[0, 0, 0], std=[2.0, 0.0, 1.0])
    assert s3.tolist() == [2.0, 1.0, 1.0]


def test_minmax_scale():
    X = np.array([[0.0, 10.0, 3.0], [5.0, 20.0, 3.0], [10.0, 15.0, 3.0]])
    out = ds.minmax_scale(X)
    np.testing.assert_allclose(out, [[0, 0, 0], [0.5, 1, 0], [1, 0.5, 0]])
    out2 = ds.minmax_scale(X, lo=-1, hi=1)
    np.testing.assert_allclose(out2[:, 0], [-1, 0, 1])
    np.testing.assert_allclose(out2[:, 2], [-1, -1, -1])
    applied = ds.minmax_scale([[20.0, 15.0, 3.0]], data_min=[0, 10, 3], data_max=[10, 20, 3])
    np.testing.assert_allclose(applied, [[2.0, 0.5, 0.0]])
    with pytest.raises(ValueError, match="need lo < hi"):
        ds.minmax_scale(X, lo=1, hi=1)


def test_train_test_split_stratified():
    X = np.arange(100).reshape(50, 2)
    y = np.array([0] * 30 + [1] * 10 + [2] * 10)
    Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_fraction=0.2, seed=3)
    assert Xtr.shape == (40, 2) and Xte.shape == (10, 2)
    assert np.bincount(yte).tolist() == [6, 2, 2]
    assert np.bincount(ytr).tolist() == [24, 8, 8]
    # rows stay paired with their labels and the parts are disjoint
    rows = np.concatenate([Xtr[:, 0], Xte[:, 0]]) // 2
    assert sorted(rows.tolist()) == list(range(50))
    np.testing.assert_array_equal(np.concatenate([ytr, yte]), y[rows])
    # deterministic in the seed
    again = ds.train_test_split(X, y, test_fraction=0.2, seed=3)
    np.testing.assert_array_equal(again[1], Xte)
    other = ds.train_test_split(X, y, test_fraction=0.2, seed=4)
    assert not np.array_equal(other[1], Xte)
    # the test part is shuffled, not grouped by class
    assert yte.tolist() != sorted(yte.tolist())


def test_train_test_split_plain_and_errors():
    X = np.arange(10.0)[:, None]
    y = np.zeros(10, dtype=np.int64)
    Xtr, Xte, ytr, yte = ds.train_test_split(X, y, 0.3, seed=0, stratify=False)
    assert len(Xtr) == 7 and len(Xte) == 3 and len(ytr) == 7
    assert sorted(np.concatenate([Xtr, Xte])[:, 0].tolist()) == list(np.arange(10.0))
    with pytest.raises(ValueError, match="test_fraction must be between"):
        ds.train_test_split(X, y, test_fraction=1.0)
    with pytest.raises(ValueError, match="X has 10 rows but y has 9"):
        ds.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match="empty test set"):
        ds.train_test_split(X[:2], y[:2], test_fraction=0.1)


# --------------------------------------------------------------------------
# built-in data sets
# --------------------------------------------------------------------------


def test_iris():
    X, y = ds.iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    assert ds.IRIS_CLASSES == ["setosa", "versicolor", "virginica"]
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert X[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert X[:, 0].min() == 4.3 and X[:, 0].max() == 7.9
    assert X[:, 3].min() == 0.1 and X[:, 3].max() == 2.5
    # setosa has the smallest petals
    assert X[y == 0, 2].max() < X[y != 0, 2].min()


def test_digits():
    X, y = ds.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 16.0
    assert np.array_equal(X, np.round(X))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]
    assert y[:5].tolist() == [0, 1, 2, 3, 4]
    assert ds.DIGITS_CLASSES[7] == "7"


def test_builtins_match_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    X, y = ds.iris()
    np.testing.assert_array_equal(X, sk.load_iris().data)
    np.testing.assert_array_equal(y, sk.load_iris().target)
    X, y = ds.digits()
    np.testing.assert_array_equal(X, sk.load_digits().data)
    np.testing.assert_array_equal(y, sk.load_digits().target)


def test_builtin_files_are_small_and_pickle_free():
    data = Path(ds.__file__).parent.parent / "data"  # datasets/ is a package inside akili/
    files = sorted(data.glob("*.npz"))
    assert [f.name for f in files] == ["digits.npz", "iris.npz"]
    assert sum(f.stat().st_size for f in files) < 300 * 1024
    for f in files:
        with np.load(f, allow_pickle=False) as z:
            assert sorted(z.files) == ["X", "y"]
            assert not z["X"].dtype.hasobject
    assert (data / "README.md").read_text().count("scikit-learn") >= 2


def test_generator_reproduces_builtin_files():
    pytest.importorskip("sklearn")
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_builtin_data.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("up to date") == 2


def test_xor():
    X, y = ds.xor()
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    assert y.tolist() == (X[:, 0] != X[:, 1]).astype(int).tolist()


def test_import_needs_only_stdlib_and_numpy():
    code = "import sys, akili.datasets; print([m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules])"
    # the directory akili was imported from (python/ in the source tree)
    env = dict(os.environ, PYTHONPATH=str(Path(ds.__file__).parent.parent.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------
# Fashion-MNIST
# --------------------------------------------------------------------------

needs_fashion = pytest.mark.skipif(
    not (FASHION_DIR / "train-images-idx3-ubyte.gz").is_file(), reason="dataset-fashion-mnist is not installed"
)


@needs_fashion
def test_fashion_mnist_debian(monkeypatch):
    monkeypatch.delenv("AKILI_FASHION_MNIST_DIR", raising=False)
    X, y = ds.fashion_mnist()
    assert X.shape == (60000, 784) and X.dtype == np.float64
    assert y.shape == (60000,) and y.dtype == np.int64
    assert X.min() == 0.01 and X.max() == 1.0
    assert y.min() == 0 and y.max() == 9
    assert np.bincount(y).tolist() == [6000] * 10
    assert y[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert ds.FASHION_MNIST_CLASSES[y[0]] == "Ankle boot"

    Xt, yt = ds.fashion_mnist(kind="test", scale=None)
    assert Xt.shape == (10000, 784) and Xt.dtype == np.uint8
    assert yt.shape == (10000,) and yt.min() == 0 and yt.max() == 9
    assert np.bincount(yt).tolist() == [1000] * 10
    assert Xt.max() == 255 and Xt.min() == 0

    Xu, _ = ds.fashion_mnist(kind="t10k", scale="unit", dtype=np.float32)
    assert Xu.dtype == np.float32 and Xu.max() == 1.0
    np.testing.assert_allclose(Xu, Xt / np.float32(255.0), rtol=0, atol=0)

    Xl, yl = ds.load("fashion-mnist", kind="test")
    np.testing.assert_array_equal(yl, yt)
    np.testing.assert_array_equal(Xl, ds.scale_book(Xt))


def test_fashion_mnist_from_directory_and_env(tmp_path, monkeypatch):
    X, y = tiny_images(4)
    write_split(tmp_path, X, y, "train")
    write_split(tmp_path, X[:2], y[:2], "t10k", gz=False)
    Xo, yo = ds.fashion_mnist(directory=tmp_path, scale=None)
    np.testing.assert_array_equal(Xo, X.reshape(4, 784))
    assert yo.tolist() == [0, 1, 2, 3]
    monkeypatch.setenv("AKILI_FASHION_MNIST_DIR", str(tmp_path))
    Xb, yb = ds.fashion_mnist(kind="test")
    assert Xb.shape == (2, 784)
    np.testing.assert_array_equal(Xb, X[:2].reshape(2, 784) / 255 * 0.99 + 0.01)
    assert ds.load("Fashion-MNIST")[0].shape == (4, 784)


def test_fashion_mnist_not_found(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-dir"
    with pytest.raises(DatasetNotFoundError) as exc:
        ds.fashion_mnist(directory=missing)
    msg = str(exc.value)
    assert isinstance(exc.value, DatasetError)
    assert str(missing) in msg and "directory does not exist" in msg
    assert "sudo apt-get install dataset-fashion-mnist" in msg
    assert "(Debian/Ubuntu" in msg
    assert "directory=" in msg and "AKILI_FASHION_MNIST_DIR" in msg
    monkeypatch.setenv("AKILI_FASHION_MNIST_DIR", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match=r"\$AKILI_FASHION_MNIST_DIR: no t10k-images"):
        ds.fashion_mnist(kind="test")


def test_fashion_mnist_rejects_wrong_shape_and_labels(tmp_path):
    X, y = tiny_images(2, 8, 8)
    write_split(tmp_path, X, y)
    with pytest.raises(DatasetError, match="expected 28x28 uint8 images"):
        ds.fashion_mnist(tmp_path)
    X, _ = tiny_images(2)
    write_split(tmp_path, X, np.array([0, 10], np.uint8))
    with pytest.raises(DatasetError, match=r"labels must be in 0..9"):
        ds.fashion_mnist(tmp_path)
    with pytest.raises(ValueError, match="scale must be"):
        ds.fashion_mnist(tmp_path, scale="zscore")
    with pytest.raises(ValueError, match="dtype must be a floating-point"):
        ds.fashion_mnist(tmp_path, dtype=np.int32)


# --------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------


def test_load_by_name():
    X, y = ds.load("iris")
    assert X.shape == (150, 4) and np.bincount(y).tolist() == [50, 50, 50]
    assert ds.load("DIGITS")[0].shape == (1797, 64)
    assert ds.load("xor")[1].tolist() == [0, 1, 1, 0]
    with pytest.raises(DatasetError, match="no 'test' split"):
        ds.load("iris", kind="test")


def test_load_by_path(tmp_path):
    csv = write(tmp_path / "d.csv", b"1,0.5\n0,0.25\n")
    X, y = ds.load(csv)
    assert X.tolist() == [[0.5], [0.25]] and y.tolist() == [1, 0]
    npz = tmp_path / "d.npz"
    np.savez(npz, X=np.ones((2, 3)), y=np.array([4, 5]))
    X, y = ds.load(str(npz))
    assert X.shape == (2, 3) and y.tolist() == [4, 5]
    Xi, yi = tiny_images(3, 2, 2)
    write_split(tmp_path, Xi, yi, "train")
    write_split(tmp_path, Xi[:1], yi[:1], "t10k")
    X, y = ds.load(tmp_path)
    np.testing.assert_array_equal(X, Xi.reshape(3, 4))
    X, y = ds.load(tmp_path, kind="test")
    assert X.shape == (1, 4) and y.tolist() == [0]
    with pytest.raises(DatasetError, match="no 'test' split"):
        ds.load(csv, kind="test")


def test_load_unknown(tmp_path):
    with pytest.raises(DatasetError) as exc:
        ds.load("mnistt")
    msg = str(exc.value)
    assert msg.startswith("mnistt: unknown data set; valid choices: ")
    for choice in ("'iris'", "'digits'", "'xor'", "'fashion-mnist'", ".csv", ".npz", "directory of IDX files"):
        assert choice in msg
    with pytest.raises(DatasetError, match="no such file"):
        ds.load(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="kind must be one of"):
        ds.load("iris", kind="valid")
