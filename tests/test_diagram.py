"""akili.plotting.draw_network: the numbers written on the picture are read back
from its text artists (each has a gid naming what it shows) and compared with the
network's weights and the trace's values; the lecture's pictures in docs/ are
made by docs/pictures/make_pictures.py and checked the same way."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import akili
from akili import lessons
from akili.plotting import draw_network

pytest.importorskip("matplotlib")
from matplotlib.text import Text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def texts(figure) -> dict[str, str]:
    """gid -> text of every labelled text artist of the figure."""
    found = {}
    for artist in figure.findobj(Text):
        gid = artist.get_gid()
        if gid:
            assert gid not in found, f"two texts with gid {gid}"
            found[gid] = artist.get_text()
    return found


def value(text: str) -> float:
    """The number in a label such as "X 1.05", "← 1.50" or "-0.30"."""
    return float(text.split()[-1])


def all_texts(figure) -> str:
    return "\n".join(artist.get_text() for artist in figure.findobj(Text))


def book_step():
    net = akili.NeuralNetwork(2, 2, 2, learning_rate=0.3)
    net.wih = [[0.9, 0.3], [0.2, 0.8]]
    net.who = [[0.3, 0.7], [0.6, 0.5]]
    before = [layer.weights.copy() for layer in net.layers]
    trace = net.step([1.0, 0.5], [0.99, 0.01], trace=True)
    return net, trace, before


def test_weights_of_a_small_net_are_written_on_its_links():
    net = akili.Network([akili.Dense(3, 2, activation="tanh", bias=True), akili.Dense(2, 2)], seed=3)
    labels = texts(draw_network(net))
    for k, layer in enumerate(net.layers):
        for i in range(layer.outputs):
            for j in range(layer.inputs):
                assert value(labels[f"weight/{k}/{i}/{j}"]) == pytest.approx(layer.weights[i, j], abs=0.005)
    for i in range(2):
        assert value(labels[f"bias/0/{i}"]) == pytest.approx(net.layers[0].bias[i], abs=0.005)
    assert not any(gid.startswith("bias/1") for gid in labels)  # the second layer has no bias
    assert not any(gid.startswith(("combined", "error", "split")) for gid in labels)  # no trace, no values


def test_a_training_step_writes_forward_and_backward_values():
    net, trace, before = book_step()
    labels = texts(draw_network(net, trace, precision=4))
    # The weights the step used (before its update), not the updated ones.
    for k in range(2):
        for i in range(2):
            for j in range(2):
                assert value(labels[f"weight/{k}/{i}/{j}"]) == pytest.approx(before[k][i, j], abs=5e-5)
    assert value(labels["input/0"]) == 1.0 and value(labels["input/1"]) == 0.5
    assert [value(labels[f"combined/1/{i}"]) for i in range(2)] == pytest.approx([1.05, 0.6], abs=5e-5)
    for c in (1, 2):
        for i in range(2):
            assert value(labels[f"combined/{c}/{i}"]) == pytest.approx(trace.combined[c - 1][i], abs=5e-5)
            assert value(labels[f"output/{c}/{i}"]) == pytest.approx(trace.layer_outputs[c - 1][i], abs=5e-5)
            assert value(labels[f"error/{c}/{i}"]) == pytest.approx(trace.errors[c - 1][i], abs=5e-5)
    # The book's rule: each link into hidden node j carries w_ij·E_i, and they add up to E_hidden = Wᵀ·E.
    w_ho = before[1]
    for i in range(2):
        for j in range(2):
            assert value(labels[f"split/1/{i}/{j}"]) == pytest.approx(w_ho[i, j] * trace.output_errors[i], abs=5e-5)
    for j in range(2):
        total = sum(value(labels[f"split/1/{i}/{j}"]) for i in range(2))
        assert total == pytest.approx(trace.hidden_errors[j], abs=2e-4)
    assert not any(gid.startswith("split/0") for gid in labels)  # inputs receive no error


@pytest.mark.parametrize("rule", ["normalized", "transpose", "gradient"])
def test_the_split_follows_the_rule(rule):
    net = akili.Network([akili.Dense(2, 3), akili.Dense(3, 2)], rule=rule, seed=5)
    w = net.layers[1].weights.copy()
    trace = net.step([0.2, 0.7], [0.9, 0.1], trace=True)
    labels = texts(draw_network(net, trace, precision=6))
    error, delta = trace.output_errors, trace.deltas[1]
    coefficient = {"transpose": error, "gradient": delta, "normalized": error / np.abs(w).sum(axis=1)}[rule]
    for i in range(2):
        for j in range(3):
            assert value(labels[f"split/1/{i}/{j}"]) == pytest.approx(coefficient[i] * w[i, j], abs=2e-6)
    for j in range(3):  # the shares reaching a hidden node make its error, under every rule
        assert sum(value(labels[f"split/1/{i}/{j}"]) for i in range(2)) == pytest.approx(
            trace.hidden_errors[j], abs=1e-5
        )


def test_the_lectures_error_split():
    for rule, expected in (("normalized", [1.5, 0.5]), ("transpose", [1.2, 0.4])):
        net, trace = lessons.error_split_step([[0.6, 0.2]], [2.0], rule)
        labels = texts(draw_network(net, trace, from_layer=1))
        assert [value(labels[f"weight/1/0/{j}"]) for j in range(2)] == [0.6, 0.2]
        assert value(labels["error/2/0"]) == 2.0
        assert [value(labels[f"split/1/0/{j}"]) for j in range(2)] == expected
        assert [value(labels[f"error/1/{j}"]) for j in range(2)] == expected
        assert not any(gid.startswith(("weight/0", "input/")) for gid in labels)  # starts at the hidden nodes


def test_large_layers_collapse_and_get_heat_maps():
    net = akili.NeuralNetwork(784, 200, 10, seed=1)
    x = np.linspace(0.01, 0.99, 784)
    figure = draw_network(net, net.forward(x, trace=True))
    labels = texts(figure)
    words = all_texts(figure)
    assert "776 nodes not shown" in words and "192 nodes not shown" in words  # 784 - 8, 200 - 8
    assert not any(gid.startswith("weight/") for gid in labels)  # too many links to label
    shown_inputs = sorted(int(gid.split("/")[1]) for gid in labels if gid.startswith("input/"))
    assert shown_inputs == [0, 1, 2, 3, 780, 781, 782, 783]
    assert value(labels["input/783"]) == pytest.approx(0.99, abs=0.005)
    assert value(labels["output/2/9"]) == pytest.approx(net.forward(x, trace=True).final_outputs[9], abs=0.005)
    images = [axes.images[0].get_array() for axes in figure.axes if axes.images]
    assert [image.shape for image in images] == [(200, 784), (10, 200)]
    np.testing.assert_array_equal(images[1], net.who)


def test_kiswahili_labels():
    net, trace, _ = book_step()
    words = all_texts(draw_network(net, trace, lang="sw"))
    for swahili in ("maingizo", "tabaka fiche 1", "matokeo", "mpito wa mbele", "mpito wa nyuma"):
        assert swahili in words
    for english in ("inputs", "hidden layer", "outputs", "forward pass"):
        assert english not in words
    with pytest.raises(ValueError, match="unknown lang 'fr'; expected one of en, sw"):
        draw_network(net, lang="fr")


def test_draws_into_a_given_axes():
    from akili.plotting import _figure

    figure = _figure(8, 4)
    left, right = figure.add_subplot(1, 2, 1), figure.add_subplot(1, 2, 2)
    net = akili.NeuralNetwork(2, 2, 1, seed=0)
    assert draw_network(net, ax=right) is figure
    assert len(left.texts) == 0 and len(right.texts) > 0


def test_refusals_say_what_was_expected():
    net = akili.NeuralNetwork(2, 2, 2, seed=0)
    with pytest.raises(TypeError, match=r"\[draw_network\] expected an akili.Network, got list"):
        draw_network([1, 2])
    with pytest.raises(TypeError, match="expected trace as an akili.Trace"):
        draw_network(net, {"inputs": [1, 2]})
    other = akili.NeuralNetwork(2, 3, 2, seed=0)
    with pytest.raises(ValueError, match="layer 0 of the trace has 3 outputs, the network's 2"):
        draw_network(net, other.forward([0.1, 0.2], trace=True))
    with pytest.raises(ValueError, match="expected a trace of one sample, got 2 rows"):
        draw_network(net, net.forward([[0.1, 0.2], [0.3, 0.4]], trace=True))
    with pytest.raises(ValueError, match=r"expected from_layer in 0..1, got 2"):
        draw_network(net, from_layer=2)
    with pytest.raises(ValueError, match="max_nodes as an int >= 3"):
        draw_network(net, max_nodes=2)


def load_picture_script():
    spec = importlib.util.spec_from_file_location("make_pictures", ROOT / "docs" / "pictures" / "make_pictures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_pictures_are_made_by_their_script_and_show_the_lectures_numbers(tmp_path):
    script = load_picture_script()
    written = script.main(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        f"{name}{suffix}.png" for name in ("error-split", "hidden-errors", "training-step") for suffix in ("", ".sw")
    )
    for path in written:
        assert path.stat().st_size > 10_000
        assert (ROOT / "docs" / "pictures" / path.name).is_file(), f"docs/pictures/{path.name} is not committed"

    # Error split: 0.6 and 0.2 share 2.0 -> 1.5 / 0.5 normalised, 1.2 / 0.4 without the factor.
    figure = script.error_split()
    left, right = [{t.get_gid(): t.get_text() for t in axes.texts if t.get_gid()} for axes in figure.axes]
    assert [value(left[f"split/1/0/{j}"]) for j in range(2)] == [1.5, 0.5]
    assert [value(right[f"split/1/0/{j}"]) for j in range(2)] == [1.2, 0.4]
    assert value(left["error/2/0"]) == value(right["error/2/0"]) == 2.0

    # Two hidden nodes feeding two outputs: E_hidden = Wᵀ·E = [2.1, 4.4]; normalised [0.42, 0.88].
    figure = script.hidden_errors()
    normalized, transposed = [{t.get_gid(): t.get_text() for t in axes.texts if t.get_gid()} for axes in figure.axes]
    w, e = np.array([[2.0, 3.0], [1.0, 4.0]]), np.array([0.8, 0.5])
    assert [value(transposed[f"error/1/{j}"]) for j in range(2)] == pytest.approx(list(w.T @ e))
    assert [value(normalized[f"error/1/{j}"]) for j in range(2)] == pytest.approx([0.42, 0.88])
    for i in range(2):
        for j in range(2):
            assert value(transposed[f"weight/1/{i}/{j}"]) == w[i, j]
            assert value(transposed[f"split/1/{i}/{j}"]) == pytest.approx(w[i, j] * e[i])

    # The 2-2-2 training step: X_hidden = W_ih·I = [1.05, 0.6].
    labels = texts(script.training_step())
    assert [labels["combined/1/0"], labels["combined/1/1"]] == ["X 1.05", "X 0.60"]
    assert "maingizo" in all_texts(script.training_step("sw"))
