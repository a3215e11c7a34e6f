"""Run-time choice of the product kernels (akili.build_info, AKILI_ISA) and the
promise that goes with it: every path with FMA (avx2, avx512) trains and predicts
with bit-identical results, whatever the thread count; the baseline path (no FMA)
agrees to rounding (docs/cpp.md, "Instruction sets").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import akili

PROBE = Path(__file__).with_name("portable") / "probe.py"
FMA_PATHS = ("avx2", "avx512")


def run_probe(out: Path, isa: str | None, *extra: str) -> dict:
    env = dict(os.environ)
    env.pop("AKILI_ISA", None)
    if isa is not None:
        env["AKILI_ISA"] = isa
    done = subprocess.run(
        [sys.executable, str(PROBE), str(out), *extra], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_build_info_describes_a_portable_build_and_its_choice():
    info = akili.build_info()
    assert set(info) == {
        "version",
        "compiler",
        "eigen",
        "architecture",
        "native",
        "compiled",
        "supported",
        "active",
        "selected_by",
    }
    assert info["version"] == akili.__version__
    assert info["eigen"].startswith("3.")
    # The default build (pip and CMake) targets the baseline instruction set.
    assert info["native"] is False
    assert info["compiled"][0] == "baseline" and info["supported"][0] == "baseline"
    assert set(info["supported"]) <= set(info["compiled"])
    if info["architecture"] == "x86_64":
        assert info["compiled"] == ["baseline", "avx2", "avx512"]
    expected_by = "AKILI_ISA" if os.environ.get("AKILI_ISA", "auto") not in ("", "auto") else "cpu"
    assert info["selected_by"] == expected_by
    if expected_by == "cpu":
        assert info["active"] == info["supported"][-1]  # the widest the CPU runs


def test_info_command_reports_the_kernel_in_use():
    done = subprocess.run([sys.executable, "-m", "akili", "--info"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    info = akili.build_info()
    assert f"kernel in use: {info['active']}" in done.stdout
    assert f"eigen: {info['eigen']}" in done.stdout
    assert "portable" in done.stdout


@pytest.mark.parametrize(
    ("value", "message"),
    [("sse9", 'AKILI_ISA="sse9" names no kernel set; expected baseline, avx2, avx512 or auto')],
)
def test_an_unknown_kernel_set_is_refused_by_name(value, message):
    env = {**os.environ, "AKILI_ISA": value}
    done = subprocess.run(
        [sys.executable, "-m", "akili", "--info"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert message in done.stderr
    # Building a network raises the same error, on the caller's thread.
    code = "import akili\ntry:\n    akili.NeuralNetwork(3, 2, 1)\nexcept ValueError as e:\n    print(e)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert message in done.stdout


def test_a_kernel_set_the_cpu_lacks_is_refused():
    missing = [isa for isa in akili.build_info()["compiled"] if isa not in akili.build_info()["supported"]]
    if not missing:
        pytest.skip("this CPU runs every compiled kernel set (tests/test_qemu.py emulates one that does not)")
    env = {**os.environ, "AKILI_ISA": missing[-1]}
    done = subprocess.run(
        [sys.executable, "-m", "akili", "--info"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "which this CPU does not support" in done.stderr


def test_every_fma_path_gives_the_same_bits_and_baseline_agrees_to_rounding(tmp_path):
    supported = akili.build_info()["supported"]
    fma_paths = [isa for isa in FMA_PATHS if isa in supported]
    if not fma_paths:
        pytest.skip("this CPU has no FMA kernel path")
    runs = {}
    for isa in fma_paths:
        info = run_probe(tmp_path / f"{isa}.npz", isa)
        assert info["active"] == isa and info["selected_by"] == "AKILI_ISA"
        runs[isa] = np.load(tmp_path / f"{isa}.npz")
    # The widest path again on one thread: the thread count changes nothing either.
    run_probe(tmp_path / "one-thread.npz", fma_paths[-1], "--threads", "1")
    runs["one thread"] = np.load(tmp_path / "one-thread.npz")
    run_probe(tmp_path / "baseline.npz", "baseline")
    baseline = np.load(tmp_path / "baseline.npz")
    reference = runs[fma_paths[0]]
    for name, run in runs.items():
        for key in reference.files:
            assert run[key].tobytes() == reference[key].tobytes(), f"{name} differs from {fma_paths[0]} in {key}"
    for key in reference.files:
        # Baseline: the same sums without fused multiply-adds and in Eigen's order;
        # after one epoch of 600 examples the weights agree to a few thousand ulps.
        tolerance = 1e-9 if reference[key].dtype == np.float64 else 2e-3
        np.testing.assert_allclose(baseline[key], reference[key], rtol=tolerance, atol=tolerance, err_msg=key)
