"""Same seed and thread count give bit-identical weights and history in separate
processes; different seeds give different ones."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np

import akili

RUN = textwrap.dedent("""
    import hashlib, json, sys
    import numpy as np
    import akili
    seed, threads = int(sys.argv[1]), int(sys.argv[2])
    akili.set_num_threads(threads)
    rng = np.random.default_rng(7)  # the data is fixed; only the network's seed varies
    X = rng.uniform(size=(600, 64))
    T = np.full((600, 10), 0.01)
    T[np.arange(600), rng.integers(0, 10, 600)] = 0.99
    results = {}
    for dtype in ("float64", "float32"):
        for batch_size in (1, 32):
            net = akili.NeuralNetwork(64, 48, 10, learning_rate=0.2, seed=seed, dtype=dtype)
            history = net.fit(X, T, epochs=3, batch_size=batch_size, shuffle=True)
            digest = hashlib.sha256(b"".join(np.ascontiguousarray(l.weights).tobytes() for l in net.layers))
            key = f"{dtype}/{batch_size}"
            results[key] = {"weights": digest.hexdigest(), "loss": [float(v).hex() for v in history.loss],
                            "model": hashlib.sha256(net.to_bytes()).hexdigest()}
    print(json.dumps(results))
""")


def run(seed: int, threads: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", RUN, str(seed), str(threads)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_same_seed_and_threads_are_bit_identical_across_processes():
    for threads in (1, 2):
        first, second = run(5, threads), run(5, threads)
        assert first == second


def test_different_seeds_differ():
    five, six = run(5, 1), run(6, 1)
    for key in five:
        assert five[key]["weights"] != six[key]["weights"]
        assert five[key]["loss"] != six[key]["loss"]


def test_loaded_models_train_identically(tmp_path):
    """The file restarts the random source from the saved seed: every load of a file
    trains the same way, and without shuffling exactly like the network it came from."""
    rng = np.random.default_rng(1)
    X, T = rng.uniform(size=(50, 6)), rng.uniform(0.01, 0.99, size=(50, 2))
    original = akili.NeuralNetwork(6, 5, 2, seed=9)
    path = tmp_path / "fresh.akili"
    original.save(path)
    loaded = [akili.load(path), akili.load(path)]
    shuffled = [net.fit(X, T, epochs=2).loss for net in loaded]
    assert shuffled[0] == shuffled[1] and loaded[0].to_bytes() == loaded[1].to_bytes()
    again = akili.load(path)
    assert again.fit(X, T, epochs=2, shuffle=False).loss == original.fit(X, T, epochs=2, shuffle=False).loss
    assert again.to_bytes() == original.to_bytes()
