"""Optimizers against their published formulas: each one written out again below
in NumPy, as torch.optim documents it, stepped beside the core on 2- and 3-layer
networks (gradients from the NumPy oracle), and compared to 1e-12; against
torch.optim itself where PyTorch is installed; float32; bad settings."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import akili
from akili import optimizers

# (2-layer and 3-layer) networks: (inputs, outputs, activation, bias) per layer.
SHAPES = {
    "2-layer": [(3, 5, "tanh", True), (5, 2, "sigmoid", True)],
    "3-layer": [(4, 6, "tanh", True), (6, 5, "sigmoid", False), (5, 3, "identity", True)],
}

CASES = [
    optimizers.SGD(momentum=0.9),
    optimizers.SGD(momentum=0.9, nesterov=True),
    optimizers.SGD(momentum=0.5, dampening=0.3, weight_decay=0.01),
    optimizers.SGD(weight_decay=0.05),
    optimizers.SGD(momentum=0.9, nesterov=True, weight_decay=0.01),
    optimizers.Adagrad(),
    optimizers.Adagrad(lr_decay=0.1, weight_decay=0.01, initial_accumulator_value=0.1),
    optimizers.RMSprop(),
    optimizers.RMSprop(momentum=0.9, weight_decay=0.01),
    optimizers.RMSprop(centered=True, momentum=0.5),
    optimizers.Adam(),
    optimizers.Adam(beta_1=0.8, beta_2=0.99, weight_decay=0.01),
    optimizers.AdamW(),
    optimizers.AdamW(weight_decay=0.1, epsilon=1e-6),
    optimizers.Rprop(),
    optimizers.Rprop(eta_minus=0.3, eta_plus=1.5, step_min=1e-4, step_max=0.02),
]


class NumpyOptimizer:
    """One optimizer over a list of arrays θ, from the formulas in torch.optim's documentation."""

    def __init__(self, optimizer: optimizers.Optimizer, shapes: list[tuple[int, ...]]) -> None:
        self.name = optimizer.name
        self.s = optimizer.settings
        self.t = 0
        zeros = [np.zeros(shape) for shape in shapes]
        self.a = [z.copy() for z in zeros]  # b (sgd, rmsprop), sum (adagrad), m (adam), g' (rprop)
        self.b = [z.copy() for z in zeros]  # v (rmsprop, adam), η (rprop)
        self.c = [z.copy() for z in zeros]  # g_avg (rmsprop, centered)
        if self.name == "adagrad":
            self.a = [z + self.s["initial_accumulator_value"] for z in zeros]

    def step(self, params: list[np.ndarray], grads: list[np.ndarray], lr: float) -> None:
        self.t += 1
        s, t = self.s, self.t
        for i, (p, g) in enumerate(zip(params, grads)):
            g = g.copy()
            decay = s.get("weight_decay", 0.0)
            if self.name == "adamw":
                p -= lr * decay * p  # decoupled: θ ← θ − γλθ
            elif decay:
                g = g + decay * p  # coupled: g ← g + λθ
            if self.name == "sgd":
                if s["momentum"]:
                    self.a[i] = g.copy() if t == 1 else s["momentum"] * self.a[i] + (1 - s["dampening"]) * g
                    g = g + s["momentum"] * self.a[i] if s["nesterov"] else self.a[i]
                p -= lr * g
            elif self.name == "adagrad":
                rate = lr / (1 + (t - 1) * s["lr_decay"])
                self.a[i] = self.a[i] + g * g
                p -= rate * g / (np.sqrt(self.a[i]) + s["epsilon"])
            elif self.name == "rmsprop":
                self.b[i] = s["alpha"] * self.b[i] + (1 - s["alpha"]) * g * g
                v = self.b[i]
                if s["centered"]:
                    self.c[i] = s["alpha"] * self.c[i] + (1 - s["alpha"]) * g
                    v = v - self.c[i] ** 2
                if s["momentum"] > 0:
                    self.a[i] = s["momentum"] * self.a[i] + g / (np.sqrt(v) + s["epsilon"])
                    p -= lr * self.a[i]
                else:
                    p -= lr * g / (np.sqrt(v) + s["epsilon"])
            elif self.name in ("adam", "adamw"):
                self.a[i] = s["beta_1"] * self.a[i] + (1 - s["beta_1"]) * g
                self.b[i] = s["beta_2"] * self.b[i] + (1 - s["beta_2"]) * g * g
                m_hat = self.a[i] / (1 - s["beta_1"] ** t)
                v_hat = self.b[i] / (1 - s["beta_2"] ** t)
                p -= lr * m_hat / (np.sqrt(v_hat) + s["epsilon"])  # the textbook order of operations
            elif self.name == "rprop":
                if t == 1:
                    self.b[i] = np.full(p.shape, lr)
                sign = np.sign(g * self.a[i])
                eta = np.where(sign > 0, s["eta_plus"], np.where(sign < 0, s["eta_minus"], 1.0))
                self.b[i] = np.clip(self.b[i] * eta, s["step_min"], s["step_max"])
                g = np.where(sign < 0, 0.0, g)
                p -= np.sign(g) * self.b[i]
                self.a[i] = g


