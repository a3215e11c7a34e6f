"""The native CSV and IDX readers (cpp/src/io) against the pure-Python reader they
replaced (tests/csv_oracle.py, kept verbatim): bit-identical arrays on valid files,
the same message and line number on every file it refuses; chunk and thread
boundaries inside lines; streaming in batches; IDX decoding with scaling."""

from __future__ import annotations

import gzip
import struct

import csv_oracle
import numpy as np
import pytest

import akili
from akili import datasets as ds
from akili.datasets import DatasetError

VALID = {
    "book": b"5,0,255,3\n0,12,0,1\n",
    "no_final_newline": b"5,0,255,3\n0,12,0,1",
    "crlf": b"5,0,255,3\r\n0,12,0,1\r\n",
    "lone_cr": b"5,0,255,3\r0,12,0,1\r",
    "mixed_endings": b"1,2\r\n\r3,4\n\n5,6\r",
    "bom_header_blanks": "\ufefflabel,a,b\n\n  \n1,0.5,2\n\t\n0,1e3,-4\n".encode(),
    "floats": b"1,0.1,0.2,0.30000000000000004\n2,1e-5,-2.5E+3,123456.789\n",
    "long_mantissas": b"0,0.12345678901234567890123,98765432109876543210\n1,3.141592653589793238,1e22\n",
    "extremes": b"0,1e300,-1e-300,4e-320\n1,1.7976931348623157e308,2.2250738585072014e-308,5e-324\n",
    "signs_and_points": b"+1,+0.5,-0,.5,5.\n-2,-.25,+.0,0.,-7\n",
    "spaces": b" 1 , 2 ,\t3\t\n4,5 ,6\n",
    "header_only_text": b"y,x1\n1,2\n",
    "label_last": b"0.5,0.25,3\n1.5,2.5,4\n",
    "integral_float_label": b"1.0,2\n2.000,3\n",
    "many_columns": (",".join(str(i % 256) for i in range(3000)) + "\n").encode() * 3,
    # Integer fields of every length the word-at-a-time path takes (1 to 7 digits) and beyond it.
    "digit_runs": b"7,1234567,12345678,123456789,0000001,256,65535\n0,9,99,999,9999,99999,999999\n",
    # Whole-integer rows with one decimal past the first 64 bytes: the plain-row path gives up
    # on each line (more lines than it tries before it stops trying) and the full parse decides.
    "plain_then_decimal": (",".join(["1", *map(str, range(40)), "2.5", *["3"] * 40]) + "\n").encode() * 20,
    # A label longer than one 64-byte block of the delimiter search.
    "long_label": b"0" * 70 + b"1,5,6\n2,3,4\n",
}

INVALID = {
    "empty": b"",
    "blank_only": b"\n  \n\t\n",
    "bom_only": b"\xef\xbb\xbf",
    "header_without_data": b"a,b,c\n\n",
    "one_column": b"1\n2\n",
    "ragged_short": b"1,2,3\n4,5\n",
    "ragged_long": b"1,2,3\n4,5,6,7\n",
    "header_mismatch": b"a,b,c\n1,2\n3,4\n",
    "non_numeric": b"1,2,3\n4,abc,6\n",
    "empty_field": b"1,2,3\n4,,6\n",
    "trailing_delimiter": b"1,2,3,\n",
    "nan": b"1,2,3\n4,nan,6\n",
    "inf_caps": b"1,2,3\n4,-Infinity,6\n",
    "overflow_to_inf": b"1,2,3\n4,1e400,6\n",
    "label_fraction": b"1,2,3\n4.5,5,6\n",
    "label_nan": b"nan,2,3\n",
    "label_then_inf": b"1.5,2,3\n1,inf,3\n",
    "inf_then_ragged": b"1,inf,3\n2,3\n",
    "label_then_text": b"1.5,2,3\n1,x,3\n",
    "crlf_ragged_line_numbers": b"1,2,3\r\n\r\n4,5\r\n",
    "lone_cr_line_numbers": b"1,2,3\r\r4,5,x\r",
    "non_ascii_field": "1,2,3\n4,\u00e9,6\n".encode(),
    "invalid_utf8": b"1,2,3\n4,\xff,6\n",
    "invalid_utf8_after_ragged": b"1,2,3\n4,5\n6,7,8\n\xfe\n",
    "nan_parenthesised": b"1,2,3\n4,nan(1),6\n",
    "double_sign": b"1,2,3\n4,+-5,6\n",
    "hex": b"1,2,3\n4,0x10,6\n",
    "digits_then_text": b"1,2,3\n4,12345x,6\n",
    "eight_digits_then_text": b"1,2,3\n4,12345678x,6\n",
}


