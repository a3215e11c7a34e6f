"""Bad input never crashes and never changes the model; odd but valid layouts
give the same numbers as C-contiguous arrays; the caller's arrays are never modified."""

from __future__ import annotations

import numpy as np
import pytest

import akili
from akili import datasets

N_IN, N_OUT = 3, 2
RNG = np.random.default_rng(20240)
X = RNG.uniform(0.01, 1.0, size=(6, N_IN))
T = RNG.uniform(0.01, 0.99, size=(6, N_OUT))


def network() -> akili.NeuralNetwork:
    return akili.NeuralNetwork(N_IN, 4, N_OUT, learning_rate=0.3, seed=11)


def with_value(array: np.ndarray, value: float) -> np.ndarray:
    bad = array.copy()
    bad[1, 0] = value
    return bad


BAD_INPUTS = {
    "nan": (with_value(X, np.nan), ValueError, "NaN or infinity"),
    "inf": (with_value(X, np.inf), ValueError, "NaN or infinity"),
    "-inf": (with_value(X, -np.inf), ValueError, "NaN or infinity"),
    "too large for float32 stays refused in float64 only when inf": (with_value(X, 1e309), ValueError, "NaN"),
    "rank 3": (X.reshape(6, N_IN, 1), ValueError, "2-D array"),
    "rank 0": (np.float64(1.0), ValueError, "2-D array"),
    "wrong columns": (X[:, :2], ValueError, "expected 3 columns"),
    "empty rows": (np.zeros((0, N_IN)), ValueError, "at least one sample"),
    "empty 1-D": (np.zeros(0), ValueError, "expected 3 columns"),
    "object": (X.astype(object), TypeError, "real numeric"),
    "complex": (X.astype(complex), TypeError, "real numeric"),
    "string": (X.astype(str), TypeError, "real numeric"),
    "bytes": (X.astype("S8"), TypeError, "real numeric"),
    "datetime": (np.zeros((6, N_IN), dtype="datetime64[s]"), TypeError, "real numeric"),
    "None": (None, TypeError, "real numeric"),
    "ragged list": ([[1.0, 2.0, 3.0], [1.0, 2.0]], ValueError, "cannot read"),
    "masked entries": (np.ma.masked_array(X, mask=np.eye(6, N_IN, dtype=bool)), ValueError, "masked"),
}

BAD_TARGETS = {
    "nan": (with_value(T, np.nan), ValueError, "NaN or infinity"),
    "inf": (with_value(T, np.inf), ValueError, "NaN or infinity"),
    "fewer rows": (T[:5], ValueError, "expected 6 target rows"),
    "more rows": (np.vstack([T, T[:1]]), ValueError, "expected 6 target rows"),
    "wrong columns": (np.full((6, 3), 0.5), ValueError, "expected 2 columns"),
    "integer labels": (np.array([0, 1, 1, 0, 1, 0]), ValueError, "one_hot"),
    "negative labels": (np.array([-1, 1, 1, 0, 1, 0]), ValueError, "one_hot"),
    "object": (T.astype(object), TypeError, "real numeric"),
    "string": (T.astype(str), TypeError, "real numeric"),
    "rank 3": (T.reshape(6, N_OUT, 1), ValueError, "2-D array"),
    "ragged list": ([[0.5, 0.5]] * 5 + [[0.5]], ValueError, "cannot read"),
}

INPUT_CALLS = {
    "predict": lambda net, x: net.predict(x),
    "query": lambda net, x: net.query(x),
    "forward": lambda net, x: net.forward(x, trace=True),
    "fit": lambda net, x: net.fit(x, T, epochs=1),
    "step": lambda net, x: net.step(x, T),
    "loss_value": lambda net, x: net.loss_value(x, T),
    "evaluate": lambda net, x: net.evaluate(x, T),
    "validation_data": lambda net, x: net.fit(X, T, validation_data=(x, T)),
}

TARGET_CALLS = {
    "fit": lambda net, t: net.fit(X, t, epochs=1),
    "step": lambda net, t: net.step(X, t),
    "loss_value": lambda net, t: net.loss_value(X, t),
    "evaluate": lambda net, t: net.evaluate(X, t),
    "validation_data": lambda net, t: net.fit(X, T, validation_data=(X, t)),
}


def state(net: akili.Network) -> list[np.ndarray]:
    return [layer.weights.copy() for layer in net.layers]


