"""Activations and losses at extreme inputs stay finite and exact; diverging
training stops with DivergenceError and leaves the weights it started from."""

from __future__ import annotations

import math

import numpy as np
import pytest

import akili

DTYPES = ["float64", "float32"]


def one_layer(activation: str, weights, *, dtype: str, loss: str = "squared_error") -> akili.Network:
    weights = np.asarray(weights, dtype=float)
    net = akili.Network(
        [akili.Dense(weights.shape[1], weights.shape[0], activation=activation)], loss=loss, dtype=dtype
    )
    net.layers[0].weights = weights
    return net


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_and_tanh_at_plus_minus_1000_are_exact(dtype):
    # z = ±1000: sigmoid(1000) rounds to exactly 1, sigmoid(-1000) = e^-1000 / (1 + e^-1000) underflows to 0.
    sigmoid = one_layer("sigmoid", [[1000.0]], dtype=dtype)
    np.testing.assert_array_equal(sigmoid.predict([[1.0], [-1.0], [0.0]]), [[1.0], [0.0], [0.5]])
    tanh = one_layer("tanh", [[1000.0]], dtype=dtype)
    np.testing.assert_array_equal(tanh.predict([[1.0], [-1.0], [0.0]]), [[1.0], [-1.0], [0.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_at_plus_minus_1000_is_exact(dtype):
    # softmax(z) = e^(z - max z) / Σ e^(z - max z): no overflow, exact 1 / 0 / ½.
    net = one_layer("softmax", [[1000.0], [-1000.0], [0.0]], dtype=dtype, loss="cross_entropy")
    np.testing.assert_array_equal(net.predict([[1.0], [-1.0]]), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    tie = one_layer("softmax", [[1000.0], [1000.0], [-1000.0]], dtype=dtype, loss="cross_entropy")
    np.testing.assert_array_equal(tie.predict([[1.0]]), [[0.5, 0.5, 0.0]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_loss_of_a_certain_wrong_answer_is_finite(dtype):
    # -log o with o clipped at the smallest normal number: -log(2.2e-308) = 708.39... (float64),
    # -log(1.18e-38) = 87.34... (float32); a finite, large loss instead of inf.
    ceiling = -math.log(np.finfo(dtype).tiny)
    sigmoid = one_layer("sigmoid", [[1000.0]], dtype=dtype, loss="cross_entropy")
    loss = sigmoid.loss_value([[-1.0]], [[1.0]])
    assert math.isfinite(loss) and loss == pytest.approx(ceiling, rel=1e-6)
    assert sigmoid.loss_value([[1.0]], [[1.0]]) == 0.0
    softmax = one_layer("softmax", [[1000.0], [-1000.0]], dtype=dtype, loss="cross_entropy")
    assert softmax.loss_value([[1.0]], [[0.0, 1.0]]) == pytest.approx(ceiling, rel=1e-6)
    # Training on the saturated sample is finite too: the cross-entropy delta is T - O = 1.
    sigmoid.step([[-1.0]], [[1.0]])
    assert np.isfinite(sigmoid.layers[0].weights).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_size", [1, 16])
def test_diverging_fit_raises_and_restores_the_epoch_start(dtype, batch_size):
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(200, 4)) * 10, rng.normal(size=(200, 1)) * 100
    net = akili.Network(
        [akili.Dense(4, 8, activation="relu", bias=True), akili.Dense(8, 1, activation="identity", bias=True)],
        loss="mse",
        learning_rate=1e6,
        rule="gradient",
        seed=1,
        dtype=dtype,
    )
    before = [layer.weights.copy() for layer in net.layers]
    with pytest.raises(akili.DivergenceError, match="diverged.*smaller learning rate"):
        net.fit(x, t, epochs=5, batch_size=batch_size)
    assert issubclass(akili.DivergenceError, ArithmeticError)
    for layer, weights in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weights, weights)
    # The model stays usable: a sensible learning rate trains it.
    net.learning_rate = 1e-6
    net.fit(x, t, epochs=1, batch_size=batch_size)
    assert all(np.isfinite(layer.weights).all() for layer in net.layers)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("rows", [1, 8])
def test_diverging_step_raises_and_restores_the_step_start(dtype, rows):
    """step()/train() used to leave NaN weights silently; now each step is checked."""
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(400, 4)) * 10, rng.normal(size=(400, 1)) * 100
    net = akili.Network(
        [akili.Dense(4, 8, activation="relu", bias=True), akili.Dense(8, 1, activation="identity", bias=True)],
        loss="mse",
        learning_rate=1e6,
        rule="gradient",
        seed=1,
        dtype=dtype,
    )
    with pytest.raises(akili.DivergenceError, match="train_step.*diverged.*before (the|that) step"):
        for start in range(0, 400, rows):
            before = [layer.weights.copy() for layer in net.layers]
            net.step(x[start : start + rows], t[start : start + rows])
    for layer, weights in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weights, weights)
        assert np.isfinite(layer.weights).all()


def test_book_train_with_absurd_rate_never_leaves_nan():
    net = akili.NeuralNetwork(3, 5, 2, learning_rate=1e300, seed=0)
    rng = np.random.default_rng(5)
    for _ in range(50):
        try:
            net.train(rng.uniform(-1e3, 1e3, size=3), [0.01, 0.99])
        except akili.DivergenceError:
            pass
        try:
            net.wih  # noqa: B018 - applies the queued step, which may be the one that diverges
        except akili.DivergenceError:
            pass  # raised once, by the first read after it; the weights are from before that step
        assert np.isfinite(net.wih).all() and np.isfinite(net.who).all()
