"""akili with the rest of the Python toolbox: restarts on native threads, a
scikit-learn classifier in a Pipeline, and the trained network in ONNX.

    pip install "akili[sklearn,onnx]"
    python examples/ecosystem.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import akili


def xor_net(seed: int) -> akili.Network:
    layers = [akili.Dense(2, 2, activation="sigmoid", bias=True), akili.Dense(2, 1, activation="sigmoid", bias=True)]
    return akili.Network(layers, loss="squared_error", rule="gradient", learning_rate=1.0, seed=seed)


def restarts_on_xor() -> None:
    # Eight starting points trained at once; some settle in a local minimum.
    inputs = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    targets = np.array([[0.0], [1.0], [1.0], [0.0]])
    result = akili.restarts(xor_net, inputs, targets, n=8, epochs=2000)
    for seed, score in zip(result.seeds, result.scores):
        print(f"seed {seed}: final loss {score:.6f}")
    print(f"best: seed {result.seeds[result.best_index]}, outputs {np.round(result.best.predict(inputs)[:, 0], 3)}")


def sklearn_and_onnx() -> None:
    from sklearn.datasets import load_iris
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from akili.sklearn import AkiliClassifier

    X, y = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), AkiliClassifier(hidden_layer_sizes=(16,), random_state=0))
    print("iris, 5-fold accuracy:", np.round(cross_val_score(model, X, y, cv=5), 3))
    model.fit(X, y)
    classifier: AkiliClassifier = model[-1]

    try:
        import onnxruntime

        import akili.onnx
    except ImportError:
        print("install akili[onnx] to export to ONNX")
        return
    scaled = model[0].transform(X).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "iris.onnx"
        akili.onnx.export(classifier, path, dtype="float32")
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        probabilities = session.run(None, {"input": scaled})[0]
    agree = np.mean(np.argmax(probabilities, axis=1) == np.argmax(classifier.predict_proba(scaled), axis=1))
    print(f"onnxruntime agrees with akili on {agree:.0%} of the iris predictions")


if __name__ == "__main__":
    restarts_on_xor()
    sklearn_and_onnx()
