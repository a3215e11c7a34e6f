"""ONNX export: the exported graph passes onnx's full checker and onnxruntime
(CPU) reproduces akili's predictions for every activation."""

from __future__ import annotations

import numpy as np
import pytest

import akili

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import akili.onnx  # noqa: E402


def _run(path, inputs: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (outputs,) = session.run(None, {"input": inputs})
    return outputs


def _trained(
    hidden: str, output: str, dtype: str, *, bias: bool = True, seed: int = 0
) -> tuple[akili.Network, np.ndarray]:
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(64, 5)).astype(dtype)
    loss = "cross_entropy" if output in ("softmax", "sigmoid") else "mse"
    targets = np.eye(3, dtype=dtype)[rng.integers(0, 3, 64)]
    network = akili.Network(
        [
            akili.Dense(5, 7, activation=hidden, bias=bias),
            akili.Dense(7, 6, activation=hidden, bias=bias),
            akili.Dense(6, 3, activation=output, bias=bias),
        ],
        loss=loss,
        learning_rate=0.05,
        rule="gradient",
        dtype=dtype,
        init="xavier",
        seed=seed,
    )
    network.fit(inputs, targets, epochs=3, batch_size=8)
    return network, inputs


@pytest.mark.parametrize("activation", akili.ACTIVATIONS)
def test_round_trip_float32_every_activation(tmp_path, activation):
    # Each activation as the hidden layers' and as the output's.
    for hidden, output in ((activation, "identity"), ("tanh", activation)):
        network, inputs = _trained(hidden, output, "float32")
        path = tmp_path / f"{hidden}-{output}.onnx"
        akili.onnx.export(network, path)
        loaded = onnx.load(str(path))
        onnx.checker.check_model(loaded, full_check=True)
        expected = network.predict(inputs)
        got = _run(path, inputs)
        assert got.dtype == np.float32 and got.shape == (64, 3)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_graph_is_gemm_and_activation_nodes_at_a_recent_opset(tmp_path):
    network, _ = _trained("relu", "softmax", "float32")
    model = akili.onnx.export(network, tmp_path / "net.onnx")
    assert [node.op_type for node in model.graph.node] == ["Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"]
    assert model.opset_import[0].version == akili.onnx.DEFAULT_OPSET >= 21
    gemm = model.graph.node[0]
    assert {a.name: a.i for a in gemm.attribute} == {"transB": 1}
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    np.testing.assert_array_equal(weights["layer0.weights"], network.layers[0].weights)
    np.testing.assert_array_equal(weights["layer2.bias"], network.layers[2].bias)


def test_float64_and_book_network_without_bias(tmp_path):
    network = akili.NeuralNetwork(4, 6, 2, learning_rate=0.3, seed=2)
    inputs = np.random.default_rng(1).uniform(0.01, 1.0, size=(20, 4))
    network.fit(inputs, np.tile([0.99, 0.01], (20, 1)), epochs=2)
    model = akili.onnx.export(network, tmp_path / "book.onnx")
    assert [node.op_type for node in model.graph.node] == ["Gemm", "Sigmoid", "Gemm", "Sigmoid"]
    assert len(model.graph.node[0].input) == 2  # no bias input
    got = _run(tmp_path / "book.onnx", inputs)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, network.predict(inputs), rtol=1e-12)
    # A float64 network exported as float32 still matches to float32 precision.
    akili.onnx.export(network, tmp_path / "book32.onnx", dtype="float32")
    got32 = _run(tmp_path / "book32.onnx", inputs.astype(np.float32))
    np.testing.assert_allclose(got32, network.predict(inputs), rtol=1e-5)


def test_fitted_classifier_exports_with_its_classes(tmp_path):
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris

    from akili.sklearn import AkiliClassifier

    X, labels = load_iris(return_X_y=True)
    classifier = AkiliClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, labels)
    model = akili.onnx.export(classifier, tmp_path / "clf.onnx")
    props = {p.key: p.value for p in model.metadata_props}
    assert props["classes"].split("\n") == [str(c) for c in classifier.classes_]
    np.testing.assert_allclose(
        _run(tmp_path / "clf.onnx", np.asarray(X, dtype=np.float64)),
        classifier.predict_proba(X),
        rtol=1e-10,
        atol=1e-12,
    )


def test_bad_arguments():
    network, _ = _trained("relu", "identity", "float32")
    with pytest.raises(TypeError, match="expected an akili.Network"):
        akili.onnx.to_onnx("not a network")
    with pytest.raises(ValueError, match="opset"):
        akili.onnx.to_onnx(network, opset=9)
    with pytest.raises(ValueError, match="dtype"):
        akili.onnx.to_onnx(network, dtype="int32")
