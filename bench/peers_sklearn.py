"""scikit-learn's MLPClassifier: SGD in batches of 64, logistic hidden layer.

Its output layer is softmax with log-loss (it has no squared-error classifier),
so the maths differs from the book's; it is the usual off-the-shelf choice.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

LEARNING_RATE = 0.1


class Classifier:
    def __init__(self, hidden: int, classes: int) -> None:
        from sklearn.neural_network import MLPClassifier

        self.classes = np.arange(classes)
        self.model = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            activation="logistic",
            solver="sgd",
            learning_rate_init=LEARNING_RATE,
            batch_size=64,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            shuffle=False,
            random_state=1,
        )

    def train_batches(self, X: np.ndarray, y: np.ndarray) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.partial_fit(X, y, classes=self.classes)  # one pass over X in batches of 64

    def predict(self, X: np.ndarray) -> Any:
        return self.model.predict_proba(X)
