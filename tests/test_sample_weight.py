"""Sample weights: fit(sample_weight=w) makes each batch's update the weighted mean
of its samples' updates (scikit-learn MLP's rule) and the loss the weighted mean;
class_weight in AkiliClassifier. Checked against an independent NumPy step
(tests/oracle.py), against repeated and removed rows, and for refusals."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import _backward, forward

import akili


def two_layer(rule: str = "gradient", dtype: str = "float64", optimizer: str = "sgd") -> akili.Network:
    return akili.Network(
        [akili.Dense(4, 5, activation="tanh", bias=True), akili.Dense(5, 3, activation="sigmoid", bias=True)],
        loss="squared_error",
        rule=rule,
        learning_rate=0.3,
        dtype=dtype,
        seed=11,
        optimizer=optimizer,
    )


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(12, 4))
    T = rng.uniform(0.05, 0.95, size=(12, 3))
    w = rng.integers(0, 4, size=12).astype(float)
    w[0] = 0.0
    w[1] = 3.0
    return X, T, w


def weights_of(net: akili.Network) -> list[np.ndarray]:
    return [array.copy() for layer in net.layers for array in (layer.weights, layer.bias)]


def assert_same_weights(a: akili.Network, b: akili.Network, rtol: float = 1e-12) -> None:
    for left, right in zip(weights_of(a), weights_of(b), strict=True):
        np.testing.assert_allclose(left, right, rtol=rtol, atol=1e-14)


@pytest.mark.parametrize("rule", ["gradient", "transpose", "normalized"])
def test_a_weighted_batch_step_is_the_weighted_mean_of_the_oracles_updates(data, rule):
    X, T, w = data
    net = two_layer(rule)
    weights = [layer.weights.copy() for layer in net.layers]
    biases = [layer.bias.copy() for layer in net.layers]
    activations = ["tanh", "sigmoid"]
    net.fit(X, T, epochs=1, batch_size=len(X), shuffle=False, sample_weight=w)
    # Oracle: per-sample deltas D (rows), then ΔW = lr·Σ_i w_i·d_iᵀ·i_i / Σ_i w_i.
    outputs = forward(weights, biases, activations, X)
    _, deltas = _backward(weights, activations, outputs, T, "squared_error", rule)
    for k in range(2):
        weighted = deltas[k] * w[:, None]
        layer = net.layers[k]
        np.testing.assert_allclose(
            layer.weights, weights[k] + 0.3 * weighted.T @ outputs[k] / w.sum(), rtol=1e-12, atol=1e-15
        )
        np.testing.assert_allclose(layer.bias, biases[k] + 0.3 * weighted.sum(axis=0) / w.sum(), rtol=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_integer_weights_equal_repeated_rows_and_zero_weights_removed_rows(data, optimizer):
    X, T, w = data
    counts = w.astype(int)
    weighted, repeated = two_layer(optimizer=optimizer), two_layer(optimizer=optimizer)
    # One batch per epoch: the order of rows changes only the order of the sums.
    history = weighted.fit(X, T, epochs=5, batch_size=len(X), shuffle=True, sample_weight=w)
    repeated_history = repeated.fit(
        np.repeat(X, counts, axis=0), np.repeat(T, counts, axis=0), epochs=5, batch_size=int(counts.sum())
    )
    assert_same_weights(weighted, repeated)
    np.testing.assert_allclose(history.loss, repeated_history.loss, rtol=1e-12)


def test_the_epoch_loss_is_the_weighted_mean_of_the_samples_losses(data):
    X, T, w = data
    net = two_layer()
    before = net.copy()
    history = net.fit(X, T, epochs=1, batch_size=len(X), shuffle=False, sample_weight=w)
    outputs = before.predict(X)
    per_sample = 0.5 * ((T - outputs) ** 2).sum(axis=1)  # L = ½·Σ(t - o)²
    assert history.loss[0] == pytest.approx(np.sum(w * per_sample) / w.sum(), rel=1e-12)


def test_online_a_zero_weight_skips_the_sample_and_other_weights_do_not_scale_the_step(data):
    X, T, _ = data
    keep = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1], dtype=float)
    weighted, kept, scaled = two_layer(), two_layer(), two_layer()
    weighted.fit(X, T, epochs=2, batch_size=1, shuffle=False, sample_weight=keep)
    kept.fit(X[keep > 0], T[keep > 0], epochs=2, batch_size=1, shuffle=False)
    assert_same_weights(weighted, kept)
    # A batch of one: the weighted mean of one update is that update, whatever its weight.
    scaled.fit(X, T, epochs=2, batch_size=1, shuffle=False, sample_weight=keep * 7.0)
    assert_same_weights(scaled, kept)


def test_float32_weighted_training_runs_and_matches_float64(data):
    X, T, w = data
    net32, net64 = two_layer(dtype="float32"), two_layer()
    net32.fit(X, T, epochs=3, batch_size=4, shuffle=False, sample_weight=w)
    net64.fit(X, T, epochs=3, batch_size=4, shuffle=False, sample_weight=w)
    for left, right in zip(weights_of(net32), weights_of(net64), strict=True):
        np.testing.assert_allclose(left, right, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        (np.ones(11), ValueError, r"expected sample_weight as 12 values, one per sample, got shape \(11,\)"),
        (np.r_[np.ones(11), -1.0], ValueError, r"expected sample_weight >= 0, got -1 \(row 11\)"),
        (np.r_[np.ones(5), np.nan, np.ones(6)], ValueError, r"sample_weight holds NaN or infinity \(row 5\)"),
        (np.zeros(12), ValueError, r"every sample_weight is 0"),
        (np.array(["a"] * 12), TypeError, r"expected sample_weight as numbers"),
    ],
)
def test_bad_weights_are_refused_naming_fit_with_the_network_unchanged(data, weights, error, message):
    X, T, _ = data
    net = two_layer()
    before = weights_of(net)
    with pytest.raises(error, match=r"\[Network\.fit\] " + message):
        net.fit(X, T, epochs=1, sample_weight=weights)
    for left, right in zip(weights_of(net), before, strict=True):
        np.testing.assert_array_equal(left, right)


def test_the_core_refuses_bad_weights_itself(data):
    X, T, _ = data
    net = two_layer()
    with pytest.raises(ValueError, match=r"\[Network::train_epoch\] sample weights must be finite and >= 0"):
        net._native.train_epoch(X, T, 4, False, None, 0, np.r_[np.ones(11), -2.0])
    with pytest.raises(ValueError, match=r"\[Network::train_epoch\] expected one sample weight per sample \(12\)"):
        net._native.train_epoch(X, T, 4, False, None, 0, np.ones(3))


def test_a_batch_source_takes_no_sample_weight(data):
    X, T, w = data
    with pytest.raises(ValueError, match=r"\[Network\.fit\] sample_weight goes with an inputs array"):
        two_layer().fit([(X, T)], sample_weight=w)


def test_class_weight_balanced_equals_the_explicit_weights():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris
    from sklearn.utils.class_weight import compute_sample_weight

    from akili.sklearn import AkiliClassifier

    X, y = load_iris(return_X_y=True)
    keep = np.r_[np.arange(50), np.arange(50, 70), np.arange(100, 150)]  # an unbalanced set: 50/20/50
    X, y = X[keep], y[keep]
    settings = {
        "hidden_layer_sizes": (6,),
        "max_iter": 30,
        "random_state": 0,
        "batch_size": 200,
        "learning_rate_init": 0.05,
    }
    balanced = AkiliClassifier(class_weight="balanced", **settings).fit(X, y)
    explicit = AkiliClassifier(**settings).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_array_equal(balanced.predict_proba(X), explicit.predict_proba(X))
    by_dict = AkiliClassifier(class_weight={0: 1.0, 1: 2.5, 2: 1.0}, **settings).fit(X, y)
    times = AkiliClassifier(**settings).fit(X, y, sample_weight=np.where(y == 1, 2.5, 1.0))
    np.testing.assert_array_equal(by_dict.predict_proba(X), times.predict_proba(X))
    # The weights matter: weighting the rare class up raises its probability on its own samples.
    plain = AkiliClassifier(**settings).fit(X, y)
    rare = y == 1
    assert balanced.predict_proba(X)[rare, 1].mean() > plain.predict_proba(X)[rare, 1].mean() + 0.01
