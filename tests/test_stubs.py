"""The type stub of the compiled module (python/akili/_core.pyi) names exactly
what akili._core defines, with named arguments, so stub and bindings never drift.

Regenerate it after changing a binding (see docs/ecosystem.md):
    pybind11-stubgen akili._core -o /tmp/stubs && cp /tmp/stubs/akili/_core.pyi python/akili/_core.pyi
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import akili
from akili import _core

STUB = Path(akili.__file__).with_name("_core.pyi")
REPO = Path(__file__).resolve().parents[1]


def _public(names) -> set[str]:
    return {name for name in names if not name.startswith("_")}


def _stub_tree() -> ast.Module:
    assert STUB.exists(), f"{STUB} is missing from the installed package"
    return ast.parse(STUB.read_text(encoding="utf-8"))


def _defined(body: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return _public(names)


def test_stub_names_match_the_module():
    tree = _stub_tree()
    assert _defined(tree.body) == _public(dir(_core))


def test_stub_class_members_match_the_classes():
    for node in _stub_tree().body:
        if not isinstance(node, ast.ClassDef):
            continue
        native = getattr(_core, node.name)
        if isinstance(native, type) and issubclass(native, BaseException):
            continue
        assert _defined(node.body) == _public(vars(native)), node.name


def test_stub_names_every_argument():
    text = STUB.read_text(encoding="utf-8")
    assert "arg0" not in text


def test_stub_in_the_source_tree_is_the_installed_one():
    source = REPO / "python" / "akili" / "_core.pyi"
    if source.exists():
        assert source.read_text(encoding="utf-8") == STUB.read_text(encoding="utf-8")


def test_typed_api_checks_with_mypy():
    # The installed package (py.typed + this stub) as a user's type checker sees
    # it, through an example that uses restarts, the estimators and ONNX export.
    pytest.importorskip("mypy")
    example = REPO / "examples" / "ecosystem.py"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--ignore-missing-imports",
            "--no-error-summary",
            "--cache-dir",
            str(Path(tempfile.gettempdir()) / "akili-mypy-cache"),
            str(example),
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
