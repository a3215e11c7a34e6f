"""Where the C++ package inside the installed wheel lives.

The wheel ships the core for C++ programs: headers in ``akili/include``, the
static library in ``akili/lib`` and the CMake package in ``akili/lib/cmake/akili``,
so ``find_package(akili CONFIG REQUIRED)`` works with
``-DCMAKE_PREFIX_PATH=$(python -m akili --cmake-dir)``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["cmake_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def cmake_dir() -> Path:
    """The directory holding ``akiliConfig.cmake``.

    Raises FileNotFoundError when this akili was not installed from a wheel
    (e.g. run from a source tree), naming the directory that was expected.
    """
    directory = _PACKAGE_DIR / "lib" / "cmake" / "akili"
    if not (directory / "akiliConfig.cmake").is_file():
        raise FileNotFoundError(
            f"{directory / 'akiliConfig.cmake'} does not exist: this akili was not installed with its C++ "
            "package (pip install . installs it); or build the core standalone with "
            "cmake -S . -B build -DAKILI_BUILD_PYTHON=OFF"
        )
    return directory
