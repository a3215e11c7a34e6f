"""How many threads akili's core uses.

Large passes (a mini-batch product, an online update of a big weight matrix, a
large prediction batch) are split over a pool of threads; small networks always
run on one. The default is the environment variable ``OMP_NUM_THREADS`` when it
holds a positive integer (read when akili is imported), otherwise every core.
Results depend only on the thread count, never on timing: the same seed and
thread count give bit-identical training.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from . import _core

#: The most threads akili runs; larger requests are clamped to it (with a warning).
MAX_THREADS = 256


def _cores() -> int:
    """Cores this process may run on (its CPU affinity, e.g. a container's share)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def set_num_threads(n: Any) -> None:
    """Use ``n`` threads for later training and prediction calls (``n >= 1``);
    ``n <= 0`` restores the default (``OMP_NUM_THREADS``, else every core).

    More threads than cores are allowed, with a RuntimeWarning: they are slower
    (each waits for a core) but results depend on the thread count alone, so
    ``n`` equal to another machine's count reproduces its results bit for bit.
    Requests above ``MAX_THREADS`` (256) are clamped to it, with the warning
    saying so.
    """
    if isinstance(n, bool) or not isinstance(n, int) and not hasattr(n, "__index__"):
        raise TypeError(f"[akili.set_num_threads] expected an integer thread count, got {type(n).__name__} {n!r}")
    count = int(n.__index__())
    cores = _cores()
    if count > cores:
        clamped = f"; clamped to {MAX_THREADS}, the most akili runs" if count > MAX_THREADS else ""
        warnings.warn(
            f"[akili.set_num_threads] {count} threads on {cores} cores{clamped}: more threads than cores "
            "run slower (each waits for a core); only use it to reproduce the results of a machine with "
            "that many threads",
            RuntimeWarning,
            stacklevel=2,
        )
        count = min(count, MAX_THREADS)
    _core.set_num_threads(count)


def get_num_threads() -> int:
    """The number of threads training and prediction use (>= 1)."""
    return int(_core.get_num_threads())
