"""The akili model file: save a Network, load it back, in Python or C++.

The format (docs/model-format.md) is written and read by the C++ core, so a file
saved here loads in a C++ program with ``akili::load`` and predicts bit for bit
the same, and the reverse. Loading never executes anything from the file: it is
a fixed binary layout of sizes, codes and IEEE 754 numbers, checked in full
(magic bytes, version, CRC-32, every size against the file length, layer chain,
finite weights) before a network is built.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Union

from . import _core
from ._core import ModelFormatError

if TYPE_CHECKING:
    from ._network import Network

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

__all__ = ["ModelFormatError", "load", "loads", "save", "to_bytes"]

# The class comes from the core (which raises it); its documentation lives here.
ModelFormatError.__doc__ = (
    "A model file that is not well formed: wrong magic bytes, a newer format version, "
    "truncated, trailing bytes, a checksum mismatch, an unknown code, an absurd size, "
    "layers that do not chain or a non-finite weight. A subclass of ValueError."
)


def _native_path(path: Any, where: str) -> bytes:
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"[{where}] expected a path (str, bytes or os.PathLike), got {type(path).__name__}")
    # File-system encoding, so names that are not valid UTF-8 still work.
    encoded = os.fsencode(path)
    # The C API ends a name at its first NUL: "a\0b" would silently become "a".
    if b"\0" in encoded:
        raise ValueError(f"[{where}] the path contains a NUL byte: {path!r}")
    return encoded


def save(network: Network, path: PathLike) -> None:
    """Write ``network`` to ``path`` crash-safely.

    The bytes go to a temporary file in the same directory, which is flushed to
    disk and atomically renamed over ``path``: a crash or error leaves either the
    old file or the new one, never a mix. Raises OSError (with ``errno`` and
    ``filename``) when the file system refuses.
    """
    _core.save_model(network._native, _native_path(path, "Network.save"), network.seed, network._init, "Network.save")


def to_bytes(network: Network) -> bytes:
    """The model file's content for ``network``, as ``bytes``."""
    return _core.model_to_bytes(network._native, network.seed, network._init)


def _wrap(loaded: tuple[Any, str, int, str], cls: type[Network] | None = None) -> Network:
    from ._network import Network

    native, dtype, seed, init = loaded
    return (cls or Network)._from_native(native, dtype=dtype, seed=seed, init=init)


def _loaded(data: bytes, cls: type[Network]) -> Network:
    """The network in model-file bytes as an instance of ``cls`` (unpickling a subclass)."""
    return _wrap(_core.load_model_bytes(bytes(data), "pickle.loads"), cls)


def load(path: PathLike) -> Network:
    """Read a model file written by ``Network.save`` or by C++ ``akili::save``.

    Returns a Network of the saved dtype with the saved layers (weights, bias,
    trainable masks, frozen flags), loss, rule, learning rate and seed; its
    random source restarts from that seed. Raises FileNotFoundError / OSError
    when the file cannot be read and :class:`ModelFormatError` (a ValueError)
    when it is not a well-formed akili model.
    """
    return _wrap(_core.load_model(_native_path(path, "akili.load"), "akili.load"))


def loads(data: bytes | bytearray | memoryview) -> Network:
    """Like :func:`load`, from the file's content held in memory."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"[akili.loads] expected bytes, bytearray or memoryview, got {type(data).__name__}")
    return _wrap(_core.load_model_bytes(bytes(data), "akili.loads"))
