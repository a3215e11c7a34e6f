"""``akili train``: load a data set, train the book's kind of network on it,
report accuracy and time, and optionally save the model and plot the curves."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets as ds
from . import optimizers
from ._cli_common import EXIT_INTERRUPTED, UserError
from ._cli_data import Scaling, canonical_data, check_labels, class_names, training_split, write_sidecar
from ._dropout import Dropout
from ._history import History
from ._network import Dense, Network
from ._progress import EpochProgress, is_terminal, progress_every
from ._version import __version__
from .callbacks import EarlyStopping

#: Without --epochs, train for about this many samples (between 1 and 50 epochs):
#: 14 epochs of the built-in digits, 1 of Fashion-MNIST.
SAMPLES_PER_RUN = 20_000
MAX_AUTO_EPOCHS = 50

#: Data sets whose default differs: XOR's four points need about 2,000 passes at the
#: book's learning rate (500 reach accuracy 1 at loss 0.15, 2,000 reach loss 0.003).
AUTO_EPOCHS = {"xor": 2000}


def auto_epochs(samples: int, data: str | None = None) -> int:
    """Epochs for about SAMPLES_PER_RUN samples: ceil(20000 / n), clipped to 1..50
    (AUTO_EPOCHS for the data sets listed there)."""
    if data is not None and canonical_data(data) in AUTO_EPOCHS:
        return AUTO_EPOCHS[canonical_data(data)]
    return max(1, min(MAX_AUTO_EPOCHS, math.ceil(SAMPLES_PER_RUN / max(samples, 1))))


def require_matplotlib() -> None:
    """Fails before training, not after it, when --plot cannot be honoured."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UserError("--plot needs matplotlib, which is not installed: pip install 'akili[plot]'") from None


def output_setup(loss: str, classes: int) -> tuple[str, float, float]:
    """Output activation and one-hot target values: the book's sigmoid with 0.01 / 0.99
    (a sigmoid never reaches 0 or 1), or softmax with 0 / 1 for cross-entropy."""
    if loss == "cross_entropy" and classes > 1:
        return "softmax", 0.0, 1.0
    return "sigmoid", 0.01, 0.99


#: The optimizers with a weight decay (Rprop has none).
WEIGHT_DECAY_OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam", "adamw")


def optimizer_from_args(args: argparse.Namespace) -> optimizers.Optimizer:
    """--optimizer with --momentum, --nesterov and --weight-decay; a setting the
    optimizer does not have, or a value out of its range, is a UserError."""
    name = getattr(args, "optimizer", "sgd")
    settings: dict[str, Any] = {}
    for option, key, value, takes in (
        ("--momentum", "momentum", getattr(args, "momentum", None), ("sgd", "rmsprop")),
        ("--nesterov", "nesterov", getattr(args, "nesterov", False) or None, ("sgd",)),
        (
            "--weight-decay",
            "weight_decay",
            getattr(args, "weight_decay", None),
            ("sgd", "adagrad", "rmsprop", "adam", "adamw"),
        ),
    ):
        if value is None:
            continue
        if name not in takes:
            raise UserError(f"{option} is for --optimizer {' or '.join(takes)}, not {name}")
        settings[key] = value
    cls = type(optimizers.get(name, "akili train"))
    try:
        return cls(**settings)
    except ValueError as error:
        raise UserError(str(error)) from None


def build_network(
    inputs: int, hidden: list[int], outputs: int, args: argparse.Namespace, output_activation: str
) -> Network:
    """inputs-hidden...-outputs, hidden layers with --activation, no bias: the book's shape;
    with --dropout P, a Dropout(P) after every hidden layer."""
    sizes = [inputs, *hidden, outputs]
    rate = getattr(args, "dropout", 0.0) or 0.0
    layers: list[Any] = []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Dense(n_in, n_out, activation=args.activation))
        if rate:
            layers.append(Dropout(rate))
    layers.append(Dense(sizes[-2], sizes[-1], activation=output_activation))
    return Network(
        layers,
        loss=args.loss,
        learning_rate=args.lr,
        rule=args.rule,
        dtype=args.dtype,
        init="book",
        seed=args.seed,
        optimizer=optimizer_from_args(args),
    )


