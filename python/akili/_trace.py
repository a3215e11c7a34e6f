"""Step-through records: every array of one forward pass or training step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Trace:
    """The intermediate arrays of a forward pass (and, after ``step``, of the
    backward pass), one entry per layer from the first layer to the output.

    Samples are rows: ``layer_inputs[k]`` is I (n, inputs of layer k),
    ``combined[k]`` is X = W·I + b and ``layer_outputs[k]`` is O = f(X).
    After a training step, ``errors[k]`` is the error reaching layer k (E = T - O
    at the output; the rule's hidden error below it), ``deltas[k]`` the error
    times the activation's derivative and ``weight_updates[k]`` the ΔW that was
    added to W (``bias_updates[k]`` likewise). For a single 1-D sample the arrays
    are 1-D.

    The book's names are properties: ``inputs``, ``hidden_inputs``,
    ``hidden_outputs``, ``final_inputs``, ``final_outputs``, ``output_errors``
    and ``hidden_errors``. With one hidden layer the ``hidden_*`` names are
    arrays; with several they are tuples of arrays, first layer first.
    """

    layer_inputs: tuple[np.ndarray, ...]
    combined: tuple[np.ndarray, ...]
    layer_outputs: tuple[np.ndarray, ...]
    errors: tuple[np.ndarray, ...] = ()
    deltas: tuple[np.ndarray, ...] = ()
    weight_updates: tuple[np.ndarray, ...] = ()
    bias_updates: tuple[np.ndarray, ...] = ()
    loss: float | None = None

    @classmethod
    def from_native(cls, record: dict, *, squeeze: bool, loss: float | None = None) -> Trace:
        def rows(key: str) -> tuple[np.ndarray, ...]:
            arrays = [np.asarray(a) for a in record.get(key, [])]
            return tuple(a[0] if squeeze else a for a in arrays)

        return cls(
            layer_inputs=rows("inputs"),
            combined=rows("combined"),
            layer_outputs=rows("outputs"),
            errors=rows("errors"),
            deltas=rows("deltas"),
            weight_updates=tuple(np.asarray(a) for a in record.get("weight_updates", [])),
            bias_updates=tuple(np.asarray(a) for a in record.get("bias_updates", [])),
            loss=loss,
        )

    @staticmethod
    def _hidden(values: tuple[np.ndarray, ...]) -> np.ndarray | tuple[np.ndarray, ...]:
        hidden = values[:-1]
        return hidden[0] if len(hidden) == 1 else hidden

    @property
    def inputs(self) -> np.ndarray:
        """The network's input I."""
        return self.layer_inputs[0]

    @property
    def hidden_inputs(self) -> np.ndarray | tuple[np.ndarray, ...]:
        """X_hidden = W_input_hidden · I (+ b)."""
        return self._hidden(self.combined)

    @property
    def hidden_outputs(self) -> np.ndarray | tuple[np.ndarray, ...]:
        """O_hidden = f(X_hidden)."""
        return self._hidden(self.layer_outputs)

    @property
    def final_inputs(self) -> np.ndarray:
        """X_final = W_hidden_output · O_hidden (+ b)."""
        return self.combined[-1]

    @property
    def final_outputs(self) -> np.ndarray:
        """O_final = f(X_final), the network's output."""
        return self.layer_outputs[-1]

    @property
    def output_errors(self) -> np.ndarray:
        """E_output = T - O (available after a training step)."""
        if not self.errors:
            raise AttributeError("output_errors exist only for a training step: use net.step(x, t, trace=True)")
        return self.errors[-1]

    @property
    def hidden_errors(self) -> np.ndarray | tuple[np.ndarray, ...]:
        """Errors of the hidden layers under the network's rule (e.g. Wᵀ·E)."""
        if not self.errors:
            raise AttributeError("hidden_errors exist only for a training step: use net.step(x, t, trace=True)")
        return self._hidden(self.errors)