def build(shape, optimizer, *, rule="gradient", lr=0.05, dtype="float64", seed=3):
    layers = [akili.Dense(i, o, activation=f, bias=b) for i, o, f, b in shape]
    return akili.Network(
        layers, loss="squared_error", rule=rule, learning_rate=lr, dtype=dtype, seed=seed, optimizer=optimizer
    )


def batches(shape, steps, seed=0):
    """`steps` batches of 1 to 5 rows (single examples included)."""
    rng = np.random.default_rng(seed)
    n_in, n_out = shape[0][0], shape[-1][1]
    for k in range(steps):
        rows = 1 if k % 4 == 3 else 2 + k % 4
        yield rng.normal(size=(rows, n_in)), rng.uniform(0.1, 0.9, size=(rows, n_out))


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


@pytest.mark.parametrize("rule", ["gradient", "transpose"])
@pytest.mark.parametrize("shape_name", list(SHAPES))
@pytest.mark.parametrize("optimizer", CASES, ids=repr)
def test_optimizer_matches_the_published_formula(optimizer, shape_name, rule):
    shape = SHAPES[shape_name]
    net = build(shape, optimizer, rule=rule)
    weights = [np.array(layer.weights) for layer in net.layers]
    biases = [None if layer.bias is None else np.array(layer.bias) for layer in net.layers]
    activations = [f for _, _, f, _ in shape]
    params = weights + [b for b in biases if b is not None]
    reference = NumpyOptimizer(optimizer, [p.shape for p in params])
    for step, (X, T) in enumerate(batches(shape, 24)):
        lr = 0.05 if step < 12 else 0.02  # a changed learning rate applies from the next step
        net.learning_rate = lr
        outputs = oracle.forward(weights, biases, activations, X)
        _, deltas = oracle._backward(weights, activations, outputs, T, "squared_error", rule)
        n = X.shape[0]
        grads_w = [-(D.T @ I) / n for D, I in zip(deltas, outputs[:-1])]  # g = -(1/n)·Dᵀ·I
        grads_b = [-D.sum(axis=0) / n for D, b in zip(deltas, biases) if b is not None]
        reference.step(params, grads_w + grads_b, lr)
        net.step(X[0] if n == 1 else X, T[0] if n == 1 else T)
    for k, layer in enumerate(net.layers):
        assert relative_difference(layer.weights, weights[k]) <= 1e-12, k
        if biases[k] is not None:
            assert relative_difference(layer.bias, biases[k]) <= 1e-12, k


