"""Habits a new user brings: tidy namespaces, None for "no error", files that follow
the umask, a thread count that warns when it cannot help, and the command-line
recipes the help lists (XOR, evaluate/predict without --data, a one-epoch --plot)."""

from __future__ import annotations

import importlib
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

import akili
from akili import _cli_common, _cli_model, _cli_train
from akili.cli import main

PUBLIC_MODULES = [
    "akili",
    "akili.callbacks",
    "akili.cli",
    "akili.lessons",
    "akili.onnx",
    "akili.optimizers",
    "akili.plotting",
    "akili.sklearn",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_modules_show_only_their_api(name):
    if name in ("akili.onnx", "akili.sklearn", "akili.plotting"):
        pytest.importorskip({"akili.onnx": "onnx", "akili.sklearn": "sklearn", "akili.plotting": "matplotlib"}[name])
    module = importlib.import_module(name)
    shown = {entry for entry in dir(module) if not entry.startswith("_")}
    submodules = {"callbacks", "datasets", "lessons", "onnx", "optimizers", "plotting", "sklearn"}
    extra = submodules if name == "akili" else set()
    assert shown <= set(module.__all__) | extra, sorted(shown - set(module.__all__) - extra)
    assert set(module.__all__) <= set(dir(module))
    for entry in module.__all__:
        getattr(module, entry)


def test_akili_has_no_stray_helpers():
    assert not any(hasattr(akili, name) and name in dir(akili) for name in ("Any", "importlib", "annotations"))


def test_restarts_mark_runs_without_an_error_with_none():
    def make(seed: int) -> akili.Network:
        return akili.Network([akili.Dense(2, 2, bias=True), akili.Dense(2, 1, bias=True)], learning_rate=0.5, seed=seed)

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    result = akili.restarts(make, X, np.array([[0.0], [1.0], [1.0], [0.0]]), n=3, epochs=5)
    assert result.errors == [None, None, None]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_model_json_follows_the_umask_like_the_model_file(tmp_path, umask):
    previous = os.umask(umask)
    try:
        assert main(["train", "--epochs", "1", "--limit", "100", "--quiet", "--out", str(tmp_path / "m.akili")]) == 0
    finally:
        os.umask(previous)
    model_mode = (tmp_path / "m.akili").stat().st_mode & 0o777
    assert model_mode == 0o666 & ~umask
    assert (tmp_path / "m.akili.json").stat().st_mode & 0o777 == model_mode


def test_more_threads_than_cores_warn_and_absurd_counts_are_clamped():
    before = akili.get_num_threads()
    cores = len(os.sched_getaffinity(0))
    try:
        with pytest.warns(RuntimeWarning, match=r"1000 threads on \d+ cores; clamped to 256"):
            akili.set_num_threads(1000)
        assert akili.get_num_threads() == 256
        with pytest.warns(RuntimeWarning, match="more threads than cores"):
            akili.set_num_threads(cores + 1)
        assert akili.get_num_threads() == cores + 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            akili.set_num_threads(cores)  # up to the core count: no warning
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            akili.set_num_threads(before)


def test_the_cli_shares_its_exit_codes_and_error_type_from_one_module():
    assert _cli_common.UserError.__module__ == "akili._cli_common"
    assert _cli_train.UserError is _cli_common.UserError is _cli_model.UserError
    assert "class UserError" not in Path(_cli_train.__file__).read_text(encoding="utf-8")
    assert _cli_common.EXIT_INTERRUPTED == 130


# -- command-line recipes -----------------------------------------------------------
def test_train_on_xor_trains_and_tests_on_the_four_points_and_says_so(capsys):
    assert main(["train", "--data", "xor", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "all 4 points, the same ones it was trained on" in out
    accuracy = float(out.split("accuracy ")[-1].split()[0])
    assert accuracy == 1.0, out


def test_evaluate_and_predict_use_the_data_set_recorded_beside_the_model(tmp_path, capsys):
    model = str(tmp_path / "m.akili")
    assert main(["train", "--data", "iris", "--epochs", "20", "--quiet", "--out", model]) == 0
    capsys.readouterr()
    assert main(["evaluate", model, "--no-confusion"]) == 0
    recorded = capsys.readouterr()
    assert main(["evaluate", model, "--no-confusion", "--data", "iris"]) == 0
    assert capsys.readouterr().out == recorded.out  # the same as naming it
    assert "data: iris (recorded in m.akili.json" in recorded.err
    assert main(["predict", model, "--out", str(tmp_path / "p.csv")]) == 0
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 1 + 30  # the held-out fifth of 150
    os.remove(model + ".json")
    assert main(["evaluate", model]) == 1
    assert "pass --data" in capsys.readouterr().err


def test_a_one_epoch_plot_never_draws_a_trend_it_does_not_have():
    """One epoch of fit records a real curve inside the epoch (plotted as such);
    a History with nothing but one value per curve is drawn as single points on
    whole-epoch ticks, never as a line between fractional epochs."""
    pytest.importorskip("matplotlib")
    from akili.plotting import plot_history

    history = akili.History(
        loss=[0.13], accuracy=[0.81], val_loss=[0.11], val_accuracy=[0.83], epoch_seconds=[1.0], samples=[100]
    )
    figure = plot_history(history)
    for axes in figure.axes:
        assert all(len(line.get_xdata()) == 1 for line in axes.get_lines())  # points, no line to read a trend in
        assert all(float(tick).is_integer() for tick in axes.get_xticks())
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    T = np.eye(2)[(X[:, 0] > 0).astype(int)]
    net = akili.Network([akili.Dense(4, 6, activation="tanh"), akili.Dense(6, 2, activation="sigmoid")], seed=1)
    curve = plot_history(net.fit(X, T, epochs=1))
    assert max(len(line.get_xdata()) for line in curve.axes[0].get_lines()) >= 20
