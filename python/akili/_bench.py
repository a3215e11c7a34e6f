"""A quick benchmark of akili against the book's pure-NumPy network (NumPy only).

Run ``python -m akili._bench`` (or ``akili bench``). It trains the book's
784-200-10 sigmoid network ("Make Your Own Neural Network": squared error, the
transposed-weights rule, learning rate 0.1) on Fashion-MNIST when Debian's
``dataset-fashion-mnist`` is installed, otherwise on random data of that shape,
and prints samples per second for both and their ratio:

* online training (one example at a time, the book's way), float64 and float32;
* mini-batch training, 64 examples per step, float32 (NumPy in matrix form);
* inference on a 10,000-example batch, float32.

Both start from the same weights and see the examples in the same order, so the
test accuracies printed beside the rates must agree (float64 to the last digit).
The full comparison with PyTorch and scikit-learn is ``bench/run.py`` in a
source checkout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

SIZES = (784, 200, 10)
LEARNING_RATE = 0.1
BATCH = 64


# -- data -----------------------------------------------------------------------
def load_data(train: int, test: int, *, seed: int = 0) -> dict[str, Any]:
    """``train`` training and ``test`` test examples as float64 rows scaled the
    book's way (x/255·0.99 + 0.01) with targets 0.01/0.99, in a fixed shuffled
    order; Fashion-MNIST when installed, else uniform random data of that shape."""
    rng = np.random.default_rng(seed)
    source = "Fashion-MNIST (/usr/share/datasets/fashion-mnist)"
    try:
        from . import datasets

        X, y = datasets.fashion_mnist(kind="train")
        Xt, yt = datasets.fashion_mnist(kind="test")
    except Exception as error:  # not installed or unreadable: same shapes, random values
        source = f"synthetic data of Fashion-MNIST's shape ({type(error).__name__}: dataset not available)"
        X = rng.uniform(0.01, 1.0, size=(max(train, 1), SIZES[0]))
        y = rng.integers(0, SIZES[2], size=X.shape[0])
        Xt = rng.uniform(0.01, 1.0, size=(max(test, 1), SIZES[0]))
        yt = rng.integers(0, SIZES[2], size=Xt.shape[0])
    order = rng.permutation(X.shape[0])[:train]
    X, y = np.ascontiguousarray(X[order]), y[order]
    Xt, yt = np.ascontiguousarray(Xt[:test]), yt[:test]
    return {"X": X, "T": targets(y), "y": y, "Xt": Xt, "yt": yt, "source": source}


def targets(labels: np.ndarray) -> np.ndarray:
    """The book's targets: 0.99 for the label's output, 0.01 elsewhere."""
    T = np.full((labels.shape[0], SIZES[2]), 0.01)
    T[np.arange(labels.shape[0]), labels] = 0.99
    return T


# -- the book's network -----------------------------------------------------------
class BookNetwork:
    """The book's neuralNetwork class, unchanged in its maths (one example at a time,
    inputs as columns), plus the NumPy matrix form of mini-batch training."""

    def __init__(self, dtype: Any = np.float64, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        n_in, n_hidden, n_out = SIZES
        self.lr = LEARNING_RATE
        self.dtype = np.dtype(dtype)
        # w ~ N(0, n_in^-½), shapes (outputs, inputs)
        self.wih = rng.normal(0.0, n_in**-0.5, (n_hidden, n_in)).astype(self.dtype)
        self.who = rng.normal(0.0, n_hidden**-0.5, (n_out, n_hidden)).astype(self.dtype)

    @staticmethod
    def activation_function(x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-x))  # sigmoid(x) = 1 / (1 + e^-x)

    def train(self, inputs_list: np.ndarray, targets_list: np.ndarray) -> None:
        """The book's train(): one example."""
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_outputs = self.activation_function(np.dot(self.wih, inputs))  # O_h = σ(W_ih·I)
        final_outputs = self.activation_function(np.dot(self.who, hidden_outputs))  # O = σ(W_ho·O_h)
        output_errors = targets - final_outputs  # E = T - O
        hidden_errors = np.dot(self.who.T, output_errors)  # E_h = W_hoᵀ·E
        # ΔW = lr·((E ∘ O ∘ (1 - O))·O_hᵀ)
        self.who += self.lr * np.dot(output_errors * final_outputs * (1.0 - final_outputs), hidden_outputs.T)
        self.wih += self.lr * np.dot(hidden_errors * hidden_outputs * (1.0 - hidden_outputs), inputs.T)

    def query(self, inputs_list: np.ndarray) -> np.ndarray:
        """The book's query(); a 2-D array of rows runs as one batch of columns."""
        inputs = np.array(inputs_list, ndmin=2).T
        hidden_outputs = self.activation_function(np.dot(self.wih, inputs))
        return self.activation_function(np.dot(self.who, hidden_outputs))

    def train_online(self, X: np.ndarray, T: np.ndarray) -> None:
        for x, t in zip(X, T):
            self.train(x, t)

    def train_batches(self, X: np.ndarray, T: np.ndarray, batch: int = BATCH) -> None:
        """Matrix form, samples as rows: the same rule averaged over each batch."""
        for start in range(0, X.shape[0], batch):
            I, Tb = X[start : start + batch], T[start : start + batch]
            H = self.activation_function(I @ self.wih.T)  # H = σ(I·W_ihᵀ)
            O = self.activation_function(H @ self.who.T)  # O = σ(H·W_hoᵀ)
            E = Tb - O  # E = T - O
            Eh = E @ self.who  # E_h = E·W_ho (rows: W_hoᵀ·e per sample)
            step = self.lr / I.shape[0]
            self.who += step * ((E * O * (1.0 - O)).T @ H)  # ΔW = lr/n·Dᵀ·H
            self.wih += step * ((Eh * H * (1.0 - H)).T @ I)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Matrix form inference, samples as rows."""
        return self.activation_function(self.activation_function(X @ self.wih.T) @ self.who.T)


def book_train_loop(network: Any, X: np.ndarray, labels: np.ndarray) -> None:
    """The book's training loop as printed, on records already scaled: the targets
    built for each record, then one ``train()`` call per example."""
    output_nodes = SIZES[2]
    for inputs, label in zip(X, labels):
        targets = np.zeros(output_nodes) + 0.01  # the book's targets: 0.01 everywhere ...
        targets[int(label)] = 0.99  # ... and 0.99 for the label
        network.train(inputs, targets)


def book_query_loop(network: Any, X: np.ndarray, labels: np.ndarray) -> float:
    """The book's scoring loop: one ``query()`` per test record, the scorecard kept
    in Python; returns the share of records classified correctly."""
    scorecard = []
    for inputs, label in zip(X, labels):
        outputs = network.query(inputs)
        scorecard.append(1 if int(np.argmax(outputs)) == int(label) else 0)
    return sum(scorecard) / max(len(scorecard), 1)


def akili_network(book: BookNetwork) -> Any:
    """akili's preset with the book network's starting weights and dtype."""
    import akili

    net = akili.NeuralNetwork(*SIZES, learning_rate=LEARNING_RATE, dtype=book.dtype.name, seed=1)
    net.wih, net.who = book.wih, book.who
    return net


# -- timing -----------------------------------------------------------------------
def best_rates(
    runs: Sequence[tuple[str, Callable[[], Any], int]], repeats: int, settle: float = 0.25
) -> dict[str, float]:
    """Samples per second of the fastest run of each ``(name, run, samples)``.

    The runs are interleaved, one of each per round, so that every implementation
    meets the same machine: on a shared machine the speed drifts over seconds, and
    timing one implementation after another would turn that drift into their ratio.
    Each run is preceded by ``settle`` seconds: BLAS and OpenMP worker threads of
    the previous run keep spinning for a while after their last job and would
    otherwise take the cores from this one."""
    best = {name: float("inf") for name, _, _ in runs}
    for _ in range(max(repeats, 1)):
        for name, run, _ in runs:
            time.sleep(settle)
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: samples / best[name] for name, _, samples in runs}


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest output is the label."""
    return float(np.mean(np.argmax(outputs, axis=1) == labels))


