"""Lesson 2, next step: a multi-layer perceptron that classifies iris flowers.

Four measurements (sepal and petal length and width) -> 8 hidden sigmoid nodes
-> 3 softmax outputs, one per species, trained with cross-entropy by
back-propagation (the "gradient" rule). The data ship with akili
(akili.datasets.iris(), Fisher 1936).

    python examples/iris.py
"""

from __future__ import annotations

import numpy as np

import akili
from akili import datasets


def main() -> None:
    features, species = datasets.iris()
    x_train, x_test, y_train, y_test = datasets.train_test_split(features, species, test_fraction=0.2, seed=0)
    # Standardise with the training set's mean and spread only: the test set stays unseen.
    x_train, mean, std = datasets.standardize(x_train)
    x_test, _, _ = datasets.standardize(x_test, mean, std)
    t_train = datasets.one_hot(y_train, 3)

    layers = [akili.Dense(4, 8, activation="sigmoid", bias=True), akili.Dense(8, 3, activation="softmax", bias=True)]
    net = akili.Network(layers, loss="cross_entropy", rule="gradient", learning_rate=0.05, init="xavier", seed=0)
    print(f"{len(x_train)} flowers to learn from, {len(x_test)} to test on; {net}")
    history = net.fit(x_train, t_train, epochs=100, validation_data=(x_test, datasets.one_hot(y_test, 3)))
    for epoch in (0, 9, 49, 99):
        print(
            f"epoch {epoch + 1:3d}: loss {history.loss[epoch]:.4f}, training accuracy {history.accuracy[epoch]:.3f}, "
            f"test accuracy {history.val_accuracy[epoch]:.3f}"
        )

    predicted = np.argmax(net.predict(x_test), axis=1)
    accuracy = np.mean(predicted == y_test)
    print(f"test accuracy: {accuracy:.3f} ({int(np.sum(predicted == y_test))} of {len(y_test)} flowers)")
    names = datasets.IRIS_CLASSES
    print("confusion (rows: true species, columns: predicted)")
    for true in range(3):
        counts = [int(np.sum((y_test == true) & (predicted == guess))) for guess in range(3)]
        print(f"  {names[true]:>10s}: {counts}")


if __name__ == "__main__":
    main()
