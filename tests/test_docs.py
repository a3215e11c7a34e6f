"""The documentation checks itself: every Python code block of README.md and
docs/*.md runs, the README's set-up line works with and without sudo, and the
headline figures come from runs of the current code.

How the code blocks run: the blocks of one file run in order in one namespace,
as a reader would type them, in a temporary directory. A block that needs data
(``X``, ``net`` ...) is preceded by an HTML comment, invisible on the rendered
page, whose code makes that data small and seeded::

    <!-- snippet-setup: what it provides
    X = ...
    -->

and may be followed by ``<!-- snippet-check ... -->``, code that asserts the
numbers the block's comments state.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_system

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_BLOCK = re.compile(
    r"(?:<!-- snippet-setup[^\n]*\n(?P<setup>.*?)-->\s*\n)?"
    r"```python\n(?P<code>.*?)```"
    r"(?:\s*\n<!-- snippet-check[^\n]*\n(?P<check>.*?)-->)?",
    re.S,
)


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(line, code to run) for each ```python block: its setup, the block, its check."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for match in _BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code"))
        code = "\n".join(part for part in (match["setup"], match["code"], match["check"]) if part)
        blocks.append((line, code))
    return blocks


def test_every_document_with_python_blocks_is_found():
    found = {path.name: len(python_blocks(path)) for path in DOCUMENTS}
    text_counts = {path.name: path.read_text(encoding="utf-8").count("```python") for path in DOCUMENTS}
    assert found == text_counts  # no block the pattern misses
    assert found["README.md"] >= 3 and found["ecosystem.md"] >= 4


@pytest.mark.parametrize("path", [p for p in DOCUMENTS if python_blocks(p)], ids=lambda p: p.name)
def test_python_blocks_run(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"snippets_of_{path.stem}"}
    try:
        for line, code in python_blocks(path):
            try:
                exec(compile(code, f"{path.name}:{line}", "exec"), namespace)
            except Exception as error:
                raise AssertionError(f"{path.name}, the block at line {line + 1} failed: {error!r}") from error
    finally:
        for name in ("client", "cluster"):  # Dask objects a block or its set-up started
            closer = getattr(namespace.get(name), "close", None)
            if callable(closer):
                closer()


def _apt_line() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "apt-get install" in line and "apt-packages.txt" in line]
    assert len(lines) == 1
    return lines[0]


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


@pytest.mark.parametrize("uid", [0, 1000], ids=["root-without-sudo", "user-with-sudo"])
def test_the_readme_apt_line_works_as_root_and_as_a_user(tmp_path, uid):
    """The line runs under sh with stubs: as root on a system without sudo (a
    container) apt-get runs directly; as a user it runs through sudo."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "log"
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}')
    _stub(bin_dir, "id", f"echo {uid}")
    _stub(bin_dir, "cat", 'exec /bin/cat "$@"')
    if uid != 0:
        _stub(bin_dir, "sudo", f'echo "sudo" >> {log}; exec "$@"')
    result = subprocess.run(
        ["/bin/sh", "-c", _apt_line()], cwd=ROOT, env={"PATH": str(bin_dir)}, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    packages = (ROOT / ".ci" / "apt-packages.txt").read_text().split()
    assert calls[-1] == "apt-get install -y " + " ".join(packages)
    assert ("sudo" in calls) == (uid != 0)


# -- figures ------------------------------------------------------------------------
#: The Fashion-MNIST recipe's accuracy may differ by this much between machines
#: (float rounding of the fused kernels); README and docs/cli.md say so.
FASHION_TOLERANCE = 0.005


def _documented_fashion_accuracy() -> float:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    figures = set(re.findall(r"accuracy (0\.\d{4}) on the 10,000 test images", readme))
    cli = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    figures |= set(re.findall(r"^accuracy (0\.\d{4}) on 10000 test samples", cli, re.M))
    assert len(figures) == 1, figures  # one figure, the same in both documents
    return float(figures.pop())


def test_the_fashion_mnist_recipe_gives_the_documented_accuracy():
    require_system("/usr/share/datasets/fashion-mnist", "the Fashion-MNIST recipe needs dataset-fashion-mnist")
    documented = _documented_fashion_accuracy()
    command = [
        sys.executable,
        "-m",
        "akili",
        "train",
        "--data",
        "fashion-mnist",
        "--hidden",
        "200",
        "--lr",
        "0.1",
        "--epochs",
        "1",
        "--no-shuffle",
        "--quiet",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "2"}
    )
    assert result.returncode == 0, result.stderr
    measured = float(re.search(r"^accuracy (0\.\d+) on 10000 test samples", result.stdout, re.M)[1])
    assert abs(measured - documented) <= FASHION_TOLERANCE, (measured, documented)


def test_the_default_train_command_gives_the_documented_accuracy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = float(re.search(r"prints ≈ (0\.\d+) test accuracy", readme)[1])
    result = subprocess.run(
        [sys.executable, "-m", "akili", "train", "--quiet"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    measured = float(re.search(r"^accuracy (0\.\d+) on \d+ test samples", result.stdout, re.M)[1])
    assert abs(measured - documented) <= 0.01, (measured, documented)  # "≈": the figure rounded to 2 places