def format_rate(rate: float | None) -> str:
    if rate is None:
        return "–"
    return f"{rate:,.0f}"


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out: Any = None) -> None:
    """A Markdown table (it pastes into the README as it is)."""
    out = out or sys.stdout
    print("| " + " | ".join(header) + " |", file=out)
    print("|" + "|".join("---" for _ in header) + "|", file=out)
    for row in rows:
        print("| " + " | ".join(row) + " |", file=out)


# -- the quick comparison ---------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print the table; returns the exit status."""
    import akili

    parser = argparse.ArgumentParser(prog="python -m akili._bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=3000, help="online training examples per run (default 3000)")
    parser.add_argument(
        "--batch-samples", type=int, default=12800, help="mini-batch training examples per run (default 12800)"
    )
    parser.add_argument("--test", type=int, default=10000, help="inference batch size (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the fastest counts (default 3)")
    parser.add_argument("--threads", type=int, default=0, help="akili threads (default: OMP_NUM_THREADS or all cores)")
    args = parser.parse_args(argv)
    for name in ("samples", "batch_samples", "test", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.threads:
        akili.set_num_threads(args.threads)

    data = load_data(max(args.samples, args.batch_samples), args.test)
    print(
        f"akili {akili.__version__} vs the book's NumPy code; data: {data['source']}; "
        f"network 784-200-10 sigmoid, lr {LEARNING_RATE}; akili threads: {akili.get_num_threads()}"
    )
    rows = []
    for label, dtype, batch, count in (
        ("online f64", np.float64, 1, args.samples),
        ("online f32", np.float32, 1, args.samples),
        ("mini-batch 64 f32", np.float32, BATCH, args.batch_samples),
    ):
        X, T = data["X"][:count].astype(dtype), data["T"][:count].astype(dtype)
        Xt = data["Xt"].astype(dtype)
        book = BookNetwork(dtype)
        net = akili_network(book)
        train = book.train_online if batch == 1 else book.train_batches
        rates = best_rates(
            [
                ("numpy", lambda: train(X, T), count),
                ("akili", lambda: net.fit(X, T, batch_size=batch, shuffle=False), count),
            ],
            args.repeats,
        )
        numpy_rate, akili_rate = rates["numpy"], rates["akili"]
        numpy_acc = accuracy(book.predict(Xt), data["yt"])
        akili_acc = accuracy(net.predict(Xt), data["yt"])
        rows.append(
            [
                label,
                format_rate(numpy_rate),
                format_rate(akili_rate),
                f"{akili_rate / numpy_rate:.1f}x",
                f"{numpy_acc:.4f} / {akili_acc:.4f}",
            ]
        )
    for label, dtype in (("book loop: train() per call f64", np.float64),):
        X = data["X"][: args.samples].astype(dtype)
        labels = data["y"][: args.samples]
        book = BookNetwork(dtype)
        net = akili_network(book)
        rates = best_rates(
            [
                ("numpy", lambda: book_train_loop(book, X, labels), len(X)),
                # reading `who` applies the steps still queued: they are timed too
                ("akili", lambda: (book_train_loop(net, X, labels), net.who), len(X)),
            ],
            args.repeats,
        )
        Xt = data["Xt"].astype(dtype)
        rows.append(
            [
                label,
                format_rate(rates["numpy"]),
                format_rate(rates["akili"]),
                f"{rates['akili'] / rates['numpy']:.1f}x",
                f"{accuracy(book.predict(Xt), data['yt']):.4f} / {accuracy(net.predict(Xt), data['yt']):.4f}",
            ]
        )
    for label, dtype in (
        ("book loop: query() per call f64", np.float64),
        ("book loop: query() per call f32", np.float32),
    ):
        Xt = data["Xt"].astype(dtype)
        book = BookNetwork(dtype)
        net = akili_network(book)
        scores: dict[str, float] = {}

        def score(name: str, network: Any, Xt: np.ndarray = Xt) -> None:
            scores[name] = book_query_loop(network, Xt, data["yt"])

        rates = best_rates(
            [("numpy", lambda: score("numpy", book), len(Xt)), ("akili", lambda: score("akili", net), len(Xt))],
            args.repeats,
        )
        rows.append(
            [
                label,
                format_rate(rates["numpy"]),
                format_rate(rates["akili"]),
                f"{rates['akili'] / rates['numpy']:.1f}x",
                f"{scores['numpy']:.4f} / {scores['akili']:.4f}",
            ]
        )
    X32 = data["Xt"].astype(np.float32)
    book = BookNetwork(np.float32)
    net = akili_network(book)
    n = X32.shape[0]
    rates = best_rates([("numpy", lambda: book.query(X32), n), ("akili", lambda: net.predict(X32), n)], args.repeats)
    numpy_rate, akili_rate = rates["numpy"], rates["akili"]
    rows.append(
        [f"inference {n} f32", format_rate(numpy_rate), format_rate(akili_rate), f"{akili_rate / numpy_rate:.1f}x", "–"]
    )
    print_table(["samples/s", "book NumPy", "akili", "ratio", "test accuracy NumPy / akili"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
