"""The report section on how stable alignments are: the distance between UNGA ideal points by year for the pairs
USA-RUS, CHN-RUS and USA-CHN side by side (plotly, inline and offline), with words on what the distance means.
Built only from the distance series (``analysis.alignment.distance_series``); labels are HTML-escaped."""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape

import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.subplots import make_subplots  # type: ignore[import-untyped]

from geoshift.data.unga import CITATION

COLORS = ("#b42318", "#1b7f3b", "#1f4e79", "#7b5ea7", "#c27c0e")
EXPLANATION = (
    "Each UN member's <em>ideal point</em> places its votes in the General Assembly on one latent dimension, "
    "estimated from its roll-call votes, with resolutions that recur from session to session as bridges so "
    "that years are comparable; higher ideal points are closer to the US-led Western bloc. The "
    "<em>distance</em> between two countries is the absolute difference of their ideal points in a year: 0 "
    "means they voted alike, and a rising distance means they are drifting apart. The distance measures how "
    "the two vote at the UN, not whether they are allies: it moves with the UNGA agenda as well as with "
    "policy, so year-to-year wiggles of a few tenths are common."
)


def _points(series: pd.Series | Mapping[int, float]) -> tuple[list[int], list[float]]:
    values = pd.Series(series, dtype=float).dropna().sort_index()
    return [int(year) for year in values.index], [float(v) for v in values.to_numpy()]


def alignment_figure(series: Mapping[str, pd.Series | Mapping[int, float]],
                     window: tuple[int, int] | None = None) -> go.Figure:
    """One panel per pair (label -> distance by year), side by side on a shared y axis; ``window`` is shaded."""
    labels = list(series)
    fig = make_subplots(rows=1, cols=max(1, len(labels)), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[escape(label) for label in labels])
    for i, label in enumerate(labels, start=1):
        years, values = _points(series[label])
        fig.add_trace(go.Scatter(
            x=years, y=values, mode="lines+markers", name=escape(label), marker={"size": 4},
            line={"color": COLORS[(i - 1) % len(COLORS)]},
            hovertemplate=f"{escape(label)} %{{x}}: distance %{{y:.3f}}<extra></extra>"), row=1, col=i)
        if window is not None:
            fig.add_vrect(x0=window[0], x1=window[1], fillcolor="#d9e2ec", opacity=0.35, line_width=0, row=1, col=i)
        fig.update_xaxes(title_text="UNGA session (year)", row=1, col=i)
    fig.update_yaxes(title_text="distance between ideal points", rangemode="tozero", row=1, col=1)
    fig.update_layout(template="plotly_white", showlegend=False, height=420,
                      margin={"l": 60, "r": 20, "t": 60, "b": 60},
                      title="How far apart do they vote? Distance between UNGA ideal points")
    return fig


def render_alignment_section(series: Mapping[str, pd.Series | Mapping[int, float]], *,
                             window: tuple[int, int] | None = None, measure: str = "fp",
                             include_plotlyjs: bool | str = True) -> str:
    """An HTML ``<section id="alignment">``: the chart of ``series`` (pair label, e.g. ``"USA–RUS"`` -> distance by
    year; the three reference pairs from ``analysis.alignment.distance_series``), what the distance means, each
    pair's latest value and the source. ``include_plotlyjs=False`` where the page already carries plotly.js."""
    latest = []
    for label in series:
        years, values = _points(series[label])
        if years and math.isfinite(values[-1]):
            latest.append(f"{escape(label)} {values[-1]:.2f} in {years[-1]}")
    shaded = (f" The shaded years, {window[0]}–{window[1]}, are the window of the trend and volatility."
              if window is not None else "")
    div = alignment_figure(series, window).to_html(full_html=False, include_plotlyjs=include_plotlyjs,
                                                   config={"displaylogo": False})
    return "".join([
        '<section id="alignment"><h2>How stable are alignments?</h2>',
        f"<p>{EXPLANATION}{shaded}</p>",
        f'<div class="figure">{div}</div>',
        f"<p>Latest distance: {'; '.join(latest) or 'no data'}.</p>" if series else "",
        f'<p class="note">Ideal points: {escape(CITATION)}; measure {escape(measure)} (fp: final-passage votes, '
        "all: all votes, legacy: the earlier release's estimate). The file is not shipped with geoshift: pass it "
        "with <code>--unga FILE</code>. Russia's series includes the Soviet Union before 1992.</p>",
        "</section>",
    ])
