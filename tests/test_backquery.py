"""Network.backquery: the network run backwards, checked against the book's NumPy code."""

from __future__ import annotations

import numpy as np
import pytest

import akili
from akili import datasets as ds


def rescale(values: np.ndarray) -> np.ndarray:
    """The book's rescaling to 0.01..0.99, on a copy."""
    values = values - np.min(values)
    values /= np.max(values)
    values *= 0.98
    values += 0.01
    return values


def book_backquery(
    weights: list[np.ndarray],
    targets: np.ndarray,
    inverse=lambda o: np.log(o / (1 - o)),
    biases: list[np.ndarray] | None = None,
) -> np.ndarray:
    """The book's backquery(), generalised to any number of layers: column vectors,
    X = f⁻¹(O), I = Wᵀ·(X - b), rescaled, layer by layer from the output."""
    signal = np.array(targets, dtype=float, ndmin=2).T
    for index in reversed(range(len(weights))):
        combined = inverse(signal)
        if biases is not None and biases[index] is not None:
            combined = combined - biases[index].reshape(-1, 1)
        signal = rescale(np.dot(weights[index].T, combined))
    return signal[:, 0]


def class_targets(classes: int) -> np.ndarray:
    targets = np.full((classes, classes), 0.01)
    np.fill_diagonal(targets, 0.99)
    return targets


def test_matches_the_books_code_float64():
    net = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=3)
    targets = class_targets(10)
    images = net.backquery(targets)
    assert images.shape == (10, 784) and images.dtype == np.float64
    for label in range(10):
        expected = book_backquery([net.wih, net.who], targets[label])
        np.testing.assert_allclose(images[label], expected, rtol=0, atol=1e-12)


def test_float32_matches_within_single_precision():
    net = akili.NeuralNetwork(64, 30, 10, seed=5, dtype="float32")
    targets = class_targets(10)
    images = net.backquery(targets.astype(np.float32))
    assert images.dtype == np.float32
    weights = [layer.weights.astype(np.float64) for layer in net.layers]
    for label in range(10):
        np.testing.assert_allclose(images[label], book_backquery(weights, targets[label]), atol=2e-5)


def test_one_dimensional_target_gives_one_image_and_rows_are_independent():
    net = akili.NeuralNetwork(16, 8, 3, seed=1)
    targets = class_targets(3)
    batch = net.backquery(targets)
    single = net.backquery(targets[1])
    assert single.shape == (16,)
    np.testing.assert_allclose(single, batch[1], rtol=0, atol=1e-15)  # a batch product may round differently


def test_each_image_spans_0_01_to_0_99():
    net = akili.NeuralNetwork(784, 100, 10, seed=2)
    images = net.backquery(class_targets(10))
    np.testing.assert_allclose(images.min(axis=1), 0.01, atol=1e-12)
    np.testing.assert_allclose(images.max(axis=1), 0.99, atol=1e-12)


def test_several_hidden_layers():
    net = akili.NeuralNetwork(20, [12, 7], 4, seed=9)
    targets = class_targets(4)
    weights = [layer.weights for layer in net.layers]
    for label in range(4):
        np.testing.assert_allclose(net.backquery(targets[label]), book_backquery(weights, targets[label]), atol=1e-12)


@pytest.mark.parametrize(
    ("activation", "inverse", "target"),
    [
        ("tanh", np.arctanh, np.array([-0.5, 0.2, 0.9])),
        ("identity", lambda o: o, np.array([-3.0, 0.0, 2.5])),
        ("softmax", np.log, np.array([0.2, 0.3, 0.5])),
    ],
)
def test_other_invertible_output_activations(activation, inverse, target):
    net = akili.Network(
        [akili.Dense(6, 5, activation="sigmoid"), akili.Dense(5, 3, activation=activation)],
        loss="cross_entropy" if activation == "softmax" else "squared_error",
        seed=4,
    )
    weights = [layer.weights for layer in net.layers]
    logit = lambda o: np.log(o / (1 - o))  # noqa: E731 - the hidden layer stays sigmoid
    expected_top = rescale(np.dot(weights[1].T, inverse(target).reshape(-1, 1)))
    expected = rescale(np.dot(weights[0].T, logit(expected_top)))[:, 0]
    np.testing.assert_allclose(net.backquery(target), expected, atol=1e-12)


def test_bias_is_taken_off_before_the_transposed_weights():
    net = akili.Network([akili.Dense(5, 4, bias=True), akili.Dense(4, 2, bias=True)], seed=6)
    net.layers[0].bias = np.array([0.1, -0.2, 0.3, 0.05])
    net.layers[1].bias = np.array([0.5, -0.5])
    target = np.array([0.3, 0.8])
    expected = book_backquery(
        [layer.weights for layer in net.layers], target, biases=[layer.bias for layer in net.layers]
    )
    np.testing.assert_allclose(net.backquery(target), expected, atol=1e-12)


def test_equal_signals_become_the_middle_value():
    net = akili.NeuralNetwork(4, 3, 2, seed=0)
    net.who = np.zeros((2, 3))  # every hidden node receives the same (zero) signal
    np.testing.assert_array_equal(net.backquery([0.2, 0.7]), np.full(4, 0.5))


def test_relu_has_no_inverse():
    net = akili.Network([akili.Dense(4, 3, activation="relu"), akili.Dense(3, 2)], seed=0)
    with pytest.raises(ValueError, match=r"layer 0 uses relu, which has no inverse"):
        net.backquery([0.2, 0.7])


@pytest.mark.parametrize("bad", [1.0, 0.0, -0.1, 1.5])
def test_targets_outside_the_sigmoid_range_are_refused(bad):
    net = akili.NeuralNetwork(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"layer 1 \(sigmoid\) can only be inverted for outputs in \(0, 1\), got"):
        net.backquery([0.5, bad])


def test_wrong_target_shapes_and_values():
    net = akili.NeuralNetwork(4, 3, 2, seed=0)
    with pytest.raises(ValueError, match="expected 2 columns in targets"):
        net.backquery([0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="NaN or infinity"):
        net.backquery([0.5, np.nan])
    with pytest.raises(TypeError, match="real numeric array"):
        net.backquery(["a", "b"])
    before = net.wih.copy()
    net.backquery([0.3, 0.6])
    np.testing.assert_array_equal(net.wih, before)  # backquery never changes the network


def test_trained_digits_network_imagines_its_classes():
    """After training, the back-queried image of class k looks most like the
    average digit k (correlation with each class's mean image minus the overall mean)."""
    X, y = ds.digits()
    inputs = ds.scale_book(X, max_value=16)
    net = akili.NeuralNetwork(64, 100, 10, learning_rate=0.1, seed=0)
    net.fit(inputs, ds.one_hot(y, 10, low=0.01, high=0.99), epochs=10)
    images = net.backquery(class_targets(10))
    overall = inputs.mean(axis=0)
    means = np.stack([inputs[y == label].mean(axis=0) - overall for label in range(10)])
    centred = images - images.mean(axis=1, keepdims=True)
    correlation = np.corrcoef(np.vstack([centred, means]))[:10, 10:]
    matches = int(np.sum(np.argmax(correlation, axis=1) == np.arange(10)))
    assert matches >= 8, correlation.round(2)
