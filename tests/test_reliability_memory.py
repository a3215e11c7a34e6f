"""1,000 cycles of training, prediction, saving, loading and every error path keep
the resident set flat. RSS (VmRSS in /proc/self/status) sees the core's C++
allocations, which tracemalloc does not."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc"),
]

CYCLES = textwrap.dedent("""
    import gc, sys
    import numpy as np
    import akili
    from akili import datasets

    work = sys.argv[1]
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(64, 20))
    T = rng.uniform(0.01, 0.99, size=(64, 5))
    idx = bytes([0, 0, 8, 2, 0, 0, 0, 4, 0, 0, 0, 4]) + bytes(16)
    open(work + "/cut.idx", "wb").write(idx[:-3])

    def rss_kib():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    def expect(error, action):
        try:
            action()
        except error:
            return
        raise SystemExit(f"expected {error.__name__}")

    def stop(done, epoch):
        raise KeyboardInterrupt

    def cycle(i):
        net = akili.NeuralNetwork(20, 30, 5, learning_rate=0.2, seed=i, dtype="float32" if i % 2 else "float64")
        net.fit(X, T, epochs=1, batch_size=1 + i % 8, validation_data=(X[:8], T[:8]))
        net.predict(X)
        net.forward(X[:4], trace=True)
        net.step(X[:4], T[:4], trace=True)
        net.save(work + "/m.akili")
        back = akili.load(work + "/m.akili")
        akili.loads(back.to_bytes()).predict(X[:2])
        net.copy().evaluate(X, T)
        # Error paths: validation, core checks, model file, divergence, callbacks, readers.
        expect(ValueError, lambda: net.predict(np.full((3, 20), np.nan)))
        expect(ValueError, lambda: net.fit(X[:, :3], T))
        expect(TypeError, lambda: net.predict(X.astype(object)))
        expect(akili.ModelFormatError, lambda: akili.loads(b"\\x89AKILI\\r\\n" + bytes(40)))
        expect(akili.ModelFormatError, lambda: akili.loads(back.to_bytes()[:-1]))
        expect(FileNotFoundError, lambda: akili.load(work + "/missing.akili"))
        expect(KeyboardInterrupt, lambda: net.fit(X, T, on_progress=stop, progress_every=4))
        wild = akili.Network([akili.Dense(20, 5, activation="identity", bias=True)], loss="mse",
                             learning_rate=1e6, seed=i)
        expect(akili.DivergenceError, lambda: wild.fit(X * 1e3, T * 1e3, epochs=3))
        expect(akili.DivergenceError, lambda: [wild.step(X * 1e3, T * 1e3) for _ in range(50)])
        expect(datasets.DatasetError, lambda: datasets.read_idx(work + "/cut.idx"))

    for i in range(200):  # warm-up: caches, allocator pools, lazily imported modules
        cycle(i)
    gc.collect()
    start = rss_kib()
    for i in range(1000):
        cycle(i)
    gc.collect()
    print(start, rss_kib())
""")


def test_rss_stays_flat_over_1000_cycles_of_work_and_errors(tmp_path):
    result = subprocess.run([sys.executable, "-c", CYCLES, str(tmp_path)], capture_output=True, text=True, check=True)
    start, end = (int(value) for value in result.stdout.split())
    print(f"VmRSS {start} KiB -> {end} KiB after 1000 cycles")
    # One leaked network (20·30 + 30·5 doubles, about 6 KiB) per cycle would add ~6 MiB.
    assert end - start < 2048
