"""The HTML report of a bargaining forecast: the issue, the actors with who coded them and why, the trajectory
of positions round by round, the forecast with its spread under perturbation, and the actors file."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]

from geoshift.report.html import CSS, text_table, write_html


def _html(fig: go.Figure, with_js: bool) -> str:
    return str(fig.to_html(full_html=False, include_plotlyjs=with_js, config={"displaylogo": False}))


def _trajectory(result: Mapping[str, Any]) -> go.Figure:
    rounds = result["rounds"]
    steps = [r["round"] for r in rounds] + [len(rounds) + 1]  # positions at the start of each round, then final
    fig = go.Figure()
    for actor in result["actors"]:
        name = actor["actor"]
        ys = [r["positions"][name] for r in rounds] + [actor["final_position"]]
        fig.add_trace(go.Scatter(x=steps, y=ys, mode="lines", name=name, line={"width": 1.5},
                                 hovertemplate=f"{escape(name)}<br>round %{{x}}: %{{y:.2f}}<extra></extra>"))
    medians = [r["median"] for r in rounds] + [result["forecast"]["median"]]
    fig.add_trace(go.Scatter(x=steps, y=medians, mode="lines", name="median voter (forecast)",
                             line={"width": 4, "color": "black", "dash": "dash"}))
    fig.update_layout(title="Positions round by round", xaxis_title="round (positions at its start)", height=520,
                      yaxis_title=result["issue"].get("issue", "issue scale"), xaxis_type="log" if len(steps) > 60
                      else "linear")
    return fig


def _spread(sensitivity: Mapping[str, Any], forecast: float) -> go.Figure:
    fig = go.Figure(go.Histogram(x=sensitivity["median_draws"], nbinsx=40, marker_color="#3b6ea5",
                                 name="forecast per draw"))
    fig.add_vline(x=forecast, line_dash="dash", annotation_text="forecast")
    fig.update_layout(title=f"Forecast under ±{100 * sensitivity['spread']:.0f} % perturbation of the coded "
                            f"values ({sensitivity['draws']} draws, seed {sensitivity['seed']})",
                      xaxis_title="median voter position after bargaining", yaxis_title="draws", height=380)
    return fig


def render_bargain_report(result: Mapping[str, Any], actors_text: str) -> str:
    issue = result["issue"]
    forecast, diag = result["forecast"], result["diagnostics"]
    scale = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in issue.items())
    settled = (f"settled after {diag['iterations']} rounds" if diag["converged"] else
               f"not settled after {diag['iterations']} rounds (largest last move {diag['residual']:.2g} of the "
               "span): read the trajectory, not only the end point")
    actors = [[escape(a["actor"]), f"{a['capability']:g}", f"{a['salience']:g}", f"{a['position']:g}",
               f"{a['final_position']:.2f}", "computed" if a["risk"] is None else f"{a['risk']:g}",
               escape(a["coded_by"]), escape(a["basis"])] for a in result["actors"]]
    first = result["rounds"][0]
    moves = [[escape(m["actor"]), escape(m["kind"]), escape(m["proposer"]), f"{first['positions'][m['actor']]:g}",
              f"{m['to']:.2f}", f"{m['eu_actor']:+.3f}", f"{m['eu_proposer']:+.3f}"] for m in first["moves"]]
    parts = [
        f"<h1>geoshift bargain: {escape(issue.get('issue', result['file']))}</h1>",
        f"<p class=\"note\">{escape(result['model'])}; actors file {escape(result['file'])}.</p>",
        f"<ul>{scale}</ul>" if scale else "",
        "<section id=\"forecast\"><h2>Forecast</h2>",
        f"<p>Median voter position after bargaining: <b>{forecast['median']:.2f}</b> (capability x salience "
        f"weighted mean {forecast['mean']:.2f}); {escape(settled)}.</p>",
    ]
    sens = result.get("sensitivity")
    if sens:
        q = sens["quantiles"]["median"]
        parts.append(f"<p>With every capability and salience scaled by U(1 ± {sens['spread']:g}) and every position "
                     f"moved by ± {sens['spread']:g} of the span, the forecast lies between {q[0]:.2f} and "
                     f"{q[2]:.2f} in 90 % of {sens['draws']} draws (median {q[1]:.2f}); "
                     f"{100 * sens['settled_share']:.0f} % of the draws settled.</p>")
    parts += ["</section><section id=\"trajectory\"><h2>Trajectory</h2>", _html(_trajectory(result), True)]
    if sens:
        parts.append(_html(_spread(sens, forecast["median"]), False))
    parts += [
        "</section><section id=\"round1\"><h2>Round 1: accepted offers</h2>",
        "<p class=\"note\">EU = expected utility (actor's view) of the actor challenging the proposer, and of the "
        "proposer challenging the actor.</p>",
        text_table(["actor", "kind", "proposer", "from", "to", "EU actor", "EU proposer"], moves),
        "</section><section id=\"actors\"><h2>Actors</h2>",
        text_table(["actor", "capability", "salience", "start", "final", "risk", "coded by", "basis"], actors),
        f"</section><section id=\"file\"><h2>Actors file</h2><pre>{escape(actors_text)}</pre></section>",
    ]
    title = escape(issue.get("issue", "bargaining forecast"))
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>\n")


def write_bargain_report(result: Mapping[str, Any], actors_text: str, path: Path) -> Path:
    return write_html(render_bargain_report(result, actors_text), path)
