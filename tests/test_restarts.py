"""akili.restarts: seeded networks trained in parallel native threads; every run
reported, the best kept, each run determined by its seed alone."""

from __future__ import annotations

import _thread
import threading

import numpy as np
import pytest

import akili


def _xor_data() -> tuple[np.ndarray, np.ndarray]:
    # XOR needs the hidden layer: from some starting points SGD stalls in a
    # local minimum, which is exactly what restarts are for.
    inputs = np.array([[0.01, 0.01], [0.01, 0.99], [0.99, 0.01], [0.99, 0.99]])
    targets = np.array([[0.01], [0.99], [0.99], [0.01]])
    return np.tile(inputs, (8, 1)), np.tile(targets, (8, 1))


def _make(seed: int) -> akili.Network:
    return akili.NeuralNetwork(2, 3, 1, learning_rate=0.5, seed=seed)


def test_restarts_match_sequential_training_seed_by_seed():
    inputs, targets = _xor_data()
    result = akili.restarts(_make, inputs, targets, n=6, epochs=40, threads=3)
    assert result.seeds == list(range(6))
    assert len(result.networks) == len(result.histories) == len(result.scores) == 6
    for seed, network, history, score in zip(result.seeds, result.networks, result.histories, result.scores):
        # The same network trained alone, in this thread, ends bit-identical.
        alone = _make(seed)
        expected = alone.fit(inputs, targets, epochs=40)
        np.testing.assert_array_equal(network.layers[0].weights, alone.layers[0].weights)
        np.testing.assert_array_equal(network.layers[1].weights, alone.layers[1].weights)
        assert history.loss == expected.loss
        assert history.accuracy == expected.accuracy
        assert score == alone.loss_value(inputs, targets)
    assert result.best_index == int(np.argmin(result.scores))
    assert result.best is result.networks[result.best_index]
    # The runs really started from different points and ended apart.
    assert len(set(result.scores)) == 6


def test_thread_count_does_not_change_results():
    inputs, targets = _xor_data()
    one = akili.restarts(_make, inputs, targets, seeds=[5, 9, 11], epochs=25, threads=1)
    many = akili.restarts(_make, inputs, targets, seeds=[5, 9, 11], epochs=25, threads=3)
    assert one.scores == many.scores
    assert [h.loss for h in one.histories] == [h.loss for h in many.histories]
    assert one.best_index == many.best_index


def test_best_uses_validation_data_when_given():
    inputs, targets = _xor_data()
    val_inputs, val_targets = inputs[:4], targets[:4]
    result = akili.restarts(
        _make,
        inputs,
        targets,
        n=4,
        epochs=10,
        validation_data=(val_inputs, val_targets),
        threads=2,
        batch_size=4,
        shuffle=False,
    )
    expected = [network.loss_value(val_inputs, val_targets) for network in result.networks]
    assert result.scores == expected
    assert result.best_index == int(np.argmin(expected))


def test_diverging_run_is_reported_not_chosen():
    inputs, targets = _xor_data()

    def make(seed: int) -> akili.Network:
        # Seed 1 gets a sane learning rate; with lr = 1e6 the others' weights overflow.
        rate = 0.01 if seed == 1 else 1e6
        return akili.Network(
            [akili.Dense(2, 3, activation="tanh"), akili.Dense(3, 1, activation="identity")],
            loss="mse",
            learning_rate=rate,
            seed=seed,
        )

    result = akili.restarts(make, inputs, targets, n=3, epochs=5, threads=2)
    assert result.errors[0] and result.errors[2] and not result.errors[1]
    assert "diverged" in result.errors[0]
    assert np.isnan(result.scores[0]) and result.best_index == 1


def test_ctrl_c_stops_every_run():
    inputs = np.random.default_rng(0).uniform(size=(2000, 20))
    targets = np.full((2000, 1), 0.5)

    def make(seed: int) -> akili.Network:
        return akili.NeuralNetwork(20, 64, 1, seed=seed)

    # Simulate Ctrl-C: a timer interrupts the main thread while the runs train.
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            akili.restarts(make, inputs, targets, n=4, epochs=100000, threads=2)
    finally:
        timer.cancel()


def test_bad_arguments_are_refused():
    inputs, targets = _xor_data()
    with pytest.raises(TypeError, match="make_network"):
        akili.restarts(None, inputs, targets)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="returned int"):
        akili.restarts(lambda seed: seed, inputs, targets, n=2)  # type: ignore[arg-type,return-value]
    shared = _make(0)
    with pytest.raises(ValueError, match="same network twice"):
        akili.restarts(lambda seed: shared, inputs, targets, n=2)
    with pytest.raises(ValueError, match="share dtype and sizes"):
        akili.restarts(lambda seed: akili.NeuralNetwork(2, 3, 1 + seed, seed=seed), inputs, targets, n=2)
    with pytest.raises(ValueError, match="expected 2 columns"):
        akili.restarts(_make, inputs[:, :1], targets, n=2)
    with pytest.raises(ValueError, match="n >= 1"):
        akili.restarts(_make, inputs, targets, n=0)
    with pytest.raises(ValueError, match="NaN"):
        akili.restarts(_make, np.full((4, 2), np.nan), targets[:4], n=2)
