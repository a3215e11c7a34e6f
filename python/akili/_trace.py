"""Step-through records: every array of one forward pass or training step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Trace:
    """The intermediate arrays of a forward pass (and, after ``step``, of the
    backward pass), one entry per layer from the first layer to the output.

    Samples are rows: ``layer_inputs[k]`` is I (n, inputs of layer k),
    ``combined[k]`` is X = W·I + b and ``layer_outputs[k]`` is O = f(X).
    After a training step, ``errors[k]`` is the error reaching layer k (E = T - O
    at the output; the rule's hidden error below it), ``deltas[k]`` the error
    times the activation's derivative and ``weight_updates[k]`` the ΔW that was
    added to W (``bias_updates[k]`` likewise). With dropout (akili.Dropout),
    ``dropout_masks[k]`` is the mask M on layer k's outputs (0 or 1/(1-p) per
    value; None without dropout) and ``layer_inputs[k + 1]`` the kept outputs
    O ∘ M. For a single 1-D sample the arrays are 1-D.

    The book's names are properties: ``inputs``, ``hidden_inputs``,
    ``hidden_outputs``, ``final_inputs``, ``final_outputs``, ``output_errors``
    and ``hidden_errors``. With one hidden layer the ``hidden_*`` names are
    arrays; with several they are tuples of arrays, first layer first.

    ``str(trace)`` (or :meth:`describe`) lays every array out layer by layer,
    in the order the lesson computes them. Where the core computes each line:
    cpp/src/network.cpp, ``Network::forward_trace`` and ``Network::step_online``
    / ``Network::step_batch`` (X, O, E, D), ``Network::backward_coefficients``
    (what each rule sends back) and ``Network::record_backward`` (ΔW).
    """

    layer_inputs: tuple[np.ndarray, ...]
    combined: tuple[np.ndarray, ...]
    layer_outputs: tuple[np.ndarray, ...]
    errors: tuple[np.ndarray, ...] = ()
    deltas: tuple[np.ndarray, ...] = ()
    weight_updates: tuple[np.ndarray, ...] = ()
    bias_updates: tuple[np.ndarray, ...] = ()
    loss: float | None = None
    dropout_masks: tuple[np.ndarray | None, ...] = ()

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
            dropout_masks=tuple(
                None if np.asarray(a).size == 0 else (np.asarray(a)[0] if squeeze else np.asarray(a))
                for a in record.get("dropout_masks", [])
            ),
            loss=loss,
        )

    @staticmethod
    def _hidden(values: tuple[np.ndarray, ...]) -> np.ndarray | tuple[np.ndarray, ...]:
        hidden = values[:-1]
        if not hidden:
            raise AttributeError("this network has a single layer: there are no hidden layers to name")
        return hidden[0] if len(hidden) == 1 else hidden

    @property
    def is_step(self) -> bool:
        """True for a training step (errors and updates recorded), False for a forward pass."""
        return bool(self.errors)

    def describe(self, *, precision: int = 4) -> str:
        """Every array of the pass, layer by layer, with the equation that made it.

        Labels are padded to one width and the rows of a matrix (ΔW) continue
        under its first row, so every array starts in the same column."""
        last = len(self.layer_inputs) - 1
        lines = []

        def add(label: str, array: np.ndarray) -> None:
            prefix = f"  {label:<21} = "
            text = np.array2string(
                np.asarray(array),
                precision=precision,
                suppress_small=True,
                floatmode="fixed",
                separator=", ",
                max_line_width=100,
                prefix=prefix,
            )
            lines.append(prefix + text)

        for k in range(last + 1):
            where = "output layer" if k == last else f"hidden layer {k + 1}"
            lines.append(f"layer {k} ({where})")
            add("I  (input)", self.layer_inputs[k])
            add("X  = W·I (+ b)", self.combined[k])
            add("O  = f(X)", self.layer_outputs[k])
            if self.is_step:
                add("E  = -∂L/∂O (T - O)" if k == last else "E  (the rule's split)", self.errors[k])
                add("D  = E ∘ f'(O)", self.deltas[k])
                add("ΔW = lr·Dᵀ·I", self.weight_updates[k])
        if self.loss is not None:
            lines.append(f"loss before the update = {self.loss:.{precision + 2}g}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        """Jupyter's view: the book's named arrays as tables, with their equations."""
        from ._html import trace_html

        return trace_html(self)

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
