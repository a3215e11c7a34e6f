"""Lesson 4a: back-propagating errors. A hidden node's error is the sum of the
errors it sent forward, split in proportion to the weights of its links.

Two links of weights 0.6 and 0.2 share an output error of 2.0:
  with the normalising factor, 2.0 * 0.6/(0.6+0.2) = 1.5 and 2.0 * 0.2/0.8 = 0.5;
  without it, 2.0 * 0.6 = 1.2 and 2.0 * 0.2 = 0.4: the same proportions (3 : 1),
  a different size, which the network corrects as it learns.
Dropping the factor turns the rule into a matrix product with the transposed
weights, E_hidden = W_hidden_outputᵀ · E_output, for any number of nodes and layers.

    python examples/error_split.py
"""

from __future__ import annotations

import numpy as np

import akili
from akili import lessons


def hidden_errors(weights_to_output, output_errors, rule: str) -> np.ndarray:
    """Hidden errors as the network computes them, for chosen output errors E = T - O
    (input 1.0 -> hidden nodes passing it on -> outputs; see lessons.error_split_step)."""
    _, trace = lessons.error_split_step(weights_to_output, output_errors, rule)
    return trace.hidden_errors


def main() -> None:
    print("Two links, weights 0.6 and 0.2, share an output error of 2.0")
    for rule, label in (("normalized", "with the normalising factor"), ("transpose", "without it (Wᵀ·E)")):
        split = hidden_errors([[0.6, 0.2]], [2.0], rule)
        print(f"  {label:28s}: {split[0]:.1f} and {split[1]:.1f}  (ratio {split[0] / split[1]:.1f} : 1)")

    print("\nThe book's 2x2 example: output errors e1 = 0.8, e2 = 0.5; W_hidden_output = [[2, 3], [1, 4]]")
    w = np.array([[2.0, 3.0], [1.0, 4.0]])  # row i: the links into output i
    e = np.array([0.8, 0.5])
    normalized = hidden_errors(w, e, "normalized")
    print(
        f"  normalised split : {np.round(normalized, 4)}   "
        f"(e.g. 0.8*2/(2+3) + 0.5*1/(1+4) = {0.8 * 2 / 5 + 0.5 * 1 / 5:.2f})"
    )
    transposed = hidden_errors(w, e, "transpose")
    print(f"  Wᵀ·E (akili)     : {np.round(transposed, 4)}")
    print(f"  Wᵀ·E (NumPy)     : {w.T @ e}   = [[2, 1], [3, 4]] · [0.8, 0.5]")

    print("\nThe same product carries errors back through every layer: a 2-3-2-2 network")
    layers = [akili.Dense(2, 3), akili.Dense(3, 2), akili.Dense(2, 2)]
    net = akili.Network(layers, rule="transpose", learning_rate=0.1, seed=4)
    weights = [layer.weights for layer in net.layers]
    trace = net.step([0.3, 0.9], [0.99, 0.01], trace=True)
    e_out = trace.output_errors
    e_h2 = weights[2].T @ e_out  # E_hidden2 = W_3ᵀ · E_output
    e_h1 = weights[1].T @ e_h2  # E_hidden1 = W_2ᵀ · E_hidden2
    print(f"  E_output                 = {np.round(e_out, 6)}")
    print(f"  E_hidden2 = W3ᵀ·E_output  = {np.round(trace.hidden_errors[1], 6)}  (NumPy: {np.round(e_h2, 6)})")
    print(f"  E_hidden1 = W2ᵀ·E_hidden2 = {np.round(trace.hidden_errors[0], 6)}  (NumPy: {np.round(e_h1, 6)})")

    print("\nAll three rules, same network, same seed (iris, 4-6-3 book network, 30 epochs):")
    features, species = akili.datasets.iris()
    features, _, _ = akili.datasets.standardize(features)
    targets = akili.datasets.one_hot(species, 3, low=0.01, high=0.99)
    comparison = lessons.compare_rules(
        akili.NeuralNetwork(4, 6, 3, learning_rate=0.1, seed=2), features, targets, epochs=30
    )
    print(comparison.report())
    print("the normalising factor changes the size of the hidden errors, and the network still learns under every rule")


if __name__ == "__main__":
    main()
