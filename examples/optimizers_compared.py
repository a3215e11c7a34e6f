"""Beyond plain SGD: momentum and Adam against the book's update on the book's network.

The book's network (sigmoid nodes, squared error, weights ~ N(0, n_in^-½)) learns
the built-in 8×8 digits with three update rules, from the same initial weights
and in the same order of examples:

* plain SGD, the book's W += lr·ΔW, learning rate 0.1;
* SGD with momentum 0.9 (PyTorch's form: v = 0.9·v + g, W -= lr·v), learning rate 0.1:
  each step keeps nine tenths of the previous one, so steps along a direction the
  gradients agree on grow up to tenfold;
* Adam (Kingma & Ba, PyTorch's defaults), learning rate 0.001: each weight's step
  is its running mean gradient divided by the root of its running mean square, so
  rarely moved weights take full-size steps too.

All three use the true gradient (rule="gradient"), one example at a time, and the
script prints the test accuracy after each epoch.

    python examples/optimizers_compared.py
"""

from __future__ import annotations

import numpy as np

import akili

EPOCHS = 8
RECIPES = {
    "plain SGD (lr 0.1)": (0.1, "sgd"),
    "SGD + momentum 0.9 (lr 0.1)": (0.1, akili.optimizers.SGD(momentum=0.9)),
    "Adam (lr 0.001)": (0.001, "adam"),
}


def book_network(learning_rate: float, optimizer) -> akili.Network:
    layers = [akili.Dense(64, 100, activation="sigmoid"), akili.Dense(100, 10, activation="sigmoid")]
    return akili.Network(
        layers, loss="squared_error", rule="gradient", learning_rate=learning_rate, optimizer=optimizer, seed=3
    )


def main() -> None:
    X, y = akili.datasets.digits()
    X = akili.datasets.scale_book(X, max_value=16.0)
    targets = akili.datasets.one_hot(y, 10, low=0.01, high=0.99)
    train, test = slice(0, 1400), slice(1400, None)
    print(f"digits: {train.stop} training and {len(y) - train.stop} test images, 64-100-10 sigmoid, online")
    print("test accuracy after each epoch")
    final = {}
    for name, (learning_rate, optimizer) in RECIPES.items():
        net = book_network(learning_rate, optimizer)
        accuracies = []
        for _ in range(EPOCHS):
            net.fit(X[train], targets[train], epochs=1, shuffle=False)
            accuracies.append(float(np.mean(net.predict(X[test]).argmax(axis=1) == y[test])))
        final[name] = accuracies
        print(f"{name:>28}: " + " ".join(f"{a:.3f}" for a in accuracies))
    for name, accuracies in final.items():
        print(f"{name}: epoch 1 {accuracies[0]:.3f}, epoch {EPOCHS} {accuracies[-1]:.3f}")


if __name__ == "__main__":
    main()
