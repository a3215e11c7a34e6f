"""Data for the command line: which data set a ``--data`` value names, how it is
split and scaled, and the JSON file next to a saved model that remembers this.

The model file holds the network only (weights, shapes, activations, rule), so
what evaluate, predict and backquery need to treat new data exactly as the
training data was treated lives in ``MODEL.json`` beside ``MODEL`` (for
``m.akili``, ``m.akili.json``): plain JSON, never pickle.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import datasets as ds
from .datasets._builtin import _CLASS_NAMES, _known_name
from .datasets._preprocessing import Scaling

#: Data sets too small to hold anything out: trained and tested on every sample (the phrase says so).
TRAIN_IS_TEST = {"xor": "all 4 points, the same ones it was trained on: XOR has none to hold out"}

SIDECAR_FORMAT = "akili-cli-preprocessing"
SIDECAR_VERSION = 1


def canonical_data(spec: str) -> str:
    """A stable name for a ``--data`` value: a known name in lower case, or the absolute path."""
    known = _known_name(spec)
    return known if known is not None else str(Path(spec).expanduser().resolve())


def load_raw(spec: str, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Unscaled features and int labels of ``spec`` (Fashion-MNIST as uint8 pixels)."""
    if canonical_data(spec) == "fashion-mnist":
        return ds.fashion_mnist(kind=kind, scale=None)
    return ds.load(os.path.expanduser(spec), kind=kind)


def has_test_split(spec: str) -> bool:
    """Whether ``spec`` ships its own test split (Fashion-MNIST, an IDX directory with t10k files)."""
    name = canonical_data(spec)
    if name == "fashion-mnist":
        return True
    path = Path(name)
    return path.is_dir() and any((path / f"t10k-labels-idx1-ubyte{ext}").is_file() for ext in ("", ".gz"))


def class_names(spec: str, n_classes: int) -> list[str]:
    """Names of the classes 0..n_classes-1: the data set's own, else the label numbers."""
    names = _CLASS_NAMES.get(canonical_data(spec))
    if names is not None and len(names) == n_classes:
        return list(names)
    return [str(label) for label in range(n_classes)]


def check_labels(labels: np.ndarray, n_classes: int | None, source: str) -> None:
    """Labels must be 0..n_classes-1 (one output node per class)."""
    if labels.size == 0:
        raise ds.DatasetError(f"{source}: no samples")
    if labels.min() < 0:
        raise ds.DatasetError(f"{source}: labels must be 0 or more (one output per class), found {labels.min()}")
    if n_classes is not None and labels.max() >= n_classes:
        raise ds.DatasetError(
            f"{source}: label {labels.max()} is out of range for a model with {n_classes} "
            f"outputs (labels 0..{n_classes - 1})"
        )


@dataclass
class Split:
    """Training and test parts of a data set, with a phrase saying where the test part came from."""

    train_inputs: np.ndarray
    train_labels: np.ndarray
    test_inputs: np.ndarray
    test_labels: np.ndarray
    test_source: str
    held_out: dict[str, Any] | None  # {"test_fraction": f, "seed": s} when split here, else None


def training_split(spec: str, *, test_fraction: float, seed: int, limit: int | None) -> Split:
    """Loads ``spec`` for training: its own test split when it has one, else a
    seeded, stratified ``test_fraction`` held out. ``limit`` keeps only the first
    N training samples (file order for data with a test split)."""
    inputs, labels = load_raw(spec, "train")
    if has_test_split(spec):
        test_inputs, test_labels = load_raw(spec, "test")
        split = Split(inputs, labels, test_inputs, test_labels, "the test split", None)
    elif canonical_data(spec) in TRAIN_IS_TEST:
        # XOR is its four points: none can be held out, so the test is on the same four (said in the output).
        split = Split(inputs, labels, inputs, labels, TRAIN_IS_TEST[canonical_data(spec)], None)
    else:
        train_x, test_x, train_y, test_y = ds.train_test_split(inputs, labels, test_fraction=test_fraction, seed=seed)
        split = Split(
            train_x,
            train_y,
            test_x,
            test_y,
            f"{test_fraction:g} of it held out, seed {seed}",
            {"test_fraction": test_fraction, "seed": seed},
        )
    if limit is not None:
        split.train_inputs, split.train_labels = split.train_inputs[:limit], split.train_labels[:limit]
    return split


