"""Damaged, hostile and absurd files: the model loader and the IDX / CSV / npz
readers refuse every one with a typed error, quickly and without large allocations.

Offsets used below (docs/model-format.md): magic 0..7, major @8, minor @10,
body length @12, dtype @20, loss @21, rule @22, init @23, layer count @24,
learning rate @28, seed @36, first layer @44 (inputs u64, outputs u64,
activation @60, flags @61, weights from @62); CRC-32 in the last 4 bytes.
"""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import akili
from akili import datasets


def sample_model_bytes() -> bytes:
    net = akili.Network(
        [akili.Dense(2, 3, activation="tanh", bias=True), akili.Dense(3, 2, activation="softmax")],
        loss="cross_entropy",
        seed=3,
    )
    net.layers[0].trainable_mask = np.array([[1, 0], [1, 1], [0, 1]])
    return net.to_bytes()


MODEL = sample_model_bytes()


def with_crc(data: bytes | bytearray) -> bytes:
    """Recompute the CRC-32 trailer, so a change reaches the decoder behind the checksum."""
    body = bytes(data[:-4])
    return body + struct.pack("<I", zlib.crc32(body))


def patched(offset: int, fmt: str, value, *, crc: bool = True) -> bytes:
    data = bytearray(MODEL)
    struct.pack_into(fmt, data, offset, value)
    return with_crc(data) if crc else bytes(data)


def test_the_sample_loads_and_the_offsets_match_the_format():
    net = akili.loads(MODEL)
    assert net.layers[0].inputs == 2 and net.layers[1].activation == "softmax"
    assert struct.unpack_from("<QQBB", MODEL, 44) == (2, 3, 2, 1 | 4)  # tanh, bias | mask
    assert struct.unpack_from("<I", MODEL, len(MODEL) - 4)[0] == zlib.crc32(MODEL[:-4])


def test_model_truncated_at_every_offset_is_refused(tmp_path):
    path = tmp_path / "cut.akili"
    for end in range(len(MODEL)):
        with pytest.raises(akili.ModelFormatError):
            akili.loads(MODEL[:end])
        path.write_bytes(MODEL[:end])
        with pytest.raises(akili.ModelFormatError):
            akili.load(path)


def test_model_truncated_with_a_consistent_header_and_checksum_is_refused():
    """Even a forger who fixes the length and CRC cannot make a cut body load."""
    for end in range(21, len(MODEL) - 4):
        data = bytearray(MODEL[:end] + MODEL[-4:])
        struct.pack_into("<Q", data, 12, end - 20)
        with pytest.raises(akili.ModelFormatError):
            akili.loads(with_crc(data))


