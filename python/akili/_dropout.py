"""Dropout: a regularisation layer for the list given to ``akili.Network``.

``Network([Dense(784, 40, activation="relu"), Dropout(0.5), Dense(40, 10, ...)])``
drops the outputs of the Dense layer before it while training (Grokking Deep
Learning, ch. 8): each output is kept with probability 1 - rate and scaled by
1/(1 - rate), else set to 0 (inverted dropout, so the expected activation is
unchanged and prediction needs no rescaling). The masks come from the network's
seeded random source, one sample after another: the same seed gives the same
masks on any thread count. Prediction, ``query`` and evaluation never drop.

In the core, the rate belongs to the Dense layer whose outputs it drops
(``Dense.dropout``); the model file stores it. Errors flow back only through the
kept outputs, under every rule (for "gradient" this is the exact gradient of the
masked network). Training with dropout takes the core's reference path: a batch at
a time, a single example as a batch of one. Dropout must follow a hidden Dense
layer: not the first entry (the inputs) nor after the output layer.
"""

from __future__ import annotations

import numbers

import numpy as np


class Dropout:
    """Inverted dropout on the outputs of the Dense layer before it (see the module).

    Parameters
    ----------
    rate : the share of outputs set to 0 while training, 0 <= rate < 1 (0: none).
    """

    def __init__(self, rate: float) -> None:
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not (0.0 <= float(rate) < 1.0):
            raise ValueError(f"[Dropout] expected a rate in [0, 1), got {rate!r}")
        if not np.isfinite(float(rate)):
            raise ValueError(f"[Dropout] expected a finite rate, got {rate!r}")
        self._rate = float(rate)

    rate = property(lambda self: self._rate, doc="The share of outputs dropped while training.")

    def __repr__(self) -> str:
        return f"Dropout({self._rate:g})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dropout) and other._rate == self._rate

    def __hash__(self) -> int:
        return hash(("Dropout", self._rate))
