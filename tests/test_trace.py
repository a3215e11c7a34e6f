"""Step-through traces: every array of a 2-2-2 network's step, checked against
values worked out by hand below (scalar arithmetic, one line per node), and
tracing never changing what training computes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import akili

# The hand example: 2 inputs, 2 hidden sigmoid nodes, 2 sigmoid outputs, no bias.
W_IH = [[0.9, 0.3], [0.2, 0.8]]  # input -> hidden, W[i][j] links input j to node i
W_HO = [[0.3, 0.7], [0.6, 0.5]]  # hidden -> output
X_IN = [1.0, 0.5]
TARGET = [0.99, 0.01]
LR = 0.3


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def by_hand(rule: str) -> dict[str, list]:
    """The book's train() for one example, one node at a time."""
    # Hidden layer: X_h = W_ih · I, O_h = sigmoid(X_h).
    xh = [
        W_IH[0][0] * X_IN[0] + W_IH[0][1] * X_IN[1],  # 0.9·1 + 0.3·0.5 = 1.05
        W_IH[1][0] * X_IN[0] + W_IH[1][1] * X_IN[1],
    ]  # 0.2·1 + 0.8·0.5 = 0.6
    oh = [sigmoid(xh[0]), sigmoid(xh[1])]
    # Output layer: X_o = W_ho · O_h, O_o = sigmoid(X_o).
    xo = [W_HO[0][0] * oh[0] + W_HO[0][1] * oh[1], W_HO[1][0] * oh[0] + W_HO[1][1] * oh[1]]
    oo = [sigmoid(xo[0]), sigmoid(xo[1])]
    # Output error E = T - O; output delta D = E·O·(1 - O).
    eo = [TARGET[0] - oo[0], TARGET[1] - oo[1]]
    do = [eo[0] * oo[0] * (1 - oo[0]), eo[1] * oo[1] * (1 - oo[1])]
    if rule == "transpose":
        # E_h = W_hoᵀ · E_o: hidden node j collects w_ij·e_i from every output i.
        eh = [W_HO[0][0] * eo[0] + W_HO[1][0] * eo[1], W_HO[0][1] * eo[0] + W_HO[1][1] * eo[1]]
    elif rule == "gradient":
        # E_h = W_hoᵀ · D_o: back-propagation sends the deltas, not the raw errors.
        eh = [W_HO[0][0] * do[0] + W_HO[1][0] * do[1], W_HO[0][1] * do[0] + W_HO[1][1] * do[1]]
    else:
        # Normalised split: e_i reaches hidden j in proportion w_ij / (|w_i0| + |w_i1|).
        s0 = abs(W_HO[0][0]) + abs(W_HO[0][1])  # 1.0
        s1 = abs(W_HO[1][0]) + abs(W_HO[1][1])  # 1.1
        eh = [W_HO[0][0] / s0 * eo[0] + W_HO[1][0] / s1 * eo[1], W_HO[0][1] / s0 * eo[0] + W_HO[1][1] / s1 * eo[1]]
    dh = [eh[0] * oh[0] * (1 - oh[0]), eh[1] * oh[1] * (1 - oh[1])]
    # ΔW = lr · D · Iᵀ (an outer product, written out).
    dw_ho = [[LR * do[i] * oh[j] for j in range(2)] for i in range(2)]
    dw_ih = [[LR * dh[i] * X_IN[j] for j in range(2)] for i in range(2)]
    loss = 0.5 * (eo[0] ** 2 + eo[1] ** 2)
    return {
        "xh": xh,
        "oh": oh,
        "xo": xo,
        "oo": oo,
        "eo": eo,
        "do": do,
        "eh": eh,
        "dh": dh,
        "dw_ih": dw_ih,
        "dw_ho": dw_ho,
        "loss": loss,
    }


def book_net(rule: str, dtype: str = "float64") -> akili.Network:
    net = akili.NeuralNetwork(2, 2, 2, learning_rate=LR, rule=rule, dtype=dtype)
    net.wih = W_IH
    net.who = W_HO
    return net


