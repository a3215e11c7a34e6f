"""The network drawn as the book draws it: nodes in columns, links labelled with
their weights, and — with a Trace — the signals of the forward pass and the
errors of the backward pass written on the picture.

Every number written is a separate matplotlib text artist whose ``gid`` names
what it shows, so a program (or a test) can read the picture back:

    "weight/k/i/j"  W_k[i, j]: layer k's link from node j below to node i
    "bias/k/i"      b_k[i]
    "input/j"       I[j], the network's input
    "combined/c/i"  X of node i in column c (column c ≥ 1 is layer c-1's output)
    "output/c/i"    O = f(X) of that node
    "error/c/i"     E, the error reaching that node (after a training step)
    "split/k/i/j"   the part of node i's error (layer k) sent back to node j below

The split is what the network's rule sends back along each link
(``Network::backward_coefficients`` in cpp/src/network.cpp):

    split_ij = c_i · w_ij,  c_i = E_i (transpose), δ_i = E_i·f'(O_i) (gradient),
                            E_i / Σ_j |w_ij| (normalized)

so each hidden node's error is the sum of the splits that reach it,
E_j = Σ_i split_ij (for the transpose rule: E_hidden = Wᵀ·E).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._labels import check_language, word

#: Forward pass (weights, X, O) in dark ink; backward pass (E, splits) in red.
FORWARD_INK = "#1a1a1a"
BACKWARD_INK = "#c0392b"
POSITIVE_LINK = "#1f77b4"
NEGATIVE_LINK = "#ff7f0e"
COLUMN_SPACING = 2.2
ROW_SPACING = 1.15
NODE_RADIUS = 0.16
INCHES_PER_UNIT = 0.8
#: Layers with more links than this (the lecture's 3-3-3 network has 9 per layer) are drawn without values.
MAX_LABELLED_LINKS = 9


@dataclass(frozen=True)
class _Column:
    """One column of nodes: which of its nodes are drawn, and at what height."""

    size: int
    shown: tuple[int, ...]
    heights: dict[int, float]
    gap_height: float | None  # where the "n nodes not shown" note goes, if any


def _column(size: int, max_nodes: int) -> _Column:
    """The nodes of a column of ``size``: all, or the first and last few with a gap between."""
    if size <= max_nodes:
        shown = tuple(range(size))
        slots: list[int | None] = list(shown)
    else:
        half = max(1, (max_nodes - 1) // 2)
        shown = tuple(range(half)) + tuple(range(size - half, size))
        slots = list(range(half)) + [None] + list(range(size - half, size))
    # Columns are centred on one another; node 0 at the top, as the book draws them.
    top = (len(slots) - 1) * ROW_SPACING / 2
    heights: dict[int, float] = {}
    gap = None
    for position, node in enumerate(slots):
        height = top - position * ROW_SPACING
        if node is None:
            gap = height
        else:
            heights[node] = height
    return _Column(size, shown, heights, gap)


def _single_sample(array: np.ndarray, what: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim == 2:
        if array.shape[0] != 1:
            raise ValueError(
                f"[draw_network] expected a trace of one sample, got {array.shape[0]} rows in {what}; "
                "trace one sample (a 1-D input) to draw it"
            )
        array = array[0]
    return array


def _check_trace(net: Any, trace: Any) -> None:
    from ._trace import Trace

    if not isinstance(trace, Trace):
        raise TypeError(
            f"[draw_network] expected trace as an akili.Trace (from forward or step with trace=True), "
            f"got {type(trace).__name__}"
        )
    if len(trace.layer_outputs) != len(net.layers):
        raise ValueError(
            f"[draw_network] the trace has {len(trace.layer_outputs)} layers, the network "
            f"{len(net.layers)}: draw a trace of this network"
        )
    for k, layer in enumerate(net.layers):
        if np.shape(trace.layer_outputs[k])[-1] != layer.outputs:
            raise ValueError(
                f"[draw_network] layer {k} of the trace has {np.shape(trace.layer_outputs[k])[-1]} "
                f"outputs, the network's {layer.outputs}: draw a trace of this network"
            )


def _weights_used(net: Any, trace: Any) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """The weights (and biases) the traced pass used: for a training step, the ones
    before its update, W - ΔW, since the step has already added ΔW."""
    weights = [np.asarray(layer.weights, dtype=float) for layer in net.layers]
    biases = [None if layer.bias is None else np.asarray(layer.bias, dtype=float) for layer in net.layers]
    if trace is not None and trace.is_step:
        weights = [w - np.asarray(update, dtype=float) for w, update in zip(weights, trace.weight_updates)]
        if trace.bias_updates:
            biases = [
                None if b is None else b - np.asarray(update, dtype=float)
                for b, update in zip(biases, trace.bias_updates)
            ]
    return weights, biases


def split_coefficients(rule: str, errors: np.ndarray, deltas: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """c_i, what node i multiplies by w_ij to send back to node j under ``rule``
    (as ``Network::backward_coefficients`` computes it)."""
    if rule == "transpose":
        return errors  # the raw error E (the book)
    if rule == "gradient":
        return deltas  # δ = E ∘ f'(O) (back-propagation)
    row_sums = np.abs(weights).sum(axis=1)  # Σ_j |w_ij|
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(row_sums > 0, errors / np.where(row_sums > 0, row_sums, 1.0), 0.0)  # e_i / Σ_j |w_ij|


def draw_network(
    net: Any,
    trace: Any = None,
    ax: Any = None,
    lang: str = "en",
    *,
    max_nodes: int = 10,
    show_weights: bool | None = None,
    precision: int = 2,
    from_layer: int = 0,
    title: str | None = None,
) -> Any:
    """Draws ``net`` as the book does and returns the matplotlib Figure.

    Inputs, hidden and output nodes stand in columns, left to right; each link is
    coloured by its weight's sign (blue positive, orange negative) and as wide as
    its size, and for small layers (9 links or fewer; ``show_weights`` forces it
    on or off) its value is written on it. A layer with a bias gets a square bias
    node "1" below its inputs, linked with the bias values.

    With a ``trace`` of one sample (``net.forward(x, trace=True)`` or
    ``net.step(x, t, trace=True)``) the forward pass is written in dark ink: each
    input I, and each node's X = W·I (+ b) and O = f(X). A training step adds the
    backward pass in red: each node's error E and, on every link into a hidden
    node, the part of the error sent back along it as the network's rule
    computes it (transpose: E_i·w_ij, normalized: E_i·w_ij/Σ_j|w_ij|, gradient:
    δ_i·w_ij), which add up to that node's E. A step has already updated the
    weights: the picture shows the weights the step used, W - ΔW.

    Columns of more than ``max_nodes`` nodes show their first and last few and
    say how many are left out; their layers' weight matrices are then drawn as
    heat maps beside the diagram (unless ``ax`` is given). ``ax``: draw into this
    matplotlib Axes (its Figure is returned). ``lang="sw"`` labels the picture in
    Kiswahili. ``from_layer=k`` starts the picture at layer k's inputs (e.g. 1:
    hidden nodes and outputs only, as the lecture's error-split figures).
    ``precision``: decimals of the numbers written. Every number is a text
    artist whose gid says what it is (see the module's docstring).
    """
    check_language(lang, "draw_network")
    from ._network import Network

    if not isinstance(net, Network):
        raise TypeError(f"[draw_network] expected an akili.Network, got {type(net).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 3:
        raise ValueError(f"[draw_network] expected max_nodes as an int >= 3, got {max_nodes!r}")
    layer_count = len(net.layers)
    if isinstance(from_layer, bool) or not isinstance(from_layer, int) or not 0 <= from_layer < layer_count:
        raise ValueError(f"[draw_network] expected from_layer in 0..{layer_count - 1}, got {from_layer!r}")
    if trace is not None:
        _check_trace(net, trace)
    weights, biases = _weights_used(net, trace)
    sizes = [net.n_inputs] + [layer.outputs for layer in net.layers]
    columns_drawn = list(range(from_layer, layer_count + 1))
    columns = {c: _column(sizes[c], max_nodes) for c in columns_drawn}
    collapsed_layers = [
        k for k in range(from_layer, layer_count) if columns[k].size > max_nodes or columns[k + 1].size > max_nodes
    ]

    # The drawing's extent in data units; the figure is sized to it (equal aspect, ~0.8 inch per unit).
    x_range = (
        (columns_drawn[0] - from_layer) * COLUMN_SPACING - 1.1,
        (layer_count - from_layer) * COLUMN_SPACING + 0.9,
    )
    has_bias = any(net.layers[k].has_bias for k in range(from_layer, layer_count))
    y_range = (
        min(min(columns[c].heights.values()) for c in columns_drawn) - 1.3 - (0.5 if has_bias else 0.0),
        max(max(columns[c].heights.values()) for c in columns_drawn) + 1.35,
    )
    figure_width = INCHES_PER_UNIT * (x_range[1] - x_range[0]) + 0.3
    figure_height = INCHES_PER_UNIT * (y_range[1] - y_range[0]) + 0.8  # + the caption
    own_figure = ax is None
    if own_figure:
        from .plotting import _figure

        heat_maps = len(collapsed_layers)
        figure = _figure(figure_width + 3.0 * heat_maps, figure_height)
        if heat_maps:
            grid = figure.add_gridspec(1, 1 + heat_maps, width_ratios=[figure_width] + [3.0] * heat_maps)
            ax = figure.add_subplot(grid[0, 0])
            heat_axes = [figure.add_subplot(grid[0, 1 + index]) for index in range(heat_maps)]
        else:
            ax = figure.add_subplot(1, 1, 1)
            heat_axes = []
    else:
        figure = ax.figure
        heat_axes = []

    def x_of(column: int) -> float:
        return (column - from_layer) * COLUMN_SPACING

    def number(value: float) -> str:
        return f"{value:.{precision}f}"

    # Values of the forward and backward pass, one sample.
    values: dict[str, list[np.ndarray]] = {}
    if trace is not None:
        values["input"] = [_single_sample(trace.layer_inputs[0], "inputs")]
        values["combined"] = [_single_sample(a, "combined") for a in trace.combined]
        values["output"] = [_single_sample(a, "outputs") for a in trace.layer_outputs]
        if trace.is_step:
            values["error"] = [_single_sample(a, "errors") for a in trace.errors]
            values["delta"] = [_single_sample(a, "deltas") for a in trace.deltas]

    # Links, layer by layer: weight k joins column k to column k + 1.
    for k in range(from_layer, layer_count):
        below, above = columns[k], columns[k + 1]
        w = weights[k]
        largest = float(np.abs(w).max()) if w.size else 0.0
        bias = biases[k]
        if bias is not None and bias.size:
            largest = max(largest, float(np.abs(bias).max()))
        link_count = len(below.shown) * len(above.shown) + (len(above.shown) if bias is not None else 0)
        label_links = (
            show_weights
            if show_weights is not None
            else (link_count <= MAX_LABELLED_LINKS and k not in collapsed_layers)
        )
        sends_errors = "error" in values and k >= 1
        coefficients = None
        if sends_errors:
            coefficients = split_coefficients(net.rule, values["error"][k], values["delta"][k], w)
        sources = [(j, below.heights[j]) for j in below.shown]
        bias_height = None
        if bias is not None:
            bias_height = min(below.heights.values()) - ROW_SPACING
            if below.gap_height is not None and below.gap_height < bias_height + ROW_SPACING / 2:
                bias_height = below.gap_height - ROW_SPACING
        for i in above.shown:
            y_to = above.heights[i]
            links = [(j, y_from, float(w[i, j]), False) for j, y_from in sources]
            if bias is not None and bias_height is not None:
                links.append((-1, bias_height, float(bias[i]), True))
            for j, y_from, value, is_bias in links:
                width = 0.4 + 3.2 * abs(value) / largest if largest > 0 else 0.4
                x0, x1 = x_of(k) + NODE_RADIUS, x_of(k + 1) - NODE_RADIUS
                ax.plot(
                    [x0, x1],
                    [y_from, y_to],
                    color=POSITIVE_LINK if value >= 0 else NEGATIVE_LINK,
                    linewidth=width,
                    alpha=0.75,
                    solid_capstyle="round",
                    zorder=1,
                )
                # The weight near the node it feeds, the error split near the node it
                # reaches: a fifth of the way along, links meeting at one node are
                # a fifth of a row apart there, so their labels do not overlap.
                if label_links:
                    t = 0.8
                    ax.text(
                        x0 + t * (x1 - x0),
                        y_from + t * (y_to - y_from),
                        number(value),
                        fontsize=8,
                        color=FORWARD_INK,
                        ha="center",
                        va="center",
                        zorder=4,
                        gid=f"bias/{k}/{i}" if is_bias else f"weight/{k}/{i}/{j}",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                    )
                if coefficients is not None and not is_bias and label_links:
                    t = 0.2
                    ax.text(
                        x0 + t * (x1 - x0),
                        y_from + t * (y_to - y_from),
                        "← " + number(float(coefficients[i]) * value),
                        fontsize=8,
                        color=BACKWARD_INK,
                        ha="center",
                        va="center",
                        zorder=4,
                        gid=f"split/{k}/{i}/{j}",
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "#fdecea", "edgecolor": "none", "alpha": 0.9},
                    )
        if bias_height is not None:
            ax.add_patch(_square(x_of(k), bias_height))
            ax.text(x_of(k), bias_height, "1", fontsize=8, ha="center", va="center", zorder=5)
            ax.text(x_of(k), bias_height - 0.3, word("bias", lang), fontsize=7, ha="center", va="top", color="0.35")

    # Nodes and their values.
    for c in columns_drawn:
        column = columns[c]
        for node in column.shown:
            y = column.heights[node]
            ax.add_patch(_circle(x_of(c), y))
            if c == 0 and "input" in values:
                ax.text(
                    x_of(c) - NODE_RADIUS - 0.08,
                    y,
                    f"I {number(float(values['input'][0][node]))}",
                    fontsize=8,
                    ha="right",
                    va="center",
                    color=FORWARD_INK,
                    gid=f"input/{node}",
                )
            elif c >= 1 and "combined" in values:
                ax.text(
                    x_of(c),
                    y + NODE_RADIUS + 0.05,
                    f"X {number(float(values['combined'][c - 1][node]))}",
                    fontsize=8,
                    ha="center",
                    va="bottom",
                    color=FORWARD_INK,
                    gid=f"combined/{c}/{node}",
                )
                ax.text(
                    x_of(c),
                    y - NODE_RADIUS - 0.05,
                    f"O {number(float(values['output'][c - 1][node]))}",
                    fontsize=8,
                    ha="center",
                    va="top",
                    color=FORWARD_INK,
                    gid=f"output/{c}/{node}",
                )
                if "error" in values:
                    ax.text(
                        x_of(c),
                        y - NODE_RADIUS - 0.3,
                        f"E {number(float(values['error'][c - 1][node]))}",
                        fontsize=8,
                        ha="center",
                        va="top",
                        color=BACKWARD_INK,
                        fontweight="bold",
                        gid=f"error/{c}/{node}",
                    )
        if column.gap_height is not None:
            hidden_count = column.size - len(column.shown)
            ax.text(
                x_of(c),
                column.gap_height,
                "⋮\n" + word("nodes not shown", lang, n=hidden_count),
                fontsize=7,
                ha="center",
                va="center",
                color="0.35",
            )
        heading = (
            word("inputs", lang)
            if c == 0
            else word("outputs", lang)
            if c == layer_count
            else f"{word('hidden layer', lang)} {c}"
        )
        sub = f"{column.size}" if c == 0 else f"{column.size}, {net.layers[c - 1].activation}"
        ax.text(
            x_of(c),
            max(column.heights.values()) + 0.75,
            f"{heading}\n({sub})",
            fontsize=9,
            ha="center",
            va="bottom",
            fontweight="bold",
        )

    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    ax.set_title(title if title is not None else _caption(net, trace, lang), fontsize=9)

    for axes, k in zip(heat_axes, collapsed_layers):
        limit = float(np.abs(weights[k]).max()) or 1.0
        image = axes.imshow(
            weights[k], cmap="coolwarm_r", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest"
        )
        axes.set_title(
            f"{word('weight matrix', lang)} W{k + 1}\n{weights[k].shape[0]}×{weights[k].shape[1]}", fontsize=9
        )
        axes.set_xlabel(word("inputs", lang), fontsize=8)
        axes.set_ylabel(word("outputs", lang), fontsize=8)
        figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    if own_figure:
        figure.tight_layout()
    return figure


def _caption(net: Any, trace: Any, lang: str) -> str:
    """One line naming the net and, with a trace, which passes are written on it."""
    sizes = "-".join(str(size) for size in [net.n_inputs, *(layer.outputs for layer in net.layers)])
    text = f"{sizes}, {word('rule', lang)} {net.rule}, lr {net.learning_rate:g}"
    if trace is None:
        return text
    text += f"\n{word('forward pass', lang)}: I, X = W·I, O = f(X)"
    if trace.is_step:
        text += f"\n{word('backward pass', lang)} (←): E, {word(net.rule, lang)}"
    return text


def _circle(x: float, y: float) -> Any:
    from matplotlib.patches import Circle

    return Circle((x, y), NODE_RADIUS, facecolor="#eef3fb", edgecolor="#2c3e50", linewidth=1.2, zorder=3)


def _square(x: float, y: float) -> Any:
    from matplotlib.patches import Rectangle

    side = 1.6 * NODE_RADIUS
    return Rectangle(
        (x - side / 2, y - side / 2), side, side, facecolor="#f4f4f4", edgecolor="#2c3e50", linewidth=1.0, zorder=3
    )
