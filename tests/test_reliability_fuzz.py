"""Bounded fuzzing runs (marker ``slow``): libFuzzer with ASan+UBSan on the C++
model loader, atheris on the Python readers. Each run is capped by
AKILI_FUZZ_SECONDS (default 30; longer runs for a deeper search); any crash, sanitizer report or untyped error
fails the test and leaves the reproducer in the run's directory."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import require_system

import akili

pytestmark = pytest.mark.slow

HERE = Path(__file__).parent / "fuzz"
SECONDS = int(os.environ.get("AKILI_FUZZ_SECONDS", "30"))


def stats(output: str) -> str:
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    done = re.search(r"Done (\d+) runs in (\d+) second", output)
    return f"{runs.group(1) if runs else '?'} executions in {done.group(2) if done else '?'} s"


def clang() -> str:
    for name in ("clang++-14", "clang++"):
        if shutil.which(name):
            return name
    require_system("clang++-14", "libFuzzer needs clang (Debian: clang-14 libclang-rt-14-dev)")
    return "clang++-14"


def test_libfuzzer_on_the_cpp_model_loader(tmp_path_factory):
    compiler = clang()
    require_system("cmake", "the fuzz build uses CMake")
    build = tmp_path_factory.mktemp("fuzz-build")
    env = dict(os.environ, CXX=compiler)
    subprocess.run(["bash", str(HERE / "build.sh"), str(build)], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [
            str(build / "fuzz_model_loader"),
            f"-max_total_time={SECONDS}",
            "-max_len=4096",
            "-print_final_stats=1",
            f"-artifact_prefix={build}/",
            "-timeout=10",
            str(build / "corpus"),
        ],
        env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"),
        capture_output=True,
        text=True,
    )
    print(f"libFuzzer fuzz_model_loader: {stats(result.stderr)}")
    assert result.returncode == 0, result.stderr[-4000:]


def test_libfuzzer_on_the_cpp_readers(tmp_path_factory):
    """CSV (whole file, two threads, batches) and IDX parsing in the core, with ASan+UBSan."""
    compiler = clang()
    require_system("cmake", "the fuzz build uses CMake")
    build = tmp_path_factory.mktemp("fuzz-readers-build")
    env = dict(os.environ, CXX=compiler)
    subprocess.run(["bash", str(HERE / "build.sh"), str(build)], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [
            str(build / "fuzz_readers"),
            f"-max_total_time={SECONDS}",
            "-max_len=8192",
            "-print_final_stats=1",
            f"-artifact_prefix={build}/",
            "-timeout=10",
            str(build / "corpus-readers"),
        ],
        env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"),
        capture_output=True,
        text=True,
    )
    print(f"libFuzzer fuzz_readers: {stats(result.stderr)}")
    assert result.returncode == 0, result.stderr[-4000:]


def python_seeds(directory: Path) -> None:
    """One seed per reader: selector byte, then a valid file for it."""
    net = akili.Network(
        [akili.Dense(3, 4, activation="tanh", bias=True), akili.Dense(4, 2, activation="softmax")],
        loss="cross_entropy",
        seed=1,
    )
    model = net.to_bytes()
    idx = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))
    npz = io.BytesIO()
    np.savez(npz, X=np.ones((2, 3)), y=np.array([0, 1]))
    for name, content in {
        "model": b"\0" + model,
        "model-patched": b"\1" + model,
        "idx": b"\2" + idx,
        "idx-gz": b"\3" + idx,
        "csv": b"\4label,a,b\n0,1,2\n1,3,4.5\n",
        "npz": b"\5" + npz.getvalue(),
        "gz-idx-raw": b"\2" + gzip.compress(idx, mtime=0),
        "csv-stream": b"\6label,a,b\n0,1,2\r\n1,3,255\n\n2,0,7",
    }.items():
        (directory / name).write_bytes(content)


def test_atheris_on_the_python_readers(tmp_path):
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("AKILI_REQUIRE_SYSTEM_DEPS") == "1":
            pytest.fail("atheris (in the test extra) is not installed")
        pytest.skip("atheris is not installed (pip install atheris)")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    python_seeds(corpus)
    # Started from a shell that forks it: libFuzzer's -rss_limit_mb reads the peak RSS
    # (getrusage), which Linux carries across exec from the process that forked, so
    # started straight from this test process the fuzzer would inherit the peak of
    # the whole pytest run and stop at once with "out-of-memory".
    command = [
        sys.executable,
        str(HERE / "fuzz_python.py"),
        f"-max_total_time={SECONDS}",
        "-print_final_stats=1",
        f"-artifact_prefix={tmp_path}/",
        "-timeout=10",
        "-rss_limit_mb=1024",
        str(corpus),
    ]
    result = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", *command], capture_output=True, text=True)
    print(f"atheris fuzz_python: {stats(result.stderr)}")
    assert result.returncode == 0, result.stderr[-4000:]
