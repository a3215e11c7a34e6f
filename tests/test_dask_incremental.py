"""Data beyond one machine: the estimators inside dask_ml.wrappers.Incremental over
Dask arrays on a real LocalCluster, and CSV/IDX files handed to Dask as arrays
whose chunks the core reads on the workers. No fixed port: the scheduler takes an
OS-chosen port and no dashboard is started."""

from __future__ import annotations

import struct

import numpy as np
import pytest

pytest.importorskip("sklearn", minversion="1.6")
distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")

from akili import datasets as ds  # noqa: E402
from akili.sklearn import AkiliClassifier, AkiliRegressor  # noqa: E402


@pytest.fixture(scope="module")
def client():
    # Every port OS-chosen: the scheduler's (scheduler_port=0) and its HTTP server's
    # (dashboard_address=":0"; None would fall back to port 8787, and fail when another
    # program holds it).
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, scheduler_port=0, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def digits_csv(tmp_path_factory):
    X, y = ds.digits()
    path = tmp_path_factory.mktemp("dask") / "digits.csv"
    lines = [",".join([str(label), *(str(int(v)) for v in row)]) for label, row in zip(y, X)]
    path.write_text("label," + ",".join(f"p{i}" for i in range(64)) + "\n" + "\n".join(lines) + "\n")
    return path, X, y


def test_csv_to_dask_chunks_equal_read_csv(client, digits_csv):
    path, _, _ = digits_csv
    X, y = ds.csv_to_dask(path, dtype=np.float32, scale="book", max_value=16, block_bytes=20_000)
    assert X.numblocks[0] > 5 and X.chunks[0] == y.chunks[0]
    expected_X, expected_y = ds.read_csv(path, dtype=np.float32, scale="book", max_value=16)
    computed_X, computed_y = client.compute([X, y], sync=True)
    assert computed_X.tobytes() == expected_X.tobytes()
    np.testing.assert_array_equal(computed_y, expected_y)


def test_incremental_classifier_on_the_cluster_matches_local_partial_fit(client, digits_csv):
    path, _, _ = digits_csv
    X, y = ds.csv_to_dask(path, scale="book", max_value=16, block_bytes=20_000)
    model = AkiliClassifier(
        hidden_layer_sizes=(32,), solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.1, random_state=0
    )
    incremental = dask_ml_wrappers.Incremental(model, scoring="accuracy", shuffle_blocks=False)
    incremental.fit(X, y, classes=list(range(10)))
    # The same blocks, in the same order, through partial_fit here: the same network.
    local = AkiliClassifier(
        hidden_layer_sizes=(32,), solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.1, random_state=0
    )
    Xs, ys = X.to_delayed().ravel(), y.to_delayed().ravel()
    for block_X, block_y in zip(Xs, ys):
        local.partial_fit(block_X.compute(), block_y.compute(), classes=list(range(10)))
    dense_X, dense_y = ds.read_csv(path, scale="book", max_value=16)
    np.testing.assert_array_equal(incremental.predict(X).compute(), local.predict(dense_X))
    assert incremental.score(X, y) > 0.75  # one pass over the data (0.794 with this seed)
    assert (local.predict(dense_X) == dense_y).mean() > 0.75


def test_incremental_regressor_over_dask_arrays(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = X @ np.array([0.5, -1.0, 0.25])
    dX, dy = da.from_array(X, chunks=100), da.from_array(y, chunks=100)
    model = dask_ml_wrappers.Incremental(
        AkiliRegressor(
            hidden_layer_sizes=(8,), solver="sgd", momentum=0.0, alpha=0.0, learning_rate_init=0.01, random_state=0
        ),
        shuffle_blocks=False,
    )
    for _ in range(5):
        model.partial_fit(dX, dy)
    # Incremental.score on a regressor fails inside dask_ml (r2 of arrays of unknown
    # chunk sizes: "cannot broadcast shape (nan,)"): the predictions are scored here.
    from sklearn.metrics import r2_score

    predicted = model.predict(dX).compute()
    assert predicted.shape == (600,)
    assert r2_score(y, predicted) > 0.8


def test_idx_to_dask_reads_uncompressed_chunks(client, tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(250, 4, 4)).astype(np.uint8)
    labels = rng.integers(0, 10, size=250).astype(np.uint8)
    for name, array in (("images", images), ("labels", labels)):
        header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
        (tmp_path / name).write_bytes(header + array.tobytes())
    X, y = ds.idx_to_dask(tmp_path / "images", tmp_path / "labels", rows_per_chunk=64, dtype=np.float32, scale="book")
    assert X.chunks[0] == (64, 64, 64, 58)
    computed = client.compute(X, sync=True)
    assert computed.tobytes() == ds.scale_book(images.reshape(250, 16), dtype=np.float32).tobytes()
    np.testing.assert_array_equal(y.compute(), labels)
    import gzip

    (tmp_path / "images.gz").write_bytes(gzip.compress((tmp_path / "images").read_bytes()))
    with pytest.raises(ds.DatasetError, match="cannot be read in independent chunks"):
        ds.idx_to_dask(tmp_path / "images.gz", tmp_path / "labels")
