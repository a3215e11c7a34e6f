"""Dropout (akili.Dropout, the core's inverted dropout): rate 0 is no dropout bit for
bit, masks follow the seed and not the thread count, the expected activation is kept,
prediction never drops, the gradient rule's update is the exact gradient of the masked
network (finite differences), the model file keeps the rate, bad uses are refused."""

from __future__ import annotations

import numpy as np
import pytest

import akili


def network(rate: float | None, *, seed: int = 4, rule: str = "gradient", dtype: str = "float64") -> akili.Network:
    layers: list = [akili.Dense(6, 16, activation="tanh", bias=True)]
    if rate is not None:
        layers.append(akili.Dropout(rate))
    layers.append(akili.Dense(16, 3, activation="softmax", bias=True))
    return akili.Network(layers, loss="cross_entropy", rule=rule, learning_rate=0.1, seed=seed, dtype=dtype)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(9)
    X = rng.normal(size=(40, 6))
    return X, np.eye(3)[rng.integers(0, 3, size=40)]


def parameters(net: akili.Network) -> list[np.ndarray]:
    return [array.copy() for layer in net.layers for array in (layer.weights, layer.bias)]


def test_rate_zero_is_no_dropout_bit_for_bit(data):
    X, T = data
    plain, zero = network(None), network(0.0)
    assert zero.layers[0].dropout == 0.0
    for net in (plain, zero):
        net.fit(X, T, epochs=3, batch_size=1)
        net.fit(X, T, epochs=2, batch_size=8)
    for left, right in zip(parameters(plain), parameters(zero), strict=True):
        np.testing.assert_array_equal(left, right)


def test_the_same_seed_gives_the_same_masks_and_another_seed_others(data):
    X, T = data
    first = network(0.5).step(X[:5], T[:5], trace=True).dropout_masks
    again = network(0.5).step(X[:5], T[:5], trace=True).dropout_masks
    other = network(0.5, seed=5).step(X[:5], T[:5], trace=True).dropout_masks
    np.testing.assert_array_equal(first[0], again[0])
    assert first[1] is None  # the output layer never drops
    assert not np.array_equal(first[0], other[0])
    assert set(np.unique(first[0])) <= {0.0, 2.0}  # dropped, or kept and scaled by 1/(1-p)


def test_the_expected_activation_is_kept():
    # M = 1/(1-p) with probability 1-p, else 0: E[M] = 1, Var[M] = p/(1-p).
    rate = 0.3
    net = akili.Network(
        [akili.Dense(2, 200, activation="sigmoid", bias=True), akili.Dropout(rate), akili.Dense(200, 1)], seed=1
    )
    X = np.random.default_rng(0).normal(size=(100, 2))
    masks = net.step(X, np.full((100, 1), 0.5), trace=True).dropout_masks[0]
    standard_error = np.sqrt(rate / (1 - rate) / masks.size)
    assert abs(masks.mean() - 1.0) < 4 * standard_error
    assert abs(np.mean(masks == 0) - rate) < 0.02


def test_prediction_never_drops(data):
    X, T = data
    dropped = network(0.5)
    dropped.fit(X, T, epochs=2, batch_size=4)
    plain = network(None)
    for source, target in zip(dropped.layers, plain.layers, strict=True):
        target.weights, target.bias = source.weights, source.bias
    np.testing.assert_array_equal(dropped.predict(X), plain.predict(X))
    np.testing.assert_array_equal(dropped.predict(X), dropped.predict(X))  # no randomness at prediction


def test_the_gradient_rules_update_is_the_exact_gradient_of_the_masked_network(data):
    X, T = data
    net = network(0.4)
    W1, b1, W2, b2 = parameters(net)
    trace = net.step(X[:7], T[:7], trace=True)
    mask = trace.dropout_masks[0]

    def loss(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> float:
        hidden = np.tanh(X[:7] @ W1.T + b1) * mask  # Õ = tanh(X·W1ᵀ + b1) ∘ M
        z = hidden @ W2.T + b2
        z = z - z.max(axis=1, keepdims=True)
        log_softmax = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-(T[:7] * log_softmax).sum(axis=1).mean())  # mean cross-entropy

    arrays = [W1, b1, W2, b2]
    updates = [trace.weight_updates[0], trace.bias_updates[0], trace.weight_updates[1], trace.bias_updates[1]]
    for index, (array, update) in enumerate(zip(arrays, updates, strict=True)):
        numeric = np.zeros_like(array)
        for position in np.ndindex(array.shape):
            for sign in (1.0, -1.0):
                moved = [a.copy() for a in arrays]
                moved[index][position] += sign * 1e-6
                numeric[position] += sign * loss(*moved)
        numeric /= 2e-6
        np.testing.assert_allclose(-update / 0.1, numeric, rtol=1e-6, atol=1e-9)  # ΔW = -lr·∂L/∂W


