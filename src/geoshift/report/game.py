"""The HTML report of a game: parameters with their sources, equilibria, trust thresholds, the outcome table and
the map of where Russia pivots (plotly, inline and offline)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]

from geoshift.report.html import CSS, text_table, write_html

MOVES = ("stays with China", "hedges", "aligns west")


def _threshold(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _map_figure(game_map: Mapping[str, Any]) -> str:
    z = game_map["russia_moves"]
    text = [[escape(o) for o in row] for row in game_map["outcomes"]]
    fig = go.Figure(go.Heatmap(
        x=game_map["x_values"], y=game_map["y_values"], z=z, text=text, zmin=0, zmax=2,
        colorscale=[[0.0, "#b42318"], [0.5, "#f2c94c"], [1.0, "#1b7f3b"]],
        colorbar={"tickvals": [0, 1, 2], "ticktext": list(MOVES), "title": "Russia after a deal"},
        hovertemplate=f"{escape(game_map['x'])}=%{{x:.3g}}<br>{escape(game_map['y'])}=%{{y:.3g}}<br>"
                      "SPE outcome: %{text}<extra></extra>"))
    fig.update_layout(title="Where does Russia pivot? Its subgame-perfect reply to a U.S. deal",
                      xaxis_title=game_map["x"], yaxis_title=game_map["y"], height=520)
    return str(fig.to_html(full_html=False, include_plotlyjs=True, config={"displaylogo": False}))


TERMS = ("real_income", "budget", "subjective")


def render_game_report(result: Mapping[str, Any], spec_text: str) -> str:
    params = [[escape(k), f"{v['value']:g}", f"[{v['min']:g}, {v['max']:g}]", escape(v.get("unit", "")),
               escape(v["source"])] for k, v in result["parameter_table"].items()]
    spe = [[escape(e["outcome"]), escape(", ".join(f"{p} {x:+.3f}" for p, x in e["payoffs"].items())),
            escape(", ".join(e.get("ties", [])) or "–"),
            escape("; ".join(f"{p}: {s}" for p, s in e["strategies"].items()))] for e in result["spe"]]
    mixed = [[escape(e["detail"]), escape(str(e["strategies"])),
              escape(", ".join(f"{p} {x:+.3f}" for p, x in e["payoffs"].items())), f"{e['best_response_gap']:.1e}"]
             for e in result["mixed"]]
    players = list(result.get("players", ["USA", "RUS", "CHN"]))
    outcomes = [[escape(k), *[f"{v[p]:+.3f}" for p in players]] for k, v in result["payoffs"].items()]
    order = "offer/EU/Russia/China" if "EU27" in players else "offer/Russia/China"
    terms = result.get("payoff_terms", {})
    breakdown = [[escape(e["outcome"]), escape(p), *[f"{terms[e['outcome']][p][t]:+.3f}" for t in TERMS],
                  f"{e['payoffs'][p]:+.3f}"] for e in result["spe"] if e["outcome"] in terms for p in players]
    deltas = ", ".join(f"{p}: {_threshold(d)}" for p, d in result["delta_star_by_player"].items())
    parts = [
        f"<h1>geoshift game: {escape(result['game'])}</h1><p class=\"note\">{escape(result['description'])}</p>",
        "<section id=\"equilibria\"><h2>Equilibria</h2>",
        text_table(["SPE outcome", "payoffs", "ties at", "strategies"], spe),
        "<p class=\"note\">What each SPE payoff rests on (% of real income): the GE engine's real-income change, "
        "Russia's budget term from the energy engine (budget_weight x points of oil & gas budget share) and the "
        "subjective security, status and leverage terms of the game file.</p>",
        text_table(["SPE outcome", "player", "real income (GE)", "budget (energy)", "subjective", "payoff"],
                   breakdown),
        f"<p>Pure Nash equilibria of the normal form: {len(result['nash'])} (all listed in the JSON); "
        f"SPE outcomes among them: {escape(', '.join(sorted({e['outcome'] for e in result['spe']})))}.</p>",
        text_table(["U.S. x Russia equilibrium (pure or mixed; the others at their SPE strategies)", "strategies",
                    "payoffs", "best-response gap"], mixed),
        f"<p>Trust in the repeated game: cooperation holds for discount factors above δ* = "
        f"{_threshold(result['delta_star'])} ({escape(deltas)}).</p>",
        "</section><section id=\"outcomes\"><h2>Payoffs by outcome</h2>",
        "<p class=\"note\">Expected payoffs at the parameters below (% of real income; Russia adds its budget term "
        "and every player its security and status terms).</p>",
        text_table([f"outcome ({order})", *players], outcomes), "</section>",
    ]
    ens = result.get("ensemble")
    if ens:
        shares = [[escape(k), f"{100 * v:.1f} %"] for k, v in ens["outcome_shares"].items()]
        drivers = [[escape(k), f"{v:.2f}"] for k, v in list(ens["drivers"].items())[:8]]
        parts += ["<section id=\"ensemble\"><h2>Over the parameters' ranges</h2>",
                  f"<p class=\"note\">{ens['draws']} {escape(ens['sampler'])} draws (seed {ens['seed']}) of "
                  f"{len(ens['parameters'])} parameters, each uniform over its declared range: Russia aligns west "
                  f"after a deal in {100 * ens['russia_west_share']:.0f} % of them.</p>",
                  text_table(["subgame-perfect outcome", "share of draws"], shares),
                  text_table(["parameter", "first-order index of 'Russia aligns west'"], drivers), "</section>"]
    if result.get("map"):
        parts += ["<section id=\"map\"><h2>Map</h2>", _map_figure(result["map"]), "</section>"]
    parts += ["<section id=\"parameters\"><h2>Parameters</h2>",
              text_table(["parameter", "value", "range", "unit", "source"], params), "</section>",
              f"<section id=\"spec\"><h2>Game file</h2><pre>{escape(spec_text)}</pre></section>"]
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(result['game'])}"
            f"</title><style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>\n")


def write_game_report(result: Mapping[str, Any], spec_text: str, path: Path) -> Path:
    return write_html(render_game_report(result, spec_text), path)
