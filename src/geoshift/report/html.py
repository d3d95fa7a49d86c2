"""A self-contained HTML report of scenario runs, built only from :class:`RunRecord` named metrics.

The document has inline CSS and plotly.js inlined once (no CDN, no web fonts, no external URL), so it opens
offline. Every string from user files (scenario names, descriptions, YAML, data labels) is HTML-escaped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from geoshift.report import figures
from geoshift.report.centrality import render_centrality_section
from geoshift.results.frames import place_name, solver_text
from geoshift.results.records import SQUARE, WORLD, RunRecord

DASH = "–"  # shown where a value is missing
SECTOR_GROUPS = ("energy", "metals")
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1200px;
padding:1rem 2rem;color:#1f2933;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d9e2ec;padding-bottom:.2rem;margin-top:2.2rem}
nav a{margin-right:1rem}.note{color:#52606d}
table{border-collapse:collapse;margin:.5rem 0 1.2rem;font-size:.92rem}
th,td{border:1px solid #d9e2ec;padding:.25rem .55rem;text-align:right;vertical-align:top}
th{background:#f0f4f8}th.row,td.txt{text-align:left}
td.neg{color:#b42318}td.pos{color:#1b7f3b}td.diag{background:#f5f7fa}
small{display:block;color:#7b8794;font-size:.78rem}
pre{background:#f5f7fa;border:1px solid #d9e2ec;padding:.6rem;overflow-x:auto;font-size:.85rem}
.figure{margin:1rem 0}dl{display:grid;grid-template-columns:max-content auto;gap:.15rem 1rem}dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
"""
#: the reader's order: what a run found first (headline, map, winners and losers), then the detail, then the
#: appendices (what was run, the data, the solver)
_SECTIONS = (
    ("summary", "Headline: real income"), ("map", "World map"), ("winners-losers", "Winners and losers"),
    ("sensitivity", "How much it rests on the elasticities"), ("bilateral", "Bilateral trade"),
    ("sectors", "Energy and metals"), ("energy", "Energy exports and the budget"), ("centrality", "Who is central"),
    ("charts", "Charts"), ("strategy", "Games and bargaining"),
)
_APPENDICES = (
    ("scenarios", "Appendix A: scenarios"), ("provenance", "Appendix B: data provenance"),
    ("solver", "Appendix C: solver diagnostics"),
)
#: sections that report a run's changes: a run in which nothing changes is left out of them
DETAIL_SECTIONS = ("map", "winners-losers", "sensitivity", "bilateral", "sectors", "energy", "centrality", "charts")


class _PlotlyOnce:
    """plotly.js goes into the page once, with the first figure drawn (wherever that is)."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> bool:
        first, self.done = not self.done, True
        return first


def render_report(
    runs: Sequence[RunRecord], *, title: str = "geoshift report", world_summary: Mapping[str, Any] | None = None,
    strategy: Sequence[RunRecord] = (), pages: Mapping[str, str] | None = None, claims_page: str | None = None,
    extra: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The complete HTML5 document (a string) reporting ``runs``; raises ValueError when ``runs`` is empty.
    ``strategy``: stored game and bargaining runs to summarise, ``pages``: run id -> their own report page.

    Order: the headline table of real-income changes (EU27, WORLD, USA, CHN, RUS... with 5-95 % bands), the world
    map, the winners and losers, the detail sections, ``extra``, then the appendices (scenarios, provenance, solver
    diagnostics). Runs in which nothing changes (the baseline) are named in one line and left out of the detail."""
    runs = list(runs)
    if not runs:
        raise ValueError("no runs to report")
    zero = [run for run in runs if figures.is_zero_run(run)]
    shown = [run for run in runs if run not in zero] or runs  # a report of only the baseline still shows it
    left_out = [run for run in zero if run not in shown]
    plotly_js = _PlotlyOnce()
    bodies: dict[str, Callable[[], str]] = {
        "summary": lambda: _summary(shown, left_out), "map": lambda: _map(shown, plotly_js),
        "sensitivity": lambda: _sensitivity(shown), "winners-losers": lambda: _winners_losers(shown),
        "bilateral": lambda: _bilateral(shown), "sectors": lambda: _sectors(shown), "energy": lambda: _energy(shown),
        "centrality": lambda: render_centrality_section(shown),
        "charts": lambda: _charts(shown, plotly_js), "strategy": lambda: _strategy(strategy, pages or {}),
        "scenarios": lambda: _scenarios(runs), "provenance": lambda: _provenance(runs, world_summary),
        "solver": lambda: _solver_appendix(runs),
    }
    order = list(_SECTIONS) + [(sid, heading) for sid, (heading, _) in (extra or {}).items()] + list(_APPENDICES)
    for sid, (_, body) in (extra or {}).items():
        bodies[sid] = functools.partial(str, body)
    nav = " ".join(f'<a href="#{sid}">{heading}</a>' for sid, heading in order)
    if claims_page:
        nav = f'<a href="{escape(claims_page)}"><b>Claims and verdicts (evidence page)</b></a> ' + nav
    sections = "\n".join(
        f'<section id="{sid}">\n<h2>{heading}</h2>\n{bodies[sid]()}\n</section>' for sid, heading in order
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{escape(title)}</h1>\n"
        f'<p class="note">{len(runs)} scenario(s). Numbers are changes vs the baseline World, in percent, unless a '
        "unit says otherwise; real income = real expenditure.</p>\n"
        f"<nav>{nav}</nav>\n</header>\n<main>\n{sections}\n</main>\n</body>\n</html>\n"
    )


