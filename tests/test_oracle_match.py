"""akili's core against the independent pure-NumPy oracle (tests/oracle.py), float64."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import akili

RTOL = 1e-12


def build(sizes, activations, *, bias, loss, rule, lr, seed):
    layers = [akili.Dense(a, b, activation=act, bias=bias) for a, b, act in zip(sizes[:-1], sizes[1:], activations)]
    net = akili.Network(layers, loss=loss, rule=rule, learning_rate=lr, seed=seed)
    weights = [np.array(layer.weights) for layer in net.layers]
    biases = [np.array(layer.bias) if bias else None for layer in net.layers]
    return net, weights, biases


def assert_matches(net, weights, biases):
    for layer, w, b in zip(net.layers, weights, biases):
        np.testing.assert_allclose(layer.weights, w, rtol=RTOL, atol=0)
        if b is not None:
            np.testing.assert_allclose(layer.bias, b, rtol=RTOL, atol=1e-300)


def data(n, n_in, n_out, seed, *, one_hot=False):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.01, 1.0, size=(n, n_in))
    if one_hot:
        T = np.full((n, n_out), 0.01)
        T[np.arange(n), rng.integers(0, n_out, n)] = 0.99
    else:
        T = rng.uniform(0.01, 0.99, size=(n, n_out))
    return X, T


@pytest.mark.parametrize("rule", ["transpose", "gradient", "normalized"])
@pytest.mark.parametrize("sizes", [(6, 5, 3), (6, 5, 4, 3)], ids=["2-layer", "3-layer"])
def test_online_steps_match_oracle(rule, sizes):
    """1,000 online steps of the book's network (sigmoid, squared error, no bias)."""
    activations = ["sigmoid"] * (len(sizes) - 1)
    net, weights, biases = build(sizes, activations, bias=False, loss="squared_error", rule=rule, lr=0.3, seed=4)
    X, T = data(50, sizes[0], sizes[-1], seed=1, one_hot=True)
    for step in range(1000):
        x, t = X[step % 50 : step % 50 + 1], T[step % 50 : step % 50 + 1]
        net.step(x, t)
        oracle.train_step(weights, biases, activations, x, t, lr=0.3, loss="squared_error", rule=rule)
    assert_matches(net, weights, biases)
    # The network learned something: it is not just agreeing with the oracle on noise.
    assert net.loss_value(X, T) < oracle.loss_value(
        "squared_error", oracle.forward([w * 0 for w in weights], biases, activations, X)[-1], T
    )


@pytest.mark.parametrize("rule", ["transpose", "gradient", "normalized"])
@pytest.mark.parametrize(
    "activations,loss",
    [
        (["tanh", "softmax"], "cross_entropy"),
        (["relu", "sigmoid"], "cross_entropy"),
        (["sigmoid", "tanh", "identity"], "mse"),
        (["tanh", "relu", "softmax"], "squared_error"),
    ],
)
def test_minibatch_epochs_match_oracle(rule, activations, loss):
    """Mini-batch epochs without shuffling, with bias, for every loss."""
    sizes = [5, 7, 6, 4][: len(activations) + 1]
    net, weights, biases = build(sizes, activations, bias=True, loss=loss, rule=rule, lr=0.1, seed=9)
    X, T = data(40, sizes[0], sizes[-1], seed=2, one_hot=activations[-1] == "softmax")
    if activations[-1] == "softmax":
        T = T / T.sum(axis=1, keepdims=True)
    for _ in range(5):
        history = net.fit(X, T, epochs=1, batch_size=8, shuffle=False)
        expected_loss = 0.0
        for start in range(0, 40, 8):
            xb, tb = X[start : start + 8], T[start : start + 8]
            outputs = oracle.forward(weights, biases, activations, xb)[-1]
            expected_loss += oracle.loss_value(loss, outputs, tb, activations[-1]) * len(xb)
            oracle.train_step(weights, biases, activations, xb, tb, lr=0.1, loss=loss, rule=rule)
        assert history.loss[0] == pytest.approx(expected_loss / 40, rel=1e-12)
    assert_matches(net, weights, biases)


def test_uneven_last_batch_is_averaged_over_its_own_size():
    activations = ["sigmoid", "sigmoid"]
    net, weights, biases = build(
        (3, 4, 2), activations, bias=True, loss="squared_error", rule="gradient", lr=0.5, seed=3
    )
    X, T = data(10, 3, 2, seed=5)
    net.fit(X, T, epochs=1, batch_size=4, shuffle=False)
    for start in (0, 4, 8):
        oracle.train_step(
            weights,
            biases,
            activations,
            X[start : start + 4],
            T[start : start + 4],
            lr=0.5,
            loss="squared_error",
            rule="gradient",
        )
    assert_matches(net, weights, biases)


def test_predict_matches_oracle_forward():
    activations = ["relu", "tanh", "softmax"]
    net, weights, biases = build(
        (4, 6, 5, 3), activations, bias=True, loss="cross_entropy", rule="gradient", lr=0.1, seed=11
    )
    X, _ = data(25, 4, 3, seed=8)
    np.testing.assert_allclose(net.predict(X), oracle.forward(weights, biases, activations, X)[-1], rtol=RTOL)


def test_float32_tracks_float64():
    """float32 follows the same maths: after 200 online steps it stays close to float64."""
    results = []
    for dtype in ("float32", "float64"):
        net = akili.NeuralNetwork(6, 5, 3, learning_rate=0.3, seed=2, dtype=dtype)
        X, T = data(50, 6, 3, seed=1, one_hot=True)
        net.fit(X, T, epochs=4, batch_size=1, shuffle=True)
        results.append(np.asarray(net.wih, dtype=np.float64))
        assert net.wih.dtype == np.dtype(dtype)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-4, atol=1e-5)
