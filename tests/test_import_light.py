"""`import akili` stays light: the heavy optional libraries load only when the
submodule that needs them is used."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "tqdm", "onnx", "onnxruntime", "sklearn", "torch", "dask", "distributed", "pandas", "scipy")


def _modules_after(code: str) -> set[str]:
    # A fresh interpreter: this test process has long imported most of these.
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    return set(json.loads(output.strip().splitlines()[-1]))


def test_import_akili_loads_no_heavy_library():
    loaded = _modules_after("import akili\nakili.Network\nakili.restarts")
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert heavy == []


def test_submodules_load_their_library_on_first_use():
    loaded = _modules_after("import akili\nakili.sklearn")
    assert "sklearn" in loaded and "akili.sklearn" in loaded
    assert "onnx" not in loaded
