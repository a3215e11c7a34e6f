"""Lesson 1, step by step: gradient descent on three points.

Points (0.5, 0.8), (2.0, 1.0), (1.0, 1.5); the line m*x + b starts at m = b = 0;
learning rate 0.1; the loss is MSE = 1/n Σ (y - (m*x + b))². Its gradient:

    dL/dm = -2/n Σ x_i (y_i - (m*x_i + b))
    dL/db = -2/n Σ (y_i - (m*x_i + b))

and each step moves against it: m <- m - lr * dL/dm, b <- b - lr * dL/db.
Step 1: dL/dm = -2.6, dL/db = -2.2, so m = 0.26, b = 0.22. Step 3: m = 0.4272,
b = 0.4001. Step 4: m = 0.4443, b = 0.4404.

akili computes each step in the C++ core (a batch of all three points); the
formula above, in plain Python, runs alongside to show they agree.

    python examples/gradient_descent_steps.py
"""

from __future__ import annotations

import numpy as np

import akili

X = np.array([[0.5], [2.0], [1.0]])
Y = np.array([[0.8], [1.0], [1.5]])
LEARNING_RATE = 0.1
STEPS = 6


def by_formula(m: float, b: float) -> tuple[float, float]:
    """dL/dm and dL/db of the MSE, written out."""
    n = len(X)
    residuals = [y - (m * x + b) for (x,), (y,) in zip(X, Y)]
    dm = -2.0 / n * sum(x * r for (x,), r in zip(X, residuals))
    db = -2.0 / n * sum(residuals)
    return dm, db


def main() -> None:
    line = akili.Dense(1, 1, activation="identity", bias=True)
    net = akili.Network([line], loss="mse", rule="gradient", learning_rate=LEARNING_RATE)
    line.weights = [[0.0]]
    line.bias = [0.0]
    m_hand, b_hand = 0.0, 0.0

    print("step    dL/dm    dL/db       m       b   (by formula: m, b)")
    for step in range(1, STEPS + 1):
        # One step on the whole batch; the trace records ΔW = -lr * dL/dW.
        trace = net.step(X, Y, trace=True)
        dm = -trace.weight_updates[0][0, 0] / LEARNING_RATE
        db = -trace.bias_updates[0][0] / LEARNING_RATE
        # The update function u(x, dy, lr) = x - dy * lr, by hand.
        grad_m, grad_b = by_formula(m_hand, b_hand)
        m_hand, b_hand = m_hand - grad_m * LEARNING_RATE, b_hand - grad_b * LEARNING_RATE
        m, b = line.weights[0, 0], line.bias[0]
        print(f"{step:4d} {dm:8.4f} {db:8.4f} {m:7.4f} {b:7.4f}   ({m_hand:.4f}, {b_hand:.4f})")
    print(
        f"after {STEPS} steps the line is y = {line.weights[0, 0]:.4f} x + {line.bias[0]:.4f}; "
        f"MSE = {net.loss_value(X, Y):.4f}"
    )


if __name__ == "__main__":
    main()