def _write(tmp_path, name: str, content: bytes):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(content)
    return path


def _oracle(path, **kwargs):
    try:
        return csv_oracle.read_csv(path, **kwargs), None
    except DatasetError as error:
        return None, str(error)


def _native(path, **kwargs):
    try:
        return ds.read_csv(path, **kwargs), None
    except DatasetError as error:
        return None, str(error)


def _assert_same(path, **kwargs):
    expected, expected_error = _oracle(path, **kwargs)
    got, got_error = _native(path, **kwargs)
    assert got_error == expected_error
    if expected is not None:
        X, y = got
        assert X.dtype == np.float64 and y.dtype == np.int64
        assert X.shape == expected[0].shape
        assert X.tobytes() == expected[0].tobytes()  # bit for bit, -0.0 and subnormals included
        np.testing.assert_array_equal(y, expected[1])
    return got


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_files_give_bit_identical_arrays(tmp_path, name):
    label_column = -1 if name == "label_last" else 0
    got = _assert_same(_write(tmp_path, name, VALID[name]), label_column=label_column)
    assert got is not None


@pytest.mark.parametrize("name", sorted(INVALID))
def test_refused_files_give_the_same_message(tmp_path, name):
    expected, expected_error = _oracle(_write(tmp_path, name, INVALID[name]))
    assert expected_error is not None, "the oracle must refuse this case"
    _assert_same(_write(tmp_path, name, INVALID[name]))


@pytest.mark.parametrize("label_column", [5, -6, 2, -1])
def test_label_column_range_and_other_delimiters(tmp_path, label_column):
    path = _write(tmp_path, "semi", b"1;2;3;4;5\n6;7;8;9;10\n")
    _assert_same(path, label_column=label_column, delimiter=";")
    tabs = _write(tmp_path, "tabs", b"1\t2\t3\n\t\n4\t5\t6\n")
    _assert_same(tabs, label_column=label_column, delimiter="\t")


def test_label_beyond_int64_is_refused_by_name(tmp_path):
    with pytest.raises(DatasetError, match=r"line 2: label 1e\+30 is beyond the range of 64-bit integer labels"):
        ds.read_csv(_write(tmp_path, "big", b"1,2\n1e30,2\n"))


def test_bad_arguments_say_what_was_expected(tmp_path):
    path = _write(tmp_path, "ok", b"1,2\n")
    with pytest.raises(ValueError, match="single ASCII character"):
        ds.read_csv(path, delimiter=", ")
    with pytest.raises(ValueError, match="float32 or float64"):
        ds.read_csv(path, dtype=np.int32)
    with pytest.raises(ValueError, match="scale must be"):
        ds.read_csv(path, scale="standard")
    with pytest.raises(FileNotFoundError):
        ds.read_csv(tmp_path / "missing.csv")


def _big_csv(rows: int, seed: int) -> bytes:
    """Rows of 401 columns and varying length (sparse to dense pixels, a float at the end) with
    every line ending: lines cross the 1 MiB read chunks and the cut between the two threads."""
    rng = np.random.default_rng(seed)
    lines = []
    endings = [b"\n", b"\r\n", b"\r", b"\n\n"]
    for i in range(rows):
        values = rng.integers(0, 256, size=400) * (rng.random(400) < (i % 10) / 9)
        text = ",".join([str(i % 10), *map(str, values[:-1])]).encode()
        lines.append(text + b"," + repr(float(values[-1]) / 7).encode() + endings[i % 4])
    return b"".join(lines)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.csv"
    content = _big_csv(7000, 1)
    assert len(content) > 6 << 20  # above the two-thread threshold, six read chunks
    path.write_bytes(content)
    return path, content


