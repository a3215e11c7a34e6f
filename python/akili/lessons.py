"""Lesson helpers: the three error rules side by side, and the lecture's
error-split set-up.

>>> from akili import lessons
>>> comparison = lessons.compare_rules(net, inputs, targets, epochs=20)
>>> print(comparison)

Everything numeric runs in the C++ core; this module only runs the same
network under each rule and gathers what the traces and histories report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._network import RULES, Dense, Network
from ._trace import Trace
from ._validation import check_positive_int

__all__ = ["RuleComparison", "compare_rules", "error_split_step"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


LECTURE_ORDER = ("normalized", "transpose", "gradient")


@dataclass(frozen=True, eq=False)
class RuleComparison:
    """What :func:`compare_rules` measured, keyed by rule name.

    ``output_errors`` is E = T - O for the chosen example (the same under every
    rule: the weights are identical before training); ``hidden_errors[rule]`` the
    error each rule sends to the hidden layers for it (one array, or a tuple for
    several hidden layers, first layer first); ``curves[rule]`` the mean training
    loss per epoch; ``final_loss`` and ``accuracy`` are measured on the training
    data after the last epoch (accuracy None for non-class targets).
    """

    rules: tuple[str, ...]
    example: int
    output_errors: np.ndarray
    hidden_errors: dict[str, Any]
    curves: dict[str, list[float]]
    final_loss: dict[str, float]
    accuracy: dict[str, float | None] = field(default_factory=dict)

    def ratio(self, rule: str, reference: str = "transpose") -> np.ndarray:
        """hidden_errors[rule] / hidden_errors[reference] for the last hidden layer,
        node by node. With a single output the normalised split is the transposed
        one divided by Σ|w|: the ratio is that one constant for every node (the size
        changes, the proportions do not)."""

        def last(value: Any) -> np.ndarray:
            return np.asarray(value[-1] if isinstance(value, tuple) else value)

        with np.errstate(divide="ignore", invalid="ignore"):
            return last(self.hidden_errors[rule]) / last(self.hidden_errors[reference])

    def report(self, *, precision: int = 4) -> str:
        """A table of the hidden errors and the learning curves, rule by rule."""

        def text(value: Any) -> str:
            arrays = value if isinstance(value, tuple) else (value,)
            return " | ".join(
                np.array2string(
                    np.asarray(a), precision=precision, suppress_small=True, floatmode="fixed", separator=", "
                )
                for a in arrays
            )

        lines = [
            f"example {self.example}: output error E = T - O = {text(self.output_errors)}",
            "hidden errors sent back for it:",
        ]
        width = max(len(rule) for rule in self.rules)
        for rule in self.rules:
            lines.append(f"  {rule:<{width}s}  {text(self.hidden_errors[rule])}")
        lines.append("learning curves (mean training loss per epoch):")
        epochs = len(next(iter(self.curves.values())))
        marks = sorted({0, epochs // 4, epochs // 2, epochs - 1})
        lines.append(f"  {'epoch':<{width}s}  " + "  ".join(f"{m + 1:>9d}" for m in marks) + "      final")
        for rule in self.rules:
            curve = self.curves[rule]
            points = "  ".join(f"{curve[m]:9.{precision}f}" for m in marks)
            accuracy = self.accuracy.get(rule)
            tail = f"  accuracy {accuracy:.3f}" if accuracy is not None else ""
            lines.append(f"  {rule:<{width}s}  {points}  {self.final_loss[rule]:9.{precision}f}{tail}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def compare_rules(
    network: Network,
    inputs: Any,
    targets: Any,
    *,
    rules: Sequence[str] = LECTURE_ORDER,
    epochs: int = 20,
    batch_size: int = 1,
    example: int = 0,
) -> RuleComparison:
    """Trains copies of ``network`` (same weights, same shuffling seed) under each
    rule and reports, for the same example, the hidden errors each rule sends
    back, plus each rule's learning curve.

    ``network`` itself is not changed. ``example`` indexes the row of
    ``inputs``/``targets`` whose errors are traced (before any training, so
    every rule starts from identical weights). The network needs at least one
    hidden layer.
    """
    if not isinstance(network, Network):
        raise TypeError(f"[compare_rules] expected an akili.Network, got {type(network).__name__}")
    if len(network.layers) < 2:
        raise ValueError("[compare_rules] expected a network with at least one hidden layer, got a single layer")
    rules = tuple(rules)
    if not rules:
        raise ValueError("[compare_rules] expected at least one rule")
    for rule in rules:
        if rule not in RULES:
            raise ValueError(f"[compare_rules] unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    epochs = check_positive_int(epochs, "epochs", "compare_rules")
    inputs = np.asarray(inputs)
    targets = np.asarray(targets)
    if inputs.ndim != 2:
        raise ValueError(
            f"[compare_rules] expected inputs as a 2-D array (samples, features), got shape {inputs.shape}"
        )
    if targets.ndim == 1:
        targets = targets.reshape(-1, 1)
    example = check_positive_int(example, "example", "compare_rules", minimum=0)
    if example >= inputs.shape[0]:
        raise ValueError(f"[compare_rules] example {example} is out of range for {inputs.shape[0]} samples")

    hidden: dict[str, Any] = {}
    curves: dict[str, list[float]] = {}
    final: dict[str, float] = {}
    accuracy: dict[str, float | None] = {}
    output_errors = None
    for rule in rules:
        trained = network.copy()
        trained.rule = rule
        probe = trained.copy()  # traced on a copy: training starts from the untouched weights
        trace = probe.step(inputs[example], targets[example], trace=True)
        hidden[rule] = trace.hidden_errors
        if output_errors is None:
            output_errors = trace.output_errors
        history = trained.fit(inputs, targets, epochs=epochs, batch_size=batch_size)
        curves[rule] = list(history.loss)
        scores = trained.evaluate(inputs, targets)
        final[rule] = float(scores["loss"])
        accuracy[rule] = scores["accuracy"]
    return RuleComparison(
        rules=rules,
        example=example,
        output_errors=output_errors,
        hidden_errors=hidden,
        curves=curves,
        final_loss=final,
        accuracy=accuracy,
    )


def error_split_step(weights_to_output: Any, output_errors: Any, rule: str) -> tuple[Network, Trace]:
    """The lecture's error split as a real training step.

    Input 1.0 -> hidden nodes that pass it on (weight 1, identity) -> outputs
    (identity) whose links from the hidden nodes have ``weights_to_output``
    (row i: the links into output i). The hidden outputs are all 1.0, so each
    output is the sum of its row; the targets are T = O + E, so the step's
    output errors are exactly ``output_errors``. Returns the network and the
    step's Trace: ``trace.hidden_errors`` is what ``rule`` sends back, e.g.
    weights [[0.6, 0.2]] sharing an error of 2.0 give 1.5 and 0.5
    ("normalized") or 1.2 and 0.4 ("transpose"). Draw it with
    ``akili.plotting.draw_network(net, trace, from_layer=1)``.
    """
    weights_to_output = np.asarray(weights_to_output, dtype=float)
    if weights_to_output.ndim != 2:
        raise ValueError(
            f"[error_split_step] expected weights_to_output as a 2-D array (outputs, hidden), "
            f"got shape {weights_to_output.shape}"
        )
    outputs, hidden = weights_to_output.shape
    hidden_layer = Dense(1, hidden, activation="identity")
    output_layer = Dense(hidden, outputs, activation="identity")
    net = Network([hidden_layer, output_layer], loss="squared_error", rule=rule, learning_rate=0.1)
    hidden_layer.weights = np.ones((hidden, 1))
    output_layer.weights = weights_to_output
    targets = net.predict([1.0]) + np.asarray(output_errors, dtype=float)  # T = O + E
    return net, net.step([1.0], targets, trace=True)
