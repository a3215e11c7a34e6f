"""How many threads akili's core uses.

Large passes (a mini-batch product, an online update of a big weight matrix, a
large prediction batch) are split over a pool of threads; small networks always
run on one. The default is the environment variable ``OMP_NUM_THREADS`` when it
holds a positive integer (read when akili is imported), otherwise every core.
Results depend only on the thread count, never on timing: the same seed and
thread count give bit-identical training.
"""

from __future__ import annotations

from typing import Any

from . import _core


def set_num_threads(n: Any) -> None:
    """Use ``n`` threads for later training and prediction calls (``n >= 1``);
    ``n <= 0`` restores the default (``OMP_NUM_THREADS``, else every core)."""
    if isinstance(n, bool) or not isinstance(n, int) and not hasattr(n, "__index__"):
        raise TypeError(f"[akili.set_num_threads] expected an integer thread count, got {type(n).__name__} {n!r}")
    _core.set_num_threads(int(n.__index__()))


def get_num_threads() -> int:
    """The number of threads training and prediction use (>= 1)."""
    return int(_core.get_num_threads())
