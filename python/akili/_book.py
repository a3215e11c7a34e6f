"""The book's network ("Make Your Own Neural Network"), as a preset of Network."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._network import Dense, Network
from ._validation import as_matrix, as_targets


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
        super().__init__(
            layers, loss="squared_error", learning_rate=learning_rate, rule=rule, dtype=dtype, init="book", seed=seed
        )

    def train(self, inputs_list: Any, targets_list: Any) -> None:
        """One training step on one example (the book's train()); returns None, as the book's does.

        Calls made one example at a time, as in the book's loop, run at the speed of
        ``fit(batch_size=1)``: the example is checked at once (a wrong size, NaN or
        infinity raises here, with the network unchanged), then queued, and a block
        of 64 queued examples is applied together with the exact arithmetic of
        ``fit``'s online training. Anything that reads or changes the network
        (``wih``/``who``, ``weights``, ``query``/``predict``, ``step``, ``fit``,
        ``save``, ``copy``, pickling, a new learning rate or rule) applies the queue
        first, so it always sees every step so far: the weights equal those of
        immediate steps (float64: to ~1e-15). For the loss of a step, use
        ``step(inputs, targets)``, which steps at once and returns it.

        A queued step that diverges (loss or weights non-finite: the learning rate
        is far too large) raises DivergenceError from the call that applies it
        (this one, or the next that reads or changes the network), naming the
        step; the weights are then those from before it and later queued steps
        are dropped.
        """
        try:
            if self._native.train_example(inputs_list, targets_list, "NeuralNetwork.train"):
                return None
        except ValueError:
            pass  # refused: the checks below say why, under this call's name
        if np.ndim(inputs_list) != 1:
            raise ValueError(
                f"[NeuralNetwork.train] expected one example as a 1-D array, got shape "
                f"{np.shape(inputs_list)}; use fit() for many"
            )
        matrix, _ = as_matrix(
            inputs_list, dtype=self.dtype, columns=self.n_inputs, name="inputs", where="NeuralNetwork.train"
        )
        target_matrix = as_targets(
            np.asarray(targets_list).reshape(1, -1) if np.ndim(targets_list) == 1 else targets_list,
            dtype=self.dtype,
            columns=self.n_outputs,
            samples=1,
            where="NeuralNetwork.train",
        )
        self._native.train_example(matrix[0], target_matrix[0], "NeuralNetwork.train")
        return None

    def query(self, inputs_list: Any) -> np.ndarray:
        """The outputs for one example (1-D) or many (2-D rows), the book's query()."""
        try:
            outputs = self._native.predict_example(inputs_list)
        except ValueError:
            outputs = None  # refused: the checked path says why
        if outputs is not None:
            return outputs
        return self._predict_checked(inputs_list, "NeuralNetwork.query")

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
        return (
            f"NeuralNetwork({sizes[0]}, {hidden}, {sizes[-1]}, learning_rate={self.learning_rate:g}, "
            f"rule={self.rule!r}, dtype={self.dtype.name!r}, seed={self.seed})"
        )