@pytest.mark.parametrize("rule", ["transpose", "normalized", "gradient"])
def test_dropped_outputs_pass_no_error_back_under_every_rule(data, rule):
    X, T = data
    trace = network(0.5, rule=rule).step(X[:6], T[:6], trace=True)
    dropped = trace.dropout_masks[0] == 0
    assert dropped.any()
    assert np.all(trace.errors[0][dropped] == 0.0)
    assert np.all(trace.layer_inputs[1][dropped] == 0.0)


def test_single_steps_equal_fit_one_sample_at_a_time(data):
    X, T = data
    stepped, fitted = network(0.5), network(0.5)
    for x, t in zip(X, T, strict=True):
        stepped.step(x, t)
    fitted.fit(X, T, epochs=1, batch_size=1, shuffle=False)
    for left, right in zip(parameters(stepped), parameters(fitted), strict=True):
        np.testing.assert_array_equal(left, right)


def test_thread_counts_give_the_same_bits(data):
    X, T = data
    big_X = np.tile(X, (40, 1))
    big_T = np.tile(T, (40, 1))
    results = []
    before = akili.get_num_threads()
    try:
        for threads in (1, 2):
            akili.set_num_threads(threads)
            net = akili.Network(
                [
                    akili.Dense(6, 256, activation="relu", bias=True),
                    akili.Dropout(0.25),
                    akili.Dense(256, 3, activation="softmax", bias=True),
                ],
                loss="cross_entropy",
                rule="gradient",
                learning_rate=0.05,
                seed=2,
            )
            net.fit(big_X, big_T, epochs=2, batch_size=64)
            results.append(parameters(net))
    finally:
        akili.set_num_threads(before)
    for left, right in zip(*results, strict=True):
        np.testing.assert_array_equal(left, right)


def test_float32_and_optimizers_train_with_dropout(data):
    X, T = data
    net = network(0.3, dtype="float32")
    before = net.loss_value(X, T)
    net.fit(X, T, epochs=20, batch_size=8, optimizer="adam")
    assert net.loss_value(X, T) < before


def test_the_model_file_and_copies_keep_the_rate(data, tmp_path):
    X, T = data
    net = network(0.25)
    net.fit(X, T, epochs=1, batch_size=4)
    net.save(tmp_path / "dropout.akili")
    for other in (akili.load(tmp_path / "dropout.akili"), akili.loads(net.to_bytes()), net.copy()):
        assert [layer.dropout for layer in other.layers] == [0.25, 0.0]
        np.testing.assert_array_equal(other.predict(X), net.predict(X))
    assert "Dropout(0.25)" in repr(net)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: akili.Dropout(1.0), r"\[Dropout\] expected a rate in \[0, 1\), got 1\.0"),
        (lambda: akili.Dropout(-0.1), r"\[Dropout\] expected a rate in \[0, 1\), got -0\.1"),
        (lambda: akili.Dropout(float("nan")), r"\[Dropout\] expected a rate in \[0, 1\)"),
        (lambda: akili.Network([akili.Dropout(0.5), akili.Dense(2, 2)]), r"must follow a Dense layer"),
        (lambda: akili.Network([akili.Dense(2, 2), akili.Dropout(0.5)]), r"cannot follow the output layer"),
        (
            lambda: akili.Network([akili.Dense(2, 3), akili.Dropout(0.5), akili.Dropout(0.2), akili.Dense(3, 1)]),
            r"two Dropout entries in a row at position 2",
        ),
    ],
)
def test_bad_rates_and_positions_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_the_core_refuses_dropout_on_the_output_layer_with_the_network_unchanged():
    net = network(None)
    with pytest.raises(ValueError, match=r"\[Network::set_dropout\] the output layer \(1\) cannot have dropout"):
        net._native.set_dropout(1, 0.5)
    with pytest.raises(ValueError, match=r"\[Network::set_dropout\] expected a dropout rate in \[0, 1\), got 1\.5"):
        net._native.set_dropout(0, 1.5)
    assert [layer.dropout for layer in net.layers] == [0.0, 0.0]
