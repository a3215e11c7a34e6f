"""``python -m akili``: ``--cmake-dir`` prints the directory of akili's CMake
package inside the installed wheel; ``--info`` prints how the core was built and
which product kernels it runs (``akili.build_info()``); any other arguments go
to the ``akili`` command line (``akili.cli``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

USAGE = "usage: python -m akili --cmake-dir | --info"


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m akili`` with ``argv`` (default: the process arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--cmake-dir"]:
        from ._cmake import cmake_dir

        try:
            print(cmake_dir())
        except FileNotFoundError as error:
            print(f"akili: {error}", file=sys.stderr)
            return 1
        return 0
    if args == ["--info"]:
        from ._build_info import build_info, info_text

        try:
            print(info_text(build_info()))
        except ValueError as error:  # a bad AKILI_ISA
            print(f"akili: {error}", file=sys.stderr)
            return 2
        return 0
    # The command line is imported only when needed: --cmake-dir stays fast and
    # works even where the command line's own imports are unavailable.
    if importlib.util.find_spec("akili.cli") is None:
        print(USAGE, file=sys.stderr)
        return 0 if args in ([], ["-h"], ["--help"]) else 2
    from . import cli

    return int(cli.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
