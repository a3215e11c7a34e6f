"""Pure-NumPy reference ("oracle") for akili's maths, used to check the C++ core.

Conventions: samples are ROWS.  A batch X has shape (n, n_in); a layer's weights
W have shape (n_out, n_in) as in "Make Your Own Neural Network", so one sample
gives z = W·x + b and a batch gives Z = X @ W.T + b.

Public API:
    activate(name, Z) -> A
    loss_value(loss, O, T, output_activation="sigmoid") -> float
    forward(weights, biases, activations, X) -> [X, O1, O2, ...]
    train_step(weights, biases, activations, X, T, *, lr, loss, rule) -> None  (in place)
"""

import numpy as np


def activate(name, Z):
    """Apply activation `name` elementwise (softmax: row-wise) to Z."""
    Z = np.asarray(Z, dtype=float)
    if name == "identity":
        return Z.copy()  # f(z) = z
    if name == "sigmoid":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-Z))  # f(z) = 1 / (1 + e^-z)
    if name == "tanh":
        return np.tanh(Z)  # f(z) = tanh z
    if name == "relu":
        return np.maximum(Z, 0.0)  # f(z) = max(z, 0)
    if name == "softmax":
        E = np.exp(Z - Z.max(axis=-1, keepdims=True))  # e^(z_k - max_j z_j)
        return E / E.sum(axis=-1, keepdims=True)  # f(z)_k = e^z_k / sum_j e^z_j
    raise ValueError(f"unknown activation {name!r}")


def _backprop_through(name, O, E):
    """D = E * f'(z), with f' written from the output O (softmax: Jacobian-vector product)."""
    if name == "identity":
        return E.copy()  # f' = 1
    if name == "sigmoid":
        return E * O * (1.0 - O)  # f' = o(1 - o)
    if name == "tanh":
        return E * (1.0 - O * O)  # f' = 1 - o^2
    if name == "relu":
        return E * (O > 0).astype(O.dtype)  # f' = [o > 0]
    if name == "softmax":
        return O * (E - (E * O).sum(axis=-1, keepdims=True))  # D_k = o_k (e_k - sum_j e_j o_j)
    raise ValueError(f"unknown activation {name!r}")


def loss_value(loss, O, T, output_activation="sigmoid"):
    """Mean over samples (rows) of the per-sample loss."""
    O, T = np.atleast_2d(O).astype(float), np.atleast_2d(T).astype(float)
    k = O.shape[1]
    if loss == "squared_error":
        per = 0.5 * ((T - O) ** 2).sum(axis=1)  # L = 1/2 sum_k (t - o)^2
    elif loss == "mse":
        per = ((T - O) ** 2).sum(axis=1) / k  # L = 1/k sum_k (t - o)^2
    elif loss == "cross_entropy":
        tiny = np.finfo(O.dtype).tiny
        if output_activation == "softmax":
            per = -(T * np.log(np.maximum(O, tiny))).sum(axis=1)  # L = -sum_k t log o
        elif output_activation == "sigmoid":
            per = -(
                T * np.log(np.maximum(O, tiny))  # L = -sum_k [t log o
                + (1 - T) * np.log(np.maximum(1 - O, tiny))  #   + (1-t) log(1-o)]
            ).sum(axis=1)
        else:
            raise ValueError("cross_entropy needs a sigmoid or softmax output")
    else:
        raise ValueError(f"unknown loss {loss!r}")
    return float(per.mean())  # mean over the n samples


def forward(weights, biases, activations, X):
    """Return the list of layer outputs [X, O1, O2, ...]."""
    outputs = [np.atleast_2d(np.asarray(X, dtype=float))]
    for W, b, f in zip(weights, biases, activations):
        Z = outputs[-1] @ W.T  # Z = I W^T  (z = W·i per sample)
        if b is not None:
            Z = Z + b  # z = W·i + b
        outputs.append(activate(f, Z))  # O = f(Z)
    return outputs


