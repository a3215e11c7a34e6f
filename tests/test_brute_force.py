"""akili.brute_force: every grid combination, checked against a direct search in NumPy."""

from __future__ import annotations

import itertools
import signal
import threading

import numpy as np
import pytest

import akili

HOURS = np.array([[2.0], [4.0], [6.0], [8.0], [10.0]])
GRADES = np.array([3.0, 5.0, 4.0, 6.0, 8.0])


def line(dtype: str = "float64") -> akili.Network:
    return akili.Network([akili.Dense(1, 1, activation="identity", bias=True)], loss="mse", dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_line_finds_least_squares_on_the_grid(dtype):
    grid = np.round(np.arange(-100, 101) * 0.05, 2)
    found = akili.brute_force(line(dtype), HOURS, GRADES, grid=grid)
    assert found.tried == found.combinations == 201**2
    assert found.parameters == 2
    # The exact least-squares line w = 0.55, b = 1.90 lies on this grid.
    assert found.weights[0][0, 0] == pytest.approx(0.55, abs=1e-6)
    assert found.biases[0][0] == pytest.approx(1.90, abs=1e-6)
    residuals = GRADES - (0.55 * HOURS[:, 0] + 1.90)
    assert found.loss == pytest.approx(np.mean(residuals**2), rel=1e-5)


def test_matches_an_exhaustive_numpy_search():
    # 2-2-1 sigmoid network with biases: 9 parameters, 3 grid values = 19683 combinations.
    inputs, labels = akili.datasets.xor()
    targets = labels.reshape(-1, 1).astype(float)
    layers = [akili.Dense(2, 2, activation="sigmoid", bias=True), akili.Dense(2, 1, activation="sigmoid", bias=True)]
    net = akili.Network(layers, loss="squared_error", seed=3)
    grid = [-4.0, 0.5, 4.0]
    found = akili.brute_force(net, inputs, targets, grid=grid)
    assert found.tried == 3**9

    def numpy_loss(w1, b1, w2, b2) -> float:
        hidden = 1 / (1 + np.exp(-(inputs @ w1.T + b1)))  # O_h = sigmoid(W1·I + b1)
        out = 1 / (1 + np.exp(-(hidden @ w2.T + b2)))  # O = sigmoid(W2·O_h + b2)
        return float(np.mean(0.5 * np.sum((targets - out) ** 2, axis=1)))  # mean ½Σ(t - o)²

    best_loss = min(
        numpy_loss(np.array(v[0:4]).reshape(2, 2), np.array(v[4:6]), np.array(v[6:8]).reshape(1, 2), np.array(v[8:9]))
        for v in itertools.product(grid, repeat=9)
    )
    assert found.loss == pytest.approx(best_loss, rel=1e-12)
    # The winner sits on the grid, and NumPy agrees on its loss (mirror-image
    # solutions tie, so which of them wins is not part of the contract).
    for array in (*found.weights, *found.biases):
        assert set(np.ravel(array)) <= set(grid)
    assert numpy_loss(found.weights[0], found.biases[0], found.weights[1], found.biases[1]) == pytest.approx(
        best_loss, rel=1e-12
    )
    # The network itself is untouched until apply().
    before = net.layers[0].weights.copy()
    assert not np.array_equal(before, found.weights[0])
    found.apply(net)
    assert net.loss_value(inputs, targets) == pytest.approx(found.loss, rel=1e-12)


def test_frozen_and_masked_weights_are_not_searched():
    layers = [akili.Dense(2, 2, activation="identity"), akili.Dense(2, 1, activation="identity")]
    net = akili.Network(layers, loss="mse")
    net.layers[0].weights = [[1.0, 0.0], [0.0, 1.0]]
    net.layers[0].frozen = True
    net.layers[1].trainable_mask = [[1, 0]]
    net.layers[1].weights = [[0.0, 0.25]]
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    y = 2.0 * x[:, :1] + 0.25 * x[:, 1:]
    found = akili.brute_force(net, x, y, grid=[-2.0, -1.0, 0.0, 1.0, 2.0, 3.0])
    assert found.parameters == 1 and found.tried == 6
    np.testing.assert_array_equal(found.weights[0], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(found.weights[1], [[2.0, 0.25]])
    assert found.loss == 0.0


def test_refuses_the_lectures_3_3_3_network_with_the_count():
    net = akili.NeuralNetwork(3, 3, 3)
    with pytest.raises(ValueError, match=r"1000\^18 = 1e54 combinations"):
        akili.brute_force(net, np.zeros((1, 3)), np.zeros((1, 3)), grid=np.linspace(-1, 1, 1000))
    assert akili.combination_count(1000, 18) == "1000^18 = 1e54 combinations"
    assert akili.combination_count(201, 2) == "201^2 = 40401 combinations"
    assert akili.combination_count(7, 30) == "7^30 = 2.25e25 combinations"
    # Exactly at the limit is allowed; one more is not.
    assert akili.brute_force(line(), HOURS, GRADES, grid=[0.0, 1.0, 2.0], limit=9).tried == 9
    with pytest.raises(ValueError, match=r"3\^2 = 9 combinations .* exceed the limit of 8"):
        akili.brute_force(line(), HOURS, GRADES, grid=[0.0, 1.0, 2.0], limit=8)


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="grid"):
        akili.brute_force(line(), HOURS, GRADES, grid=[])
    with pytest.raises(ValueError, match="finite"):
        akili.brute_force(line(), HOURS, GRADES, grid=[0.0, np.nan])
    with pytest.raises(TypeError, match="grid"):
        akili.brute_force(line(), HOURS, GRADES, grid=["a", "b"])
    with pytest.raises(ValueError, match="columns"):
        akili.brute_force(line(), np.zeros((5, 2)), GRADES)
    with pytest.raises(ValueError, match="target rows"):
        akili.brute_force(line(), HOURS, GRADES[:3])
    with pytest.raises(TypeError, match="akili.Network"):
        akili.brute_force("net", HOURS, GRADES)
    frozen = line()
    frozen.layers[0].frozen = True
    with pytest.raises(ValueError, match="nothing to search"):
        akili.brute_force(frozen, HOURS, GRADES)


def test_ctrl_c_stops_a_long_search():
    # 21^9 ≈ 7.9e11 combinations would take days; SIGINT must end it within moments.
    inputs, labels = akili.datasets.xor()
    layers = [akili.Dense(2, 2, activation="sigmoid", bias=True), akili.Dense(2, 1, activation="sigmoid", bias=True)]
    net = akili.Network(layers)
    timer = threading.Timer(0.2, signal.raise_signal, args=(signal.SIGINT,))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            akili.brute_force(net, inputs, labels.reshape(-1, 1), grid=np.linspace(-2, 2, 21), limit=10**12)
    finally:
        timer.cancel()
