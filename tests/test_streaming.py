"""Network.fit on data that is not one array in memory: iterables and callables of
(X, Y) batches, the native readers' batches, and memory-mapped arrays."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import akili
from akili import datasets as ds


def _network(dtype=np.float64) -> akili.Network:
    return akili.Network([akili.Dense(6, 5), akili.Dense(5, 3)], learning_rate=0.2, seed=7, dtype=dtype)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.random((103, 6))
    Y = ds.one_hot(rng.integers(0, 3, 103), 3, low=0.01, high=0.99)
    return X, Y


def _chunks(X: np.ndarray, Y: np.ndarray, size: int):
    return [(X[i : i + size], Y[i : i + size]) for i in range(0, len(X), size)]


@pytest.mark.parametrize("batch_size,chunk", [(1, 10), (1, 64), (5, 7), (8, 103)])
def test_fit_on_batches_equals_fit_on_the_concatenated_arrays(data, batch_size, chunk):
    X, Y = data
    whole, streamed = _network(), _network()
    expected = whole.fit(X, Y, epochs=2, batch_size=batch_size, shuffle=False)
    history = streamed.fit(lambda: iter(_chunks(X, Y, chunk)), epochs=2, batch_size=batch_size, shuffle=False)
    for a, b in zip(whole.layers, streamed.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    assert history.samples == expected.samples == [103, 103]
    np.testing.assert_allclose(history.loss, expected.loss, rtol=1e-12)
    assert history.accuracy == pytest.approx(expected.accuracy)


def test_a_reiterable_list_trains_several_epochs_and_a_generator_one(data):
    X, Y = data
    net = _network()
    assert net.fit(_chunks(X, Y, 20), epochs=3).epochs == 3
    with pytest.raises(ValueError, match="one-shot iterator .* one epoch only"):
        net.fit((batch for batch in _chunks(X, Y, 20)), epochs=2)
    assert net.fit((batch for batch in _chunks(X, Y, 20)), epochs=1).samples == [103]


def test_bad_batches_are_refused_by_name(data):
    X, Y = data
    net = _network()
    with pytest.raises(ValueError, match=r"\[Network.fit\] expected each batch as a pair .* batch 1"):
        net.fit([(X[:5], Y[:5]), X[5:]])
    with pytest.raises(ValueError, match=r"\[Network.fit\] expected 6 columns in inputs"):
        net.fit([(X[:, :4], Y)])
    with pytest.raises(ValueError, match="NaN or infinity"):
        bad = X.copy()
        bad[3, 2] = np.nan
        net.fit([(bad, Y)])
    with pytest.raises(TypeError, match="expected targets with the inputs array"):
        net.fit(X)
    with pytest.raises(ValueError, match="yielded no samples"):
        net.fit(lambda: [])
    with pytest.raises(RuntimeError, match="broken source"):

        def broken():
            yield X[:5], Y[:5]
            raise RuntimeError("broken source")

        net.fit(broken())


def test_fit_straight_from_iter_csv(tmp_path, data):
    X, Y = data
    labels = np.argmax(Y, axis=1)
    rows = [",".join([str(label), *(repr(float(v)) for v in x)]) for label, x in zip(labels, X)]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows) + "\n")
    batches = ds.iter_csv(path, batch_rows=16)

    def with_targets():
        return ((x, ds.one_hot(y, 3, low=0.01, high=0.99)) for x, y in batches)

    streamed, whole = _network(), _network()
    streamed.fit(with_targets, epochs=2, shuffle=False)
    whole.fit(X, Y, epochs=2, shuffle=False)
    for a, b in zip(whole.layers, streamed.layers):
        np.testing.assert_array_equal(a.weights, b.weights)


def test_fit_on_a_memory_mapped_array_equals_fit_on_the_array(tmp_path, data):
    X, Y = data
    np.save(tmp_path / "x.npy", X)
    mapped = np.load(tmp_path / "x.npy", mmap_mode="r")
    a, b = _network(), _network()
    a.fit(X, Y, epochs=2)
    b.fit(mapped, Y, epochs=2)
    for la, lb in zip(a.layers, b.layers):
        np.testing.assert_array_equal(la.weights, lb.weights)


@pytest.mark.slow
def test_memory_stays_bounded_by_rss(tmp_path):
    """A memory-mapped training set adds no anonymous memory (no copy); streaming a CSV
    four times the size of the allowance keeps the peak RSS low; Ctrl-C stops a read."""
    script = textwrap.dedent("""
        import resource, sys
        import numpy as np
        import akili
        from akili import datasets as ds

        def anon_kib():
            for line in open("/proc/self/status"):
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])

        path, csv_path = sys.argv[1], sys.argv[2]
        mapped = np.load(path, mmap_mode="r")
        targets = np.full((mapped.shape[0], 2), 0.5)
        net = akili.Network([akili.Dense(mapped.shape[1], 8), akili.Dense(8, 2)], seed=0)
        before = anon_kib()
        net.fit(mapped, targets, epochs=1, batch_size=64)
        print("memmap_anon_growth_kib", anon_kib() - before)

        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        batches = ds.iter_csv(csv_path, batch_rows=512, dtype=np.float32, scale="book")
        net32 = akili.Network([akili.Dense(batches.n_features, 8), akili.Dense(8, 10)], seed=0, dtype=np.float32)
        net32.fit(lambda: ((x, ds.one_hot(y, 10, 0.01, 0.99, dtype=np.float32)) for x, y in batches))
        print("stream_peak_growth_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline)

        # Ctrl-C during a whole-file read: the core polls for it between 1 MiB pieces.
        import os, signal, threading
        threading.Timer(0.05, os.kill, args=(os.getpid(), signal.SIGINT)).start()
        try:
            ds.read_csv(csv_path)
            print("interrupted_in_read False")
        except KeyboardInterrupt:
            print("interrupted_in_read True")
    """)
    rng = np.random.default_rng(0)
    array = rng.random((40_000, 784))  # 251 MB of float64
    np.save(tmp_path / "big.npy", array)
    del array
    line = ",".join(["3", *["128"] * 784]) + "\n"
    with open(tmp_path / "big.csv", "w") as handle:
        for _ in range(60_000):  # ~ 235 MB of text
            handle.write(line)
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "big.npy"), str(tmp_path / "big.csv")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    values = dict(line.split() for line in out.splitlines())
    assert int(values["memmap_anon_growth_kib"]) < 20_000  # a copy would be 245,000 KiB
    assert int(values["stream_peak_growth_kib"]) < 60_000
    assert values["interrupted_in_read"] == "True"


def test_cli_train_stream_on_a_csv_file(tmp_path, capsys):
    from akili.cli import main

    X, y = ds.digits()
    # pixels 0..16 stretched to 0..240, the range the book scaling (x/255) expects
    lines = "\n".join(",".join([str(label), *(str(int(v) * 15) for v in row)]) for label, row in zip(y, X)) + "\n"
    (tmp_path / "train.csv").write_text(lines)
    (tmp_path / "test.csv").write_text(lines[: lines.index("\n", 20000) + 1])
    status = main(
        [
            "train",
            "--data",
            str(tmp_path / "train.csv"),
            "--stream",
            "--test-data",
            str(tmp_path / "test.csv"),
            "--epochs",
            "3",
            "--hidden",
            "32",
            "--quiet",
            "--out",
            str(tmp_path / "m.akili"),
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "5391 samples trained" in out
    accuracy = float(out.split("accuracy ", 2)[2].split()[0])
    assert accuracy > 0.8
    assert (tmp_path / "m.akili.json").is_file()
    assert main(["train", "--data", str(tmp_path / "train.csv"), "--stream", "--scale", "standard"]) != 0
    assert "needs statistics of the whole data set" in capsys.readouterr().err
    assert main(["train", "--data", "digits", "--classes", "10"]) != 0
    assert "--classes is for --stream only" in capsys.readouterr().err
