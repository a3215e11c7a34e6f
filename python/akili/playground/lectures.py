"""The lecture's tiny examples: fixed networks and one training example each, chosen
so that one step shows a number the lecture computes by hand.

``split``: one input of 1.0 feeds two hidden nodes through weights of 1 (identity
activations), which reach one output through weights 0.6 and 0.2. The target is
the output plus 2.0, so the output error is E = T - O = 2.0 and one step shows how
each rule shares it: transpose (Wᵀ·E) gives 1.2 and 0.4, normalized (E·w/Σ|w|)
1.5 and 0.5 (examples/error_split.py prints the same).

``book_2x2``: the book's two-output example, W_hidden_output = [[2, 3], [1, 4]] and
output errors 0.8 and 0.5; transpose gives Wᵀ·E = [2.1, 4.4], normalized
[0.42, 0.88] (0.8·2/(2+3) + 0.5·1/(1+4) = 0.42).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import akili


@dataclass(frozen=True)
class Lecture:
    """A fixed network (weights given per layer, identity nodes, no bias) and one example."""

    weights: tuple[tuple[tuple[float, ...], ...], ...]
    inputs: tuple[float, ...]
    output_errors: tuple[float, ...]

    def network(self, *, rule: str, learning_rate: float, loss: str = "squared_error") -> akili.Network:
        layers = [akili.Dense(len(w[0]), len(w), activation="identity") for w in self.weights]
        net = akili.Network(layers, loss=loss, rule=rule, learning_rate=learning_rate)
        for layer, w in zip(net.layers, self.weights):
            layer.weights = np.asarray(w, dtype=np.float64)
        return net

    def example(self) -> tuple[np.ndarray, np.ndarray]:
        """The one example: inputs I and targets T = O + E, so that T - O is the chosen error."""
        net = self.network(rule="transpose", learning_rate=0.1)
        inputs = np.asarray(self.inputs, dtype=np.float64)
        return inputs, net.predict(inputs) + np.asarray(self.output_errors, dtype=np.float64)


LECTURES = {
    "split": Lecture(weights=(((1.0,), (1.0,)), ((0.6, 0.2),)), inputs=(1.0,), output_errors=(2.0,)),
    "book_2x2": Lecture(weights=(((1.0,), (1.0,)), ((2.0, 3.0), (1.0, 4.0))), inputs=(1.0,), output_errors=(0.8, 0.5)),
}
