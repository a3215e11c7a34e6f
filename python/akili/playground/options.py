"""The training controls the page offers, described once so the page builds its
widgets from this list and the session builds its network from it.

Each :class:`Option` names the keyword it feeds: ``network`` options go to
``akili.Network(...)`` when the network is built, ``fit`` options to every
``Network.fit`` / ``Network.step`` call, ``live`` options are also assigned to the
running network (``net.learning_rate = ...``) without starting again.

Adding a control the core gains later (an optimizer, a regulariser) is one entry
here, e.g. ``Option("optimizer", "choice", "sgd", target="network", choices=akili.OPTIMIZERS)``,
plus its label in static/i18n.js: the page draws it, the session passes it on and
the exported Python code repeats it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import akili


@dataclass(frozen=True)
class Option:
    name: str
    kind: str  # "choice" or "number"
    default: Any
    target: str  # "network": a Network(...) keyword; "fit": a fit/step setting
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    live: bool = False  # applied to the running network without a rebuild

    def check(self, value: Any) -> Any:
        """``value`` if it is valid for this control, else ValueError naming what arrived."""
        if self.kind == "choice":
            if value not in self.choices:
                raise ValueError(
                    f"[playground config] unknown {self.name} {value!r}; expected one of {', '.join(self.choices)}"
                )
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"[playground config] expected {self.name} as a number, got {value!r}")
        if self.integer and value != int(value):
            raise ValueError(f"[playground config] expected {self.name} as a whole number, got {value!r}")
        if not self.minimum <= value <= self.maximum:  # type: ignore[operator]
            raise ValueError(
                f"[playground config] expected {self.name} from {self.minimum:g} to {self.maximum:g}, got {value!r}"
            )
        return int(value) if self.integer else float(value)


OPTIONS = (
    Option("rule", "choice", "transpose", target="network", choices=akili.RULES, live=True),
    Option("loss", "choice", "squared_error", target="network", choices=akili.LOSSES),
    Option("learning_rate", "number", 0.1, target="network", minimum=1e-5, maximum=10.0, live=True),
    Option("batch_size", "number", 1, target="fit", minimum=1, maximum=500, integer=True, live=True),
    Option("seed", "number", 0, target="network", minimum=0, maximum=2**32 - 1, integer=True),
)
BY_NAME = {option.name: option for option in OPTIONS}


def describe() -> list[dict[str, Any]]:
    """The controls as JSON-ready dictionaries, for the page."""
    return [asdict(option) for option in OPTIONS]
