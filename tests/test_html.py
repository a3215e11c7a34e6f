"""What Jupyter shows (``_repr_html_``) for Network, NeuralNetwork, Trace and History."""

from __future__ import annotations

import numpy as np
import pytest

import akili


def test_network_html_lists_layers_settings_and_the_weights_of_a_small_net():
    net = akili.Network(
        [akili.Dense(3, 2, activation="tanh", bias=True), akili.Dense(2, 1, activation="sigmoid")],
        loss="mse",
        rule="gradient",
        learning_rate=0.25,
        seed=4,
    )
    net.layers[1].frozen = True
    page = net._repr_html_()
    for expected in (
        "Network",
        "3-2-1",
        "tanh",
        "sigmoid",
        "(2, 3)",
        "mse",
        "gradient",
        "0.25",
        "float64",
        "frozen",
        "SGD",
    ):
        assert expected in page
    assert ">8<" in page and ">2<" in page and ">10<" in page  # 3·2 + 2 and 2·1 parameters, 10 in all
    for value in np.concatenate([net.layers[0].weights.ravel(), net.layers[0].bias, net.layers[1].weights.ravel()]):
        assert f">{value:.4g}<" in page


def test_book_network_html_and_a_large_layer_is_summarised():
    net = akili.NeuralNetwork(784, 200, 10, seed=1)
    page = net._repr_html_()
    assert "NeuralNetwork" in page and "784-200-10" in page and "158,800" in page  # 784·200 + 200·10
    assert page.count("<tr>") < 40  # no 156,800-cell weight table


def test_trace_html_names_the_books_arrays_with_their_equations():
    net = akili.NeuralNetwork(2, 2, 2, learning_rate=0.3)
    net.wih = [[0.9, 0.3], [0.2, 0.8]]
    net.who = [[0.3, 0.7], [0.6, 0.5]]
    page = net.step([1.0, 0.5], [0.99, 0.01], trace=True)._repr_html_()
    for expected in (
        "training step",
        "hidden_inputs",
        "final_outputs",
        "output_errors",
        "hidden_errors",
        "X = W·I",
        "O = f(X)",
        "E = T - O",
        "ΔW = lr·Dᵀ·I",
        "[1.05, 0.6 ]",
        "loss before the update",
    ):
        assert expected in page
    forward = net.forward([1.0, 0.5], trace=True)._repr_html_()
    assert "forward pass" in forward and "output_errors" not in forward


def test_history_html_is_a_table_with_the_curves():
    pytest.importorskip("matplotlib")
    pixels, labels = akili.datasets.digits()
    inputs = akili.datasets.scale_book(pixels[:200], max_value=16)
    targets = akili.datasets.one_hot(labels[:200], 10, low=0.01, high=0.99)
    history = akili.NeuralNetwork(64, 10, 10, seed=0).fit(
        inputs, targets, epochs=30, validation_data=(inputs[:20], targets[:20])
    )
    page = history._repr_html_()
    assert "30 epochs" in page and "validation accuracy" in page
    assert f"{history.loss[0]:.4g}" in page and f"{history.loss[-1]:.4g}" in page
    assert "…" in page  # 30 epochs: the first and last rows only
    assert '<img alt="learning curves" src="data:image/png;base64,' in page
    assert "History" in akili.History()._repr_html_()  # an empty history: a table, no picture
