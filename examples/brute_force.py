"""Lesson 4b: why not brute force? Try every weight on a grid, keep the best.

For a line (2 parameters) that works: 201 values each is 201^2 = 40,401 tries.
For XOR with two hidden nodes (9 weights and biases) a coarse grid of 5 values
is already 5^9 = 1,953,125 tries, and the answer is only as good as the grid.
The lecture's 3-3-3 network has 18 weights: 1,000 values each would be
1000^18 = 1e54 combinations. Gradient descent instead follows the slope
downhill, and its cost grows with the number of steps, not with G^P.

The search runs in the C++ core (cpp/src/brute_force.cpp, akili::brute_force),
with the network's own forward pass (Dense::forward) and loss (loss_sum).

    python examples/brute_force.py
"""

from __future__ import annotations

import time

import numpy as np

import akili

HOURS = np.array([[2.0], [4.0], [6.0], [8.0], [10.0]])
GRADES = np.array([3.0, 5.0, 4.0, 6.0, 8.0])


def gradient_descent(net: akili.Network, inputs, targets, *, epochs: int, batch_size: int) -> float:
    started = time.perf_counter()
    net.fit(inputs, targets, epochs=epochs, batch_size=batch_size, shuffle=batch_size == 1)
    return time.perf_counter() - started


def line() -> None:
    print("1. A line through the hours -> grade data (w and b: 2 parameters)")
    grid = np.round(np.arange(-100, 101) * 0.05, 2)  # -5.00, -4.95, ..., 5.00
    net = akili.Network(
        [akili.Dense(1, 1, activation="identity", bias=True)], loss="mse", rule="gradient", learning_rate=0.02
    )
    found = akili.brute_force(net, HOURS, GRADES, grid=grid)
    print(
        f"  brute force:      w = {found.weights[0][0, 0]:.2f}, b = {found.biases[0][0]:.2f}, "
        f"MSE = {found.loss:.4f}, tried {found.tried} combinations in {found.seconds:.3f} s"
    )
    seconds = gradient_descent(net, HOURS, GRADES, epochs=4000, batch_size=len(HOURS))
    print(
        f"  gradient descent: w = {net.layers[0].weights[0, 0]:.2f}, b = {net.layers[0].bias[0]:.2f}, "
        f"MSE = {net.loss_value(HOURS, GRADES):.4f}, 4000 steps in {seconds:.3f} s"
    )


def xor_net(seed: int = 0) -> akili.Network:
    layers = [akili.Dense(2, 2, activation="sigmoid", bias=True), akili.Dense(2, 1, activation="sigmoid", bias=True)]
    return akili.Network(layers, loss="squared_error", rule="gradient", learning_rate=1.0, seed=seed)


def xor() -> float:
    print("2. XOR with two hidden nodes (6 weights + 3 biases: 9 parameters)")
    inputs, labels = akili.datasets.xor()
    targets = labels.reshape(-1, 1).astype(float)
    grid = np.array([-6.0, -3.0, 0.0, 3.0, 6.0])
    net = xor_net()
    found = akili.brute_force(net, inputs, targets, grid=grid)
    rate = found.tried / found.seconds
    found.apply(net)
    print(
        f"  brute force on {grid.tolist()}: loss = {found.loss:.6f}, tried {found.tried} combinations "
        f"in {found.seconds:.2f} s ({rate:,.0f} per second)"
    )
    print(f"    outputs for 00, 01, 10, 11: {np.round(net.predict(inputs)[:, 0], 3)}")
    net = xor_net()
    seconds = gradient_descent(net, inputs, targets, epochs=2000, batch_size=1)
    print(f"  gradient descent: loss = {net.loss_value(inputs, targets):.6f}, 8000 steps in {seconds:.3f} s")
    print(f"    outputs for 00, 01, 10, 11: {np.round(net.predict(inputs)[:, 0], 3)}")
    # A finer grid is refused before any work: the count alone says why.
    try:
        akili.brute_force(xor_net(), inputs, targets, grid=np.linspace(-6.0, 6.0, 9))
    except ValueError:
        print(
            f"  a grid of 9 values: {akili.combination_count(9, 9)} "
            f"(about {9**9 / rate / 60:.0f} minutes at that rate): refused by the limit"
        )
    return rate


def lecture_net(rate: float) -> None:
    print("3. The lecture's 3-3-3 network (9 + 9 = 18 weights), 1,000 values per weight")
    net = akili.NeuralNetwork(3, 3, 3)
    grid = np.linspace(-1.0, 1.0, 1000)
    try:
        akili.brute_force(net, np.zeros((1, 3)), np.full((1, 3), 0.5), grid=grid)
    except ValueError as refusal:
        print(f"  refused: {refusal}")
    years = 10.0**54 / rate / (3600 * 24 * 365.25)
    print(f"  {akili.combination_count(1000, 18)}: at {rate:,.0f} per second that is about {years:.1e} years")


def main() -> None:
    line()
    rate = xor()
    lecture_net(rate)


if __name__ == "__main__":
    main()
