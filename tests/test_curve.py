"""Learning curves inside an epoch: History's running loss and accuracy every N
samples, checked against a replay of the same steps one at a time, and drawn by
plot_history with the epoch boundaries marked."""

from __future__ import annotations

import numpy as np
import pytest

import akili
from akili import datasets
from akili._curve import automatic_points


def digits_data(count: int = 600):
    pixels, labels = datasets.digits()
    inputs = datasets.scale_book(pixels[:count], max_value=16)
    return inputs, datasets.one_hot(labels[:count], 10, low=0.01, high=0.99), labels[:count]


def test_points_are_the_mean_of_each_window_of_samples():
    inputs, targets, labels = digits_data(200)
    net = akili.NeuralNetwork(64, 20, 10, learning_rate=0.2, seed=3)
    replay = net.copy()
    history = net.fit(inputs, targets, epochs=2, shuffle=False, log_every=30)
    assert history.log_every == 30
    # 200 samples: points after 30, 60, ..., 180 and at 200, in each epoch.
    per_epoch = [30, 60, 90, 120, 150, 180, 200]
    assert history.curve_samples == per_epoch + [200 + s for s in per_epoch]
    assert history.curve_position == pytest.approx([s / 200 for s in per_epoch] + [1 + s / 200 for s in per_epoch])
    # Replay the same online steps (no shuffling): each point is the mean loss of its window.
    losses, correct = [], []
    for _ in range(2):
        for x, t, label in zip(inputs, targets, labels):
            correct.append(int(np.argmax(replay.predict(x)) == label))
            losses.append(replay.step(x, t))
    bounds = [0] + history.curve_samples
    expected_loss = [np.mean(losses[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    expected_accuracy = [np.mean(correct[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    np.testing.assert_allclose(history.curve_loss, expected_loss, rtol=1e-9)
    np.testing.assert_allclose(history.curve_accuracy, expected_accuracy, rtol=1e-12)
    # The windows of an epoch average back to its mean.
    weights = np.diff([0] + per_epoch)
    assert np.average(history.curve_loss[:7], weights=weights) == pytest.approx(history.loss[0], rel=1e-12)


def test_automatic_points_and_switching_off():
    inputs, targets, _ = digits_data(300)
    net = akili.NeuralNetwork(64, 10, 10, seed=0)
    history = net.fit(inputs, targets, epochs=1)
    assert len(history.curve_loss) == 50 == automatic_points(1)
    assert history.curve_samples[-1] == 300 and history.log_every == 6
    assert np.diff(history.curve_samples).max() - np.diff([0] + history.curve_samples).min() <= 1
    assert automatic_points(100) == 10 and automatic_points(501) == 0
    assert net.fit(inputs, targets, epochs=1, log_every=0).curve_loss == []
    # Regression targets: a loss curve, no accuracy.
    line = akili.Network([akili.Dense(1, 1, activation="identity", bias=True)], loss="mse", seed=0)
    record = line.fit(np.arange(40.0).reshape(-1, 1) / 40, 3 * np.arange(40.0).reshape(-1, 1), log_every=10)
    assert len(record.curve_loss) == 4 and record.curve_accuracy == [None] * 4


def test_batches_and_progress_callbacks_keep_their_spacing():
    inputs, targets, _ = digits_data(256)
    net = akili.NeuralNetwork(64, 16, 10, seed=2)
    seen = []
    history = net.fit(
        inputs,
        targets,
        epochs=1,
        batch_size=32,
        log_every=64,
        on_progress=lambda done, epoch: seen.append(done),
        progress_every=100,
    )
    assert history.curve_samples == [64, 128, 192, 256]
    assert all(done % 32 == 0 for done in seen)  # batch ends only
    assert {128, 256} <= set(seen)  # the first hook calls (every 64 samples here) at or past 100 and 200


def test_log_every_is_checked():
    inputs, targets, _ = digits_data(20)
    net = akili.NeuralNetwork(64, 4, 10, seed=0)
    with pytest.raises(ValueError, match="log_every"):
        net.fit(inputs, targets, log_every=-1)
    with pytest.raises(TypeError, match="log_every"):
        net.fit(inputs, targets, log_every=2.5)


def one_epoch_curve_falls(history: akili.History) -> None:
    """At least 20 points, and the loss falls: the last fifth well below the first fifth."""
    curve = np.asarray(history.curve_loss)
    assert len(curve) >= 20
    fifth = len(curve) // 5
    assert curve[-fifth:].mean() < 0.7 * curve[:fifth].mean()
    assert curve[-1] < curve[0]


def test_one_epoch_on_digits_is_a_falling_curve():
    inputs, targets, _ = digits_data(1500)
    history = akili.NeuralNetwork(64, 100, 10, learning_rate=0.1, seed=1).fit(inputs, targets, epochs=1)
    one_epoch_curve_falls(history)


def test_one_epoch_of_fashion_mnist_is_a_falling_curve():
    try:
        x, y = datasets.fashion_mnist(kind="train")
    except datasets.DatasetNotFoundError:
        pytest.skip("Fashion-MNIST is not installed (apt install dataset-fashion-mnist)")
    history = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=1).fit(
        x[:10000], datasets.one_hot(y[:10000], 10, low=0.01, high=0.99), epochs=1, shuffle=False
    )
    one_epoch_curve_falls(history)


def test_plot_history_draws_the_points_and_marks_epoch_boundaries(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.lines import Line2D

    inputs, targets, _ = digits_data(300)
    history = akili.NeuralNetwork(64, 20, 10, seed=1).fit(
        inputs, targets, epochs=3, log_every=30, validation_data=(inputs[:50], targets[:50])
    )
    figure = akili.plotting.plot_history(history)
    loss_axes, accuracy_axes = figure.axes
    lines = [line for line in loss_axes.get_lines() if isinstance(line, Line2D)]
    curve = next(line for line in lines if len(line.get_xdata()) == len(history.curve_loss))
    np.testing.assert_allclose(curve.get_ydata(), history.curve_loss)
    np.testing.assert_allclose(curve.get_xdata(), history.curve_position)
    boundaries = [line.get_xdata()[0] for line in lines if line.get_linestyle() == ":"]
    assert boundaries == [1, 2]  # between epochs 1|2 and 2|3
    legend = [text.get_text() for text in loss_axes.get_legend().get_texts()]
    assert legend == ["training (every 30 samples)", "training (epoch mean)", "validation"]
    assert any(len(line.get_xdata()) == 30 for line in accuracy_axes.get_lines())
    path = akili.plotting.plot_history(history, tmp_path / "curve.png", lang="sw")
    assert path.endswith("curve.png")
    swahili = akili.plotting.plot_history(history, lang="sw")
    assert swahili.axes[0].get_xlabel() == "mzunguko" and swahili.axes[0].get_title() == "hasara"


def test_cli_plot_of_one_epoch_has_the_in_epoch_curve(tmp_path):
    pytest.importorskip("matplotlib")
    from akili.cli import main

    plot = tmp_path / "loss.png"
    out = tmp_path / "m.akili"
    assert main(["train", "--epochs", "1", "--quiet", "--plot", str(plot), "--out", str(out)]) == 0
    assert plot.stat().st_size > 10_000
    import json

    sidecar = json.loads((tmp_path / "m.akili.json").read_text())
    assert len(sidecar["history"]["curve_loss"]) == 50


def test_fit_progress_draws_a_tqdm_auto_bar_per_epoch(monkeypatch):
    from akili import _progress

    bars = []

    class RecordingBar:
        def __init__(self, total: int, desc: str, **options) -> None:
            self.total, self.desc, self.count, self.closed = total, desc, 0, False
            bars.append(self)

        def update(self, amount: int) -> None:
            self.count += amount

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(_progress, "_tqdm_class", lambda: RecordingBar)
    inputs, targets, _ = digits_data(400)
    calls = []
    history = akili.NeuralNetwork(64, 10, 10, seed=0).fit(
        inputs, targets, epochs=2, progress=True, on_progress=lambda done, epoch: calls.append(epoch)
    )
    assert [bar.desc for bar in bars] == ["epoch 1/2", "epoch 2/2"]
    assert all(bar.total == 400 and bar.closed and bar.count >= 398 for bar in bars)
    assert set(calls) == {0, 1}  # the caller's on_progress still runs beside the bar
    assert len(history.curve_loss) == 100


def test_tqdm_auto_is_the_bar():
    pytest.importorskip("tqdm")
    from tqdm.auto import tqdm

    from akili import _progress

    assert _progress._tqdm_class() is tqdm
