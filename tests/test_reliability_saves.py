"""Saving is crash-safe: a SIGKILL at any moment leaves the old or the new model,
and a write error leaves the old file intact, raises OSError and leaves no
temporary file behind."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import akili

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and resource limits")

# Two models of the same shape, large enough (about 1 MB each) that a save takes a
# while and kills land inside writes, fsyncs and renames.
SIZES = (400, 300, 10)

SAVER = textwrap.dedent("""
    import sys
    import akili
    path = sys.argv[1]
    models = [akili.NeuralNetwork(*{sizes}, seed=seed) for seed in (1, 2)]
    models[0].save(path)
    print("ready", flush=True)
    turn = 1
    while True:
        models[turn].save(path)
        turn ^= 1
""").format(sizes=SIZES)


def expected_models() -> list[bytes]:
    return [akili.NeuralNetwork(*SIZES, seed=seed).to_bytes() for seed in (1, 2)]


def test_sigkill_during_repeated_saves_leaves_the_old_or_the_new_model(tmp_path):
    path = tmp_path / "model.akili"
    valid = expected_models()
    rng = np.random.default_rng(2024)
    seen = set()
    for _ in range(20):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(float(rng.uniform(0.0, 0.05)))  # a random moment in the save loop
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()
        loaded = akili.load(path)  # never a ModelFormatError
        content = loaded.to_bytes()
        assert content in valid
        seen.add(valid.index(content))
        # A kill between creating and renaming the temporary file may leave that
        # temporary behind (nothing can clean up after SIGKILL); the model is never touched.
        for leftover in tmp_path.glob("model.akili.tmp-*"):
            leftover.unlink()
    print(f"models found after kills: {sorted(seen)}")


WRITE_LIMITED = textwrap.dedent("""
    import errno, resource, signal, sys
    import akili
    path = sys.argv[1]
    # Past RLIMIT_FSIZE write() fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    try:
        akili.NeuralNetwork(*{sizes}, seed=2).save(path)
    except OSError as error:
        print(type(error).__name__, error.errno, error.filename)
    else:
        print("saved")
""").format(sizes=SIZES)


def test_a_write_error_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.akili"
    old = akili.NeuralNetwork(2, 3, 1, seed=7)
    old.save(path)
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", WRITE_LIMITED, str(path)], capture_output=True, text=True, check=True
    )
    kind, number, filename = result.stdout.split()
    assert kind == "OSError" and int(number) == errno.EFBIG and filename == str(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.akili"]
    assert akili.load(path).to_bytes() == old.to_bytes()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_raises_permission_error(tmp_path):
    path = tmp_path / "model.akili"
    akili.NeuralNetwork(2, 3, 1, seed=7).save(path)
    before = path.read_bytes()
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            akili.NeuralNetwork(2, 3, 1, seed=8).save(path)
    finally:
        tmp_path.chmod(0o755)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.akili"]


def test_saving_over_a_directory_or_into_a_missing_one_raises_oserror(tmp_path):
    net = akili.NeuralNetwork(2, 3, 1, seed=7)
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError):
        net.save(tmp_path / "folder")
    with pytest.raises(FileNotFoundError):
        net.save(tmp_path / "missing" / "model.akili")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
    assert list((tmp_path / "folder").iterdir()) == []