def evaluation_data(spec: str, split: str, sidecar: dict[str, Any] | None) -> tuple[np.ndarray, np.ndarray, str]:
    """Inputs, labels and a description of the part of ``spec`` to evaluate or predict on.

    ``split``: ``test`` (a data set's own test split, or the part held out when
    the model was trained on this same file), ``train``, ``all``, or ``auto``
    (``test`` where a test part exists, else every sample).
    """
    held_out = None
    if sidecar is not None and sidecar.get("data") == canonical_data(spec):
        held_out = sidecar.get("held_out")
    if has_test_split(spec):
        if split == "all":
            train_x, train_y = load_raw(spec, "train")
            test_x, test_y = load_raw(spec, "test")
            return np.concatenate([train_x, test_x]), np.concatenate([train_y, test_y]), "all samples"
        kind = "train" if split == "train" else "test"
        inputs, labels = load_raw(spec, kind)
        return inputs, labels, f"the {kind} split"
    inputs, labels = load_raw(spec, "train")
    if split == "all" or (split == "auto" and held_out is None):
        return inputs, labels, "all samples"
    if held_out is None:
        raise ValueError(
            f"{spec} has no test split and the model was not trained on it, so there is no "
            f"{split!r} part; use --split all"
        )
    fraction, seed = float(held_out["test_fraction"]), int(held_out["seed"])
    train_x, test_x, train_y, test_y = ds.train_test_split(inputs, labels, test_fraction=fraction, seed=seed)
    if split == "train":
        return train_x, train_y, f"the training part ({1 - fraction:g}, seed {seed})"
    return test_x, test_y, f"the held-out part ({fraction:g}, seed {seed})"


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """``m.akili`` -> ``m.akili.json``."""
    path = Path(model_path)
    return path.with_name(path.name + ".json")


def write_sidecar(model_path: str | os.PathLike, content: dict[str, Any]) -> Path:
    """Writes the JSON beside the model: to a temporary file first, renamed into place."""
    target = sidecar_path(model_path)
    document = {"format": SIDECAR_FORMAT, "version": SIDECAR_VERSION, **content}
    text = json.dumps(document, indent=1, allow_nan=False)
    descriptor, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent or ".")
    try:
        # mkstemp creates the file 0600; the model file beside it gets 0666 less the umask, and so does this.
        os.fchmod(descriptor, 0o666 & ~_umask())
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows (/proc), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_sidecar(model_path: str | os.PathLike) -> dict[str, Any] | None:
    """The JSON beside the model, or None when there is none; ValueError when it is malformed."""
    path = sidecar_path(model_path)
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("format") != SIDECAR_FORMAT:
        raise ValueError(f'{path}: not an akili preprocessing file (expected "format": "{SIDECAR_FORMAT}")')
    version = document.get("version")
    if not isinstance(version, int) or version > SIDECAR_VERSION:
        raise ValueError(
            f"{path}: version {version!r} is newer than this akili reads ({SIDECAR_VERSION}); upgrade akili"
        )
    classes = document.get("classes")
    if classes is not None and not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise ValueError(f"{path}: 'classes' must be a list of names")
    held_out = document.get("held_out")
    if held_out is not None and not (
        isinstance(held_out, dict)
        and isinstance(held_out.get("seed"), int)
        and isinstance(held_out.get("test_fraction"), (int, float))
        and 0 < held_out["test_fraction"] < 1
    ):
        raise ValueError(f'{path}: \'held_out\' must be null or {{"test_fraction": 0..1, "seed": integer}}')
    targets = document.get("targets")
    if targets is not None and not (
        isinstance(targets, dict) and all(isinstance(targets.get(key), (int, float)) for key in ("low", "high"))
    ):
        raise ValueError(f'{path}: \'targets\' must be {{"low": number, "high": number}}')
    document["input_scaling"] = Scaling.from_json(document.get("input_scaling"), str(path))
    return document
