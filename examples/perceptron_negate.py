"""Lesson 2: the perceptron. One input node, one weight, one output node:
output = input * weight. Taught to negate its input (4 -> -4, 1 -> -1,
-0.5 -> 0.5), gradient descent drives the single weight to -1.

Each update is the update function u(x, dy, lr) = x - dy * lr: move the weight
against the derivative dy of the loss. With L = ½ (t - w*i)², dy = dL/dw =
-(t - w*i) * i. akili applies it in the C++ core; the same function, by hand,
runs alongside.

    python examples/perceptron_negate.py
"""

from __future__ import annotations

import numpy as np

import akili

INPUTS = np.array([[4.0], [1.0], [-0.5]])
TARGETS = -INPUTS
LEARNING_RATE = 0.05
EPOCHS = 60


def update(x: float, dy: float, lr: float) -> float:
    """u(x, dy, lr) = x - dy * lr."""
    return x - dy * lr


def main() -> None:
    node = akili.Dense(1, 1, activation="identity")  # output = input * weight, no bias
    net = akili.Network([node], loss="squared_error", rule="gradient", learning_rate=LEARNING_RATE)
    node.weights = [[0.5]]
    w_hand = 0.5
    print(f"start: weight = {node.weights[0, 0]:.4f}")
    for epoch in range(1, EPOCHS + 1):
        net.fit(INPUTS, TARGETS, epochs=1, batch_size=1, shuffle=False)  # one example at a time
        for (i,), (t,) in zip(INPUTS, TARGETS):
            dy = -(t - w_hand * i) * i  # dL/dw for L = ½ (t - w·i)²
            w_hand = update(w_hand, dy, LEARNING_RATE)
        if epoch in (1, 2, 3, 5, 10, 20, 40, EPOCHS):
            print(f"epoch {epoch:3d}: weight = {node.weights[0, 0]: .6f}   (by hand: {w_hand: .6f})")
    print(f"the weight converged to {node.weights[0, 0]:.4f}")
    print(f"3 -> {net.predict([3.0])[0]:.4f}, -7 -> {net.predict([-7.0])[0]:.4f}")


if __name__ == "__main__":
    main()
