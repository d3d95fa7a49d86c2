"""The HTML report of a game, in words: parameters with their units and sources, the equilibria with each player's
strategy as a sentence, payoffs with their unit (% of real income), trust thresholds, the outcome table and the map
of where Russia pivots (three named colours with a legend, the solved point marked, the share of cells of each;
plotly, inline and offline).

The wording helpers (:func:`describe_outcome`, :func:`describe_strategy`, :func:`describe_mixed`,
:func:`describe_tie`, :func:`outcome_shares`) are public: the web pages say the same things the same way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]

from geoshift.report.html import CSS, text_table, write_html
from geoshift.results.frames import place_name

#: the unit of every payoff: a change of the player's real income, in percent, or its equivalent (Russia's budget
#: term and the subjective security, status and trust terms are valued in the same unit)
PAYOFF_UNIT = "% of real income"
#: Russia's reply to a deal, as the map codes it (0, 1, 2): the map's three outcomes, their colours and names
MOVES = ("stays with China", "hedges", "aligns west")
MOVE_COLOURS = (("red", "#c0392b"), ("yellow", "#f2c94c"), ("blue", "#2f6eb5"))
#: who the players are in a sentence
ACTORS = {"USA": "the United States", "RUS": "Russia", "CHN": "China", "EU27": "the EU"}
#: every move of the game tree in words (the U.S. offer, the EU's answer, Russia's alignment, China's response)
MOVE_WORDS = {
    "none": "offers nothing", "deal": "offers the deal",
    "hold": "holds out (keeps its sanctions)", "join": "joins the deal",
    "china": "stays with China", "hedge": "hedges", "west": "aligns west",
    "keep": "keeps its ties with Russia", "retaliate": "retaliates against Russia",
}
_OFFERS = ("none", "deal")
_EU_MOVES = ("hold", "join")
_ALIGNMENTS = ("china", "hedge", "west")


def actor(player: str) -> str:
    """A player in a sentence: 'the United States', 'Russia', 'the EU'; any other code by its country name."""
    return ACTORS.get(player, place_name(player))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _moves(path: str) -> list[tuple[str, str]]:
    """The moves of a history or outcome ``offer[/eu]/align/response`` as (player, move) pairs."""
    out: list[tuple[str, str]] = []
    for move in (m for m in path.split("/") if m and m != "start"):
        if move in _OFFERS:
            out.append(("USA", move))
        elif move in _EU_MOVES:
            out.append(("EU27", move))
        elif move in _ALIGNMENTS:
            out.append(("RUS", move))
        else:
            out.append(("CHN", move))
    return out


def _clauses(path: str) -> list[str]:
    return [f"{actor(p) if p != 'USA' else 'the U.S.'} {MOVE_WORDS.get(m, m)}" for p, m in _moves(path)]


def _join(clauses: Sequence[str]) -> str:
    if len(clauses) <= 1:
        return "".join(clauses)
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]


def describe_outcome(outcome: str) -> str:
    """An outcome path as a sentence: ``deal/join/west/keep`` -> 'The U.S. offers the deal, the EU joins the deal,
    Russia aligns west and China keeps its ties with Russia.'"""
    clauses = _clauses(outcome)
    return _cap(_join(clauses)) + "." if clauses else outcome


def describe_history(history: str) -> str:
    """Where in the game a move is made, as a condition: ``none`` -> 'if the U.S. offers nothing'; ``start`` -> ''
    (the first move)."""
    clauses = _clauses(history)
    return f"if {_join(clauses)}" if clauses else ""


def _mover(history: str, players: Sequence[str]) -> str:
    moves = _moves(history)
    if not moves:
        return "USA"
    last = moves[-1][0]
    if last == "USA":
        return "EU27" if moves[-1][1] == "deal" and "EU27" in players else "RUS"
    return {"EU27": "RUS", "RUS": "CHN"}.get(last, "")


