"""The package version, read from the installed metadata (pyproject.toml is its one source)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("akili")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"
