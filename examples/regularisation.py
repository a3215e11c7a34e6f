"""Grokking Deep Learning, chapter 8: a small network memorises 1,000 images, and
dropout and early stopping keep what it learns general.

A 784-40-10 network (relu hidden layer, plain outputs, squared error, the true
gradient, one image at a time, learning rate 0.005: the chapter's recipe) trains
on the first 1,000 Fashion-MNIST training images for 100 epochs, three ways:

* plain: the training accuracy climbs towards 1.0 while the test accuracy peaks
  and then falls: the network starts to learn the noise of its 1,000 images
  (overfitting);
* with ``akili.Dropout(0.5)`` after the hidden layer: each step trains a random
  half of the hidden nodes, so no node can lean on a few others to memorise an
  image; training accuracy rises more slowly and the test accuracy keeps rising;
* with early stopping: 1,000 further training images are held out for
  validation; ``akili.callbacks.EarlyStopping`` stops once their loss has not
  improved for 10 epochs and restores the best epoch's weights.

The test accuracy is measured on the 10,000 test images.

    python examples/regularisation.py      # Fashion-MNIST from Debian's dataset-fashion-mnist
"""

from __future__ import annotations

import sys

import numpy as np

import akili
from akili.callbacks import EarlyStopping

EPOCHS = 100
REPORT_EVERY = 10


def network(dropout: float) -> akili.Network:
    layers: list = [akili.Dense(784, 40, activation="relu")]
    if dropout:
        layers.append(akili.Dropout(dropout))
    layers.append(akili.Dense(40, 10, activation="identity"))
    return akili.Network(layers, loss="squared_error", rule="gradient", learning_rate=0.005, seed=1)


def accuracy(net: akili.Network, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(net.predict(X).argmax(axis=1) == y))


def main() -> int:
    try:
        X_all, y_all = akili.datasets.fashion_mnist(kind="train", scale="unit")
        X_test, y_test = akili.datasets.fashion_mnist(kind="test", scale="unit")
    except (FileNotFoundError, OSError) as error:
        print(f"Fashion-MNIST is not installed ({error}); on Debian: apt install dataset-fashion-mnist")
        return 1
    X, y = X_all[:1000], y_all[:1000]
    X_val, y_val = X_all[1000:2000], y_all[1000:2000]
    T, T_val = np.eye(10)[y], np.eye(10)[y_val]
    print("Fashion-MNIST, 1,000 training images, 784-40-10 relu, squared error, online, lr 0.005")
    print("epoch  plain train/test  dropout 0.5 train/test")
    plain, dropped = network(0.0), network(0.5)
    plain_test, dropped_test = [], []
    for epoch in range(1, EPOCHS + 1):
        plain.fit(X, T, epochs=1, shuffle=False)
        dropped.fit(X, T, epochs=1, shuffle=False)
        plain_test.append(accuracy(plain, X_test, y_test))
        dropped_test.append(accuracy(dropped, X_test, y_test))
        if epoch % REPORT_EVERY == 0:
            print(
                f"{epoch:>5}  {accuracy(plain, X, y):.3f}/{plain_test[-1]:.3f}      "
                f"{accuracy(dropped, X, y):.3f}/{dropped_test[-1]:.3f}"
            )
    stopper = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
    early = network(0.0)
    early.fit(X, T, epochs=EPOCHS, shuffle=False, validation_data=(X_val, T_val), callbacks=[stopper])
    best_plain = int(np.argmax(plain_test))
    print(
        f"plain: best test accuracy {plain_test[best_plain]:.3f} at epoch {best_plain + 1}, final {plain_test[-1]:.3f}"
    )
    print(f"dropout 0.5: final test accuracy {dropped_test[-1]:.3f}")
    print(
        f"early stopping: stopped after epoch {stopper.stopped_epoch + 1}, best epoch {stopper.best_epoch + 1}, "
        f"test accuracy {accuracy(early, X_test, y_test):.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
