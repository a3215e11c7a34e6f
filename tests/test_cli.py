"""The ``akili`` command line: training, saved models, errors, progress and Ctrl-C."""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import signal
import struct
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from conftest import require_system

import akili
from akili import datasets as ds
from akili._cli_data import Scaling, read_sidecar
from akili._progress import EpochProgress, is_terminal
from akili.cli import main

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Runs ``akili ARGV`` in this process: (exit status, stdout, stderr)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def accuracy_in(text: str) -> float:
    """The number after the first line that starts with 'accuracy '."""
    match = re.search(r"^accuracy (\d\.\d+)", text, re.M)
    assert match, text
    return float(match.group(1))


def run_process(*argv: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "akili", *argv], capture_output=True, text=True, timeout=300, **options
    )


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory) -> tuple[Path, float]:
    """A model trained by the CLI on the built-in digits: (path, test accuracy it printed)."""
    folder = tmp_path_factory.mktemp("model")
    path = folder / "digits.akili"
    status = main(["train", "--epochs", "5", "--quiet", "--out", str(path)])
    assert status == 0
    sidecar = json.loads((folder / "digits.akili.json").read_text())
    return path, sidecar["test_accuracy"]


# -- training -------------------------------------------------------------------


def test_train_without_arguments_works_and_reports_accuracy_and_time():
    result = run_process("train")
    assert result.returncode == 0, result.stderr
    assert "64-100-10 network" in result.stdout and "on digits" in result.stdout
    assert re.search(r"^epoch 14/14: loss \d\.\d+, accuracy \d\.\d+, test loss", result.stdout, re.M)
    assert accuracy_in(result.stdout) > 0.9
    assert re.search(r"^time \d+\.\d+ s \(14 epochs, 20132 samples trained", result.stdout, re.M)
    assert result.stderr == ""  # no progress bar when stdout is not a terminal


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "akili"
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable} (package not installed with pip)")
    result = subprocess.run(
        [str(script), "train", "--epochs", "2", "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert accuracy_in(result.stdout) > 0.8
    assert not re.search(r"^epoch ", result.stdout, re.M)  # --quiet: no per-epoch lines


def test_training_is_deterministic(capsys):
    first = run(capsys, "train", "--epochs", "2", "--quiet", "--seed", "3")
    second = run(capsys, "train", "--epochs", "2", "--quiet", "--seed", "3")
    assert accuracy_in(first[1]) == accuracy_in(second[1])


def test_options_shape_the_saved_network(capsys, tmp_path):
    path = tmp_path / "m.akili"
    status, out, _ = run(
        capsys,
        "train",
        "--hidden",
        "30",
        "20",
        "--epochs",
        "2",
        "--dtype",
        "float32",
        "--batch-size",
        "8",
        "--rule",
        "gradient",
        "--activation",
        "tanh",
        "--lr",
        "0.3",
        "--seed",
        "4",
        "--limit",
        "500",
        "--quiet",
        "--out",
        str(path),
    )
    assert status == 0
    assert "saved" in out
    net = akili.load(path)
    assert [(layer.inputs, layer.outputs, layer.activation) for layer in net.layers] == [
        (64, 30, "tanh"),
        (30, 20, "tanh"),
        (20, 10, "sigmoid"),
    ]
    assert net.dtype == np.float32 and net.rule == "gradient"
    sidecar = read_sidecar(path)
    assert sidecar["training"]["samples"] == 500
    assert sidecar["training"]["batch_size"] == 8
    assert sidecar["training"]["epochs_completed"] == 2
    assert sidecar["classes"] == [str(d) for d in range(10)]


def test_cross_entropy_uses_a_softmax_output_and_plain_one_hot_targets(capsys, tmp_path):
    path = tmp_path / "m.akili"
    status, out, _ = run(capsys, "train", "--loss", "cross_entropy", "--epochs", "3", "--quiet", "--out", str(path))
    assert status == 0 and accuracy_in(out) > 0.85
    assert akili.load(path).layers[-1].activation == "softmax"
    assert read_sidecar(path)["targets"] == {"low": 0.0, "high": 1.0}


def test_iris_is_standardized(capsys):
    status, out, _ = run(capsys, "train", "--data", "iris")
    assert status == 0
    assert "4-100-3 network" in out and "standard" in out and "50 epochs" in out
    assert accuracy_in(out) > 0.8


def test_limit_trains_on_the_first_samples(capsys):
    status, out, _ = run(capsys, "train", "--limit", "100", "--epochs", "1")
    assert status == 0
    assert "100 samples x 1 epochs" in out
    assert re.search(r"^time .*100 samples trained", out, re.M)


def digits_rows() -> tuple[np.ndarray, np.ndarray]:
    X, y = ds.digits()
    return X.astype(np.int64), y


def test_train_on_a_csv_file(capsys, tmp_path):
    X, y = digits_rows()
    path = tmp_path / "digits.csv"
    np.savetxt(path, np.column_stack([y, X]), fmt="%d", delimiter=",")
    status, out, _ = run(capsys, "train", "--data", str(path), "--epochs", "5", "--quiet")
    assert status == 0
    assert "book (x / 16" in out or accuracy_in(out)  # scaled the book's way, max value from the data
    assert accuracy_in(out) > 0.85


def test_train_on_an_npz_file(capsys, tmp_path):
    X, y = digits_rows()
    path = tmp_path / "digits.npz"
    np.savez(path, X=X.astype(np.float32), y=y)
    status, out, _ = run(capsys, "train", "--data", str(path), "--epochs", "5")
    assert status == 0 and accuracy_in(out) > 0.85


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_train_on_a_directory_of_idx_files_uses_its_test_split(capsys, tmp_path):
    X, y = digits_rows()
    images = (X * 15).reshape(-1, 8, 8)  # 0..240, as pixels
    for prefix, rows in (("train", slice(0, 1500)), ("t10k", slice(1500, None))):
        (tmp_path / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx(images[rows])))
        (tmp_path / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx(y[rows])))
    status, out, _ = run(capsys, "train", "--data", str(tmp_path), "--epochs", "10")
    assert status == 0
    assert "x / 255 * 0.99 + 0.01" in out  # uint8 pixels: the book's /255
    assert "on 297 test samples (the test split)" in out
    assert accuracy_in(out) > 0.85


