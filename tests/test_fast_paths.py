"""The fast paths (fused online passes, threads, chunked prediction, lazy value
checks) compute the same maths as the plain ones, and the in-package bench runs."""

from __future__ import annotations

import warnings

import numpy as np
import oracle
import pytest

import akili
from akili import _bench


@pytest.fixture
def threads():
    """Restores the thread count after a test changes it."""
    before = akili.get_num_threads()
    yield
    akili.set_num_threads(before)


def data(n, n_in, n_out, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.01, 1.0, size=(n, n_in)).astype(dtype)
    T = np.full((n, n_out), 0.01, dtype=dtype)
    T[np.arange(n), rng.integers(0, n_out, n)] = 0.99
    return X, T


def network(sizes, activations, dtype, bias=True, loss="cross_entropy", rule="gradient"):
    layers = [akili.Dense(a, b, activation=f, bias=bias) for a, b, f in zip(sizes[:-1], sizes[1:], activations)]
    return akili.Network(layers, loss=loss, learning_rate=0.05, rule=rule, dtype=dtype, seed=3)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "sizes, activations",
    [
        ([4, 16, 3], ["tanh", "softmax"]),  # small: one thread, plain loops
        ([300, 100, 400, 3], ["relu", "sigmoid", "softmax"]),  # threaded fused passes; first layer below blocks
    ],
)
def test_online_epoch_equals_single_steps_bit_for_bit(dtype, sizes, activations):
    """fit(batch_size=1) pipelines each update with the next forward pass; step() does not."""
    X, T = data(60, sizes[0], sizes[-1], dtype=dtype)
    epoch, steps = network(sizes, activations, dtype), network(sizes, activations, dtype)
    epoch.fit(X, T, batch_size=1, shuffle=False)
    for x, t in zip(X, T):
        steps.step(x, t)
    for a, b in zip(epoch.layers, steps.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 2e-4)])
@pytest.mark.parametrize(
    "sizes, activations, bias",
    [
        ([300, 250, 120, 3], ["relu", "sigmoid", "softmax"], True),
        ([300, 250, 120, 3], ["relu", "sigmoid", "softmax"], False),
        ([784, 200], ["softmax"], True),  # one layer: the block's layer is the output
    ],
)
def test_online_blocks_equal_single_steps(dtype, rtol, sizes, activations, bias):
    """A large first layer is updated a block of examples at a time, each example
    seeing the earlier ones through z_t = W₀·x_t + lr·Σ δ_s (x_s·x_t + 1): the same
    steps as step() one by one, summed in another order. 70 examples: one full
    block and a partial one."""
    X, T = data(70, sizes[0], sizes[-1], dtype=dtype)
    epoch, steps = network(sizes, activations, dtype, bias=bias), network(sizes, activations, dtype, bias=bias)
    epoch.fit(X, T, batch_size=1, shuffle=False)
    for x, t in zip(X, T):
        steps.step(x, t)
    for a, b in zip(epoch.layers, steps.layers):
        scale = np.abs(b.weights).max()
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=rtol * scale)
        if b.bias is not None:
            np.testing.assert_allclose(a.bias, b.bias, rtol=0, atol=rtol * max(scale, 1.0))


def test_online_blocks_stop_mid_block_with_the_steps_so_far_applied():
    """A progress callback that stops training inside a block leaves exactly the
    updates of the examples done."""
    X, T = data(40, 300, 3)
    sizes, activations = [300, 250, 3], ["sigmoid", "softmax"]
    stopped, steps = network(sizes, activations, "float64"), network(sizes, activations, "float64")
    history = stopped.fit(
        X, T, batch_size=1, shuffle=False, progress_every=7, on_progress=lambda done, epoch: done < 21
    )
    assert history.stopped and history.samples == [21]
    for x, t in zip(X[:21], T[:21]):
        steps.step(x, t)
    for a, b in zip(stopped.layers, steps.layers):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12 * np.abs(b.weights).max())


