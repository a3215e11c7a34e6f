"""What Jupyter shows for akili's objects (``_repr_html_``): a Network as a table
of its layers and settings (with its weights when it is small), a Trace as the
book's named arrays with their equations, a History as a compact table and,
when matplotlib is installed, its learning curves.

Only the standard library and NumPy are used here; matplotlib is imported
when a History is shown, and only if it is installed.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np

#: Weight matrices up to this many values are shown in full.
MAX_WEIGHTS_SHOWN = 64
#: Arrays of a Trace longer than this are cut to their first and last values.
MAX_VALUES_SHOWN = 12
#: Histories longer than this show their first and last epochs only.
MAX_EPOCH_ROWS = 12

_STYLE = (
    "<style>.akili-table{border-collapse:collapse;font-size:90%;margin:4px 0}"
    ".akili-table td,.akili-table th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    ".akili-table th{background:#f3f3f3}.akili-table td.akili-name{text-align:left}"
    ".akili-eq{font-family:monospace;color:#555}</style>"
)


def _escape(value: Any) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[str]], *, escape: bool = True) -> str:
    """An HTML table; cells are escaped unless they are already HTML."""

    def cell(value: str, tag: str, first: bool) -> str:
        css = ' class="akili-name"' if first and tag == "td" else ""
        return f"<{tag}{css}>{_escape(value) if escape else value}</{tag}>"

    head = "".join(cell(h, "th", i == 0) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell(v, "td", i == 0) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="akili-table"><tr>{head}</tr>{body}</table>'


def _number(value: float, digits: int = 4) -> str:
    return f"{float(value):.{digits}g}"


def _matrix(array: np.ndarray, digits: int = 4) -> str:
    """A small matrix as a table without headings (row i: node i's links)."""
    array = np.atleast_2d(np.asarray(array))
    rows = "".join("<tr>" + "".join(f"<td>{_number(v, digits)}</td>" for v in row) + "</tr>" for row in array)
    return f'<table class="akili-table">{rows}</table>'


def network_html(net: Any) -> str:
    """Layers, shapes, activations, settings and parameter count; weights of small layers."""
    rows = []
    total = 0
    for index, layer in enumerate(net.layers):
        count = layer.inputs * layer.outputs + (layer.outputs if layer.has_bias else 0)
        total += count
        mask = layer.trainable_mask
        state = "frozen" if layer.frozen else ("masked" if mask is not None else "trains")
        rows.append(
            [
                f"{index}",
                f"{layer.inputs} → {layer.outputs}",
                f"({layer.outputs}, {layer.inputs})",
                layer.activation,
                "yes" if layer.has_bias else "no",
                state,
                f"{count:,}",
            ]
        )
    layers = _table(["layer", "nodes", "W shape", "activation", "bias", "weights", "parameters"], rows)
    optimizer = getattr(net, "optimizer", None)
    settings = [
        ["loss", net.loss],
        ["rule", net.rule],
        ["learning rate", f"{net.learning_rate:g}"],
        ["optimizer", str(optimizer) if optimizer is not None else "SGD: W += lr·ΔW"],
        ["dtype", net.dtype.name],
        ["init", getattr(net, "_init", "book")],
        ["seed", str(net.seed)],
        ["parameters", f"{total:,}"],
    ]
    weights = []
    for index, layer in enumerate(net.layers):
        if layer.inputs * layer.outputs <= MAX_WEIGHTS_SHOWN:
            text = f"<div><b>W{index + 1}</b> (layer {index}, row i: the links into node i){_matrix(layer.weights)}"
            if layer.has_bias:
                text += f"<b>b{index + 1}</b>{_matrix(layer.bias)}"
            weights.append(text + "</div>")
    shown = "".join(weights)
    return (
        f"{_STYLE}<div><b>{_escape(type(net).__name__)}</b> {_escape(_sizes(net))}"
        f"{layers}{_table(['setting', 'value'], settings)}{shown}</div>"
    )


def _sizes(net: Any) -> str:
    return "-".join(str(size) for size in [net.n_inputs, *(layer.outputs for layer in net.layers)])


def _values(array: np.ndarray) -> str:
    """A trace array as text: rows of numbers, long ones cut to their ends."""
    array = np.asarray(array)
    with np.printoptions(precision=4, suppress=True, threshold=MAX_VALUES_SHOWN, edgeitems=3, linewidth=120):
        return np.array2string(array, separator=", ")


def trace_html(trace: Any) -> str:
    """Each layer's arrays under the book's names, with the equation that made each."""
    last = len(trace.layer_inputs) - 1
    parts = [_STYLE, f"<div><b>Trace</b> of a {'training step' if trace.is_step else 'forward pass'}"]
    for k in range(last + 1):
        where = "output layer" if k == last else f"hidden layer {k + 1}"
        prefix = "final" if k == last else "hidden"
        rows = [
            ["I", "inputs" if k == 0 else f"O of layer {k - 1}", "input", _values(trace.layer_inputs[k])],
            ["X", f"{prefix}_inputs", "X = W·I (+ b)", _values(trace.combined[k])],
            ["O", f"{prefix}_outputs", "O = f(X)", _values(trace.layer_outputs[k])],
        ]
        if trace.is_step:
            rows.append(
                [
                    "E",
                    "output_errors" if k == last else "hidden_errors",
                    "E = T - O" if k == last else "E = the rule's split of the errors above",
                    _values(trace.errors[k]),
                ]
            )
            rows.append(["D", "deltas", "D = E ∘ f'(O)", _values(trace.deltas[k])])
            rows.append(["ΔW", "weight_updates", "ΔW = lr·Dᵀ·I", _values(trace.weight_updates[k])])
        body = [
            [
                _escape(name),
                _escape(book),
                f'<span class="akili-eq">{_escape(eq)}</span>',
                f"<pre>{_escape(value)}</pre>",
            ]
            for name, book, eq, value in rows
        ]
        parts.append(f"<div>layer {k} ({where})</div>")
        parts.append(_table(["", "name", "equation", "values"], body, escape=False))
    if trace.loss is not None:
        parts.append(f"<div>loss before the update = {_number(trace.loss, 6)}</div>")
    return "".join(parts) + "</div>"


def history_html(history: Any) -> str:
    """A table of epochs (the first and last few of a long run) and, with matplotlib, the curves."""
    columns = ["epoch", "loss"]
    has_accuracy = any(a is not None for a in history.accuracy)
    if has_accuracy:
        columns.append("accuracy")
    if history.val_loss:
        columns.append("validation loss")
        if any(a is not None for a in history.val_accuracy):
            columns.append("validation accuracy")
    columns += ["samples", "seconds"]

    def row(e: int) -> list[str]:
        values = [str(e + 1), _number(history.loss[e])]
        if has_accuracy:
            values.append("" if history.accuracy[e] is None else f"{history.accuracy[e]:.4f}")
        if "validation loss" in columns:
            values.append(_number(history.val_loss[e]) if e < len(history.val_loss) else "")
        if "validation accuracy" in columns:
            accuracy = history.val_accuracy[e] if e < len(history.val_accuracy) else None
            values.append("" if accuracy is None else f"{accuracy:.4f}")
        values += [str(history.samples[e]), f"{history.epoch_seconds[e]:.3f}"]
        return values

    epochs = history.epochs
    if epochs <= MAX_EPOCH_ROWS:
        rows = [row(e) for e in range(epochs)]
    else:
        head = MAX_EPOCH_ROWS // 2
        rows = (
            [row(e) for e in range(head)]
            + [["…"] + [""] * (len(columns) - 1)]
            + [row(e) for e in range(epochs - head + 1, epochs)]
        )
    summary = (
        f"<b>History</b>: {epochs} epoch{'s' if epochs != 1 else ''}, {history.seconds:.3f} s"
        + (", stopped early" if history.stopped else "")
        + (
            f", {len(history.curve_loss)} points inside the epochs (every {history.log_every} samples)"
            if history.curve_loss
            else ""
        )
    )
    return f"{_STYLE}<div>{summary}{_table(columns, rows)}{_picture(history)}</div>"


def _picture(history: Any) -> str:
    """The learning curves as an inline PNG, or nothing without matplotlib or epochs."""
    if history.epochs == 0:
        return ""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return ""
    from .plotting import plot_history

    figure = plot_history(history)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="learning curves" src="data:image/png;base64,{encoded}"/>'