def test_plot_draws_the_learning_curves(capsys, tmp_path):
    image = pytest.importorskip("matplotlib.image")
    path = tmp_path / "loss.png"
    status, out, _ = run(capsys, "train", "--epochs", "3", "--quiet", "--plot", str(path))
    assert status == 0 and f"plotted {path}" in out
    picture = image.imread(path)
    assert picture.shape == (380, 1000, 4)
    assert picture[:, :, :3].std() > 0.05


# -- saved models -------------------------------------------------------------------


def test_evaluate_reproduces_the_held_out_accuracy(capsys, digits_model):
    path, trained_accuracy = digits_model
    status, out, err = run(capsys, "evaluate", str(path), "--data", "digits")
    assert status == 0, err
    assert accuracy_in(out) == pytest.approx(trained_accuracy, abs=1e-4)
    assert "held-out part (0.2, seed 0)" in out
    lines = out.splitlines()
    start = lines.index("confusion matrix (rows: true class, columns: predicted class)")
    rows = [list(map(int, line.split()[2:])) for line in lines[start + 2 : start + 12]]
    counts = np.array(rows)
    assert counts.shape == (10, 10) and counts.sum() == 359
    assert np.trace(counts) / counts.sum() == pytest.approx(trained_accuracy, abs=1e-4)


def test_evaluate_other_splits(capsys, digits_model):
    path, _ = digits_model
    status, out, _ = run(capsys, "evaluate", str(path), "--data", "digits", "--split", "all", "--no-confusion")
    assert status == 0 and re.search(r"\(\d+/1797\) on all samples", out)
    assert "confusion" not in out
    status, out, _ = run(capsys, "evaluate", str(path), "--data", "digits", "--split", "train", "--no-confusion")
    assert status == 0 and "/1438) on the training part" in out


