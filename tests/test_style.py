"""The code keeps one style: ruff (lint with the pyupgrade rules, and format) for
Python, clang-format for C++, configured in pyproject.toml ([tool.ruff]) and
.clang-format. Every Python file (notebooks included) and every C++ file of the
repository is checked; `ruff check --fix . && ruff format .` and
`clang-format-14 -i` on the C++ files mend what they report."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_system

ROOT = Path(__file__).resolve().parent.parent

#: Where the C++ sources live (every *.cpp and *.hpp below them is checked).
CPP_DIRECTORIES = ("cpp", "python/src", "tests/cpp", "tests/fuzz", "examples/cpp", "bench/cpp")
CHECKED_CPP = sorted(
    str(path.relative_to(ROOT)) for directory in CPP_DIRECTORIES for path in (ROOT / directory).rglob("*.[ch]pp")
)


def _ruff() -> list[str]:
    if (
        shutil.which("ruff") is None
        and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode != 0
    ):
        pytest.skip("ruff is not installed (it is part of the test extra)")
    return [sys.executable, "-m", "ruff"]


@pytest.mark.parametrize("command", [["check"], ["format", "--check", "--diff"]], ids=["check", "format"])
def test_python_follows_ruff(command):
    result = subprocess.run([*_ruff(), *command, "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cpp_follows_clang_format():
    tool = shutil.which("clang-format-14") or shutil.which("clang-format")
    require_system(tool or "clang-format-14", "the C++ style check needs clang-format (Debian: clang-format-14)")
    result = subprocess.run(
        [tool, "--dry-run", "--Werror", *CHECKED_CPP], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
