"""The lesson notebooks in examples/notebooks run end to end (nbclient + ipykernel),
stored without outputs; the error-split notebook also runs with Kiswahili labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "examples" / "notebooks").glob("*.ipynb"))


def test_one_notebook_per_lecture_stored_without_outputs():
    assert [path.stem.split("-", 1)[0] for path in NOTEBOOKS] == ["1", "2", "3", "4", "5", "6"]
    for path in NOTEBOOKS:
        document = json.loads(path.read_text())
        for cell in document["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs"


def execute(path: Path, lang: str = "en"):
    notebook = nbformat.read(path, as_version=4)
    if lang != "en":
        setup = notebook.cells[1]
        assert 'LANG = "en"' in setup.source
        setup.source = setup.source.replace('LANG = "en"', f'LANG = "{lang}"')
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # the notebooks' %matplotlib inline: Agg pictures, no window
    return notebook


def outputs(notebook, kind: str) -> list:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if kind in output.get("data", {})
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_and_shows_pictures(path):
    notebook = execute(path)
    assert len(outputs(notebook, "image/png")) >= 2  # the lecture's pictures, drawn
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_error_split_notebook_in_kiswahili():
    notebook = execute(next(path for path in NOTEBOOKS if "error-split" in path.name), lang="sw")
    text = "".join(
        output["text"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
    assert "hidden errors [1.5 0.5]" in text and "hidden errors [1.2 0.4]" in text
    assert len(outputs(notebook, "image/png")) >= 4
