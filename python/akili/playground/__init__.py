"""``akili playground``: a local page where a learner trains a small network live.

    akili playground                 # serves http://127.0.0.1:8765/ and opens the browser
    akili playground --port 0 --no-browser

The page (plain HTML, CSS and ES modules in ``static/``, no CDN, no build step)
shows the data, the decision boundary, the loss curves and the network with its
weights; the training runs in akili's core on the server side through the public
Python API (:mod:`akili.playground.session`). Only the standard library serves it
(:mod:`akili.playground.server`); docs/playground.md describes the page and the API.
"""

from __future__ import annotations

from .server import PlaygroundServer, SessionStore, serve
from .session import Session, SessionError

__all__ = ["PlaygroundServer", "Session", "SessionError", "SessionStore", "serve"]