def test_every_single_bit_flip_is_refused():
    for position in range(len(MODEL) * 8):
        data = bytearray(MODEL)
        data[position // 8] ^= 1 << (position % 8)
        with pytest.raises(akili.ModelFormatError):
            akili.loads(bytes(data))


def test_random_corruption_is_refused_or_loads_a_valid_model():
    """Random bytes overwritten, with and without a repaired checksum: a typed
    refusal, or (checksum repaired, damage in the weights) a finite model."""
    rng = np.random.default_rng(8)
    for trial in range(1500):
        data = bytearray(MODEL)
        for position in rng.integers(0, len(MODEL), size=rng.integers(1, 6)):
            data[position] = rng.integers(0, 256)
        if trial % 2:
            data = bytearray(with_crc(data))
        try:
            net = akili.loads(bytes(data))
        except akili.ModelFormatError:
            continue
        assert trial % 2 or bytes(data) == MODEL
        assert all(np.isfinite(layer.weights).all() for layer in net.layers)
        assert np.isfinite(net.predict(np.ones(net.n_inputs))).all()


@pytest.mark.parametrize(
    "data, words",
    [
        (MODEL + b"\0", "trailing bytes"),
        (MODEL + MODEL, "trailing bytes"),
        (patched(12, "<Q", 2**63, crc=False), "truncated"),
        (patched(12, "<Q", 2**64 - 1, crc=False), "truncated"),
        (patched(24, "<I", 2**32 - 1), "layer count"),
        (patched(24, "<I", 0), "at least one layer"),
        (patched(44, "<Q", 2**62), "declares more data"),
        (patched(52, "<Q", 2**40), "declares more data"),
        (patched(44, "<Q", 2**64 - 1), "declares more data"),
        (patched(44, "<Q", 0), "positive sizes"),
        (patched(8, "<H", 3), "newer than"),
        (patched(8, "<H", 65535), "upgrade akili"),
        (patched(8, "<H", 0), "not the version"),
        (patched(20, "<B", 3), "unknown dtype code 3"),
        (patched(21, "<B", 9), "unknown loss code 9"),
        (patched(22, "<B", 200), "unknown rule code"),
        (patched(23, "<B", 3), "unknown init code"),
        (patched(60, "<B", 5), "activation code 5"),
        (patched(61, "<B", 0x80 | 1), "unknown flag bits"),
        (patched(28, "<d", float("nan")), "learning rate"),
        (patched(28, "<d", -1.0), "learning rate"),
        (patched(28, "<d", 0.0), "learning rate"),
        (patched(62, "<d", float("inf")), "not finite"),
        (patched(62, "<d", float("nan")), "not finite"),
        (patched(0, "<B", 0x88, crc=False), "magic"),
        (b"", "0 bytes long"),
        (b"\x89AKILI\r\n", "bytes long"),
    ],
)
def test_hostile_headers_and_codes_are_refused_with_a_reason(data, words):
    with pytest.raises(akili.ModelFormatError, match=words):
        akili.loads(data)


class _Exploit:
    def __reduce__(self):
        return (Path.touch, (Path(EXPLOIT_MARKER),))


EXPLOIT_MARKER = str(Path(__file__).with_name("exploit-must-not-exist"))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(_Exploit(), protocol=2),
        pickle.dumps(_Exploit(), protocol=pickle.HIGHEST_PROTOCOL),
        pickle.dumps({"weights": np.ones((2, 2))}),
        b"\x80\x04" + MODEL,
        MODEL[:8] + pickle.dumps(_Exploit()),
    ],
)
def test_pickle_payloads_are_never_executed(tmp_path, payload):
    path = tmp_path / "payload.akili"
    path.write_bytes(payload)
    with pytest.raises(akili.ModelFormatError):
        akili.loads(payload)
    with pytest.raises(akili.ModelFormatError):
        akili.load(path)
    with pytest.raises(datasets.DatasetError):
        datasets.read_idx(path)
    npz = tmp_path / "payload.npz"
    npz.write_bytes(payload)
    with pytest.raises(datasets.DatasetError):
        datasets.load_npz(npz)
    assert not Path(EXPLOIT_MARKER).exists()


def test_npz_with_object_arrays_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, X=np.array([_Exploit(), _Exploit()], dtype=object), y=np.array([0, 1]))
    with pytest.raises(datasets.DatasetError):
        datasets.load_npz(path)
    assert not Path(EXPLOIT_MARKER).exists()


# -- IDX -------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
IDX = idx_bytes(IMAGES)
IDX_GZ = gzip.compress(IDX, mtime=0)


def test_idx_round_trip():
    np.testing.assert_array_equal(datasets.read_idx(io_path(IDX)), IMAGES)
    np.testing.assert_array_equal(datasets.read_idx(io_path(IDX_GZ)), IMAGES)


_TMP: list[Path] = []


@pytest.fixture(autouse=True)
def _temp_dir(tmp_path):
    _TMP[:] = [tmp_path]
    yield


def io_path(data: bytes, name: str = "data.idx") -> Path:
    path = _TMP[0] / name
    path.write_bytes(data)
    return path


def test_idx_truncated_at_every_offset_is_refused():
    for source in (IDX, IDX_GZ):
        for end in range(len(source)):
            with pytest.raises(datasets.DatasetError):
                datasets.read_idx(io_path(source[:end]))


def test_idx_trailing_bytes_are_refused():
    # (Zero padding after a gzip member is part of gzip itself and is accepted, as gzip -d does.)
    for data in (IDX + b"\0", gzip.compress(IDX + b"\0", mtime=0), IDX_GZ + b"junk", IDX_GZ + gzip.compress(b"x")):
        with pytest.raises(datasets.DatasetError):
            datasets.read_idx(io_path(data))