def assert_unchanged(net: akili.Network) -> None:
    """Same weights as a fresh twin, and the same training afterwards (random state untouched)."""
    twin = network()
    for got, expected in zip(state(net), state(twin)):
        np.testing.assert_array_equal(got, expected)
    net.fit(X, T, epochs=2)
    twin.fit(X, T, epochs=2)
    for got, expected in zip(state(net), state(twin)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("call", INPUT_CALLS)
@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_inputs_raise_clear_errors_and_leave_the_model(call, case):
    values, error, words = BAD_INPUTS[case]
    net = network()
    with pytest.raises(error) as raised:
        INPUT_CALLS[call](net, values)
    message = str(raised.value)
    assert message.startswith(("[Network.", "[NeuralNetwork.")) and words in message, message
    assert_unchanged(net)


@pytest.mark.parametrize("call", TARGET_CALLS)
@pytest.mark.parametrize("case", BAD_TARGETS)
def test_bad_targets_raise_clear_errors_and_leave_the_model(call, case):
    values, error, words = BAD_TARGETS[case]
    net = network()
    with pytest.raises(error) as raised:
        TARGET_CALLS[call](net, values)
    message = str(raised.value)
    assert message.startswith(("[Network.", "[NeuralNetwork.")) and words in message, message
    assert_unchanged(net)


@pytest.mark.parametrize(
    "arguments, words",
    [
        ({"epochs": 0}, "epochs >= 1"),
        ({"epochs": 1.5}, "epochs as an integer"),
        ({"batch_size": 0}, "batch_size >= 1"),
        ({"batch_size": True}, "batch_size as an integer"),
        ({"progress_every": -1}, "progress_every >= 0"),
        ({"validation_data": (X,)}, "validation_data as a pair"),
    ],
)
def test_bad_fit_settings_are_refused_before_training(arguments, words):
    net = network()
    with pytest.raises((ValueError, TypeError), match=words):
        net.fit(X, T, **arguments)
    assert_unchanged(net)


def test_counts_beyond_the_data_and_beyond_64_bits_are_accepted():
    """batch_size / progress_every larger than the data (even than size_t) mean 'all of it'."""
    net, twin = network(), network()
    net.fit(X, T, epochs=1, batch_size=2**70, progress_every=2**70, on_progress=lambda done, epoch: None)
    twin.fit(X, T, epochs=1, batch_size=len(X))
    for got, expected in zip(state(net), state(twin)):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "build, error, words",
    [
        (lambda: akili.NeuralNetwork(3, 4, 2, seed=-1), ValueError, "seed >= 0"),
        (lambda: akili.NeuralNetwork(3, 4, 2, seed=2**64), ValueError, "seed < 2\\*\\*64"),
        (lambda: akili.NeuralNetwork(3, 4, 2, learning_rate=0.0), ValueError, "positive finite learning rate"),
        (lambda: akili.NeuralNetwork(3, 4, 2, learning_rate=float("nan")), ValueError, "positive finite"),
        (lambda: akili.NeuralNetwork(3, 4, 2, learning_rate=1e300, dtype="float32"), ValueError, "positive finite"),
        (lambda: akili.NeuralNetwork(3, 4, 2, dtype="int32"), ValueError, "float32' or 'float64"),
        (lambda: akili.Dense(0, 3), ValueError, "inputs >= 1"),
        (lambda: akili.Dense(3.0, 3), TypeError, "inputs as an integer"),
        (lambda: akili.Dense(2**63, 1), ValueError, "below 2\\*\\*62"),
        (lambda: akili.Network([akili.Dense(3, 2, activation="relu")], loss="cross_entropy"), ValueError, "softmax"),
    ],
)
def test_bad_construction_is_refused(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_impossible_sizes_give_memory_error_not_a_crash():
    with pytest.raises(MemoryError, match=r"\[Network\] cannot allocate"):
        akili.Network([akili.Dense(2**40, 2**40)])


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda net: setattr(net, "learning_rate", -1.0), "positive finite"),
        (lambda net: setattr(net, "rule", "sideways"), "unknown rule"),
        (lambda net: setattr(net.layers[0], "weights", np.full((4, 3), np.nan)), "NaN"),
        (lambda net: setattr(net.layers[0], "weights", np.zeros((3, 4))), "columns"),
        (lambda net: setattr(net.layers[0], "trainable_mask", np.full((4, 3), 2.0)), "0 .frozen. or 1"),
        (lambda net: setattr(net.layers[0], "bias", np.ones(4)), "bias=False"),
        (lambda net: net.backquery(np.full(2, 1.5)), "inverted"),
    ],
)
def test_bad_changes_are_refused_and_leave_the_model(change, words):
    net = network()
    with pytest.raises(ValueError, match=words):
        change(net)
    assert net.learning_rate == 0.3 and net.rule == "transpose"
    assert_unchanged(net)


def test_train_wants_one_example():
    net = network()
    with pytest.raises(ValueError, match=r"\[NeuralNetwork.train\] expected one example"):
        net.train(X, T)
    assert_unchanged(net)


def odd_layouts(array: np.ndarray) -> dict[str, np.ndarray]:
    wide = np.zeros((array.shape[0] * 2, array.shape[1] * 3))
    wide[::2, ::3] = array
    read_only = array.copy()
    read_only.flags.writeable = False
    return {
        "fortran": np.asfortranarray(array),
        "strided": wide[::2, ::3],
        "read-only": read_only,
        "big-endian": array.astype(">f8"),
        "float32 input": array.astype(np.float32).astype(np.float64).astype(np.float32),
        "list": array.tolist(),
        "reversed rows view": array[::-1][::-1],
    }


