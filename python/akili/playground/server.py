"""The playground's HTTP server: the page's files and a small JSON API, on the
standard library's ``ThreadingHTTPServer`` (see docs/playground.md for why).

Routes (``ID`` is a session id the server handed out):

    GET  /                               the page (static/index.html)
    GET  /static/PATH                    the page's files, only from static/
    GET  /api/options                    data sets, activations, losses and the training controls
    POST /api/sessions                   a new session (body: settings, may be {}) -> its full state
    GET  /api/sessions/ID                the full state
    POST /api/sessions/ID/config         change settings -> the full state
    POST /api/sessions/ID/frame          train one frame (epochs_per_frame epochs) -> the new frame
    POST /api/sessions/ID/step           {"kind": "batch" | "example"} -> the frame (and the trace)
    POST /api/sessions/ID/points         {"x", "y", "class"}: a clicked point -> the full state
    POST /api/sessions/ID/reset          start again -> the full state
    GET  /api/sessions/ID/model          the akili model file (Network.to_bytes)
    GET  /api/sessions/ID/code           the Python script that replays the run
    POST /api/sessions/ID/close          forget the session (the page sends it when the tab goes away)

Every error is JSON, ``{"error": "..."}``, with a 4xx status: 400 for a malformed
request or a bad setting, 403 for a foreign Host header, 404 for an unknown path
or session, 405 for a wrong method, 413 for a body over 1 MB, 422 when training
diverges. The page pulls frames, never more than one request on its way (it asks
for the next while drawing the last), so it can never fall behind the training.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import mimetypes
import secrets
import socket
import sys
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

import akili

from . import options as opts
from .data import IRIS_FEATURES, IRIS_SPECIES
from .session import (
    DATA_NAMES,
    DEFAULT_CONFIG,
    MAX_EPOCHS_PER_FRAME,
    MAX_HIDDEN_LAYERS,
    MAX_NODES,
    Session,
    SessionError,
    TrainingDiverged,
)

STATIC_DIR = Path(str(resources.files(__package__) / "static")).resolve()
MAX_BODY = 1 << 20
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


class RequestError(Exception):
    """An error the client caused: sent back as JSON with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SessionStore:
    """The live sessions. One per tab; a session is dropped when its tab says goodbye
    (``close``), when nobody has used it for ``idle_seconds``, or, beyond ``max_sessions``,
    the least recently used first, so memory stays bounded whatever the tabs do."""

    def __init__(self, *, idle_seconds: float = 900.0, max_sessions: int = 64) -> None:
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def __contains__(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._sessions

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._sessions.items() if now - s.last_used > self.idle_seconds]:
            del self._sessions[key]

    def create(self, config: Any) -> tuple[str, Session]:
        session = Session(config)  # raises SessionError for bad settings, before anything is stored
        session_id = secrets.token_urlsafe(12)
        with self._lock:
            self._expire()
            while len(self._sessions) >= self.max_sessions:
                oldest = min(self._sessions, key=lambda k: self._sessions[k].last_used)
                del self._sessions[oldest]
            self._sessions[session_id] = session
        return session_id, session

    def get(self, session_id: str) -> Session:
        with self._lock:
            self._expire()
            session = self._sessions.get(session_id)
            if session is None:
                raise RequestError(404, f"unknown session {session_id!r}: it was closed or expired; reload the page")
            session.last_used = time.monotonic()
            return session

    def close(self, session_id: str) -> bool:
        with self._lock:
            return self._sessions.pop(session_id, None) is not None