def early_stopping_split(
    inputs: np.ndarray, targets: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded share of the training samples held out for --early-stopping:
    (train inputs, train targets, validation inputs, validation targets)."""
    held = max(1, int(round(fraction * inputs.shape[0])))
    if held >= inputs.shape[0]:
        raise UserError(
            f"--early-stopping needs training samples beside the {held} held out; got {inputs.shape[0]} in all"
        )
    order = np.random.default_rng(seed).permutation(inputs.shape[0])
    keep, hold = np.sort(order[held:]), np.sort(order[:held])
    return inputs[keep], targets[keep], inputs[hold], targets[hold]


def save_model(network: Network, path: str, sidecar: dict[str, Any]) -> None:
    """The network to ``path`` (akili's model file) and what the CLI needs to reuse it to ``path.json``."""
    save = getattr(network, "save", None)
    if save is None:
        raise UserError("this build of akili cannot save models (Network.save is missing)")
    save(path)
    write_sidecar(path, sidecar)


def model_record(
    args: argparse.Namespace,
    network: Network,
    history: History,
    *,
    held_out: Any,
    limit: int | None,
    scaling: Scaling,
    classes: list[str],
    low: float,
    high: float,
    epochs: int,
    interrupted: bool,
    hidden: list[int],
    samples: int,
    seconds: float,
    test_accuracy: float | None,
    stream: bool = False,
) -> dict[str, Any]:
    """MODEL.json beside a model trained by the CLI (`akili train`, with or without
    --stream): the data set (held_out, limit, scaling, class names, target values)
    and the run."""
    training: dict[str, Any] = {
        "epochs_planned": epochs,
        "epochs_completed": history.epochs,
        "interrupted": interrupted,
        "learning_rate": args.lr,
        "optimizer": network.optimizer.name,
        "optimizer_settings": network.optimizer.settings,
        "dropout": getattr(args, "dropout", 0.0) or 0.0,
        "early_stopping": {"patience": args.patience, "validation_fraction": args.validation_fraction}
        if getattr(args, "early_stopping", False)
        else None,
        "batch_size": args.batch_size,
        "rule": args.rule,
        "loss": args.loss,
        "activation": args.activation,
        "hidden": hidden,
        "seed": args.seed,
        "dtype": network.dtype.name,
        "shuffle": not args.no_shuffle,
        "samples": samples,
        "seconds": seconds,
    }
    if stream:
        training["stream"] = True
    return {
        "akili_version": __version__,
        "data": canonical_data(args.data),
        "held_out": held_out,
        "limit": limit,
        "input_scaling": scaling.to_json(),
        "classes": classes,
        "targets": {"low": low, "high": high},
        "training": training,
        "test_accuracy": test_accuracy,
        "history": _history_json(history),
    }


def _history_json(history: History) -> dict[str, Any]:
    return {
        "loss": history.loss,
        "accuracy": history.accuracy,
        "val_loss": history.val_loss,
        "val_accuracy": history.val_accuracy,
        "epoch_seconds": history.epoch_seconds,
        "samples": history.samples,
        "log_every": history.log_every,
        "curve_position": history.curve_position,
        "curve_samples": history.curve_samples,
        "curve_loss": history.curve_loss,
        "curve_accuracy": history.curve_accuracy,
    }


def run(args: argparse.Namespace) -> int:
    """The train command; returns the exit status (130 when Ctrl-C stopped training)."""
    if getattr(args, "stream", False):
        from ._cli_stream import run_stream

        return run_stream(args, UserError)
    for option, value in (
        ("--classes", getattr(args, "classes", None)),
        ("--test-data", getattr(args, "test_data", None)),
    ):
        if value is not None:
            raise UserError(
                f"{option} is for --stream only (the in-memory path finds the classes and the test "
                "part in the data set)"
            )
    out = sys.stdout
    if args.plot:
        require_matplotlib()
    for target in (args.out, args.plot):
        if target and not Path(target).expanduser().resolve().parent.is_dir():
            raise UserError(f"{target}: the directory to write it in does not exist")
    split = training_split(args.data, test_fraction=args.test_fraction, seed=args.seed, limit=args.limit)
    check_labels(split.train_labels, None, args.data)
    classes = int(max(split.train_labels.max(), split.test_labels.max(initial=0))) + 1
    check_labels(split.test_labels, classes, f"{args.data} (test part)")
    names = class_names(args.data, classes)

    scaling = Scaling.fit(args.scale, split.train_inputs)
    train_inputs = scaling.apply(split.train_inputs, args.dtype)
    test_inputs = scaling.apply(split.test_inputs, args.dtype)
    output_activation, low, high = output_setup(args.loss, classes)
    train_targets = ds.one_hot(split.train_labels, classes, low=low, high=high, dtype=args.dtype)
    test_targets = ds.one_hot(split.test_labels, classes, low=low, high=high, dtype=args.dtype)

    hidden = list(args.hidden)
    network = build_network(train_inputs.shape[1], hidden, classes, args, output_activation)
    validation, validation_name, callbacks = (test_inputs, test_targets), "test", []
    stopper = None
    if args.early_stopping:
        train_inputs, train_targets, *held = early_stopping_split(
            train_inputs, train_targets, args.validation_fraction, args.seed
        )
        validation, validation_name = (held[0], held[1]), "validation"
        stopper = EarlyStopping(patience=args.patience, restore_best_weights=True)
        callbacks.append(stopper)
    samples = train_inputs.shape[0]
    epochs = args.epochs if args.epochs is not None else auto_epochs(samples, args.data)
    shape = "-".join(str(size) for size in [train_inputs.shape[1], *hidden, classes])
    # Plain SGD, the book's update, goes unnamed (the line reads as it always has).
    optimizer_text = "" if network.optimizer == optimizers.SGD() else f"{network.optimizer!r}, "
    if not args.quiet:
        print(
            f"training a {shape} network ({args.activation}, {args.rule} rule, {args.loss}, lr {args.lr:g}, "
            f"{optimizer_text}{np.dtype(args.dtype).name}) on {args.data}: {samples} samples x {epochs} epochs, "
            f"batch size {args.batch_size}; inputs scaled {scaling.describe()}; "
            f"test: {split.test_inputs.shape[0]} samples ({split.test_source})",
            file=out,
            flush=True,
        )

    bar = not args.quiet and is_terminal(sys.stdout) and is_terminal(sys.stderr)
    progress = EpochProgress(samples, epochs, bar=bar, lines=not args.quiet, validation_name=validation_name)
    interrupted = False
    started = time.perf_counter()
    try:
        history = network.fit(
            train_inputs,
            train_targets,
            epochs=epochs,
            batch_size=args.batch_size,
            shuffle=not args.no_shuffle,
            validation_data=validation,
            on_epoch=progress.on_epoch,
            callbacks=callbacks,
            on_progress=progress.on_progress if progress.draws_bar else None,
            progress_every=progress_every(samples),
            log_every=getattr(args, "log_every", None),
        )
    except KeyboardInterrupt:
        progress.close()
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
    if stopper is not None and stopper.best_epoch is not None and not args.quiet:
        stopped = f"stopped after epoch {stopper.stopped_epoch + 1}; " if stopper.stopped_epoch is not None else ""
        print(
            f"early stopping: {stopped}kept the weights of epoch {stopper.best_epoch + 1} "
            f"(validation loss {stopper.best:.4f})",
            file=out,
        )

    result = network.evaluate(test_inputs, test_targets)
    trained = int(sum(history.samples))
    rate = trained / history.seconds if history.seconds > 0 else float("nan")
    if history.epochs and history.accuracy[-1] is not None:
        print(f"training accuracy {history.accuracy[-1]:.4f} (last epoch)", file=out)
    print(
        f"accuracy {result['accuracy']:.4f} on {test_inputs.shape[0]} test samples ({split.test_source}), "
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
            held_out=split.held_out,
            limit=args.limit,
            scaling=scaling,
            classes=names,
            low=low,
            high=high,
            epochs=epochs,
            interrupted=interrupted,
            hidden=hidden,
            samples=samples,
            seconds=seconds,
            test_accuracy=result["accuracy"],
        )
        save_model(network, args.out, sidecar)
        print(f"saved {args.out} (and {args.out}.json)", file=out, flush=True)
    if args.plot:
        if history.epochs:
            from .plotting import plot_history

            plot_history(history, args.plot, title=f"{shape} on {args.data}", validation_name="test")
            print(f"plotted {args.plot}", file=out, flush=True)
        else:
            print(f"no epoch completed: nothing to plot in {args.plot}", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else 0
