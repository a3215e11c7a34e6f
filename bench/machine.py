"""What the machine can do, measured in the same run: GEMM peak and memory bandwidth.

* GEMM peak: the best of NumPy's BLAS and PyTorch (when installed) on large
  square products, every core. A training step of the 784-200-10 network costs
  2·(784·200 + 200·10) multiply-adds forward plus as many for the update, plus the
  hidden error (2·200·10): 639,200 FLOPs per sample; inference 317,600.
* Bandwidth: in-place scaling (one read and one write per element) of
  (a) arrays the size of the first weight matrix, one per core, which stay in
  each core's cache, the traffic online training needs; and (b) arrays of 256 MB,
  main memory. Both cores run at once (NumPy releases the GIL in the loop).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

TRAIN_FLOPS = 2 * (784 * 200 + 200 * 10) * 2 + 2 * 200 * 10  # 639,200 per sample
INFER_FLOPS = 2 * (784 * 200 + 200 * 10)  # 317,600 per sample
MODEL_WEIGHTS = 784 * 200 + 200 * 10


def cpu_ticks() -> tuple[int, int] | None:
    """(steal, total) clock ticks of every CPU since boot, from /proc/stat's "cpu" line
    (None where there is none: not Linux)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time
    # is already counted in user and nice, so the total stops at steal.
    ticks = [int(value) for value in fields[1:9]]
    return ticks[7] if len(ticks) > 7 else 0, sum(ticks)


class StealMeter:
    """How much CPU time the hypervisor gave to other guests while this ran: on a
    virtual machine the host may run other machines' work on the cores this one
    believes idle, which the load average does not show and which slows threaded
    code most (one core's thread waits for the other's). Start it before the
    timings, read ``share()`` after."""

    def __init__(self) -> None:
        self.start = cpu_ticks()

    def share(self) -> float | None:
        """Stolen ticks / all ticks since the start (0.05 = 5 %), or None if unknown."""
        end = cpu_ticks()
        if self.start is None or end is None or end[1] <= self.start[1]:
            return None
        return (end[0] - self.start[0]) / (end[1] - self.start[1])

    def describe(self) -> str:
        """A line for the bench output."""
        share = self.share()
        if share is None:
            return "CPU time taken by the hypervisor (steal) during the run: unknown"
        return f"CPU time taken by the hypervisor (steal) during the run: {share:.1%} of all CPU time"


def gemm_peak(dtype: Any, size: int, torch: Any = None, repeats: int = 3) -> float:
    """FLOP/s of the fastest size×size product (NumPy's BLAS, and PyTorch if given)."""
    rng = np.random.default_rng(0)
    a = rng.random((size, size)).astype(dtype)
    b = rng.random((size, size)).astype(dtype)
    products = [lambda: a @ b]
    if torch is not None:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        products.append(lambda: torch.mm(ta, tb))
    best = float("inf")
    for product in products:
        product()
        for _ in range(repeats):
            started = time.perf_counter()
            product()
            best = min(best, time.perf_counter() - started)
    return 2.0 * size**3 / best


def bandwidth(elements_per_core: int, passes: int, dtype: Any, cores: int = 2) -> float:
    """Bytes/s of in-place scaling (read + write) on one array per core, all cores at once."""
    arrays = [np.ones(elements_per_core, dtype=dtype) for _ in range(cores)]
    factor = dtype(1.0)
    barrier = threading.Barrier(cores + 1)

    def scale(array: np.ndarray) -> None:
        barrier.wait()
        for _ in range(passes):
            np.multiply(array, factor, out=array)

    threads = [threading.Thread(target=scale, args=(array,)) for array in arrays]
    for thread in threads:
        thread.start()
    best = float("inf")
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    best = time.perf_counter() - started
    return 2.0 * arrays[0].nbytes * passes * cores / best


def measure(quick: bool, torch: Any = None, cores: int = 2) -> dict[str, float]:
    size = 1536 if quick else 3072
    model32 = MODEL_WEIGHTS * 4
    return {
        "gemm_f32": gemm_peak(np.float32, size, torch),
        "gemm_f64": gemm_peak(np.float64, size, torch),
        # half the first weight matrix per core, as akili's online threads hold it
        "cache_f32": max(bandwidth(784 * 200 // cores, 3000 if quick else 20000, np.float32, cores) for _ in range(2)),
        "memory": bandwidth((256 << 20) // 4, 3 if quick else 8, np.float32, cores),
        "model_bytes_f32": float(model32),
    }