def describe_strategy(player: str, strategy: Mapping[str, str] | str) -> str:
    """A player's pure strategy (history -> move, as the solver reports it) as a sentence, the most frequent move
    last as 'otherwise': {'none': 'china', 'deal': 'west'} for RUS -> 'Russia aligns west if the U.S. offers the
    deal; otherwise it stays with China.'"""
    if isinstance(strategy, str):
        return f"{_cap(actor(player))}: {strategy}."
    if not strategy:
        return f"{_cap(actor(player))} does not move."
    by_move: dict[str, list[str]] = {}
    for history, move in strategy.items():
        by_move.setdefault(move, []).append(history)
    who = _cap(actor(player))
    if len(by_move) == 1:
        move, histories = next(iter(by_move.items()))
        condition = describe_history(histories[0]) if len(histories) == 1 else "whatever the others do"
        return f"{who} {MOVE_WORDS.get(move, move)}" + (f" {condition}" if condition else "") + "."
    usual = max(by_move, key=lambda m: (len(by_move[m]), -list(by_move).index(m)))
    parts = [f"{MOVE_WORDS.get(move, move)} {' or '.join(describe_history(h) for h in histories)}"
             for move, histories in by_move.items() if move != usual]
    return f"{who} {'; it '.join(parts)}; otherwise it {MOVE_WORDS.get(usual, usual)}."


def _parse_label(label: str) -> dict[str, str]:
    """A pure strategy as the mixed-equilibrium table labels it: 'none: china, deal: west' -> {history: move}."""
    out = {}
    for part in label.split(", "):
        history, sep, move = part.partition(": ")
        if sep:
            out[history.strip()] = move.strip()
    return out


def describe_mixed(player: str, mix: Mapping[str, float]) -> str:
    """A player's (possibly mixed) strategy in a U.S. x Russia equilibrium as sentences: a pure one as
    :func:`describe_strategy`, a mixed one as 'With probability 0.60: ...'."""
    used = {label: p for label, p in mix.items() if p > 1e-9}
    if len(used) == 1:
        return describe_strategy(player, _parse_label(next(iter(used))))
    return " ".join(f"With probability {p:.2f}: {describe_strategy(player, _parse_label(label))}"
                    for label, p in sorted(used.items(), key=lambda kv: -kv[1]))


def describe_tie(history: str, players: Sequence[str] = ("USA", "RUS", "CHN")) -> str:
    """Where a player is indifferent: ``start`` -> 'the United States is indifferent at its first move'."""
    mover = _mover(history, players)
    where = describe_history(history)
    return f"{actor(mover)} is indifferent " + (where if where else "at its first move")


def outcome_shares(game_map: Mapping[str, Any]) -> dict[str, float]:
    """The share of the map's cells (0..1) in which Russia, after a deal, stays with China, hedges, or aligns west
    (keys :data:`MOVES`, in that order; a move that never happens has 0)."""
    cells = [int(v) for row in game_map["russia_moves"] for v in row]
    total = len(cells) or 1
    return {name: sum(1 for v in cells if v == k) / total for k, name in enumerate(MOVES)}


def spe_outcome_shares(game_map: Mapping[str, Any]) -> dict[str, float]:
    """The share of the map's cells (0..1) of each subgame-perfect outcome path, the most frequent first."""
    cells = [str(o) for row in game_map["outcomes"] for o in row]
    counts: dict[str, int] = {}
    for o in cells:
        counts[o] = counts.get(o, 0) + 1
    return {o: c / (len(cells) or 1) for o, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def _threshold(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _payoffs_text(payoffs: Mapping[str, float]) -> str:
    return "; ".join(f"{actor(p)} {x:+.3f} %" for p, x in payoffs.items())


def _map_figure(game_map: Mapping[str, Any], point: tuple[float, float] | None = None) -> str:
    """The pivot map: Russia's reply to a deal in each cell, three discrete colours with a legend giving each
    outcome's share of the cells, and the point at which the game was solved marked."""
    shares = outcome_shares(game_map)
    z = game_map["russia_moves"]
    text = [[escape(describe_outcome(o)) for o in row] for row in game_map["outcomes"]]
    colours = [hexa for _, hexa in MOVE_COLOURS]
    scale = [[0.0, colours[0]], [1 / 3, colours[0]], [1 / 3, colours[1]], [2 / 3, colours[1]], [2 / 3, colours[2]],
             [1.0, colours[2]]]
    x_name, y_name = escape(game_map["x"]), escape(game_map["y"])
    fig = go.Figure(go.Heatmap(
        x=game_map["x_values"], y=game_map["y_values"], z=z, text=text, zmin=-0.5, zmax=2.5, colorscale=scale,
        showscale=False, xgap=0, ygap=0,
        hovertemplate=f"{x_name}=%{{x:.3g}}<br>{y_name}=%{{y:.3g}}<br>subgame-perfect outcome: %{{text}}"
                      "<extra></extra>"))
    for (word, hexa), move in zip(MOVE_COLOURS, MOVES, strict=True):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=f"Russia {move} ({word}): "
                                 f"{100 * shares[move]:.0f} % of cells",
                                 marker={"symbol": "square", "size": 14, "color": hexa}, hoverinfo="skip"))
    if point is not None:
        fig.add_trace(go.Scatter(
            x=[point[0]], y=[point[1]], mode="markers", name="the game as solved",
            marker={"symbol": "star", "size": 18, "color": "#ffffff", "line": {"color": "#1f2933", "width": 2}},
            hovertemplate=f"solved at {x_name}=%{{x:.3g}}, {y_name}=%{{y:.3g}}<extra></extra>"))
    fig.update_layout(title="Where does Russia pivot? Its subgame-perfect reply to a U.S. deal",
                      xaxis_title=game_map["x"], yaxis_title=game_map["y"], height=560, template="plotly_white",
                      legend={"orientation": "h", "y": -0.2, "x": 0.0, "title": {"text": "Russia after a deal:"}})
    return str(fig.to_html(full_html=False, include_plotlyjs=True, config={"displaylogo": False},
                           div_id="fig-pivot-map"))


