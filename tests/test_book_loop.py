"""The book's own loop — one ``train()`` call per example, one ``query()`` per
record — takes the per-call fast path: examples are checked at the call, queued,
and applied a block at a time with the online-block arithmetic of ``fit``,
before anything can observe the network. These tests hold it to the promise
that the results are those of immediate steps."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import akili


def book_data(n: int, inputs: int, outputs: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs scaled the book's way (0.01..1.0) and targets 0.01/0.99."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.01, 1.0, size=(n, inputs))
    T = np.full((n, outputs), 0.01)
    T[np.arange(n), rng.integers(0, outputs, size=n)] = 0.99
    return X, T


def weights(net: akili.Network) -> list[np.ndarray]:
    return [layer.weights for layer in net.layers]


def assert_close(got: list[np.ndarray], expected: list[np.ndarray], rtol: float = 1e-12) -> None:
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=0, atol=rtol * np.abs(e).max())


def fitted(make, X: np.ndarray, T: np.ndarray, k: int) -> list[np.ndarray]:
    """The weights after fit(X[:k], T[:k], batch_size=1, shuffle=False) on a fresh network."""
    net = make()
    if k:
        net.fit(X[:k], T[:k], batch_size=1, shuffle=False)
    return weights(net)


# 784-50-10 and 784-48-16-10 take the online blocks (a first layer of ≥ 32,768
# weights); 8-5-3 steps one example at a time.
SHAPES = [(784, [50], 10), (784, [48, 16], 10), (8, [5], 3)]


@pytest.mark.parametrize("n_in, hidden, n_out", SHAPES)
def test_train_loop_equals_fit_with_reads_in_between(n_in, hidden, n_out):
    X, T = book_data(200, n_in, n_out)

    def make():
        return akili.NeuralNetwork(n_in, hidden, n_out, learning_rate=0.1, seed=3)

    net = make()
    reads = sorted(np.random.default_rng(1).choice(np.arange(1, 200), size=5, replace=False).tolist())
    done = 0
    for k in [*reads, 200]:
        for x, t in zip(X[done:k], T[done:k]):
            assert net.train(x, t) is None  # the book's train() returns nothing
        done = k
        # Every read shows every step so far.
        assert_close(weights(net), fitted(make, X, T, k))


def test_train_loop_matches_the_books_numpy_code():
    """Against the book's own class (an independent NumPy oracle), float64."""
    from akili._bench import BookNetwork

    X, T = book_data(150, 784, 10, seed=2)
    book = BookNetwork(np.float64)
    book.wih = np.random.default_rng(4).normal(0.0, 784**-0.5, (50, 784))
    book.who = np.random.default_rng(5).normal(0.0, 50**-0.5, (10, 50))
    net = akili.NeuralNetwork(784, 50, 10, learning_rate=book.lr, seed=0)
    net.wih, net.who = book.wih, book.who
    for x, t in zip(X, T):
        book.train(x, t)
        net.train(x, t)
    assert_close([net.wih, net.who], [book.wih, book.who])


def test_step_on_single_rows_equals_fit_with_bias_and_other_activations():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(150, 600))
    T = np.eye(4)[rng.integers(0, 4, size=150)]

    def make():
        return akili.Network(
            [akili.Dense(600, 64, activation="tanh", bias=True), akili.Dense(64, 4, activation="softmax", bias=True)],
            loss="cross_entropy",
            learning_rate=0.01,
            rule="gradient",
            seed=2,
        )

    net = make()
    losses = [net.step(x, t) for x, t in zip(X, T)]
    assert all(isinstance(loss, float) and np.isfinite(loss) for loss in losses)
    reference = make()
    history = reference.fit(X, T, batch_size=1, shuffle=False)
    assert_close(weights(net), weights(reference))
    assert_close(
        [np.array([layer.bias for layer in net.layers[:1]])], [np.array([layer.bias for layer in reference.layers[:1]])]
    )
    np.testing.assert_allclose(np.mean(losses), history.loss[0], rtol=1e-12)


@pytest.mark.parametrize("n_in, hidden, n_out", SHAPES)
def test_step_loop_equals_fit_with_reads_in_between(n_in, hidden, n_out):
    # One-row step() where online blocks apply returns its loss at once and defers
    # the first layer's update to a block, applied before any read.
    X, T = book_data(150, n_in, n_out, seed=13)

    def make():
        return akili.Network(
            [akili.Dense(a, b, bias=True) for a, b in zip([n_in, *hidden], [*hidden, n_out])],
            learning_rate=0.1,
            seed=14,
        )

    net = make()
    reads = set(np.random.default_rng(15).choice(150, size=6, replace=False))
    losses = []
    for k, (x, t) in enumerate(zip(X, T), start=1):
        losses.append(net.step(x, t))
        if k in reads:
            assert_close(weights(net), fitted(make, X, T, k))
    assert_close(weights(net), fitted(make, X, T, 150))
    history = make().fit(X, T, batch_size=1, shuffle=False)
    np.testing.assert_allclose(np.mean(losses), history.loss[0], rtol=1e-12)


