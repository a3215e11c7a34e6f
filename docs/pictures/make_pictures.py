"""Draws the lecture's pictures in docs/pictures/ from real akili networks:

- error-split.png: links of 0.6 and 0.2 sharing an output error of 2.0, split
  with the normalising factor (1.5 / 0.5) and without it (1.2 / 0.4);
- hidden-errors.png: two hidden nodes each feeding two output nodes, output
  errors 0.8 and 0.5, weights [[2, 3], [1, 4]]: the hidden errors are
  Wᵀ·E = [2.1, 4.4] (normalised: [0.42, 0.88]);
- training-step.png: one training step of the tutorial's 2-2-2 network, the
  forward pass (I, X, O) and the backward pass (E, the split of each error).

Each picture is also drawn with Kiswahili labels (``*.sw.png``).
``tests/test_diagram.py`` runs this script and reads the numbers back from the
pictures' texts.

    python docs/pictures/make_pictures.py [output directory]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import akili
from akili import lessons
from akili.plotting import _figure, draw_network

HERE = Path(__file__).resolve().parent
TITLES = {
    "normalized": {"en": "with the normalising factor: E·w/Σw", "sw": "kwa kigawanyo: E·w/Σw"},
    "transpose": {"en": "without it: Wᵀ·E", "sw": "bila kigawanyo: Wᵀ·E"},
}


def _two_rules(weights: Any, errors: Any, lang: str, width: float, height: float) -> Any:
    """The same error split under the normalized and the transpose rule, side by side."""
    figure = _figure(width, height)  # an Agg canvas, no window
    for index, rule in enumerate(("normalized", "transpose")):
        net, trace = lessons.error_split_step(weights, errors, rule)
        draw_network(
            net, trace, ax=figure.add_subplot(1, 2, index + 1), lang=lang, from_layer=1, title=TITLES[rule][lang]
        )
    figure.tight_layout()
    return figure


def error_split(lang: str = "en") -> Any:
    """Links of 0.6 and 0.2 share an output error of 2.0."""
    return _two_rules([[0.6, 0.2]], [2.0], lang, 9.0, 4.0)


def hidden_errors(lang: str = "en") -> Any:
    """Two hidden nodes each feeding two outputs: E_hidden = Wᵀ·E."""
    return _two_rules([[2.0, 3.0], [1.0, 4.0]], [0.8, 0.5], lang, 9.0, 4.6)


def training_step(lang: str = "en") -> Any:
    """The tutorial's 2-2-2 network (docs/tutorial.md, "Step-through"), one step."""
    net = akili.NeuralNetwork(2, 2, 2, learning_rate=0.3)
    net.wih = [[0.9, 0.3], [0.2, 0.8]]
    net.who = [[0.3, 0.7], [0.6, 0.5]]
    trace = net.step([1.0, 0.5], [0.99, 0.01], trace=True)
    return draw_network(net, trace, lang=lang)


PICTURES = {"error-split": error_split, "hidden-errors": hidden_errors, "training-step": training_step}


def main(directory: Path = HERE) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in PICTURES.items():
        for lang, suffix in (("en", ""), ("sw", ".sw")):
            path = directory / f"{name}{suffix}.png"
            draw(lang).savefig(path)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
