"""Lesson 4c: local minima and restarts.

Gradient descent finds a local minimum: wherever the slope runs out. XOR with
only two hidden nodes has bad ones, where the network settles with outputs
near 0.5 for some inputs and stops improving. Which minimum it reaches depends
on where it starts, that is, on the random initial weights. The remedy the
lecture gives: train from several different random starting points and keep
the best.

    python examples/restarts.py
"""

from __future__ import annotations

import numpy as np

import akili

SEEDS = range(10)
EPOCHS = 2000
SOLVED = 0.01  # mean loss below which every output is on the right side, with margin


def xor_net(seed: int) -> akili.Network:
    layers = [akili.Dense(2, 2, activation="sigmoid", bias=True), akili.Dense(2, 1, activation="sigmoid", bias=True)]
    return akili.Network(layers, loss="squared_error", rule="gradient", learning_rate=1.0, seed=seed)


def main() -> None:
    inputs, labels = akili.datasets.xor()
    targets = labels.reshape(-1, 1).astype(float)
    print(f"XOR, 2-2-1 sigmoid network, {EPOCHS} epochs from each of {len(SEEDS)} random starts")
    print("seed   final loss   accuracy   outputs for 00, 01, 10, 11")
    results = []
    for seed in SEEDS:
        net = xor_net(seed)
        net.fit(inputs, targets, epochs=EPOCHS)
        scores = net.evaluate(inputs, targets)
        loss = scores["loss"]
        outputs = net.predict(inputs)[:, 0]
        verdict = "solved" if loss < SOLVED else "stuck in a local minimum"
        print(f"{seed:4d}   {loss:10.6f}   {scores['accuracy']:8.2f}   {np.round(outputs, 3)}  {verdict}")
        results.append((loss, seed, net))

    stuck = [seed for loss, seed, _ in results if loss >= SOLVED]
    # More training does not help a stuck start: the slope around it is flat.
    for loss, seed, net in results:
        if loss >= SOLVED:
            net.fit(inputs, targets, epochs=5 * EPOCHS)
            print(
                f"seed {seed}: {5 * EPOCHS} more epochs move the loss from {loss:.6f} "
                f"to {net.loss_value(inputs, targets):.6f}: still stuck"
            )
    best_loss, best_seed, best = min(results, key=lambda result: result[0])
    print(f"{len(stuck)} of {len(SEEDS)} starts got stuck (seeds {stuck})")
    print(
        f"restarts keep the best: seed {best_seed}, loss {best_loss:.6f}, "
        f"outputs {np.round(best.predict(inputs)[:, 0], 3)}"
    )


if __name__ == "__main__":
    main()