@pytest.mark.parametrize(
    "sizes, activations",
    [
        ([400, 300, 200, 10], ["sigmoid", "tanh", "sigmoid"]),  # threaded layers above the first
        ([784, 200, 10], ["sigmoid", "sigmoid"]),  # small layers above: the next block prepared alongside
    ],
)
def test_online_training_is_the_same_for_every_thread_count(threads, sizes, activations):
    """Online passes split a matrix by rows (or columns for the error sent back), so
    each weight is computed the same way whichever thread computes it."""
    X, T = data(150, sizes[0], 10)
    results = []
    for count in (1, 2, 3):
        with warnings.catch_warnings():  # 3 threads on a 2-core machine warn; the results must still match
            warnings.simplefilter("ignore", RuntimeWarning)
            akili.set_num_threads(count)
        net = network(sizes, activations, "float64", loss="squared_error", rule="transpose")
        net.fit(X, T, batch_size=1, shuffle=True)
        results.append([layer.weights for layer in net.layers])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


def test_threaded_online_book_network_matches_the_oracle(threads):
    """The book's 784-200-10 network (large enough for the threaded, fused path)
    against the pure-NumPy oracle, float64, 1e-12 relative."""
    akili.set_num_threads(2)
    X, T = data(150, 784, 10, seed=5)
    nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=2)
    weights = [nn.wih.copy(), nn.who.copy()]
    nn.fit(X, T, batch_size=1, shuffle=False)
    for x, t in zip(X, T):
        oracle.train_step(
            weights,
            [None, None],
            ["sigmoid", "sigmoid"],
            x[None, :],
            t[None, :],
            lr=0.1,
            loss="squared_error",
            rule="transpose",
        )
    for got, expected in zip((nn.wih, nn.who), weights):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("count", [1, 2])
