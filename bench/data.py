"""Reading data: akili's native readers against pandas, NumPy and the former
pure-Python reader, and training from a stream larger than memory should be.

    python bench/data.py            # the full run: writes a 133 MB CSV and a >= 2 GB CSV (under ~/.cache)
    python bench/data.py --quick    # the reader table only, best of 2

Everything is measured in this run on the same files, written by this script
from Fashion-MNIST (Debian's dataset-fashion-mnist): the book's CSV format, one
image per line, the label then 784 pixel values.

1. CSV reader table: seconds (best of N rounds; in each round every reader runs
   once, in turn, so a change in the machine's load falls on all of them) and peak
   memory above the start, each run in a fresh process (peak RSS from the kernel),
   for akili.datasets.read_csv
   (float64 as stored; float32 with the book's scaling), pandas.read_csv (C engine),
   numpy.loadtxt and the former Python reader (tests/csv_oracle.py).
2. Gzipped IDX into float32 with the book's scaling: fashion_mnist(dtype=float32)
   against the former path (Python's gzip module, read_idx, then scale_book).
3. ``akili train --stream`` on a CSV of >= 2 GB (the 60,000 lines repeated): peak
   RSS and samples/s, against the in-memory fit rate of the same network on the
   same rows (the 60,000 in memory, one epoch per copy in the big file); the two
   runs take turns, best of 2 rounds each.

The machine (CPU model, AVX-512 or not, cores) and the load average are printed
with every table: the machine may be shared, and the ratios within one table are
the figures to compare across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

#: Runs one reader in a fresh process; prints {"seconds": best, "peak_mib": peak RSS above the start}.
READER = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, sys.argv[4])
    import numpy as np
    kind, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    import akili.datasets as ds
    if kind == "pandas":
        import pandas as pd
    import csv_oracle

    def run():
        if kind == "akili f64":
            return ds.read_csv(path)
        if kind == "akili f32 book":
            return ds.read_csv(path, dtype=np.float32, scale="book")
        if kind == "pandas":
            frame = pd.read_csv(path, header=None, engine="c")
            return frame.to_numpy(dtype=np.float64)
        if kind == "numpy.loadtxt":
            return np.loadtxt(path, delimiter=",")
        if kind == "python (before)":
            return csv_oracle.read_csv(path)
        if kind == "idx akili":
            return ds.fashion_mnist(dtype=np.float32)
        if kind == "idx before":
            import gzip

            from akili.datasets import _idx

            _idx.GzipReader = gzip.GzipFile  # the former path decompressed with Python's gzip module
            X, y = ds.load_idx_pair(path + "/train-images-idx3-ubyte.gz", path + "/train-labels-idx1-ubyte.gz")
            return ds.scale_book(X, dtype=np.float32), y

    def status(field):
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith(field + ":"))

    # A forked child inherits its parent's peak RSS: reset the kernel's mark (VmHWM) first.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    start = status("VmRSS")
    best = float("inf")
    nbytes = 0
    for _ in range(repeats):
        t = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t)
        parts = result if isinstance(result, tuple) else (result,)
        nbytes = sum(p.nbytes for p in parts)
        del result, parts
    peak = status("VmHWM")
    print(json.dumps({"seconds": best, "peak_mib": (peak - start) / 1024, "returned_mib": nbytes / 2**20}))
""")


