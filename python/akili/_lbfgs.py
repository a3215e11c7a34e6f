"""L-BFGS: full-batch training for small data sets, as scikit-learn's MLP solver "lbfgs".

``Network.fit(X, T, optimizer="lbfgs", epochs=200)`` hands the network's
flattened weights and biases to ``scipy.optimize.minimize(method="L-BFGS-B",
jac=True)``. Each evaluation asks the core for the loss of the whole data set
and its exact gradient in one call (``akili._core.loss_and_gradient``,
C++ ``akili::loss_and_gradient``: no Python per sample):

    J(θ) = Σ_i w_i·L_i / Σ_i w_i  +  (λ/2)·Σ_k ‖W_k‖²

with sample weights w (all 1 by default) and the L2 coefficient λ (``l2``; the
estimators pass scikit-learn's alpha / Σ w). The gradient is back-propagation's
whatever rule the network trains with otherwise (a quasi-Newton method needs the
true gradient of what it minimises), so the network must use rule="gradient".

Mapping from scikit-learn: ``epochs`` is ``max_iter`` (L-BFGS iterations),
``tol`` is scipy's ``gtol`` (the projected gradient's largest component),
``max_fun`` caps the loss evaluations; ``iprint`` stays silent. Each iteration
is one entry of the returned History (its loss is J, its samples n), and
``on_epoch(iteration, history)`` is called after each; returning False stops.
Stopping at the iteration or evaluation limit before converging warns
(RuntimeWarning), as scikit-learn's ConvergenceWarning does. The network's
optimizer setting (what ``step`` and other ``fit`` calls use) is not changed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _core
from ._history import History


class _Stop(Exception):
    """Raised inside scipy's iteration callback when on_epoch returns False."""


def fit_lbfgs(
    network: Any,
    matrix: np.ndarray,
    targets: np.ndarray,
    *,
    max_iter: int,
    tol: float = 1e-4,
    max_fun: int = 15000,
    l2: float = 0.0,
    sample_weight: np.ndarray | None = None,
    on_epoch: Callable[[int, History], Any] | None = None,
    where: str = "Network.fit",
    warning: type[Warning] = RuntimeWarning,
) -> History:
    """Minimise J(θ) above with L-BFGS-B from the network's current weights; the
    network ends with the best point found. ``matrix``/``targets`` are checked
    arrays of the network's dtype; returns a History with one entry per iteration.
    ``warning``: the class of the not-converged warning (the estimators pass
    scikit-learn's ConvergenceWarning)."""
    try:
        from scipy.optimize import minimize
    except ImportError as error:  # scipy comes with scikit-learn; akili alone does not need it
        raise ImportError(
            f'[{where}] optimizer="lbfgs" runs scipy.optimize\'s L-BFGS-B: pip install scipy '
            '(or pip install "akili[lbfgs]")'
        ) from error
    if network.rule != "gradient":
        raise ValueError(
            f'[{where}] optimizer="lbfgs" needs the true gradient: expected rule="gradient", got '
            f"rule={network.rule!r} (the book's and the normalized rules are not the gradient of any loss)"
        )
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise ValueError(f"[{where}] expected tol as a finite number >= 0, got {tol!r}")
    if not (isinstance(l2, (int, float)) and np.isfinite(l2) and l2 >= 0):
        raise ValueError(f"[{where}] expected l2 as a finite number >= 0, got {l2!r}")
    native = network._native
    dtype = matrix.dtype
    weights = np.empty(0, dtype=dtype) if sample_weight is None else sample_weight
    classifies = targets.shape[1] > 1 or bool(((targets >= 0) & (targets <= 1)).all())

    def evaluate(theta: np.ndarray) -> tuple[float, np.ndarray]:
        # The line search may try a step so long that a value overflows: an infinite
        # loss sends it back to a shorter one.
        values = theta.astype(dtype)
        if not np.isfinite(values).all():
            return float("inf"), np.zeros_like(theta)
        _core.set_flat_parameters(native, values, where)
        try:
            loss, gradient = _core.loss_and_gradient(native, matrix, targets, weights, float(l2), where)
        except ValueError as error:
            raise ValueError(str(error)) from None
        if not np.isfinite(loss):
            return float("inf"), np.zeros_like(theta)
        return float(loss), gradient.astype(np.float64)

    history = History()
    started = [time.perf_counter()]

    def after_iteration(intermediate_result: Any) -> None:
        theta = np.asarray(intermediate_result.x)
        _core.set_flat_parameters(native, theta.astype(dtype), where)
        history.loss.append(float(intermediate_result.fun))
        history.samples.append(int(matrix.shape[0]))
        now = time.perf_counter()
        history.epoch_seconds.append(now - started[0])
        started[0] = now
        if classifies:
            outputs = native.predict(matrix)
            history.accuracy.append(
                float(np.mean(_core.predicted_classes(outputs) == _core.predicted_classes(targets)))
            )
        else:
            history.accuracy.append(None)
        if on_epoch is not None and on_epoch(len(history.loss) - 1, history) is False:
            raise _Stop

    start = _core.flat_parameters(native).astype(np.float64)
    try:
        result = minimize(
            evaluate,
            start,
            method="L-BFGS-B",
            jac=True,
            callback=after_iteration,
            options={"maxiter": int(max_iter), "maxfun": int(max_fun), "gtol": float(tol)},
        )
    except _Stop:
        history.stopped = True
        return history
    except StopIteration:  # scipy turns a callback's StopIteration into a normal stop on some versions
        history.stopped = True
        return history
    _core.set_flat_parameters(native, np.asarray(result.x).astype(dtype), where)
    if result.status == 1:  # the iteration or evaluation limit
        warnings.warn(
            f"[{where}] L-BFGS stopped at its limit ({result.nit} iterations, {result.nfev} evaluations; "
            f"epochs={max_iter}, max_fun={max_fun}) before converging (largest gradient component above "
            f"tol={tol:g}): raise epochs, or scale the inputs",
            warning,
            stacklevel=3,
        )
    elif not result.success:
        warnings.warn(f"[{where}] L-BFGS ended early: {result.message}", warning, stacklevel=3)
    return history
