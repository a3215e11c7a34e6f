"""Every lesson's example runs, and prints the numbers the lesson teaches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_system

import akili

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FASHION = "/usr/share/datasets/fashion-mnist"


def run(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text, re.M)
    assert match, f"{pattern!r} not found in:\n{text}"
    return float(match.group(1))


def test_neuron_line():
    out = run("neuron_line.py")
    assert "learned line: grade = 0.55 * hours + 1.90" in out
    assert number(r"after 4000 steps: w = (\S+),", out) == pytest.approx(0.55, abs=5e-5)
    assert number(r"after 4000 steps: w = \S+, b = (\S+),", out) == pytest.approx(1.90, abs=5e-5)
    assert number(r"least squares:\s+w = (\S+),", out) == pytest.approx(0.55, abs=5e-5)
    assert number(r"7 hours of study -> predicted grade (\S+)", out) == 5.75


def test_gradient_descent_steps():
    out = run("gradient_descent_steps.py")
    rows = {
        int(m.group(1)): [float(v) for v in m.group(2).split()]
        for m in re.finditer(r"^\s*(\d+)\s+(-?\d\.\d+\s+-?\d\.\d+\s+-?\d\.\d+\s+-?\d\.\d+)", out, re.M)
    }
    assert rows[1] == [-2.6, -2.2, 0.26, 0.22]
    assert rows[3][2:] == [0.4272, 0.4001]
    assert rows[4][2:] == [0.4443, 0.4404]
    # The formula written out in Python agrees with the core at every step.
    for m in re.finditer(r"^\s*\d+\s+\S+\s+\S+\s+(\S+)\s+(\S+)\s+\((\S+), (\S+)\)", out, re.M):
        assert (m.group(1), m.group(2)) == (m.group(3), m.group(4))


def test_perceptron_negate():
    out = run("perceptron_negate.py")
    assert number(r"the weight converged to (\S+)", out) == -1.0
    assert "3 -> -3.0000, -7 -> 7.0000" in out
    for m in re.finditer(r"weight = (\S+)\s+\(by hand: (\S+)\)", out):
        assert m.group(1) == m.group(2)  # u(x, dy, lr) = x - dy·lr by hand matches the core


def test_grokking_ch5():
    out = run("grokking_ch5.py")
    sections = re.split(r"^\d\. ", out, flags=re.M)[1:]
    assert len(sections) == 4
    many_in, frozen, many_out, many_many = sections
    assert "pred           = [0.86]" in many_in
    assert "delta          = [-0.14]" in many_in
    assert "weight_deltas  = [-1.19, -0.091, -0.168]" in many_in
    assert "new weights    = [0.1119, 0.20091, -0.09832]" in many_in
    assert "weight_deltas  = [0, -0.091, -0.168]" in frozen
    assert "new weights    = [0.1, 0.20091, -0.09832]" in frozen
    assert number(r"after 300 steps: pred = (\S+),", frozen) == pytest.approx(1.0, abs=1e-3)
    assert "weights = [0.1," in frozen.split("after 300 steps")[1]
    assert "pred           = [0.195, 0.13, 0.585]" in many_out
    assert "delta          = [0.095, -0.87, 0.485]" in many_out
    assert "new weights    = [0.293825, 0.25655, 0.868475]" in many_out
    assert "pred           = [0.555, 0.98, 0.965]" in many_many
    assert "delta          = [0.455, -0.02, 0.865]" in many_many
    assert "new weights[0] = [0.061325, 0.0970425, -0.30546]" in many_many


def test_error_split():
    out = run("error_split.py")
    assert "with the normalising factor : 1.5 and 0.5  (ratio 3.0 : 1)" in out
    assert "without it (Wᵀ·E)           : 1.2 and 0.4  (ratio 3.0 : 1)" in out
    assert "normalised split : [0.42 0.88]" in out
    assert "Wᵀ·E (akili)     : [2.1 4.4]" in out
    assert "Wᵀ·E (NumPy)     : [2.1 4.4]" in out
    # Through every layer: the core's hidden errors equal the NumPy products.
    for m in re.finditer(r"= (\[[^\]]*\])  \(NumPy: (\[[^\]]*\])\)", out):
        assert m.group(1) == m.group(2)
    finals = [
        float(v)
        for v in re.findall(r"^\s+(?:normalized|transpose|gradient)\s+(?:\S+\s+){4}(\S+)\s+accuracy", out, re.M)
    ]
    assert len(finals) == 3 and all(loss < 0.15 for loss in finals)


def test_book_network_on_digits():
    out = run("book_network.py", "--data", "digits")
    assert "digits: 1347 training and 450 test images" in out
    assert number(r"epoch 10: .* test accuracy (\S+)", out) > 0.9
    if hasattr(akili.Network, "backquery"):
        assert "backquery: each output set to 0.99" in out


def test_book_network_on_fashion_mnist():
    require_system(FASHION, "Fashion-MNIST (Debian package dataset-fashion-mnist)")
    out = run("book_network.py", "--data", "fashion", "--train", "3000")
    assert "Fashion-MNIST: 3000 training and 10000 test images" in out
    assert number(r"epoch 1: .* test accuracy (\S+)", out) > 0.65
    if hasattr(akili.Network, "backquery"):
        assert "Ankle boot" in out.split("backquery:")[1]


def test_iris():
    out = run("iris.py")
    assert "120 flowers to learn from, 30 to test on" in out
    assert number(r"test accuracy: (\S+)", out) >= 0.85


def test_brute_force():
    out = run("brute_force.py")
    assert "brute force:      w = 0.55, b = 1.90, MSE = 0.5400, tried 40401 combinations" in out
    assert "gradient descent: w = 0.55, b = 1.90, MSE = 0.5400" in out
    assert "tried 1953125 combinations" in out
    brute = number(r"brute force on .*: loss = (\S+),", out)
    descent = number(r"gradient descent: loss = (\S+),", out)
    assert descent < brute < 0.01  # the coarse grid is close, gradient descent closer
    assert "9^9 = 387420489 combinations" in out
    assert "refused: [brute_force] 1000^18 = 1e54 combinations" in out


def test_restarts():
    out = run("restarts.py")
    stuck = re.findall(r"^\s*(\d+)\s+(\S+)\s+\S+\s+\[.*\]\s+stuck in a local minimum", out, re.M)
    solved = re.findall(r"^\s*(\d+)\s+(\S+)\s+\S+\s+\[.*\]\s+solved", out, re.M)
    assert stuck and solved and len(stuck) + len(solved) == 10
    assert all(float(loss) > 0.05 for _, loss in stuck)
    assert all(float(loss) < 0.01 for _, loss in solved)
    assert out.count("still stuck") == len(stuck)
    assert number(r"restarts keep the best: seed \d+, loss ([\d.]+),", out) < 0.001


def test_optimizers_compared():
    out = run("optimizers_compared.py")
    names = ("plain SGD", "SGD \\+ momentum", "Adam")
    first = {name: number(rf"^{name}[^\n:]*: epoch 1 (\S+),", out) for name in names}
    last = {name: number(rf"^{name}[^\n:]*: epoch 1 \S+, epoch 8 (\S+)", out) for name in names}
    # docs/training.md, "A lesson: momentum and Adam on the book's network": the figures it quotes.
    assert first["plain SGD"] == pytest.approx(0.335, abs=0.01)
    assert first["SGD \\+ momentum"] == pytest.approx(0.844, abs=0.01)
    assert first["Adam"] == pytest.approx(0.695, abs=0.01)
    assert last["plain SGD"] == pytest.approx(0.877, abs=0.01)
    assert last["SGD \\+ momentum"] == pytest.approx(0.899, abs=0.01)
    assert last["Adam"] == pytest.approx(0.899, abs=0.01)
    # The lesson itself: both learn faster than the book's update, and end higher.
    assert first["SGD \\+ momentum"] > first["Adam"] > first["plain SGD"] + 0.2
    assert min(last["SGD \\+ momentum"], last["Adam"]) > last["plain SGD"]


def test_regularisation_lesson_on_fashion_mnist():
    require_system(FASHION, "Fashion-MNIST (Debian package dataset-fashion-mnist)")
    out = run("regularisation.py")
    plain_best = number(r"^plain: best test accuracy (\S+)", out)
    plain_final = number(r"^plain: best .*, final (\S+)", out)
    dropout_final = number(r"^dropout 0\.5: final test accuracy (\S+)", out)
    early = number(r"^early stopping: .*test accuracy (\S+)", out)
    plain_train = number(r"^  100  (\S+)/", out)
    # docs/training.md, "A lesson: dropout and early stopping": the figures it quotes.
    assert plain_best == pytest.approx(0.779, abs=0.01)
    assert plain_final == pytest.approx(0.752, abs=0.01)
    assert dropout_final == pytest.approx(0.788, abs=0.01)
    assert early == pytest.approx(0.779, abs=0.01)
    assert plain_train == pytest.approx(0.988, abs=0.01)
    # The lesson itself: the plain network memorises and its test accuracy falls from
    # its peak; dropout and early stopping both end above the plain network's end.
    assert plain_train > 0.95 and plain_final < plain_best - 0.015
    assert dropout_final > plain_final + 0.02 and early > plain_final + 0.015