@pytest.mark.parametrize(
    "header, words",
    [
        (bytes([0, 0, 0x0A, 1]) + struct.pack(">I", 1) + b"\0", "type code"),
        (bytes([0, 0, 0x08, 0]), "dimension count"),
        (bytes([0, 0, 0x08, 9]) + b"\0" * 36, "dimension count"),
        (bytes([1, 0, 0x08, 1]) + struct.pack(">I", 1) + b"\0", "magic"),
        (bytes([0, 0, 0x08, 4]) + struct.pack(">4I", *[2**32 - 1] * 4), "truncated IDX payload"),
        (bytes([0, 0, 0x0E, 3]) + struct.pack(">3I", 60000, 28, 28), "truncated IDX payload"),
        # Empty, yet NumPy cannot index the other extents: found by the atheris harness.
        (bytes([0, 0, 0x08, 4]) + struct.pack(">4I", 0x84000000, 768, 0x04000000, 0), "implausible IDX dimensions"),
    ],
)
def test_idx_unknown_codes_and_absurd_sizes_are_refused(header, words):
    with pytest.raises(datasets.DatasetError, match=words):
        datasets.read_idx(io_path(header))
    with pytest.raises(datasets.DatasetError):
        datasets.read_idx(io_path(gzip.compress(header, mtime=0)))


def test_idx_bit_flips_are_refused_or_read_as_the_declared_shape():
    """IDX has no checksum: a flip in the payload changes a value; a flip in the
    header must be refused (or, for a dimension, match the payload exactly)."""
    for source in (IDX, IDX_GZ):
        for position in range(len(source) * 8):
            data = bytearray(source)
            data[position // 8] ^= 1 << (position % 8)
            try:
                array = datasets.read_idx(io_path(bytes(data)))
            except datasets.DatasetError:
                continue
            assert array.size * array.itemsize <= len(IDX)


# -- CSV ---------------------------------------------------------------------------

CSV = b"label,a,b,c\n0,1,2,3\n1,4.5,5,6\n2,7,8,9e1\n"


def check_csv_result(result) -> None:
    features, labels = result
    assert features.ndim == 2 and labels.ndim == 1 and features.shape[0] == labels.shape[0] >= 1
    assert np.isfinite(features).all() and labels.dtype == np.int64


def test_csv_round_trip():
    features, labels = datasets.read_csv(io_path(CSV, "d.csv"))
    np.testing.assert_array_equal(labels, [0, 1, 2])
    np.testing.assert_array_equal(features, [[1, 2, 3], [4.5, 5, 6], [7, 8, 90]])


def test_csv_truncated_at_every_offset_is_refused_or_consistent():
    """A CSV cut at a line end is a shorter valid file; anywhere else it must be
    refused with DatasetError or read as consistent, finite rows."""
    for end in range(len(CSV)):
        try:
            result = datasets.read_csv(io_path(CSV[:end], "d.csv"))
        except datasets.DatasetError:
            continue
        check_csv_result(result)


def test_csv_bit_flips_are_refused_or_consistent():
    for position in range(len(CSV) * 8):
        data = bytearray(CSV)
        data[position // 8] ^= 1 << (position % 8)
        try:
            result = datasets.read_csv(io_path(bytes(data), "d.csv"))
        except datasets.DatasetError:
            continue
        check_csv_result(result)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"a,b\n", "no data rows"),
        (b"0,1\n1,2,3\n", "ragged"),
        (b"0,1\n1,x\n", "non-numeric"),
        (b"0,1\n1,nan\n", "non-finite"),
        (b"0,1\n1,1e999\n", "non-finite"),
        (b"0.5,1\n", "not an integer"),
        (b"7\n", "at least 2 columns"),
        (b"\xff\xfe\x00\x01", "UTF-8"),
        (b"0,1\x00\n", "no data rows"),
        (b"0,1\n1,2\x00\n", "non-numeric"),
        (b"\x80\x04\x95" + pickle.dumps(_Exploit()), "UTF-8|non-numeric|columns"),
    ],
)
def test_csv_garbage_is_refused_with_a_reason(data, words):
    with pytest.raises(datasets.DatasetError, match=words):
        datasets.read_csv(io_path(data, "d.csv"))


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()  # magic, version 1.0, header length, header dict


