"""Stored records of the strategic layer's runs (games and bargaining), built in one place for every entry point
(``geoshift game`` / ``geoshift bargain`` and the web app's jobs): the same request gives the same scenario hash."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from geoshift.engines.bargain.model import BargainResult
from geoshift.engines.strategy.alignment import GameSpec
from geoshift.results.codekey import code_key
from geoshift.results.metrics import bargain_metrics, game_metrics
from geoshift.results.records import RunRecord
from geoshift.world import World


def request_hash(request: Mapping[str, Any]) -> str:
    """SHA-256 of a request as canonical JSON (sorted keys): what identifies a strategic run in the store."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def game_record(world: World, spec: GameSpec, spec_text: str, result: Mapping[str, Any], *,
                request: Mapping[str, Any]) -> RunRecord:
    """A solved game's record: payoffs by outcome and player; ``request`` holds what was asked beyond the file
    (``set``, ``map``, ``n``, ``draws``, ``seed``)."""
    return RunRecord(
        run_id=uuid.uuid4().hex[:12], name=spec.name, description=spec.description, spec_yaml=spec_text,
        scenario_hash=request_hash({"spec": spec.model_dump(mode="json"), **request}), created=now(),
        metrics=game_metrics(result["payoffs"]),
        diagnostics={"spe": [e["outcome"] for e in result["spe"]], "delta_star": result["delta_star"],
                     "engine_solves": result["engine_solves"], "seconds": result["seconds"],
                     **({"ensemble": result["ensemble"]} if "ensemble" in result else {})},
        provenance=[asdict(p) for p in world.provenance], data_key=world.data_key, kind="game", code_key=code_key())


def bargain_record(name: str, description: str, actors_text: str, result: BargainResult,
                   payload: Mapping[str, Any], *, request: Mapping[str, Any]) -> RunRecord:
    """A bargaining run's record: the forecast and every actor's start and final position; ``payload`` is the
    run's result dictionary (its diagnostics and sensitivity are kept), ``request`` the overrides and rounds."""
    sensitivity = payload.get("sensitivity")
    return RunRecord(
        run_id=uuid.uuid4().hex[:12], name=name, description=description, spec_yaml=actors_text,
        scenario_hash=request_hash({"file": actors_text, **request}), created=now(), metrics=bargain_metrics(result),
        diagnostics={**payload["diagnostics"], "sensitivity": None if sensitivity is None else {
            k: v for k, v in sensitivity.items() if k != "median_draws"}}, kind="bargain", code_key=code_key())
