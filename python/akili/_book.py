"""The book's network ("Make Your Own Neural Network"), as a preset of Network."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._network import Dense, Network


class NeuralNetwork(Network):
    """The book's three-layer network: sigmoid nodes, no bias, weights drawn from
    N(0, n_in^-½), squared error and the "transpose" rule, trained one example
    at a time::

        nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=1)
        nn.train(inputs, targets)   # the book's train(): one example, 1-D arrays
        outputs = nn.query(inputs)  # the book's query()

    ``hidden_nodes`` may also be a sequence of sizes for more hidden layers.
    ``wih`` and ``who`` are the book's names for the two weight matrices.
    """

    def __init__(
        self,
        input_nodes: int,
        hidden_nodes: int | Sequence[int],
        output_nodes: int,
        learning_rate: float = 0.1,
        *,
        seed: int = 0,
        dtype: Any = "float64",
        rule: str = "transpose",
    ) -> None:
        hidden = [hidden_nodes] if isinstance(hidden_nodes, (int, np.integer)) else list(hidden_nodes)
        sizes = [input_nodes, *hidden, output_nodes]
        layers = [Dense(n_in, n_out, activation="sigmoid") for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        super().__init__(layers, loss="squared_error", learning_rate=learning_rate, rule=rule, dtype=dtype,
                         init="book", seed=seed)

    def train(self, inputs_list: Any, targets_list: Any) -> float:
        """One training step on one example (the book's train()); returns its loss ½Σ(t-o)²."""
        if np.ndim(inputs_list) != 1:
            raise ValueError(f"[NeuralNetwork.train] expected one example as a 1-D array, got shape "
                             f"{np.shape(inputs_list)}; use fit() for many")
        return self.step(inputs_list, targets_list)

    def query(self, inputs_list: Any) -> np.ndarray:
        """The outputs for one example (1-D) or many (2-D rows), the book's query()."""
        return self.predict(inputs_list)

    @property
    def wih(self) -> np.ndarray:
        """Input -> hidden weights, shape (hidden, inputs)."""
        return self.layers[0].weights

    @wih.setter
    def wih(self, values: Any) -> None:
        self.layers[0].weights = values

    @property
    def who(self) -> np.ndarray:
        """Hidden -> output weights, shape (outputs, hidden)."""
        return self.layers[-1].weights

    @who.setter
    def who(self, values: Any) -> None:
        self.layers[-1].weights = values

    def __repr__(self) -> str:
        sizes = [self.layers[0].inputs, *(layer.outputs for layer in self.layers)]
        hidden = sizes[1] if len(sizes) == 3 else sizes[1:-1]
        return (f"NeuralNetwork({sizes[0]}, {hidden}, {sizes[-1]}, learning_rate={self.learning_rate:g}, "
                f"rule={self.rule!r}, dtype={self.dtype.name!r}, seed={self.seed})")
