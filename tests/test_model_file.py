"""The model file from Python: exact round trips, refusal of every damaged or
forged file with ModelFormatError, and crash-safe saving.

Forged files carry a correct CRC-32 (recomputed with zlib.crc32, the same
checksum) so they reach the loader's structural checks.
"""

from __future__ import annotations

import errno
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import akili

HEADER = 20  # magic (8), major (2), minor (2), body length (8)
MODEL_FIELDS = 24  # dtype, loss, rule, init (1 each), layer count (4), learning rate (8), seed (8)
LAYER_FIELDS = 18  # inputs (8), outputs (8), activation (1), flags (1)


def small_network(dtype: str = "float64", seed: int = 3) -> akili.Network:
    network = akili.Network(
        [akili.Dense(4, 6, activation="tanh", bias=True), akili.Dense(6, 3, activation="softmax")],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=0.05,
        dtype=dtype,
        init="xavier",
        seed=seed,
    )
    mask = np.ones((6, 4))
    mask[1, 2] = 0.0
    network.layers[0].trainable_mask = mask
    network.layers[0].bias = np.linspace(-1.0, 1.0, 6)
    network.layers[1].frozen = True
    return network


def reseal(body_and_header: bytes) -> bytes:
    """Fix the body length and append a correct CRC-32 to a forged file."""
    data = bytearray(body_and_header)
    data[12:20] = struct.pack("<Q", len(data) - HEADER)
    return bytes(data) + struct.pack("<I", zlib.crc32(bytes(data)))


def unseal(data: bytes) -> bytearray:
    """The file without its CRC trailer, ready to edit."""
    return bytearray(data[:-4])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_keeps_everything(tmp_path: Path, dtype: str) -> None:
    network = small_network(dtype)
    x, y = np.random.default_rng(1).random((40, 4)), np.eye(3)[np.arange(40) % 3]
    network.fit(x, y, epochs=2)
    path = tmp_path / "model.akili"
    network.save(path)

    loaded = akili.load(path)
    assert loaded.dtype == network.dtype
    assert (loaded.loss, loaded.rule, loaded.learning_rate, loaded.seed) == (
        "cross_entropy",
        "gradient",
        network.learning_rate,
        3,
    )
    assert repr(loaded) == repr(network)
    for ours, theirs in zip(network.layers, loaded.layers):
        assert ours.weights.tobytes() == theirs.weights.tobytes()
        assert (ours.bias is None) == (theirs.bias is None)
        if ours.bias is not None:
            assert ours.bias.tobytes() == theirs.bias.tobytes()
        assert ours.frozen == theirs.frozen
        assert (ours.trainable_mask is None) == (theirs.trainable_mask is None)
    np.testing.assert_array_equal(loaded.layers[0].trainable_mask, network.layers[0].trainable_mask)
    probe = np.random.default_rng(2).normal(size=(25, 4))
    assert loaded.predict(probe).tobytes() == network.predict(probe).tobytes()
    # The file is exactly the in-memory encoding, and both load the same.
    assert path.read_bytes() == network.to_bytes() == loaded.to_bytes()
    assert akili.loads(network.to_bytes()).predict(probe).tobytes() == network.predict(probe).tobytes()


def test_loaded_network_trains_on(tmp_path: Path) -> None:
    network = small_network()
    x, y = np.random.default_rng(4).random((30, 4)), np.eye(3)[np.arange(30) % 3]
    loaded = akili.loads(network.to_bytes())
    before = loaded.layers[0].weights.copy()
    loaded.fit(x, y, epochs=1)
    assert not np.array_equal(loaded.layers[0].weights, before)
    assert loaded.layers[1].weights.tobytes() == network.layers[1].weights.tobytes()  # frozen stays