def test_predict_writes_one_row_per_sample(capsys, tmp_path, digits_model):
    path, _ = digits_model
    target = tmp_path / "preds.csv"
    status, _, err = run(capsys, "predict", str(path), "--data", "digits", "--out", str(target))
    assert status == 0 and "wrote 359 predictions" in err
    with open(target, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["index", "prediction", "class"] and len(rows[0]) == 13
    assert len(rows) == 360
    # The same predictions as the loaded model on the same (scaled) held-out part.
    net = akili.load(path)
    X, y = ds.digits()
    _, test_x, _, _ = ds.train_test_split(X, y, test_fraction=0.2, seed=0)
    expected = np.argmax(net.predict(ds.scale_book(test_x, max_value=16)), axis=1)
    assert [int(row[1]) for row in rows[1:]] == expected.tolist()
    # Without --out the CSV goes to stdout.
    status, out, _ = run(capsys, "predict", str(path), "--data", "digits")
    assert status == 0 and out.splitlines()[1].startswith("0,")
    assert len(out.splitlines()) == 360


def test_info_describes_the_model(capsys, digits_model):
    path, trained_accuracy = digits_model
    status, out, _ = run(capsys, "info", str(path))
    assert status == 0
    assert "network 64-100-10, float64, loss squared_error, rule transpose" in out
    assert "6,400 + 1,000" not in out and "7,400 parameters" in out
    assert "trained on digits (1438 samples, 5 of 5 epochs" in out
    assert f"test accuracy {trained_accuracy:.4f}" in out
    assert "book (x / 16 * 0.99 + 0.01)" in out


def test_backquery_draws_one_image_per_class(capsys, tmp_path, digits_model):
    image = pytest.importorskip("matplotlib.image")
    path, _ = digits_model
    target = tmp_path / "digits.png"
    status, out, _ = run(capsys, "backquery", str(path), "--out", str(target))
    assert status == 0 and "10 back-queried images" in out
    picture = image.imread(target)
    assert picture.shape == (480, 1000, 4)  # 2 x 5 grid with a title
    grey = picture[:, :, :3].mean(axis=2)
    assert (grey < 0.3).sum() > 1000 and (grey > 0.9).sum() > 1000


def test_model_without_sidecar_scales_from_the_data_with_a_note(capsys, tmp_path, digits_model):
    path, trained_accuracy = digits_model
    copy = tmp_path / "bare.akili"
    copy.write_bytes(path.read_bytes())
    status, out, err = run(capsys, "evaluate", str(copy), "--data", "digits", "--no-confusion")
    assert status == 0 and "note: no bare.akili.json" in err
    assert "/1797) on all samples" in out
    assert accuracy_in(out) > 0.9
    status, out, _ = run(capsys, "info", str(copy))
    assert status == 0 and "no bare.akili.json" in out


# -- mistakes ---------------------------------------------------------------------------


def one_line_error(status: int, err: str, expected_status: int, pattern: str) -> None:
    assert status == expected_status, err
    assert "Traceback" not in err
    assert re.search(pattern, err), err
    if expected_status == 1:
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["train", "--data", "missing.csv"], r"akili train: error: missing.csv: no such file"),
        (["train", "--data", "nonsense"], r"nonsense: unknown data set; valid choices"),
        (["evaluate", "missing.akili", "--data", "digits"], r"missing.akili: no such model file"),
        (["train", "--plot", "/no/such/dir/loss.png"], r"/no/such/dir/loss.png: the directory .* does not exist"),
        (["backquery", "missing.akili", "--out", "x.png"], r"no such model file"),
    ],
)
def test_user_mistakes_are_one_line(capsys, argv, pattern):
    status, _, err = run(capsys, *argv)
    one_line_error(status, err, 1, pattern)


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["train", "--lr", "-1"], r"argument --lr: expected a positive finite number"),
        (["train", "--epochs", "0"], r"argument --epochs: expected a number of 1 or more"),
        (["train", "--rule", "magic"], r"invalid choice: 'magic'"),
        (["evaluate"], r"the following arguments are required: MODEL"),  # --data may come from MODEL.json
        ([], r"the following arguments are required: COMMAND"),
    ],
)
def test_malformed_command_lines_exit_with_2(capsys, argv, pattern):
    status, _, err = run(capsys, *argv)
    one_line_error(status, err, 2, pattern)


