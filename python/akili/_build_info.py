"""How the installed core was built and which product kernels it runs.

The core is compiled for the architecture's baseline (x86-64: SSE2) except the
matrix-product kernel, which is also built for AVX2+FMA and AVX-512; the first
product picks the widest the CPU supports, or the one the environment variable
``AKILI_ISA`` names (``baseline``, ``avx2``, ``avx512``; read once per process).
The avx2 and avx512 paths give bit-identical results; docs/cpp.md
("Instruction sets") says what the baseline path guarantees.
"""

from __future__ import annotations

from typing import Any

from . import _core


def build_info() -> dict[str, Any]:
    """The core's build and kernel choice, as a dict:

    ``version``, ``compiler``, ``eigen`` (Eigen's version), ``architecture``,
    ``native`` (built with ``-march=native``: runs only on CPUs like the build
    machine's), ``compiled`` (kernel sets in this build), ``supported`` (those this
    CPU runs), ``active`` (the one in use) and ``selected_by`` (``"cpu"`` or
    ``"AKILI_ISA"``). Raises ValueError when ``AKILI_ISA`` names an unknown set or
    one this CPU lacks.
    """
    return dict(_core.build_info())


def info_text(info: dict[str, Any]) -> str:
    """The report ``python -m akili --info`` prints, one ``name: value`` line each."""
    lines = [
        f"akili {info['version']}",
        f"compiler: {info['compiler']}",
        f"eigen: {info['eigen']}",
        f"architecture: {info['architecture']}",
        f"build: {'native (-march=native)' if info['native'] else 'portable (baseline instruction set)'}",
        f"kernels compiled: {', '.join(info['compiled'])}",
        f"kernels this CPU runs: {', '.join(info['supported'])}",
        f"kernel in use: {info['active']} (chosen by {info['selected_by']})",
    ]
    return "\n".join(lines)
