"""Errors say the right thing: numbers written %g-style, every message named after
the call the user made, NaN refusals carried as typed data (not matched by text),
and the core's name tables and predicted-class rule used everywhere, never repeated."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import akili
from akili import _core

PACKAGE = Path(akili.__file__).parent


def tiny(loss: str = "squared_error", output: str = "sigmoid") -> akili.Network:
    return akili.Network([akili.Dense(2, 3), akili.Dense(3, 2, activation=output)], loss=loss, seed=0)


# -- numbers ---------------------------------------------------------------------
def test_a_tiny_learning_rate_is_written_in_g_style_everywhere():
    with pytest.raises(ValueError, match=r"got -1e-09$"):
        tiny().learning_rate = -1e-9
    with pytest.raises(ValueError, match=r"\[Network\] .*got -1e-09$"):
        akili.Network([akili.Dense(2, 2)], learning_rate=-1e-9)
    # The core's own message, as C++ programs see it.
    with pytest.raises(ValueError, match=r"got -1e-09$") as caught:
        _core.Network64([(2, 2, "sigmoid", False)], "squared_error", "transpose", -1e-9, "book", 0)
    assert "0.000000" not in str(caught.value)


def test_divergence_messages_write_the_learning_rate_in_g_style():
    net = akili.Network([akili.Dense(1, 1, activation="identity")], learning_rate=1e30, seed=0)
    with pytest.raises(akili.DivergenceError) as caught:
        net.fit(np.full((20, 1), 1e3), np.full((20, 1), 1e3), epochs=3)
    assert "(now 1e+30)" in str(caught.value)
    assert not re.search(r"\d\.\d{6}\b", str(caught.value))  # no std::to_string fixed-point numbers


# -- names -----------------------------------------------------------------------
def test_no_internal_name_leaks_into_the_python_messages():
    with pytest.raises(ValueError) as caught:
        tiny(loss="cross_entropy", output="relu")
    assert str(caught.value).startswith('[Network] loss "cross_entropy"')
    with pytest.raises(ValueError, match=r"^\[Network\.learning_rate\] "):
        tiny().learning_rate = 0.0
    nn = akili.NeuralNetwork(2, 3, 2)
    with pytest.raises(ValueError, match=r"^\[NeuralNetwork\.query\] expected 2 columns"):
        nn.query([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^\[NeuralNetwork\.query\] inputs contain NaN or infinity \(row 1\)"):
        nn.query([[1.0, 2.0], [np.nan, 0.0]])
    with pytest.raises(ValueError, match=r"^\[NeuralNetwork\.train\] "):
        nn.train([1.0, 2.0], [0.5])
    for text in map(str, (caught.value,)):
        assert "::" not in text and "check_" not in text


def test_model_file_messages_name_the_python_call(tmp_path):
    bad = tmp_path / "bad.akili"
    bad.write_bytes(b"not a model" * 4)
    with pytest.raises(akili.ModelFormatError, match=r"^\[akili\.load\] not an akili model file"):
        akili.load(bad)
    with pytest.raises(FileNotFoundError, match=r"\[akili\.load\] cannot open"):
        akili.load(tmp_path / "missing.akili")
    with pytest.raises(akili.ModelFormatError, match=r"^\[akili\.loads\] not an akili model file"):
        akili.loads(bad.read_bytes())
    with pytest.raises(FileNotFoundError, match=r"\[Network\.save\] cannot create a temporary file"):
        tiny().save(tmp_path / "no" / "such" / "dir.akili")
    good = tiny().to_bytes()
    corrupted = good[:-1] + bytes([good[-1] ^ 0xFF])
    with pytest.raises(akili.ModelFormatError) as caught:
        akili.loads(corrupted)
    assert str(caught.value).startswith("[akili.loads] checksum mismatch") and "::" not in str(caught.value)


def test_nan_refusals_are_typed_and_carry_the_row():
    net = tiny()
    X = np.zeros((6, 2))
    X[4, 1] = np.inf
    with pytest.raises(_core.NonFiniteDataError) as caught:
        net._native.predict(X)
    assert (caught.value.data, caught.value.row) == ("inputs", 4)
    T = np.full((6, 2), 0.5)
    T[2, 0] = np.nan
    with pytest.raises(_core.NonFiniteDataError) as caught:
        net._native.train_epoch(np.zeros((6, 2)), T, 1, False)
    assert (caught.value.data, caught.value.row) == ("targets", 2)
    assert isinstance(caught.value, ValueError)
    # Python names the refusal from those attributes, never from the message text.
    with pytest.raises(ValueError, match=r"^\[Network\.fit\] inputs contain NaN or infinity \(row 4\)$"):
        net.fit(X, np.full((6, 2), 0.5), shuffle=False)
    with pytest.raises(ValueError, match=r"^\[Network\.predict\] inputs contain NaN or infinity \(row 4\)$"):
        net.predict(X)
    source = (PACKAGE / "_network.py").read_text(encoding="utf-8")
    assert '"NaN or infinity" not in' not in source and 'split("] "' not in source


def test_the_name_tables_come_from_the_core():
    assert akili.ACTIVATIONS == _core.ACTIVATIONS == ("sigmoid", "tanh", "relu", "softmax", "identity")
    assert akili.LOSSES == _core.LOSSES and akili.RULES == _core.RULES and akili.INITS == _core.INITS
    assert set(akili.LOSSES) == {"squared_error", "mse", "cross_entropy"}
    for activation in akili.ACTIVATIONS:
        akili.Dense(2, 2, activation=activation)
    for rule in akili.RULES:
        for init in akili.INITS:
            akili.Network([akili.Dense(2, 2, activation="softmax")], loss="cross_entropy", rule=rule, init=init)
    # No Python module spells a table out again.
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '("sigmoid", "tanh", "relu"' not in text, path.name
        assert '("transpose", "gradient", "normalized")' not in text, path.name


def test_the_predicted_class_rule_has_one_home():
    outputs = np.array([[0.2, 0.7, 0.7], [0.9, 0.1, 0.0], [0.3, 0.3, 0.3], [0.1, 0.2, 0.6]])
    np.testing.assert_array_equal(_core.predicted_classes(outputs), [1, 0, 0, 2])  # ties: the first, as argmax
    np.testing.assert_array_equal(
        _core.predicted_classes(np.array([[0.5], [0.49], [0.9]], dtype=np.float32)), [1, 0, 1]
    )
    # Training's count (C++), Network.evaluate and the command line use that rule.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    T = np.eye(2)[(X[:, 0] > 0).astype(int)] * 0.98 + 0.01
    net = tiny()
    before = net.predict(X)
    history = net.fit(X, T, epochs=1, batch_size=50, shuffle=False)  # one batch: counted before its update
    assert history.accuracy[0] == np.mean(_core.predicted_classes(before) == _core.predicted_classes(T))
    after = net.predict(X)
    assert net.evaluate(X, T)["accuracy"] == np.mean(_core.predicted_classes(after) == _core.predicted_classes(T))
    for path in ("_network.py", "_cli_model.py"):
        assert "np.argmax" not in (PACKAGE / path).read_text(encoding="utf-8"), path


def test_cli_backquery_names_its_own_option(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from akili.cli import main

    net = akili.Network([akili.Dense(10, 3)], seed=0)
    net.save(tmp_path / "m.akili")
    assert main(["backquery", str(tmp_path / "m.akili"), "--out", str(tmp_path / "b.png")]) == 1
    error = capsys.readouterr().err
    assert "--shape" in error and "shape=(" not in error
    assert main(["backquery", str(tmp_path / "m.akili"), "--out", str(tmp_path / "b.png"), "--shape", "2x5"]) == 0