def write_report(
    runs: Sequence[RunRecord], path: Path, *, title: str = "geoshift report",
    world_summary: Mapping[str, Any] | None = None, strategy: Sequence[RunRecord] = (),
    pages: Mapping[str, str] | None = None, claims_page: str | None = None,
    extra: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Render the report, then write it atomically to ``path`` (temp file in the same folder, then os.replace).
    ``extra``: more sections, id -> (heading, HTML body), after the standard ones."""
    document = render_report(runs, title=title, world_summary=world_summary, strategy=strategy,
                             pages=pages, claims_page=claims_page, extra=extra)  # before touching any file
    return write_html(document, path)


def write_html(document: str, path: Path) -> Path:
    """Write a rendered page atomically: a temp file in the same folder, then os.replace (never half-written)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(document)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path


# -- formatting ------------------------------------------------------------------------------------------------


def _shown(value: float | None) -> float | None:
    """The value as displayed (3 decimals), so that -0.0001 reads and colours as 0.000, not -0.000."""
    return None if value is None or math.isnan(value) else round(value, 3) + 0.0


def _pct(value: float | None) -> str:
    shown = _shown(value)
    return DASH if shown is None else ("0.000" if shown == 0 else f"{shown:+.3f}")


def _td(value: float | None, extra: str = "", title: str = "") -> str:
    shown = _shown(value)
    cls = "" if shown is None or shown == 0 else (' class="neg"' if shown < 0 else ' class="pos"')
    tip = f' title="{escape(title)}"' if title else ""
    return f"<td{cls}{tip}>{_pct(value)}{extra}</td>"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def text_table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table of already-escaped text cells (left-aligned)."""
    return _table(header, (["<td class=\"txt\">" + cell + "</td>" for cell in row] for row in rows))


def _row_head(text: str) -> str:
    return f'<th class="row">{escape(text)}</th>'


def _solver(diag: Mapping[str, Any]) -> str:
    if not diag:
        return DASH
    conv = diag.get("converged")
    parts = [DASH if conv is None else ("yes" if conv else "no")]
    if isinstance(diag.get("iterations"), int | float):
        parts.append(f"{int(diag['iterations'])} it.")
    if isinstance(diag.get("residual"), int | float):
        parts.append(f"residual {float(diag['residual']):.1e}")
    return ", ".join(parts)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return escape(f"{value:,.6g}")
    return escape(str(value))


def _heading(label: str) -> str:
    return f"<h3>{escape(label)}</h3>"


# -- sections --------------------------------------------------------------------------------------------------


def _place_header(code: str) -> str:
    name = place_name(code)
    return f"{escape(code)} (%)" + (f"<small>{escape(name)}</small>" if name and name != code else "")


def _summary(runs: Sequence[RunRecord], left_out: Sequence[RunRecord] = ()) -> str:
    columns = figures.headline_places(runs)
    rows = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        values = figures.country_values(run, figures.INCOME)
        low, high = (figures.country_values(run, name) for name in figures.BAND)
        cells = [_td(values.get(c), f"<small>[{_pct(low[c])}, {_pct(high[c])}]</small>" if c in low and c in high
                     else "") for c in columns]
        rows.append([_row_head(label), *cells])
    head = "".join(f"<th>{h}</th>" for h in ["scenario", *(_place_header(c) for c in columns)])
    body = "\n".join(f"<tr>{''.join(row)}</tr>" for row in rows)
    parts = ['<p class="note">Real income change vs baseline (%); below each value, where the scenario declares its '
             "uncertainty, the 5–95 % band over the ensemble's draws. EU27 and WORLD are income-weighted.</p>",
             f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"]
    if left_out:
        names = ", ".join(escape(run.name) for run in left_out)
        parts.append(f'<p class="note" id="zero-runs">{names}: no change at all (every change is zero to solver '
                     "precision, as it must be without shocks), so it is left out of the sections below; its "
                     "specification and solver diagnostics are in the appendices.</p>")
    return "\n".join(parts)


def _map(runs: Sequence[RunRecord], plotly_js: Callable[[], bool]) -> str:
    topojson = figures.world_topojson()
    if topojson is None:
        return (f'<p class="note">The map\'s country outlines ({"/".join(figures.TOPOJSON)}) are missing from this '
                "installation; reinstall geoshift to draw the map.</p>")
    fig = figures.income_map(runs)
    note = ('<p class="note">Real income change vs baseline (%) by country (ISO-3 codes on Natural Earth 1:110m '
            f"outlines); colours saturate at ±{figures.map_bound(runs):.3g} %, hover for each value"
            + ("; the menu picks the scenario" if len(runs) > 1 else "")
            + ". Very small economies (e.g. Singapore, Malta, Luxembourg) have no outline at this scale.</p>")
    # plotly.js reads the outlines from window.PlotlyGeoAssets instead of fetching them: the page stays offline
    outlines = topojson.strip().replace("</", "<\\/")  # JSON text cannot close the script element
    assets = ("<script>window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
              f"window.PlotlyGeoAssets.topojson[{json.dumps(figures.TOPOJSON_NAME)}]={outlines};</script>")
    return f"{note}\n{assets}\n{_figure_div(fig, 'income-map', plotly_js)}"


def _figure_div(fig: Any, fig_id: str, plotly_js: Callable[[], bool]) -> str:
    div = fig.to_html(full_html=False, include_plotlyjs=plotly_js(), config={"displaylogo": False},
                      default_height=f"{int(fig.layout.height or 450)}px", div_id=f"fig-{fig_id}")
    return f'<div class="figure" id="figure-{fig_id}">\n{div}\n</div>'


def _sensitivity(runs: Sequence[RunRecord]) -> str:
    parts = ['<p class="note">Real income change (%) with one sector\'s trade elasticity at the low or the high end '
             "of its published range, every other sector at the value used: the sectors with the most shocked trade, "
             "and always C19 (petroleum, whose Caliendo–Parro value of 64.85 is imprecise).</p>"]
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        m = run.metrics
        low = m[m["metric"] == "real_income_change_pct_theta_low"]
        if low.empty:
            continue
        columns = [c for c in (WORLD, *figures.key_countries([run])) if c in set(low["country"])]
        used = dict(zip(m.loc[m["metric"] == "trade_elasticity", "sector"],
                        m.loc[m["metric"] == "trade_elasticity", "value"], strict=True))
        central = figures.country_values(run, figures.INCOME)
        rows = [[_row_head("as run"), '<td class="txt">each sector\'s θ as used</td>',
                 *[_td(central.get(c)) for c in columns]]]
        for sector in dict.fromkeys(low["sector"]):
            for bound in ("low", "high"):
                rows_b = m[(m["metric"] == f"real_income_change_pct_theta_{bound}") & (m["sector"] == sector)]
                values = dict(zip(rows_b["country"], rows_b["value"], strict=True))
                theta = m[(m["metric"] == f"trade_elasticity_{bound}") & (m["sector"] == sector)]["value"]
                text = f"θ {float(theta.iloc[0]):.4g}" if len(theta) else DASH
                text += f" (used {used[sector]:.4g})" if sector in used else ""
                rows.append([_row_head(f"{sector} {bound}"), f'<td class="txt">{escape(text)}</td>',
                             *[_td(values.get(c)) for c in columns]])
        parts.append(_heading(label) + _table(["elasticity", "value", *(f"{c} (%)" for c in columns)], rows))
    return "\n".join(parts)


def _winners_losers(runs: Sequence[RunRecord], n: int = 5) -> str:
    parts = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        values = {c: v for c, v in figures.country_values(run, figures.INCOME).items() if c != WORLD}
        ranked = sorted(values, key=lambda c: (values[c], c))
        losers = ranked[:n]
        winners = [c for c in reversed(ranked) if c not in losers][:n]
        rows = []
        for i in range(max(len(losers), len(winners))):
            row = [f"<td>{i + 1}</td>"]
            for side in (losers, winners):
                row += [f'<td class="txt">{escape(side[i])}<small>{escape(place_name(side[i]))}</small></td>',
                        _td(values[side[i]])] if i < len(side) else [
                    "<td></td>", "<td></td>"]
            rows.append(row)
        body = _table(["#", "loser", "%", "winner", "%"], rows) if rows else f"<p>{DASH}</p>"
        parts.append(_heading(label) + "\n" + body)
    return '<p class="note">Real income change vs baseline (%), countries only.</p>\n' + "\n".join(parts)


def _bilateral(runs: Sequence[RunRecord]) -> str:
    parts = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        change = _pairs(run, "bilateral_trade_change_pct")
        base = _pairs(run, "bilateral_trade_baseline_usd")
        rows = []
        for exporter in SQUARE:
            row = [_row_head(exporter)]
            for importer in SQUARE:
                if exporter == importer:
                    row.append('<td class="diag"></td>')
                    continue
                b = base.get((exporter, importer))
                tip = "" if b is None else f"US$ {b / figures.BILLION:,.1f} bn"
                extra = f"<small>{escape(tip)}</small>" if tip else ""
                row.append(_td(change.get((exporter, importer)), extra, f"baseline {tip}" if tip else ""))
            rows.append(row)
        parts.append(_heading(label) + "\n" + _table(["exporter \\ importer", *SQUARE], rows))
    note = "Bilateral trade change vs baseline (%), rows exporter, columns importer; small: baseline in US$ bn."
    return f'<p class="note">{note}</p>\n' + "\n".join(parts)


def _pairs(run: RunRecord, metric: str) -> dict[tuple[str, str], float]:
    rows = figures.metric_rows(run, metric).dropna(subset=["value"])
    return {(str(a), str(b)): float(v) for a, b, v in zip(rows["country"], rows["partner"], rows["value"], strict=True)}


def _by_sector(run: RunRecord, metric: str) -> dict[tuple[str, str], float]:
    rows = figures.metric_rows(run, metric).dropna(subset=["value"])
    return {(str(c), str(s)): float(v) for c, s, v in zip(rows["country"], rows["sector"], rows["value"], strict=True)}


def _sector_table(values: dict[tuple[str, str], float], countries: Sequence[str], sectors: Sequence[str]) -> str:
    if not values or not sectors:
        return f"<p>{DASH}</p>"
    rows = [[_row_head(c), *(_td(values.get((c, s))) for s in sectors)] for c in countries]
    return _table(["country", *(f"{s} (%)" for s in sectors)], rows)


def _sectors(runs: Sequence[RunRecord]) -> str:
    countries = figures.key_countries(runs)
    parts = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        exports = _by_sector(run, "sector_exports_change_pct")
        output = _by_sector(run, "sector_output_change_pct")
        sectors = sorted({s for _, s in output if s})
        parts.append(
            f"{_heading(label)}\n<h4>Exports by sector group (%)</h4>\n"
            f"{_sector_table(exports, countries, SECTOR_GROUPS)}\n"
            f"<h4>Output by sector (%)</h4>\n{_sector_table(output, countries, sectors)}"
        )
    return '<p class="note">Energy and metals, change vs baseline (%), key countries.</p>\n' + "\n".join(parts)


def _energy(runs: Sequence[RunRecord]) -> str:
    fuels = ("crude", "products", "pipeline_gas", "lng", "coal")
    rows, details = [], []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        m = run.metrics
        rows_e = m[m["metric"].str.startswith("energy")]
        get = {(str(k), str(s)): float(v) for k, s, v in zip(rows_e["metric"], rows_e["sector"], rows_e["value"],
                                                              strict=True)}
        if ("energy_baseline_revenue_usd", "all") not in get:
            rows.append([_row_head(label), *[f"<td>{DASH}</td>"] * (5 + len(fuels))])
            continue
        shut = [f"<td>{get.get(('energy_shut_in', f), 0.0):.2f}</td>" for f in fuels]
        before = get.get(("energy_budget_share_before_pct", ""))
        after = get.get(("energy_budget_share_after_pct", ""))
        rows.append([_row_head(label), f"<td>{get[('energy_baseline_revenue_usd', 'all')] / 1e9:,.1f}</td>",
                     f"<td>{get[('energy_revenue_change_usd', 'all')] / 1e9:+,.2f}</td>",
                     _td(get.get(("energy_revenue_change_pct", "all"))), *shut,
                     f"<td>{DASH if before is None else f'{before:.1f}'}</td>",
                     f"<td>{DASH if after is None else f'{after:.1f}'}</td>"])
        buyers = m[m["metric"] == "energy_buyer_revenue_change_usd"]
        if not buyers.empty:
            items = [[f'<td class="txt">{escape(str(p))}</td>', f'<td class="txt">{escape(str(s))}</td>',
                      f"<td>{float(v) / 1e9:+,.2f}</td>"]
                     for p, s, v in zip(buyers["partner"], buyers["sector"], buyers["value"], strict=True)]
            details.append(_heading(label) + _table(["buyer", "fuel", "revenue change (US$ bn)"], items))
    header = ["scenario", "baseline revenue (US$ bn)", "change (US$ bn)", "change (%)",
              *(f"shut in: {f} ({'bcm' if 'gas' in f or f == 'lng' else 'Mt'})" for f in fuels),
              "oil & gas share of budget before (%)", "after (%)"]
    note = ('<p class="note">The exporter\'s energy exports rerouted under route capacities, buyer absorption limits '
            "and share-dependent discounts (HiGHS LP); the budget share assumes oil &amp; gas budget revenue moves "
            "with oil &amp; gas export revenue.</p>\n")
    return note + _table(header, rows) + "\n" + "\n".join(details)


def _charts(runs: Sequence[RunRecord], plotly_js: Callable[[], bool]) -> str:
    return "\n".join(_figure_div(fig, fig_id, plotly_js) for fig_id, fig in figures.report_figures(runs))


def _strategy(runs: Sequence[RunRecord], pages: Mapping[str, str]) -> str:
    if not runs:
        return ('<p class="note">No game or bargaining runs in the results store yet: try <code>geoshift game '
                "games/detente.yaml</code> or <code>geoshift bargain games/russia_alignment_actors.csv</code>.</p>")
    rows = []
    for run in runs:
        kind, name = run.kind, run.name
        diag = run.diagnostics
        if kind == "game":
            delta = diag.get("delta_star")
            answer = (f"SPE: {', '.join(map(str, diag.get('spe', [])))}; trust threshold δ* = "
                      f"{DASH if delta is None else f'{float(delta):.3f}'}")
        else:
            forecast = run.metric("bargain_forecast").set_index("country")["value"]
            spread = (diag.get("sensitivity") or {}).get("quantiles", {}).get("median")
            answer = (f"forecast {float(forecast['median']):.2f} (weighted mean {float(forecast['mean']):.2f})"
                      + (f", 90 % of perturbed runs in [{spread[0]:.2f}, {spread[2]:.2f}]" if spread else "")
                      + ("" if diag.get("converged") else "; not settled"))
        page = pages.get(run.run_id)
        link = f'<a href="{escape(page)}">{escape(page)}</a>' if page else DASH
        rows.append([_row_head(name), f'<td class="txt">{escape(kind)}</td>', f'<td class="txt">{escape(answer)}</td>',
                     f'<td class="txt">{escape(run.created)} ({escape(run.run_id)})</td>',
                     f'<td class="txt">{link}</td>'])
    return ('<p class="note">The latest stored run of each game and bargaining problem (their own pages hold the '
            "equilibria, maps and trajectories).</p>\n" + _table(["name", "kind", "answer", "run", "page"], rows))


def _scenarios(runs: Sequence[RunRecord]) -> str:
    parts = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        diag = run.diagnostics
        fields = [
            ("name", run.name), ("description", run.description or DASH), ("extends", run.parent or DASH),
            ("run id", run.run_id), ("scenario hash", run.scenario_hash), ("created", run.created),
            ("World (data key)", run.data_key or DASH), ("solver", _solver(diag)),
            ("seconds", f"{diag['seconds']:.2f}" if isinstance(diag.get("seconds"), int | float) else DASH),
        ]
        if diag.get("message"):
            fields.append(("message", str(diag["message"])))
        dl = "\n".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in fields)
        parts.append(f"{_heading(label)}\n<dl>\n{dl}\n</dl>\n<pre>{escape(run.spec_yaml)}</pre>")
    return '<p class="note">Resolved scenarios (after <code>extends</code>), as YAML.</p>\n' + "\n".join(parts)


def _provenance(runs: Sequence[RunRecord], world_summary: Mapping[str, Any] | None) -> str:
    parts = []
    keys = {run.data_key for run in runs}
    if len(keys) > 1:
        parts.append('<p class="note"><strong>Warning:</strong> the runs used different Worlds (data keys: '
                     f"{escape(', '.join(sorted(keys)))}); provenance below is the first run's.</p>")
    columns = ("source", "version", "licence", "sha256")
    rows = [[f'<td class="txt">{escape(str(p.get(c, DASH)))}</td>' for c in columns] for p in runs[0].provenance]
    parts.append(_table(columns, rows) if rows else f"<p>No data provenance recorded. {DASH}</p>")
    if world_summary:
        dl = "\n".join(f"<dt>{escape(str(k))}</dt><dd>{_value(v)}</dd>" for k, v in world_summary.items())
        parts.append(f"<h3>World</h3>\n<dl>\n{dl}\n</dl>")
    return "\n".join(parts)


def _solver_appendix(runs: Sequence[RunRecord]) -> str:
    rows = []
    for run, label in zip(runs, figures.run_labels(runs), strict=True):
        diag = run.diagnostics
        energy = diag.get("energy") if isinstance(diag.get("energy"), Mapping) else {}
        ensemble = diag.get("ensemble") if isinstance(diag.get("ensemble"), Mapping) else {}
        lp = (f"{energy.get('status') or ('optimal' if energy.get('converged') else 'not optimal')}"
              + (f", {float(energy['lp_seconds']):.2f} s" if isinstance(energy.get("lp_seconds"), int | float)
                 else "")) if energy else DASH
        draws = (f"{ensemble.get('draws')} {ensemble.get('sampler', '')} draws, seed {ensemble.get('seed')}, "
                 f"{ensemble.get('backend', '')}"
                 + (f", {float(ensemble['seconds']):.2f} s" if isinstance(ensemble.get("seconds"), int | float)
                    else "")) if ensemble else DASH
        model = " / ".join(str(diag[k]) for k in ("model", "deficits") if diag.get(k)) or DASH
        rows.append([_row_head(label), f'<td class="txt">{escape(_solver(diag))}</td>',
                     f'<td class="txt">{escape(solver_text(diag))}</td>', f'<td class="txt">{escape(model)}</td>',
                     f'<td class="txt">{escape(lp)}</td>', f'<td class="txt">{escape(draws)}</td>'])
    return ('<p class="note">The trade GE solve of each run (converged, iterations, the final residual, seconds), the '
            "model and deficit rule, the energy rerouting LP and the ensemble's draws.</p>\n"
            + _table(["scenario", "solver (converged, iterations, residual)", "in words", "model / deficits",
                      "energy LP", "ensemble"], rows))
