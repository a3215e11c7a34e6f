"""``akili train --stream``: train on a CSV file read in batches, with memory bounded
by a few batches whatever the file size.

A stream is read once per epoch and never held whole, so what the in-memory
path measures on the data first is decided up front here:

* scaling: ``auto`` means ``book`` with 255 as the largest value (the book's
  pixels); ``book``/``none`` as asked; ``standard`` and ``minmax`` need
  statistics of the whole file and are refused;
* classes: ``--classes`` (default 10); a label beyond it stops training with a
  message naming the label and the option;
* test set: ``--test-data FILE`` (read whole: it is meant to be small); without
  it the report gives the training accuracy of the last epoch only;
* order: the file's, batch after batch; ``shuffle`` reorders samples within each
  batch only; ``--limit`` is refused (use ``head`` on the file).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets as ds
from ._progress import EpochProgress
from ._threads import set_num_threads
from .datasets._preprocessing import Scaling

#: Rows per batch read from the file (3 MiB of float32 for 784 features).
STREAM_BATCH_ROWS = 1024
DEFAULT_STREAM_CLASSES = 10


def _stream_scaling(method: str) -> Scaling:
    if method in ("auto", "book"):
        return Scaling("book", max_value=255.0)
    if method == "none":
        return Scaling("none")
    raise ValueError(
        f"--scale {method} needs statistics of the whole data set, which --stream never holds; "
        "use --scale book or --scale none"
    )


def run_stream(args: argparse.Namespace, user_error: type[Exception]) -> int:
    """The train command on a CSV stream; returns the exit status."""
    from ._cli_common import EXIT_INTERRUPTED
    from ._cli_train import build_network, model_record, output_setup, save_model
    from ._history import History

    out = sys.stdout
    path = Path(args.data).expanduser()
    if path.suffix.lower() != ".csv" or not path.is_file():
        raise user_error(f"{args.data}: --stream reads a .csv file, and there is none at that path")
    if args.limit is not None:
        raise user_error("--limit cannot be combined with --stream (train on a shorter file instead)")
    if args.plot:
        raise user_error("--plot is not available with --stream")
    if getattr(args, "early_stopping", False):
        raise user_error("--early-stopping is not available with --stream (it holds out part of the data in memory)")
    try:
        scaling = _stream_scaling(args.scale)
    except ValueError as error:
        raise user_error(str(error)) from None
    classes = args.classes if args.classes is not None else DEFAULT_STREAM_CLASSES
    dtype = np.dtype(args.dtype)
    scale = "book" if scaling.method == "book" else None
    batches = ds.iter_csv(path, batch_rows=STREAM_BATCH_ROWS, dtype=dtype, scale=scale)
    output_activation, low, high = output_setup(args.loss, classes)

    def targets_for(labels: np.ndarray) -> np.ndarray:
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            bad = labels[(labels < 0) | (labels >= classes)][0]
            raise user_error(
                f"{args.data}: label {bad} is outside 0..{classes - 1}; pass --classes with the number of classes"
            )
        return ds.one_hot(labels, classes, low=low, high=high, dtype=dtype)

    def epoch_batches() -> Any:
        return ((inputs, targets_for(labels)) for inputs, labels in batches)

    validation = None
    if args.test_data:
        test_inputs, test_labels = ds.read_csv(Path(args.test_data).expanduser(), dtype=dtype, scale=scale)
        validation = (test_inputs, targets_for(test_labels))
    hidden = list(args.hidden)
    network = build_network(batches.n_features, hidden, classes, args, output_activation)
    epochs = args.epochs if args.epochs is not None else 1
    shape = "-".join(str(size) for size in [batches.n_features, *hidden, classes])
    if not args.quiet:
        print(
            f"training a {shape} network ({args.activation}, {args.rule} rule, {args.loss}, lr {args.lr:g}, "
            f"{dtype.name}) on {args.data}, streamed in batches of {STREAM_BATCH_ROWS} rows: {epochs} epochs, "
            f"batch size {args.batch_size}; inputs scaled {scaling.describe()}; test: "
            f"{'none' if validation is None else f'{len(validation[0])} samples from {args.test_data}'}",
            file=out,
            flush=True,
        )
    progress = EpochProgress(0, epochs, bar=False, lines=not args.quiet, validation_name="test")
    if "OMP_NUM_THREADS" not in os.environ:
        # The parser has a thread of its own (it reads the next rows while the core
        # trains): training leaves it a core. OMP_NUM_THREADS overrides this.
        set_num_threads(max(1, (os.cpu_count() or 1) - 1))
    interrupted = False
    started = time.perf_counter()
    try:
        history = network.fit(
            epoch_batches,
            epochs=epochs,
            batch_size=args.batch_size,
            shuffle=not args.no_shuffle,
            validation_data=validation,
            on_epoch=progress.on_epoch,
        )
    except KeyboardInterrupt:
        interrupted = True
        history = progress.history if progress.history is not None else History()
        history.stopped = True
        print(
            f"interrupted: {history.epochs} of {epochs} epochs completed; the network keeps the weights of "
            "its last training step",
            file=sys.stderr,
            flush=True,
        )
    seconds = time.perf_counter() - started
    trained = int(sum(history.samples))
    rate = trained / history.seconds if history.seconds > 0 else float("nan")
    if history.epochs and history.accuracy[-1] is not None:
        print(f"training accuracy {history.accuracy[-1]:.4f} (last epoch)", file=out)
    result = None
    if validation is not None:
        result = network.evaluate(*validation)
        print(
            f"accuracy {result['accuracy']:.4f} on {len(validation[0])} test samples ({args.test_data}), "
            f"loss {result['loss']:.4f}",
            file=out,
        )
    print(
        f"time {seconds:.2f} s ({history.epochs} epochs, {trained} samples trained, {rate:,.0f} samples/s)",
        file=out,
        flush=True,
    )
    if args.out:
        sidecar = model_record(
            args,
            network,
            history,
            held_out=None,
            limit=None,
            scaling=scaling,
            classes=[str(label) for label in range(classes)],
            low=low,
            high=high,
            epochs=epochs,
            interrupted=interrupted,
            hidden=hidden,
            samples=trained,
            seconds=seconds,
            test_accuracy=None if result is None else result["accuracy"],
            stream=True,
        )
        save_model(network, args.out, sidecar)
        print(f"saved {args.out} (and {args.out}.json)", file=out, flush=True)
    return EXIT_INTERRUPTED if interrupted else 0