@pytest.mark.parametrize("hidden", [40, 200])
def test_train_and_step_interleave_in_order(hidden):
    X, T = book_data(130, 784, 10, seed=7)

    def make():
        return akili.NeuralNetwork(784, hidden, 10, learning_rate=0.2, seed=8)

    net = make()
    for i, (x, t) in enumerate(zip(X, T)):
        if i % 9 == 4:
            net.step(x, t)
        else:
            net.train(x, t)
    assert_close(weights(net), fitted(make, X, T, 130))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bad_input_is_refused_at_the_call_that_passes_it(dtype):
    X, T = book_data(100, 784, 10, seed=9)

    def make():
        return akili.NeuralNetwork(784, 50, 10, learning_rate=0.1, seed=1, dtype=dtype)

    net = make()
    for x, t in zip(X[:70], T[:70]):
        net.train(x, t)
    bad = X[70].copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"\[NeuralNetwork.train\] inputs contain NaN"):
        net.train(bad, T[70])
    with pytest.raises(ValueError, match=r"\[NeuralNetwork.train\] expected 784 columns"):
        net.train(X[70][:-1], T[70])
    with pytest.raises(TypeError, match=r"\[NeuralNetwork.train\] expected inputs as a real numeric array"):
        net.train(np.array(["a"] * 784), T[70])
    with pytest.raises(ValueError, match=r"\[NeuralNetwork.train\] .*targets"):
        net.train(X[70], np.full(10, np.inf))
    # Nothing refused reached the model: it is the model after the 70 good steps.
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    assert_close(weights(net), fitted(make, X.astype(dtype), T.astype(dtype), 70), rtol=tolerance)


def test_lists_and_other_dtypes_take_the_checked_path_with_the_same_result():
    X, T = book_data(80, 784, 10, seed=10)
    fast = akili.NeuralNetwork(784, 50, 10, seed=2)
    slow = akili.NeuralNetwork(784, 50, 10, seed=2)
    for x, t in zip(X, T):
        fast.train(x, t)
        slow.train(x.tolist(), list(t))
    np.testing.assert_array_equal(fast.wih, slow.wih)
    np.testing.assert_array_equal(fast.who, slow.who)


def diverging_run(count: int):
    """A book network with an absurd learning rate, so that some early step diverges."""
    rng = np.random.default_rng(11)
    X = rng.uniform(-1e3, 1e3, size=(count, 784))
    T = np.full((count, 10), 0.01)
    return X, T


def immediate_divergence(X, T):
    """The diverging step (1-based) and the weights left, stepping with step() one at a time."""
    reference = akili.NeuralNetwork(784, 40, 10, learning_rate=1e300, seed=5)
    for number, (x, t) in enumerate(zip(X, T), start=1):
        try:
            reference.step(x, t)
        except akili.DivergenceError:
            return number, weights(reference)
    raise AssertionError("the reference run did not diverge")


def test_a_queued_step_that_diverges_is_raised_by_the_next_observing_call():
    X, T = diverging_run(40)
    step, expected = immediate_divergence(X, T)
    assert step < 40
    net = akili.NeuralNetwork(784, 40, 10, learning_rate=1e300, seed=5)
    for x, t in zip(X, T):
        net.train(x, t)  # fewer than a block: nothing is applied yet, nothing raised
    with pytest.raises(
        akili.DivergenceError,
        match=rf"\[NeuralNetwork.train\] training diverged at step {step}\b"
        r".*not taken.*smaller learning rate",
    ):
        net.wih  # noqa: B018 - reading the weights applies the queue
    # The weights are those from before the diverging step, finite, exactly as
    # immediate steps leave them; the network stays usable.
    for got, want in zip(weights(net), expected):
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, want)
    net.learning_rate = 0.1
    net.train(np.full(784, 0.5), np.full(10, 0.01))
    assert np.isfinite(net.wih).all()


