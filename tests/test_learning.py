"""akili actually learns: XOR with a tiny net, iris with a seeded split."""

from __future__ import annotations

import numpy as np
import pytest

import akili

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("rule", ["gradient", "transpose"])
def test_xor_2_4_1(rule):
    net = akili.Network(
        [akili.Dense(2, 4, activation="tanh", bias=True), akili.Dense(4, 1, activation="sigmoid", bias=True)],
        loss="cross_entropy",
        rule=rule,
        learning_rate=0.5,
        seed=0,
    )
    history = net.fit(XOR_X, XOR_Y, epochs=3000, batch_size=1)
    predictions = net.predict(XOR_X)[:, 0]
    np.testing.assert_array_equal(predictions > 0.5, XOR_Y > 0.5)
    assert history.loss[-1] < 0.05 < history.loss[0]
    assert history.accuracy[-1] == 1.0


def test_iris_reaches_95_percent():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    model_selection = pytest.importorskip("sklearn.model_selection")
    X, y = sklearn_datasets.load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = model_selection.train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    targets = np.eye(3)[y_train]
    net = akili.Network(
        [akili.Dense(4, 16, activation="tanh", bias=True), akili.Dense(16, 3, activation="softmax", bias=True)],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=0.05,
        seed=1,
    )
    history = net.fit(
        (X_train - mean) / std,
        targets,
        epochs=60,
        batch_size=1,
        validation_data=((X_test - mean) / std, np.eye(3)[y_test]),
    )
    accuracy = np.mean(net.predict((X_test - mean) / std).argmax(axis=1) == y_test)
    assert accuracy >= 0.95
    assert history.val_accuracy[-1] == pytest.approx(accuracy)


def test_book_network_learns_digits():
    digits = pytest.importorskip("sklearn.datasets").load_digits()
    X = digits.data / 16.0 * 0.99 + 0.01
    T = np.full((len(X), 10), 0.01)
    T[np.arange(len(X)), digits.target] = 0.99
    nn = akili.NeuralNetwork(64, 100, 10, learning_rate=0.2, seed=1)
    nn.fit(X[:1400], T[:1400], epochs=10)
    accuracy = np.mean(nn.query(X[1400:]).argmax(axis=1) == digits.target[1400:])
    assert accuracy > 0.9


def test_same_seed_same_training_different_seed_differs():
    X = np.random.default_rng(0).uniform(size=(64, 5))
    T = np.random.default_rng(1).uniform(size=(64, 2))
    weights = []
    for seed in (3, 3, 4):
        nn = akili.NeuralNetwork(5, 6, 2, learning_rate=0.2, seed=seed)
        nn.fit(X, T, epochs=3, batch_size=1, shuffle=True)
        weights.append(np.array(nn.wih))
    np.testing.assert_array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[0], weights[2])


@pytest.mark.parametrize("init,std", [("book", 100**-0.5), ("xavier", (2 / 150) ** 0.5), ("he", (2 / 100) ** 0.5)])
def test_initialisation_spread(init, std):
    net = akili.Network([akili.Dense(100, 50)], init=init, seed=2)
    weights = net.layers[0].weights
    assert abs(weights.mean()) < 0.1 * std
    assert weights.std() == pytest.approx(std, rel=0.05)


def test_frozen_layer_never_changes_but_passes_errors_back():
    nn = akili.NeuralNetwork(4, 5, 3, learning_rate=0.3, seed=0)
    nn.layers[1].frozen = True
    who, wih = np.array(nn.who), np.array(nn.wih)
    X = np.random.default_rng(2).uniform(size=(20, 4))
    nn.fit(X, np.full((20, 3), 0.5), epochs=2, batch_size=1)
    np.testing.assert_array_equal(nn.who, who)
    assert not np.array_equal(nn.wih, wih)
    assert nn.layers[1].frozen and not nn.layers[0].frozen
