"""Trains and runs the book's network on one kernel path and saves what it computed.

    AKILI_ISA=avx2 python tests/portable/probe.py OUT.npz [--small] [--threads N]

Run in a subprocess by tests/test_dispatch.py (once per kernel path and thread
count) and, under qemu-user, by tests/test_qemu.py: the kernel path is chosen
once per process, so comparing paths takes one process each. Data are seeded
random values in the book's ranges (inputs 0.01..1.0, targets 0.01/0.99), so no
data set is needed. `--small` uses a 64-32-10 network (cheap under emulation).
Prints akili.build_info() as JSON.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import akili


def data(inputs: int, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.01, 1.0, size=(samples, inputs))  # the book's scaled pixels
    labels = rng.integers(0, 10, size=samples)
    t = np.full((samples, 10), 0.01)
    t[np.arange(samples), labels] = 0.99
    return x, t, rng.uniform(0.01, 1.0, size=(300, inputs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        akili.set_num_threads(args.threads)
    inputs, hidden, samples = (64, 32, 200) if args.small else (784, 200, 600)
    x, t, queries = data(inputs, samples, seed=5)
    results: dict[str, np.ndarray] = {}
    for dtype in ("float64", "float32"):
        # Online (the book's way: one example per step, the first layer a block at
        # a time) and mini-batch training, then prediction on a batch and on one row.
        for batch_size in (1, 64):
            net = akili.NeuralNetwork(inputs, hidden, 10, 0.1, seed=3, dtype=dtype)
            net.fit(x.astype(dtype), t.astype(dtype), epochs=1, batch_size=batch_size)
            key = f"{dtype}_batch{batch_size}"
            results[f"{key}_wih"] = net.wih
            results[f"{key}_who"] = net.who
            results[f"{key}_predict"] = net.predict(queries.astype(dtype))
            results[f"{key}_query"] = net.query(queries[0].astype(dtype))
        # The book's own loop: train() once per example (queued and applied in blocks).
        net = akili.NeuralNetwork(inputs, hidden, 10, 0.1, seed=4, dtype=dtype)
        for row, target in zip(x[:150].astype(dtype), t[:150].astype(dtype)):
            net.train(row, target)
        results[f"{dtype}_train_loop_wih"] = net.wih
        results[f"{dtype}_train_loop_who"] = net.who
        # Three layers with biases, tanh and a trainable mask: the masked and
        # back-propagating row loops, widths that leave partial blocks.
        layers = [
            akili.Dense(inputs, 37, activation="tanh", bias=True),
            akili.Dense(37, 21, activation="relu", bias=True),
            akili.Dense(21, 10, activation="sigmoid"),
        ]
        net = akili.Network(layers, learning_rate=0.05, seed=6, dtype=dtype)
        net.layers[1].trainable_mask = np.random.default_rng(7).random((21, 37)) > 0.3
        net.fit(x[:200].astype(dtype), t[:200].astype(dtype), epochs=1, batch_size=1)
        for k, layer in enumerate(net.layers):
            results[f"{dtype}_deep_w{k}"] = layer.weights
            if layer.bias is not None:
                results[f"{dtype}_deep_b{k}"] = layer.bias
    np.savez(args.out, **results)
    print(json.dumps(akili.build_info()))


if __name__ == "__main__":
    main()
