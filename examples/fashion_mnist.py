"""The book's network on Fashion-MNIST, with its learning curves and back-queried classes.

784 inputs (pixels scaled x/255*0.99 + 0.01) -> 200 hidden sigmoid nodes -> 10
sigmoid outputs with targets 0.01 / 0.99, learning rate 0.1, one example at a
time in file order, the book's rule: one epoch reaches about 0.83 test accuracy.
Needs Debian's dataset-fashion-mnist and matplotlib (pip install ".[plot]").

    python examples/fashion_mnist.py [--epochs 1] [--limit N] [--out-dir .]

The same run from the command line:
    akili train --data fashion-mnist --hidden 200 --epochs 1 --no-shuffle --plot fashion-loss.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import akili
from akili import datasets
from akili.plotting import plot_backquery, plot_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--out-dir", type=Path, default=Path("."))
    args = parser.parse_args()

    x_train, y_train = datasets.fashion_mnist(kind="train", dtype=np.float32)  # scaled the book's way
    x_test, y_test = datasets.fashion_mnist(kind="test", dtype=np.float32)
    x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    t_train = datasets.one_hot(y_train, 10, low=0.01, high=0.99, dtype=np.float32)
    t_test = datasets.one_hot(y_test, 10, low=0.01, high=0.99, dtype=np.float32)

    net = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, dtype="float32", seed=0)
    history = net.fit(
        x_train,
        t_train,
        epochs=args.epochs,
        shuffle=False,
        validation_data=(x_test, t_test),
        on_epoch=lambda epoch, h: print(
            f"epoch {epoch + 1}: loss {h.loss[-1]:.4f}, test accuracy {h.val_accuracy[-1]:.4f}"
        ),
    )
    print(f"{len(x_train)} images in {history.seconds:.1f} s; test accuracy {history.val_accuracy[-1]:.4f}")

    args.out_dir.mkdir(parents=True, exist_ok=True)
    curves = plot_history(
        history, args.out_dir / "fashion-loss.png", validation_name="test", title="784-200-10 on Fashion-MNIST"
    )
    # Back-query: each output set to 0.99 (the others 0.01), run backwards to a picture.
    targets = np.full((10, 10), 0.01, dtype=np.float32)
    np.fill_diagonal(targets, 0.99)
    pictures = plot_backquery(
        net.backquery(targets), args.out_dir / "fashion-backquery.png", labels=datasets.FASHION_MNIST_CLASSES
    )
    print(f"wrote {curves} and {pictures}")


if __name__ == "__main__":
    main()