def test_a_file_read_on_two_threads_matches_the_oracle(big_file):
    path, _ = big_file
    before = akili.get_num_threads()
    try:
        for threads in (1, 2):
            akili.set_num_threads(threads)
            X, y = ds.read_csv(path)
            expected = csv_oracle.read_csv(path)
            assert X.tobytes() == expected[0].tobytes()
            np.testing.assert_array_equal(y, expected[1])
    finally:
        akili.set_num_threads(before)


@pytest.mark.parametrize("last", [b"9,3", b"9", b"9,3,4", b"9,3x"])
def test_a_short_last_line_without_newline_after_a_full_buffer(tmp_path, last):
    # More than one 1 MiB read of rows, then a last line without a terminator: the read
    # buffer still holds digits of earlier rows after its end, which the parser reads
    # (it loads whole words) but must not take as part of the line.
    path = _write(tmp_path, "short_last", b"5,12345\n" * 200_000 + last)
    _assert_same(path)


def test_problems_in_either_half_report_the_oracles_line(tmp_path, big_file):
    _, content = big_file
    lines = content.split(b"\n")
    for where, bad in ((100, b"x"), (len(lines) - 50, b"x"), (len(lines) - 50, b"inf")):
        broken = list(lines)
        while broken[where].count(b",") < 5:  # a blank line, or one holding several "\r" lines
            where += 1
        fields = broken[where].split(b",")
        fields[3] = bad
        broken[where] = b",".join(fields)
        path = _write(tmp_path, f"broken{where}{bad.decode()}", b"\n".join(broken))
        _assert_same(path)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scaling_on_the_fly_equals_numpy(tmp_path, dtype):
    path = _write(tmp_path, "pixels", b"3,0,17,255,128\n1,254,1,0,99.5\n2,300,-4,1e3,0.25\n")
    raw, labels = csv_oracle.read_csv(path)
    X, y = ds.read_csv(path, dtype=dtype, scale="book")
    assert X.dtype == dtype
    assert X.tobytes() == ds.scale_book(raw, dtype=dtype).tobytes()
    np.testing.assert_array_equal(y, labels)
    X, _ = ds.read_csv(path, dtype=dtype, scale="unit", max_value=16)
    assert X.tobytes() == (raw.astype(dtype) / dtype(16)).tobytes()
    X, _ = ds.read_csv(path, dtype=dtype)
    assert X.tobytes() == raw.astype(dtype).tobytes()


@pytest.mark.parametrize("batch_rows", [1, 7, 1000])
def test_iter_csv_batches_concatenate_to_read_csv(big_file, batch_rows):
    path, _ = big_file
    X, y = ds.read_csv(path, dtype=np.float32, scale="book")
    batches = ds.iter_csv(path, batch_rows=batch_rows, dtype=np.float32, scale="book")
    if batch_rows == 1:  # one pass is enough to check the smallest batches; keep it short
        first = [next(iter(batches)) for _ in range(1)][0]
        assert first[0].shape == (1, X.shape[1]) and first[0].tobytes() == X[:1].tobytes()
        return
    parts = list(batches)
    assert all(len(p[0]) == batch_rows for p in parts[:-1])
    assert np.concatenate([p[0] for p in parts]).tobytes() == X.tobytes()
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), y)
    # re-iterable: a second loop reads the file again from the start
    assert next(iter(batches))[0].tobytes() == X[:batch_rows].tobytes()


def test_iter_csv_reports_a_problem_when_it_reaches_it(tmp_path):
    path = _write(tmp_path, "late", b"h,a\n" + b"1,2\n" * 10 + b"1,oops\n")
    batches = iter(ds.iter_csv(path, batch_rows=4))
    assert len(next(batches)[0]) == 4 and len(next(batches)[0]) == 4
    with pytest.raises(DatasetError, match=r"late.csv: line 12, column 2: non-numeric value 'oops'"):
        next(batches)
    with pytest.raises(DatasetError, match="no data rows after the header on line 1"):
        ds.iter_csv(_write(tmp_path, "hdr", b"h,a\n"))


