"""Training from data that is not one array in memory: ``Network.fit`` on an
iterable of ``(X, Y)`` batches, or on a callable returning a fresh one per epoch.

Rules (written in ``Network.fit``'s docstring too):

* Each epoch walks the batches in the order the source yields them; ``shuffle``
  shuffles the samples within each batch (by index, never the data), as a
  stream has no global order to shuffle.
* Minibatches never straddle a gap: rows left over at the end of a batch (when
  its length is not a multiple of ``batch_size``) are carried into the next
  batch, so with ``shuffle=False`` training on a stream gives the same weights
  as training on the concatenated arrays.
* The next batch is read on a background thread while the core trains on the
  current one (the native readers and the training both release the GIL), with
  at most two batches waiting: memory stays bounded by a few batches.
* A one-shot iterator (a generator) can feed one epoch only; for more, pass a
  re-iterable (``akili.datasets.iter_csv``/``iter_idx`` are) or a callable.

``numpy.memmap`` and ``np.load(..., mmap_mode="r")`` arrays need nothing from
here: ``fit`` reads their rows in place (C-contiguous, of the network's dtype),
so pass them as ``inputs`` directly.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._history import History
from ._validation import as_matrix, as_targets, check_positive_int

if TYPE_CHECKING:
    from ._network import Network
    from .callbacks import CallbackList

#: Batches read ahead of the one being trained on.
PREFETCH_DEPTH = 2

_WHERE = "Network.fit"


def is_batch_source(inputs: Any) -> bool:
    """Whether ``fit``'s inputs, given without targets, are a source of batches (anything
    iterable or callable but an array: a list of (X, Y) pairs counts)."""
    if isinstance(inputs, np.ndarray) or hasattr(inputs, "__array_interface__"):
        return False
    return callable(inputs) or hasattr(inputs, "__iter__")


def _epoch_batches(source: Any, epoch: int) -> Iterable[Any]:
    if callable(source):
        batches = source()
        if not hasattr(batches, "__iter__"):
            raise TypeError(
                f"[{_WHERE}] the callable passed as inputs must return an iterable of (inputs, "
                f"targets) batches, got {type(batches).__name__}"
            )
        return batches
    if epoch > 0 and iter(source) is source:
        raise ValueError(
            f"[{_WHERE}] a one-shot iterator (e.g. a generator) can feed one epoch only; for "
            "epochs > 1 pass a callable returning a fresh iterable, or a re-iterable such as "
            "akili.datasets.iter_csv(...)"
        )
    return source


class _Prefetcher:
    """Reads batches from ``batches`` on a daemon thread, at most PREFETCH_DEPTH ahead."""

    _DONE = object()

    def __init__(self, batches: Iterable[Any]) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=PREFETCH_DEPTH)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(iter(batches),), daemon=True, name="akili-fit-prefetch")
        self._thread.start()

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, iterator: Iterator[Any]) -> None:
        try:
            for item in iterator:
                if not self._put(("batch", item)):
                    return
            self._put(("done", None))
        except BaseException as error:  # noqa: BLE001 - handed to the training thread, raised there
            self._put(("error", error))

    def __iter__(self) -> Iterator[Any]:
        while True:
            # A timeout keeps the main thread responsive to Ctrl-C while it waits.
            try:
                kind, item = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _checked_batch(network: Network, batch: Any, number: int) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(
            f"[{_WHERE}] expected each batch as a pair (inputs, targets), got {type(batch).__name__} as batch {number}"
        )
    inputs, targets = batch
    if np.ndim(inputs) != 2:
        raise ValueError(
            f"[{_WHERE}] expected the inputs of batch {number} as a 2-D array (samples, "
            f"{network.n_inputs}), got shape {np.shape(inputs)}"
        )
    matrix, _ = as_matrix(
        inputs, dtype=network.dtype, columns=network.n_inputs, name="inputs", where=_WHERE, core_checks_finite=True
    )
    target_matrix = as_targets(
        targets, dtype=network.dtype, columns=network.n_outputs, samples=matrix.shape[0], where=_WHERE
    )
    return matrix, target_matrix


def fit_batches(
    network: Network,
    source: Any,
    *,
    epochs: int,
    batch_size: int,
    shuffle: bool,
    validation_data: tuple[Any, Any] | None,
    on_epoch: Callable[[int, History], Any] | None,
    on_progress: Callable[[int, int], Any] | None,
    progress_every: int,
    callbacks: CallbackList,
) -> History:
    """``Network.fit`` for a source of batches (see the module docstring)."""
    from ._network import _accuracy, _is_class_target, _named_for_python

    epochs = check_positive_int(epochs, "epochs", _WHERE)
    batch_size = check_positive_int(batch_size, "batch_size", _WHERE)
    progress_every = check_positive_int(progress_every, "progress_every", _WHERE, minimum=0)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(f"[{_WHERE}] expected validation_data as a pair (inputs, targets)")
        val_inputs, _ = as_matrix(
            validation_data[0], dtype=network.dtype, columns=network.n_inputs, name="validation inputs", where=_WHERE
        )
        validation = (
            val_inputs,
            as_targets(
                validation_data[1],
                dtype=network.dtype,
                columns=network.n_outputs,
                samples=val_inputs.shape[0],
                where=_WHERE,
            ),
        )
    native = network._native
    history = History()
    classifies: bool | None = None
    callbacks.train_begin(network, history)
    for epoch in range(epochs):
        callbacks.epoch_begin(epoch, network)
        loss_sum, correct, samples, stopped = 0.0, 0, 0, False
        started = time.perf_counter()
        carried: tuple[np.ndarray, np.ndarray] | None = None
        prefetcher = _Prefetcher(_epoch_batches(source, epoch))
        try:
            number = 0
            for number, batch in enumerate(prefetcher):  # noqa: B007 - number names the last batch below
                inputs, targets = _checked_batch(network, batch, number)
                if carried is not None:
                    inputs = np.concatenate([carried[0], inputs])
                    targets = np.concatenate([carried[1], targets])
                    carried = None
                whole = inputs.shape[0] - inputs.shape[0] % batch_size
                if whole < inputs.shape[0]:
                    carried = (inputs[whole:].copy(), targets[whole:].copy())
                    inputs, targets = inputs[:whole], targets[:whole]
                if whole == 0:
                    continue
                done = samples
                hook = None
                if on_progress is not None:
                    # The core reports this part's totals so far (samples, loss sum, correct).
                    def hook(
                        count: int, _loss_sum: float, _correct: int, _epoch: int = epoch, _done: int = done
                    ) -> Any:
                        return on_progress(_done + count, _epoch)

                if classifies is None:
                    classifies = _is_class_target(targets)
                try:
                    part = native.train_epoch(
                        inputs, targets, batch_size, bool(shuffle), hook, min(progress_every, inputs.shape[0] + 1)
                    )
                except ValueError as error:
                    raise _named_for_python(error, _WHERE) from None
                loss_sum += part[0]
                correct += part[1]
                samples += part[2]
                if part[3]:
                    stopped = True
                    break
            if carried is not None and not stopped:
                inputs, targets = carried
                try:
                    part = native.train_epoch(inputs, targets, batch_size, bool(shuffle), None, 0)
                except ValueError as error:
                    raise _named_for_python(error, _WHERE) from None
                if classifies is None:
                    classifies = _is_class_target(targets)
                loss_sum += part[0]
                correct += part[1]
                samples += part[2]
        finally:
            prefetcher.close()
        if samples == 0 and not stopped:
            raise ValueError(f"[{_WHERE}] the batch source yielded no samples in epoch {epoch + 1}")
        history.epoch_seconds.append(time.perf_counter() - started)
        history.samples.append(int(samples))
        history.loss.append(loss_sum / samples if samples else float("nan"))
        history.accuracy.append(correct / samples if classifies and samples else None)
        if validation is not None:
            history.val_loss.append(float(native.loss_value(*validation)))
            history.val_accuracy.append(_accuracy(native.predict(validation[0]), validation[1]))
        if stopped:
            history.stopped = True
            break
        if on_epoch is not None and on_epoch(epoch, history) is False:
            history.stopped = True
            break
        if not callbacks.epoch_end(epoch, network, history):
            history.stopped = True
            break
    callbacks.train_end(network, history)
    return history
