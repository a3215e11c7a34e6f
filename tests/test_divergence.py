"""Blow-ups that stay finite (akili._divergence): a loss that grows by many orders
of magnitude or weights beyond any sane size raise DivergenceError with the weights
restored; saturated outputs whose updates vanish warn. Both give learning-rate advice."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import akili
from akili import _divergence, datasets


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = datasets.digits()
    return X[:400].astype(np.float64), np.eye(10)[y[:400]]


def relu_network(seed: int = 0) -> akili.Network:
    layers = [akili.Dense(64, 32, activation="relu", bias=True), akili.Dense(32, 10, activation="identity")]
    return akili.Network(layers, loss="mse", learning_rate=1e6, rule="gradient", seed=seed)


def test_a_finite_blow_up_raises_with_the_weights_restored(digits):
    X, T = digits
    net = relu_network()
    before = [layer.weights.copy() for layer in net.layers]
    with pytest.raises(akili.DivergenceError, match=r"epoch 1: .*Try a smaller learning rate \(now 1e\+06\)") as caught:
        net.fit(X * 100, T, epochs=3)
    assert "weights restored to the start of the epoch" in str(caught.value)
    for layer, weights in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weights, weights)


def test_the_rule_is_loss_growth_or_weight_size():
    assert _divergence.LOSS_GROWTH == 1e6 and _divergence.MAX_WEIGHT == 1e10
    # Weights beyond the bound, with a loss that stays small (a sigmoid output): still divergence.
    net = akili.Network([akili.Dense(1, 1, activation="sigmoid", bias=True)], learning_rate=1.0, seed=0)
    X, T = np.ones((8, 1)), np.full((8, 1), 0.5)
    net.layers[0].weights = [[5e9]]
    net.layers[0].bias = [-5e9]
    net.fit(X, T)  # 5e9 is still within the bound
    net.layers[0].weights = [[2e10]]
    with pytest.raises(akili.DivergenceError, match=r"a weight reached 2e\+10, beyond 1e\+10"):
        net.fit(X, T)
    assert net.layers[0].weights[0, 0] == 2e10  # restored to the epoch's start


def test_saturated_outputs_with_vanishing_updates_warn(digits):
    X, T = digits
    net = akili.NeuralNetwork(64, 30, 10, learning_rate=1e4, seed=0)
    with pytest.warns(RuntimeWarning, match=r"saturated .* stopped learning\. Try a smaller learning rate"):
        net.fit(X, T * 0.98 + 0.01, epochs=2)


@pytest.mark.parametrize("learning_rate", [0.01, 0.1, 0.5])
def test_ordinary_runs_neither_raise_nor_warn(digits, learning_rate):
    X, T = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = akili.NeuralNetwork(64, 30, 10, learning_rate=learning_rate, seed=0)
        history = net.fit(X / 16 * 0.99 + 0.01, T * 0.98 + 0.01, epochs=5)
    assert history.epochs == 5


def test_restarts_fail_a_run_that_blows_up_finitely_and_keep_the_others(digits):
    X, T = digits

    def make(seed: int) -> akili.Network:
        network = relu_network(seed)
        if seed == 1:
            network.learning_rate = 1e-7  # the one sane run (inputs scaled by 100)
        return network

    starts = {}

    def made(seed: int) -> akili.Network:
        network = make(seed)
        starts[seed] = [layer.weights.copy() for layer in network.layers]
        return network

    result = akili.restarts(made, X * 100, T, seeds=[0, 1, 2], epochs=2, threads=2)
    assert result.errors[1] is None and result.best_index == 1
    for index in (0, 2):
        assert "diverged" in result.errors[index] and "Try a smaller learning rate (now 1e+06)" in result.errors[index]
        assert np.isnan(result.scores[index])
        for layer, weights in zip(result.networks[index].layers, starts[result.seeds[index]]):
            np.testing.assert_array_equal(layer.weights, weights)  # put back where the run started
        assert all(np.isfinite(layer.weights).all() for layer in result.networks[index].layers)