def test_hand_numbers_are_the_books():
    # A spot check of the arithmetic above against numbers rounded by hand.
    hand = by_hand("transpose")
    assert hand["xh"] == pytest.approx([1.05, 0.6])
    assert hand["oh"] == pytest.approx([0.740775, 0.645656], abs=1e-6)
    assert hand["eh"][0] == pytest.approx(0.3 * hand["eo"][0] + 0.6 * hand["eo"][1])


def test_forward_trace_matches_hand_values():
    hand = by_hand("transpose")
    trace = book_net("transpose").forward(X_IN, trace=True)
    assert isinstance(trace, akili.Trace)
    assert not trace.is_step
    np.testing.assert_allclose(trace.inputs, X_IN, rtol=0, atol=1e-15)
    np.testing.assert_allclose(trace.hidden_inputs, hand["xh"], rtol=1e-14)
    np.testing.assert_allclose(trace.hidden_outputs, hand["oh"], rtol=1e-14)
    np.testing.assert_allclose(trace.final_inputs, hand["xo"], rtol=1e-14)
    np.testing.assert_allclose(trace.final_outputs, hand["oo"], rtol=1e-14)
    # The per-layer tuples carry the same arrays: I of layer 1 is O of layer 0.
    np.testing.assert_array_equal(trace.layer_inputs[1], trace.layer_outputs[0])
    with pytest.raises(AttributeError, match="training step"):
        trace.output_errors


@pytest.mark.parametrize("rule", ["transpose", "gradient", "normalized"])
def test_step_trace_matches_hand_values(rule):
    hand = by_hand(rule)
    net = book_net(rule)
    trace = net.step(X_IN, TARGET, trace=True)
    assert trace.is_step
    np.testing.assert_allclose(trace.hidden_inputs, hand["xh"], rtol=1e-14)
    np.testing.assert_allclose(trace.hidden_outputs, hand["oh"], rtol=1e-14)
    np.testing.assert_allclose(trace.final_inputs, hand["xo"], rtol=1e-14)
    np.testing.assert_allclose(trace.final_outputs, hand["oo"], rtol=1e-14)
    np.testing.assert_allclose(trace.output_errors, hand["eo"], rtol=1e-13)
    np.testing.assert_allclose(trace.hidden_errors, hand["eh"], rtol=1e-13)
    np.testing.assert_allclose(trace.deltas[1], hand["do"], rtol=1e-13)
    np.testing.assert_allclose(trace.deltas[0], hand["dh"], rtol=1e-13)
    np.testing.assert_allclose(trace.weight_updates[1], hand["dw_ho"], rtol=1e-13)
    np.testing.assert_allclose(trace.weight_updates[0], hand["dw_ih"], rtol=1e-13)
    assert trace.loss == pytest.approx(hand["loss"], rel=1e-14)
    # The update recorded is the update applied: W_new = W_old + ΔW.
    np.testing.assert_allclose(net.wih, np.array(W_IH) + np.array(hand["dw_ih"]), rtol=1e-14)
    np.testing.assert_allclose(net.who, np.array(W_HO) + np.array(hand["dw_ho"]), rtol=1e-14)


def test_normalized_split_changes_size_not_proportion():
    # The lecture's point: the normalised and the transposed split of an output
    # error differ only by the factor 1/Σ|w|, not in proportion.
    target = [1.0, 0.5]
    splits = {}
    for rule in ("normalized", "transpose"):
        net = book_net(rule)
        net.who = [[0.6, 0.2], [0.0, 0.0]]  # the second output's links are zero: it sends nothing back
        error = np.asarray(target) - net.forward(X_IN)
        splits[rule] = net.step(X_IN, target, trace=True).hidden_errors
    # 0.6/(0.6+0.2) = 3/4 and 0.2/(0.6+0.2) = 1/4 of the first error, against 0.6 and 0.2 of it.
    np.testing.assert_allclose(splits["normalized"], [0.75 * error[0], 0.25 * error[0]], rtol=1e-13)
    np.testing.assert_allclose(splits["transpose"], [0.6 * error[0], 0.2 * error[0]], rtol=1e-13)


