"""Hyper-parameter search over the akili estimators on a real Dask cluster:
scikit-learn's GridSearchCV and cross_val_score through joblib's Dask backend,
on a LocalCluster of two worker processes on the loopback interface."""

from __future__ import annotations

import socket

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")
distributed = pytest.importorskip("distributed")

import joblib  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from akili.sklearn import AkiliClassifier, AkiliRegressor  # noqa: E402


def local_cluster() -> distributed.LocalCluster:
    """Two worker processes on the loopback interface, on ports the OS chooses only.
    The scheduler always runs an HTTP server (its /health routes); dashboard_address=None
    would put it on 8787, so it gets port 0, and the dashboard itself is off."""
    return distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
        worker_dashboard_address=None,
    )


@pytest.fixture(scope="module")
def client():
    with local_cluster() as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def test_the_cluster_starts_when_the_dashboard_port_is_taken():
    """Another program on 8787 (Dask's default dashboard port) must not matter:
    with filterwarnings = error, even the "port in use" warning would fail."""
    holder = socket.socket()
    try:
        holder.bind(("0.0.0.0", 8787))
        holder.listen()
    except OSError:
        pass  # already held by another program: the situation this test is about
    try:
        with local_cluster() as cluster:
            assert cluster.scheduler.http_server.port not in (0, 8787)  # a port the OS chose
    finally:
        holder.close()


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_iris(return_X_y=True)
    return X, np.array(["setosa", "versicolor", "virginica"])[y]


def test_grid_search_runs_on_the_cluster_and_matches_a_local_search(client, iris):
    X, y = iris
    pipeline = make_pipeline(StandardScaler(), AkiliClassifier(max_iter=40, random_state=0))
    grid = {"akiliclassifier__hidden_layer_sizes": [(4,), (16,)], "akiliclassifier__learning_rate_init": [1e-4, 0.05]}
    workers = set(client.scheduler_info()["workers"])
    assert len(workers) == 2
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        remote = GridSearchCV(pipeline, grid, cv=3, n_jobs=-1).fit(X, y)
    # The fits ran as tasks on the cluster's worker processes.
    ran_on = {task["worker"] for task in stream.data}
    assert stream.data and ran_on <= workers
    local = GridSearchCV(pipeline, grid, cv=3, n_jobs=1).fit(X, y)
    # Every fit is seeded, so the cluster's results are exactly the local ones.
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_
    assert remote.best_params_["akiliclassifier__learning_rate_init"] == 0.05
    assert remote.best_score_ > 0.85


def test_cross_val_score_on_the_cluster(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    model = AkiliRegressor(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=100, random_state=0)
    with joblib.parallel_backend("dask"):
        remote = cross_val_score(model, X, y, cv=3, n_jobs=-1)
    local = cross_val_score(model, X, y, cv=3)
    np.testing.assert_array_equal(remote, local)
    assert remote.min() > 0.9
