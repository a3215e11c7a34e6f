"""Every worked number of the tutorials (see the project's source digest), computed by akili."""

from __future__ import annotations

import numpy as np
import pytest

import akili


def linear(inputs, outputs, *, bias, loss, lr):
    layer = akili.Dense(inputs, outputs, activation="identity", bias=bias)
    return akili.Network([layer], loss=loss, rule="gradient", learning_rate=lr, seed=0)


def test_neuron_line_hours_to_grade():
    x = np.array([[2.0], [4.0], [6.0], [8.0], [10.0]])
    y = np.array([3.0, 5.0, 4.0, 6.0, 8.0])
    net = linear(1, 1, bias=True, loss="mse", lr=0.02)
    net.fit(x, y, epochs=4000, batch_size=5, shuffle=False)
    assert net.layers[0].weights[0, 0] == pytest.approx(0.55, abs=1e-9)
    assert net.layers[0].bias[0] == pytest.approx(1.90, abs=1e-9)
    assert net.predict([7.0])[0] == pytest.approx(5.75, abs=1e-9)


def test_gradient_descent_steps_on_three_points():
    x = np.array([[0.5], [2.0], [1.0]])
    y = np.array([0.8, 1.0, 1.5])
    net = linear(1, 1, bias=True, loss="mse", lr=0.1)
    net.layers[0].weights = [[0.0]]
    net.layers[0].bias = [0.0]
    trace = net.step(x, y.reshape(-1, 1), trace=True)
    # dL/dm = -2/n Σ x (y - ŷ) = -2.6 and dL/db = -2.2: the update is -lr times them.
    assert trace.weight_updates[0][0, 0] == pytest.approx(0.26, abs=1e-15)
    assert trace.bias_updates[0][0] == pytest.approx(0.22, abs=1e-15)
    assert net.layers[0].weights[0, 0] == pytest.approx(0.26, abs=1e-15)
    assert net.layers[0].bias[0] == pytest.approx(0.22, abs=1e-15)
    net.step(x, y.reshape(-1, 1))
    net.step(x, y.reshape(-1, 1))
    assert round(net.layers[0].weights[0, 0], 4) == 0.4272
    assert round(net.layers[0].bias[0], 4) == 0.4001
    net.step(x, y.reshape(-1, 1))
    assert round(net.layers[0].weights[0, 0], 4) == 0.4443
    assert round(net.layers[0].bias[0], 4) == 0.4404


def test_perceptron_learns_to_negate():
    x = np.array([[4.0], [1.0], [-0.5]])
    net = linear(1, 1, bias=False, loss="squared_error", lr=0.05)
    net.layers[0].weights = [[0.5]]
    net.fit(x, -x, epochs=60, batch_size=1, shuffle=False)
    assert net.layers[0].weights[0, 0] == pytest.approx(-1.0, abs=1e-9)
    assert net.predict([3.0])[0] == pytest.approx(-3.0, abs=1e-8)


GROKKING_X = np.array([8.5, 0.65, 1.2])


def test_grokking_many_inputs_one_output():
    net = linear(3, 1, bias=False, loss="squared_error", lr=0.01)
    net.layers[0].weights = [[0.1, 0.2, -0.1]]
    trace = net.step(GROKKING_X, [1.0], trace=True)
    assert trace.final_outputs[0] == pytest.approx(0.86)
    assert -trace.output_errors[0] == pytest.approx(-0.14)  # delta = pred - true
    np.testing.assert_allclose(-trace.weight_updates[0][0] / 0.01, [-1.19, -0.091, -0.168], rtol=1e-12)
    np.testing.assert_allclose(net.layers[0].weights[0], [0.1119, 0.20091, -0.09832], rtol=1e-12)


