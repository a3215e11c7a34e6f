"""The words written on akili's pictures, in English ("en") and Kiswahili ("sw").

The Kiswahili terms are those of docs/sw/tutorial.md, where each is introduced
beside its English name.
"""

from __future__ import annotations

LANGUAGES = ("en", "sw")

_WORDS: dict[str, dict[str, str]] = {
    "input": {"en": "input", "sw": "ingizo"},
    "inputs": {"en": "inputs", "sw": "maingizo"},
    "hidden": {"en": "hidden", "sw": "fiche"},
    "hidden layer": {"en": "hidden layer", "sw": "tabaka fiche"},
    "output": {"en": "output", "sw": "tokeo"},
    "outputs": {"en": "outputs", "sw": "matokeo"},
    "bias": {"en": "bias", "sw": "upendeleo"},
    "weights": {"en": "weights", "sw": "uzito"},
    "forward pass": {"en": "forward pass", "sw": "mpito wa mbele"},
    "backward pass": {"en": "backward pass", "sw": "mpito wa nyuma"},
    "error": {"en": "error", "sw": "kosa"},
    "errors": {"en": "errors", "sw": "makosa"},
    "error split": {"en": "error split", "sw": "mgawanyo wa kosa"},
    "rule": {"en": "rule", "sw": "kanuni"},
    "loss": {"en": "loss", "sw": "hasara"},
    "accuracy": {"en": "accuracy", "sw": "usahihi"},
    "epoch": {"en": "epoch", "sw": "mzunguko"},
    "training": {"en": "training", "sw": "mafunzo"},
    "validation": {"en": "validation", "sw": "uthibitisho"},
    "test": {"en": "test", "sw": "jaribio"},
    "epoch mean": {"en": "epoch mean", "sw": "wastani wa mzunguko"},
    "every": {"en": "every {n} samples", "sw": "kila sampuli {n}"},
    "epoch boundary": {"en": "end of an epoch", "sw": "mwisho wa mzunguko"},
    "layer": {"en": "layer", "sw": "tabaka"},
    "node": {"en": "node", "sw": "nodi"},
    "nodes not shown": {"en": "{n} nodes not shown", "sw": "nodi {n} hazijaonyeshwa"},
    "weight matrix": {"en": "weight matrix", "sw": "matriki ya uzito"},
    "normalized": {"en": "normalized: E·w/Σw", "sw": "kwa kigawanyo: E·w/Σw"},
    "transpose": {"en": "transpose: Wᵀ·E", "sw": "Wᵀ·E (bila kigawanyo)"},
    "gradient": {"en": "gradient: Wᵀ·δ", "sw": "gradienti: Wᵀ·δ"},
}


def check_language(lang: str, where: str) -> str:
    """``lang`` if akili speaks it, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"[{where}] unknown lang {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def word(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{n}``-style values filled in."""
    return _WORDS[key][lang].format(**values)
