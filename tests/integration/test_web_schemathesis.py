"""Schemathesis over every operation of the app's OpenAPI schema, in-process (ASGI) on the example World: no
answer is a server error, and every answer matches the schema it documents (status codes included)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from geoshift.results.store import RunStore
from geoshift.web.app import create_app
from geoshift.world import example_world

#: the store lives as long as the test process (the schema is loaded at collection, before any fixture)
STORE = tempfile.TemporaryDirectory(prefix="geoshift-schemathesis-")
APP = create_app(world_loader=example_world, store=RunStore(Path(STORE.name) / "runs.duckdb"))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def stop_the_workers() -> Iterator[None]:
    yield
    APP.state.jobs.shutdown()


def test_the_schema_lists_every_endpoint() -> None:
    paths = set(schema.raw_schema["paths"])
    assert {"/api/v1/health", "/api/v1/world", "/api/v1/profile/{country}", "/api/v1/scenarios",
            "/api/v1/scenarios/{name}", "/api/v1/scenarios/validate", "/api/v1/scenarios/run", "/api/v1/runs",
            "/api/v1/runs/{run_id}", "/api/v1/compare", "/api/v1/jobs", "/api/v1/jobs/{job_id}",
            "/api/v1/energy", "/api/v1/game", "/api/v1/bargain", "/api/v1/ensemble", "/api/v1/check"} <= paths


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_server_error_and_answers_match_the_schema(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance, status_code_conformance,
                                   content_type_conformance])