def test_grokking_frozen_weight():
    net = linear(3, 1, bias=False, loss="squared_error", lr=0.01)
    net.layers[0].weights = [[0.1, 0.2, -0.1]]
    net.layers[0].trainable_mask = [[0, 1, 1]]
    for _ in range(3):
        net.step(GROKKING_X, [1.0])
    assert net.layers[0].weights[0, 0] == 0.1
    net2 = linear(3, 1, bias=False, loss="squared_error", lr=0.01)
    net2.layers[0].weights = [[0.1, 0.2, -0.1]]
    net2.layers[0].trainable_mask = [[0, 1, 1]]
    net2.step(GROKKING_X, [1.0])
    np.testing.assert_allclose(net2.layers[0].weights[0], [0.1, 0.20091, -0.09832], rtol=1e-12)


def test_grokking_one_input_many_outputs():
    net = linear(1, 3, bias=False, loss="squared_error", lr=0.1)
    net.layers[0].weights = [[0.3], [0.2], [0.9]]
    trace = net.step([0.65], [0.1, 1.0, 0.1], trace=True)
    np.testing.assert_allclose(trace.final_outputs, [0.195, 0.13, 0.585], rtol=1e-12)
    np.testing.assert_allclose(-trace.output_errors, [0.095, -0.87, 0.485], rtol=1e-12)
    np.testing.assert_allclose(net.layers[0].weights[:, 0], [0.293825, 0.25655, 0.868475], rtol=1e-12)


def test_grokking_many_inputs_many_outputs():
    net = linear(3, 3, bias=False, loss="squared_error", lr=0.01)
    net.layers[0].weights = [[0.1, 0.1, -0.3], [0.1, 0.2, 0.0], [0.0, 1.3, 0.1]]
    trace = net.step(GROKKING_X, [0.1, 1.0, 0.1], trace=True)
    np.testing.assert_allclose(trace.final_outputs, [0.555, 0.98, 0.965], rtol=1e-12)
    np.testing.assert_allclose(-trace.output_errors, [0.455, -0.02, 0.865], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(net.layers[0].weights[0], [0.061325, 0.0970425, -0.30546], rtol=1e-12)


@pytest.mark.parametrize("rule,expected", [("normalized", [1.5, 0.5]), ("transpose", [1.2, 0.4])])
def test_error_split_between_two_links(rule, expected):
    """Weights 0.6 and 0.2 share an output error of 2.0: 1.5/0.5 with the normalising factor, 1.2/0.4 without."""
    hidden = akili.Dense(1, 2, activation="identity")
    output = akili.Dense(2, 1, activation="identity")
    net = akili.Network([hidden, output], loss="squared_error", rule=rule, learning_rate=0.1)
    hidden.weights = [[1.0], [1.0]]
    output.weights = [[0.6, 0.2]]
    target = net.predict([1.0])[0] + 2.0  # E = T - O = 2.0
    trace = net.step([1.0], [target], trace=True)
    assert trace.output_errors[0] == pytest.approx(2.0)
    np.testing.assert_allclose(trace.hidden_errors, expected, rtol=1e-12)
    # The same split is the matrix product Wᵀ·E (transpose) or (W / Σw)ᵀ·E (normalized).
    w = np.array([[0.6, 0.2]])
    split = (w / w.sum(axis=1, keepdims=True) if rule == "normalized" else w).T @ np.array([2.0])
    np.testing.assert_allclose(trace.hidden_errors, split, rtol=1e-12)


def test_book_update_rule_for_a_sigmoid_layer():
    """ΔW = lr · ((E ∘ O ∘ (1 - O)) · Iᵀ), applied after each training example."""
    net = akili.NeuralNetwork(3, 2, 2, learning_rate=0.3, seed=5)
    x, t = np.array([0.9, 0.1, 0.8]), np.array([0.99, 0.01])
    before = np.array(net.who)
    trace = net.step(x, t, trace=True)
    o, i = trace.final_outputs, trace.hidden_outputs
    expected = 0.3 * np.outer((t - o) * o * (1 - o), i)
    np.testing.assert_allclose(net.who - before, expected, rtol=1e-12)
    np.testing.assert_allclose(trace.hidden_errors, before.T @ (t - o), rtol=1e-12)