def test_bad_files_are_named(capsys, tmp_path, digits_model):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2,3\n0,4,5\n1,6\n")
    status, _, err = run(capsys, "train", "--data", str(ragged))
    one_line_error(status, err, 1, r"ragged.csv: line 3: ragged row: 2 values, expected 3")

    corrupt = tmp_path / "corrupt.akili"
    corrupt.write_bytes(b"not a model at all")
    status, _, err = run(capsys, "info", str(corrupt))
    one_line_error(status, err, 1, r"akili info: error: .*")

    path, _ = digits_model
    status, _, err = run(capsys, "evaluate", str(path), "--data", "iris")
    one_line_error(status, err, 1, r"iris has 4 features per sample but the model expects 64")

    labels = tmp_path / "labels.csv"
    np.savetxt(labels, np.column_stack([np.full(3, 12), np.ones((3, 64))]), fmt="%d", delimiter=",")
    status, _, err = run(capsys, "evaluate", str(path), "--data", str(labels))
    one_line_error(status, err, 1, r"label 12 is out of range for a model with 10 outputs")

    model_copy = tmp_path / "broken.akili"
    model_copy.write_bytes(path.read_bytes())
    (tmp_path / "broken.akili.json").write_text("{not json")
    status, _, err = run(capsys, "evaluate", str(model_copy), "--data", "digits")
    one_line_error(status, err, 1, r"broken.akili.json: not valid JSON")
    sidecar = json.loads(Path(f"{path}.json").read_text())
    for key, value, message in (
        ("held_out", {"seed": "x"}, "'held_out' must be"),
        ("targets", [0.01], "'targets' must be"),
        ("version", 99, "version 99 is newer"),
        ("input_scaling", {"method": "book", "max_value": 0}, "non-positive"),
    ):
        (tmp_path / "broken.akili.json").write_text(json.dumps({**sidecar, key: value}))
        status, _, err = run(capsys, "evaluate", str(model_copy), "--data", "digits")
        one_line_error(status, err, 1, message)


def test_errors_in_a_real_process_have_no_traceback(tmp_path):
    result = run_process("train", "--data", str(tmp_path / "missing.npz"))
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"akili train: error: {tmp_path / 'missing.npz'}: no such file; valid choices: "
        "'iris', 'digits', 'xor', 'fashion-mnist', a path to a .csv or .npz file, or a directory of IDX files"
    )


