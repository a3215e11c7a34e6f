"""akili.lessons.compare_rules: the three error rules side by side."""

from __future__ import annotations

import numpy as np
import pytest

import akili
from akili import datasets


def iris_problem(outputs: int):
    features, species = datasets.iris()
    features, _, _ = datasets.standardize(features)
    if outputs == 1:
        return features, (species == 0).astype(float)
    return features, datasets.one_hot(species, 3, low=0.01, high=0.99)


def test_lessons_is_a_lazy_submodule():
    assert akili.lessons.compare_rules is not None
    assert "lessons" in akili._LAZY_SUBMODULES


def test_single_output_normalized_is_transpose_scaled_by_the_row_sum():
    inputs, targets = iris_problem(1)
    net = akili.NeuralNetwork(4, 5, 1, learning_rate=0.1, seed=2)
    before = [layer.weights.copy() for layer in net.layers]
    comparison = akili.lessons.compare_rules(net, inputs, targets, epochs=8, example=3)
    assert comparison.rules == ("normalized", "transpose", "gradient")
    # The hidden errors, by hand from the untouched weights: E_h = Wᵀ·E and E_h = (W/Σ|w|)ᵀ·E.
    w = before[1]
    error = comparison.output_errors
    np.testing.assert_allclose(comparison.hidden_errors["transpose"], w[0] * error[0], rtol=1e-12)
    np.testing.assert_allclose(comparison.hidden_errors["normalized"], w[0] / np.abs(w).sum() * error[0], rtol=1e-12)
    # The split changes size, not proportion: one ratio for every hidden node.
    np.testing.assert_allclose(comparison.ratio("normalized"), np.full(5, 1 / np.abs(w).sum()), rtol=1e-12)
    # Gradient sends δ = E·O(1-O) instead of E.
    out = net.predict(inputs[3])[0]
    np.testing.assert_allclose(comparison.hidden_errors["gradient"], w[0] * error[0] * out * (1 - out), rtol=1e-12)
    # compare_rules leaves the network alone.
    for layer, weights in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weights, weights)


def test_every_rule_learns_and_runs_are_reproducible():
    inputs, targets = iris_problem(3)
    net = akili.NeuralNetwork(4, 6, 3, learning_rate=0.1, seed=2)
    first = akili.lessons.compare_rules(net, inputs, targets, epochs=30)
    again = akili.lessons.compare_rules(net, inputs, targets, epochs=30)
    for rule in first.rules:
        curve = first.curves[rule]
        assert len(curve) == 30
        assert curve[-1] < 0.4 * curve[0], rule  # the network still learns under every rule
        assert first.accuracy[rule] > 0.85, rule
        assert again.curves[rule] == curve  # same seed, same shuffles: bit-identical
    # The same weights trained by different rules end in different places.
    assert first.final_loss["normalized"] != first.final_loss["transpose"]
    text = first.report()
    for rule in first.rules:
        assert rule in text
    assert "hidden errors" in text and "learning curves" in text


def test_bad_arguments():
    inputs, targets = iris_problem(3)
    net = akili.NeuralNetwork(4, 6, 3)
    with pytest.raises(ValueError, match="unknown rule"):
        akili.lessons.compare_rules(net, inputs, targets, rules=["sideways"])
    with pytest.raises(ValueError, match="out of range"):
        akili.lessons.compare_rules(net, inputs, targets, example=500)
    with pytest.raises(ValueError, match="hidden layer"):
        akili.lessons.compare_rules(akili.Network([akili.Dense(4, 3)]), inputs, targets)
    with pytest.raises(TypeError, match="akili.Network"):
        akili.lessons.compare_rules(None, inputs, targets)