def _idx(array: np.ndarray, code: int) -> bytes:
    big = array.astype(array.dtype.newbyteorder(">"))
    return struct.pack(">BBBB", 0, 0, code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + big.tobytes()


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("stored,code", [(np.uint8, 0x08), (np.int16, 0x0B), (np.float32, 0x0D), (np.float64, 0x0E)])
def test_idx_scaled_reads_equal_numpy(tmp_path, compress, stored, code):
    from akili.datasets._idx import _read_idx_scaled

    rng = np.random.default_rng(3)
    values = rng.integers(0, 256, size=(37, 5, 3)).astype(stored)
    if stored in (np.float32, np.float64):
        values = values + stored(0.375)
    content = _idx(values, code)
    path = tmp_path / "v.idx"
    path.write_bytes(gzip.compress(content) if compress else content)
    for dtype in (np.float32, np.float64):
        book = _read_idx_scaled(path, dtype, "book")
        assert book.shape == values.shape and book.dtype == dtype
        assert book.tobytes() == ds.scale_book(values, dtype=dtype).tobytes()
        unit = _read_idx_scaled(path, dtype, "unit")
        assert unit.tobytes() == (values.astype(dtype) / dtype(255)).tobytes()


def test_iter_idx_batches_and_errors(tmp_path):
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, size=(50, 4, 4)).astype(np.uint8)
    labels = rng.integers(0, 10, size=50).astype(np.uint8)
    (tmp_path / "i.gz").write_bytes(gzip.compress(_idx(images, 0x08)))
    (tmp_path / "l").write_bytes(_idx(labels, 0x08))
    batches = ds.iter_idx(tmp_path / "i.gz", tmp_path / "l", batch_rows=16, dtype=np.float32, scale="book")
    parts = list(batches)
    assert [len(p[0]) for p in parts] == [16, 16, 16, 2] and len(batches) == 4
    X = np.concatenate([p[0] for p in parts])
    assert X.tobytes() == ds.scale_book(images.reshape(50, 16), dtype=np.float32).tobytes()
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), labels)
    (tmp_path / "l9").write_bytes(_idx(labels[:49], 0x08))
    with pytest.raises(DatasetError, match="has 50 images but .* has 49 labels"):
        ds.iter_idx(tmp_path / "i.gz", tmp_path / "l9")
    (tmp_path / "cut.gz").write_bytes(gzip.compress(_idx(images, 0x08)[:-100]))
    with pytest.raises(DatasetError, match="truncated IDX payload"):
        list(ds.iter_idx(tmp_path / "cut.gz", tmp_path / "l", batch_rows=16))


FASHION = ds.FASHION_MNIST_DIR


@pytest.mark.skipif(
    not (__import__("pathlib").Path(FASHION) / "t10k-images-idx3-ubyte.gz").is_file(),
    reason="dataset-fashion-mnist is not installed",
)
def test_fashion_mnist_scaled_in_the_core_equals_the_numpy_scaling():
    raw, labels = ds.fashion_mnist(kind="test", scale=None)
    for dtype in (np.float32, np.float64):
        X, y = ds.fashion_mnist(kind="test", dtype=dtype)
        assert X.tobytes() == ds.scale_book(raw, dtype=dtype).tobytes()
        X, _ = ds.fashion_mnist(kind="test", dtype=dtype, scale="unit")
        expected = np.array(raw, dtype=dtype)
        expected /= 255.0
        assert X.tobytes() == expected.tobytes()
        np.testing.assert_array_equal(y, labels)


def test_public_namespace_exports_only_its_api():
    assert sorted(dir(ds)) == sorted(ds.__all__)
    for name in ("np", "Optional", "os", "gzip", "math"):
        assert not hasattr(ds, name) or name in ds.__all__
    for name in ds.__all__:
        assert getattr(ds, name) is not None