@pytest.mark.parametrize("optimizer", CASES, ids=repr)
def test_fit_equals_the_same_steps_one_batch_at_a_time(optimizer):
    """fit's epochs take the same reference path as step(): shuffled batches of 3 and online."""
    shape = SHAPES["2-layer"]
    rng = np.random.default_rng(5)
    X, T = rng.normal(size=(10, 3)), rng.uniform(0.1, 0.9, size=(10, 2))
    for batch_size in (1, 3):
        fitted, stepped = build(shape, optimizer), build(shape, optimizer)
        fitted.fit(X, T, epochs=2, batch_size=batch_size, shuffle=False)
        for _ in range(2):
            for start in range(0, 10, batch_size):
                stepped.step(X[start : start + batch_size], T[start : start + batch_size])
        for a, b in zip(fitted.layers, stepped.layers):
            np.testing.assert_array_equal(a.weights, b.weights)


@pytest.mark.parametrize("optimizer", [optimizers.Adam(weight_decay=0.01), optimizers.SGD(momentum=0.9)], ids=repr)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pipelined_batches_equal_steps_on_a_layer_split_into_bands(optimizer, dtype):
    """fit's mini-batches step the first layer band by band fused with the next batch's
    forward pass; on a layer wide enough to split across threads, and with a last batch
    of one row, the result is still step()'s, bit for bit."""
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(161, 300)), np.eye(10)[rng.integers(0, 10, size=161)]

    def make() -> akili.Network:
        layers = [
            akili.Dense(300, 256, activation="relu", bias=True),
            akili.Dense(256, 10, activation="softmax", bias=True),
        ]
        return akili.Network(
            layers, loss="cross_entropy", rule="gradient", learning_rate=1e-3, dtype=dtype, seed=3, optimizer=optimizer
        )

    fitted, stepped = make(), make()
    fitted.fit(X, T, epochs=2, batch_size=32, shuffle=False)
    for _ in range(2):
        for start in range(0, 161, 32):
            stepped.step(X[start : start + 32], T[start : start + 32])
    for a, b in zip(fitted.layers, stepped.layers, strict=True):
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.bias, b.bias)


@pytest.mark.parametrize("optimizer", CASES, ids=repr)
def test_float32_trains(optimizer):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    T = (X[:, :2] > 0).astype(np.float32) * 0.8 + 0.1
    net = build(SHAPES["2-layer"], optimizer, dtype="float32", lr=0.01)
    before = net.loss_value(X, T)
    history = net.fit(X, T, epochs=15, batch_size=8)
    assert net.layers[0].weights.dtype == np.float32
    assert all(np.isfinite(layer.weights).all() for layer in net.layers)
    assert history.loss[-1] < before


def test_masked_and_frozen_weights_never_change():
    net = build(SHAPES["2-layer"], optimizers.AdamW(weight_decay=0.5))
    mask = np.ones((5, 3))
    mask[0, :] = 0
    net.layers[0].trainable_mask = mask
    net.layers[1].frozen = True
    fixed_row, top = net.layers[0].weights[0].copy(), net.layers[1].weights.copy()
    for X, T in batches(SHAPES["2-layer"], 10):
        net.step(X, T)
    np.testing.assert_array_equal(net.layers[0].weights[0], fixed_row)
    np.testing.assert_array_equal(net.layers[1].weights, top)
    assert not np.array_equal(net.layers[0].weights[1:], 0)


def test_names_objects_and_the_default():
    net = build(SHAPES["2-layer"], "sgd")
    assert net.optimizer == optimizers.SGD()
    assert "optimizer" not in repr(net)  # the default keeps the book's repr
    net.optimizer = "adamw"
    assert net.optimizer == optimizers.AdamW(weight_decay=1e-2)
    assert "AdamW(" in repr(net)
    net.optimizer = optimizers.RMSprop(centered=True)
    assert net.optimizer.settings["centered"] is True
    assert optimizers.OPTIMIZERS == ("sgd", "adagrad", "rmsprop", "adam", "adamw", "rprop")


