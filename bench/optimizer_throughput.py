"""Mini-batch training throughput per optimizer: akili against PyTorch, in one run.

    python bench/optimizer_throughput.py             # 3 rounds of 30,000 samples
    python bench/optimizer_throughput.py --rounds 5 --samples 60000

The recipe of bench/time_to_accuracy.py (Fashion-MNIST from Debian's
dataset-fashion-mnist scaled to x/255, 784-256-10 with relu and softmax, biases,
cross-entropy, mini-batches of 64 in a shuffled order, float32, both cores),
timed as samples per second of training alone (no evaluation) for each optimizer
with PyTorch's defaults: plain SGD (lr 0.01), SGD with momentum 0.9 (lr 0.01) and
Adam (lr 1e-3). akili and PyTorch take turns for `--rounds` rounds on the same
data; each cell is the best round, and the ratio is akili's rate / PyTorch's.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import StealMeter  # noqa: E402  (bench/machine.py, beside this script)
from time_to_accuracy import BATCH, HIDDEN, akili_network, load, torch_epoch  # noqa: E402
from time_to_accuracy import machine as describe_machine  # noqa: E402

# name: (akili optimizer, its settings, torch.optim class name, its settings, learning rate)
OPTIMIZERS: dict[str, tuple[str, dict, str, dict, float]] = {
    "SGD": ("sgd", {}, "SGD", {}, 0.01),
    "SGD + momentum 0.9": ("sgd", {"momentum": 0.9}, "SGD", {"momentum": 0.9}, 0.01),
    "Adam": ("adam", {}, "Adam", {}, 1e-3),
}


def akili_trainer(X: np.ndarray, y: np.ndarray, name: str, seed: int) -> Callable[[], None]:
    """One pass over X with akili's `name` optimizer (a fresh network per bench)."""
    from akili import optimizers

    kind, settings, _, _, rate = OPTIMIZERS[name]
    optimizer = optimizers.SGD(**settings) if kind == "sgd" else optimizers.Adam(**settings)
    net = akili_network(optimizer, rate, seed)
    T = np.eye(10, dtype=np.float32)[y]
    return lambda: net.fit(X, T, epochs=1, batch_size=BATCH, shuffle=True)


def torch_trainer(X: np.ndarray, y: np.ndarray, name: str, seed: int) -> Callable[[], None]:
    """One pass over X with torch.optim's optimizer of the same name and settings."""
    import torch

    _, _, class_name, settings, rate = OPTIMIZERS[name]
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    optimizer = getattr(torch.optim, class_name)(model.parameters(), lr=rate, **settings)
    return torch_epoch(model, optimizer, X, y, seed)


def best_rate(run: Callable[[], None], samples: int, best: float) -> float:
    started = time.perf_counter()
    run()
    return max(best, samples / (time.perf_counter() - started))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30000, help="training samples per round (default 30000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, akili and PyTorch taking turns (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed: pip install '.[bench]'", file=sys.stderr)
        return 2
    X, y, _, _ = load()
    X, y = X[: args.samples], y[: args.samples]
    print(f"machine: {describe_machine()}")
    steal = StealMeter()
    print(f"\nFashion-MNIST 784-{HIDDEN}-10 (relu, softmax, cross-entropy), batch {BATCH}, float32, {len(X)} samples")
    print(f"training samples/s, best of {args.rounds} interleaved rounds")
    print("| optimizer | akili | PyTorch | akili / PyTorch |")
    print("|---|---|---|---|")
    for name in OPTIMIZERS:
        runs = {"akili": akili_trainer(X, y, name, args.seed), "torch": torch_trainer(X, y, name, args.seed)}
        for run in runs.values():
            run()  # warm-up: first-touch allocations, thread start-up
        rates = dict.fromkeys(runs, 0.0)
        for _ in range(args.rounds):
            for key, run in runs.items():
                rates[key] = best_rate(run, len(X), rates[key])
        print(f"| {name} | {rates['akili']:,.0f} | {rates['torch']:,.0f} | {rates['akili'] / rates['torch']:.2f}x |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; {steal.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
