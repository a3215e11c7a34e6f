"""Model file version 2: the optimizer and the random source travel with the
weights, so training resumes bit for bit; version-1 files still load."""

from __future__ import annotations

import pickle
import struct
import zlib

import numpy as np
import pytest

import akili
from akili import _core, optimizers

HEADER = 20
RANDOM_STATE = 6 * 8
OPTIMIZER_FIELDS = 2 + 13 * 8 + 4  # code, flags, 13 settings, tensor count


def network(dtype="float64", optimizer="adam", seed=4):
    layers = [akili.Dense(6, 8, activation="relu", bias=True), akili.Dense(8, 3, activation="softmax", bias=True)]
    return akili.Network(
        layers, loss="cross_entropy", rule="gradient", learning_rate=0.01, dtype=dtype, seed=seed, optimizer=optimizer
    )


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(50, 6))
    T = np.eye(3)[rng.integers(0, 3, size=50)]
    return X, T


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size", [1, 8])
@pytest.mark.parametrize(
    "optimizer",
    ["adam", optimizers.SGD(momentum=0.9, nesterov=True), optimizers.RMSprop(centered=True), "rprop", "sgd"],
    ids=repr,
)
def test_save_mid_training_load_and_continue_is_bit_identical(tmp_path, dtype, batch_size, optimizer):
    X, T = data()
    uninterrupted = network(dtype, optimizer)
    uninterrupted.fit(X, T, epochs=3, batch_size=batch_size)
    uninterrupted.save(tmp_path / "mid.akili")
    uninterrupted.fit(X, T, epochs=3, batch_size=batch_size)

    resumed = akili.load(tmp_path / "mid.akili")
    assert resumed.optimizer == uninterrupted.optimizer
    resumed.fit(X, T, epochs=3, batch_size=batch_size)
    for a, b in zip(uninterrupted.layers, resumed.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)
    assert resumed.to_bytes() == uninterrupted.to_bytes()


def test_a_pickled_network_resumes_too():
    X, T = data(1)
    net = network()
    net.fit(X, T, epochs=2, batch_size=5)
    copy = pickle.loads(pickle.dumps(net))
    net.fit(X, T, epochs=2, batch_size=5)
    copy.fit(X, T, epochs=2, batch_size=5)
    for a, b in zip(net.layers, copy.layers):
        np.testing.assert_array_equal(a.weights, b.weights)


def as_version_1(data: bytes, net: akili.Network) -> bytes:
    """The same model in format 1, built by hand from docs/model-format.md: the
    body without the optimizer section and the random state, major version 1."""
    itemsize = net.dtype.itemsize
    state = 0
    for tensor_steps, slots in net._native.optimizer_state().tensors:
        state += 8 + sum(8 + len(slot) * itemsize for slot in slots)
    body = bytearray(data[HEADER:-4])
    del body[len(body) - RANDOM_STATE - state - OPTIMIZER_FIELDS :]
    head = bytearray(data[:HEADER])
    head[8:10] = struct.pack("<H", 1)
    head[12:20] = struct.pack("<Q", len(body))
    whole = bytes(head + body)
    return whole + struct.pack("<I", zlib.crc32(whole))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_version_1_files_load_with_plain_sgd_and_the_seeds_random_source(dtype):
    X, T = data(2)
    net = network(dtype, "sgd", seed=11)
    net.fit(X, T, epochs=2, batch_size=4)
    old = as_version_1(net.to_bytes(), net)
    assert old[8:10] == b"\x01\x00"
    loaded = akili.loads(old)
    assert loaded.optimizer == optimizers.SGD()
    for a, b in zip(net.layers, loaded.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)
    # Version 1 holds no random state (the source restarts from the seed), version 2 does.
    assert _core.random_state(loaded._native) != _core.random_state(net._native)
    assert _core.random_state(akili.loads(net.to_bytes())._native) == _core.random_state(net._native)


def test_a_version_2_file_refuses_a_damaged_optimizer_section():
    net = network()
    net.fit(*data(3), epochs=1, batch_size=10)
    good = net.to_bytes()
    itemsize = 8
    state = sum(8 + sum(8 + len(s) * itemsize for s in slots) for _, slots in net._native.optimizer_state().tensors)
    code_at = len(good) - 4 - RANDOM_STATE - state - OPTIMIZER_FIELDS

    def patched(at: int, fmt: str, value) -> bytes:
        body = bytearray(good[:-4])
        struct.pack_into(fmt, body, at, value)
        return bytes(body) + struct.pack("<I", zlib.crc32(body))

    assert good[code_at] == 3  # adam
    with pytest.raises(akili.ModelFormatError, match="unknown optimizer code 7"):
        akili.loads(patched(code_at, "<B", 7))
    beta_1_at = code_at + 2 + 3 * 8  # after momentum, dampening, weight_decay
    with pytest.raises(akili.ModelFormatError, match=r"out of range: \[akili.loads\] expected adam beta_1 in \[0, 1\)"):
        akili.loads(patched(beta_1_at, "<d", 1.5))
    with pytest.raises(akili.ModelFormatError, match="holds state for 5 tensors; expected 4"):
        akili.loads(patched(code_at + 2 + 13 * 8, "<I", 5))
    first_slot = code_at + OPTIMIZER_FIELDS + 8
    with pytest.raises(akili.ModelFormatError, match="slot 0 at offset .* declares 2 values; expected 48"):
        akili.loads(patched(first_slot, "<Q", 2))
    second_moment = first_slot + 8 + 48 * itemsize + 8
    with pytest.raises(akili.ModelFormatError, match="slot 1 holds a negative value"):
        akili.loads(patched(second_moment, "<d", -1.0))
    with pytest.raises(akili.ModelFormatError, match="random state .* is not usable"):
        akili.loads(patched(len(good) - 4 - RANDOM_STATE + 32, "<Q", 7))  # the normal-draw flag is 0 or 1
