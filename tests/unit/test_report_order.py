"""The run report opens with what a reader wants first: the headline table (EU27, WORLD, USA, CHN, RUS, with the
5-95 % bands of the draws), then the world map, then the winners and losers; the solver diagnostics are in an
appendix at the end, and a run in which nothing changes (the baseline) is named in one line and kept out of the
detail sections. Synthetic records, plus one real run on the example World and the map drawn in Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import geoshift
from geoshift.report import figures
from geoshift.report import html as report
from geoshift.results.records import METRIC_COLUMNS, SQUARE, WORLD, RunRecord
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World

INCOME = {WORLD: -0.127, "EU27": -0.35, "USA": -0.381, "RUS": -4.217, "CHN": 0.052, "DEU": -0.913, "FRA": 0.21,
          "KAZ": 0.45, "TUR": 0.3, "JPN": -0.2, "BRA": 0.1, "IND": 0.274}
DETAIL = ("map", "winners-losers", "sensitivity", "bilateral", "sectors", "energy", "centrality", "charts")


def metrics(income: dict[str, float], *, band: bool) -> pd.DataFrame:
    rows: list[tuple[str, str, str, str, float, str]] = []
    for country, value in income.items():
        rows.append(("real_income_change_pct", country, "", "", value, "%"))
        if band and country in (WORLD, "EU27", "USA", "CHN", "RUS"):
            rows += [("real_income_change_pct_q05", country, "", "", value - 0.25, "%"),
                     ("real_income_change_pct_q50", country, "", "", value, "%"),
                     ("real_income_change_pct_q95", country, "", "", value + 0.5, "%")]
        if country not in (WORLD, "EU27"):
            rows.append(("wage_change_pct", country, "", "", value / 2, "%"))
    for a in SQUARE:
        for b in SQUARE:
            if a != b:
                rows.append(("bilateral_trade_change_pct", a, b, "", sum(map(ord, a + b)) % 7 - 3.0
                             if any(income.values()) else 0.0, "%"))
                rows.append(("bilateral_trade_baseline_usd", a, b, "", 1e10, "USD"))
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def record(name: str, income: dict[str, float], *, band: bool = False) -> RunRecord:
    return RunRecord(run_id=f"id-{name}", name=name, description="", spec_yaml=f"name: {name}\nshocks: []\n",
                     scenario_hash=f"h-{name}", created="2026-01-01T00:00:00+00:00",
                     metrics=metrics(income, band=band),
                     diagnostics={"converged": True, "iterations": 17, "residual": 4.0e-11, "seconds": 0.5,
                                  "model": "multisector", "deficits": "fixed"})


@pytest.fixture(scope="module")
def runs() -> list[RunRecord]:
    return [record("baseline", dict.fromkeys(INCOME, 0.0)), record("embargo", INCOME, band=True),
            record("pivot", {c: -v / 2 for c, v in INCOME.items()})]


@pytest.fixture(scope="module")
def doc(runs: list[RunRecord]) -> str:
    return report.render_report(runs, title="order")


def section(doc: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', doc, flags=re.S)
    assert match is not None, sid
    return str(match.group(1))


def shows_run(body: str, name: str) -> bool:
    """Whether a section reports run ``name``: a heading, a table row or a figure trace of it."""
    return any(mark in body for mark in (f"<h3>{name}</h3>", f'<th class="row">{name}</th>', f'"name":"{name}"',
                                         f"<extra>{name}</extra>", f'"label":"{name}"'))


def test_headline_then_map_then_winners_then_the_detail_then_the_appendix(doc: str) -> None:
    ids = re.findall(r'<section id="([^"]+)">', doc)
    assert ids[:3] == ["summary", "map", "winners-losers"]
    assert ids[-3:] == ["scenarios", "provenance", "solver"]
    at = {sid: doc.index(f'<section id="{sid}">') for sid in ids}
    assert at["summary"] < at["map"] < at["winners-losers"] < at["sensitivity"] < at["charts"] < at["solver"]
    assert "<h2>Headline: real income</h2>" in doc and "<h2>Appendix C: solver diagnostics</h2>" in doc
    nav = doc.split("<nav>", 1)[1].split("</nav>", 1)[0]
    assert [m for m in re.findall(r'href="#([^"]+)"', nav)] == ids


def test_the_headline_table_leads_with_eu27_and_the_bands(doc: str) -> None:
    body = section(doc, "summary")
    header = re.findall(r"<th>([A-Z0-9]+) \(%\)", body)
    assert header == ["EU27", WORLD, "USA", "CHN", "RUS", "DEU", "IND"]
    assert "EU27 (%)<small>European Union (27 members)</small>" in body
    embargo = body.split("<th class=\"row\">embargo</th>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", embargo)
    assert cells[0] == "-0.350<small>[-0.600, +0.150]</small>"  # EU27 with its 5-95 % band
    assert cells[4] == "-4.217<small>[-4.467, -3.717]</small>"  # RUS
    assert cells[5] == "-0.913"  # DEU: no band in the record
    assert "residual" not in body and "iterations" not in body


def test_the_baseline_is_named_once_and_left_out_of_the_detail(doc: str) -> None:
    summary = section(doc, "summary")
    note = re.findall(r'<p class="note" id="zero-runs">(.*?)</p>', summary)
    assert len(note) == 1 and note[0].startswith("baseline: no change at all")
    assert '<th class="row">baseline</th>' not in summary
    for sid in DETAIL:
        assert not shows_run(section(doc, sid), "baseline"), sid
    for sid in ("map", "winners-losers", "bilateral", "charts"):
        assert shows_run(section(doc, sid), "embargo") and shows_run(section(doc, sid), "pivot"), sid
    # what was run and how the solver did is still there for every run, the baseline included
    assert "<h3>baseline</h3>" in section(doc, "scenarios")
    solver = section(doc, "solver")
    assert all(f'<th class="row">{n}</th>' in solver for n in ("baseline", "embargo", "pivot"))
    assert solver.count("converged, 17 iterations, residual 4.0e-11, 0.50 s") == 3


def test_a_report_of_only_the_baseline_still_shows_it(runs: list[RunRecord]) -> None:
    doc = report.render_report(runs[:1])
    assert '<th class="row">baseline</th>' in section(doc, "summary") and 'id="zero-runs"' not in doc
    assert figures.is_zero_run(runs[0]) and not figures.is_zero_run(runs[1])


def test_the_map_is_a_choropleth_of_every_country_with_its_outlines_inline(doc: str, runs: list[RunRecord]) -> None:
    body = section(doc, "map")
    assert body.count("plotly.js v") == 1 and doc.count("plotly.js v") == 1  # plotly.js comes with the map
    assert "window.PlotlyGeoAssets.topojson[\"world_110m\"]={\"type\":\"Topology\"" in body
    assert '"type":"choropleth"' in body and '"locationmode":"ISO-3"' in body
    assert "the menu picks the scenario" in body
    fig = figures.income_map([r for r in runs if not figures.is_zero_run(r)])
    assert [t.name for t in fig.data] == ["embargo", "pivot"] and [t.visible for t in fig.data] == [True, False]
    embargo = fig.data[0]
    assert WORLD not in embargo.locations and "EU27" not in embargo.locations
    assert dict(zip(embargo.locations, embargo.z, strict=True))["RUS"] == -4.217
    assert dict(zip(embargo.locations, embargo.text, strict=True))["RUS"] == "Russian Federation"
    assert embargo.zmid == 0 and embargo.zmax == -embargo.zmin == figures.map_bound(runs[1:])
    assert figures.map_bound(runs[1:]) < 4.217  # one large change does not wash out the rest


def test_winners_and_losers_carry_names(doc: str) -> None:
    body = section(doc, "winners-losers")
    assert '<td class="txt">RUS<small>Russian Federation</small></td>' in body
    assert '<td class="txt">KAZ<small>Kazakhstan</small></td>' in body


def test_a_real_run_and_its_baseline_in_chromium(small_world: World, tmp_path: Path) -> None:
    """The report of real runs on the example World: the baseline is recognised from its metrics, and Chromium
    draws the map (a shape per country) from the inlined outlines without loading anything from outside."""
    baseline = geoshift.run(parse_scenario("name: baseline\nshocks: []\n"), small_world).record
    embargo = geoshift.run(parse_scenario(
        "name: embargo\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}\n"),
        small_world).record
    assert figures.is_zero_run(baseline) and not figures.is_zero_run(embargo)
    path = report.write_report([baseline, embargo], tmp_path / "report.html")
    doc = path.read_text(encoding="utf-8")
    assert 'id="zero-runs">baseline: no change' in doc
    assert shows_run(section(doc, "charts"), "embargo") and not shows_run(section(doc, "charts"), "baseline")
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no chromium on PATH: install it with `apt-get install -y chromium` (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")
    errors: list[str] = []
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:", "blob:"))
                    else outside.append(r.url))
            page.goto(path.resolve().as_uri(), wait_until="load")
            page.wait_for_selector("#figure-income-map path.choroplethlocation", state="attached")
            shapes = page.locator("#figure-income-map path.choroplethlocation").count()
            headline_first = page.evaluate("document.querySelector('main section').id")
        finally:
            browser.close()
    assert not errors, "\n".join(errors)
    assert not outside, f"the report loaded from outside its file: {outside}"
    assert shapes == 3  # CHN, RUS, USA: every country of the example World has an outline
    assert headline_first == "summary"
    assert json.dumps(figures.TOPOJSON_NAME) in doc
