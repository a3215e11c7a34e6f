"""The portable build against a -march=native build of the same source, on every
column of bench/run.py, in one run.

    python bench/portable.py                 # builds the native variant first (a few minutes)
    python bench/portable.py --quick         # smaller runs
    python bench/portable.py --native-dir D  # reuse a native build installed with --target D

The portable build is the installed akili (the default: baseline instruction set,
product kernels chosen at run time). The native one is built from this source
tree with AKILI_NATIVE=ON into build/native-target. Each column runs in a fresh
process per build (a process can load only one akili), the two builds taking
turns for several rounds on the same machine; each cell is the best rate of its
build, and the ratio is portable / native.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ("online f64", "online f32", "mini-batch 64 f32", "inference 10k f32")


def build_native(target: Path) -> None:
    """pip installs this source with AKILI_NATIVE=ON into `target` (its own build directory)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--upgrade",
            "--target",
            str(target),
            "-C",
            "cmake.define.AKILI_NATIVE=ON",
            "-C",
            f"build-dir={REPO / 'build' / 'native'}",
            str(REPO),
        ],
        check=True,
    )


def worker(column: str, quick: bool, repeats: int) -> None:
    """Times akili on one column and prints {"rate": samples/s, "info": build_info()}."""
    import numpy as np

    import akili
    from akili import _bench as base

    online_n, batch_n = (3000, 12800) if quick else (20000, 60000)
    data = base.load_data(max(online_n, batch_n), 10000)
    dtype = np.float64 if column.endswith("f64") else np.float32
    net = base.akili_network(base.BookNetwork(dtype))
    if column.startswith("inference"):
        inputs = data["Xt"].astype(dtype)
        run, samples = (lambda: net.predict(inputs)), inputs.shape[0]
    else:
        batch = 1 if column.startswith("online") else 64
        count = online_n if batch == 1 else batch_n
        X, T = data["X"][:count].astype(dtype), data["T"][:count].astype(dtype)
        run, samples = (lambda: net.fit(X, T, batch_size=batch, shuffle=True)), count
    rate = base.best_rates([("akili", run, samples)], repeats)["akili"]
    print(json.dumps({"rate": rate, "info": akili.build_info()}))


def measure(column: str, native: Path | None, quick: bool, repeats: int) -> tuple[float, dict]:
    env = dict(os.environ)
    if native is not None:
        env["PYTHONPATH"] = str(native) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, __file__, "--worker", column, "--repeats", str(repeats)] + (["--quick"] if quick else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=REPO / "bench")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["rate"], result["info"]


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/portable.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs")
    parser.add_argument("--rounds", type=int, default=3, help="turns each build takes per column (default 3)")
    parser.add_argument("--native-dir", type=Path, help="a native build installed with pip --target")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.quick, args.repeats)
        return 0
    native = (args.native_dir or REPO / "build" / "native-target").resolve()  # the workers run in bench/
    if args.native_dir is None:
        started = time.perf_counter()
        build_native(native)
        print(f"native build: {time.perf_counter() - started:.0f} s")
    best: dict[tuple[str, str], float] = {}
    infos: dict[str, dict] = {}
    for column in COLUMNS:
        for _ in range(args.rounds):
            for build, path in (("portable", None), ("native", native)):
                rate, info = measure(column, path, args.quick, args.repeats)
                best[build, column] = max(best.get((build, column), 0.0), rate)
                infos[build] = info
    for build, info in infos.items():
        print(
            f"{build}: akili {info['version']}, {info['compiler']}, Eigen {info['eigen']}, "
            f"{'-march=native' if info['native'] else 'baseline'} build, product kernel {info['active']}"
        )
    if not infos["native"]["native"] or infos["portable"]["native"]:
        print("error: the two builds are not one portable and one native", file=sys.stderr)
        return 1
    if hasattr(os, "getloadavg"):
        print(f"load average after the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("\nsamples/s, best of each build over its turns\n")
    print("| build | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for build in ("portable", "native"):
        print(f"| {build} | " + " | ".join(f"{best[build, column]:,.0f}" for column in COLUMNS) + " |")
    print(
        "| portable / native | "
        + " | ".join(f"{best['portable', column] / best['native', column]:.3f}" for column in COLUMNS)
        + " |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
