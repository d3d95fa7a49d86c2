"""A bargaining run as plain data (the CLI's JSON, the report's input, the stored record's metrics)."""

from __future__ import annotations

import math
from typing import Any

from geoshift.engines.bargain.model import BargainResult
from geoshift.engines.bargain.sensitivity import Sensitivity

MODEL = "Bueno de Mesquita expected-utility model (Scholz, Calbert & Smith 2011 reading)"


def result_dict(result: BargainResult, sensitivity: Sensitivity | None = None) -> dict[str, Any]:
    actors = result.actors
    rows = []
    for i, name in enumerate(actors.name):
        rows.append({
            "actor": name, "capability": float(actors.capability[i]), "position": float(actors.position[i]),
            "salience": float(actors.salience[i]),
            "risk": None if math.isnan(actors.risk[i]) else float(actors.risk[i]),
            "final_position": float(result.positions[i]),
            "coded_by": actors.coded_by[i] if actors.coded_by else "",
            "basis": actors.basis[i] if actors.basis else "",
        })
    rounds = [{
        "round": r.number, "median": r.median, "mean": r.mean,
        "positions": dict(zip(actors.name, map(float, r.positions), strict=True)),
        "risk": dict(zip(actors.name, map(float, r.risk), strict=True)),
        "moves": [{"actor": o.receiver, "to": o.position, "kind": o.kind, "proposer": o.proposer,
                   "eu_actor": o.eu_receiver, "eu_proposer": o.eu_proposer} for o in r.accepted],
    } for r in result.rounds]
    payload: dict[str, Any] = {
        "model": MODEL, "file": actors.source, "issue": dict(actors.meta), "actors": rows,
        "forecast": {"median": result.median, "mean": result.mean},
        "diagnostics": {"converged": result.converged, "iterations": result.iterations,
                        "residual": result.residual, "seconds": result.seconds},
        "rounds": rounds, "sensitivity": None,
    }
    if sensitivity is not None:
        payload["sensitivity"] = {
            "spread": sensitivity.spread, "draws": sensitivity.draws, "seed": sensitivity.seed,
            "quantiles": {"q": [0.05, 0.5, 0.95], **sensitivity.quantiles()},
            "settled_share": float(sensitivity.converged.mean()),
            "median_draws": [float(v) for v in sensitivity.median],
        }
    return payload