def _backward(weights, activations, outputs, T, loss, rule):
    """Errors E_l and deltas D_l (both per sample, rows) of every layer, top-down."""
    O, f = outputs[-1], activations[-1]
    k = O.shape[1]
    if loss == "squared_error":
        E = T - O  # E = -dL/dO = t - o
    elif loss == "mse":
        E = (2.0 / k) * (T - O)  # E = -dL/dO = 2/k (t - o)
    elif loss == "cross_entropy":
        if f not in ("sigmoid", "softmax"):
            raise ValueError("cross_entropy needs a sigmoid or softmax output")
        E = T - O  # E := t - o (library's definition)
    else:
        raise ValueError(f"unknown loss {loss!r}")
    if loss == "cross_entropy":
        D = T - O  # D = -dL/dZ = t - o
    else:
        D = _backprop_through(f, O, E)  # D = E * f'(z)
    errors, deltas = [E], [D]
    for l in range(len(weights) - 2, -1, -1):  # hidden layers, top-down
        W_up = weights[l + 1]  # weights BEFORE this step's update
        if rule == "gradient":
            E = D @ W_up  # e = W_up^T · d_up
        elif rule == "transpose":
            E = E @ W_up  # e = W_up^T · e_up  (the book)
        elif rule == "normalized":
            S = np.abs(W_up).sum(axis=1)  # S_i = sum_j |W_up[i, j]|
            scale = np.divide(1.0, S, out=np.zeros_like(S), where=S != 0)
            E = (E * scale) @ W_up  # e_j = sum_i W_up[i,j] / S_i * e_up_i
        else:
            raise ValueError(f"unknown rule {rule!r}")
        D = _backprop_through(activations[l], outputs[l + 1], E)  # D = E * f'(z)
        errors.insert(0, E)
        deltas.insert(0, D)
    return errors, deltas


def train_step(weights, biases, activations, X, T, *, lr, loss, rule):
    """One SGD step on the batch (X, T); weights and biases are updated in place."""
    outputs = forward(weights, biases, activations, X)
    T = np.atleast_2d(np.asarray(T, dtype=float))
    n = outputs[0].shape[0]
    _, deltas = _backward(weights, activations, outputs, T, loss, rule)
    for W, b, D, I in zip(weights, biases, deltas, outputs[:-1]):
        W += lr * (D.T @ I) / n  # W += lr/n sum_samples d i^T
        if b is not None:
            b += lr * D.sum(axis=0) / n  # b += lr/n sum_samples d


# ------------------------------------------------------------------ self-check
def _self_check():
    # Sigmoid saturates exactly, without warnings.
    assert activate("sigmoid", np.array([[-1000.0, 1000.0]])).tolist() == [[0.0, 1.0]]

    # The book's rule: an error of 2.0 reaching links of weight 0.6 and 0.2 splits
    # in proportion, 1.5 and 0.5 (net 3-2-1, identity everywhere, t - o = 2).
    W1, W2 = np.zeros((2, 3)), np.array([[0.6, 0.2]])
    acts = ["identity", "identity"]
    outs = forward([W1, W2], [None, None], acts, np.ones((1, 3)))
    E, _ = _backward([W1, W2], acts, outs, np.array([[2.0]]), "squared_error", "normalized")
    assert np.allclose(E[0], [[1.5, 0.5]]), E[0]
    E, _ = _backward([W1, W2], acts, outs, np.array([[2.0]]), "squared_error", "transpose")
    assert np.allclose(E[0], [[1.2, 0.4]]), E[0]

    # "gradient" rule with lr=1, n=1 equals -dL/dW: central finite differences.
    rng = np.random.default_rng(0)
    names = ["identity", "sigmoid", "tanh", "relu", "softmax"]
    checked = 0
    for hidden in names:
        for out in names:
            for loss in ["squared_error", "mse", "cross_entropy"]:
                if loss == "cross_entropy" and out not in ("sigmoid", "softmax"):
                    continue
                acts = [hidden, out]
                W = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]
                b = [rng.normal(size=4), rng.normal(size=2)]
                X = rng.normal(size=(1, 3))
                T = rng.dirichlet([1, 1])[None, :] if out == "softmax" else rng.uniform(size=(1, 2))

                def L():
                    return loss_value(loss, forward(W, b, acts, X)[-1], T, out)

                new_W, new_b = [w.copy() for w in W], [v.copy() for v in b]
                train_step(new_W, new_b, acts, X, T, lr=1.0, loss=loss, rule="gradient")
                h = 1e-6
                for P, P_new in zip(W + b, new_W + new_b):
                    step = P_new - P  # = -dL/dP
                    for idx in np.ndindex(P.shape):
                        old = P[idx]
                        P[idx] = old + h
                        Lp = L()
                        P[idx] = old - h
                        Lm = L()
                        P[idx] = old
                        num = -(Lp - Lm) / (2 * h)  # -dL/dP ~ -(L(p+h) - L(p-h)) / 2h
                        assert abs(step[idx] - num) <= 1e-5 + 1e-3 * abs(num), (hidden, out, loss, idx, step[idx], num)
                checked += 1
    print(f"oracle self-check passed ({checked} activation/loss combinations)")


if __name__ == "__main__":
    _self_check()