def test_help_and_version():
    result = run_process("--help")
    assert result.returncode == 0
    for command in ("train", "evaluate", "predict", "info", "backquery", "bench"):
        assert command in result.stdout
    result = run_process("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"akili {akili.__version__}"


# -- Ctrl-C ----------------------------------------------------------------------------


def test_ctrl_c_stops_cleanly_and_saves_what_was_trained(tmp_path):
    path = tmp_path / "partial.akili"
    process = subprocess.Popen(
        [sys.executable, "-m", "akili", "train", "--epochs", "100000", "--out", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        seen = []
        for line in process.stdout:  # wait until training is under way
            seen.append(line)
            if line.startswith("epoch 2/"):
                break
        assert seen and seen[-1].startswith("epoch 2/"), "".join(seen) + process.stderr.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert re.search(r"interrupted: \d+ of 100000 epochs completed", err)
    assert f"saved {path}" in out
    net = akili.load(path)
    assert net.n_inputs == 64
    sidecar = read_sidecar(path)
    assert sidecar["training"]["interrupted"] is True
    assert sidecar["training"]["epochs_completed"] >= 2
    assert len(sidecar["history"]["loss"]) == sidecar["training"]["epochs_completed"]


# -- progress ----------------------------------------------------------------------------


class RecordingBar:
    """Stands in for tqdm: records what the bar was told."""

    made: list[RecordingBar] = []

    def __init__(self, total: int, desc: str, **options) -> None:
        self.total, self.desc, self.count, self.closed = total, desc, 0, False
        RecordingBar.made.append(self)

    def update(self, amount: int) -> None:
        self.count += amount

    def close(self) -> None:
        self.closed = True


def test_progress_bar_follows_every_epoch(monkeypatch, capsys):
    from akili import _progress

    RecordingBar.made = []
    monkeypatch.setattr(_progress, "_tqdm_class", lambda: RecordingBar)
    X, y = ds.digits()
    inputs, targets = ds.scale_book(X[:600], max_value=16), ds.one_hot(y[:600], 10, low=0.01, high=0.99)
    progress = EpochProgress(600, 3, bar=True, validation_name="test")
    assert progress.draws_bar
    net = akili.NeuralNetwork(64, 20, 10, seed=0)
    history = net.fit(
        inputs,
        targets,
        epochs=3,
        validation_data=(inputs[:50], targets[:50]),
        on_epoch=progress.on_epoch,
        on_progress=progress.on_progress,
        progress_every=10,
    )
    assert [bar.desc for bar in RecordingBar.made] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert all(bar.total == 600 and bar.closed for bar in RecordingBar.made)
    assert all(bar.count >= 590 for bar in RecordingBar.made)  # called every 10 samples up to the last 10
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[2].startswith("epoch 3/3: loss ")
    assert f"test accuracy {history.val_accuracy[2]:.4f}" in lines[2]
    assert progress.history is history


def test_progress_without_a_terminal(monkeypatch, capsys):
    import io

    assert not is_terminal(io.StringIO())
    progress = EpochProgress(10, 1, bar=False, lines=False)
    assert not progress.draws_bar
    progress.on_progress(5, 0)  # harmless without a bar
    record = akili.History(loss=[0.5], accuracy=[None], epoch_seconds=[0.1], samples=[10])
    progress.on_epoch(0, record)
    assert capsys.readouterr().out == ""
    assert progress.epoch_line(0, record) == "epoch 1/1: loss 0.5000 (0.10 s)"


# -- bench ---------------------------------------------------------------------------------


def test_bench_runs_the_benchmark_with_the_arguments_given(capsys, monkeypatch):
    calls = []

    def fake_main(argv):
        calls.append(argv)
        if argv == ["--help"]:
            raise SystemExit(0)
        return 3 if argv else 0

    fake = types.ModuleType("akili._bench")
    fake.main = fake_main
    monkeypatch.setitem(sys.modules, "akili._bench", fake)
    monkeypatch.setattr(akili, "_bench", fake, raising=False)
    assert run(capsys, "bench")[0] == 0
    assert run(capsys, "bench", "--samples", "100")[0] == 3
    assert run(capsys, "bench", "--help")[0] == 0
    assert calls == [[], ["--samples", "100"], ["--help"]]


def test_bench_help_comes_from_the_benchmark():
    try:
        import akili._bench  # noqa: F401
    except ModuleNotFoundError as error:
        if error.name != "akili._bench":
            raise
        pytest.skip("akili._bench is not part of this build")
    result = run_process("bench", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


# -- scaling recorded beside the model ---------------------------------------------------


def test_scaling_round_trips_through_json():
    inputs = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    for method in ("book", "standard", "minmax", "none"):
        scaling = Scaling.fit(method, inputs)
        again = Scaling.from_json(json.loads(json.dumps(scaling.to_json())), "test")
        np.testing.assert_array_equal(again.apply(inputs, np.float64), scaling.apply(inputs, np.float64))
    assert Scaling.fit("auto", inputs).method == "book"
    assert Scaling.fit("auto", inputs - 2.5).method == "standard"
    np.testing.assert_allclose(Scaling.fit("minmax", inputs).apply(inputs, np.float64).min(axis=0), 0.01)
    with pytest.raises(ValueError, match="non-finite or non-positive"):
        Scaling.from_json({"method": "book", "max_value": -1}, "m.json")


# -- Fashion-MNIST end to end ---------------------------------------------------------------


def test_fashion_mnist_train_then_evaluate(tmp_path):
    require_system(FASHION_DIR, "the Fashion-MNIST run needs Debian's dataset-fashion-mnist")
    model = tmp_path / "m.akili"
    trained = run_process(
        "train", "--data", "fashion-mnist", "--limit", "3000", "--epochs", "1", "--out", str(model), cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    assert "784-100-10 network" in trained.stdout and "3000 samples" in trained.stdout
    evaluated = run_process("evaluate", str(model), "--data", "fashion-mnist", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert "on the test split of fashion-mnist" in evaluated.stdout
    assert accuracy_in(evaluated.stdout) > 0.6
    assert accuracy_in(evaluated.stdout) == pytest.approx(accuracy_in(trained.stdout), abs=1e-4)
    assert "9 Ankle boot" in evaluated.stdout  # class names in the confusion matrix
    assert os.path.getsize(model) > 784 * 100 * 8


def test_fashion_mnist_example_draws_both_pictures(tmp_path):
    require_system(FASHION_DIR, "the Fashion-MNIST example needs Debian's dataset-fashion-mnist")
    image = pytest.importorskip("matplotlib.image")
    example = Path(__file__).resolve().parent.parent / "examples" / "fashion_mnist.py"
    result = subprocess.run(
        [sys.executable, str(example), "--limit", "2000", "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    accuracy = float(re.search(r"test accuracy (\d\.\d+)$", result.stdout, re.M).group(1))
    assert accuracy > 0.6
    assert image.imread(tmp_path / "fashion-loss.png").shape == (380, 1000, 4)
    pictures = image.imread(tmp_path / "fashion-backquery.png")
    assert pictures.shape == (440, 1000, 4) and pictures[:, :, :3].std() > 0.05
