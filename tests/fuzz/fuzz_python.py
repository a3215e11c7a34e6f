"""atheris fuzz target for akili's Python entry points that read untrusted bytes.

The first input byte picks the reader; the rest is the file content:
    0 akili.loads                1 akili.loads, length and CRC-32 patched to match
    2 akili.datasets.read_idx    3 read_idx of the content gzip-compressed
    4 akili.datasets.read_csv    5 akili.datasets.load_npz
    6 akili.datasets.iter_csv (float32, book scaling, batches of 3), checked against read_csv
Each must return a well-formed result or raise its typed error
(akili.ModelFormatError, akili.datasets.DatasetError); anything else is a finding.

    python tests/fuzz/fuzz_python.py -max_total_time=60 [corpus_dir]
"""

from __future__ import annotations

import gzip
import os
import struct
import sys
import tempfile
import zlib

import atheris

with atheris.instrument_imports():
    import numpy as np

    import akili
    from akili import datasets

WORK = tempfile.mkdtemp(prefix="akili-fuzz-")


def _patched_model(data: bytes) -> bytes:
    """Body length and checksum made consistent, so the body decoder is reached."""
    if len(data) < 24:
        return data
    patched = bytearray(data)
    struct.pack_into("<Q", patched, 12, len(data) - 24)
    struct.pack_into("<I", patched, len(data) - 4, zlib.crc32(bytes(patched[:-4])))
    return bytes(patched)


def _check_model(network: akili.Network) -> None:
    outputs = network.predict(np.full(network.n_inputs, 0.5))
    assert outputs.shape == (network.n_outputs,)
    assert akili.loads(network.to_bytes()).to_bytes() == network.to_bytes()


def _write(name: str, content: bytes) -> str:
    path = os.path.join(WORK, name)
    with open(path, "wb") as handle:
        handle.write(content)
    return path


def test_one_input(data: bytes) -> None:
    if not data:
        return
    choice, content = data[0] % 7, data[1:]
    try:
        if choice in (0, 1):
            _check_model(akili.loads(content if choice == 0 else _patched_model(content)))
        elif choice in (2, 3):
            raw = content if choice == 2 else gzip.compress(content, mtime=0)
            array = datasets.read_idx(_write("f.idx", raw))
            assert 1 <= array.ndim <= 4 and array.nbytes <= len(content)
        elif choice == 4:
            features, labels = datasets.read_csv(_write("f.csv", content))
            assert features.shape[0] == labels.shape[0] and np.isfinite(features).all()
        elif choice == 6:
            path = _write("b.csv", content)
            parts = list(datasets.iter_csv(path, batch_rows=3, dtype=np.float32, scale="book"))
            features, labels = datasets.read_csv(path, dtype=np.float32, scale="book")
            streamed = np.concatenate([p[0] for p in parts]) if parts else features[:0]
            assert streamed.tobytes() == features.tobytes()
            assert np.array_equal(np.concatenate([p[1] for p in parts]) if parts else labels[:0], labels)
        else:
            features, labels = datasets.load_npz(_write("f.npz", content))
            assert features.shape[0] == labels.shape[0]
    except (akili.ModelFormatError, datasets.DatasetError):
        pass


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
