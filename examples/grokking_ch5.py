"""Lesson 3: gradient descent with many inputs and many outputs
(after "Grokking Deep Learning", chapter 5), with the book's numbers.

    delta = pred - true                 (one per output)
    weight_delta[i][j] = delta[i] * input[j]   (an outer product)
    weight[i][j] -= alpha * weight_delta[i][j]

In akili the output error is E = T - O = -delta and the step adds
ΔW = alpha * E·Iᵀ = -alpha * weight_delta, so weight_delta = -ΔW / alpha.

    python examples/grokking_ch5.py
"""

from __future__ import annotations

import numpy as np

import akili

INPUT = np.array([8.5, 0.65, 1.2])  # toes, win/loss record, number of fans


def numbers(values) -> str:
    return "[" + ", ".join(f"{v + 0.0:.6g}" for v in np.ravel(values)) + "]"  # + 0.0: no "-0"


def linear(inputs: int, outputs: int, weights, alpha: float) -> akili.Network:
    """A layer with no bias and no activation: pred = W · input."""
    layer = akili.Dense(inputs, outputs, activation="identity")
    net = akili.Network([layer], loss="squared_error", rule="gradient", learning_rate=alpha)
    layer.weights = weights
    return net


def report(net: akili.Network, inputs, true, alpha: float) -> None:
    trace = net.step(inputs, true, trace=True)
    print(f"  pred           = {numbers(trace.final_outputs)}")
    print(f"  delta          = {numbers(-trace.output_errors)}")
    print(f"  weight_deltas  = {numbers(-trace.weight_updates[0] / alpha)}")
    print(f"  new weights    = {numbers(net.layers[0].weights)}")


def main() -> None:
    print("1. Many inputs, one output (alpha = 0.01, true = 1)")
    report(linear(3, 1, [[0.1, 0.2, -0.1]], 0.01), INPUT, [1.0], 0.01)

    print("2. Freezing one weight: its weight_delta is kept at 0 (trainable_mask)")
    net = linear(3, 1, [[0.1, 0.2, -0.1]], 0.01)
    net.layers[0].trainable_mask = [[0, 1, 1]]
    report(net, INPUT, [1.0], 0.01)
    for _ in range(299):
        net.step(INPUT, [1.0])
    print(f"  after 300 steps: pred = {net.predict(INPUT)[0]:.6f}, weights = {numbers(net.layers[0].weights)}")
    print("  (w[0] never moved: the other two inputs carried the whole prediction)")

    print("3. One input, many outputs (alpha = 0.1, input 0.65, true = [0.1, 1, 0.1])")
    report(linear(1, 3, [[0.3], [0.2], [0.9]], 0.1), [0.65], [0.1, 1.0, 0.1], 0.1)

    print("4. Many inputs, many outputs (alpha = 0.01, true = [0.1, 1, 0.1])")
    weights = [[0.1, 0.1, -0.3], [0.1, 0.2, 0.0], [0.0, 1.3, 0.1]]
    net = linear(3, 3, weights, 0.01)
    trace = net.step(INPUT, [0.1, 1.0, 0.1], trace=True)
    print(f"  pred           = {numbers(trace.final_outputs)}")
    print(f"  delta          = {numbers(-trace.output_errors)}")
    print(f"  new weights[0] = {numbers(net.layers[0].weights[0])}")


if __name__ == "__main__":
    main()