def options_description() -> dict[str, Any]:
    """What the page may choose from (sent once when it loads)."""
    return {
        "version": akili.__version__,
        "data": list(DATA_NAMES),
        "activations": list(akili.ACTIVATIONS),
        "output_activations": [a for a in akili.ACTIVATIONS if a != "softmax"],
        "iris_features": list(IRIS_FEATURES),
        "iris_species": list(IRIS_SPECIES),
        "max_hidden_layers": MAX_HIDDEN_LAYERS,
        "max_nodes": MAX_NODES,
        "max_epochs_per_frame": MAX_EPOCHS_PER_FRAME,
        "controls": opts.describe(),
        "defaults": DEFAULT_CONFIG,
    }


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    server: PlaygroundServer
    server_version = f"akili-playground/{akili.__version__}"
    protocol_version = "HTTP/1.1"  # keep-alive: the page's frame requests reuse one connection
    timeout = 120  # seconds a connection may stay silent (idle keep-alive, a body that never comes)
    # Headers and body leave in two writes; with Nagle's algorithm the body would wait for
    # the client's delayed ACK (40 ms on Linux), capping the page at ~20 frames/s.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:
            super().log_message(format, *args)

    # -- answers ---------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value, allow_nan=False).encode(), "application/json")

    def _body(self) -> Any:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                raise RequestError(411, "send the body with a Content-Length")
            return {}
        try:
            length = int(length_text)
        except ValueError:
            self.close_connection = True
            raise RequestError(400, f"bad Content-Length {length_text!r}") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise RequestError(413, f"request body of {length} bytes; at most {MAX_BODY} accepted")
        raw = self.rfile.read(length)
        if len(raw) < length:
            self.close_connection = True
            raise RequestError(400, "the request body ended early")
        if not raw.strip():
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RequestError(400, f"the request body is not valid JSON: {error}") from None

    # -- dispatch --------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        try:
            self._check_host()
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path.startswith("/api/"):
                self._api(method, path)
            elif method != "GET":
                raise RequestError(405, f"{method} is not allowed on {path}")
            else:
                self._static(path)
        except RequestError as error:
            self._json(error.status, {"error": str(error)})
        except SessionError as error:
            self._json(422 if isinstance(error, TrainingDiverged) else 400, {"error": str(error)})
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away: nothing to answer
        except Exception as error:  # a bug: a short JSON answer, never a traceback to the page
            self.log_error("internal error on %s %s: %r", method, self.path, error)
            self._json(500, {"error": f"internal error: {type(error).__name__}"})

    def _check_host(self) -> None:
        # Against DNS rebinding: a page from elsewhere that resolves its own name to
        # 127.0.0.1 must not drive a loopback-only playground.
        if not self.server.loopback_only:
            return
        host = self.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not _is_loopback(name):
            raise RequestError(403, f"Host {host!r} refused: this playground answers only on the loopback address")

    def _static(self, path: str) -> None:
        relative = "index.html" if path in ("/", "/index.html") else None
        if relative is None and path.startswith("/static/"):
            relative = path[len("/static/") :]
        if relative is None:
            raise RequestError(404, f"no page at {path}")
        from urllib.parse import unquote

        decoded = unquote(relative)
        if "\0" in decoded or "\\" in decoded:
            raise RequestError(404, f"no file {relative!r}")
        target = (STATIC_DIR / decoded).resolve()
        # Whatever the path says (.., %2e%2e, absolute, symlinks), only files inside static/ are served.
        if not target.is_relative_to(STATIC_DIR) or not target.is_file():
            raise RequestError(404, f"no file {relative!r}")
        content_type = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        if content_type is None:
            raise RequestError(404, f"no file {relative!r}")
        self._send(200, target.read_bytes(), content_type)

    def _api(self, method: str, path: str) -> None:
        parts = path.strip("/").split("/")[1:]  # without "api"
        store = self.server.sessions
        if parts == ["options"]:
            self._expect(method, "GET")
            self._json(200, options_description())
            return
        if parts == ["sessions"]:
            self._expect(method, "POST")
            session_id, session = store.create(self._body())
            with session.lock:
                self._json(201, {"session": session_id, "state": session.state()})
            return
        if len(parts) < 2 or parts[0] != "sessions":
            raise RequestError(404, f"no API at {path}")
        session_id, action = parts[1], "/".join(parts[2:])
        if action == "close" or (action == "" and method == "DELETE"):
            self._expect(method, "POST", "DELETE")
            self._body()
            closed = store.close(session_id)
            self._json(
                200 if closed else 404,
                {"closed": session_id} if closed else {"error": f"unknown session {session_id!r}"},
            )
            return
        routes = {
            "": "GET",
            "model": "GET",
            "code": "GET",
            "config": "POST",
            "frame": "POST",
            "step": "POST",
            "points": "POST",
            "reset": "POST",
        }
        if action not in routes:
            raise RequestError(404, f"no API at {path}")
        self._expect(method, routes[action])
        body = self._body() if method == "POST" else None
        if body is not None and not isinstance(body, dict):
            raise RequestError(400, f"expected a JSON object, got {type(body).__name__}")
        session = store.get(session_id)
        with session.lock:
            if action == "":
                self._json(200, session.state())
            elif action == "model":
                self._send(
                    200,
                    session.model_bytes(),
                    "application/octet-stream",
                    {"Content-Disposition": 'attachment; filename="playground.akili"'},
                )
            elif action == "code":
                self._send(
                    200,
                    session.python_code().encode(),
                    "text/x-python; charset=utf-8",
                    {"Content-Disposition": 'attachment; filename="playground_run.py"'},
                )
            elif action == "config":
                session.configure(body)
                self._json(200, session.state())
            elif action == "frame":
                self._json(200, session.frame())
            elif action == "step":
                self._json(200, session.step(body.get("kind")))
            elif action == "points":
                session.add_point(body.get("x"), body.get("y"), body.get("class"))
                self._json(200, session.state())
            elif action == "reset":
                session.reset()
                self._json(200, session.state())

    @staticmethod
    def _expect(method: str, *allowed: str) -> None:
        if method not in allowed:
            raise RequestError(405, f"{method} is not allowed here; use {' or '.join(allowed)}")


class PlaygroundServer(http.server.ThreadingHTTPServer):
    """The server; ``serve_forever()`` runs it, ``url`` is where the page is."""

    daemon_threads = True
    block_on_close = False  # stopping never waits for an idle keep-alive connection

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, sessions: SessionStore | None = None, verbose: bool = False
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        self.sessions = sessions if sessions is not None else SessionStore()
        self.verbose = verbose
        self.loopback_only = _is_loopback(host)
        super().__init__((host.strip("[]"), port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8765, *, open_browser: bool = True, verbose: bool = False) -> int:
    """Run the playground until Ctrl-C; returns the exit status (0 after a clean stop)."""
    if not _is_loopback(host):
        print(
            f"akili playground: warning: serving on {host}: anyone who can reach this machine can use the "
            "playground and its CPU; use the default 127.0.0.1 to keep it to yourself",
            file=sys.stderr,
        )
    server = PlaygroundServer(host, port, verbose=verbose)
    print(f"akili playground: {server.url}  (Ctrl-C stops)", flush=True)
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("akili playground: stopped", flush=True)
    finally:
        server.server_close()
    return 0
