"""pickle and copy.deepcopy of networks, layers and histories, through the model
file's bytes (akili._pickling), and the estimators that now store their network
the same way: frozen flags, trainable masks, the init and the random state survive."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import akili


def small_network(dtype: str = "float64") -> akili.Network:
    layers = [akili.Dense(3, 5, activation="tanh", bias=True), akili.Dense(5, 2, activation="sigmoid")]
    return akili.Network(
        layers, loss="squared_error", learning_rate=0.2, rule="gradient", dtype=dtype, init="xavier", seed=7
    )


def data(rows: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, 3))
    T = np.stack([(X[:, 0] > 0), (X[:, 1] > 0)], axis=1).astype(float) * 0.98 + 0.01
    return X, T


def assert_same_network(a: akili.Network, b: akili.Network) -> None:
    assert type(a) is type(b)
    assert a.to_bytes() == b.to_bytes()  # layers, weights, masks, frozen flags, loss, rule, rate, init, seed
    for left, right in zip(a.layers, b.layers):
        assert left.frozen == right.frozen
        np.testing.assert_array_equal(left.weights, right.weights)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "duplicate",
    [lambda net: pickle.loads(pickle.dumps(net)), copy.deepcopy, copy.copy],
    ids=["pickle", "deepcopy", "copy"],
)
def test_network_copies_keep_everything_and_train_on_identically(dtype, duplicate):
    net = small_network(dtype)
    X, T = data()
    net.fit(X, T, epochs=2)  # the random source has moved on: the copy must continue from there
    net.layers[0].trainable_mask = (np.arange(15).reshape(5, 3) % 2).astype(dtype)
    net.layers[1].frozen = True
    twin = duplicate(net)
    assert twin is not net and twin._native is not net._native
    assert_same_network(net, twin)
    assert twin.layers[1].frozen and twin.layers[0].trainable_mask is not None
    assert twin._init == "xavier" and twin.seed == 7 and twin.dtype == np.dtype(dtype)
    # The same shuffles from here on: training both gives bit-identical weights.
    net.fit(X, T, epochs=2, shuffle=True)
    twin.fit(X, T, epochs=2, shuffle=True)
    assert_same_network(net, twin)
    # Independent: training the copy leaves the original alone.
    before = net.layers[0].weights.copy()
    twin.fit(X, T, epochs=1)
    np.testing.assert_array_equal(net.layers[0].weights, before)


def test_the_book_network_pickles_as_itself():
    nn = akili.NeuralNetwork(4, 6, 3, learning_rate=0.3, seed=2)
    nn.train([0.1, 0.2, 0.3, 0.4], [0.99, 0.01, 0.01])
    twin = pickle.loads(pickle.dumps(nn))
    assert isinstance(twin, akili.NeuralNetwork)
    assert_same_network(nn, twin)
    np.testing.assert_array_equal(twin.query([0.1, 0.2, 0.3, 0.4]), nn.query([0.1, 0.2, 0.3, 0.4]))
    assert repr(twin) == repr(nn)


def test_a_layer_travels_with_its_network_and_a_loose_layer_alone():
    net = small_network()
    layer = copy.deepcopy(net.layers[1])
    assert layer._network is not net and layer._network is not None
    np.testing.assert_array_equal(layer.weights, net.layers[1].weights)
    loose = pickle.loads(pickle.dumps(akili.Dense(4, 2, activation="relu", bias=True)))
    assert (loose.inputs, loose.outputs, loose.activation, loose.has_bias) == (4, 2, "relu", True)
    akili.Network([loose])  # not attached anywhere yet


def test_history_pickles():
    net = small_network()
    X, T = data()
    history = net.fit(X, T, epochs=3, validation_data=(X, T))
    for twin in (pickle.loads(pickle.dumps(history)), copy.deepcopy(history)):
        assert twin == history and twin is not history


def test_the_pickle_holds_the_model_file_and_loading_runs_the_checked_decoder():
    net = small_network()
    payload = pickle.dumps(net)
    assert net.to_bytes() in payload  # the model file, byte for byte
    damaged = bytearray(payload)
    start = payload.index(net.to_bytes())
    damaged[start + len(net.to_bytes()) - 8] ^= 0xFF  # a weight byte: the CRC-32 no longer matches
    with pytest.raises(akili.ModelFormatError, match="checksum"):
        pickle.loads(bytes(damaged))


def test_estimators_keep_frozen_layers_masks_init_and_random_state():
    pytest.importorskip("sklearn")
    from akili.sklearn import AkiliClassifier

    X, T = data(60)
    y = np.array(["left", "right"])[(T[:, 0] > 0.5).astype(int)]
    model = AkiliClassifier(hidden_layer_sizes=(4,), max_iter=5, init="book", random_state=0).fit(X, y)
    model.network_.layers[0].frozen = True
    model.network_.layers[1].trainable_mask = np.ones((2, 4))
    twin = pickle.loads(pickle.dumps(model))
    assert_same_network(model.network_, twin.network_)
    assert twin.network_._init == "book" and twin.network_.layers[0].frozen
    # Same random state: one more epoch each gives the same weights.
    model.partial_fit(X, y)
    twin.partial_fit(X, y)
    assert_same_network(model.network_, twin.network_)


def test_joblib_sends_plain_networks_to_worker_processes():
    joblib = pytest.importorskip("joblib")
    net = small_network()
    X, _ = data()
    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(akili.Network.predict)(net, X[k::2]) for k in range(2)
    )
    np.testing.assert_array_equal(results[0], net.predict(X[0::2]))
    np.testing.assert_array_equal(results[1], net.predict(X[1::2]))
