"""Beyond tests/test_interrupt.py and tests/test_threads.py: Ctrl-C during batch
training, and saving, loading, failing and predicting from many threads while
one model trains."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import akili


def data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, 40)), rng.uniform(0.01, 0.99, size=(n, 8))


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
@pytest.mark.parametrize("batch_size", [64, 1])
def test_ctrl_c_during_batch_and_online_fit_leaves_a_usable_model(batch_size):
    X, T = data(20000)
    net = akili.NeuralNetwork(40, 300, 8, learning_rate=0.05, seed=1)
    timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            net.fit(X, T, epochs=10_000, batch_size=batch_size)
    finally:
        timer.cancel()
        timer.join()
    assert np.isfinite(net.wih).all() and np.isfinite(net.who).all()
    # Still consistent: a save / load round trip predicts identically.
    again = akili.loads(net.to_bytes())
    np.testing.assert_array_equal(again.predict(X[:20]), net.predict(X[:20]))
    net.fit(X[:50], T[:50], epochs=1)


def test_saves_and_predictions_during_fit_see_whole_models(tmp_path):
    """Saving while another thread trains writes a consistent snapshot every time."""
    X, T = data()
    net = akili.NeuralNetwork(40, 60, 8, learning_rate=0.1, seed=2)
    stop = threading.Event()
    blobs, errors = [], []

    def snapshotter(index):
        path = tmp_path / f"snap-{index}.akili"
        while not stop.is_set():
            try:
                net.save(path)
                blobs.append(path.read_bytes())
                blobs.append(net.to_bytes())
                net.predict(X[:10])
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

    workers = [threading.Thread(target=snapshotter, args=(i,)) for i in range(3)]
    for worker in workers:
        worker.start()
    try:
        net.fit(X, T, epochs=15)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert not errors
    assert blobs
    for blob in blobs[:: max(1, len(blobs) // 50)]:
        copy = akili.loads(blob)
        assert np.isfinite(copy.predict(X[:5])).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"snap-{i}.akili" for i in range(3)]


def test_a_failing_call_in_one_thread_does_not_disturb_another():
    X, T = data(2000)
    shared = akili.NeuralNetwork(40, 60, 8, seed=3)
    twin = akili.NeuralNetwork(40, 60, 8, seed=3)

    def bad(i):
        with pytest.raises((ValueError, TypeError)):
            [shared.predict, lambda x: shared.fit(x, T), lambda x: shared.step(x, T[:1])][i % 3](
                [X[:, :3], np.full_like(X, np.nan), X.astype(object)][i % 3]
            )

    with ThreadPoolExecutor(max_workers=4) as pool:
        fit = pool.submit(shared.fit, X, T, epochs=2, shuffle=False)
        list(pool.map(bad, range(60)))
        fit.result()
    twin.fit(X, T, epochs=2, shuffle=False)
    np.testing.assert_array_equal(shared.wih, twin.wih)
    np.testing.assert_array_equal(shared.who, twin.who)


def test_concurrent_loads_of_one_file_are_identical(tmp_path):
    path = tmp_path / "m.akili"
    net = akili.NeuralNetwork(40, 60, 8, seed=4)
    net.save(path)
    expected = net.to_bytes()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: akili.load(path).to_bytes(), range(64)))
    assert all(result == expected for result in results)
