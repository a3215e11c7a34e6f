"""Time to accuracy: one recipe trained by akili, PyTorch and scikit-learn until the
test accuracy reaches a target, in one run.

    python bench/time_to_accuracy.py             # target 0.87, at most 12 epochs, 2 rounds
    python bench/time_to_accuracy.py --target 0.85 --rounds 1

The recipe (issue "training beyond plain SGD"): Fashion-MNIST (Debian's
dataset-fashion-mnist), pixels scaled to x/255, a 784-256-10 network (relu
hidden layer with bias, softmax output with bias, cross-entropy), Adam with
learning rate 1e-3 and PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8, no weight
decay), mini-batches of 64 in a new shuffled order every epoch, float32. Each
implementation trains one epoch at a time and is evaluated on the 10,000 test
images after every epoch, the same way for all (predict the whole test set,
take the arg-max); it stops at the first epoch whose accuracy reaches the target.
Seconds are wall-clock for the whole run, evaluations included.

Initial weights: akili and PyTorch draw from the same scheme, W ~ N(0, 1/n_in),
b = 0 (akili's "book" init; PyTorch's layers re-initialised so); scikit-learn
keeps its own (Glorot uniform), as it offers no other. scikit-learn's
MLPClassifier(solver="adam", alpha=0) trains through partial_fit, one epoch per
call (it shuffles each epoch itself). Every library uses both cores. The
implementations take turns for `--rounds` rounds; each row reports its fastest
round (epochs and accuracy are the same in every round, all runs being seeded).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from machine import StealMeter  # noqa: E402  (bench/machine.py, beside this script)

HIDDEN = 256
BATCH = 64
LEARNING_RATE = 1e-3


def load() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from akili import datasets

    X, y = datasets.fashion_mnist(kind="train", dtype=np.float32, scale="unit")
    Xt, yt = datasets.fashion_mnist(kind="test", dtype=np.float32, scale="unit")
    return X, y.astype(np.int64), Xt, yt.astype(np.int64)


def akili_network(optimizer: Any, learning_rate: float, seed: int) -> Any:
    """The recipe's 784-HIDDEN-10 network in akili (relu, softmax, cross-entropy, float32)."""
    import akili

    return akili.Network(
        [
            akili.Dense(784, HIDDEN, activation="relu", bias=True),
            akili.Dense(HIDDEN, 10, activation="softmax", bias=True),
        ],
        loss="cross_entropy",
        rule="gradient",
        learning_rate=learning_rate,
        optimizer=optimizer,
        dtype="float32",
        init="book",
        seed=seed,
    )


def run_akili(X, y, Xt, yt, target: float, max_epochs: int, seed: int) -> tuple[int, float, float]:
    net = akili_network("adam", LEARNING_RATE, seed)
    T = np.eye(10, dtype=np.float32)[y]

    def epoch() -> float:
        net.fit(X, T, epochs=1, batch_size=BATCH, shuffle=True)
        return float(np.mean(net.predict(Xt).argmax(axis=1) == yt))

    return until(epoch, target, max_epochs)


def run_torch(X, y, Xt, yt, target: float, max_epochs: int, seed: int) -> tuple[int, float, float]:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
    with torch.no_grad():
        for layer in (model[0], model[2]):
            layer.weight.normal_(0.0, layer.in_features**-0.5)  # W ~ N(0, 1/n_in), as akili's "book" init
            layer.bias.zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    train = torch_epoch(model, optimizer, X, y, seed)
    test_inputs = torch.from_numpy(Xt)

    def epoch() -> float:
        train()
        with torch.no_grad():
            return float((model(test_inputs).argmax(dim=1).numpy() == yt).mean())

    return until(epoch, target, max_epochs)


def torch_epoch(model: Any, optimizer: Any, X: np.ndarray, y: np.ndarray, seed: int) -> Callable[[], None]:
    """One pass of PyTorch training over (X, y): batches of BATCH in a new shuffled
    order each time, softmax + cross-entropy (mean over the batch), the optimizer's step."""
    import torch

    loss_function = torch.nn.CrossEntropyLoss()
    inputs, labels = torch.from_numpy(X), torch.from_numpy(y)
    generator = torch.Generator().manual_seed(seed)

    def epoch() -> None:
        order = torch.randperm(inputs.shape[0], generator=generator)
        for start in range(0, inputs.shape[0], BATCH):
            rows = order[start : start + BATCH]
            optimizer.zero_grad(set_to_none=True)
            loss_function(model(inputs[rows]), labels[rows]).backward()
            optimizer.step()

    return epoch


def run_sklearn(X, y, Xt, yt, target: float, max_epochs: int, seed: int) -> tuple[int, float, float]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=LEARNING_RATE,
        random_state=seed,
    )
    classes = np.arange(10)

    def epoch() -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.partial_fit(X, y, classes=classes)
        return float(np.mean(model.predict(Xt) == yt))

    return until(epoch, target, max_epochs)


def until(epoch: Callable[[], float], target: float, max_epochs: int) -> tuple[int, float, float]:
    """Runs epochs until the accuracy reaches `target`: (epochs, accuracy, seconds)."""
    started = time.perf_counter()
    accuracy = 0.0
    for done in range(1, max_epochs + 1):
        accuracy = epoch()
        if accuracy >= target:
            return done, accuracy, time.perf_counter() - started
    return max_epochs, accuracy, time.perf_counter() - started


IMPLEMENTATIONS: dict[str, Callable[..., tuple[int, float, float]]] = {
    "akili (Adam)": run_akili,
    "PyTorch (torch.optim.Adam)": run_torch,
    "scikit-learn MLPClassifier (adam)": run_sklearn,
}


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            lines = cpuinfo.read().splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
        avx512 = any(line.startswith("flags") and " avx512f" in line for line in lines)
        model += ", AVX-512" if avx512 else ", no AVX-512"
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, default=0.87, help="test accuracy to reach (default 0.87)")
    parser.add_argument("--max-epochs", type=int, default=12, help="give up after this many epochs (default 12)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, the implementations taking turns (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y, Xt, yt = load()
    available = {}
    for name, run in IMPLEMENTATIONS.items():
        module = {"PyTorch": "torch", "scikit-learn": "sklearn"}.get(name.split()[0], "akili")
        try:
            __import__(module)
            available[name] = run
        except ImportError:
            print(f"{name}: not installed, skipped (pip install '.[bench]')", file=sys.stderr)
    print(f"machine: {machine()}")
    steal = StealMeter()
    best: dict[str, tuple[int, float, float]] = {}
    for _ in range(args.rounds):
        for name, run in available.items():
            result = run(X, y, Xt, yt, args.target, args.max_epochs, args.seed)
            if name not in best or result[2] < best[name][2]:
                best[name] = result
    print(
        f"\nFashion-MNIST 784-{HIDDEN}-10 (relu, softmax, cross-entropy), Adam lr {LEARNING_RATE:g}, batch {BATCH}, "
        f"float32: time to test accuracy {args.target:g} (evaluated after every epoch; best of {args.rounds} rounds)"
    )
    print("| implementation | epochs | test accuracy | seconds | akili's speed-up |")
    print("|---|---|---|---|---|")
    reference = best.get("akili (Adam)")
    for name, (epochs, accuracy, seconds) in best.items():
        reached = accuracy >= args.target
        ratio = f"{seconds / reference[2]:.2f}x" if reference and name != "akili (Adam)" else "–"
        note = "" if reached else f" (not reached in {args.max_epochs} epochs)"
        print(f"| {name} | {epochs}{note} | {accuracy:.4f} | {seconds:.2f} | {ratio} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; {steal.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
