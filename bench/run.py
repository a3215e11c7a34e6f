"""akili against NumPy, PyTorch and scikit-learn, in one run on the same data.

    python bench/run.py            # the full run (a few minutes)
    python bench/run.py --quick    # under two minutes
    pip install ".[bench]"         # PyTorch 2.13 (CPU) and scikit-learn; peers not installed are skipped

Every implementation trains the book's 784-200-10 sigmoid network (squared
error, learning rate 0.1) on the same Fashion-MNIST examples in the same order,
from the same starting weights; the table gives samples per second for online
training (one example per step, the book's way) in float64 and float32,
mini-batch training (64 per step) in float32 and inference on a 10,000-example
batch in float32, then akili's ratio to each peer, the share of the machine's
GEMM peak and memory bandwidth akili reaches (both measured in this run), a
check that akili and the book's code compute the same thing (same weights after
the same online steps, same test accuracy) and akili's peak memory while training.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import machine  # noqa: E402

COLUMNS = (
    "online f64",
    "online f32",
    "mini-batch 64 f32",
    "inference 10k f32",
    "book loop: train() per call f64",
    "book loop: query() per call f64",
    "book loop: query() per call f32",
)


def optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def peak_rss_reset() -> bool:
    """Resets the kernel's peak-RSS mark to the current RSS (Linux); False elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def rss_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    import akili
    from akili import _bench as base

    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs, finishes in under two minutes")
    parser.add_argument("--threads", type=int, default=0, help="akili threads (default: OMP_NUM_THREADS or all cores)")
    parser.add_argument("--skip", default="", help="comma-separated peers to leave out: torch, autograd, sklearn")
    args = parser.parse_args(argv)
    if args.threads:
        akili.set_num_threads(args.threads)
    online_n, batch_n, slow_n, repeats = (3000, 12800, 1000, 3) if args.quick else (20000, 60000, 4000, 5)
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    torch = None if "torch" in skip else optional("torch")
    sklearn = None if "sklearn" in skip else optional("sklearn")

    data = base.load_data(max(online_n, batch_n), 10000)
    y, yt = data["y"], data["yt"]
    print(
        f"akili {akili.__version__}, threads {akili.get_num_threads()}; NumPy {np.__version__}"
        + (f"; PyTorch {torch.__version__}, threads {torch.get_num_threads()}" if torch else "; PyTorch not installed")
        + (f"; scikit-learn {sklearn.__version__}" if sklearn else "; scikit-learn not installed")
    )
    if hasattr(os, "getloadavg"):
        print(
            f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(other work on the machine lowers every rate, and threaded ones most)"
        )
    print(
        f"data: {data['source']}; online runs {online_n} examples ({slow_n} for the slowest peers), "
        f"mini-batch runs {batch_n}, best of {repeats}"
    )

    rates: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    steal = machine.StealMeter()

    def record(name: str, column: str, rate: float) -> None:
        rates.setdefault(name, {})[column] = rate

    def columns_for(dtype: Any) -> list[tuple[str, int, int]]:
        if dtype == np.float64:
            return [("online f64", 1, online_n)]
        return [("online f32", 1, online_n), ("mini-batch 64 f32", 64, batch_n)]

    memory_note = ""
    oracle_note = ""
    for dtype in (np.float64, np.float32):
        for column, batch, count in columns_for(dtype):
            X, T = data["X"][:count].astype(dtype), data["T"][:count].astype(dtype)
            # Every implementation of this column, timed in interleaved rounds (base.best_rates).
            runs: list[tuple[str, Any, int]] = []
            # The book's NumPy code: online as printed in the book, mini-batch in matrix form.
            book = base.BookNetwork(dtype)
            start_wih, start_who = book.wih.copy(), book.who.copy()
            n = min(count, slow_n) if batch == 1 else count
            train = book.train_online if batch == 1 else book.train_batches
            runs.append(
                (
                    "book NumPy (one example at a time)" if batch == 1 else "NumPy, matrix form",
                    lambda train=train, n=n, X=X, T=T: train(X[:n], T[:n]),
                    n,
                )
            )

            net = base.akili_network(base.BookNetwork(dtype))
            if batch == 1 and dtype == np.float64:
                # Same maths: one pass over the same examples from the same weights as the book's code.
                check = base.BookNetwork(dtype)
                check.train_online(X[:n], T[:n])
                probe = base.akili_network(base.BookNetwork(dtype))
                probe.fit(X[:n], T[:n], batch_size=1, shuffle=False)
                difference = max(
                    float(np.max(np.abs(probe.wih - check.wih)) / np.max(np.abs(check.wih))),
                    float(np.max(np.abs(probe.who - check.who)) / np.max(np.abs(check.who))),
                )
                Xt = data["Xt"].astype(dtype)
                oracle_note = (
                    f"same maths: after {n} online float64 steps akili's weights differ from the book's "
                    f"NumPy code by at most {difference:.1e} (relative); test accuracy "
                    f"{base.accuracy(probe.predict(Xt), yt):.4f} vs {base.accuracy(check.predict(Xt), yt):.4f}"
                )
            if batch == 64:
                # Peak memory of one (untimed) epoch, over the data set already in memory.
                reset = peak_rss_reset()
                before = rss_kib("VmRSS")
                net.fit(X, T, batch_size=batch, shuffle=True)
                if reset:
                    extra = (rss_kib("VmHWM") - before) / 1024
                    memory_note = (
                        f"peak memory while akili trains (data set {X.nbytes / 2**20:.0f} MiB already "
                        f"loaded, model {machine.MODEL_WEIGHTS * 4 / 2**20:.2f} MiB): {extra:+.1f} MiB"
                    )
            runs.append(
                ("akili", lambda net=net, X=X, T=T, batch=batch: net.fit(X, T, batch_size=batch, shuffle=True), count)
            )

            if torch is not None:
                tX, tT = torch.from_numpy(X), torch.from_numpy(T)
                peer = __import__("peers_torch")
                written = peer.WrittenOut(torch, start_wih, start_who)
                train = written.train_online if batch == 1 else written.train_batches
                m = min(count, online_n // 2) if batch == 1 else count
                runs.append(
                    (
                        "PyTorch, the same rule written out",
                        lambda train=train, m=m, tX=tX, tT=tT: train(tX[:m], tT[:m]),
                        m,
                    )
                )
                if "autograd" not in skip and dtype == np.float32:
                    auto = peer.Autograd(torch, start_wih, start_who)
                    train = auto.train_online if batch == 1 else auto.train_batches
                    m = min(count, slow_n) if batch == 1 else count
                    runs.append(
                        (
                            "PyTorch autograd + optim.SGD",
                            lambda train=train, m=m, tX=tX, tT=tT: train(tX[:m], tT[:m]),
                            m,
                        )
                    )
            if sklearn is not None and batch == 64:
                classifier = __import__("peers_sklearn").Classifier(200, 10)
                runs.append(
                    (
                        "scikit-learn MLPClassifier (sgd, batch 64)",
                        lambda classifier=classifier, X=X, count=count: classifier.train_batches(X, y[:count]),
                        count,
                    )
                )
            for name, rate in base.best_rates(runs, repeats).items():
                record(name, column, rate)

    # Inference, float32, one 10k batch, each trained model's weights (untrained here: speed only).
    Xt32 = data["Xt"].astype(np.float32)
    inf = "inference 10k f32"
    book = base.BookNetwork(np.float32)
    count = Xt32.shape[0]
    net = base.akili_network(book)
    runs = [
        ("book NumPy (one example at a time)", lambda: book.query(Xt32), count),
        ("NumPy, matrix form", lambda: book.predict(Xt32), count),
        ("akili", lambda: net.predict(Xt32), count),
    ]
    if torch is not None:
        peer = __import__("peers_torch")
        tXt = torch.from_numpy(Xt32)
        written = peer.WrittenOut(torch, book.wih, book.who)
        runs.append(("PyTorch, the same rule written out", lambda: written.predict(tXt), count))
        if "autograd" not in skip:
            auto = peer.Autograd(torch, book.wih, book.who)
            runs.append(("PyTorch autograd + optim.SGD", lambda: auto.predict(tXt), count))
    if sklearn is not None:
        classifier = __import__("peers_sklearn").Classifier(200, 10)
        classifier.train_batches(data["X"][:640].astype(np.float32), y[:640])
        runs.append(("scikit-learn MLPClassifier (sgd, batch 64)", lambda: classifier.predict(Xt32), count))
    for name, rate in base.best_rates(runs, repeats + 2).items():
        record(name, inf, rate)

    # The book's own loops from Python: one train() per example (targets built in
    # the loop) and one query() per test record, akili's NeuralNetwork against the
    # book's class, each from the same weights on the same records.
    loop_n = min(online_n, slow_n)
    X64, labels = data["X"][:loop_n], y[:loop_n]
    book = base.BookNetwork(np.float64)
    net = base.akili_network(book)
    # Reading `who` applies the steps akili still holds queued: they are timed too.
    runs = [
        ("book NumPy (one example at a time)", lambda: base.book_train_loop(book, X64, labels), loop_n),
        ("akili", lambda: (base.book_train_loop(net, X64, labels), net.who), loop_n),
    ]
    for name, rate in base.best_rates(runs, repeats).items():
        record(name, "book loop: train() per call f64", rate)
    for dtype in (np.float64, np.float32):
        Xt = data["Xt"][:loop_n].astype(dtype)
        book = base.BookNetwork(dtype)
        net = base.akili_network(book)
        runs = [
            (
                "book NumPy (one example at a time)",
                lambda book=book, Xt=Xt: base.book_query_loop(book, Xt, yt),
                Xt.shape[0],
            ),
            ("akili", lambda net=net, Xt=Xt: base.book_query_loop(net, Xt, yt), Xt.shape[0]),
        ]
        for name, rate in base.best_rates(runs, repeats).items():
            record(name, f"book loop: query() per call {'f64' if dtype == np.float64 else 'f32'}", rate)

    # -- the tables ------------------------------------------------------------------
    order = [
        "akili",
        "book NumPy (one example at a time)",
        "NumPy, matrix form",
        "PyTorch, the same rule written out",
        "PyTorch autograd + optim.SGD",
        "scikit-learn MLPClassifier (sgd, batch 64)",
    ]
    names = [name for name in order if name in rates]
    print(steal.describe() + " (a virtual machine's cores shared with other guests: threaded rates suffer most)")
    print("\nsamples/s")
    rows = [[name, *(base.format_rate(rates[name].get(column)) for column in COLUMNS)] for name in names]
    base.print_table(["implementation", *COLUMNS], rows)

    print("\nakili's speed-up over each peer (same run)")
    rows = []
    for name in names[1:]:
        cells = [name]
        for column in COLUMNS:
            peer_rate, own = rates[name].get(column), rates["akili"].get(column)
            cells.append(f"{own / peer_rate:.2f}x" if peer_rate and own else "–")
        rows.append(cells)
    base.print_table(["akili vs", *COLUMNS], rows)
    for missing, package in ((torch, "PyTorch"), (sklearn, "scikit-learn")):
        if missing is None:
            notes.append(f"{package} not installed (or skipped): its rows are missing; pip install '.[bench]'")

    print("\nthe machine, measured now")
    limits = machine.measure(args.quick, torch)
    own = rates["akili"]
    model32 = limits["model_bytes_f32"]
    rows = [
        ["GEMM peak f32 / f64 (GFLOP/s)", f"{limits['gemm_f32'] / 1e9:.0f} / {limits['gemm_f64'] / 1e9:.0f}"],
        [
            "mini-batch 64 f32: share of the f32 GEMM peak",
            f"{own['mini-batch 64 f32'] * machine.TRAIN_FLOPS / limits['gemm_f32']:.0%}",
        ],
        ["inference f32: share of the f32 GEMM peak", f"{own[inf] * machine.INFER_FLOPS / limits['gemm_f32']:.0%}"],
        ["cache bandwidth, W-sized arrays, both cores (GB/s)", f"{limits['cache_f32'] / 1e9:.0f}"],
        ["main-memory bandwidth, both cores (GB/s)", f"{limits['memory'] / 1e9:.0f}"],
    ]
    for column, scale, peak in (("online f64", 2.0, "gemm_f64"), ("online f32", 1.0, "gemm_f32")):
        rows.append(
            [
                f"{column}: share of the {column[-3:]} GEMM peak",
                f"{own[column] * machine.TRAIN_FLOPS / limits[peak]:.0%}",
            ]
        )
        # What a method that passes over W once per example (read + write) would need
        # to move at akili's rate; akili's blocks read the first layer twice per 64.
        traffic = own[column] * 2 * model32 * scale
        rows.append(
            [
                f"{column}: weight traffic a one-pass-per-example method would need at this rate, GB/s "
                "(share of the cache bandwidth)",
                f"{traffic / 1e9:.0f} ({traffic / limits['cache_f32']:.0%})",
            ]
        )
    base.print_table(["measure", "value"], rows)
    for note in (oracle_note, memory_note, *notes):
        if note:
            print("- " + note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
