"""The Python face of the core: Dense layers and the Network that trains them.

All maths runs in the C++ core (``akili._core``); this module checks and
converts arguments and keeps the results in NumPy arrays.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _core, optimizers
from ._curve import EpochCurve, epoch_hook
from ._divergence import EpochChecks
from ._history import History
from ._progress import EpochProgress
from ._progress import progress_every as progress_every_default
from ._streaming import fit_batches, is_batch_source
from ._trace import Trace
from ._validation import (
    as_matrix,
    as_sample_weight,
    as_targets,
    check_dtype,
    check_learning_rate,
    check_positive_int,
)

# The names the core accepts, read from its tables (akili._core), never repeated here.
ACTIVATIONS: tuple[str, ...] = _core.ACTIVATIONS
LOSSES: tuple[str, ...] = _core.LOSSES
RULES: tuple[str, ...] = _core.RULES
INITS: tuple[str, ...] = _core.INITS

ProgressCallback = Callable[[int, int], Any]
EpochCallback = Callable[[int, History], Any]


def _check_name(value: Any, choices: Sequence[str], what: str, where: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"[{where}] unknown {what} {value!r}; expected one of {', '.join(choices)}")
    return value


class Dense:
    """A fully-connected layer: O = f(W·I + b), weights W of shape (outputs, inputs).

    Parameters
    ----------
    inputs, outputs : number of nodes feeding the layer and in the layer.
    activation : "sigmoid" 1/(1+e^-x), "tanh", "relu" max(0, x), "softmax"
        e^x_i / Σ_j e^x_j, or "identity".
    bias : whether the layer adds a trained bias b (the book's network has none).

    Once part of a Network, ``weights``, ``bias``, ``frozen`` and
    ``trainable_mask`` read and write that network's live values. Reading returns
    a read-only copy: assign a whole array to change them.
    """

    def __init__(self, inputs: int, outputs: int, *, activation: str = "sigmoid", bias: bool = False) -> None:
        self._inputs = check_positive_int(inputs, "inputs", "Dense")
        self._outputs = check_positive_int(outputs, "outputs", "Dense")
        if max(self._inputs, self._outputs) >= 2**62:  # the core's sizes are signed 64-bit
            raise ValueError(f"[Dense] expected sizes below 2**62, got inputs={inputs}, outputs={outputs}")
        self._activation = _check_name(activation, ACTIVATIONS, "activation", "Dense")
        if not isinstance(bias, (bool, np.bool_)):
            raise TypeError(f"[Dense] expected bias as True or False, got {bias!r}")
        self._has_bias = bool(bias)
        self._network: Network | None = None
        self._index = -1

    inputs = property(lambda self: self._inputs, doc="Number of inputs.")
    outputs = property(lambda self: self._outputs, doc="Number of nodes.")
    activation = property(lambda self: self._activation, doc="Activation name.")
    has_bias = property(lambda self: self._has_bias, doc="Whether the layer has a bias.")

    def _attach(self, network: Network, index: int) -> None:
        if self._network is not None:
            raise ValueError("[Network] this Dense layer already belongs to another network; create a new Dense")
        self._network, self._index = network, index

    def _native(self) -> Any:
        if self._network is None:
            raise RuntimeError("this Dense layer is not part of a Network yet: its weights do not exist")
        return self._network._native

    @staticmethod
    def _read_only(array: np.ndarray) -> np.ndarray:
        array = np.asarray(array)
        array.flags.writeable = False
        return array

    @property
    def weights(self) -> np.ndarray:
        """W, shape (outputs, inputs): W[i, j] links input j to node i."""
        return self._read_only(self._native().weights(self._index))

    @weights.setter
    def weights(self, values: Any) -> None:
        network = self._network
        self._native()
        matrix, _ = as_matrix(values, dtype=network.dtype, columns=self._inputs, name="weights", where="Dense.weights")
        if matrix.shape != (self._outputs, self._inputs):
            raise ValueError(
                f"[Dense.weights] expected shape {(self._outputs, self._inputs)} (outputs, inputs), got {matrix.shape}"
            )
        network._native.set_weights(self._index, matrix)

    @property
    def bias(self) -> np.ndarray | None:
        """b, shape (outputs,), or None for a layer without bias."""
        if not self._has_bias:
            return None
        return self._read_only(self._native().bias(self._index))

    @bias.setter
    def bias(self, values: Any) -> None:
        if not self._has_bias:
            raise ValueError("[Dense.bias] this layer was built with bias=False")
        network = self._network
        self._native()
        vector, _ = as_matrix(
            np.asarray(values).reshape(1, -1) if np.ndim(values) == 1 else values,
            dtype=network.dtype,
            columns=self._outputs,
            name="bias",
            where="Dense.bias",
        )
        if vector.shape[0] != 1:
            raise ValueError(
                f"[Dense.bias] expected a 1-D bias of length {self._outputs}, got shape {np.shape(values)}"
            )
        network._native.set_bias(self._index, vector[0])

    @property
    def frozen(self) -> bool:
        """A frozen layer passes errors back but never changes."""
        return bool(self._native().layer_info(self._index)[4])

    @frozen.setter
    def frozen(self, value: bool) -> None:
        self._native().set_frozen(self._index, bool(value))

    @property
    def dropout(self) -> float:
        """The dropout rate on this layer's outputs while training (0: none); set by a
        ``Dropout`` after the layer in the list given to ``Network`` (akili._dropout)."""
        return float(self._native().dropout(self._index)) if self._network is not None else 0.0

    @property
    def trainable_mask(self) -> np.ndarray | None:
        """1 where a weight trains, 0 where it is frozen (Grokking ch. 5); None: all train."""
        mask = self._native().trainable_mask(self._index)
        return None if mask.size == 0 else self._read_only(mask)

    @trainable_mask.setter
    def trainable_mask(self, values: Any) -> None:
        network = self._network
        native = self._native()
        if values is None:
            native.set_trainable_mask(self._index, np.zeros((0, 0), dtype=network.dtype))
            return
        mask, _ = as_matrix(
            values, dtype=network.dtype, columns=self._inputs, name="mask", where="Dense.trainable_mask"
        )
        native.set_trainable_mask(self._index, mask)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickle / copy.deepcopy: through the network's model-file bytes (akili._pickling).
        from ._pickling import reduce_dense

        return reduce_dense(self)

    def __repr__(self) -> str:
        text = f"Dense({self._inputs}, {self._outputs}, activation={self._activation!r}"
        return text + (", bias=True)" if self._has_bias else ")")


def _named_for_python(error: ValueError, where: str) -> ValueError:
    """The core's refusal of a NaN or infinity (``_core.NonFiniteDataError``, which
    carries ``data`` and ``row``) reported under the Python call's name:
    "[Network.fit] inputs contain NaN or infinity (row 12)". Any other error is
    returned unchanged."""
    if not isinstance(error, _core.NonFiniteDataError):
        return error
    return ValueError(f"[{where}] {error.data} contain NaN or infinity (row {error.row})")


class Network:
    """A feed-forward network trained by stochastic gradient descent.

    Parameters
    ----------
    layers : Dense layers, first to last; sizes must chain.
    loss : "squared_error" ½Σ(t-o)² per sample (the book's; E = T - O),
        "mse" 1/k Σ(t-o)² (averaged over samples too), or "cross_entropy"
        (-Σ t log o after softmax; binary after sigmoid).
    learning_rate : the step size lr in W += lr·ΔW.
    rule : how errors reach hidden layers: "transpose" (the book: E_h = Wᵀ·E),
        "gradient" (back-propagation: δ_h = (Wᵀ·δ) ∘ f'), or "normalized"
        (each error split in proportion to w/Σ|w|).
    dtype : "float64" (default, matches NumPy to rounding) or "float32" (faster).
    init : initial weights ~ N(0, σ²) with σ = n_in^-½ ("book"),
        √(2/(n_in+n_out)) ("xavier") or √(2/n_in) ("he").
    seed : seeds the weights and the shuffling; the same seed gives bit-identical
        training on the same machine.
    optimizer : how each step's gradient changes the weights: a name of
        ``akili.optimizers.OPTIMIZERS`` ("sgd", "adagrad", "rmsprop", "adam",
        "adamw", "rprop", with torch.optim's defaults) or an object such as
        ``akili.optimizers.Adam(beta_2=0.99)``. The default, plain SGD, is the
        book's W += lr·ΔW; the others are documented in ``akili.optimizers``.
        ``learning_rate`` is their lr.

    Arrays passed in are used without copying when they are C-contiguous and of
    the network's dtype; anything else is converted (copied) first. Samples are rows.
    """

    def __init__(
        self,
        layers: Sequence[Dense],
        *,
        loss: str = "squared_error",
        learning_rate: float = 0.1,
        rule: str = "transpose",
        dtype: Any = "float64",
        init: str = "book",
        seed: int = 0,
        optimizer: str | optimizers.Optimizer = "sgd",
    ) -> None:
        from ._dropout import Dropout

        entries = list(layers)
        layers = []
        dropouts: dict[int, float] = {}  # Dense index -> the rate of the Dropout after it
        for position, layer in enumerate(entries):
            if isinstance(layer, Dropout):
                if not layers:
                    raise ValueError(
                        "[Network] a Dropout must follow a Dense layer (it drops that layer's outputs); "
                        "got one at position 0, on the inputs"
                    )
                if len(layers) - 1 in dropouts:
                    raise ValueError(f"[Network] two Dropout entries in a row at position {position}")
                dropouts[len(layers) - 1] = layer.rate
            elif isinstance(layer, Dense):
                layers.append(layer)
            else:
                raise TypeError(
                    f"[Network] expected Dense layers (and Dropout), got {type(layer).__name__} at position {position}"
                )
        if not layers:
            raise ValueError("[Network] expected at least one Dense layer, got none")
        if len(layers) - 1 in dropouts:
            raise ValueError(
                "[Network] a Dropout cannot follow the output layer: its outputs are the prediction "
                "(put it after a hidden layer)"
            )
        _check_name(loss, LOSSES, "loss", "Network")
        _check_name(rule, RULES, "rule", "Network")
        _check_name(init, INITS, "init", "Network")
        chosen = optimizers.get(optimizer, "Network")
        self._dtype = check_dtype(dtype)
        self._seed = check_positive_int(seed, "seed", "Network", minimum=0)
        if self._seed >= 2**64:
            raise ValueError(f"[Network] expected seed < 2**64 (an unsigned 64-bit integer), got {seed}")
        self._init = init
        native_type = _core.Network32 if self._dtype == np.float32 else _core.Network64
        specs = [(layer.inputs, layer.outputs, layer.activation, layer.has_bias) for layer in layers]
        try:
            self._native = native_type(
                specs, loss, rule, check_learning_rate(learning_rate, "Network"), init, self._seed
            )
        except MemoryError as error:
            values = sum(spec[0] * spec[1] for spec in specs)
            raise MemoryError(
                f"[Network] cannot allocate the weights: {values} values of {self._dtype.itemsize} bytes each"
            ) from error
        if chosen != optimizers.SGD():
            self._native.set_optimizer(chosen.name, chosen.settings)
        for index, rate in dropouts.items():
            self._native.set_dropout(index, rate)
        for index, layer in enumerate(layers):
            layer._attach(self, index)
        self._layers = tuple(layers)

    # -- description -------------------------------------------------------
    @property
    def layers(self) -> tuple[Dense, ...]:
        """The layers, first to last."""
        return self._layers

    @property
    def dtype(self) -> np.dtype:
        """float32 or float64: the type of every weight and computation."""
        return self._dtype

    @property
    def loss(self) -> str:
        """The loss name."""
        return self._native.loss

    @property
    def rule(self) -> str:
        """The error-propagation rule; assign another name to switch rules."""
        return self._native.rule

    @rule.setter
    def rule(self, value: str) -> None:
        self._native.rule = _check_name(value, RULES, "rule", "Network.rule")

    @property
    def learning_rate(self) -> float:
        """The learning rate lr."""
        return float(self._native.learning_rate)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._native.learning_rate = check_learning_rate(value, "Network.learning_rate")

    @property
    def optimizer(self) -> optimizers.Optimizer:
        """The optimizer (``akili.optimizers``); assign a name or an object to select
        another, with fresh state."""
        return optimizers._from_native(*self._native.optimizer)

    @optimizer.setter
    def optimizer(self, value: str | optimizers.Optimizer) -> None:
        chosen = optimizers.get(value, "Network.optimizer")
        self._native.set_optimizer(chosen.name, chosen.settings)

    @property
    def seed(self) -> int:
        """The seed the weights were drawn with."""
        return self._seed

    @property
    def n_inputs(self) -> int:
        """Number of input values per sample."""
        return self._layers[0].inputs

    @property
    def n_outputs(self) -> int:
        """Number of output values per sample."""
        return self._layers[-1].outputs

    def __repr__(self) -> str:
        # A Dropout shows where it was given: after the layer whose outputs it drops.
        layers = ", ".join(
            repr(layer) + (f", Dropout({layer.dropout:g})" if layer.dropout else "") for layer in self._layers
        )
        optimizer = self.optimizer
        shown = "" if optimizer == optimizers.SGD() else f", optimizer={optimizer!r}"
        return (
            f"Network([{layers}], loss={self.loss!r}, learning_rate={self.learning_rate:g}, "
            f"rule={self.rule!r}, dtype={self._dtype.name!r}, seed={self._seed}{shown})"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view: layers, shapes, activations, settings, parameters (and small weights)."""
        from ._html import network_html

        return network_html(self)

    # -- running -----------------------------------------------------------
    def _inputs(self, values: Any, where: str) -> tuple[np.ndarray, bool]:
        return as_matrix(values, dtype=self._dtype, columns=self.n_inputs, name="inputs", where=where)

    def predict(self, inputs: Any) -> np.ndarray:
        """Outputs for inputs of shape (n, inputs) -> (n, outputs); a 1-D sample gives 1-D outputs."""
        # One example as a 1-D float array (the book's query loop): straight to the
        # core, which checks it; anything else, or a refusal, takes the checked path.
        try:
            outputs = self._native.predict_example(inputs)
        except ValueError:
            outputs = None
        if outputs is not None:
            return outputs
        return self._predict_checked(inputs)

    def _predict_checked(self, inputs: Any, where: str = "Network.predict") -> np.ndarray:
        matrix, was_1d = as_matrix(
            inputs, dtype=self._dtype, columns=self.n_inputs, name="inputs", where=where, core_checks_finite=True
        )
        try:
            outputs = self._native.predict(matrix)
        except ValueError as error:
            raise _named_for_python(error, where) from None
        return outputs[0] if was_1d else outputs

    def forward(self, inputs: Any, *, trace: bool = False) -> np.ndarray | Trace:
        """The forward pass; with ``trace=True`` a Trace of every layer's I, X = W·I and O."""
        if not trace:
            return self.predict(inputs)
        matrix, was_1d = self._inputs(inputs, "Network.forward")
        return Trace.from_native(self._native.forward_trace(matrix), squeeze=was_1d)

    def backquery(self, targets: Any) -> np.ndarray:
        """Run the network backwards, as the book does: for each layer from the output,
        X = f⁻¹(O) (sigmoid: X = ln(O / (1 - O))), I = Wᵀ·X, then I is rescaled to
        0.01..0.99 and becomes the O of the layer below.

        ``targets`` of shape (n, outputs) give (n, inputs); a 1-D target gives a 1-D
        input-space image. Targets must lie inside the output activation's range
        (sigmoid: 0 < t < 1, e.g. the book's 0.01 / 0.99); relu layers cannot be
        inverted (ValueError).
        """
        matrix, was_1d = as_matrix(
            targets, dtype=self._dtype, columns=self.n_outputs, name="targets", where="Network.backquery"
        )
        images = _core.backquery(self._native, matrix)
        return images[0] if was_1d else images

    def loss_value(self, inputs: Any, targets: Any) -> float:
        """Mean per-sample loss on (inputs, targets)."""
        matrix, _ = self._inputs(inputs, "Network.loss_value")
        target_matrix = as_targets(
            targets, dtype=self._dtype, columns=self.n_outputs, samples=matrix.shape[0], where="Network.loss_value"
        )
        return float(self._native.loss_value(matrix, target_matrix))

    def evaluate(self, inputs: Any, targets: Any) -> dict[str, float | None]:
        """``{"loss": mean loss, "accuracy": share classified correctly or None}``."""
        matrix, _ = self._inputs(inputs, "Network.evaluate")
        target_matrix = as_targets(
            targets, dtype=self._dtype, columns=self.n_outputs, samples=matrix.shape[0], where="Network.evaluate"
        )
        outputs = self._native.predict(matrix)
        return {
            "loss": float(self._native.loss_value(matrix, target_matrix)),
            "accuracy": _accuracy(outputs, target_matrix),
        }

    # -- training ----------------------------------------------------------
    def step(self, inputs: Any, targets: Any, *, trace: bool = False) -> float | Trace:
        """One SGD step on one sample (1-D) or a batch (2-D, update averaged over it).

        Returns the loss before the update, or with ``trace=True`` a Trace of every
        array the step computed. Tracing never changes the resulting weights.

        One sample is one exact online step whose loss is returned at once (steps
        queued by ``NeuralNetwork.train`` are applied first). Where ``fit``'s online
        epochs take blocks (plain SGD without dropout, a first layer of at least
        32,768 weights, no mask), the first layer's update is deferred and applied a block at a time,
        before anything reads or changes the network: the weights are those of
        immediate steps (float64 to ~1e-15). A step that makes the loss or a weight
        non-finite raises DivergenceError, from the step itself or, for a first-layer
        weight of a deferred update, from the next call that reads the network; the
        weights are those from before that step.
        """
        if not trace:
            # One sample as 1-D float arrays: straight to the core, which checks it.
            try:
                loss = self._native.step_example(inputs, targets)
            except ValueError:
                loss = None  # refused: the checked path below says why, under this call's name
            if loss is not None:
                return loss
        matrix, was_1d = self._inputs(inputs, "Network.step")
        target_matrix = as_targets(
            np.asarray(targets).reshape(1, -1) if was_1d and np.ndim(targets) == 1 else targets,
            dtype=self._dtype,
            columns=self.n_outputs,
            samples=matrix.shape[0],
            where="Network.step",
        )
        loss, record = self._native.train_step(matrix, target_matrix, bool(trace))
        if trace:
            return Trace.from_native(record, squeeze=was_1d, loss=loss / matrix.shape[0])
        return float(loss) / matrix.shape[0]

    def fit(
        self,
        inputs: Any,
        targets: Any = None,
        *,
        epochs: int = 1,
        batch_size: int = 1,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        on_epoch: EpochCallback | None = None,
        on_progress: ProgressCallback | None = None,
        progress_every: int = 0,
        log_every: int | None = None,
        progress: bool = False,
        optimizer: str | optimizers.Optimizer | None = None,
        callbacks: Sequence[Any] | None = None,
        sample_weight: Any = None,
        l2: float = 0.0,
    ) -> History:
        """Train for ``epochs`` passes over (inputs, targets); returns a History.

        ``batch_size=1`` is the book's online training (one update per sample);
        larger batches average the update over the batch. ``shuffle`` draws a
        new sample order each epoch from the network's seeded random source
        (an index is shuffled, never the data).

        ``on_epoch(epoch, history)`` runs after each epoch; ``on_progress(samples_done,
        epoch)`` runs from inside the native loop every ``progress_every`` samples
        (and at least every few milliseconds). Either returning False stops
        training; an exception raised in either propagates out of ``fit``. Ctrl-C
        raises KeyboardInterrupt within milliseconds, leaving the weights of the
        last completed step.

        Data beyond memory: ``inputs`` may instead be an iterable of ``(inputs,
        targets)`` batches, or a callable returning a fresh one per epoch (then
        ``targets`` is omitted), e.g. ``akili.datasets.iter_csv``; the rules are in
        ``akili._streaming``. ``numpy.memmap`` and ``np.load(mmap_mode="r")`` arrays
        of the network's dtype are trained on in place, without a copy.

        ``log_every=N`` records the learning curve inside each epoch in the
        History (``curve_loss``, ``curve_accuracy``: the mean over each N samples
        trained); by default about 50 evenly spaced points per epoch (fewer when
        there are more than 20 epochs, about 1000 in all; none beyond 500 epochs),
        so that even one epoch draws a curve; 0 records none. ``progress=True``
        shows a progress bar per epoch (tqdm.auto: a widget in Jupyter, text in
        a terminal).

        ``optimizer`` (a name or an ``akili.optimizers`` object) selects the
        network's optimizer first, as assigning ``Network.optimizer`` does: with
        fresh state when it differs from the current one, keeping the state (so
        a second ``fit`` continues the first) when it is the same.

        ``callbacks``: a list of ``akili.callbacks`` objects (EarlyStopping,
        ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler, or any object
        with their hooks), called around each epoch after ``on_epoch``.

        ``sample_weight``: one non-negative weight per sample. Each batch's update
        is then the weighted mean of its samples' updates, ΔW = lr·Σ w_i·ΔW_i / Σ w_i
        (scikit-learn's MLP rule), and the loss the weighted mean; with one batch
        per epoch integer weights equal repeated rows and zero weights removed
        rows, while with ``batch_size=1`` a weight only decides whether a sample
        trains. Weighted epochs take the core's reference path (slower than the
        fused plain-SGD paths).

        ``optimizer="lbfgs"``: full-batch L-BFGS through scipy.optimize for small
        data (``akili._lbfgs``): ``epochs`` is its iteration limit, ``l2`` an L2
        penalty (λ/2)·Σ‖W‖² on the weights; it needs ``rule="gradient"`` and takes
        ``sample_weight`` and ``on_epoch`` (called per iteration) but not batches,
        shuffling, validation data, progress or callbacks.
        """
        from .callbacks import CallbackList

        if isinstance(optimizer, str) and optimizer == "lbfgs":
            return self._fit_lbfgs(
                inputs, targets, epochs, sample_weight, l2, on_epoch, callbacks, validation_data, progress
            )
        if l2:
            raise ValueError(
                f'[Network.fit] l2 is the L-BFGS penalty (optimizer="lbfgs"); for other optimizers use their '
                f"weight_decay, got l2={l2!r} with optimizer={optimizer!r}"
            )
        hooks = CallbackList(callbacks, "Network.fit")
        if optimizer is not None:
            chosen = optimizers.get(optimizer, "Network.fit")
            if chosen != self.optimizer:
                self._native.set_optimizer(chosen.name, chosen.settings)
        if targets is None and is_batch_source(inputs):
            if sample_weight is not None:
                raise ValueError(
                    "[Network.fit] sample_weight goes with an inputs array; a batch source cannot take it "
                    "(weight its batches' samples by repeating them, or train on arrays)"
                )
            return fit_batches(
                self,
                inputs,
                epochs=epochs,
                batch_size=batch_size,
                shuffle=shuffle,
                validation_data=validation_data,
                on_epoch=on_epoch,
                on_progress=on_progress,
                progress_every=progress_every,
                callbacks=hooks,
            )
        if targets is None:
            raise TypeError(
                "[Network.fit] expected targets with the inputs array (or, instead of both, an iterable "
                "of (inputs, targets) batches)"
            )
        epochs = check_positive_int(epochs, "epochs", "Network.fit")
        batch_size = check_positive_int(batch_size, "batch_size", "Network.fit")
        progress_every = check_positive_int(progress_every, "progress_every", "Network.fit", minimum=0)
        if log_every is not None:
            log_every = check_positive_int(log_every, "log_every", "Network.fit", minimum=0)
        # The core checks every input row for NaN and infinity as an epoch first uses
        # it, and refuses with the model unchanged: no boolean copy of the data here.
        matrix, _ = as_matrix(
            inputs,
            dtype=self._dtype,
            columns=self.n_inputs,
            name="inputs",
            where="Network.fit",
            core_checks_finite=True,
        )
        if np.ndim(inputs) != 2:
            raise ValueError(
                f"[Network.fit] expected inputs as a 2-D array (samples, {self.n_inputs}), got shape {np.shape(inputs)}"
            )
        target_matrix = as_targets(
            targets, dtype=self._dtype, columns=self.n_outputs, samples=matrix.shape[0], where="Network.fit"
        )
        weights = as_sample_weight(sample_weight, dtype=self._dtype, samples=matrix.shape[0], where="Network.fit")
        # Counts beyond the data change nothing; capping them keeps any int valid for the core's size_t.
        batch_size = min(batch_size, matrix.shape[0])
        progress_every = min(progress_every, matrix.shape[0] + 1)
        if log_every is not None:
            log_every = min(log_every, matrix.shape[0])
        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("[Network.fit] expected validation_data as a pair (inputs, targets)")
            val_inputs, _ = as_matrix(
                validation_data[0],
                dtype=self._dtype,
                columns=self.n_inputs,
                name="validation inputs",
                where="Network.fit",
            )
            val_targets = as_targets(
                validation_data[1],
                dtype=self._dtype,
                columns=self.n_outputs,
                samples=val_inputs.shape[0],
                where="Network.fit",
            )
            validation = (val_inputs, val_targets)
        classifies = _is_class_target(target_matrix)
        try:
            checks = EpochChecks(self, matrix, target_matrix)  # blow-ups that stay finite (akili._divergence)
        except ValueError as error:
            raise _named_for_python(error, "Network.fit") from None

        history = History()
        curve = EpochCurve(history, samples=matrix.shape[0], every=log_every, epochs=epochs, classifies=classifies)
        if progress:
            bar = EpochProgress(matrix.shape[0], epochs, lines=False)
            on_progress = bar.progress_hook(on_progress)
            progress_every = progress_every or progress_every_default(matrix.shape[0])
        hook_every = min((every for every in (progress_every, curve.spacing) if every), default=0)
        hooks.train_begin(self, history)
        for epoch in range(epochs):
            hooks.epoch_begin(epoch, self)
            checks.start_epoch()
            curve.start_epoch(epoch)
            hook = epoch_hook(epoch, curve, on_progress, progress_every)
            started = time.perf_counter()
            try:
                loss_sum, correct, samples, stopped, weight_sum = self._native.train_epoch(
                    matrix, target_matrix, batch_size, bool(shuffle), hook, hook_every, weights
                )
            except ValueError as error:
                raise _named_for_python(error, "Network.fit") from None
            finally:
                if progress:
                    bar.close()
            curve.end_epoch(samples, loss_sum, correct)
            history.epoch_seconds.append(time.perf_counter() - started)
            history.samples.append(int(samples))
            history.loss.append(loss_sum / weight_sum if weight_sum else float("nan"))
            history.accuracy.append(correct / samples if classifies and samples else None)
            checks.end_epoch(epoch, history.loss[-1], "Network.fit")
            if validation is not None:
                val_outputs = self._native.predict(validation[0])
                history.val_loss.append(float(self._native.loss_value(*validation)))
                history.val_accuracy.append(_accuracy(val_outputs, validation[1]))
            if stopped:
                history.stopped = True
                break
            if on_epoch is not None and on_epoch(epoch, history) is False:
                history.stopped = True
                break
            if not hooks.epoch_end(epoch, self, history):
                history.stopped = True
                break
        hooks.train_end(self, history)
        return history

    def _fit_lbfgs(
        self,
        inputs: Any,
        targets: Any,
        epochs: int,
        sample_weight: Any,
        l2: float,
        on_epoch: EpochCallback | None,
        callbacks: Sequence[Any] | None,
        validation_data: Any,
        progress: bool,
        *,
        tol: float = 1e-4,
        max_fun: int = 15000,
        where: str = "Network.fit",
        warning: type[Warning] = RuntimeWarning,
    ) -> History:
        """fit(optimizer="lbfgs"): the arrays checked as fit checks them, then akili._lbfgs
        (the estimators pass scikit-learn's tol and max_fun)."""
        from ._lbfgs import fit_lbfgs

        for name, value in (("callbacks", callbacks), ("validation_data", validation_data)):
            if value:
                raise ValueError(
                    f'[{where}] optimizer="lbfgs" trains on the whole data set at once: {name} is not taken'
                )
        if progress:
            raise ValueError(f'[{where}] optimizer="lbfgs" has no progress bar; use on_epoch, called per iteration')
        if targets is None:
            raise TypeError(f'[{where}] optimizer="lbfgs" expects an inputs array and its targets')
        epochs = check_positive_int(epochs, "epochs", where)
        matrix, _ = as_matrix(inputs, dtype=self._dtype, columns=self.n_inputs, name="inputs", where=where)
        if np.ndim(inputs) != 2:
            raise ValueError(
                f"[{where}] expected inputs as a 2-D array (samples, {self.n_inputs}), got shape {np.shape(inputs)}"
            )
        target_matrix = as_targets(
            targets, dtype=self._dtype, columns=self.n_outputs, samples=matrix.shape[0], where=where
        )
        weights = as_sample_weight(sample_weight, dtype=self._dtype, samples=matrix.shape[0], where=where)
        return fit_lbfgs(
            self,
            matrix,
            target_matrix,
            max_iter=epochs,
            tol=tol,
            max_fun=max_fun,
            l2=l2,
            sample_weight=weights,
            on_epoch=on_epoch,
            where=where,
            warning=warning,
        )

    # -- copies --------------------------------------------------------------
    def _parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of every layer's (weights, bias): what early stopping and the
        divergence check keep, and put back with ``_restore_parameters``."""
        native = self._native
        return [(native.weights(k), native.bias(k)) for k in range(native.layer_count)]

    def _restore_parameters(self, parameters: list[tuple[np.ndarray, np.ndarray]]) -> None:
        native = self._native
        for k, (weights, bias) in enumerate(parameters):
            native.set_weights(k, weights)
            if native.layer_info(k)[3]:  # the layer has a bias
                native.set_bias(k, bias)

    # -- copies --------------------------------------------------------------
    def copy(self) -> Network:
        """An independent copy with the same layers, weights, settings and random state."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._native = self._native.copy()
        clone._layers = tuple(
            Dense(l.inputs, l.outputs, activation=l.activation, bias=l.has_bias) for l in self._layers
        )
        for index, layer in enumerate(clone._layers):
            layer._attach(clone, index)
        return clone

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """pickle, copy.deepcopy, joblib and Dask store the model file's bytes and the
        random source's state; loading runs akili's checked decoder only (akili._pickling)."""
        from ._pickling import reduce_network

        return reduce_network(self)

    # -- model file ------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model file crash-safely; ``akili.load`` or C++ ``akili::load`` reads it back."""
        from ._model_file import save

        save(self, path)

    def to_bytes(self) -> bytes:
        """The model file's content, as ``save`` writes it; ``akili.loads`` reads it back."""
        from ._model_file import to_bytes

        return to_bytes(self)

    @classmethod
    def _from_native(cls, native: Any, *, dtype: Any, seed: int, init: str) -> Network:
        """Adopt a native network (e.g. one loaded from a model file), rebuilding its Dense views."""
        network = object.__new__(cls)
        network._dtype = check_dtype(dtype)
        network._seed = seed
        network._init = init
        network._native = native
        layers = []
        for index in range(native.layer_count):
            inputs, outputs, activation, bias, _frozen = native.layer_info(index)
            layers.append(Dense(inputs, outputs, activation=activation, bias=bias))
            layers[-1]._attach(network, index)
        network._layers = tuple(layers)
        return network


def _is_class_target(targets: np.ndarray) -> bool:
    """Targets look like classes: several outputs, or one output within [0, 1]."""
    return targets.shape[1] > 1 or bool(((targets >= 0) & (targets <= 1)).all())


def _accuracy(outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """Share of rows whose predicted class matches the target's (None for non-class targets)."""
    if not _is_class_target(targets):
        return None
    # The core's rule (akili/classes.hpp), applied to outputs and targets alike.
    return float(np.mean(_core.predicted_classes(outputs) == _core.predicted_classes(targets)))
