"""A run's metrics as one labelled long table for notebooks and exports: every metric row with the metric's
meaning (from the registry), its unit, country and sector names next to their codes, and the 5/50/95 % quantiles of
the ensemble beside the central value where the run drew its declared uncertainty.

Columns (:data:`FRAME_COLUMNS`): ``run_id``, ``scenario``, ``kind``, ``metric``, ``metric_label``, ``unit``,
``country``, ``country_name``, ``partner``, ``partner_name``, ``sector``, ``sector_name``, ``value``, ``q05``,
``q50``, ``q95`` (NaN where the run has no quantile of that row). The quantile rows themselves
(``real_income_change_pct_q05``...) stay in the table too: nothing the record holds is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoshift.data.countries import country_name
from geoshift.data.resources import read_packaged_csv
from geoshift.results.records import METRIC_COLUMNS, WORLD, RunRecord
from geoshift.results.registry import REGISTRY

if TYPE_CHECKING:
    from geoshift.results.ensemble import EnsembleResult

FRAME_COLUMNS = ("run_id", "scenario", "kind", "metric", "metric_label", "unit", "country", "country_name",
                 "partner", "partner_name", "sector", "sector_name", "value", "q05", "q50", "q95")
QUANTILE_LEVELS = ("q05", "q50", "q95")
#: the places a reader wants first, in this order (then any other key country the run reports)
HEADLINE_PLACES = ("EU27", WORLD, "USA", "CHN", "RUS", "DEU", "IND", "UKR")
INCOME = "real_income_change_pct"
#: names of the aggregates and placeholders that are not ISO3 codes
AGGREGATE_NAMES: Mapping[str, str] = {
    WORLD: "World",
    "EU27": "European Union (27 members)",
    "ROW": "Rest of the world",
    "baseline": "baseline",
    "scenario": "scenario",
}
#: names of the sector keys that are not ICIO codes (sector groups, fuels, the whole)
SECTOR_KEY_NAMES: Mapping[str, str] = {
    "all": "all sectors (or all fuels)",
    "agriculture": "agriculture (sector group)",
    "energy": "energy (sector group)",
    "metals": "metals (sector group)",
    "manufacturing": "manufacturing (sector group)",
    "services": "services (sector group)",
    "crude": "crude oil",
    "products": "refined oil products",
    "pipeline_gas": "pipeline gas",
    "lng": "liquefied natural gas",
    "coal": "coal",
    "start": "position at the start",
    "final": "position at the end",
}


@cache
def icio_sector_names() -> dict[str, str]:
    """ICIO sector code -> name, from the packaged sector list (the one the World's ``sector_names`` come from)."""
    table = read_packaged_csv("icio_sectors.csv")
    return {str(code): str(name) for code, name in zip(table["code"], table["name"], strict=True)}


def place_name(code: str) -> str:
    """The name of a country code or aggregate (WORLD, EU27); anything else (a bargaining actor) as it is."""
    if not code:
        return ""
    if code in AGGREGATE_NAMES:
        return AGGREGATE_NAMES[code]
    return country_name(code)


def sector_label(key: str, names: Mapping[str, str] | None = None) -> str:
    """The name of a metric's sector key: an ICIO code's name, ``theta.C19`` as the elasticity of that sector, a
    sector group or fuel in words, a draw number as ``draw N``; other keys (game outcomes) as they are."""
    names = icio_sector_names() if names is None else names
    if not key:
        return ""
    if key in names:
        return names[key]
    if key.startswith("theta.") and key.removeprefix("theta.") in names:
        return f"trade elasticity of {names[key.removeprefix('theta.')]}"
    if key in SECTOR_KEY_NAMES:
        return SECTOR_KEY_NAMES[key]
    if key.isdigit():
        return f"draw {key}"
    return key


def _labels(values: pd.Series, label: dict[str, str]) -> list[str]:
    return [label[v] for v in values]


def metrics_frame(record: RunRecord, *, sector_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The run's metrics as a labelled long table (see the module docstring for the columns). ``sector_names``:
    code -> name (e.g. ``dict(zip(world.sectors, world.sector_names))``); default the packaged ICIO list."""
    names = dict(icio_sector_names()) if sector_names is None else {**icio_sector_names(), **sector_names}
    m = record.metrics.reindex(columns=list(METRIC_COLUMNS))
    keys = {k: m[k].fillna("").astype(str).reset_index(drop=True) for k in ("metric", "country", "partner", "sector")}
    value = pd.to_numeric(m["value"], errors="coerce").astype(float).reset_index(drop=True)
    unit = m["unit"].fillna("").astype(str).reset_index(drop=True)
    registered = [REGISTRY[n].unit if n in REGISTRY else "" for n in keys["metric"]]
    unit = pd.Series([u or r for u, r in zip(unit, registered, strict=True)], dtype=object)
    places = {c: place_name(c) for c in set(keys["country"]) | set(keys["partner"])}
    sectors = {s: sector_label(s, names) for s in set(keys["sector"])}
    frame = pd.DataFrame({
        "run_id": record.run_id, "scenario": record.name, "kind": record.kind,
        "metric": keys["metric"],
        "metric_label": [REGISTRY[n].description if n in REGISTRY else n for n in keys["metric"]],
        "unit": unit,
        "country": keys["country"], "country_name": _labels(keys["country"], places),
        "partner": keys["partner"], "partner_name": _labels(keys["partner"], places),
        "sector": keys["sector"], "sector_name": _labels(keys["sector"], sectors),
        "value": value,
    }, index=pd.RangeIndex(len(m)))
    # quantiles: the rows of METRIC_qNN with the same keys as a row of METRIC
    key_of = list(zip(keys["metric"], keys["country"], keys["partner"], keys["sector"], strict=True))
    found = {key: v for key, v in zip(key_of, value, strict=True)}
    for level in QUANTILE_LEVELS:
        frame[level] = np.array([found.get((f"{metric}_{level}", c, p, s), np.nan) for metric, c, p, s in key_of],
                                dtype=float)
    return frame.loc[:, list(FRAME_COLUMNS)]


# -- short summaries (the notebook reprs) ---------------------------------------------------------------------


def headline_frame(record: RunRecord) -> pd.DataFrame:
    """The real-income change (%) of the headline places (:data:`HEADLINE_PLACES` the run reports, in that order):
    columns ``country``, ``country_name``, ``value``, ``q05``, ``q50``, ``q95`` (NaN without an ensemble)."""
    frame = metrics_frame(record)
    rows = frame[frame["metric"] == INCOME].drop_duplicates("country").set_index("country")
    places = [c for c in HEADLINE_PLACES if c in rows.index]
    out = rows.loc[places, ["country_name", "value", *QUANTILE_LEVELS]].reset_index()
    return out.rename(columns={"index": "country"})


def has_draws(record: RunRecord) -> bool:
    """True where the run drew its declared uncertainty (its metrics hold the ensemble's quantiles)."""
    metrics = record.metrics
    return bool(len(metrics)) and bool((metrics["metric"] == f"{INCOME}_q05").any())


def _signed(value: float) -> str:
    """A change as shown: 3 decimals and a sign, and 0.000 (not -0.000) for what rounds to zero."""
    if math.isnan(value):
        return "–"
    shown = round(value, 3) + 0.0
    return "0.000" if shown == 0 else f"{shown:+.3f}"


def _place_text(row: Mapping[Any, Any]) -> str:
    text = f"{row['country']} {_signed(float(row['value']))} %"
    if not math.isnan(float(row["q05"])):
        text += f" (5–95 %: {_signed(float(row['q05']))} to {_signed(float(row['q95']))})"
    return text


def solver_text(diagnostics: Mapping[str, Any]) -> str:
    """The GE solver's diagnostics in words: converged or not, iterations, residual, seconds."""
    if not diagnostics or "converged" not in diagnostics:
        return "no solver diagnostics recorded"
    parts = ["converged" if diagnostics.get("converged") else "NOT converged"]
    if isinstance(diagnostics.get("iterations"), int | float):
        parts.append(f"{int(diagnostics['iterations'])} iterations")
    if isinstance(diagnostics.get("residual"), int | float):
        parts.append(f"residual {float(diagnostics['residual']):.1e}")
    if isinstance(diagnostics.get("seconds"), int | float):
        parts.append(f"{float(diagnostics['seconds']):.2f} s")
    return ", ".join(parts)


def record_summary_lines(record: RunRecord, *, places: int = 5) -> list[str]:
    """A few lines that say what a run found: its headline real-income changes (with the 5–95 % band where it has
    draws), the solver, the size of its metrics table."""
    lines = []
    head = headline_frame(record)
    if len(head):
        shown = [_place_text(row) for row in head.head(places).to_dict("records")]
        per_line = 2 if has_draws(record) else 5
        for i in range(0, len(shown), per_line):
            lead = "real income: " if i == 0 else " " * len("real income: ")
            lines.append(lead + ", ".join(shown[i:i + per_line]))
    ensemble = record.diagnostics.get("ensemble")
    if isinstance(ensemble, Mapping):
        lines.append(f"ensemble: {ensemble.get('draws')} {ensemble.get('sampler', '')} draws, seed "
                     f"{ensemble.get('seed')}")
    if record.kind in ("scenario", "outcome"):
        lines.append(f"solver: {solver_text(record.diagnostics)}")
    metrics = record.metrics
    count = int(metrics["metric"].nunique()) if len(metrics) else 0
    lines.append(f"metrics: {len(metrics):,} rows of {count} metrics; .to_frame() labels them")
    return lines


def record_repr(record: RunRecord, *, what: str = "RunRecord", note: str = "") -> str:
    """A short text repr of a run (at most about 8 lines, never a whole table)."""
    title = f"<{what} {record.name} ({record.kind}), run {record.run_id}, {record.created}{note}"
    body = record_summary_lines(record)
    return "\n  ".join([title, *body]) + ">"


def record_repr_html(record: RunRecord, *, what: str = "RunRecord", note: str = "") -> str:
    """The same as a small HTML table (the headline places) with a caption and the solver line."""
    head = headline_frame(record)
    band = has_draws(record)
    header = "<th>place</th><th>real income change (%)</th>" + ("<th>5–95 % of the draws (%)</th>" if band else "")
    rows = []
    for row in head.to_dict("records"):
        cells = f"<td>{escape(str(row['country']))} ({escape(str(row['country_name']))})</td>"
        cells += f"<td>{_signed(float(row['value']))}</td>"
        if band:
            cells += (f"<td>{_signed(float(row['q05']))} to {_signed(float(row['q95']))}</td>"
                      if not math.isnan(float(row["q05"])) else "<td>–</td>")
        rows.append(f"<tr>{cells}</tr>")
    caption = f"{escape(what)} <b>{escape(record.name)}</b> ({escape(record.kind)}), run {escape(record.run_id)}"
    caption += escape(note)
    table = (f"<table><caption>{caption}</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}"
             "</tbody></table>") if rows else f"<p>{caption}</p>"
    tail = [escape(line) for line in record_summary_lines(record) if not line.startswith(("real income", " "))]
    return f"<div>{table}<p>{'<br>'.join(tail)}</p></div>"


def ensemble_repr(ensemble: EnsembleResult) -> str:
    """A short text repr of an ensemble: draws, sampler, parameters and each headline's 5/50/95 % quantiles."""
    q = ensemble.quantiles() if ensemble.draws.shape[0] else np.full((len(QUANTILE_LEVELS), len(ensemble.names)),
                                                                      np.nan)
    params = ", ".join(p.name for p in ensemble.parameters[:6]) + (" ..." if len(ensemble.parameters) > 6 else "")
    lines = [f"<EnsembleResult {ensemble.draws.shape[0]} {ensemble.sampler} draws (seed {ensemble.seed}, "
             f"{ensemble.backend}, {ensemble.seconds:.2f} s) of {len(ensemble.parameters)} parameters"
             + (f": {params}" if params else "")]
    for h, name in enumerate(ensemble.names[:8]):
        lines.append(f"{name}: real income {_signed(float(ensemble.central[h]))} % "
                     f"(5/50/95 %: {_signed(float(q[0, h]))} / {_signed(float(q[1, h]))} / {_signed(float(q[2, h]))})")
    return "\n  ".join(lines) + ">"
