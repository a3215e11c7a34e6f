"""akili alone with one thread and with every core, in interleaved rounds.

    python bench/scaling.py [--samples 4000] [--repeats 4]

Prints samples/s for online training (float64 and float32), mini-batch 64 (float32)
and inference on a 10,000-example batch (float32), on Fashion-MNIST when Debian's
dataset-fashion-mnist is installed (random data of the same shape otherwise).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import akili
from akili import _bench as base


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/scaling.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=4000, help="training examples per run")
    parser.add_argument("--repeats", type=int, default=4, help="rounds; the best of each is kept")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    data = base.load_data(max(args.samples, 12800), 10000)
    print(f"data: {data['source']}; {args.samples} examples per training run, best of {args.repeats}")

    def with_threads(count: int, run):
        def timed() -> None:
            akili.set_num_threads(count)
            run()

        return timed

    rows = []
    for label, dtype, batch, count in (
        ("online f64", np.float64, 1, args.samples),
        ("online f32", np.float32, 1, args.samples),
        ("mini-batch 64 f32", np.float32, 64, 12800),
        ("inference 10k f32", np.float32, 0, 10000),
    ):
        X, T = data["X"][:count].astype(dtype), data["T"][:count].astype(dtype)
        runs = []
        for threads in (1, cores):
            net = base.akili_network(base.BookNetwork(dtype))
            if batch:

                def work(net=net, X=X, T=T, batch=batch):
                    return net.fit(X, T, batch_size=batch, shuffle=True)
            else:
                Xt = data["Xt"].astype(dtype)

                def work(net=net, Xt=Xt):
                    return net.predict(Xt)

            runs.append((str(threads), with_threads(threads, work), count))
        rates = base.best_rates(runs, args.repeats)
        rows.append([label, base.format_rate(rates["1"]), base.format_rate(rates[str(cores)])])
    akili.set_num_threads(0)
    base.print_table(["samples/s", "1 thread", f"{cores} threads"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