def test_paths_of_every_kind(tmp_path: Path) -> None:
    network = small_network("float32")
    for path in (tmp_path / "a.akili", str(tmp_path / "b.akili"), os.fsencode(tmp_path / "c.akili")):
        network.save(path)
        assert akili.load(path).to_bytes() == network.to_bytes()
    with pytest.raises(TypeError, match="expected a path"):
        akili.load(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected bytes"):
        akili.loads("not bytes")  # type: ignore[arg-type]
    assert akili.loads(bytearray(network.to_bytes())).dtype == np.float32


def test_header_layout() -> None:
    data = small_network().to_bytes()
    assert data[:8] == b"\x89AKILI\r\n"
    assert struct.unpack_from("<HHQ", data, 8) == (2, 0, len(data) - HEADER - 4)
    assert struct.unpack_from("<I", data, len(data) - 4)[0] == zlib.crc32(data[:-4])
    dtype, loss, rule, init, layers, rate, seed = struct.unpack_from("<BBBBIdQ", data, HEADER)
    assert (dtype, loss, rule, init, layers, rate, seed) == (2, 2, 1, 1, 2, 0.05, 3)
    inputs, outputs, activation, flags = struct.unpack_from("<QQBB", data, HEADER + MODEL_FIELDS)
    assert (inputs, outputs, activation, flags) == (4, 6, 2, 0b101)  # tanh, bias + mask


def test_truncation_at_every_offset_is_refused() -> None:
    data = small_network("float32").to_bytes()
    for size in range(len(data)):
        with pytest.raises(akili.ModelFormatError):
            akili.loads(data[:size])


def test_random_corruption_is_refused() -> None:
    data = small_network().to_bytes()
    rng = np.random.default_rng(12345)
    for _ in range(3000):
        damaged = bytearray(data)
        for _flip in range(int(rng.integers(1, 4))):
            damaged[int(rng.integers(len(data)))] ^= 1 << int(rng.integers(8))
        if damaged == bytearray(data):  # two flips that cancelled out
            continue
        with pytest.raises(akili.ModelFormatError):
            akili.loads(bytes(damaged))
    # Random bytes of every length never pass as a model.
    for size in range(0, 400, 7):
        with pytest.raises(akili.ModelFormatError):
            akili.loads(rng.integers(0, 256, size, dtype=np.uint8).tobytes())


def test_clear_messages_for_each_kind_of_bad_file() -> None:
    data = small_network().to_bytes()
    with pytest.raises(akili.ModelFormatError, match="trailing bytes"):
        akili.loads(data + b"\0")
    with pytest.raises(akili.ModelFormatError, match="magic"):
        akili.loads(b"PK\x03\x04" + data[4:])
    with pytest.raises(akili.ModelFormatError, match="checksum"):
        akili.loads(data[:30] + bytes([data[30] ^ 1]) + data[31:])
    newer = unseal(data)
    newer[8:10] = struct.pack("<H", 3)
    with pytest.raises(akili.ModelFormatError, match=r"version 3\.0, newer than.*upgrade akili"):
        akili.loads(reseal(newer))
    # A newer minor version of the same major reads: it only gives meaning to new codes.
    minor = unseal(data)
    minor[10:12] = struct.pack("<H", 7)
    assert akili.loads(reseal(minor)).to_bytes() == data
    with pytest.raises(akili.ModelFormatError):  # a ValueError subclass
        akili.loads(b"")
    assert issubclass(akili.ModelFormatError, ValueError)


@pytest.mark.parametrize(
    ("offset", "value", "message"),
    [
        (HEADER, b"\x03", "unknown dtype code 3"),
        (HEADER + 1, b"\x09", "unknown loss code 9"),
        (HEADER + 2, b"\x03", "unknown rule code 3"),
        (HEADER + 3, b"\x05", "unknown init code 5"),
        (HEADER + 4, struct.pack("<I", 0), "at least one layer"),
        (HEADER + 4, struct.pack("<I", 0xFFFFFFFF), "cannot fit"),
        (HEADER + 8, struct.pack("<d", float("nan")), "learning rate"),
        (HEADER + 8, struct.pack("<d", -0.1), "learning rate"),
        (HEADER + MODEL_FIELDS, struct.pack("<Q", 2**62), "declares more data"),
        (HEADER + MODEL_FIELDS + 8, struct.pack("<Q", 2**63 + 5), "declares more data"),
        (HEADER + MODEL_FIELDS, struct.pack("<Q", 0), "expected positive sizes"),
        (HEADER + MODEL_FIELDS + 16, b"\x07", "unknown layer 0 activation code 7"),
        (HEADER + MODEL_FIELDS + 17, b"\x25", "unknown flag bits 32"),
        (HEADER + MODEL_FIELDS + LAYER_FIELDS, struct.pack("<d", float("inf")), r"weight \(0, 0\).*not finite"),
    ],
)
def test_forged_fields_are_refused(offset: int, value: bytes, message: str) -> None:
    """Each forged field, under a valid checksum, is caught by the structural checks."""
    forged = unseal(small_network().to_bytes())
    forged[offset : offset + len(value)] = value
    with pytest.raises(akili.ModelFormatError, match=message):
        akili.loads(reseal(forged))


def test_forged_structure_is_refused() -> None:
    data = small_network().to_bytes()
    second_layer = HEADER + MODEL_FIELDS + LAYER_FIELDS + 6 * 4 * 8 + 6 * 8 + 6 * 4
    chain = unseal(data)
    chain[second_layer : second_layer + 8] = struct.pack("<Q", 5)  # 5 inputs after 6 outputs
    with pytest.raises(akili.ModelFormatError, match="expects 5 inputs but layer 0 has 6 outputs"):
        akili.loads(reseal(chain))
    mask = unseal(data)
    mask[second_layer - 1] = 2  # the last entry of layer 0's mask
    with pytest.raises(akili.ModelFormatError, match="mask entry.*expected 0 or 1"):
        akili.loads(reseal(mask))
    pairing = unseal(data)
    pairing[second_layer + 16] = 3  # softmax -> relu under cross-entropy
    with pytest.raises(akili.ModelFormatError, match="does not suit the output layer"):
        akili.loads(reseal(pairing))
    extra = unseal(data) + b"\0\0\0"  # the body declares more than its sections use
    with pytest.raises(akili.ModelFormatError, match="3 bytes after the random state"):
        akili.loads(reseal(extra))


def test_load_errors_from_the_file_system(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        akili.load(tmp_path / "missing.akili")
    assert caught.value.filename == str(tmp_path / "missing.akili")
    with pytest.raises(IsADirectoryError):
        akili.load(tmp_path)
    (tmp_path / "notes.txt").write_text("hello\n")
    with pytest.raises(akili.ModelFormatError, match="at least 24"):
        akili.load(tmp_path / "notes.txt")


def test_save_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "model.akili"
    small_network().save(path)
    replacement = small_network("float32", seed=9)
    replacement.save(path)
    assert path.read_bytes() == replacement.to_bytes()
    assert os.listdir(tmp_path) == ["model.akili"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    network = small_network()
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    with pytest.raises(IsADirectoryError):
        network.save(occupied)
    assert occupied.is_dir()
    with pytest.raises(FileNotFoundError):
        network.save(tmp_path / "no" / "such" / "dir.akili")
    assert sorted(os.listdir(tmp_path)) == ["occupied"]


def test_save_that_runs_out_of_space_keeps_the_old_file(tmp_path: Path) -> None:
    """A write that fails half-way (here: the file-size limit, EFBIG) leaves the
    previous model intact and no temporary file behind."""
    path = tmp_path / "model.akili"
    old = akili.Network([akili.Dense(2, 1)], seed=1)
    old.save(path)
    old_bytes = path.read_bytes()
    script = (
        "import resource, sys, akili\n"
        "net = akili.Network([akili.Dense(300, 200), akili.Dense(200, 10)], seed=2)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))\n"
        "try:\n"
        "    net.save(sys.argv[1])\n"
        "except OSError as error:\n"
        "    print('OSError', error.errno)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["OSError", str(errno.EFBIG)]
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.akili"]