def test_threaded_mini_batch_matches_the_oracle(threads, count):
    akili.set_num_threads(count)
    X, T = data(256, 784, 10, seed=6)
    nn = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=2)
    weights = [nn.wih.copy(), nn.who.copy()]
    nn.fit(X, T, batch_size=64, shuffle=False)
    for start in range(0, 256, 64):
        oracle.train_step(
            weights,
            [None, None],
            ["sigmoid", "sigmoid"],
            X[start : start + 64],
            T[start : start + 64],
            lr=0.1,
            loss="squared_error",
            rule="transpose",
        )
    for got, expected in zip((nn.wih, nn.who), weights):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_large_batch_prediction_is_chunked_without_changing_results(threads, dtype):
    X, _ = data(2600, 300, 10, dtype=dtype)  # two full chunks of 1024 samples and a partial one
    net = network([300, 120, 10], ["sigmoid", "softmax"], dtype)
    akili.set_num_threads(1)
    alone = net.predict(X)
    akili.set_num_threads(2)
    together = net.predict(X)
    np.testing.assert_array_equal(alone, together)  # fixed chunks: the thread count does not matter
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    for start in (0, 1500, 2599):
        np.testing.assert_allclose(together[start], net.predict(X[start]), rtol=tolerance, atol=tolerance)
    expected = oracle.forward(
        [layer.weights for layer in net.layers],
        [layer.bias for layer in net.layers],
        ["sigmoid", "softmax"],
        X.astype(np.float64),
    )[-1]
    np.testing.assert_allclose(together, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("batch_size", [1, 64])
@pytest.mark.parametrize("where", ["inputs", "targets"])
def test_native_epoch_refuses_a_late_nan_and_leaves_the_network_unchanged(batch_size, where):
    """The core checks each row when the epoch first uses it; a NaN near the end
    restores the weights and the random state of the start of the epoch."""
    X, T = data(500, 784, 10)
    (X if where == "inputs" else T)[437, 3] = np.nan
    nn = akili.NeuralNetwork(784, 200, 10, seed=4)
    before = [nn.wih.copy(), nn.who.copy()]
    with pytest.raises(ValueError, match=f"{where} contain NaN or infinity"):
        nn._native.train_epoch(X, T, batch_size, True)
    np.testing.assert_array_equal(nn.wih, before[0])
    np.testing.assert_array_equal(nn.who, before[1])
    # The shuffle's random state was restored too: training now equals a fresh network's.
    clean_X, clean_T = data(500, 784, 10)
    fresh = akili.NeuralNetwork(784, 200, 10, seed=4)
    nn.fit(clean_X, clean_T, batch_size=batch_size)
    fresh.fit(clean_X, clean_T, batch_size=batch_size)
    np.testing.assert_array_equal(nn.wih, fresh.wih)


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("zero_weights", [False, True])
def test_native_predict_refuses_nan_in_a_large_batch(value, zero_weights):
    """Large batches check their inputs through the first layer's product (a
    non-finite input makes its whole row of X non-finite, even through zero
    weights: inf·0 is NaN), with no separate pass over the data."""
    X, _ = data(2600, 784, 10)
    X[2500, 5] = value
    nn = akili.NeuralNetwork(784, 50, 10, seed=4)
    if zero_weights:
        nn.wih = np.zeros_like(nn.wih)
    with pytest.raises(ValueError, match="inputs contain NaN or infinity"):
        nn._native.predict(X)


def test_native_predict_of_finite_inputs_that_overflow_is_not_refused():
    """Finite float32 inputs so large that X overflows are not a NaN in the
    inputs: the outputs saturate as they would for a small batch."""
    X, _ = data(2600, 784, 10, dtype=np.float32)
    X[7] = 3e38
    nn = akili.NeuralNetwork(784, 50, 10, seed=4, dtype="float32")
    nn.wih = np.abs(nn.wih)
    large = nn._native.predict(X)
    small = nn._native.predict(X[:10])
    np.testing.assert_array_equal(large[:10], small)
    assert np.isfinite(large).all()


def test_thread_count_setting(threads):
    with warnings.catch_warnings():  # more threads than cores warns (tests/test_newcomer.py checks the warning)
        warnings.simplefilter("ignore", RuntimeWarning)
        akili.set_num_threads(3)
    assert akili.get_num_threads() == 3
    akili.set_num_threads(0)  # the default: OMP_NUM_THREADS or every core
    assert akili.get_num_threads() >= 1
    with pytest.raises(TypeError, match="integer thread count"):
        akili.set_num_threads(1.5)
    with pytest.raises(TypeError, match="integer thread count"):
        akili.set_num_threads(True)


def test_in_package_bench_prints_ratios(capsys):
    assert _bench.main(["--samples", "40", "--batch-samples", "128", "--test", "600", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for label in ("online f64", "online f32", "mini-batch 64 f32", "inference 600 f32"):
        line = next(row for row in out.splitlines() if row.startswith(f"| {label} "))
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert float(cells[1].replace(",", "")) > 0 and float(cells[2].replace(",", "")) > 0
        assert cells[3].endswith("x") and float(cells[3][:-1]) > 0
    # Same start, same order, same maths: the accuracies printed agree for float64 online training.
    online = next(row for row in out.splitlines() if row.startswith("| online f64 "))
    numpy_accuracy, akili_accuracy = online.strip("|").split("|")[4].split("/")
    assert numpy_accuracy.strip() == akili_accuracy.strip()


def test_online_blocks_with_a_frozen_first_layer_leave_it_unchanged():
    """A frozen first layer takes no updates, so the block needs no corrections."""
    X, T = data(70, 300, 3)
    sizes, activations = [300, 250, 3], ["sigmoid", "softmax"]
    epoch, steps = network(sizes, activations, "float64"), network(sizes, activations, "float64")
    for net in (epoch, steps):
        net.layers[0].frozen = True
    before = epoch.layers[0].weights.copy()
    epoch.fit(X, T, batch_size=1, shuffle=False)
    for x, t in zip(X, T):
        steps.step(x, t)
    np.testing.assert_array_equal(epoch.layers[0].weights, before)
    np.testing.assert_allclose(
        epoch.layers[1].weights, steps.layers[1].weights, rtol=0, atol=1e-12 * np.abs(steps.layers[1].weights).max()
    )


def test_online_blocks_that_diverge_restore_the_epoch_start():
    """Inputs far too large make the loss non-finite inside a block: the
    epoch stops with DivergenceError and every layer is back where it started."""
    X, T = data(200, 784, 10)
    net = akili.NeuralNetwork(784, 200, 10, learning_rate=0.1, seed=4)
    wih, who = net.wih.copy(), net.who.copy()
    with pytest.raises(akili.DivergenceError, match="diverged"):
        net.fit(X * 1e200, T, batch_size=1, shuffle=False)
    np.testing.assert_array_equal(net.wih, wih)
    np.testing.assert_array_equal(net.who, who)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize(
    "sizes, activations, samples",
    [
        ([784, 200, 10], ["sigmoid", "sigmoid"], 64 * 3 + 1),  # threaded first layer; a last batch of one row
        ([300, 120, 3], ["softmax", "softmax"], 64 * 2 + 5),  # softmax needs whole rows; a partial last batch
        ([4, 16, 3], ["tanh", "softmax"], 64 * 2),  # small: one thread
    ],
)
def test_mini_batch_epoch_equals_batch_steps_bit_for_bit(threads, dtype, count, sizes, activations, samples):
    """fit() applies each batch's first-layer update together with the next
    batch's first layer, in one pass over its weights; step() does one batch at a
    time. Same bits, for every thread count."""
    akili.set_num_threads(count)
    X, T = data(samples, sizes[0], sizes[-1], dtype=dtype)
    epoch, steps = network(sizes, activations, dtype), network(sizes, activations, dtype)
    epoch.fit(X, T, batch_size=64, shuffle=False)
    for start in range(0, samples, 64):
        steps.step(X[start : start + 64], T[start : start + 64])
    for a, b in zip(epoch.layers, steps.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


def test_mini_batch_stop_applies_every_batch_done():
    """Stopping after a batch leaves exactly the updates of the batches done,
    including the last one's first-layer update, which waits for the next batch."""
    X, T = data(64 * 5, 784, 10)
    sizes, activations = [784, 200, 10], ["sigmoid", "sigmoid"]
    stopped, steps = network(sizes, activations, "float64"), network(sizes, activations, "float64")
    history = stopped.fit(
        X, T, batch_size=64, shuffle=False, progress_every=64, on_progress=lambda done, epoch: done < 128
    )
    assert history.stopped and history.samples == [128]
    for start in (0, 64):
        steps.step(X[start : start + 64], T[start : start + 64])
    for a, b in zip(stopped.layers, steps.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


def test_mini_batch_with_a_frozen_first_layer_leaves_it_unchanged():
    X, T = data(64 * 3, 784, 10)
    net = network([784, 200, 10], ["sigmoid", "sigmoid"], "float64")
    net.layers[0].frozen = True
    before = net.layers[0].weights.copy(), net.layers[0].bias.copy()
    after_top = net.layers[1].weights.copy()
    net.fit(X, T, batch_size=64, shuffle=True)
    np.testing.assert_array_equal(net.layers[0].weights, before[0])
    np.testing.assert_array_equal(net.layers[0].bias, before[1])
    assert not np.array_equal(net.layers[1].weights, after_top)


@pytest.mark.parametrize("count", [1, 2])
def test_mini_batch_refuses_the_first_bad_row_of_a_batch_gathered_by_two_threads(threads, count):
    """The next batch is gathered by both threads in chunks of rows; the error
    still names the first bad row in the epoch's order."""
    akili.set_num_threads(count)
    X, T = data(64 * 5, 784, 10)
    X[64 * 3 + 12, 7] = np.nan  # the second chunk of the fourth batch
    T[64 * 3 + 3, 0] = np.inf  # the first chunk of the same batch: reported first
    nn = akili.NeuralNetwork(784, 200, 10, seed=4)
    before = nn.wih.copy()
    with pytest.raises(ValueError, match=r"targets contain NaN or infinity \(row 195\)"):
        nn._native.train_epoch(X, T, 64, False)
    np.testing.assert_array_equal(nn.wih, before)
