"""The report's "Who is central" section, built only from the stored ``centrality_*`` metrics of each run (every
country's score at baseline, partner ``baseline``, and in the scenario, partner ``scenario``): per run and measure,
the leader before and after, the largest rise and fall in rank, and the ranks of the United States, Russia and
China. Every string from a record is HTML-escaped."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from geoshift.engines.network.centrality import BASELINE, MEASURES, SCENARIO, Measure, comparison
from geoshift.report.figures import run_labels
from geoshift.results.records import RunRecord

DASH = "–"
WATCHED = ("USA", "RUS", "CHN")
_UNITS = {"share": "share of the world", "USD": "US$", "%": "% of gross exports", "stages": "stages"}


def _cells(row: Iterable[str]) -> str:
    return "<tr>" + "".join(row) + "</tr>"


def _td(text: str, cls: str = "") -> str:
    return f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join(_cells(row) for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _values(metrics: pd.DataFrame, measure: Measure, partner: str) -> pd.Series:
    rows = metrics[(metrics["metric"] == measure.metric) & (metrics["partner"] == partner)]
    return pd.Series(rows["value"].to_numpy(dtype=np.float64), index=rows["country"].astype(str))


def _move(row: Mapping[Hashable, Any]) -> str:
    return f"{row['country']} {int(row['rank_before'])} → {int(row['rank_after'])} ({int(row['rank_change']):+d})"


def _measure_row(measure: Measure, before: pd.Series, after: pd.Series) -> list[str]:
    unit = escape(_UNITS.get(measure.unit, measure.unit))
    label = f'<th class="row">{escape(measure.label)}<small>{unit}</small></th>'
    if after.empty:
        frame = comparison(list(before.index), before.to_numpy())
        ranked = {str(r["country"]): int(r["rank_before"]) for r in frame.to_dict(orient="records")}
        return [label, _td(str(frame["country"].iloc[0]), "txt"), _td(DASH), _td(DASH), _td(DASH),
                *[_td(str(ranked[c]) if c in ranked else DASH) for c in WATCHED]]
    after = after.reindex(before.index)
    frame = comparison(list(before.index), before.to_numpy(), after.to_numpy())
    rows = {str(r["country"]): r for r in frame.to_dict(orient="records")}
    leader_before = min(rows, key=lambda c: (int(rows[c]["rank_before"]), c))
    leader_after = min(rows, key=lambda c: (int(rows[c]["rank_after"]), c))
    rises = sorted((r for r in rows.values() if int(r["rank_change"]) > 0),
                   key=lambda r: (-int(r["rank_change"]), int(r["rank_before"])))
    falls = sorted((r for r in rows.values() if int(r["rank_change"]) < 0),
                   key=lambda r: (int(r["rank_change"]), int(r["rank_before"])))
    watched = []
    for c in WATCHED:
        if c not in rows:
            watched.append(_td(DASH))
            continue
        change = int(rows[c]["rank_change"])
        cls = "pos" if change > 0 else "neg" if change < 0 else ""
        watched.append(_td(f"{int(rows[c]['rank_before'])} → {int(rows[c]['rank_after'])}", cls))
    return [label, _td(leader_before, "txt"), _td(leader_after, "txt"),
            _td(_move(rises[0]) if rises else "no rank changes", "txt"),
            _td(_move(falls[0]) if falls else "no rank changes", "txt"), *watched]


def render_centrality_section(records: Sequence[RunRecord]) -> str:
    """HTML for the runs' stored centrality metrics (a note where no run carries them)."""
    parts = ['<p class="note">Who is central in world trade, before and after each scenario (rank 1 = the highest '
             "score; rank change &gt; 0 = moved up). Network measures on gross trade between countries (ICIO, all "
             "sectors, domestic sales left out); value-added measures through the Leontief inverse, input flows "
             "derived by import proportionality. Scenario values come from the GE engine's counterfactual flows.</p>"]
    shown = 0
    for run, label in zip(records, run_labels(records), strict=True):
        metrics = run.metrics
        if not metrics["metric"].astype(str).str.startswith("centrality_").any():
            continue
        rows = []
        for measure in MEASURES:
            before = _values(metrics, measure, BASELINE)
            if before.empty:
                continue
            rows.append(_measure_row(measure, before, _values(metrics, measure, SCENARIO)))
        if not rows:
            continue
        shown += 1
        header = ["measure", "#1 at baseline", "#1 in the scenario", "largest rise (rank)", "largest fall (rank)",
                  *(f"{c} rank" for c in WATCHED)]
        parts.append(f"<h3>{escape(label)}</h3>\n" + _table(header, rows))
    if not shown:
        parts.append(f"<p>{DASH} no run here carries centrality metrics (runs stored before they were computed).</p>")
    definitions = "".join(f"<dt>{escape(m.label)}</dt><dd>{escape(m.definition)}</dd>" for m in MEASURES)
    parts.append(f"<dl>{definitions}</dl>")
    return "\n".join(parts)