def test_fit_keeps_the_state_of_the_same_optimizer_and_resets_another():
    rng = np.random.default_rng(2)
    X, T = rng.normal(size=(8, 3)), rng.uniform(size=(8, 2))
    twice, once = build(SHAPES["2-layer"], "sgd"), build(SHAPES["2-layer"], "sgd")
    twice.fit(X, T, epochs=1, batch_size=4, optimizer="adam")
    twice.fit(X, T, epochs=1, batch_size=4, optimizer=optimizers.Adam())
    once.fit(X, T, epochs=2, batch_size=4, optimizer="adam")
    for a, b in zip(twice.layers, once.layers):
        np.testing.assert_array_equal(a.weights, b.weights)
    assert twice._native.optimizer_state().tensors[0][0] == 4
    twice.fit(X, T, epochs=1, batch_size=4, optimizer="rmsprop")
    assert twice._native.optimizer_state().tensors[0][0] == 2


def test_a_copy_continues_exactly_like_the_original():
    net = build(SHAPES["3-layer"], "adam")
    data = list(batches(SHAPES["3-layer"], 6))
    for X, T in data[:3]:
        net.step(X, T)
    copy = net.copy()
    for X, T in data[3:]:
        net.step(X, T)
        copy.step(X, T)
    for a, b in zip(net.layers, copy.layers):
        np.testing.assert_array_equal(a.weights, b.weights)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: optimizers.Adam(beta_1=1.0), r"\[Adam\] expected adam beta_1 in \[0, 1\), got 1"),
        (lambda: optimizers.SGD(momentum=-0.1), r"\[SGD\] expected sgd momentum in \[0, inf\), got -0.1"),
        (lambda: optimizers.SGD(nesterov=True), r"\[SGD\] expected momentum > 0 and dampening 0 for Nesterov"),
        (lambda: optimizers.Rprop(eta_plus=0.9), r"\[Rprop\] expected rprop eta_plus in \(1, inf\), got 0.9"),
        (lambda: optimizers.Adagrad(epsilon=0), r"\[Adagrad\] expected adagrad epsilon in \(0, inf\), got 0"),
        (lambda: optimizers.RMSprop(alpha=float("nan")), r"\[RMSprop\] expected rmsprop alpha in \[0, 1\], got nan"),
    ],
)
def test_bad_settings_name_the_call_the_range_and_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_types_and_names():
    with pytest.raises(TypeError, match=r"\[Adam\] expected beta_1 as a number, got '0.9'"):
        optimizers.Adam(beta_1="0.9")
    with pytest.raises(TypeError, match=r"\[SGD\] expected nesterov as True or False, got 1"):
        optimizers.SGD(momentum=0.9, nesterov=1)
    with pytest.raises(ValueError, match=r"\[Network\] expected optimizer as one of sgd, .*, got 'adamax'"):
        build(SHAPES["2-layer"], "adamax")
    net = build(SHAPES["2-layer"], "adam")
    with pytest.raises(ValueError, match=r"\[Network.fit\] expected optimizer as one of"):
        net.fit(np.zeros((2, 3)), np.zeros((2, 2)), optimizer=3)
    assert net.optimizer == optimizers.Adam()  # a refused optimizer changes nothing


def test_a_diverging_epoch_restores_the_optimizer_state_with_the_weights():
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(16, 3)) * 1e3, rng.uniform(size=(16, 2)) * 1e6
    net = build([(3, 5, "relu", True), (5, 2, "identity", True)], optimizers.SGD(momentum=0.99), lr=1e-3)
    net.fit(X[:4] / 1e3, T[:4] / 1e6, epochs=1, batch_size=2)  # a sane epoch: momentum buffers filled
    net.learning_rate = 10.0
    before = net._native.optimizer_state().tensors
    weights = [np.array(layer.weights) for layer in net.layers]
    with pytest.raises(akili.DivergenceError):
        net.fit(X, T, epochs=3, batch_size=2)
    after = net._native.optimizer_state().tensors
    for (steps_a, slots_a), (steps_b, slots_b) in zip(before, after):
        assert steps_a == steps_b
        for a, b in zip(slots_a, slots_b):
            np.testing.assert_array_equal(a, b)
    for layer, w in zip(net.layers, weights):
        np.testing.assert_array_equal(layer.weights, w)


