"""scikit-learn estimators on akili's core: AkiliClassifier and AkiliRegressor.

Both build an ``akili.Network`` of Dense layers (with bias) and train it with the
network's own loop and optimizer (``akili.optimizers``), so every number comes from
the C++ core; this module only validates data the scikit-learn way, encodes labels
and decides when to stop. The parameters carry scikit-learn's MLPClassifier and
MLPRegressor names and defaults where the meaning matches (``solver="adam"``,
``alpha``, ``learning_rate_init``, ``momentum``, ``beta_1``, ...), so swapping
one for the other is a one-word change.
They pass scikit-learn's estimator checks and work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score`` (also under joblib's Dask backend).

Needs the ``sklearn`` extra (scikit-learn >= 1.6)::

    from akili.sklearn import AkiliClassifier
    clf = AkiliClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X, y)
    clf.predict_proba(X[:3])
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import optimizers
from ._history import History
from ._network import ACTIVATIONS, INITS, LOSSES, RULES, Dense, Network
from .callbacks import InverseScaling, LearningRateScheduler

__all__ = ["AkiliClassifier", "AkiliRegressor"]


def __dir__() -> list[str]:
    # dir() shows the API only, not the modules and helpers imported here.
    return sorted(__all__)


#: The learning-rate schedules, as scikit-learn names them.
LEARNING_RATES = ("constant", "invscaling", "adaptive")
#: adaptive: the rate is divided by this when the loss stalls, and training stops once it is below MIN_ADAPTIVE_RATE.
ADAPTIVE_DIVISOR = 5.0
MIN_ADAPTIVE_RATE = 1e-6

# Seeds handed to the core are drawn below this bound (any uint64 would do; this
# keeps them readable and valid for NumPy's legacy RandomState too).
_SEED_BOUND = 2**31 - 1


class _AkiliEstimator(BaseEstimator):
    """What the classifier and the regressor share: parameter checks, the network
    and the training loop. Subclasses define the parameters (scikit-learn reads
    them from each class's own __init__), the output layer and the targets."""

    hidden_layer_sizes: int | Sequence[int]
    activation: str
    rule: str
    loss: str
    solver: str
    alpha: float
    learning_rate: str
    learning_rate_init: float
    power_t: float
    momentum: float
    nesterovs_momentum: bool
    beta_1: float
    beta_2: float
    epsilon: float
    batch_size: int
    max_iter: int
    shuffle: bool
    random_state: int | np.random.RandomState | None
    tol: float
    n_iter_no_change: int
    early_stopping: bool
    validation_fraction: float
    init: str
    dtype: str
    verbose: bool

    _output_activation = "identity"
    _where = "AkiliEstimator"

    # -- parameters ----------------------------------------------------------
    def _keep_parameters(self, arguments: dict[str, Any]) -> None:
        """Store every __init__ argument unchanged under its own name: scikit-learn's
        rule is no logic in __init__ (each subclass still spells out its signature,
        which is where get_params and clone read the parameters from)."""
        for name, value in arguments.items():
            if name != "self":
                setattr(self, name, value)

    def _hidden_sizes(self) -> list[int]:
        sizes: Any = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        try:
            sizes = list(sizes)
        except TypeError:
            raise ValueError(
                f"[{self._where}] expected hidden_layer_sizes as an int or a sequence of ints, "
                f"got {self.hidden_layer_sizes!r}"
            ) from None
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(
                    f"[{self._where}] expected hidden_layer_sizes of positive ints, got {self.hidden_layer_sizes!r}"
                )
        return [int(size) for size in sizes]

    def _check_params(self) -> None:
        # Checked at fit time, never in __init__ (scikit-learn's convention: set_params
        # and clone must accept anything).
        where = self._where
        choices: Sequence[str]
        value: Any
        for name, value, choices in (
            ("activation", self.activation, ACTIVATIONS),
            ("rule", self.rule, RULES),
            ("loss", self.loss, LOSSES),
            ("init", self.init, INITS),
        ):
            if value not in choices:
                raise ValueError(f"[{where}] unknown {name} {value!r}; expected one of {', '.join(choices)}")
        if self.dtype not in ("float32", "float64", np.float32, np.float64):
            raise ValueError(f"[{where}] expected dtype 'float32' or 'float64', got {self.dtype!r}")
        for name, value in (
            ("batch_size", self.batch_size),
            ("max_iter", self.max_iter),
            ("n_iter_no_change", self.n_iter_no_change),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"[{where}] expected {name} as an integer >= 1, got {value!r}")
        if not (
            isinstance(self.learning_rate_init, numbers.Real)
            and np.isfinite(self.learning_rate_init)
            and self.learning_rate_init > 0
        ):
            raise ValueError(
                f"[{where}] expected learning_rate_init as a positive finite number, got {self.learning_rate_init!r}"
            )
        if not isinstance(self.learning_rate, str) or self.learning_rate not in LEARNING_RATES:
            raise ValueError(
                f"[{where}] expected learning_rate as one of {', '.join(LEARNING_RATES)} (the step size is "
                f"learning_rate_init), got {self.learning_rate!r}"
            )
        if not (isinstance(self.power_t, numbers.Real) and np.isfinite(self.power_t) and self.power_t >= 0):
            raise ValueError(f"[{where}] expected power_t as a finite number >= 0, got {self.power_t!r}")
        self._optimizer()  # the solver and its settings, checked as akili.optimizers checks them
        if not (isinstance(self.tol, numbers.Real) and self.tol >= 0):
            raise ValueError(f"[{where}] expected tol as a number >= 0, got {self.tol!r}")
        if not (isinstance(self.max_fun, numbers.Integral) and self.max_fun >= 1):
            raise ValueError(f"[{where}] expected max_fun as an integer >= 1, got {self.max_fun!r}")
        if not (isinstance(self.validation_fraction, numbers.Real) and 0 < self.validation_fraction < 1):
            raise ValueError(f"[{where}] expected validation_fraction in (0, 1), got {self.validation_fraction!r}")

    def _optimizer(self) -> optimizers.Optimizer:
        """The akili optimizer for ``solver``; ``alpha`` becomes the coupled L2 term
        λ = alpha / batch_size (scikit-learn adds alpha·W/n to a batch's mean gradient)."""
        where = self._where
        solvers = (*optimizers.OPTIMIZERS, "lbfgs")
        if self.solver not in solvers:
            raise ValueError(f"[{where}] unknown solver {self.solver!r}; expected one of {', '.join(solvers)}")
        if not (isinstance(self.alpha, numbers.Real) and np.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"[{where}] expected alpha as a finite number >= 0, got {self.alpha!r}")
        if self.solver == "lbfgs":
            # Full batch through akili._lbfgs: the network's own optimizer is never used.
            return optimizers.SGD()
        decay = float(self.alpha) / self.batch_size if isinstance(self.batch_size, numbers.Integral) else 0.0
        try:
            if self.solver == "sgd":
                momentum = self.momentum
                nesterov = bool(self.nesterovs_momentum) and momentum > 0
                return optimizers.SGD(momentum=momentum, nesterov=nesterov, weight_decay=decay)
            if self.solver in ("adam", "adamw"):
                cls = optimizers.Adam if self.solver == "adam" else optimizers.AdamW
                return cls(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon, weight_decay=decay)
            if self.solver == "rmsprop":
                return optimizers.RMSprop(epsilon=self.epsilon, weight_decay=decay)
            if self.solver == "adagrad":
                return optimizers.Adagrad(weight_decay=decay)
            if self.alpha:
                raise ValueError(f"[{where}] solver='rprop' has no L2 penalty; expected alpha=0, got {self.alpha!r}")
            return optimizers.Rprop()
        except (TypeError, ValueError) as error:
            # The optimizer class's own name ("[Adam] ...") gives way to the estimator's.
            message = str(error)
            if message.startswith("["):
                message = message[message.index("] ") + 2 :]
            raise ValueError(f"[{where}] {message}") from None

    # -- subclass hooks ------------------------------------------------------
    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _targets(self, y: np.ndarray, first: bool, partial: bool, classes: Any) -> np.ndarray:
        raise NotImplementedError

    def _stratify(self, targets: np.ndarray) -> np.ndarray | None:
        return None

    # -- training ------------------------------------------------------------
    def _build_network(self, n_inputs: int, n_outputs: int, seed: int) -> Network:
        sizes = [n_inputs, *self._hidden_sizes(), n_outputs]
        activations = [self.activation] * (len(sizes) - 2) + [self._output_activation]
        layers = [
            Dense(n_in, n_out, activation=activation, bias=True)
            for n_in, n_out, activation in zip(sizes[:-1], sizes[1:], activations)
        ]
        return Network(
            layers,
            loss=self.loss,
            learning_rate=float(self.learning_rate_init),
            rule=self.rule,
            dtype=self.dtype,
            init=self.init,
            seed=seed,
            optimizer=self._optimizer(),
        )

    def _fit(
        self, X: Any, y: Any, *, incremental: bool, classes: Any = None, sample_weight: Any = None
    ) -> _AkiliEstimator:
        first = not (incremental and hasattr(self, "network_"))
        if first:
            self._check_params()
        if incremental and self.solver == "lbfgs":
            raise ValueError(
                f"[{self._where}.partial_fit] solver='lbfgs' trains on the whole data set at once; "
                "partial_fit needs a stochastic solver (sgd, adam, ...)"
            )
        X, y = self._validate(X, y, reset=first)
        targets = self._targets(y, first, incremental, classes)
        sample_weight = self._sample_weight(sample_weight, X, y)
        random = check_random_state(self.random_state)
        if first:
            self.network_ = self._build_network(X.shape[1], targets.shape[1], int(random.randint(_SEED_BOUND)))
            self.n_outputs_ = targets.shape[1]
            self.loss_curve_: list[float] = []
            self.validation_loss_curve_: list[float] = []
            self.best_loss_ = np.inf
            self.n_iter_ = 0
            self.t_ = 0
        if incremental:
            # partial_fit: one pass over the batch given, with the current settings.
            self.network_.learning_rate = float(self.learning_rate_init)
            history = self.network_.fit(
                X,
                targets,
                epochs=1,
                batch_size=int(self.batch_size),
                shuffle=bool(self.shuffle),
                sample_weight=sample_weight,
            )
            self._record(history)
            return self

        if self.solver == "lbfgs":
            return self._fit_lbfgs(X, targets, sample_weight)

        validation = None
        if self.early_stopping:
            try:
                split = train_test_split(
                    X,
                    targets,
                    *([] if sample_weight is None else [sample_weight]),
                    test_size=float(self.validation_fraction),
                    random_state=int(random.randint(_SEED_BOUND)),
                    stratify=self._stratify(targets),
                )
                X, X_val, targets, targets_val = split[:4]
                if sample_weight is not None:
                    sample_weight = split[4]  # the validation loss stays unweighted
            except ValueError as error:
                raise ValueError(
                    f"[{self._where}] early_stopping could not set aside a validation fraction of "
                    f"{self.validation_fraction} from {X.shape[0]} samples: {error}"
                ) from error
            validation = (X_val, targets_val)

        monitor = _Monitor(
            self.network_,
            float(self.tol),
            int(self.n_iter_no_change),
            validation is not None,
            bool(self.verbose),
            adaptive=self.learning_rate == "adaptive",
        )
        schedule = []
        if self.learning_rate == "invscaling":
            schedule.append(LearningRateScheduler(InverseScaling(float(self.learning_rate_init), power_t=self.power_t)))
        history = self.network_.fit(
            X,
            targets,
            epochs=int(self.max_iter),
            batch_size=int(self.batch_size),
            shuffle=bool(self.shuffle),
            validation_data=validation,
            on_epoch=monitor,
            callbacks=schedule,
            sample_weight=sample_weight,
        )
        self._record(history)
        self.best_loss_ = monitor.best
        if validation is not None:
            self.validation_loss_curve_ = [float(loss) for loss in history.val_loss]
            monitor.restore_best()
        return self

    def _sample_weight(self, sample_weight: Any, X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        """The weights fit trains with: sample_weight times class_weight's (classifier),
        checked as scikit-learn checks them; None when neither is given (the fast paths)."""
        class_weight = getattr(self, "class_weight", None)
        if sample_weight is None and class_weight is None:
            return None
        weights = (
            np.ones(X.shape[0])
            if sample_weight is None
            else _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        )
        if class_weight is not None:
            try:
                weights = weights * compute_sample_weight(class_weight, y)
            except ValueError as error:
                raise ValueError(f"[{self._where}] class_weight={class_weight!r}: {error}") from None
        if not weights.any():
            raise ValueError(f"[{self._where}] every sample weight is 0: nothing to train on")
        return weights

    def _fit_lbfgs(self, X: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None) -> _AkiliEstimator:
        """solver="lbfgs": full-batch L-BFGS (akili._lbfgs) with scikit-learn's penalty
        alpha/2·Σ‖W‖² / Σw (weights only), max_iter iterations, tol and max_fun."""
        weight_sum = float(X.shape[0] if sample_weight is None else np.sum(sample_weight))
        verbose = bool(self.verbose)

        def report(iteration: int, history: History) -> bool:
            if verbose:
                print(f"Iteration {iteration + 1}, loss = {history.loss[-1]:.8f}")
            return True

        history = self.network_._fit_lbfgs(
            X,
            targets,
            int(self.max_iter),
            sample_weight,
            float(self.alpha) / weight_sum,
            report,
            None,
            None,
            False,
            tol=float(self.tol),
            max_fun=int(self.max_fun),
            where=f"{self._where}.fit",
            warning=ConvergenceWarning,
        )
        self._record(history)
        return self

    def _record(self, history: History) -> None:
        self.loss_curve_.extend(float(loss) for loss in history.loss)
        self.n_iter_ += history.epochs
        self.t_ += int(sum(history.samples))
        if history.loss:
            self.best_loss_ = min(self.best_loss_, min(history.loss))

    def _outputs(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.network_.predict(X)

    # Pickling needs nothing here: network_ pickles itself through its model-file
    # bytes and random state (Network.__reduce__, akili._pickling), so frozen flags,
    # trainable masks, the init and the shuffling state survive, as for a plain network.


class AkiliClassifier(ClassifierMixin, _AkiliEstimator):
    """A multi-layer network classifier: hidden layers of ``activation`` nodes and a
    softmax output (one node per class) trained on cross-entropy by SGD in the core.

    Parameters
    ----------
    hidden_layer_sizes : nodes in each hidden layer, e.g. ``(100,)`` or ``(64, 32)``.
    activation : hidden activation: "relu", "sigmoid", "tanh" or "identity".
    rule : how errors reach hidden layers: "gradient" (back-propagation),
        "transpose" (the book's E_h = Wᵀ·E) or "normalized".
    loss : "cross_entropy" (default), "squared_error" or "mse" on one-hot targets.
    solver : the optimizer (``akili.optimizers``): "adam" (default, as in
        scikit-learn), "sgd", "adamw", "rmsprop", "adagrad" or "rprop"; or
        "lbfgs", full-batch L-BFGS through scipy (akili._lbfgs; rule "gradient"),
        for small data sets.
    alpha : L2 penalty, added to each batch's mean gradient as alpha·θ/batch_size
        (weights and biases); 0 for rprop. With "lbfgs", scikit-learn's
        alpha/2·Σ‖W‖² / n added to the loss (weights only).
    learning_rate : the schedule: "constant" (default) keeps learning_rate_init;
        "invscaling" uses learning_rate_init / (epoch + 1)^power_t (per epoch,
        where scikit-learn counts samples); "adaptive" divides the rate by 5 each
        time the loss stalls for n_iter_no_change epochs, and stops once it is
        below 1e-6. Unlike scikit-learn, every solver follows the schedule.
    learning_rate_init : the step size lr (default 0.001, scikit-learn's).
    power_t : the exponent of "invscaling".
    momentum, nesterovs_momentum : sgd's momentum μ and whether it is Nesterov's.
    beta_1, beta_2, epsilon : adam's (and adamw's) β₁, β₂, ε; epsilon also rmsprop's.
    batch_size : samples per update (the update is averaged over the batch).
    max_iter : the most epochs (passes over the data) ``fit`` trains; with
        "lbfgs", the most iterations.
    max_fun : "lbfgs" only: the most loss evaluations.
    class_weight : None, "balanced" or {label: weight}: each sample's weight is
        multiplied by its class's (scikit-learn's compute_sample_weight). With
        ``sample_weight`` in ``fit``, each batch's update is the weighted mean of
        its samples' (``Network.fit``); so that integer weights equal repeated
        samples, use a batch_size that holds the whole data set or "lbfgs".
    shuffle : shuffle the samples each epoch (from the network's seeded source).
    random_state : seeds the weights, the shuffles and the validation split; an int
        gives identical fits every time.
    tol, n_iter_no_change : stop once the loss (validation loss with early
        stopping) has not fallen by at least ``tol`` for ``n_iter_no_change`` epochs
        (with learning_rate="adaptive", divide the rate by 5 instead).
    early_stopping : hold out ``validation_fraction`` of the data (stratified),
        stop on its loss and keep the weights of its best epoch.
    init : initial weights: "xavier", "he" or "book" (N(0, n_in^-½)).
    dtype : "float64" or "float32" for the network's weights and arithmetic.
    verbose : print the loss after each epoch.

    Attributes
    ----------
    classes_ : the class labels (any sortable labels, strings included).
    network_ : the trained ``akili.Network`` (export it with ``akili.onnx.export``).
    n_features_in_, feature_names_in_ : as in scikit-learn.
    n_outputs_ : output nodes (one per class).
    loss_curve_ : the mean training loss of each epoch; ``validation_loss_curve_``
        the validation loss with early stopping.
    n_iter_ : epochs trained; ``t_`` samples trained; ``best_loss_`` the lowest
        training loss seen (validation loss with early stopping).
    """

    _output_activation = "softmax"
    _where = "AkiliClassifier"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        *,
        activation: str = "relu",
        rule: str = "gradient",
        loss: str = "cross_entropy",
        solver: str = "adam",
        alpha: float = 1e-4,
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        batch_size: int = 32,
        max_iter: int = 200,
        max_fun: int = 15000,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        init: str = "xavier",
        dtype: str = "float64",
        verbose: bool = False,
        class_weight: dict[Any, float] | str | None = None,
    ) -> None:
        self._keep_parameters(locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> AkiliClassifier:
        """Train a new network on samples X (n, features) and labels y (n,), each
        sample weighted by ``sample_weight`` (times ``class_weight``'s weight) if given."""
        self._fit(X, y, incremental=False, sample_weight=sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> AkiliClassifier:
        """One epoch on (X, y), continuing from the current weights (online learning).

        ``classes`` (every label that will ever appear) is required on the first call.
        """
        self._fit(X, y, incremental=True, classes=classes, sample_weight=sample_weight)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, n_classes), columns in the order of ``classes_``."""
        return self._outputs(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample, shape (n,)."""
        probabilities = self._outputs(X)  # checks fitted first
        return self.classes_[np.argmax(probabilities, axis=1)]

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32))
        check_classification_targets(y)
        return X, y

    def _targets(self, y: np.ndarray, first: bool, partial: bool, classes: Any) -> np.ndarray:
        if first:
            if classes is None and partial:
                raise ValueError(
                    f"[{self._where}.partial_fit] expected classes= (every label that will appear) on the first call"
                )
            labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            if labels.shape[0] < 2:
                raise ValueError(
                    f"[{self._where}] needs samples of at least 2 classes to train, got 1 class ({labels[0]!r})"
                )
            self.classes_ = labels
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise ValueError(
                f"[{self._where}.partial_fit] classes={np.asarray(classes).tolist()} differs from "
                f"the classes of the first call, {self.classes_.tolist()}"
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"[{self._where}] labels {unknown.tolist()} are not among classes_ {self.classes_.tolist()}"
            )
        codes = np.searchsorted(self.classes_, y)
        # One-hot targets: t_k = 1 for the sample's class, 0 elsewhere.
        targets = np.zeros((y.shape[0], self.classes_.shape[0]), dtype=np.float64)
        targets[np.arange(y.shape[0]), codes] = 1.0
        return targets

    def _stratify(self, targets: np.ndarray) -> np.ndarray | None:
        return np.argmax(targets, axis=1)


class AkiliRegressor(RegressorMixin, _AkiliEstimator):
    """A multi-layer network regressor: hidden layers of ``activation`` nodes and an
    identity output (one node per target) trained on mean squared error by SGD in
    the core. Parameters and attributes as for AkiliClassifier, except ``loss``
    ("mse", the default, or "squared_error"). ``y`` may be 1-D or (n, targets).
    Standardise large targets (e.g. with TransformedTargetRegressor): squared
    errors on unscaled targets give large gradients.
    """

    _output_activation = "identity"
    _where = "AkiliRegressor"

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        *,
        activation: str = "relu",
        rule: str = "gradient",
        loss: str = "mse",
        solver: str = "adam",
        alpha: float = 1e-4,
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        batch_size: int = 32,
        max_iter: int = 200,
        max_fun: int = 15000,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        n_iter_no_change: int = 10,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        init: str = "xavier",
        dtype: str = "float64",
        verbose: bool = False,
    ) -> None:
        self._keep_parameters(locals())

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> AkiliRegressor:
        """Train a new network on samples X (n, features) and targets y (n,) or (n, k),
        each sample weighted by ``sample_weight`` if given."""
        self._fit(X, y, incremental=False, sample_weight=sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> AkiliRegressor:
        """One epoch on (X, y), continuing from the current weights (online learning)."""
        self._fit(X, y, incremental=True, sample_weight=sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n,) for one target, else (n, k)."""
        outputs = self._outputs(X)
        return outputs.ravel() if self.n_outputs_ == 1 else outputs

    def _validate(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        return validate_data(self, X, y, reset=reset, dtype=(np.float64, np.float32), multi_output=True, y_numeric=True)

    def _targets(self, y: np.ndarray, first: bool, partial: bool, classes: Any) -> np.ndarray:
        targets = np.asarray(y, dtype=np.float64)
        targets = targets.reshape(-1, 1) if targets.ndim == 1 else targets
        if not first and targets.shape[1] != self.n_outputs_:
            raise ValueError(
                f"[{self._where}.partial_fit] expected {self.n_outputs_} target columns, got {targets.shape[1]}"
            )
        return targets

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class _Monitor:
    """The on_epoch callback of ``fit``: prints progress, keeps the best weights
    (early stopping) and stops once the monitored loss stops improving by ``tol``."""

    def __init__(
        self, network: Network, tol: float, patience: int, validation: bool, verbose: bool, adaptive: bool = False
    ) -> None:
        self.network = network
        self.adaptive = adaptive
        self.tol = tol
        self.patience = patience
        self.validation = validation
        self.verbose = verbose
        self.best = np.inf
        self.stale = 0
        self.best_weights: list[tuple[np.ndarray, np.ndarray]] | None = None

    def __call__(self, epoch: int, history: History) -> bool:
        loss = history.val_loss[-1] if self.validation else history.loss[-1]
        if self.verbose:
            extra = f", validation loss = {history.val_loss[-1]:.8f}" if self.validation else ""
            print(f"Iteration {epoch + 1}, loss = {history.loss[-1]:.8f}{extra}")
        # Improvement only counts when it beats the best so far by more than tol.
        if loss < self.best - self.tol:
            self.stale = 0
        else:
            self.stale += 1
        if loss < self.best:
            self.best = loss
            if self.validation:
                self.best_weights = self.network._parameters()
        if self.stale >= self.patience and self.adaptive and self.network.learning_rate > MIN_ADAPTIVE_RATE:
            # "adaptive": a stalled loss divides the rate by 5 rather than stopping.
            self.network.learning_rate = self.network.learning_rate / ADAPTIVE_DIVISOR
            self.stale = 0
            if self.verbose:
                print(f"Setting learning rate to {self.network.learning_rate:f}")
            return True
        if self.stale >= self.patience:
            if self.verbose:
                print(f"Loss did not improve by more than tol={self.tol} for {self.patience} epochs; stopping.")
            return False
        return True

    def restore_best(self) -> None:
        if self.best_weights is not None:
            self.network._restore_parameters(self.best_weights)
