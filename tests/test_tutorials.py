"""The code blocks of the tutorial, in English (docs/tutorial.md) and in Kiswahili
(docs/sw/tutorial.md), run as written; the two carry the same code and lessons."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
TUTORIALS = {"en": DOCS / "tutorial.md", "sw": DOCS / "sw" / "tutorial.md"}


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def code_only(block: str) -> list[str]:
    """The block without comments, blank lines and its language's lang= argument."""
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line).rstrip()
        line = line.replace(', lang="sw"', "")
        if line and not line.lstrip().startswith("#"):
            lines.append(line)
    return lines


@pytest.mark.parametrize("lang", sorted(TUTORIALS))
def test_code_blocks_run(lang, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # blocks may write pictures
    namespace: dict = {"__name__": f"tutorial_{lang}"}
    blocks = python_blocks(TUTORIALS[lang])
    assert len(blocks) >= 2
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:  # one namespace: later blocks use what earlier ones made
            exec(compile(block, f"{TUTORIALS[lang].name} ({lang})", "exec"), namespace)
    assert "[1.5 0.5]" in printed.getvalue()
    assert (tmp_path / "training-step.png").stat().st_size > 10_000
    assert list(namespace["trace"].hidden_inputs) == pytest.approx([1.05, 0.6])


def test_the_kiswahili_tutorial_has_the_same_code_and_lessons():
    english, swahili = (python_blocks(TUTORIALS[lang]) for lang in ("en", "sw"))
    assert [code_only(block) for block in swahili] == [code_only(block) for block in english]
    assert 'lang="sw"' in "".join(swahili)
    scripts = {lang: set(re.findall(r"`(\w+\.py)`", path.read_text())) for lang, path in TUTORIALS.items()}
    assert scripts["sw"] == scripts["en"] and len(scripts["en"]) >= 9
    notebooks = {lang: set(re.findall(r"`(\d-[\w-]+)`", path.read_text())) for lang, path in TUTORIALS.items()}
    assert notebooks["sw"] == notebooks["en"] and len(notebooks["en"]) == 6
    for picture in re.findall(r"\]\(\.\./(pictures/[\w.-]+\.png)\)", TUTORIALS["sw"].read_text()):
        assert (DOCS / picture).is_file() and picture.endswith(".sw.png")


def test_readme_links_the_kiswahili_tutorial():
    readme = (DOCS.parent / "README.md").read_text()
    assert "docs/sw/tutorial.md" in readme
