"""fit's callbacks: early stopping (and restoring the best epoch), checkpoints that
load, learning-rate schedules that give their documented rates."""

from __future__ import annotations

import math

import numpy as np
import pytest

import akili
from akili import callbacks
from akili._history import History


def overfitting_setup(seed=0):
    """A small noisy training set and a validation set: the validation loss falls, then rises."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(24, 4))
    T = (X[:, :1] > 0).astype(float) * 0.8 + 0.1
    T_noisy = np.where(rng.uniform(size=T.shape) < 0.3, 0.9 - T + 0.1, T)  # some labels flipped
    X_val = rng.normal(size=(200, 4))
    T_val = (X_val[:, :1] > 0).astype(float) * 0.8 + 0.1
    layers = [akili.Dense(4, 16, activation="tanh", bias=True), akili.Dense(16, 1, bias=True)]
    net = akili.Network(layers, learning_rate=0.05, seed=seed, optimizer="adam", rule="gradient")
    return net, X, T_noisy, X_val, T_val


class Recorder(callbacks.Callback):
    """The weights after every epoch."""

    def on_train_begin(self, network, history):
        self.weights = []

    def on_epoch_end(self, epoch, network, history):
        self.weights.append([np.array(layer.weights) for layer in network.layers])


def test_early_stopping_restores_the_best_epochs_weights():
    net, X, T, X_val, T_val = overfitting_setup()
    recorder = Recorder()
    stopper = callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    history = net.fit(X, T, epochs=300, batch_size=4, validation_data=(X_val, T_val), callbacks=[recorder, stopper])
    best = int(np.argmin(history.val_loss))
    assert stopper.stopped_epoch is not None and history.stopped
    assert stopper.best_epoch == best
    assert history.epochs == best + 1 + 5  # stopped after five epochs without improvement
    assert stopper.best == history.val_loss[best]
    for layer, weights in zip(net.layers, recorder.weights[best]):
        np.testing.assert_array_equal(layer.weights, weights)
    assert net.loss_value(X_val, T_val) == pytest.approx(history.val_loss[best], rel=1e-12)


def test_early_stopping_without_restoring_keeps_the_last_weights_and_min_delta_counts():
    net, X, T, X_val, T_val = overfitting_setup(seed=1)
    recorder = Recorder()
    stopper = callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e9)  # nothing improves by 1e9
    history = net.fit(X, T, epochs=50, callbacks=[recorder, stopper])
    assert stopper.best_epoch == 0 and history.epochs == 3
    for layer, weights in zip(net.layers, recorder.weights[-1]):
        np.testing.assert_array_equal(layer.weights, weights)


def test_model_checkpoint_files_load_and_hold_the_epochs_weights(tmp_path):
    net, X, T, X_val, T_val = overfitting_setup(seed=2)
    recorder = Recorder()
    every = callbacks.ModelCheckpoint(tmp_path / "every-{epoch:02d}.akili", monitor="loss")
    best = callbacks.ModelCheckpoint(tmp_path / "best.akili", save_best_only=True)
    history = net.fit(X, T, epochs=12, batch_size=4, validation_data=(X_val, T_val), callbacks=[recorder, every, best])
    assert every.saved == [str(tmp_path / f"every-{epoch:02d}.akili") for epoch in range(1, 13)]
    for epoch in (0, 5, 11):
        loaded = akili.load(every.saved[epoch])
        for layer, weights in zip(loaded.layers, recorder.weights[epoch]):
            np.testing.assert_array_equal(layer.weights, weights)
    best_epoch = int(np.argmin(history.val_loss))
    loaded = akili.load(tmp_path / "best.akili")
    for layer, weights in zip(loaded.layers, recorder.weights[best_epoch]):
        np.testing.assert_array_equal(layer.weights, weights)
    assert 1 <= len(best.saved) <= 12


class FakeNetwork:
    """What ReduceLROnPlateau reads and writes: the learning rate."""

    learning_rate = 1.0


def test_reduce_lr_on_plateau_follows_its_rule():
    network, history = FakeNetwork(), History()
    plateau = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, min_delta=0.0, cooldown=1)
    plateau.on_train_begin(network, history)
    rates = []
    for loss in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85]:
        history.loss.append(loss)
        plateau.on_epoch_end(len(history.loss) - 1, network, history)
        rates.append(network.learning_rate)
    # Two epochs without improvement (2, 3) halve the rate; one epoch of cooldown (4);
    # two more (5, 6) halve it again; 0.8 improves; 8 and 9 halve it a third time.
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]
    floor = callbacks.ReduceLROnPlateau(monitor="loss", factor=0.1, patience=0, min_lr=0.3)
    network.learning_rate = 1.0
    floor.on_train_begin(network, History(loss=[1.0]))
    floor.on_epoch_end(0, network, History(loss=[1.0]))
    floor.on_epoch_end(1, network, History(loss=[1.0, 1.0]))
    assert network.learning_rate == 0.3  # never below min_lr


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (callbacks.StepDecay(1.0, factor=0.5, every=2), [1.0, 1.0, 0.5, 0.5, 0.25]),
        (callbacks.ExponentialDecay(0.1, rate=0.9), [0.1 * 0.9**e for e in range(5)]),
        (
            callbacks.CosineDecay(1.0, epochs=4, minimum=0.2),
            [0.2 + 0.8 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)] + [0.2],
        ),
        (callbacks.InverseScaling(0.5, power_t=0.5), [0.5 / math.sqrt(e + 1) for e in range(5)]),
    ],
    ids=["step", "exponential", "cosine", "inverse-scaling"],
)
def test_schedules_give_their_documented_rates_in_fit(schedule, expected):
    net, X, T, _, _ = overfitting_setup()
    seen = []
    history = net.fit(
        X,
        T,
        epochs=5,
        on_epoch=lambda epoch, history: seen.append(net.learning_rate),
        callbacks=[callbacks.LearningRateScheduler(schedule)],
    )
    assert history.epochs == 5
    assert seen == pytest.approx(expected, rel=1e-15)


def test_a_schedule_function_and_on_epoch_work_together_and_either_stops():
    net, X, T, _, _ = overfitting_setup()
    halve = callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2)
    history = net.fit(X, T, epochs=10, on_epoch=lambda epoch, history: epoch < 2, callbacks=[halve])
    assert history.epochs == 3 and history.stopped
    assert net.learning_rate == 0.05 / 8

    class StopAtTwo(callbacks.Callback):
        def on_epoch_end(self, epoch, network, history):
            return epoch < 1

    history = net.fit(X, T, epochs=10, callbacks=[StopAtTwo()])
    assert history.epochs == 2 and history.stopped


def test_callbacks_in_a_streamed_fit():
    net, X, T, _, _ = overfitting_setup()
    batches = [(X[:12], T[:12]), (X[12:], T[12:])]
    stopper = callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    history = net.fit(lambda: iter(batches), epochs=10, callbacks=[stopper])
    assert history.epochs == 2 and history.stopped


def test_bad_callbacks_are_refused_with_the_call_and_what_arrived():
    net, X, T, _, _ = overfitting_setup()
    with pytest.raises(TypeError, match=r"\[Network.fit\] expected callbacks as a list"):
        net.fit(X, T, callbacks=callbacks.EarlyStopping())
    with pytest.raises(
        TypeError, match=r"\[Network.fit\] expected callbacks with on_epoch_end .* got int at position 0"
    ):
        net.fit(X, T, callbacks=[3])
    with pytest.raises(ValueError, match=r"\[EarlyStopping\] monitor='val_loss' needs fit\(\.\.\., validation_data"):
        net.fit(X, T, callbacks=[callbacks.EarlyStopping()])
    with pytest.raises(ValueError, match=r"\[EarlyStopping\] expected monitor as one of val_loss, loss, got 'acc'"):
        callbacks.EarlyStopping(monitor="acc")
    with pytest.raises(ValueError, match=r"\[ReduceLROnPlateau\] expected factor below 1"):
        callbacks.ReduceLROnPlateau(factor=2.0)
    with pytest.raises(ValueError, match=r"\[StepDecay\] expected initial as a finite number > 0, got -1"):
        callbacks.StepDecay(-1)
    with pytest.raises(ValueError, match=r"\[LearningRateScheduler\] expected the schedule to return a positive"):
        net.fit(X, T, callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)])
    with pytest.raises(ValueError, match=r"\[ModelCheckpoint\] expected a path whose only field is \{epoch\}"):
        callbacks.ModelCheckpoint("model-{loss}.akili")
