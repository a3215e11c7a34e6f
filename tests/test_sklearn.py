"""The scikit-learn estimators: sklearn's own estimator checks, and use inside
Pipeline, GridSearchCV and cross_val_score."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")

from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from akili.sklearn import AkiliClassifier, AkiliRegressor  # noqa: E402

# Every check of scikit-learn's suite runs; none is expected to fail.
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(
    [AkiliClassifier(random_state=0), AkiliRegressor(random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])
    return X, names[y]


def test_classifier_learns_iris_with_string_labels(iris):
    X, y = iris
    model = make_pipeline(StandardScaler(), AkiliClassifier(hidden_layer_sizes=(16,), random_state=1))
    model.fit(X, y)
    classifier = model[-1]
    assert list(classifier.classes_) == ["setosa", "versicolor", "virginica"]
    assert model.score(X, y) > 0.95
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert classifier.n_iter_ == len(classifier.loss_curve_) >= 1
    # The loss curve falls: the last epoch is far below the first.
    assert classifier.loss_curve_[-1] < 0.5 * classifier.loss_curve_[0]


def test_cross_val_score_and_grid_search(iris):
    X, y = iris
    classifier = AkiliClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=100, random_state=0)
    pipeline = make_pipeline(StandardScaler(), classifier)
    scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.8
    grid = GridSearchCV(pipeline, {"akiliclassifier__learning_rate_init": [1e-4, 0.05]}, cv=3)
    grid.fit(X, y)
    # A learning rate of 1e-4 barely moves the weights in 100 epochs; 0.05 learns.
    assert grid.best_params_ == {"akiliclassifier__learning_rate_init": 0.05}
    assert grid.cv_results_["mean_test_score"][1] > grid.cv_results_["mean_test_score"][0]


def test_fit_is_deterministic_and_predictions_independent_of_batching(iris):
    X, y = iris
    first = AkiliClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=3).fit(X, y)
    second = AkiliClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=3).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.loss_curve_ == second.loss_curve_
    whole = first.predict_proba(X)
    in_rows = np.vstack([first.predict_proba(X[i : i + 1]) for i in range(X.shape[0])])
    np.testing.assert_allclose(in_rows, whole, rtol=1e-12, atol=1e-15)
    order = np.random.default_rng(0).permutation(X.shape[0])
    np.testing.assert_allclose(first.predict_proba(X[order]), whole[order], rtol=1e-12, atol=1e-15)


def test_pickle_round_trip_keeps_predictions(iris):
    X, y = iris
    model = AkiliClassifier(hidden_layer_sizes=(6,), max_iter=10, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    assert restored.loss_curve_ == model.loss_curve_
    # The restored model goes on learning online.
    restored.partial_fit(X, y)
    assert restored.n_iter_ == model.n_iter_ + 1


def test_partial_fit_learns_online(iris):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    model = AkiliClassifier(
        hidden_layer_sizes=(8,), solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.1, random_state=0
    )
    with pytest.raises(ValueError, match="classes="):
        model.partial_fit(X[:10], y[:10])
    for _ in range(30):
        for start in range(0, 150, 50):
            model.partial_fit(X[start : start + 50], y[start : start + 50], classes=np.unique(y))
    assert model.n_iter_ == 90
    assert model.score(X, y) > 0.9
    with pytest.raises(ValueError, match="not among classes_"):
        model.partial_fit(X[:2], np.array(["rose", "setosa"]))


def test_early_stopping_keeps_best_validation_weights(iris):
    X, y = iris
    X = StandardScaler().fit_transform(X)
    model = AkiliClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        max_iter=500,
        random_state=0,
    ).fit(X, y)
    curve = model.validation_loss_curve_
    assert len(curve) == model.n_iter_ < 500
    assert model.best_loss_ == min(curve)
    # The weights kept are those of the best validation epoch, not the last one.
    assert curve[-1] >= model.best_loss_


def test_regressor_fits_a_linear_target_and_multi_output():
    X, y = make_regression(n_samples=120, n_features=4, noise=0.1, random_state=0)
    y = y / y.std()
    model = AkiliRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, y)
    assert model.predict(X).shape == (120,)
    assert model.score(X, y) > 0.98
    Y = np.column_stack([y, -2 * y])
    multi = AkiliRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=0).fit(X, Y)
    assert multi.predict(X).shape == (120, 2)
    assert multi.score(X, Y) > 0.98


def test_errors_are_clear(iris):
    X, y = iris
    with pytest.raises(NotFittedError):
        AkiliClassifier().predict(X)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        AkiliClassifier(activation="swish").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        AkiliClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        AkiliRegressor().fit(np.array([[np.nan, 1.0], [0.0, 1.0]]), [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2 classes"):
        AkiliClassifier().fit(X, np.zeros(150))
    fitted = AkiliClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        fitted.predict(X[:, :3])


def test_array_api_dispatch_check_in_a_fresh_interpreter():
    # scikit-learn's check_array_api_input (array API dispatch on, NumPy inputs)
    # needs SCIPY_ARRAY_API=1 before scipy is first imported, so the suite above
    # skips it; it runs here in a fresh interpreter instead.
    script = (
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        "from akili.sklearn import AkiliClassifier, AkiliRegressor\n"
        "for estimator in (AkiliClassifier(random_state=0), AkiliRegressor(random_state=0)):\n"
        "    check_array_api_input(type(estimator).__name__, estimator, array_namespace='numpy',\n"
        "                          expect_only_array_outputs=False)\n"
        "print('checked')\n"
    )
    env = {**os.environ, "SCIPY_ARRAY_API": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "checked"