def test_batch_trace_averages_updates():
    # Two samples at once: ΔW is the mean over the rows, lr/n · Dᵀ·I.
    second = [0.2, -0.4]
    rows = np.array([X_IN, second])
    targets = np.array([TARGET, [0.2, 0.7]])
    net = book_net("transpose")
    trace = net.step(rows, targets, trace=True)
    assert trace.inputs.shape == (2, 2)
    single = [book_net("transpose").step(rows[r], targets[r], trace=True) for r in range(2)]
    for k in range(2):
        np.testing.assert_allclose(
            trace.weight_updates[k], (single[0].weight_updates[k] + single[1].weight_updates[k]) / 2, rtol=1e-13
        )
        np.testing.assert_allclose(trace.errors[k], np.stack([s.errors[k] for s in single]), rtol=1e-13)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rule", ["transpose", "gradient", "normalized"])
@pytest.mark.parametrize("batch", [1, 3])
def test_traced_and_untraced_steps_leave_identical_weights(dtype, rule, batch):
    rng = np.random.default_rng(7)
    inputs = rng.uniform(0.01, 1.0, size=(12, 4))
    targets = rng.uniform(0.01, 0.99, size=(12, 3))

    def make() -> akili.Network:
        layers = [akili.Dense(4, 5, activation="tanh", bias=True), akili.Dense(5, 3, activation="sigmoid")]
        return akili.Network(layers, rule=rule, dtype=dtype, learning_rate=0.2, seed=3)

    traced, plain = make(), make()
    for start in range(0, 12, batch):
        x = inputs[start : start + batch] if batch > 1 else inputs[start]
        t = targets[start : start + batch] if batch > 1 else targets[start]
        trace = traced.step(x, t, trace=True)
        loss = plain.step(x, t)
        assert trace.loss == loss
    for a, b in zip(traced.layers, plain.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


def test_trace_respects_masks_and_frozen_layers():
    net = book_net("transpose")
    net.layers[0].trainable_mask = [[0, 1], [1, 1]]
    net.layers[1].frozen = True
    trace = net.step(X_IN, TARGET, trace=True)
    hand = by_hand("transpose")
    assert trace.weight_updates[0][0, 0] == 0.0
    assert trace.weight_updates[0][0, 1] == pytest.approx(hand["dw_ih"][0][1], rel=1e-13)
    np.testing.assert_array_equal(trace.weight_updates[1], np.zeros((2, 2)))
    np.testing.assert_array_equal(net.who, W_HO)  # frozen: errors pass back, weights stay


def test_describe_lists_every_array():
    trace = book_net("transpose").step(X_IN, TARGET, trace=True)
    text = str(trace)
    for label in ("layer 0 (hidden layer 1)", "layer 1 (output layer)", "X  = W·I", "ΔW = lr·Dᵀ·I", "loss"):
        assert label in text
    assert "[1.0500, 0.6000]" in text  # X_hidden by hand: 0.9·1 + 0.3·0.5 and 0.2·1 + 0.8·0.5


def test_describe_aligns_every_array_and_every_matrix_row():
    trace = book_net("transpose").step(X_IN, TARGET, trace=True)
    lines = str(trace).splitlines()
    starts = {line.index("= [") + 2 for line in lines if "= [" in line}
    assert len(starts) == 1  # every array opens in the same column
    column = starts.pop()
    # ΔW is 2x2: its second row continues right under the first one's numbers.
    for index, line in enumerate(lines):
        if line.lstrip().startswith("ΔW"):
            assert lines[index + 1].startswith(" " * (column + 1) + "[")
            assert lines[index + 1].index("[") == line.index("[[") + 1


def test_single_layer_has_no_hidden_names():
    net = akili.Network([akili.Dense(2, 1, activation="identity")], loss="mse")
    trace = net.step([1.0, 2.0], [1.0], trace=True)
    assert trace.output_errors.shape == (1,)
    with pytest.raises(AttributeError, match="no hidden layers"):
        trace.hidden_errors
