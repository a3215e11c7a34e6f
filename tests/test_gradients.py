"""The "gradient" rule is the true gradient: checked against central finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import akili

HIDDEN = ["identity", "sigmoid", "tanh", "relu", "softmax"]
OUTPUT_LOSSES = [
    ("identity", "squared_error"),
    ("identity", "mse"),
    ("sigmoid", "squared_error"),
    ("sigmoid", "mse"),
    ("sigmoid", "cross_entropy"),
    ("tanh", "mse"),
    ("relu", "squared_error"),
    ("softmax", "squared_error"),
    ("softmax", "mse"),
    ("softmax", "cross_entropy"),
]


def make(hidden, output, loss, dtype="float64"):
    layers = [akili.Dense(3, 4, activation=hidden, bias=True), akili.Dense(4, 2, activation=output, bias=True)]
    net = akili.Network(layers, loss=loss, rule="gradient", learning_rate=1.0, dtype=dtype, seed=7)
    # Non-zero biases keep every relu away from its kink at exactly 0.
    rng = np.random.default_rng(1)
    for layer in net.layers:
        layer.bias = rng.uniform(0.05, 0.3, size=layer.outputs)
    return net


def sample(output, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3))
    # relu inputs kept away from the kink so finite differences are valid.
    t = rng.uniform(0.1, 0.9, size=(2, 2))
    if output == "softmax":
        t /= t.sum(axis=1, keepdims=True)  # cross-entropy's T - O is the gradient when targets sum to 1
    return x, t


def numeric_gradient(net, x, t, h=1e-6):
    """dL/dθ by central differences, for every weight and bias."""
    grads = []
    for layer in net.layers:
        for name in ("weights", "bias"):
            values = np.array(getattr(layer, name))
            grad = np.zeros_like(values)
            for index in np.ndindex(values.shape):
                for sign in (1, -1):
                    shifted = values.copy()
                    shifted[index] += sign * h
                    setattr(layer, name, shifted)
                    grad[index] += sign * net.loss_value(x, t) / (2 * h)
                setattr(layer, name, values)
            grads.append(grad)
    return grads


@pytest.mark.parametrize("hidden,output,loss", [(h, o, l) for h, (o, l) in itertools.product(HIDDEN, OUTPUT_LOSSES)])
def test_gradient_rule_matches_finite_differences(hidden, output, loss):
    net = make(hidden, output, loss)
    x, t = sample(output)
    expected = numeric_gradient(net, x, t)
    before = [np.array(getattr(layer, name)) for layer in net.layers for name in ("weights", "bias")]
    net.step(x, t)  # lr = 1: the change is exactly -dL/dθ (mean over the batch)
    after = [np.array(getattr(layer, name)) for layer in net.layers for name in ("weights", "bias")]
    for b, a, n in zip(before, after, expected):
        analytic = b - a
        assert np.all(np.abs(analytic - n) <= 1e-5 + 1e-3 * np.abs(n)), (analytic, n)


def test_float32_gradient_smoke():
    net = make("tanh", "softmax", "cross_entropy", dtype="float32")
    x, t = sample("softmax")
    expected = numeric_gradient(net, x, t, h=1e-2)
    before = np.array(net.layers[0].weights, dtype=np.float64)
    net.step(x.astype(np.float32), t.astype(np.float32))
    analytic = before - np.array(net.layers[0].weights, dtype=np.float64)
    np.testing.assert_allclose(analytic, expected[0], rtol=0.05, atol=2e-3)


def test_transpose_rule_differs_from_gradient_in_hidden_layers_only():
    """The book's rule sends back the raw error, not the delta: same output update, other hidden update."""
    x, t = sample("sigmoid")
    results = {}
    for rule in ("transpose", "gradient"):
        net = akili.NeuralNetwork(3, 4, 2, learning_rate=0.5, seed=3, rule=rule)
        net.step(x[0], t[0])
        results[rule] = (np.array(net.wih), np.array(net.who))
    np.testing.assert_array_equal(results["transpose"][1], results["gradient"][1])
    assert not np.allclose(results["transpose"][0], results["gradient"][0])
