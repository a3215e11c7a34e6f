"""PyTorch peers: the book's rule written out with tensors, and autograd + optim.SGD.

Both use PyTorch's CPU kernels with its default thread count (every core).
"""

from __future__ import annotations

from typing import Any

import numpy as np

LEARNING_RATE = 0.1


class WrittenOut:
    """The same maths as the book, as tensor operations (no autograd)."""

    def __init__(self, torch: Any, wih: np.ndarray, who: np.ndarray) -> None:
        self.torch = torch
        self.W1 = torch.from_numpy(np.array(wih))  # (hidden, inputs)
        self.W2 = torch.from_numpy(np.array(who))  # (outputs, hidden)

    def train_online(self, X: Any, T: Any) -> None:
        torch, W1, W2, lr = self.torch, self.W1, self.W2, LEARNING_RATE
        with torch.no_grad():
            for x, t in zip(X, T):
                h = torch.sigmoid(torch.mv(W1, x))  # o_h = σ(W1·x)
                o = torch.sigmoid(torch.mv(W2, h))  # o = σ(W2·o_h)
                e = t - o  # e = t - o
                eh = torch.mv(W2.t(), e)  # e_h = W2ᵀ·e
                W2.addr_(e * o * (1 - o), h, alpha=lr)  # W2 += lr·(e∘o∘(1-o))·o_hᵀ
                W1.addr_(eh * h * (1 - h), x, alpha=lr)

    def train_batches(self, X: Any, T: Any, batch: int = 64) -> None:
        torch, W1, W2 = self.torch, self.W1, self.W2
        with torch.no_grad():
            for start in range(0, X.shape[0], batch):
                I, Tb = X[start : start + batch], T[start : start + batch]
                H = torch.sigmoid(I @ W1.t())
                O = torch.sigmoid(H @ W2.t())
                E = Tb - O
                Eh = E @ W2
                step = LEARNING_RATE / I.shape[0]
                W2.addmm_((E * O * (1 - O)).t(), H, alpha=step)  # W2 += lr/n·Dᵀ·H
                W1.addmm_((Eh * H * (1 - H)).t(), I, alpha=step)

    def predict(self, X: Any) -> Any:
        torch = self.torch
        with torch.no_grad():
            return torch.sigmoid(torch.sigmoid(X @ self.W1.t()) @ self.W2.t())


class Autograd:
    """nn.Sequential + autograd + optim.SGD: true back-propagation (the "gradient" rule)."""

    def __init__(self, torch: Any, wih: np.ndarray, who: np.ndarray) -> None:
        self.torch = torch
        nn = torch.nn
        self.model = nn.Sequential(
            nn.Linear(wih.shape[1], wih.shape[0], bias=False),
            nn.Sigmoid(),
            nn.Linear(who.shape[1], who.shape[0], bias=False),
            nn.Sigmoid(),
        )
        self.model = self.model.to(torch.from_numpy(np.array(wih)).dtype)
        with torch.no_grad():
            self.model[0].weight.copy_(torch.from_numpy(np.array(wih)))
            self.model[2].weight.copy_(torch.from_numpy(np.array(who)))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)

    def _step(self, I: Any, Tb: Any) -> None:
        self.optimizer.zero_grad()
        loss = 0.5 * ((Tb - self.model(I)) ** 2).sum() / I.shape[0]  # mean over samples of ½Σ(t-o)²
        loss.backward()
        self.optimizer.step()

    def train_online(self, X: Any, T: Any) -> None:
        for start in range(X.shape[0]):
            self._step(X[start : start + 1], T[start : start + 1])

    def train_batches(self, X: Any, T: Any, batch: int = 64) -> None:
        for start in range(0, X.shape[0], batch):
            self._step(X[start : start + batch], T[start : start + batch])

    def predict(self, X: Any) -> Any:
        with self.torch.no_grad():
            return self.model(X)
