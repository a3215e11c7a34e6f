"""The commands that use a saved model: evaluate, predict, info and backquery,
and ``akili bench``."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import _core
from . import datasets as ds
from ._cli_common import UserError
from ._cli_data import Scaling, check_labels, evaluation_data, read_sidecar, sidecar_path
from ._cli_train import output_setup
from ._network import Network


def load_model(path: str) -> tuple[Network, dict[str, Any] | None]:
    """The network saved at ``path`` and its JSON sidecar (None when absent)."""
    if not Path(path).is_file():
        raise UserError(f"{path}: no such model file")
    import akili

    load = getattr(akili, "load", None)
    if load is None:
        raise UserError("this build of akili cannot read model files (akili.load is missing)")
    return load(path), read_sidecar(path)


def _class_count(network: Network) -> int:
    """One class per output; a single output separates two classes (o < 0.5, o >= 0.5)."""
    return 2 if network.n_outputs == 1 else network.n_outputs


def _classes(network: Network, sidecar: dict[str, Any] | None) -> list[str]:
    names = (sidecar or {}).get("classes")
    if names and len(names) == _class_count(network):
        return list(names)
    return [str(label) for label in range(_class_count(network))]


def _prepared(
    args: argparse.Namespace, network: Network, sidecar: dict[str, Any] | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """The --data part to use, scaled as at training time: (inputs, labels, description).
    Without --data, the data set MODEL.json records (``args.data`` is set to it)."""
    if args.data is None:
        recorded = (sidecar or {}).get("data")
        if not isinstance(recorded, str):
            raise UserError(
                f"no --data given and no {sidecar_path(args.model).name} beside the model records the "
                "data set it was trained on; pass --data"
            )
        args.data = recorded
        print(
            f"data: {recorded} (recorded in {sidecar_path(args.model).name}; --data chooses other data)",
            file=sys.stderr,
        )
    raw, labels, description = evaluation_data(args.data, args.split, sidecar)
    if raw.shape[1] != network.n_inputs:
        raise UserError(f"{args.data} has {raw.shape[1]} features per sample but the model expects {network.n_inputs}")
    if args.scale:
        scaling = Scaling.fit(args.scale, raw)
    elif sidecar is not None:
        scaling = sidecar["input_scaling"]
    else:
        scaling = Scaling.fit("auto", raw)
        print(
            f"note: no {sidecar_path(args.model).name} beside the model; inputs scaled {scaling.describe()} "
            "as measured on this data (use --scale to choose)",
            file=sys.stderr,
        )
    return scaling.apply(raw, network.dtype), labels, description


def _predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """The core's rule (akili/classes.hpp): argmax per row; one output: 1 when o >= 0.5."""
    return _core.predicted_classes(outputs)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """counts[t, p]: samples of true class t predicted as p."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels, predicted), 1)
    return counts


def format_confusion(counts: np.ndarray, names: list[str]) -> str:
    """Rows: true class (number and name); columns: predicted class number."""
    labels = [f"{index} {name}"[:16] for index, name in enumerate(names)]
    label_width = max(len(label) for label in labels)
    width = max(len(str(counts.max())), len(str(len(names) - 1))) + 1
    lines = [
        "confusion matrix (rows: true class, columns: predicted class)",
        " " * label_width + "".join(f"{index:>{width}}" for index in range(len(names))),
    ]
    for label, row in zip(labels, counts):
        lines.append(f"{label:<{label_width}}" + "".join(f"{value:>{width}}" for value in row))
    return "\n".join(lines)


def evaluate(args: argparse.Namespace) -> int:
    network, sidecar = load_model(args.model)
    inputs, labels, description = _prepared(args, network, sidecar)
    classes = _class_count(network)
    check_labels(labels, classes, args.data)
    outputs = network.predict(inputs)
    predicted = _predicted_classes(outputs)
    correct = int(np.sum(predicted == labels))
    print(f"accuracy {correct / labels.size:.4f} ({correct}/{labels.size}) on {description} of {args.data}")
    _, low, high = output_setup(network.loss, network.n_outputs)
    targets = (sidecar or {}).get("targets", {"low": low, "high": high})
    target_matrix = (
        labels.reshape(-1, 1).astype(network.dtype)
        if network.n_outputs == 1
        else ds.one_hot(labels, network.n_outputs, low=targets["low"], high=targets["high"], dtype=network.dtype)
    )
    print(f"loss {network.loss_value(inputs, target_matrix):.4f} ({network.loss})")
    if not args.no_confusion:
        print(format_confusion(confusion_matrix(labels, predicted, classes), _classes(network, sidecar)))
    return 0


def _write_predictions(stream: TextIO, outputs: np.ndarray, names: list[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["index", "prediction", "class", *(f"output_{k}" for k in range(outputs.shape[1]))])
    for index, (row, label) in enumerate(zip(outputs, _predicted_classes(outputs))):
        writer.writerow([index, int(label), names[label], *(f"{value:.6g}" for value in row)])


def predict(args: argparse.Namespace) -> int:
    network, sidecar = load_model(args.model)
    inputs, _, description = _prepared(args, network, sidecar)
    outputs = network.predict(inputs)
    names = _classes(network, sidecar)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            _write_predictions(handle, outputs, names)
        print(f"wrote {outputs.shape[0]} predictions for {description} of {args.data} to {args.out}", file=sys.stderr)
    else:
        _write_predictions(sys.stdout, outputs, names)
    return 0


def info(args: argparse.Namespace) -> int:
    network, sidecar = load_model(args.model)
    sizes = [network.n_inputs, *(layer.outputs for layer in network.layers)]
    parameters = sum(
        layer.inputs * layer.outputs + (layer.outputs if layer.has_bias else 0) for layer in network.layers
    )
    print(f"model {args.model} ({os.path.getsize(args.model):,} bytes)")
    print(
        f"network {'-'.join(map(str, sizes))}, {network.dtype.name}, loss {network.loss}, rule {network.rule}, "
        f"learning rate {network.learning_rate:g}, {parameters:,} parameters"
    )
    for index, layer in enumerate(network.layers):
        print(f"  layer {index}: {layer!r}")
    if sidecar is None:
        print(f"no {sidecar_path(args.model).name}: training data and input scaling unknown")
        return 0
    training = sidecar.get("training", {})
    print(
        f"trained on {sidecar.get('data')} ({training.get('samples')} samples, "
        f"{training.get('epochs_completed')} of {training.get('epochs_planned')} epochs, "
        f"{training.get('seconds', 0.0):.2f} s{', interrupted' if training.get('interrupted') else ''})"
    )
    print(f"inputs scaled {sidecar['input_scaling'].describe()}")
    if sidecar.get("test_accuracy") is not None:
        print(f"test accuracy {sidecar['test_accuracy']:.4f}")
    print(f"classes: {', '.join(_classes(network, sidecar))}")
    return 0


def backquery(args: argparse.Namespace) -> int:
    network, sidecar = load_model(args.model)
    from .plotting import image_shape, plot_backquery

    names = _classes(network, sidecar)[: network.n_outputs]
    shape = None
    if args.shape:
        try:
            rows, columns = (int(part) for part in args.shape.lower().split("x"))
        except ValueError:
            raise UserError(f"--shape expects ROWSxCOLUMNS such as 28x28, got {args.shape!r}") from None
        shape = (rows, columns)
    else:
        try:
            image_shape(network.n_inputs)  # fails early, before any drawing
        except ValueError:
            raise UserError(
                f"the model's {network.n_inputs} inputs do not make a square picture; give its shape "
                "with --shape ROWSxCOLUMNS"
            ) from None
    # The book's query for class k: 0.99 at output k, 0.01 elsewhere.
    targets = np.full((network.n_outputs, network.n_outputs), 0.01)
    np.fill_diagonal(targets, 0.99)
    images = network.backquery(targets)
    plot_backquery(
        images,
        args.out,
        labels=[f"{k}: {name}" for k, name in enumerate(names)],
        shape=shape,
        title=f"back-queried inputs of {Path(args.model).name}",
    )
    print(f"wrote {len(names)} back-queried images to {args.out}")
    return 0


def bench(args: argparse.Namespace) -> int:
    try:
        from . import _bench
    except ModuleNotFoundError as error:
        if error.name != f"{__package__}._bench":
            raise
        raise UserError("the benchmark is not part of this installation (akili._bench is missing)") from None
    try:
        status = _bench.main(list(args.bench_args))
    except SystemExit as exit_request:  # the benchmark's own --help or usage error
        status = exit_request.code if isinstance(exit_request.code, int) else 0
    return int(status or 0)
