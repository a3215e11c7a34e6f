"""Shared by the playground tests: a server on an OS-chosen port in a thread, and requests to it."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from akili.playground import PlaygroundServer, SessionStore


@contextmanager
def running_server(**store_options: Any) -> Iterator[PlaygroundServer]:
    server = PlaygroundServer("127.0.0.1", 0, sessions=SessionStore(**store_options))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def request(
    server: PlaygroundServer,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    try:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def call(server: PlaygroundServer, method: str, path: str, body: Any = None) -> Any:
    """The JSON answer of a request that must succeed."""
    status, _, data = request(server, method, path, body)
    assert status in (200, 201), (status, data[:300])
    return json.loads(data)
