"""The data set errors and the types the readers share."""

from __future__ import annotations

import os

import numpy as np

PathLike = str | os.PathLike
Dataset = tuple[np.ndarray, np.ndarray]
Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class DatasetError(ValueError):
    """A data file is missing, malformed or inconsistent."""


class DatasetNotFoundError(DatasetError):
    """A data set could not be found where it was looked for."""


def _name(path: PathLike) -> str:
    return os.fspath(path)
