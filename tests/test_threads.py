"""Many threads on one model, and models training side by side."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import akili


def data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(size=(n, 50)), rng.uniform(0.01, 0.99, size=(n, 10))


def test_concurrent_predict_is_identical_to_serial():
    X, _ = data(500)
    nn = akili.NeuralNetwork(50, 80, 10, seed=1)
    expected = nn.predict(X)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: nn.predict(X), range(64)))
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_concurrent_fits_on_one_model_are_serialised():
    """Two fits on one model run one after the other: the result equals two sequential epochs."""
    X, T = data(2000)
    shared = akili.NeuralNetwork(50, 80, 10, seed=2)
    reference = akili.NeuralNetwork(50, 80, 10, seed=2)
    threads = [
        threading.Thread(target=shared.fit, args=(X, T), kwargs={"epochs": 1, "shuffle": False}) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reference.fit(X, T, epochs=2, shuffle=False)
    np.testing.assert_array_equal(shared.wih, reference.wih)
    np.testing.assert_array_equal(shared.who, reference.who)


def test_predict_during_fit_sees_a_consistent_model():
    X, T = data(3000)
    nn = akili.NeuralNetwork(50, 80, 10, seed=3)
    stop = threading.Event()
    outputs = []

    def reader():
        while not stop.is_set():
            outputs.append(nn.predict(X[:5]))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        nn.fit(X, T, epochs=2)
    finally:
        stop.set()
        thread.join()
    assert outputs and all(np.isfinite(o).all() and o.shape == (5, 10) for o in outputs)


def test_separate_models_train_in_parallel():
    """With the GIL released, two models train concurrently; each equals its serial twin."""
    X, T = data(6000)
    models = [akili.NeuralNetwork(50, 120, 10, seed=s) for s in (4, 5)]
    twins = [akili.NeuralNetwork(50, 120, 10, seed=s) for s in (4, 5)]
    started = time.perf_counter()
    for twin in twins:
        twin.fit(X, T, epochs=2)
    serial = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda m: m.fit(X, T, epochs=2), models))
    parallel = time.perf_counter() - started
    for model, twin in zip(models, twins):
        np.testing.assert_array_equal(model.wih, twin.wih)
    # Report the overlap rather than assert on time (machines vary).
    print(f"serial {serial:.3f}s, two threads {parallel:.3f}s")