def test_divergence_in_a_later_block_names_the_step_and_keeps_the_good_ones():
    X, T = book_data(70, 784, 10, seed=12)
    net = akili.NeuralNetwork(784, 40, 10, learning_rate=0.1, seed=5)
    for x, t in zip(X, T):
        net.train(x, t)
    net.learning_rate = 1e300  # applies the 70 queued steps with the old rate
    reference = net.copy()
    Xd, Td = diverging_run(40)
    relative = None
    for number, (x, t) in enumerate(zip(Xd, Td), start=1):
        try:
            reference.step(x, t)
        except akili.DivergenceError:
            relative = number
            break
    assert relative is not None
    with pytest.raises(akili.DivergenceError, match=rf"diverged at step {70 + relative}\b"):
        for x, t in zip(Xd, Td):
            net.train(x, t)
        net.query(Xd[0])
    for got, want in zip(weights(net), weights(reference)):
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("hidden", [50, 200])
def test_a_queued_block_whose_first_layer_update_overflows_is_undone_exactly(hidden):
    # Every loss in the block stays finite (the hidden layer saturates), but the
    # block's first-layer update W += lr·Dᵀ·X overflows: the update's own check
    # finds it, and the replay names the first step whose weights are not finite.
    rng = np.random.default_rng(3)
    X = rng.uniform(0.5, 1.0, size=(5, 784)) * 1e10
    T = np.full((5, 10), 0.01)
    T[:, 3] = 0.99

    def make():
        net = akili.NeuralNetwork(784, hidden, 10, learning_rate=1e300, seed=5)
        net.wih = np.zeros_like(net.wih)  # σ'(0) = ¼: the first step's δ₀ is not zero
        return net

    reference = make()
    with pytest.raises(akili.DivergenceError, match=r"at step 1: a weight became non-finite"):
        for x, t in zip(X, T):
            reference.step(x, t, trace=True)  # immediate steps
    net = make()
    for x, t in zip(X, T):
        net.train(x, t)  # queued: nothing is applied, nothing raised
    with pytest.raises(
        akili.DivergenceError, match=r"\[NeuralNetwork.train\] training diverged at step 1: a weight became non-finite"
    ):
        net.who  # noqa: B018 - reading the weights applies the queue
    for got, want in zip(weights(net), weights(reference)):
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, want)
    net.learning_rate = 0.1  # still usable
    net.train(X[0] / 1e10, T[0])
    assert np.isfinite(net.wih).all()


def test_a_deferred_step_that_diverges_is_raised_by_it_or_the_next_observer():
    # 784-200: step() defers the first layer's update; trace=True steps at once.
    X, T = diverging_run(40)

    def make():
        return akili.NeuralNetwork(784, 200, 10, learning_rate=1e300, seed=5)

    reference = make()
    step = None
    for number, (x, t) in enumerate(zip(X, T), start=1):
        try:
            reference.step(x, t, trace=True)
        except akili.DivergenceError:
            step = number
            break
    assert step is not None and step < 40
    net = make()
    with pytest.raises(akili.DivergenceError, match=rf"training diverged at step {step}\b.*not taken"):
        for x, t in zip(X, T):
            net.step(x, t)
        net.wih  # noqa: B018 - reading the weights applies the deferred updates
    for got, want in zip(weights(net), weights(reference)):
        assert np.isfinite(got).all()
        np.testing.assert_array_equal(got, want)


def test_query_per_record_equals_the_batch_prediction():
    X, T = book_data(50, 784, 10, seed=13)
    for dtype in ("float64", "float32"):
        net = akili.NeuralNetwork(784, 50, 10, seed=1, dtype=dtype)
        net.fit(X, T, batch_size=1)
        batch = net.query(X.astype(dtype))
        for i, x in enumerate(X):
            one = net.query(x)  # float64 records into either network
            assert one.shape == (10,) and one.dtype == np.dtype(dtype)
            np.testing.assert_allclose(one, batch[i], rtol=1e-12 if dtype == "float64" else 1e-5)
            np.testing.assert_allclose(one, net.predict(x[None, :].astype(dtype))[0], rtol=1e-14)
        bad = X[0].copy()
        bad[0] = np.inf
        with pytest.raises(ValueError, match=r"\[NeuralNetwork.query\] inputs contain NaN or infinity"):
            net.query(bad)
        with pytest.raises(ValueError, match=r"\[Network.predict\] expected 784 columns"):
            net.predict(X[0][:-2])


def test_queued_steps_are_in_every_copy_and_save():
    X, T = book_data(30, 784, 10, seed=14)
    net = akili.NeuralNetwork(784, 50, 10, seed=1)
    for x, t in zip(X, T):
        net.train(x, t)
    expected = fitted(lambda: akili.NeuralNetwork(784, 50, 10, seed=1), X, T, 30)
    for other in (net.copy(), akili.loads(net.to_bytes())):
        assert_close(weights(other), expected)


def test_masked_and_frozen_first_layers_step_one_at_a_time_with_the_same_result():
    X, T = book_data(90, 784, 10, seed=15)
    mask = (np.random.default_rng(3).uniform(size=(50, 784)) > 0.3).astype(float)

    def make(masked: bool, frozen: bool):
        net = akili.NeuralNetwork(784, 50, 10, seed=6)
        if masked:
            net.layers[0].trainable_mask = mask
        net.layers[0].frozen = frozen
        return net

    for masked, frozen in ((True, False), (False, True)):
        net = make(masked, frozen)
        for x, t in zip(X, T):
            net.train(x, t)
        assert_close(weights(net), fitted(lambda: make(masked, frozen), X, T, 90))


def test_threads_training_their_own_networks_get_their_own_results():
    X, T = book_data(150, 784, 10, seed=16)
    nets = [akili.NeuralNetwork(784, 30, 10, seed=s) for s in (1, 2)]

    def loop(net):
        for x, t in zip(X, T):
            net.train(x, t)

    threads = [threading.Thread(target=loop, args=(net,)) for net in nets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed, net in zip((1, 2), nets):
        assert_close(weights(net), fitted(lambda s=seed: akili.NeuralNetwork(784, 30, 10, seed=s), X, T, 150))
