"""Lesson 1: a neuron is a line, y_hat = w*x + b, fitted by gradient descent on MSE.

Hours studied -> grade. The MSE-optimal line is w = 0.55, b = 1.90, and
7 hours of study predicts 0.55*7 + 1.9 = 5.75.

    python examples/neuron_line.py
"""

from __future__ import annotations

import numpy as np

import akili

HOURS = np.array([[2.0], [4.0], [6.0], [8.0], [10.0]])
GRADES = np.array([3.0, 5.0, 4.0, 6.0, 8.0])


def main() -> None:
    # One neuron: one input, one weight w, a bias b and no non-linearity.
    neuron = akili.Dense(1, 1, activation="identity", bias=True)
    net = akili.Network([neuron], loss="mse", rule="gradient", learning_rate=0.02, seed=0)
    print(f"start: w = {neuron.weights[0, 0]:.4f}, b = {neuron.bias[0]:.4f}, MSE = {net.loss_value(HOURS, GRADES):.4f}")

    # Full-batch gradient descent: each step moves w and b against dMSE/dw, dMSE/db.
    # One epoch over all five points with batch_size=5 is one step.
    done = 0
    for steps in (10, 100, 1000, 4000):
        net.fit(HOURS, GRADES, epochs=steps - done, batch_size=len(HOURS), shuffle=False)
        done = steps
        print(
            f"after {steps:4d} steps: w = {neuron.weights[0, 0]:.4f}, b = {neuron.bias[0]:.4f}, "
            f"MSE = {net.loss_value(HOURS, GRADES):.4f}"
        )

    # The same line by exact least squares, for comparison.
    slope, intercept = np.polyfit(HOURS[:, 0], GRADES, 1)
    print(f"least squares:    w = {slope:.4f}, b = {intercept:.4f}")

    w, b = neuron.weights[0, 0], neuron.bias[0]
    print(f"learned line: grade = {w:.2f} * hours + {b:.2f}")
    print(f"7 hours of study -> predicted grade {net.predict([7.0])[0]:.2f}")


if __name__ == "__main__":
    main()
