"""The code keeps one style: ruff (lint with the pyupgrade rules, and format) for
Python, clang-format for C++, configured in pyproject.toml ([tool.ruff]) and
.clang-format. The checks cover the paths listed below; the rest of the tree
joins once it has been formatted in a commit of its own (then CHECKED becomes
["."] and the C++ list every file under cpp/, python/src/ and tests/cpp/)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_system

ROOT = Path(__file__).resolve().parent.parent

#: False until the tree has been formatted once (ruff check --fix, ruff format, clang-format -i):
#: then True checks every Python file and every C++ file of the repository.
WHOLE_TREE = False

#: Python files and directories ruff checks (relative to the repository root).
CHECKED = [
    "python/akili/_cli_common.py",
    "python/akili/_divergence.py",
    "python/akili/_pickling.py",
    "tests/test_docs.py",
    "tests/test_habits.py",
    "tests/test_messages.py",
    "tests/test_pickling.py",
    "tests/test_style.py",
    "tests/test_divergence.py",
]
#: C++ files clang-format checks.
CPP_DIRECTORIES = ("cpp", "python/src", "tests/cpp", "tests/fuzz", "examples/cpp", "bench/cpp")
CHECKED_CPP = [
    "cpp/include/akili/classes.hpp",
    "cpp/include/akili/errors.hpp",
    "cpp/src/number_text.hpp",
    "python/src/bind_names.cpp",
    "python/src/bind_pickle.cpp",
]
if WHOLE_TREE:
    CHECKED = ["."]
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
    result = subprocess.run([*_ruff(), *command, *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cpp_follows_clang_format():
    tool = shutil.which("clang-format-14") or shutil.which("clang-format")
    require_system(tool or "clang-format-14", "the C++ style check needs clang-format (Debian: clang-format-14)")
    result = subprocess.run(
        [tool, "--dry-run", "--Werror", *CHECKED_CPP], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
