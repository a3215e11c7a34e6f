"""Pickling and deep copies of networks, through the model file's bytes.

``pickle.dumps(net)``, ``copy.deepcopy(net)``, joblib, multiprocessing, Dask and
the scikit-learn estimators all store a network the same way: the bytes
``Network.to_bytes()`` returns (the validated model file: layers, weights, biases,
trainable masks, frozen flags, loss, rule, learning rate, init and seed) plus the
six words of its random source, so the copy shuffles its next epochs exactly as
the original would. Unpickling runs akili's own checked decoder (``akili.loads``)
on those bytes and nothing else from the pickle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _core

if TYPE_CHECKING:
    from ._network import Dense, Network


def reduce_network(network: Network) -> tuple[Any, tuple[Any, ...]]:
    """``Network.__reduce__``: rebuild with :func:`restore_network` from the model bytes."""
    state = tuple(int(word) for word in _core.random_state(network._native))
    return restore_network, (type(network), network.to_bytes(), state)


def restore_network(cls: type, data: bytes, random_state: tuple[int, ...]) -> Network:
    """The network ``reduce_network`` described, as an instance of ``cls`` (Network or a subclass)."""
    from ._model_file import _loaded
    from ._network import Network

    if not (isinstance(cls, type) and issubclass(cls, Network)):
        raise TypeError(f"[akili.loads] expected a Network class to restore, got {cls!r}")
    network = _loaded(data, cls)
    _core.set_random_state(network._native, tuple(random_state))
    return network


def reduce_dense(layer: Dense) -> tuple[Any, tuple[Any, ...]]:
    """``Dense.__reduce__``: a layer of a network travels with its network (whose
    copy it then belongs to); a layer not yet in a network is its four settings."""
    if layer._network is not None:
        return layer_of, (layer._network, layer._index)
    from ._network import Dense

    return new_dense, (Dense, layer.inputs, layer.outputs, layer.activation, layer.has_bias)


def layer_of(network: Network, index: int) -> Dense:
    return network.layers[index]


def new_dense(cls: type, inputs: int, outputs: int, activation: str, bias: bool) -> Dense:
    return cls(inputs, outputs, activation=activation, bias=bias)