TORCH_CASES = [
    (optimizers.SGD(momentum=0.9, nesterov=True, weight_decay=0.01), "SGD", {"momentum": 0.9, "nesterov": True}),
    (optimizers.SGD(momentum=0.5, dampening=0.3), "SGD", {"momentum": 0.5, "dampening": 0.3}),
    (optimizers.Adagrad(lr_decay=0.1, initial_accumulator_value=0.1), "Adagrad", {"lr_decay": 0.1}),
    (optimizers.RMSprop(centered=True, momentum=0.5, weight_decay=0.01), "RMSprop", {"centered": True}),
    (optimizers.Adam(weight_decay=0.01), "Adam", {"weight_decay": 0.01}),
    (optimizers.AdamW(), "AdamW", {}),
    (optimizers.Rprop(), "Rprop", {}),
]


@pytest.mark.parametrize(("optimizer", "torch_name", "extra"), TORCH_CASES, ids=lambda case: repr(case))
def test_trajectories_match_torch_optim(optimizer, torch_name, extra):
    torch = pytest.importorskip("torch")
    shape = SHAPES["2-layer"]
    net = build(shape, optimizer, rule="gradient", lr=0.05)
    layers = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.inputs, layer.outputs, bias=True, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(layer.weights)))
            linear.bias.copy_(torch.from_numpy(np.array(layer.bias)))
        layers.append(linear)
    settings = dict(optimizer.settings)
    torch_settings = {
        "SGD": lambda: {
            "momentum": settings["momentum"],
            "dampening": settings["dampening"],
            "nesterov": settings["nesterov"],
            "weight_decay": settings["weight_decay"],
        },
        "Adagrad": lambda: {
            "lr_decay": settings["lr_decay"],
            "weight_decay": settings["weight_decay"],
            "initial_accumulator_value": settings["initial_accumulator_value"],
            "eps": settings["epsilon"],
        },
        "RMSprop": lambda: {
            "alpha": settings["alpha"],
            "eps": settings["epsilon"],
            "weight_decay": settings["weight_decay"],
            "momentum": settings["momentum"],
            "centered": settings["centered"],
        },
        "Adam": lambda: {
            "betas": (settings["beta_1"], settings["beta_2"]),
            "eps": settings["epsilon"],
            "weight_decay": settings["weight_decay"],
        },
        "AdamW": lambda: {
            "betas": (settings["beta_1"], settings["beta_2"]),
            "eps": settings["epsilon"],
            "weight_decay": settings["weight_decay"],
        },
        "Rprop": lambda: {
            "etas": (settings["eta_minus"], settings["eta_plus"]),
            "step_sizes": (settings["step_min"], settings["step_max"]),
        },
    }[torch_name]()
    assert set(extra) <= set(torch_settings)
    params = [p for linear in layers for p in linear.parameters()]
    torch_optimizer = getattr(torch.optim, torch_name)(params, lr=0.05, **torch_settings)
    for X, T in batches(shape, 25, seed=8):
        x, t = torch.from_numpy(X), torch.from_numpy(T)
        o = torch.sigmoid(layers[1](torch.tanh(layers[0](x))))
        loss = 0.5 * ((t - o) ** 2).sum(dim=1).mean()  # akili's squared_error, averaged over the batch
        torch_optimizer.zero_grad()
        loss.backward()
        torch_optimizer.step()
        net.step(X[0] if len(X) == 1 else X, T[0] if len(X) == 1 else T)
    for layer, linear in zip(net.layers, layers):
        assert relative_difference(layer.weights, linear.weight.detach().numpy()) <= 1e-12
        assert relative_difference(layer.bias, linear.bias.detach().numpy()) <= 1e-12
