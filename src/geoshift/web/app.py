"""The web app: one FastAPI application holding the HTTP API (``/api/v1``) and the pages, over one lazily loaded
World, one results store and one job manager (``app.state.world()``, ``app.state.store``, ``app.state.jobs``).

Every 4xx answer is JSON ``{"error": "<one line, as the CLI prints it>", "status": CODE}`` (validation errors of
scenario text add ``"line"``); a bad request never gets a 5xx.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from geoshift.errors import DataError, GeoshiftError, ScenarioError
from geoshift.results.store import RunNotFoundError, RunStore
from geoshift.version import __version__
from geoshift.web import pages
from geoshift.web.api import router as api_router
from geoshift.web.cache import AnswerCache, Cache
from geoshift.web.errors import NotFoundError
from geoshift.web.jobs import JobManager, QueueFullError
from geoshift.web.limits import Limits
from geoshift.web.scenarios import error_line, public_message
from geoshift.web.security import BodyLimit, TokenGate
from geoshift.world import World

STATIC = Path(__file__).resolve().parent / "static"
NOT_FOUND = (RunNotFoundError, NotFoundError)

__all__ = ["Limits", "create_app"]


class WorldHolder:
    """Loads the World once, on first use, however many requests ask at the same time."""

    def __init__(self, loader: Callable[[], World]) -> None:
        self._loader, self._lock = loader, threading.Lock()
        self._world: World | None = None

    def __call__(self) -> World:
        if self._world is None:
            with self._lock:
                if self._world is None:
                    self._world = self._loader()
        return self._world


def error_json(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status)


def status_of(exc: GeoshiftError) -> int:
    if isinstance(exc, NOT_FOUND):
        return 404
    if isinstance(exc, QueueFullError):
        return 429
    if isinstance(exc, DataError):
        return 503  # the server's data or store, not the request
    return 422


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one line: where, what, the value given."""
    errors = list(exc.errors())
    if not errors:
        return "the request is not valid"
    first = errors[0]
    loc = [str(k) for k in first.get("loc", ()) if k != "body"]
    where = ".".join(loc) if loc else "request body"
    kind = first.get("type", "")
    given = first.get("input")
    if kind == "json_invalid":
        return f"request body is not valid JSON ({first.get('ctx', {}).get('error', first.get('msg'))})"
    if kind == "extra_forbidden":
        return (f"{where}: unknown field {loc[-1]!r} in the request; the fields this endpoint takes are in "
                f"/api/v1/openapi.json")
    if kind == "missing":
        return f"{where}: missing required field"
    shown = repr(given)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    text = f"{where}: {first.get('msg', 'invalid')}" + ("" if kind.startswith("model_") else f" (got {shown})")
    return text.replace("Value error, ", "")


def create_app(*, world_loader: Callable[[], World] | None = None, store: RunStore | None = None,
               token: str | None = None, limits: Limits | None = None) -> FastAPI:
    """The app over ``world_loader`` (default: the real World), ``store`` (default: the user's results store);
    ``token`` required on every request when given."""
    if world_loader is None:
        from geoshift.world import load_world

        world_loader = load_world
    limits = limits or Limits()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.jobs.shutdown()

    app = FastAPI(title="geoshift", version=__version__, lifespan=lifespan,
                  description="Simulate geopolitical realignments and what they cost: the World, scenarios, runs, "
                              "games, bargaining, ensembles and claims, over HTTP.",
                  openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs", redoc_url=None)
    app.state.world = WorldHolder(world_loader)
    app.state.store = store if store is not None else RunStore()
    app.state.limits = limits
    app.state.jobs = JobManager(max_queued=limits.max_queued_jobs, max_finished=limits.max_finished_jobs)
    app.state.token = token
    app.state.run_cache = AnswerCache(64)  # encoded GET /runs/{id} answers by run id
    app.state.profile_cache = AnswerCache(512)  # encoded profiles by request
    app.state.evidence = Cache(16)  # evidence pages of check jobs by job id

    @app.exception_handler(GeoshiftError)
    async def geoshift_error(request: Request, exc: GeoshiftError) -> JSONResponse:
        message = public_message(str(exc))
        status = status_of(exc)
        if isinstance(exc, ScenarioError):
            return error_json(status, message, line=error_line(message))
        return error_json(status, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_json(422, validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            return error_json(422, "request body is not valid JSON (it does not decode as UTF-8 JSON text)")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"{request.method} {request.url.path}: no such page or endpoint; the API is under /api/v1"
        elif exc.status_code == 405:
            detail = f"{request.method} {request.url.path}: method not allowed here"
        return error_json(exc.status_code, detail)

    app.include_router(api_router)
    app.include_router(pages.router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    if token:
        app.add_middleware(TokenGate, token=token)
    return app
