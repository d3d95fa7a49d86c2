"""``geoshift serve``: the web app and the HTTP API with uvicorn, bound to loopback unless a token guards it."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from geoshift.errors import InputError
from geoshift.results.store import RunStore
from geoshift.web.security import check_bind

if TYPE_CHECKING:
    from geoshift.world import World

TOKEN_ENV = "GEOSHIFT_TOKEN"


def serve(host: str, port: int, token: str | None, store: Path | None, *,
          world_loader: Callable[[], World] | None = None) -> None:
    """Serve the app on ``host:port`` until interrupted; ``token`` (default ``$GEOSHIFT_TOKEN``) is required on
    every request when given. Binding to anything but 127.0.0.1, localhost or ::1 without a token raises
    ``InputError`` (one line) before the server starts. ``world_loader`` (default ``load_world()``) loads the World
    on first use, e.g. the CLI's, which honours ``--data-dir`` and ``--cache-dir``."""
    token = token or os.environ.get(TOKEN_ENV) or None
    check_bind(host, token)
    check_port(host, port)
    import uvicorn

    from geoshift.web.app import create_app

    app = create_app(world_loader=world_loader, store=RunStore(store), token=token)
    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"geoshift serve: http://{shown}:{port}/ (the API under /api/v1, its schema at "
                     f"/api/v1/openapi.json{'; token required' if token else ''}); Ctrl+C stops it\n")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def check_port(host: str, port: int) -> None:
    """Refuse (one line) a port outside 0-65535 or one already taken on ``host``."""
    if not 0 <= port <= 65535:
        raise InputError(f"--port {port}: give a port between 0 and 65535, e.g. 8000")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); pick "
                             f"another port (--port) or stop what uses it") from None
