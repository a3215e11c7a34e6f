"""akili.plotting: learning curves and back-queried images, read back and checked."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import akili
from akili import plotting
from akili.plotting import image_shape, plot_backquery, plot_history

image = pytest.importorskip("matplotlib.image")

TRAINING_BLUE = np.array([0x1F, 0x77, 0xB4]) / 255  # matplotlib's first line colour (C0)
VALIDATION_ORANGE = np.array([0xFF, 0x7F, 0x0E]) / 255  # the second (C1)


def history(epochs: int = 4, validation: bool = True, accuracy: bool = True) -> akili.History:
    record = akili.History()
    for epoch in range(epochs):
        record.loss.append(0.3 / (epoch + 1))
        record.accuracy.append(0.6 + 0.08 * epoch if accuracy else None)
        record.epoch_seconds.append(0.1)
        record.samples.append(100)
        if validation:
            record.val_loss.append(0.35 / (epoch + 1))
            record.val_accuracy.append(0.55 + 0.07 * epoch if accuracy else None)
    return record


def pixels_near(picture: np.ndarray, colour: np.ndarray) -> int:
    """Number of pixels within a small distance of an RGB colour."""
    return int(np.sum(np.abs(picture[:, :, :3] - colour).max(axis=2) < 0.08))


def test_history_plot_has_two_panels_with_both_curves(tmp_path):
    path = tmp_path / "loss.png"
    assert plot_history(history(), path) == str(path)
    picture = image.imread(path)
    assert picture.shape == (380, 1000, 4)  # 10 x 3.8 inches at 100 dpi, RGBA
    assert picture[:, :, :3].std() > 0.05  # not one flat colour
    # Both the training and validation curves are drawn, in each panel.
    for half in (picture[:, :500], picture[:, 500:]):
        assert pixels_near(half, TRAINING_BLUE) > 100
        assert pixels_near(half, VALIDATION_ORANGE) > 100


def test_history_without_validation_or_accuracy_is_one_loss_panel(tmp_path):
    path = tmp_path / "loss.png"
    plot_history(history(validation=False, accuracy=False), path)
    picture = image.imread(path)
    assert picture.shape == (380, 500, 4)
    assert pixels_near(picture, TRAINING_BLUE) > 100
    assert pixels_near(picture, VALIDATION_ORANGE) == 0


def test_history_of_a_real_fit(tmp_path):
    X, y = akili.datasets.xor()
    targets = akili.datasets.one_hot(y, 2, low=0.01, high=0.99)
    net = akili.NeuralNetwork(2, 4, 2, learning_rate=0.5, seed=1)
    record = net.fit(X, targets, epochs=3, validation_data=(X, targets))
    path = tmp_path / "fit.svg"
    plot_history(record, path, title="xor")
    text = path.read_text()
    assert text.startswith("<?xml") and "xor" in text


def test_history_errors(tmp_path):
    with pytest.raises(ValueError, match="no epochs"):
        plot_history(akili.History(), tmp_path / "x.png")
    with pytest.raises(TypeError, match="akili.History"):
        plot_history({"loss": [1.0]}, tmp_path / "x.png")


def test_backquery_grid_shows_each_image(tmp_path):
    # Ten 8x8 images: image k is dark on its left k+1 columns, light elsewhere.
    images = np.full((10, 8, 8), 0.01)
    for k in range(10):
        images[k, :, : min(k + 1, 8)] = 0.99
    path = tmp_path / "bq.png"
    plot_backquery(images.reshape(10, 64), path, labels=[str(k) for k in range(10)])
    picture = image.imread(path)
    assert picture.shape == (440, 1000, 4)  # a 2 x 5 grid: 10 x 4.4 inches
    grey = picture[:, :, :3].mean(axis=2)
    assert (grey < 0.2).sum() > 2000  # dark pixels drawn (the "Greys" map: 0.99 is near black)
    assert (grey > 0.9).sum() > 2000  # and light ones


def test_backquery_of_a_network(tmp_path):
    net = akili.NeuralNetwork(784, 20, 3, seed=0)
    targets = np.full((3, 3), 0.01) + np.eye(3) * 0.98
    path = tmp_path / "net.png"
    plot_backquery(net.backquery(targets), path, labels=["a", "b", "c"], title="three classes")
    picture = image.imread(path)
    assert picture.shape == (260, 600, 4)  # one row of three: 6 x (2.2 + 0.4) inches
    assert picture[:, :, :3].std() > 0.05


def test_image_shapes():
    assert image_shape(784) == (28, 28)
    assert image_shape(64) == (8, 8)
    with pytest.raises(ValueError, match="square"):
        image_shape(60)


def test_backquery_shape_errors(tmp_path):
    with pytest.raises(ValueError, match="square"):
        plot_backquery(np.ones((2, 6)), tmp_path / "x.png")
    plot_backquery(np.linspace(0, 1, 12).reshape(2, 6), tmp_path / "ok.png", shape=(2, 3))
    assert image.imread(tmp_path / "ok.png").shape[2] == 4
    with pytest.raises(ValueError, match="does not hold"):
        plot_backquery(np.ones((2, 6)), tmp_path / "x.png", shape=(2, 2))
    with pytest.raises(ValueError, match="2 labels for 3 images"):
        plot_backquery(np.ones((3, 4)), tmp_path / "x.png", labels=["a", "b"])


def test_missing_matplotlib_says_which_extra_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install 'akili\[plot\]'"):
        plot_history(history(), tmp_path / "x.png")


def test_import_akili_loads_neither_matplotlib_nor_tqdm():
    code = (
        "import sys, akili, akili.plotting, akili.cli; "
        "print(sorted(m for m in ('matplotlib', 'tqdm') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert plotting.__name__ == "akili.plotting"
