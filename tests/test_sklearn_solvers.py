"""The estimators under scikit-learn's MLP names: solver, alpha, learning_rate
schedules, momentum, Adam's betas; and what adam buys on unscaled features."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_breast_cancer, load_iris  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from akili import optimizers  # noqa: E402
from akili.sklearn import AkiliClassifier, AkiliRegressor  # noqa: E402


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def test_the_default_solver_is_adam_with_scikit_learns_settings(iris):
    X, y = iris
    model = AkiliClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    assert model.network_.optimizer == optimizers.Adam(weight_decay=1e-4 / 32)  # alpha / batch_size
    assert model.network_.learning_rate == 0.001
    assert AkiliClassifier().get_params()["solver"] == "adam"


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            {"solver": "sgd", "momentum": 0.8, "alpha": 0.0},
            optimizers.SGD(momentum=0.8, nesterov=True),
        ),
        (
            {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False, "alpha": 0.64, "batch_size": 16},
            optimizers.SGD(momentum=0.5, weight_decay=0.04),
        ),
        ({"solver": "sgd", "momentum": 0.0, "alpha": 0.0}, optimizers.SGD()),
        (
            {"solver": "adam", "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6, "alpha": 0.0},
            optimizers.Adam(beta_1=0.8, beta_2=0.99, epsilon=1e-6),
        ),
        ({"solver": "adamw", "alpha": 0.32}, optimizers.AdamW(weight_decay=0.01)),
        ({"solver": "rprop", "alpha": 0.0}, optimizers.Rprop()),
    ],
)
def test_solver_names_map_to_akili_optimizers(iris, parameters, expected):
    X, y = iris
    model = AkiliRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0, **parameters).fit(X, y)
    assert model.network_.optimizer == expected


def test_adam_learns_unscaled_features_where_plain_sgd_predicts_one_class():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    majority = max(np.mean(y_test), 1 - np.mean(y_test))
    adam = AkiliClassifier(random_state=0).fit(X_train, y_train)
    sgd = AkiliClassifier(random_state=0, solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.05)
    sgd.fit(X_train, y_train)
    assert adam.score(X_test, y_test) > 0.85
    assert sgd.score(X_test, y_test) <= majority + 0.01


def test_invscaling_sets_the_documented_rate_each_epoch(iris):
    X, y = iris
    model = AkiliClassifier(
        hidden_layer_sizes=(4,), learning_rate="invscaling", learning_rate_init=0.2, power_t=0.5, max_iter=9, tol=0
    )
    model.set_params(n_iter_no_change=100, random_state=0).fit(X, y)
    assert model.n_iter_ == 9
    assert model.network_.learning_rate == pytest.approx(0.2 / 9**0.5, rel=1e-15)  # epoch 8: lr / (8 + 1)^½


def test_adaptive_divides_the_rate_by_five_when_the_loss_stalls(iris):
    X, y = iris
    # tol so large that no epoch after the first improves: every n_iter_no_change epochs the rate drops 5x.
    model = AkiliClassifier(
        hidden_layer_sizes=(4,), learning_rate="adaptive", learning_rate_init=0.01, tol=1e9, n_iter_no_change=2
    )
    model.set_params(random_state=0, max_iter=7).fit(X, y)
    assert model.n_iter_ == 7
    assert model.network_.learning_rate == pytest.approx(0.01 / 5**3, rel=1e-12)  # after epochs 3, 5 and 7
    constant = AkiliClassifier(hidden_layer_sizes=(4,), tol=1e9, n_iter_no_change=2, random_state=0).fit(X, y)
    assert constant.n_iter_ == 3  # constant: the first stall stops training


def test_bad_solver_settings_are_refused_naming_the_estimator(iris):
    X, y = iris
    with pytest.raises(ValueError, match=r"\[AkiliClassifier\] unknown solver 'newton'; expected one of sgd, "):
        AkiliClassifier(solver="newton").fit(X, y)
    with pytest.raises(ValueError, match=r"expected learning_rate as one of constant, invscaling, adaptive \(the step"):
        AkiliClassifier(learning_rate=0.05).fit(X, y)
    with pytest.raises(ValueError, match=r"\[AkiliClassifier\] expected adam beta_1 in \[0, 1\), got 1"):
        AkiliClassifier(beta_1=1.0).fit(X, y)
    with pytest.raises(ValueError, match=r"\[AkiliRegressor\] solver='rprop' has no L2 penalty; expected alpha=0"):
        AkiliRegressor(solver="rprop").fit(X, y)
    with pytest.raises(ValueError, match=r"\[AkiliClassifier\] expected alpha as a finite number >= 0, got -1"):
        AkiliClassifier(alpha=-1).fit(X, y)
