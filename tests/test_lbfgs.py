"""L-BFGS: the core's whole-data-set loss and gradient (akili/full_batch.hpp) against
finite differences and an independent NumPy loss, and fit(optimizer="lbfgs") /
solver="lbfgs" against scikit-learn's MLP solver of the same name."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from oracle import forward, loss_value

import akili
from akili import _core

pytest.importorskip("scipy")


def network(dtype: str = "float64", rule: str = "gradient", seed: int = 3) -> akili.Network:
    return akili.Network(
        [
            akili.Dense(5, 6, activation="tanh", bias=True),
            akili.Dense(6, 4, activation="relu", bias=False),
            akili.Dense(4, 3, activation="softmax", bias=True),
        ],
        loss="cross_entropy",
        rule=rule,
        dtype=dtype,
        seed=seed,
    )


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(700, 5))  # more than one of the core's chunks of 512 rows
    T = np.eye(3)[rng.integers(0, 3, size=700)]
    w = rng.uniform(0.0, 2.0, size=700)
    return X, T, w


def test_the_loss_is_the_weighted_mean_plus_the_l2_term_as_numpy_computes_it(data):
    X, T, w = data
    net = network()
    l2 = 0.03
    loss, _ = _core.loss_and_gradient(net._native, X, T, w, l2, "test")
    weights = [layer.weights for layer in net.layers]
    biases = [layer.bias for layer in net.layers]
    outputs = forward(weights, biases, ["tanh", "relu", "softmax"], X)[-1]
    per_sample = np.array(
        [loss_value("cross_entropy", outputs[i : i + 1], T[i : i + 1], "softmax") for i in range(700)]
    )
    expected = np.sum(w * per_sample) / w.sum() + 0.5 * l2 * sum(np.sum(W**2) for W in weights)
    assert loss == pytest.approx(expected, rel=1e-12)
    unweighted, _ = _core.loss_and_gradient(net._native, X, T, np.empty(0), 0.0, "test")
    assert unweighted == pytest.approx(net.loss_value(X, T), rel=1e-12)


def test_the_gradient_passes_finite_differences_with_weights_l2_a_mask_and_a_frozen_layer(data):
    X, T, w = data
    net = network()
    mask = np.ones((6, 5))
    mask[2, :] = 0.0
    net.layers[0].trainable_mask = mask
    net.layers[1].frozen = True
    native = net._native
    theta = _core.flat_parameters(native)
    _, gradient = _core.loss_and_gradient(native, X, T, w, 0.02, "test")
    numeric = np.zeros_like(theta)
    step = 1e-6
    for i in range(theta.size):
        for sign in (1.0, -1.0):
            moved = theta.copy()
            moved[i] += sign * step
            _core.set_flat_parameters(native, moved, "test")
            numeric[i] += sign * _core.loss_and_gradient(native, X, T, w, 0.02, "test")[0]
    numeric /= 2 * step
    _core.set_flat_parameters(native, theta, "test")
    first = 6 * 5 + 6  # layer 0's W and b
    frozen = slice(first, first + 4 * 6)
    fixed = np.zeros(theta.size, dtype=bool)
    fixed[5 * 2 : 5 * 3] = True  # row 2 of layer 0's W: masked
    fixed[frozen] = True
    assert np.all(gradient[fixed] == 0.0)
    free = ~fixed
    np.testing.assert_allclose(gradient[free], numeric[free], rtol=1e-6, atol=1e-8)


def test_integer_weights_give_the_loss_and_gradient_of_repeated_rows(data):
    X, T, _ = data
    counts = np.random.default_rng(1).integers(0, 4, size=700)
    net = network()
    loss_w, gradient_w = _core.loss_and_gradient(net._native, X, T, counts.astype(float), 0.0, "test")
    loss_r, gradient_r = _core.loss_and_gradient(
        net._native, np.repeat(X, counts, axis=0), np.repeat(T, counts, axis=0), np.empty(0), 0.0, "test"
    )
    assert loss_w == pytest.approx(loss_r, rel=1e-12)
    np.testing.assert_allclose(gradient_w, gradient_r, rtol=1e-10, atol=1e-14)


def test_flat_parameters_round_trip_and_bad_values_are_refused(data):
    net = network()
    native = net._native
    theta = _core.flat_parameters(native)
    assert theta.size == 6 * 5 + 6 + 4 * 6 + 3 * 4 + 3  # W and b per layer; the middle layer has no bias
    before = theta.copy()
    with pytest.raises(ValueError, match=r"\[test\] expected 75 parameter values, got 3"):
        _core.set_flat_parameters(native, np.ones(3), "test")
    bad = theta.copy()
    bad[4] = np.nan
    with pytest.raises(ValueError, match=r"\[test\] a parameter value is not finite"):
        _core.set_flat_parameters(native, bad, "test")
    np.testing.assert_array_equal(_core.flat_parameters(native), before)


@pytest.mark.parametrize("loader_name", ["load_iris", "load_digits"])
def test_lbfgs_reaches_scikit_learns_lbfgs_accuracy(loader_name):
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from akili.sklearn import AkiliClassifier

    X, y = getattr(datasets, loader_name)(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # either may stop at max_iter on these small sets
        theirs = MLPClassifier((32,), solver="lbfgs", max_iter=200, random_state=0).fit(X_train, y_train)
        ours = AkiliClassifier((32,), solver="lbfgs", max_iter=200, random_state=0).fit(X_train, y_train)
    # Measured: iris 0.974 (scikit-learn 1.000, one test flower of 38), digits 0.964 (0.967).
    assert ours.score(X_test, y_test) >= theirs.score(X_test, y_test) - 0.03
    assert ours.n_iter_ == len(ours.loss_curve_) >= 1
    assert ours.loss_curve_[-1] < ours.loss_curve_[0]


def test_fit_lbfgs_on_a_network_lowers_the_loss_and_records_each_iteration(data):
    X, T, w = data
    net = network()
    start = net.loss_value(X, T)
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 30 iterations may stop short of convergence
        history = net.fit(X, T, optimizer="lbfgs", epochs=30, sample_weight=w, on_epoch=lambda i, h: seen.append(i))
    assert history.epochs == len(seen) == len(history.loss) <= 30
    assert seen == list(range(len(seen)))
    assert history.loss[-1] < start
    assert all(accuracy is not None for accuracy in history.accuracy)
    assert net.optimizer == akili.optimizers.SGD()  # the network's own optimizer is untouched


def test_float32_networks_run_lbfgs(data):
    X, T, _ = data
    net = network("float32")
    start = net.loss_value(X, T)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # float32 may end its line search early
        net.fit(X, T, optimizer="lbfgs", epochs=20)
    assert net.loss_value(X, T) < start


def test_stopping_at_the_limit_warns_and_on_epoch_can_stop(data):
    X, T, _ = data
    with pytest.warns(RuntimeWarning, match=r"\[Network\.fit\] L-BFGS stopped at its limit \(2 iterations"):
        network().fit(X, T, optimizer="lbfgs", epochs=2)
    history = network().fit(X, T, optimizer="lbfgs", epochs=50, on_epoch=lambda i, h: i < 2)
    assert history.stopped and history.epochs == 3


def test_lbfgs_refuses_what_it_cannot_honour(data):
    X, T, _ = data
    with pytest.raises(ValueError, match=r'optimizer="lbfgs" needs the true gradient: expected rule="gradient"'):
        network(rule="transpose").fit(X, T, optimizer="lbfgs")
    with pytest.raises(ValueError, match=r"callbacks is not taken"):
        network().fit(X, T, optimizer="lbfgs", callbacks=[akili.callbacks.EarlyStopping()])
    with pytest.raises(ValueError, match=r"validation_data is not taken"):
        network().fit(X, T, optimizer="lbfgs", validation_data=(X, T))
    with pytest.raises(ValueError, match=r"l2 is the L-BFGS penalty"):
        network().fit(X, T, l2=0.1)
    pytest.importorskip("sklearn")
    from akili.sklearn import AkiliClassifier

    with pytest.raises(ValueError, match=r"\[AkiliClassifier\.partial_fit\] solver='lbfgs' trains on the whole"):
        AkiliClassifier(solver="lbfgs").partial_fit(X, T.argmax(axis=1), classes=[0, 1, 2])
