"""The portable build on CPUs this machine is not: the installed akili runs under
qemu-user (Debian's qemu-user, in .ci/apt-packages.txt) emulating a CPU without
AVX at all (Nehalem, 2008) and one with AVX2 and FMA but no AVX-512 (Haswell).

Each emulated run must choose the right kernel path, refuse one the CPU lacks,
execute no instruction the CPU does not have (qemu stops a process on an illegal
instruction: an AVX instruction leaking into baseline code would fail here), and
compute what the same path computes natively: bit for bit, since the emulated
instructions round as the real ones do. One exception is not akili's: glibc
chooses its own build of log/sin/cos per CPU (an FMA one where the CPU has FMA),
and the seeded initial weights are Box-Muller draws made with them, so an
occasional float64 weight on a CPU without FMA differs in its last bit from the
same seed here (docs/cpp.md, "What each path guarantees").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import require_system

import akili

PROBE = Path(__file__).with_name("portable") / "probe.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(akili.build_info()["architecture"] != "x86_64", reason="emulates x86-64 CPUs"),
]

# CPU model -> the kernel path it must choose, and a path it must refuse.
MODELS = {"Nehalem": ("baseline", "avx2"), "Haswell": ("avx2", "avx512")}


def emulated(model: str, args: list[str], isa: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "AKILI_ISA"}
    if isa is not None:
        env["AKILI_ISA"] = isa
    env["OMP_NUM_THREADS"] = "1"  # emulated threads only cost time
    return subprocess.run(
        ["qemu-x86_64", "-cpu", model, sys.executable, *args], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("model", sorted(MODELS))
def test_emulated_cpu_chooses_its_path_and_computes_the_native_bits(model, tmp_path):
    require_system("qemu-x86_64", "emulating older CPUs needs qemu-user")
    expected, lacking = MODELS[model]
    if expected not in akili.build_info()["supported"]:
        pytest.skip(f"the native run needs the {expected} path, which this CPU lacks")
    report = emulated(model, ["-m", "akili", "--info"])
    assert report.returncode == 0, report.stderr
    assert f"kernel in use: {expected} (chosen by cpu)" in report.stdout
    refused = emulated(model, ["-m", "akili", "--info"], isa=lacking)
    assert refused.returncode == 2 and "which this CPU does not support" in refused.stderr, refused.stderr

    smoke = emulated(model, [str(PROBE), str(tmp_path / "emulated.npz"), "--small"])
    assert smoke.returncode == 0, smoke.stderr  # an illegal instruction ends the process with SIGILL
    assert json.loads(smoke.stdout.strip().splitlines()[-1])["active"] == expected
    env = {**os.environ, "AKILI_ISA": expected, "OMP_NUM_THREADS": "1"}
    native = subprocess.run(
        [sys.executable, str(PROBE), str(tmp_path / "native.npz"), "--small"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert native.returncode == 0, native.stderr
    emulated_results, native_results = np.load(tmp_path / "emulated.npz"), np.load(tmp_path / "native.npz")
    assert sorted(emulated_results.files) == sorted(native_results.files)
    for key in native_results.files:
        if expected == "baseline" and native_results[key].dtype == np.float64:
            # glibc's non-FMA log/sin/cos in the initial draws: last-bit differences, carried by training
            np.testing.assert_allclose(emulated_results[key], native_results[key], rtol=1e-12, atol=1e-15, err_msg=key)
        else:
            assert emulated_results[key].tobytes() == native_results[key].tobytes(), key