def run_reader(kind: str, path: Path, repeats: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", READER, kind, str(path), str(repeats), str(REPO / "tests")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_csv(path: Path) -> None:
    import akili.datasets as ds

    X, y = ds.fashion_mnist(scale=None)
    table = np.column_stack([y, X]).astype(np.int64)
    with open(path, "w") as handle:
        np.savetxt(handle, table, fmt="%d", delimiter=",")


def interleaved(kinds: list[str], path: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Each reader once per round, in a fresh process, the kinds taking turns (so a
    change in the machine's load falls on all of them): the best time and the
    highest peak over the rounds."""
    rows: dict[str, dict[str, float]] = {}
    failed: set[str] = set()
    for _ in range(rounds):
        for kind in kinds:
            if kind in failed:
                continue
            try:
                row = run_reader(kind, path, 1)
            except subprocess.CalledProcessError as error:
                print(f"   {kind}: failed ({error.stderr.strip().splitlines()[-1]})")
                failed.add(kind)
                continue
            if kind not in rows:
                rows[kind] = row
            else:
                rows[kind]["seconds"] = min(rows[kind]["seconds"], row["seconds"])
                rows[kind]["peak_mib"] = max(rows[kind]["peak_mib"], row["peak_mib"])
    return rows


def reader_table(csv: Path, repeats: int) -> None:
    print(
        f"\n1. CSV readers on {csv} ({csv.stat().st_size / 1e6:.0f} MB, 60,000 lines); best of {repeats} rounds, "
        "the readers taking turns; peak = the process's peak RSS above its start (highest of the rounds); "
        f"{load()} at the start",
        flush=True,
    )
    kinds = ["akili f64", "akili f32 book", "pandas", "numpy.loadtxt", "python (before)"]
    rows = interleaved(kinds, csv, repeats)
    print(f"   {'reader':<18}{'seconds':>9}{'peak MiB':>10}{'returned MiB':>14}{'peak/returned':>15}")
    for kind, row in rows.items():
        print(
            f"   {kind:<18}{row['seconds']:>9.3f}{row['peak_mib']:>10.0f}{row['returned_mib']:>14.0f}"
            f"{row['peak_mib'] / row['returned_mib']:>15.2f}"
        )
    ours = rows["akili f64"]["seconds"]
    for peer in ("pandas", "numpy.loadtxt", "python (before)"):
        if peer in rows:
            print(f"   read_csv (f64) is {rows[peer]['seconds'] / ours:.2f}x faster than {peer}")
    print(f"   {load()} at the end")


def idx_table(repeats: int) -> None:
    import akili.datasets as ds

    directory = Path(ds.FASHION_MNIST_DIR)
    started = load()
    rows = interleaved(["idx akili", "idx before"], directory, repeats)
    now, before = rows["idx akili"], rows["idx before"]
    print(f"\n2. gzipped IDX (Fashion-MNIST train) into float32, book scaling; best of {repeats} rounds, taking turns")
    print(
        f"   fashion_mnist(dtype=float32): {now['seconds']:.3f} s, peak {now['peak_mib']:.0f} MiB; before "
        f"(gzip module, read_idx + scale_book): {before['seconds']:.3f} s, peak {before['peak_mib']:.0f} MiB; "
        f"{before['seconds'] / now['seconds']:.2f}x faster ({started} at the start, {load()} at the end)"
    )


#: The in-memory reference: the same network trained on the 60,000 rows held in
#: memory, as many epochs as the stream has copies of them (the same samples and
#: about as long a run, so that the machine's load weighs on both alike).
STREAM_FIT = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import akili
    import akili.datasets as ds
    X, y = ds.read_csv(sys.argv[1], dtype=np.float32, scale="book")
    T = ds.one_hot(y, 10, low=0.01, high=0.99, dtype=np.float32)
    net = akili.Network([akili.Dense(784, 100), akili.Dense(100, 10)], learning_rate=0.1, seed=0, dtype=np.float32)
    history = net.fit(X, T, epochs=int(sys.argv[2]))
    print(json.dumps({"rate": sum(history.samples) / history.seconds}))
""")


def stream_table(csv: Path, big: Path, repeats_of_data: int, rounds: int = 2) -> None:
    if not big.exists() or big.stat().st_size < csv.stat().st_size * repeats_of_data:
        with open(big, "wb") as out:
            data = csv.read_bytes()
            for _ in range(repeats_of_data):
                out.write(data)
    size = big.stat().st_size
    command = [
        sys.executable,
        "-m",
        "akili",
        "train",
        "--data",
        str(big),
        "--stream",
        "--dtype",
        "float32",
        "--epochs",
        "1",
        "--quiet",
        "--hidden",
        "100",
    ]
    log = big.with_suffix(".log")
    started_load = load()
    # In-memory and streamed runs take turns; the best rate of each is kept.
    in_memory, streamed, peak_mib, text = 0.0, 0.0, 0.0, ""
    for _ in range(rounds):
        out = subprocess.run(
            [sys.executable, "-c", STREAM_FIT, str(csv), str(repeats_of_data)],
            capture_output=True,
            text=True,
            check=True,
        )
        in_memory = max(in_memory, json.loads(out.stdout)["rate"])
        started = time.perf_counter()
        with open(log, "w") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            # wait4 gives this child's own peak RSS (not the maximum over every child so far).
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"\n3. akili train --stream failed:\n{log.read_text()}")
            return
        rate = 60_000 * repeats_of_data / seconds
        if rate > streamed:
            streamed, text = rate, log.read_text().strip()
        peak_mib = max(peak_mib, usage.ru_maxrss / 1024)
    print(
        f"\n3. akili train --stream on {big} ({size / 1e9:.2f} GB, {60_000 * repeats_of_data:,} lines); "
        f"best of {rounds} rounds, in-memory and streamed runs taking turns"
    )
    print("   " + text.replace("\n", "\n   "))
    print(
        f"   peak RSS {peak_mib:.0f} MiB (highest of the rounds); {streamed:,.0f} samples/s over the whole run "
        f"(start-up and reading included) against {in_memory:,.0f} samples/s for fit on the same rows in memory "
        f"({repeats_of_data} epochs of the 60,000): {streamed / in_memory:.0%}"
    )
    print(f"   {started_load} at the start, {load()} at the end")


def load() -> str:
    """The 1-minute load average, as printed beside every figure."""
    return f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "load average unknown"


def machine_line() -> str:
    """CPU model, AVX-512 or not, and core count, from /proc/cpuinfo where there is one."""
    model, avx512 = os.uname().machine, "AVX-512 unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            lines = cpuinfo.read().splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), model)
        flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
        avx512 = "AVX-512" if "avx512f" in flags else "no AVX-512"
    except OSError:
        pass
    return f"{model}, {avx512}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the reader table only, best of 2")
    parser.add_argument(
        "--dir", default=str(Path.home() / ".cache" / "akili-bench"), help="where the CSV files are written"
    )
    args = parser.parse_args()
    directory = Path(args.dir)
    directory.mkdir(parents=True, exist_ok=True)
    csv = directory / "fashion_mnist_train.csv"
    if not csv.exists():
        write_csv(csv)
    print(f"machine: {machine_line()}; {load()}")
    repeats = 2 if args.quick else 3
    reader_table(csv, repeats)
    idx_table(repeats)
    if not args.quick:
        stream_table(csv, directory / "fashion_mnist_x16.csv", 16)


if __name__ == "__main__":
    main()
