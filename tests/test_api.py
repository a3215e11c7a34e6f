"""The Python API: construction, reprs, conversions and clear errors that leave the model unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import akili


@pytest.fixture
def net():
    return akili.Network(
        [akili.Dense(3, 4, activation="tanh", bias=True), akili.Dense(4, 2, activation="softmax", bias=True)],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=0.1,
        seed=0,
    )


def snapshot(network):
    return [np.array(layer.weights) for layer in network.layers] + [np.array(layer.bias) for layer in network.layers]


def assert_unchanged(network, before):
    for a, b in zip(snapshot(network), before):
        np.testing.assert_array_equal(a, b)


def test_reprs():
    nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=1)
    assert repr(nn) == "NeuralNetwork(784, 200, 10, learning_rate=0.1, rule='transpose', dtype='float64', seed=1)"
    assert repr(nn.layers[0]) == "Dense(784, 200, activation='sigmoid')"
    assert "Dense(3, 4, activation='tanh', bias=True)" in repr(
        akili.Network([akili.Dense(3, 4, activation="tanh", bias=True)])
    )
    assert nn.wih.shape == (200, 784) and nn.who.shape == (10, 200)
    assert repr(akili.History()) == "History(epochs=0)"


def test_weights_are_read_only_copies_and_assignable(net):
    weights = net.layers[0].weights
    with pytest.raises(ValueError, match="read-only"):
        weights[0, 0] = 1.0
    net.layers[0].weights = np.ones((4, 3))
    np.testing.assert_array_equal(net.layers[0].weights, np.ones((4, 3)))


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"loss": "hinge"}, ValueError, "unknown loss 'hinge'"),
        ({"rule": "magic"}, ValueError, "unknown rule"),
        ({"init": "zeros"}, ValueError, "unknown init"),
        ({"dtype": "float16"}, ValueError, "float32' or 'float64"),
        ({"learning_rate": -1.0}, ValueError, "positive finite learning rate"),
        ({"learning_rate": float("nan")}, ValueError, "positive finite learning rate"),
        ({"seed": -3}, ValueError, "seed >= 0"),
    ],
)
def test_bad_network_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        akili.Network([akili.Dense(2, 2)], **kwargs)


def test_bad_layers():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        akili.Dense(2, 2, activation="sigmod")
    with pytest.raises(ValueError, match="inputs >= 1"):
        akili.Dense(0, 2)
    with pytest.raises(TypeError, match="integer"):
        akili.Dense(2.5, 2)
    with pytest.raises(ValueError, match="layer 0 has 3 outputs but layer 1 expects 4 inputs"):
        akili.Network([akili.Dense(2, 3), akili.Dense(4, 1)])
    with pytest.raises(ValueError, match="at least one"):
        akili.Network([])
    with pytest.raises(ValueError, match="softmax or sigmoid"):
        akili.Network([akili.Dense(2, 2, activation="relu")], loss="cross_entropy")
    layer = akili.Dense(2, 2)
    akili.Network([layer])
    with pytest.raises(ValueError, match="already belongs"):
        akili.Network([layer])
    with pytest.raises(RuntimeError, match="not part of a Network"):
        akili.Dense(2, 2).weights


@pytest.mark.parametrize(
    "inputs,targets,error,match",
    [
        (np.ones((5, 4)), np.ones((5, 2)), ValueError, "expected 3 columns in inputs, got 4"),
        (np.ones((5, 3)), np.ones((4, 2)), ValueError, "expected 5 target rows"),
        (np.ones((5, 3)), np.ones((5, 3)), ValueError, "expected 2 columns in targets"),
        (np.ones((0, 3)), np.ones((0, 2)), ValueError, "at least one sample"),
        (np.array([[1.0, np.nan, 0.0]]), np.ones((1, 2)), ValueError, "NaN or infinity"),
        (np.ones((1, 3)), np.array([[np.inf, 0.0]]), ValueError, "NaN or infinity"),
        (np.ones((2, 2, 3)), np.ones((2, 2)), ValueError, "2-D array"),
        (np.array([["a", "b", "c"]]), np.ones((1, 2)), TypeError, "real numeric"),
        (np.ones((1, 3), dtype=complex), np.ones((1, 2)), TypeError, "real numeric"),
        (np.array([[1, None, 2]], dtype=object), np.ones((1, 2)), TypeError, "real numeric"),
        (np.ones((5, 3)), np.array([0, 1, 1, 0, 1]), ValueError, "one_hot"),
        (np.full((1, 3), 1e300), np.ones((1, 2)), None, None),
    ],
)
def test_bad_data_raises_and_leaves_network_unchanged(net, inputs, targets, error, match):
    before = snapshot(net)
    if error is None:  # a huge but finite float64 is fine in float64
        net.fit(inputs, targets / targets.sum(axis=1, keepdims=True))
        return
    with pytest.raises(error, match=match):
        net.fit(inputs, targets)
    assert_unchanged(net, before)


def test_float32_refuses_values_that_overflow():
    net32 = akili.Network([akili.Dense(3, 2)], dtype="float32")
    with pytest.raises(ValueError, match="too large for float32"):
        net32.predict(np.full((1, 3), 1e300))


def test_bad_fit_arguments(net):
    X, T = np.ones((4, 3)), np.full((4, 2), 0.5)
    with pytest.raises(ValueError, match="batch_size >= 1"):
        net.fit(X, T, batch_size=0)
    with pytest.raises(ValueError, match="epochs >= 1"):
        net.fit(X, T, epochs=0)
    with pytest.raises(ValueError, match="validation_data"):
        net.fit(X, T, validation_data=X)
    with pytest.raises(ValueError, match="expected 3 columns"):
        net.fit(X, T, validation_data=(np.ones((2, 5)), np.ones((2, 2))))


def test_odd_layouts_match_contiguous(net):
    X = np.random.default_rng(0).uniform(size=(6, 3))
    expected = net.predict(X)
    np.testing.assert_array_equal(net.predict(np.asfortranarray(X)), expected)
    np.testing.assert_array_equal(net.predict(np.repeat(X, 2, axis=0)[::2]), expected)
    np.testing.assert_array_equal(net.predict(X.astype(np.float32)), net.predict(X.astype(np.float32).astype(float)))
    np.testing.assert_array_equal(net.predict(X.tolist()), expected)
    readonly = X.copy()
    readonly.flags.writeable = False
    np.testing.assert_array_equal(net.predict(readonly), expected)


def test_callers_arrays_are_not_modified(net):
    X = np.random.default_rng(1).uniform(size=(8, 3))
    T = np.full((8, 2), 0.5)
    X_copy, T_copy = X.copy(), T.copy()
    net.fit(X, T, epochs=2, batch_size=3)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(T, T_copy)


def test_one_sample_shapes(net):
    assert net.predict([0.1, 0.2, 0.3]).shape == (2,)
    assert net.predict([[0.1, 0.2, 0.3]]).shape == (1, 2)
    assert isinstance(net.step([0.1, 0.2, 0.3], [0.0, 1.0]), float)


def test_callbacks_stop_and_propagate(net):
    X, T = np.ones((30, 3)), np.tile([0.0, 1.0], (30, 1))
    seen = []
    history = net.fit(X, T, epochs=10, on_epoch=lambda epoch, h: seen.append(epoch) or epoch < 2)
    assert seen == [0, 1, 2] and history.epochs == 3 and history.stopped

    def boom(done, epoch):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        net.fit(X, T, epochs=1, on_progress=boom, progress_every=5)
    calls = []
    net.fit(X, T, epochs=1, on_progress=lambda done, epoch: calls.append(done), progress_every=10)
    assert calls[:3] == [10, 20, 30]


def test_divergence_is_reported_and_weights_restored():
    net = akili.Network(
        [akili.Dense(2, 3, activation="identity"), akili.Dense(3, 1, activation="identity")],
        loss="mse",
        rule="gradient",
        learning_rate=1e6,
        seed=0,
    )
    before = snapshot(net)
    X = np.random.default_rng(0).uniform(size=(50, 2)) * 100
    with pytest.raises(akili.DivergenceError, match="smaller learning rate"):
        net.fit(X, X.sum(axis=1), epochs=5)
    assert_unchanged(net, before)


def test_loss_and_evaluate(net):
    X = np.random.default_rng(3).uniform(size=(10, 3))
    T = np.eye(2)[np.arange(10) % 2]
    result = net.evaluate(X, T)
    assert result["loss"] == pytest.approx(net.loss_value(X, T))
    assert result["accuracy"] == pytest.approx(np.mean(net.predict(X).argmax(1) == np.arange(10) % 2))


def test_copy_is_independent(net):
    clone = net.copy()
    X, T = np.ones((4, 3)), np.tile([0.0, 1.0], (4, 1))
    clone.fit(X, T, epochs=3)
    assert not np.array_equal(clone.layers[0].weights, net.layers[0].weights)
    assert repr(clone) == repr(net)


def test_switching_rule_and_learning_rate(net):
    net.rule = "transpose"
    net.learning_rate = 0.25
    assert net.rule == "transpose" and net.learning_rate == 0.25
    with pytest.raises(ValueError, match="unknown rule"):
        net.rule = "other"
    with pytest.raises(ValueError, match="positive"):
        net.learning_rate = 0.0
