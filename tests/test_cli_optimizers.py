"""``akili train`` with an optimizer, weight decay and early stopping."""

from __future__ import annotations

import json
import re

import akili
from akili import optimizers
from akili.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_optimizer_and_weight_decay_reach_the_saved_model(capsys, tmp_path):
    path = tmp_path / "adam.akili"
    status, out, _ = run(
        capsys, "train", "--optimizer", "adam", "--lr", "0.01", "--weight-decay", "0.001", "--epochs", "3",
        "--batch-size", "16", "--out", str(path),
    )  # fmt: skip
    assert status == 0
    assert "Adam(beta_1=0.9, beta_2=0.999, epsilon=1e-08, weight_decay=0.001)" in out
    assert float(re.search(r"^accuracy (\d\.\d+)", out, re.M).group(1)) > 0.9
    loaded = akili.load(path)
    assert loaded.optimizer == optimizers.Adam(weight_decay=0.001)  # and its state: model file version 2
    sidecar = json.loads((tmp_path / "adam.akili.json").read_text())
    assert sidecar["training"]["optimizer"] == "adam"
    assert sidecar["training"]["optimizer_settings"]["weight_decay"] == 0.001


def test_sgd_with_nesterov_momentum(capsys, tmp_path):
    path = tmp_path / "sgd.akili"
    status, out, _ = run(
        capsys, "train", "--momentum", "0.9", "--nesterov", "--epochs", "2", "--quiet", "--out", str(path)
    )
    assert status == 0
    assert akili.load(path).optimizer == optimizers.SGD(momentum=0.9, nesterov=True)


def test_early_stopping_holds_out_validation_samples_and_keeps_the_best_epoch(capsys, tmp_path):
    path = tmp_path / "early.akili"
    status, out, _ = run(
        capsys, "train", "--optimizer", "adam", "--lr", "0.02", "--batch-size", "16", "--epochs", "60",
        "--early-stopping", "--patience", "2", "--out", str(path),
    )  # fmt: skip
    assert status == 0
    match = re.search(r"^early stopping: stopped after epoch (\d+); kept the weights of epoch (\d+)", out, re.M)
    assert match, out
    stopped, best = int(match.group(1)), int(match.group(2))
    sidecar = json.loads((tmp_path / "early.akili.json").read_text())
    losses = sidecar["history"]["val_loss"]
    assert len(losses) == stopped == best + 2 and stopped < 60
    assert losses[best - 1] == min(losses)
    assert sidecar["training"]["early_stopping"] == {"patience": 2, "validation_fraction": 0.1}
    assert sidecar["training"]["epochs_completed"] == stopped
    assert sidecar["training"]["samples"] == 1438 - 144  # the digits' training part, less the held-out tenth


def test_settings_an_optimizer_lacks_are_refused(capsys):
    status, _, err = run(capsys, "train", "--optimizer", "adam", "--momentum", "0.9")
    assert status != 0 and "--momentum is for --optimizer sgd or rmsprop, not adam" in err
    status, _, err = run(capsys, "train", "--optimizer", "rprop", "--weight-decay", "0.1")
    assert status != 0 and "--weight-decay is for --optimizer sgd or adagrad or rmsprop or adam or adamw" in err
    status, _, err = run(capsys, "train", "--nesterov")
    assert status != 0 and "expected momentum > 0 and dampening 0 for Nesterov momentum" in err


def test_dropout_reaches_every_hidden_layer_and_the_saved_model(capsys, tmp_path):
    path = tmp_path / "dropout.akili"
    status, out, _ = run(
        capsys, "train", "--dropout", "0.2", "--hidden", "32", "16", "--epochs", "2", "--quiet", "--out", str(path)
    )
    assert status == 0
    loaded = akili.load(path)
    assert [layer.dropout for layer in loaded.layers] == [0.2, 0.2, 0.0]
    sidecar = json.loads((tmp_path / "dropout.akili.json").read_text())
    assert sidecar["training"]["dropout"] == 0.2


def test_a_dropout_rate_of_one_or_more_is_refused(capsys):
    try:
        main(["train", "--dropout", "1", "--epochs", "1"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "expected a dropout rate in [0, 1), got 1" in capsys.readouterr().err