@pytest.mark.parametrize("layout", list(odd_layouts(X)))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_odd_layouts_give_the_same_results(layout, dtype):
    x_base = X.astype(np.float32).astype(np.float64) if layout == "float32 input" else X
    x_odd, t_odd = odd_layouts(x_base)[layout], odd_layouts(T)[layout]
    t_base = T.astype(np.float32).astype(np.float64) if layout == "float32 input" else T
    plain = akili.NeuralNetwork(N_IN, 4, N_OUT, seed=5, dtype=dtype)
    odd = akili.NeuralNetwork(N_IN, 4, N_OUT, seed=5, dtype=dtype)
    np.testing.assert_array_equal(odd.predict(x_odd), plain.predict(x_base))
    assert odd.loss_value(x_odd, t_odd) == plain.loss_value(x_base, t_base)
    odd.fit(x_odd, t_odd, epochs=3, batch_size=2)
    plain.fit(x_base, t_base, epochs=3, batch_size=2)
    odd.step(x_odd, t_odd)
    plain.step(x_base, t_base)
    for got, expected in zip(state(odd), state(plain)):
        np.testing.assert_array_equal(got, expected)


def test_the_callers_arrays_are_never_modified():
    for dtype in (np.float64, np.float32):
        x, t = X.astype(dtype), T.astype(dtype)
        x_copy, t_copy = x.copy(), t.copy()
        net = akili.NeuralNetwork(N_IN, 4, N_OUT, seed=1, dtype=dtype)
        net.fit(x, t, epochs=2, validation_data=(x, t))
        net.step(x, t)
        net.step(x[0], t[0])
        net.train(x[0], t[0])
        net.predict(x)
        net.forward(x, trace=True)
        net.evaluate(x, t)
        net.layers[0].weights = net.layers[0].weights  # a read-only copy goes in and comes back
        np.testing.assert_array_equal(x, x_copy)
        np.testing.assert_array_equal(t, t_copy)


def test_weights_read_back_are_read_only_copies():
    net = network()
    weights = net.wih
    with pytest.raises(ValueError):
        weights[0, 0] = 5.0
    net.fit(X, T, epochs=1)
    assert not np.array_equal(weights, net.wih)  # a copy, not a live view


@pytest.mark.parametrize(
    "labels, words",
    [
        ([0, -1, 2], "label -1 at index 1 is out of range"),
        ([0, 3, 2], "label 3 at index 1 is out of range"),
        ([0, 1.5], "not an integer"),
        ([0, np.nan], "not an integer"),
        (["a", "b"], "integers"),
        ([[0, 1]], "1-D"),
    ],
)
def test_one_hot_refuses_bad_labels(labels, words):
    with pytest.raises(ValueError, match=words):
        datasets.one_hot(labels, 3)


def test_paths_with_a_nul_byte_are_refused(tmp_path):
    """A NUL would end the name early in the C API: "a\\0b" must not write "a"."""
    net = network()
    target = tmp_path / "model"
    with pytest.raises(ValueError, match="NUL byte"):
        net.save(str(target) + "\0.akili")
    with pytest.raises(ValueError, match="NUL byte"):
        akili.load(str(target) + "\0.akili")
    assert list(tmp_path.iterdir()) == []


sklearn = pytest.importorskip("sklearn")


def test_sklearn_estimators_refuse_bad_input_clearly():
    from sklearn.exceptions import NotFittedError

    from akili.sklearn import AkiliClassifier, AkiliRegressor

    y = np.array([0, 1, 0, 1, 0, 1])
    classifier = AkiliClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.raises(NotFittedError):
        classifier.predict(X)
    with pytest.raises(ValueError):
        classifier.fit(with_value(X, np.nan), y)
    with pytest.raises(ValueError):
        classifier.fit(X, y[:5])
    with pytest.raises(ValueError):
        classifier.fit(X.astype(str).astype(object) + "x", y)
    classifier.fit(X, y)
    before = [layer.weights.copy() for layer in classifier.network_.layers]
    with pytest.raises(ValueError, match="not among classes_"):
        classifier.partial_fit(X, np.array([0, 1, 2, 1, 0, 1]))
    with pytest.raises(ValueError):
        classifier.predict(X[:, :2])
    for got, expected in zip((layer.weights for layer in classifier.network_.layers), before):
        np.testing.assert_array_equal(got, expected)
    regressor = AkiliRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.raises(ValueError):
        regressor.fit(X, with_value(T, np.inf))
    with pytest.raises(ValueError):
        AkiliRegressor(learning_rate_init=-1.0).fit(X, T)