def _map_section(result: Mapping[str, Any]) -> list[str]:
    grid = result["map"]
    params = result.get("parameters", {})
    point = (float(params[grid["x"]]), float(params[grid["y"]])) if grid["x"] in params and grid["y"] in params \
        else None
    shares = outcome_shares(grid)
    cells = sum(len(row) for row in grid["russia_moves"])
    rows = [[escape(f"Russia {move}"), escape(word), f"{100 * shares[move]:.1f} %"]
            for (word, _), move in zip(MOVE_COLOURS, MOVES, strict=True)]
    paths = [[escape(describe_outcome(o)), f"<code>{escape(o)}</code>", f"{100 * s:.1f} %"]
             for o, s in spe_outcome_shares(grid).items()]
    where = (f"; the star marks the game as solved ({escape(grid['x'])} = {point[0]:g}, {escape(grid['y'])} = "
             f"{point[1]:g})") if point else ""
    return ["<section id=\"map\"><h2>Where Russia pivots</h2>",
            f"<p class=\"note\">Russia's subgame-perfect reply to a U.S. deal on a grid of {cells} cells over "
            f"{escape(grid['x'])} and {escape(grid['y'])} (every other parameter at its value below){where}. Three "
            "colours, one per reply: red = stays with China, yellow = hedges, blue = aligns west.</p>",
            _map_figure(grid, point),
            text_table(["Russia after a deal", "colour", "share of cells"], rows),
            text_table(["subgame-perfect outcome", "path", "share of cells"], paths), "</section>"]


TERMS = ("real_income", "budget", "subjective")
MAX_ROWS = 24  # equilibria listed on the page (ties can multiply them); the JSON lists all


def _more(count: int, what: str) -> str:
    return (f"<p class=\"note\">{count - MAX_ROWS} more {what} (ties multiply them) are listed in the JSON "
            "(<code>--json</code>).</p>") if count > MAX_ROWS else ""


