"""The HTML report: built from synthetic RunRecords only (no engine, no World)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geoshift.report import figures
from geoshift.report import html as report
from geoshift.results.records import METRIC_COLUMNS, SQUARE, WORLD, RunRecord

SECTION_IDS = ("summary", "map", "winners-losers", "sensitivity", "bilateral", "sectors", "energy", "centrality",
               "charts", "strategy", "scenarios", "provenance", "solver")
OTHERS = ("FRA", "ITA", "ESP", "POL", "NLD", "JPN", "KOR", "BRA", "MEX", "CAN", "GBR", "TUR", "SAU", "ARE", "IDN",
          "ZAF", "AUS", "NOR", "KAZ")
INCOME_A = {WORLD: -0.127, "USA": -0.381, "RUS": -4.217, "CHN": 0.052, "DEU": -0.913, "IND": 0.274,
            **{c: round(0.05 * (i - 9), 3) for i, c in enumerate(OTHERS)}}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _metrics(income: dict[str, float], scale: float = 1.0, tariffs: dict[str, float] | None = None) -> pd.DataFrame:
    rows: list[tuple[str, str, str, str, float, str]] = []
    for country, value in income.items():
        rows.append(("real_income_change_pct", country, "", "", value * scale, "%"))
        if country == WORLD:
            continue
        for name in ("wage_change_pct", "price_index_change_pct", "exports_change_pct", "imports_change_pct"):
            rows.append((name, country, "", "", 0.5 * value * scale, "%"))
    for i, exporter in enumerate(SQUARE):
        for j, importer in enumerate(SQUARE):
            if i != j:
                rows.append(("bilateral_trade_change_pct", exporter, importer, "", scale * (10 * i - j - 0.5), "%"))
                rows.append(("bilateral_trade_baseline_usd", exporter, importer, "", 1e9 * (12.34 + i + 10 * j), "USD"))
    for k, country in enumerate(c for c in ("USA", "RUS", "CHN", "DEU", "IND") if c in income):
        rows.append(("sector_exports_change_pct", country, "", "energy", scale * (-11.111 - k), "%"))
        rows.append(("sector_exports_change_pct", country, "", "metals", scale * (2.222 + k), "%"))
        rows.append(("sector_output_change_pct", country, "", "B05_06", scale * (-3.333 - k), "%"))
        rows.append(("sector_output_change_pct", country, "", "C24", scale * (1.5 + k), "%"))
    for country, value in (tariffs or {}).items():
        rows.append(("tariff_revenue_usd", country, "", "", value, "USD"))
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def _run(name: str, metrics: pd.DataFrame, **kwargs: Any) -> RunRecord:
    defaults: dict[str, Any] = {
        "run_id": f"run-{name}", "description": f"{name} description",
        "spec_yaml": f"name: {name}\nshocks: []\n", "scenario_hash": f"hash-{name}", "created": "2025-01-02T03:04:05Z",
        "diagnostics": {"converged": True, "iterations": 42, "residual": 3.2e-10, "seconds": 1.25},
        "provenance": [{"source": "OECD ICIO", "version": "2023", "licence": "CC BY 4.0", "sha256": "ab" * 32,
                        "location": "pack", "note": ""}],
        "data_key": "world-1",
    }
    defaults.update(kwargs)
    return RunRecord(name=name, metrics=metrics, **defaults)


@pytest.fixture(scope="module")
def runs() -> list[RunRecord]:
    income_b = {c: v for c, v in INCOME_A.items() if c != "IND"}  # IND absent from this run's metrics
    return [
        _run("sanctions", _metrics(INCOME_A, tariffs={"USA": 2.5e9, "CHN": 1.25e9})),
        _run("decoupling", _metrics(income_b, scale=2.0), parent="sanctions",
             diagnostics={"converged": False, "iterations": 500, "residual": 1.5e-4, "seconds": 9.0}),
    ]


@pytest.fixture(scope="module")
def doc(runs: list[RunRecord]) -> str:
    return report.render_report(runs, title="Test report", world_summary={"countries": 77, "year": 2020})


def _section(doc: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}">(.*?)</section>', doc, flags=re.S)
    assert match is not None, sid
    return str(match.group(1))


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.sections: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.sections.append(dict(attrs).get("id") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_document_has_all_sections_and_is_well_formed(doc: str) -> None:
    assert doc.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in doc
    for sid in SECTION_IDS:
        assert f'<section id="{sid}">' in doc
    checker = _Checker()
    checker.feed(doc)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.sections == list(SECTION_IDS)
    assert doc.count("<section") == doc.count("</section>") == len(SECTION_IDS)
    assert "changes vs the baseline World, in percent" in doc


def test_scenario_names_and_details_appear(doc: str) -> None:
    scenarios = _section(doc, "scenarios")
    for name in ("sanctions", "decoupling"):
        assert f"<h3>{name}</h3>" in scenarios
        assert f"hash-{name}" in scenarios
        assert f"<pre>name: {name}\nshocks: []\n</pre>" in scenarios
    assert "<dt>extends</dt><dd>sanctions</dd>" in scenarios
    assert "2025-01-02T03:04:05Z" in scenarios
    assert "9.00" in scenarios


def test_plotly_inlined_exactly_once_and_offline(doc: str) -> None:
    assert doc.count("plotly.js v") == 1  # the library's licence banner
    assert doc.count("Plotly.newPlot(") == 4  # world map, income bars, heatmap, tariff revenue
    assert doc.count('"displaylogo": false') == 4
    assert re.search(r"<script[^>]*\bsrc\s*=", doc, flags=re.I) is None
    assert re.search(r"<link\b", doc, flags=re.I) is None
    head = doc.split("</head>", 1)[0]
    assert "http" not in head and "@import" not in head and "url(" not in head
    outside_scripts = re.sub(r"<script.*?</script>", "", doc, flags=re.S)
    assert "https://" not in outside_scripts and "cdn" not in outside_scripts.lower()


def test_user_strings_are_escaped() -> None:
    evil = _run("<b>x</b>", _metrics(INCOME_A), description="<script>alert(1)</script>",
                spec_yaml='name: "<b>x</b>"\nnote: a & b\n', parent="<i>base</i>")
    doc = report.render_report([evil], title="<title>")
    assert "&lt;b&gt;x&lt;/b&gt;" in doc
    assert "<b>x</b>" not in doc
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "<script>alert(1)" not in doc
    assert "a &amp; b" in doc
    assert "&lt;i&gt;base&lt;/i&gt;" in doc and "<i>base</i>" not in doc
    assert "<title>&lt;title&gt;</title>" in doc


def test_summary_numbers_match_metrics(doc: str) -> None:
    summary = _section(doc, "summary")
    for column in ("WORLD (%)<small>World</small>", "USA (%)<small>United States</small>",
                   "RUS (%)<small>Russian Federation</small>", "CHN (%)<small>China</small>",
                   "DEU (%)<small>Germany</small>", "IND (%)<small>India</small>"):
        assert f"<th>{column}</th>" in summary
    assert "UKR (%)" not in summary and "EU27 (%)" not in summary  # absent from every run: no column
    assert '<td class="neg">-0.381</td>' in summary  # USA, sanctions
    assert '<td class="neg">-0.762</td>' in summary  # USA, decoupling (scale 2)
    assert '<td class="pos">+0.052</td>' in summary
    assert '<td class="neg">-0.127</td>' in summary  # WORLD
    assert "residual" not in summary  # the solver is in the appendix
    solver = _section(doc, "solver")
    assert "yes, 42 it., residual 3.2e-10" in solver and "converged, 42 iterations, residual 3.2e-10, 1.25 s" in solver
    assert "no, 500 it., residual 1.5e-04" in solver and "NOT converged, 500 iterations" in solver
    decoupling_row = summary.split("decoupling", 1)[1].split("</tr>", 1)[0]
    assert f"<td>{report.DASH}</td>" in decoupling_row  # IND missing in that run


def test_winners_and_losers(doc: str) -> None:
    section = _section(doc, "winners-losers")
    first = section.split("<h3>decoupling</h3>", 1)[0]
    assert "WORLD" not in section
    losers = re.findall(r'<td>1</td><td class="txt">(\w+)<small>.*?<td class="txt">(\w+)<small>', first)
    assert losers == [("RUS", "KAZ")]  # biggest loser (-4.217) and biggest winner (+0.45) in "sanctions"
    assert first.count("<tr>") == 1 + 5


def test_bilateral_square(doc: str) -> None:
    section = _section(doc, "bilateral")
    assert section.count('<td class="diag"></td>') == 4 * 2
    # exporter RUS (i=1) to importer USA (j=0): change 10*1 - 0 - 0.5, baseline 12.34 + 1 bn
    assert '<td class="pos" title="baseline US$ 13.3 bn">+9.500<small>US$ 13.3 bn</small></td>' in section
    assert "<th>exporter \\ importer</th><th>USA</th><th>RUS</th><th>CHN</th><th>EU27</th>" in section


def test_sectors(doc: str) -> None:
    section = _section(doc, "sectors")
    assert "<th>energy (%)</th><th>metals (%)</th>" in section
    assert "<th>B05_06 (%)</th><th>C24 (%)</th>" in section
    assert '<td class="neg">-11.111</td>' in section and '<td class="pos">+2.222</td>' in section
    assert '<td class="neg">-6.666</td>' in section  # output B05_06 USA, scale 2


def test_provenance_and_world_summary(doc: str) -> None:
    section = _section(doc, "provenance")
    assert "<th>source</th><th>version</th><th>licence</th><th>sha256</th>" in section
    assert "OECD ICIO" in section and "ab" * 32 in section
    assert "<dt>countries</dt><dd>77</dd>" in section
    assert "Warning" not in section


def test_missing_metrics_do_not_crash() -> None:
    bare = _run("bare", pd.DataFrame(columns=list(METRIC_COLUMNS)), diagnostics={}, provenance=[], data_key="w2")
    partial = _run("partial", _metrics({"USA": 1.0, "CHN": -1.0}))
    doc = report.render_report([bare, partial])
    assert doc.count("Plotly.newPlot(") == 3  # map, bars, heatmap; no tariffs anywhere: no tariff chart
    assert "Tariff revenue" not in doc
    summary = _section(doc, "summary")
    assert f"<td>{report.DASH}</td>" in summary
    assert "Warning" in _section(doc, "provenance")  # two different Worlds


def test_empty_runs_raise(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no runs to report"):
        report.render_report([])
    with pytest.raises(ValueError, match="no runs to report"):
        report.write_report([], tmp_path / "out" / "report.html")
    assert not (tmp_path / "out").exists()


def test_write_report_creates_folder(tmp_path: Path, runs: list[RunRecord]) -> None:
    target = tmp_path / "a" / "b" / "report.html"
    assert report.write_report(runs, target, title="T") == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<title>T</title>" in text
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_write_report_is_atomic(tmp_path: Path, runs: list[RunRecord], monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("figure failed")

    monkeypatch.setattr(figures, "income_heatmap", boom)
    with pytest.raises(RuntimeError, match="figure failed"):
        report.write_report(runs, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert target.read_text(encoding="utf-8") == "old"

    monkeypatch.undo()
    monkeypatch.setattr(report.os, "replace", boom)  # fail after the temp file is written
    with pytest.raises(RuntimeError, match="figure failed"):
        report.write_report(runs, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    assert target.read_text(encoding="utf-8") == "old"


def test_figures_are_built_from_records(runs: list[RunRecord]) -> None:
    bars = figures.income_bars(runs)
    assert [t.name for t in bars.data] == ["sanctions", "decoupling"]
    assert list(bars.data[0].x) == [WORLD, "USA", "RUS", "CHN", "DEU", "IND"]
    assert bars.data[0].y[1] == pytest.approx(-0.381)
    assert bars.data[1].y[-1] is None  # IND absent in the second run
    heat = figures.income_heatmap(runs)
    assert len(heat.data[0].x) == 20 and heat.data[0].x[0] == "RUS" and WORLD not in heat.data[0].x
    tariffs = figures.tariff_revenue_bars(runs)
    assert tariffs is not None and [t.name for t in tariffs.data] == ["sanctions"]
    assert list(tariffs.data[0].y) == [pytest.approx(2.5), pytest.approx(1.25)]
    assert figures.tariff_revenue_bars(runs[1:]) is None
    assert figures.run_labels([runs[0], runs[0]]) == [f"sanctions ({runs[0].run_id})"] * 2


def test_games_and_bargaining_section(runs: list[RunRecord]) -> None:
    empty = _section(report.render_report(runs), "strategy")
    assert "No game or bargaining runs" in empty
    game = _run("detente", pd.DataFrame(columns=list(METRIC_COLUMNS)), kind="game",
                diagnostics={"spe": ["deal/hedge/keep"], "delta_star": 0.123456, "engine_solves": 9, "seconds": 1.0})
    bargain = _run("russia_alignment_actors", pd.DataFrame(
        [("bargain_forecast", "median", "", "", 25.64, "issue scale"),
         ("bargain_forecast", "mean", "", "", 25.61, "issue scale")], columns=list(METRIC_COLUMNS)), kind="bargain",
        diagnostics={"converged": True, "iterations": 160, "residual": 1e-7, "seconds": 0.03,
                     "sensitivity": {"quantiles": {"q": [0.05, 0.5, 0.95], "median": [21.4, 28.9, 39.0]}}})
    body = _section(report.render_report(runs, strategy=[game, bargain],
                                         pages={bargain.run_id: "bargain-russia_alignment_actors.html"}), "strategy")
    assert "SPE: deal/hedge/keep; trust threshold δ* = 0.123" in body
    assert "forecast 25.64 (weighted mean 25.61), 90 % of perturbed runs in [21.40, 39.00]" in body
    assert '<a href="bargain-russia_alignment_actors.html">' in body and body.count("<a ") == 1


def test_sensitivity_section_reads_the_elasticity_metrics(runs: list[RunRecord]) -> None:
    rows = [("trade_elasticity", "", "", "C19", 64.85, ""), ("trade_elasticity_low", "", "", "C19", 2.97, ""),
            ("trade_elasticity_high", "", "", "C19", 64.85, "")]
    for country, low, high in ((WORLD, -0.2, -0.127), ("RUS", -6.5, -4.217)):
        rows += [("real_income_change_pct_theta_low", country, "", "C19", low, "%"),
                 ("real_income_change_pct_theta_high", country, "", "C19", high, "%")]
    metrics = pd.concat([_metrics(INCOME_A), pd.DataFrame(rows, columns=list(METRIC_COLUMNS))], ignore_index=True)
    body = _section(report.render_report([_run("sanctions", metrics)]), "sensitivity")
    assert "C19 low" in body and "θ 2.97 (used 64.85)" in body and "θ 64.85 (used 64.85)" in body
    assert '<td class="neg">-6.500</td>' in body and '<td class="neg">-4.217</td>' in body
    without = _section(report.render_report(runs), "sensitivity")
    assert "<table>" not in without  # runs without sensitivity metrics get the explanation only



# -- the game page, in words ------------------------------------------------------------------------------------

GAME_FILE = Path(__file__).resolve().parents[2] / "games"


def _game_result(file: str = "detente.yaml", draws: int = 0) -> dict[str, Any]:
    """A solved shipped game with hand-set economic payoffs (no engine): Russia gains 2 % from relief, aligning west
    costs it 1 and hedging 1.5; China loses 1 if it retaliates; the U.S. gains 0.5 when Russia leaves China."""
    from geoshift.engines.strategy.alignment import (
        AlignmentGame,
        game_ensemble,
        game_map,
        load_game,
        result_dict,
        solve_game,
    )
    from geoshift.scenario.spec import Scenario

    def economics(scenario: Scenario) -> dict[str, float]:
        parts = scenario.name.split(".")
        align = next(p for p in parts if p in ("china", "hedge", "west"))
        relief = any(p.startswith("relief") for p in parts)
        return {"USA": 0.5 if align == "west" else 0.0,
                "RUS": (2.0 if relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 1.5}[align],
                "CHN": -1.0 if "retaliate" in parts else 0.0, "EU27": 0.1}

    game = AlignmentGame(load_game(GAME_FILE / file), Scenario(name="base"), economics)
    solution = solve_game(game, {})
    ensemble = game_ensemble(game, draws, seed=1) if draws else None
    return result_dict(game, solution, game_map(game, "rho", "package", n=6), ensemble)


def test_outcomes_and_strategies_are_sentences() -> None:
    from geoshift.report import game as words

    assert words.describe_outcome("deal/west/keep") == (
        "The U.S. offers the deal, Russia aligns west and China keeps its ties with Russia.")
    assert words.describe_outcome("deal/join/hedge/retaliate") == (
        "The U.S. offers the deal, the EU joins the deal, Russia hedges and China retaliates against Russia.")
    assert words.describe_strategy("USA", {"start": "deal"}) == "The United States offers the deal."
    assert words.describe_strategy("RUS", {"none": "china", "deal": "west"}) == (
        "Russia aligns west if the U.S. offers the deal; otherwise it stays with China.")
    assert words.describe_strategy("RUS", {"none": "china", "deal/hold": "china", "deal/join": "china"}) == (
        "Russia stays with China whatever the others do.")
    chn = {h: "keep" for h in ("none/china", "none/hedge", "none/west", "deal/china", "deal/hedge")}
    assert words.describe_strategy("CHN", {**chn, "deal/west": "retaliate"}) == (
        "China retaliates against Russia if the U.S. offers the deal and Russia aligns west; otherwise it keeps its "
        "ties with Russia.")
    assert words.describe_strategy("EU27", {"deal": "join"}) == "The EU joins the deal if the U.S. offers the deal."
    assert words.describe_mixed("USA", {"start: none": 1.0, "start: deal": 0.0}) == "The United States offers nothing."
    assert words.describe_mixed("RUS", {"none: china, deal: west": 0.25, "none: china, deal: china": 0.75}) == (
        "With probability 0.75: Russia stays with China whatever the others do. With probability 0.25: Russia aligns "
        "west if the U.S. offers the deal; otherwise it stays with China.")
    assert words.describe_tie("start") == "the United States is indifferent at its first move"
    assert words.describe_tie("deal") == "Russia is indifferent if the U.S. offers the deal"
    assert words.describe_tie("deal", ["USA", "RUS", "CHN", "EU27"]) == (
        "the EU is indifferent if the U.S. offers the deal")
    assert words.describe_tie("none/west") == "China is indifferent if the U.S. offers nothing and Russia aligns west"


def test_outcome_shares_count_the_cells() -> None:
    from geoshift.report.game import MOVES, outcome_shares, spe_outcome_shares

    grid = {"russia_moves": [[0, 0, 2], [1, 2, 2]],
            "outcomes": [["none/china/keep"] * 2 + ["deal/west/keep"], ["deal/hedge/keep"] + ["deal/west/keep"] * 2]}
    assert outcome_shares(grid) == {MOVES[0]: 2 / 6, MOVES[1]: 1 / 6, MOVES[2]: 3 / 6}
    assert list(spe_outcome_shares(grid).items()) == [("deal/west/keep", 0.5), ("none/china/keep", 2 / 6),
                                                      ("deal/hedge/keep", 1 / 6)]
    assert outcome_shares({"russia_moves": [[0, 0]]}) == {MOVES[0]: 1.0, MOVES[1]: 0.0, MOVES[2]: 0.0}


@pytest.mark.parametrize("file", ["detente.yaml", "detente_eu.yaml"])
def test_the_game_page_speaks_in_words(file: str) -> None:
    from geoshift.report.game import MOVE_COLOURS, MOVES, PAYOFF_UNIT, outcome_shares, render_game_report

    result = _game_result(file, draws=8)
    page = render_game_report(result, "name: x\n")
    assert page.count(PAYOFF_UNIT) >= 8  # every payoff column and note names its unit
    body = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    assert "{'" not in body and "('" not in body and "': '" not in body  # no Python dicts or tuples
    spe = result["spe"][0]
    assert "The United States offers" in _section(page, "equilibria")
    assert f"<small>{spe['outcome']}</small>" in page
    shares = outcome_shares(result["map"])
    section = _section(page, "map")
    for (word, hexa), move in zip(MOVE_COLOURS, MOVES, strict=True):
        assert f"Russia {move} ({word}): {100 * shares[move]:.0f} % of cells" in section  # the legend
        assert f'<td class="txt">Russia {move}</td><td class="txt">{word}</td>' \
               f'<td class="txt">{100 * shares[move]:.1f} %</td>' in section
        assert hexa in section
    assert '"showscale":false' in section and '"symbol":"star"' in section
    point = f"rho = {result['parameters']['rho']:g}, package = {result['parameters']['package']:g}"
    assert f"the star marks the game as solved ({point})" in section
    assert sum(shares.values()) == pytest.approx(1.0)
