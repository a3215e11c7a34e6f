"""Restarts: train several seeded copies of a network at once and keep the best.

Gradient descent finds a local minimum; the lesson's remedy is to "train from
several different random starting points and keep the best". The runs train in
parallel native threads (the GIL released, each network under its own lock), so
each run's result depends on its seed alone, never on the thread count.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _core
from ._divergence import ADVICE, blow_up, reference_loss
from ._history import History
from ._network import Network, _is_class_target
from ._validation import as_matrix, as_targets, check_positive_int

NetworkFactory = Callable[[int], Network]


@dataclass
class RestartResult:
    """Every run of ``akili.restarts`` and the best one.

    Attributes
    ----------
    networks : the trained networks, one per seed, in the order of ``seeds``.
    histories : each run's History (per-epoch loss, accuracy, times).
    scores : each run's mean loss after training on the score data (the
        validation data when given, else the training data); NaN for a failed run.
    seeds : the seed each network was made with.
    errors : why a run failed (None when it did not), e.g. it diverged.
    best_index : position of the lowest score among the runs that did not fail.
    """

    networks: list[Network]
    histories: list[History]
    scores: list[float]
    seeds: list[int]
    errors: list[str | None] = field(default_factory=list)
    best_index: int = 0

    @property
    def best(self) -> Network:
        """The network with the lowest score."""
        return self.networks[self.best_index]

    @property
    def best_history(self) -> History:
        """The History of the best run."""
        return self.histories[self.best_index]

    def __repr__(self) -> str:
        return (
            f"RestartResult(runs={len(self.networks)}, best_index={self.best_index}, "
            f"best_seed={self.seeds[self.best_index]}, best_score={self.scores[self.best_index]:.6g})"
        )


def restarts(
    make_network: NetworkFactory,
    inputs: Any,
    targets: Any,
    *,
    n: int = 8,
    epochs: int = 1,
    batch_size: int = 1,
    shuffle: bool = True,
    seeds: Sequence[int] | None = None,
    threads: int | None = None,
    validation_data: tuple[Any, Any] | None = None,
) -> RestartResult:
    """Train ``n`` networks, ``make_network(seed)`` for each seed, in parallel threads.

    Parameters
    ----------
    make_network : called once per run with that run's seed; returns a new
        ``akili.Network`` seeded with it (all runs of one dtype and shape), e.g.
        ``lambda seed: akili.NeuralNetwork(4, 8, 3, seed=seed)``.
    inputs, targets : training data, shapes (samples, inputs) and (samples, outputs).
    n : number of runs (ignored when ``seeds`` is given).
    epochs, batch_size, shuffle : as in ``Network.fit``, the same for every run.
    seeds : the runs' seeds; default ``0, 1, ..., n-1``.
    threads : worker threads; default one per CPU core, at most one per run.
    validation_data : ``(inputs, targets)`` to choose the best run on; default
        the training data.

    Returns a RestartResult: every run's network, History and score, and
    ``best``, the network with the lowest mean loss on the score data. A run
    that diverges is kept with its error and never chosen: a NaN or infinity
    (as in ``fit``), or a blow-up that stayed finite by ``fit``'s rule (an
    epoch's loss grown a millionfold, or a weight beyond 1e10; the network is
    then put back to the weights it started with). Ctrl-C stops every
    run within milliseconds and raises KeyboardInterrupt.
    """
    where = "akili.restarts"
    if not callable(make_network):
        raise TypeError(
            f"[{where}] expected make_network as a callable seed -> Network, got {type(make_network).__name__}"
        )
    if seeds is None:
        seed_list = list(range(check_positive_int(n, "n", where)))
    else:
        seed_list = [check_positive_int(seed, "seed", where, minimum=0) for seed in seeds]
        if not seed_list:
            raise ValueError(f"[{where}] expected at least one seed, got none")
    epochs = check_positive_int(epochs, "epochs", where)
    batch_size = check_positive_int(batch_size, "batch_size", where)
    if threads is None:
        threads = os.cpu_count() or 1
    threads = check_positive_int(threads, "threads", where)

    networks = [_made_network(make_network, seed, where) for seed in seed_list]
    first = networks[0]
    for seed, network in zip(seed_list, networks):
        if (network.dtype, network.n_inputs, network.n_outputs) != (first.dtype, first.n_inputs, first.n_outputs):
            raise ValueError(
                f"[{where}] every network must share dtype and sizes: seed {seed_list[0]} gave "
                f"{first.dtype.name} {first.n_inputs}->{first.n_outputs}, seed {seed} gave "
                f"{network.dtype.name} {network.n_inputs}->{network.n_outputs}"
            )
    if len({id(network) for network in networks}) != len(networks):
        raise ValueError(f"[{where}] make_network returned the same network twice; each run needs a new one")

    matrix, _ = as_matrix(inputs, dtype=first.dtype, columns=first.n_inputs, name="inputs", where=where)
    target_matrix = as_targets(
        targets, dtype=first.dtype, columns=first.n_outputs, samples=matrix.shape[0], where=where
    )
    score_inputs, score_targets = matrix, target_matrix
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(f"[{where}] expected validation_data as a pair (inputs, targets)")
        score_inputs, _ = as_matrix(
            validation_data[0], dtype=first.dtype, columns=first.n_inputs, name="validation inputs", where=where
        )
        score_targets = as_targets(
            validation_data[1], dtype=first.dtype, columns=first.n_outputs, samples=score_inputs.shape[0], where=where
        )

    # What the blow-up checks compare against (akili._divergence): each run's loss and weights before training.
    references = [reference_loss(network, matrix, target_matrix) for network in networks]
    starts = [network._parameters() for network in networks]
    # All of one dtype (checked above), so one of the two native overloads applies.
    natives: list[Any] = [network._native for network in networks]
    runs = _core.train_restarts(
        natives, matrix, target_matrix, score_inputs, score_targets, epochs, batch_size, bool(shuffle), threads
    )
    classifies = _is_class_target(target_matrix)
    histories = [_history(run, classifies) for run in runs]
    scores = [float(run["score"]) for run in runs]
    errors: list[str | None] = [str(run["error"]) if run["error"] else None for run in runs]
    for i, network in enumerate(networks):
        # A blow-up that stayed finite fails the run as a NaN would, with the same rule as Network.fit.
        losses = [loss for loss in histories[i].loss if np.isfinite(loss)]
        cause = None if errors[i] else blow_up(references[i], max(losses, default=0.0), network._parameters())
        if cause is not None:
            network._restore_parameters(starts[i])
            scores[i] = float("nan")
            errors[i] = (
                f"[{where}] the run with seed {seed_list[i]} diverged: {cause}; weights restored to where "
                f"the run started. {ADVICE.format(rate=network.learning_rate)}"
            )
    usable = [i for i, (score, error) in enumerate(zip(scores, errors)) if error is None and np.isfinite(score)]
    if not usable:
        raise _core.DivergenceError(f"[{where}] every run failed; first error: {errors[0]}")
    # Ties keep the earlier run, so the choice never depends on timing.
    best_index = min(usable, key=lambda i: (scores[i], i))
    return RestartResult(
        networks=networks, histories=histories, scores=scores, seeds=seed_list, errors=errors, best_index=best_index
    )


def _made_network(make_network: NetworkFactory, seed: int, where: str) -> Network:
    network = make_network(seed)
    if not isinstance(network, Network):
        raise TypeError(f"[{where}] make_network({seed}) returned {type(network).__name__}, expected akili.Network")
    return network


def _history(run: dict[str, Any], classifies: bool) -> History:
    """A native run record as the History that Network.fit would have returned."""
    history = History()
    for loss, correct, samples, seconds in zip(run["loss"], run["correct"], run["samples"], run["epoch_seconds"]):
        history.loss.append(float(loss))
        history.accuracy.append(correct / samples if classifies and samples else None)
        history.samples.append(int(samples))
        history.epoch_seconds.append(float(seconds))
    history.stopped = bool(run["stopped"])
    return history