def test_npz_declaring_an_absurd_shape_is_refused_before_allocating():
    """A member whose header declares 8 TB (10**12 float64s) is refused from its header."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("X.npy", npy_header((10**12,)) + bytes(64))
        archive.writestr("y.npy", npy_header((3,), "<i8") + bytes(24))
    with pytest.raises(datasets.DatasetError, match="declares shape"):
        datasets.load_npz(io_path(buffer.getvalue(), "d.npz"))


def test_single_npy_is_refused_without_loading_it():
    buffer = io.BytesIO()
    np.save(buffer, np.ones((4, 4)))
    with pytest.raises(datasets.DatasetError, match="single .npy"):
        datasets.load_npz(io_path(buffer.getvalue(), "d.npz"))


def test_npz_truncated_at_every_offset_is_refused(tmp_path):
    buffer = io.BytesIO()
    np.savez(buffer, X=np.ones((3, 2)), y=np.array([0, 1, 0]))
    data = buffer.getvalue()
    for end in range(0, len(data), 7):
        with pytest.raises(datasets.DatasetError):
            datasets.load_npz(io_path(data[:end], "d.npz"))


# -- cost of refusing --------------------------------------------------------------

ABSURD_SCRIPT = textwrap.dedent("""
    import gzip, resource, struct, sys, zlib, time
    import akili
    from akili import datasets
    model = bytearray(open(sys.argv[1], "rb").read())
    work = sys.argv[2]
    def crc(data):
        body = bytes(data[:-4]); return body + struct.pack("<I", zlib.crc32(body))
    cases = []
    for offset, fmt, value in [(44, "<Q", 2**62), (52, "<Q", 2**40), (24, "<I", 2**32 - 1), (12, "<Q", 2**63)]:
        data = bytearray(model); struct.pack_into(fmt, data, offset, value); cases.append(crc(data))
    idx_header = bytes([0, 0, 0x0E, 4]) + struct.pack(">4I", *[2**32 - 1] * 4)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    for _ in range(20):
        for data in cases:
            try: akili.loads(bytes(data))
            except akili.ModelFormatError: pass
            else: raise SystemExit("absurd model loaded")
            open(work + "/m.akili", "wb").write(data)
            try: akili.load(work + "/m.akili")
            except akili.ModelFormatError: pass
        for data in (idx_header, gzip.compress(idx_header + bytes(4096), mtime=0)):
            open(work + "/d.idx", "wb").write(data)
            try: datasets.read_idx(work + "/d.idx")
            except datasets.DatasetError: pass
            else: raise SystemExit("absurd IDX loaded")
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(grown, elapsed)
""")


def test_absurd_sizes_are_refused_without_large_allocations(tmp_path):
    """Peak RSS (ru_maxrss, KiB, sees C++ allocations too) barely moves while
    refusing files that declare exabytes."""
    model = tmp_path / "model.akili"
    model.write_bytes(MODEL)
    result = subprocess.run(
        [sys.executable, "-c", ABSURD_SCRIPT, str(model), str(tmp_path)], capture_output=True, text=True, check=True
    )
    grown_kib, elapsed = result.stdout.split()
    print(f"peak RSS growth {grown_kib} KiB; 240 refusals in {float(elapsed):.3f} s")
    assert int(grown_kib) < 20 * 1024


@pytest.mark.parametrize("method, flags", [(99, 0), (0, 1)])
def test_npz_with_unsupported_compression_or_encryption_is_refused(method, flags):
    """Found by fuzzing: an unknown zip compression method raised NotImplementedError."""
    data = bytearray(npz_bytes(X=np.ones((2, 2)), y=np.array([0, 1])))
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            struct.pack_into("<HH", data, start + flag_at, flags, method)
            start += 4
    with pytest.raises(datasets.DatasetError):
        datasets.load_npz(io_path(bytes(data), "d.npz"))


def test_npz_with_a_garbled_array_header_is_refused():
    """Found by fuzzing: a NUL inside the .npy header made NumPy raise tokenize.TokenError."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("X.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': (\x00 \n")
        archive.writestr("y.npy", npy_header((2,), "<i8") + bytes(16))
    with pytest.raises(datasets.DatasetError):
        datasets.load_npz(io_path(buffer.getvalue(), "d.npz"))
