"""Lesson 4d: the book's three-layer network ("Make Your Own Neural Network").

784 inputs (pixels scaled x/255*0.99 + 0.01) -> 200 hidden sigmoid nodes -> 10
outputs with targets 0.01 / 0.99, weights drawn from N(0, n_in^-½), learning
rate 0.1, trained one example at a time with the book's rule (errors back
through Wᵀ). Data: Fashion-MNIST when Debian's dataset-fashion-mnist is
installed, else the 8x8 digits that ship with akili (64 inputs, 100 hidden).
Afterwards, if the network can run backwards (``net.backquery``), it shows
what the network "imagines" each class looks like.

    python examples/book_network.py [--data auto|fashion|digits] [--train N] [--epochs E]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import akili
from akili import datasets

SHADES = " .:-=+*#%@"  # dark to bright


def load(choice: str, train: int) -> tuple[str, list[str], int, tuple[np.ndarray, ...]]:
    """(name, class names, image side, (x_train, y_train, x_test, y_test)), inputs scaled as in the book."""
    if choice in ("auto", "fashion"):
        try:
            x_train, y_train = datasets.fashion_mnist(kind="train")
            x_test, y_test = datasets.fashion_mnist(kind="test")
            return (
                "Fashion-MNIST",
                datasets.FASHION_MNIST_CLASSES,
                28,
                (x_train[:train], y_train[:train], x_test, y_test),
            )
        except datasets.DatasetNotFoundError:
            if choice == "fashion":
                raise
            print("Fashion-MNIST is not installed (apt install dataset-fashion-mnist): using the 8x8 digits")
    pixels, labels = datasets.digits()
    pixels = datasets.scale_book(pixels, max_value=16)  # x/16*0.99 + 0.01
    x_train, x_test, y_train, y_test = datasets.train_test_split(pixels, labels, test_fraction=0.25, seed=0)
    return "digits", [str(d) for d in range(10)], 8, (x_train[:train], y_train[:train], x_test, y_test)


def picture(image: np.ndarray, side: int) -> list[str]:
    """Rows of characters for one image, brightness scaled to its own range."""
    image = image.reshape(side, side)
    if side > 14:  # halve large images: average 2x2 blocks
        image = image.reshape(side // 2, 2, side // 2, 2).mean(axis=(1, 3))
    low, high = image.min(), image.max()
    levels = np.zeros_like(image) if high == low else (image - low) / (high - low)
    repeat = 2 if side <= 8 else 1  # small images: two characters per pixel, nearer square
    return ["".join(SHADES[min(int(v * len(SHADES)), len(SHADES) - 1)] * repeat for v in row) for row in levels]


def show_backquery(net: akili.NeuralNetwork, names: list[str], side: int) -> None:
    print("backquery: each output set to 0.99 (the others 0.01), run backwards to an input picture")
    for start in range(0, 10, 5):
        columns = []
        for label in range(start, start + 5):
            target = np.full(10, 0.01)
            target[label] = 0.99
            image = np.asarray(net.backquery(target)).reshape(-1)
            columns.append(picture(image, side))
        width = max(len(columns[0][0]), 12)
        print("   ".join(f"{names[label][:width]:<{width}s}" for label in range(start, start + 5)))
        for row in zip(*columns):
            print("   ".join(f"{line:<{width}s}" for line in row))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("auto", "fashion", "digits"), default="auto")
    parser.add_argument("--train", type=int, default=10000, help="training images to use (default 10000)")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="passes over the training images (default 1 for Fashion-MNIST, 10 for digits)",
    )
    args = parser.parse_args(argv)

    name, names, side, (x_train, y_train, x_test, y_test) = load(args.data, args.train)
    hidden = 200 if side == 28 else 100
    learning_rate = 0.1
    net = akili.NeuralNetwork(side * side, hidden, 10, learning_rate=learning_rate, seed=1)
    print(f"{name}: {len(x_train)} training and {len(x_test)} test images; {net}")
    targets = datasets.one_hot(y_train, 10, low=0.01, high=0.99)  # the book's targets 0.01 / 0.99

    epochs = args.epochs if args.epochs is not None else (1 if side == 28 else 10)
    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        net.fit(x_train, targets, epochs=1)  # one example at a time: the book's train() in the core
        seconds = time.perf_counter() - started
        predicted = np.argmax(net.query(x_test), axis=1)
        accuracy = float(np.mean(predicted == y_test))
        print(f"epoch {epoch}: {len(x_train) / seconds:,.0f} examples per second, test accuracy {accuracy:.4f}")

    # The book's query() on one test image, output by output.
    outputs = net.query(x_test[0])
    print(f"first test image is a {names[y_test[0]]}; the network says {names[int(np.argmax(outputs))]}")
    print("  outputs: " + ", ".join(f"{names[k]} {outputs[k]:.2f}" for k in range(10)))

    if hasattr(net, "backquery"):
        show_backquery(net, names, side)
    else:
        print("(this version of akili has no backquery: skipping the pictures)")


if __name__ == "__main__":
    main()
