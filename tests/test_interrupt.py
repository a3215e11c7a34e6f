"""The native training loop releases the GIL and answers Ctrl-C."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

import akili


def long_fit_data():
    rng = np.random.default_rng(0)
    return rng.uniform(size=(20000, 100)), rng.uniform(0.01, 0.99, size=(20000, 10))


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals")
def test_ctrl_c_stops_fit_quickly_and_leaves_valid_weights():
    X, T = long_fit_data()
    nn = akili.NeuralNetwork(100, 200, 10, learning_rate=0.1, seed=0)
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        nn.fit(X, T, epochs=1000)
    elapsed = time.perf_counter() - started
    timer.join()
    assert elapsed < 5.0  # generous bound for a loaded CI machine; typical: 0.3 s
    assert np.isfinite(nn.wih).all() and np.isfinite(nn.who).all()
    # The model is still usable after the interruption.
    nn.fit(X[:10], T[:10], epochs=1)
    assert nn.query(X[0]).shape == (10,)


def test_fit_releases_the_gil():
    X, T = long_fit_data()
    nn = akili.NeuralNetwork(100, 200, 10, learning_rate=0.1, seed=0)
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        nn.fit(X[:8000], T[:8000], epochs=1)
    finally:
        done.set()
        counter.join()
    # A thread holding the GIL for the whole fit would leave the counter silent.
    assert len(ticks) > 20