def render_game_report(result: Mapping[str, Any], spec_text: str) -> str:
    players = list(result.get("players", ["USA", "RUS", "CHN"]))
    params = [[escape(k), f"{v['value']:g}", f"[{v['min']:g}, {v['max']:g}]", escape(v.get("unit", "")),
               escape(v["source"])] for k, v in result["parameter_table"].items()]
    spe = [[escape(describe_outcome(e["outcome"])) + f"<small>{escape(e['outcome'])}</small>",
            escape(_payoffs_text(e["payoffs"])),
            escape("; ".join(describe_tie(t, players) for t in e.get("ties", [])) or "none"),
            "<br>".join(escape(describe_strategy(p, s)) for p, s in e["strategies"].items())]
           for e in result["spe"][:MAX_ROWS]]
    mixed = [[escape(e["detail"]), "<br>".join(escape(describe_mixed(p, s)) for p, s in e["strategies"].items()),
              escape(_payoffs_text(e["payoffs"])), f"{e['best_response_gap']:.1e}"]
             for e in result["mixed"][:MAX_ROWS]]
    outcomes = [[escape(describe_outcome(k)) + f"<small>{escape(k)}</small>", *[f"{v[p]:+.3f}" for p in players]]
                for k, v in result["payoffs"].items()]
    terms = result.get("payoff_terms", {})
    breakdown = [[escape(e["outcome"]), escape(actor(p)), *[f"{terms[e['outcome']][p][t]:+.3f}" for t in TERMS],
                  f"{e['payoffs'][p]:+.3f}"] for e in result["spe"][:MAX_ROWS] if e["outcome"] in terms
                 for p in players]
    deltas = ", ".join(f"{actor(p)}: {_threshold(d)}" for p, d in result["delta_star_by_player"].items())
    unit = escape(PAYOFF_UNIT)
    parts = [
        f"<h1>geoshift game: {escape(result['game'])}</h1><p class=\"note\">{escape(result['description'])}</p>",
        f"<p class=\"note\">Every payoff is in <b>{unit}</b>: the change of the player's real income (GE engine), "
        "plus, for Russia, its oil &amp; gas budget term, and each player's security, status and trust terms valued "
        "in the same unit.</p>",
        "<section id=\"equilibria\"><h2>Equilibria</h2>",
        text_table(["subgame-perfect outcome", f"payoffs ({unit})", "ties", "strategies"], spe),
        _more(len(result["spe"]), "subgame-perfect equilibria"),
        f"<p class=\"note\">What each SPE payoff rests on ({unit}): the GE engine's real-income change, "
        "Russia's budget term from the energy engine (budget_weight x points of oil &amp; gas budget share) and the "
        "subjective security, status and leverage terms of the game file.</p>",
        text_table(["SPE outcome", "player", f"real income, GE ({unit})", f"budget, energy ({unit})",
                    f"subjective ({unit})", f"payoff ({unit})"], breakdown),
        f"<p>Pure Nash equilibria of the normal form: {len(result['nash'])} (all listed in the JSON); "
        f"SPE outcomes among them: {escape(', '.join(sorted({e['outcome'] for e in result['spe']})))}.</p>",
        text_table(["U.S. x Russia equilibrium (pure or mixed; the others at their SPE strategies)", "strategies",
                    f"payoffs ({unit})", f"best-response gap ({unit})"], mixed),
        _more(len(result["mixed"]), "U.S. x Russia equilibria"),
        f"<p>Trust in the repeated game: cooperation holds for discount factors above δ* = "
        f"{_threshold(result['delta_star'])} ({escape(deltas)}).</p>",
        "</section><section id=\"outcomes\"><h2>Payoffs by outcome</h2>",
        f"<p class=\"note\">Expected payoffs at the parameters below, {unit} (Russia adds its budget term and every "
        "player its security and status terms).</p>",
        text_table(["outcome", *(f"{escape(actor(p))} ({unit})" for p in players)], outcomes), "</section>",
    ]
    ens = result.get("ensemble")
    if ens:
        shares = [[escape(describe_outcome(k)) + f"<small>{escape(k)}</small>", f"{100 * v:.1f} %"]
                  for k, v in ens["outcome_shares"].items()]
        drivers = [[escape(k), f"{v:.2f}"] for k, v in list(ens["drivers"].items())[:8]]
        parts += ["<section id=\"ensemble\"><h2>Over the parameters' ranges</h2>",
                  f"<p class=\"note\">{ens['draws']} {escape(ens['sampler'])} draws (seed {ens['seed']}) of "
                  f"{len(ens['parameters'])} parameters, each uniform over its declared range: Russia aligns west "
                  f"after a deal in {100 * ens['russia_west_share']:.0f} % of them.</p>",
                  text_table(["subgame-perfect outcome", "share of draws"], shares),
                  text_table(["parameter", "first-order index of 'Russia aligns west'"], drivers), "</section>"]
    if result.get("map"):
        parts += _map_section(result)
    parts += ["<section id=\"parameters\"><h2>Parameters</h2>",
              text_table(["parameter", "value", "range", "unit", "source"], params), "</section>",
              f"<section id=\"spec\"><h2>Game file</h2><pre>{escape(spec_text)}</pre></section>"]
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(result['game'])}"
            f"</title><style>{CSS}</style></head><body><main>{''.join(parts)}</main></body></html>\n")


def write_game_report(result: Mapping[str, Any], spec_text: str, path: Path) -> Path:
    return write_html(render_game_report(result, spec_text), path)
