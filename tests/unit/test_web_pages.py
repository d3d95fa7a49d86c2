"""The web app's pages, in process (FastAPI's TestClient) on the example World: every page renders with its key
text, names stand next to codes, numbers carry units and equal the library's, user text is escaped, unknown things
get a 4xx page with the CLI's message, and a finished job's result renders as a fragment (a scenario run, a game
solved with hand-set payoffs whose pivot is known, claims checked on the example World)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from geoshift.claims import check_claims, load_claims
from geoshift.data.countries import country_name
from geoshift.engines.strategy.alignment import AlignmentGame, GameSpec, load_game, result_dict, solve_game
from geoshift.engines.strategy.alignment import game_map as solve_map
from geoshift.report.figures import map_bound
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.spec import Scenario, parse_scenario
from geoshift.web import pages
from geoshift.web.app import create_app
from geoshift.web.jobs import JobContext, JobManager
from geoshift.web.tasks import game_record, verdict_row
from geoshift.world import World, example_world

GAMES = Path(__file__).resolve().parents[2] / "games"
HOSTILE = '<img src=x onerror="alert(1)">'

SCENARIO = """\
name: oil_cut
description: Russia stops selling crude (B06) to the U.S. {hostile}
shocks:
  - {{kind: embargo, exporters: RUS, importers: USA, sectors: [B06], both_ways: false}}
"""


@pytest.fixture()
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


@pytest.fixture()
def client(store: RunStore) -> Iterator[TestClient]:
    app = create_app(world_loader=example_world, store=store)
    with TestClient(app) as c:
        yield c


def text_of(html: str) -> str:
    """The page's visible text, tags removed, entities decoded, whitespace squeezed."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def figures(html: str) -> list[dict[str, Any]]:
    """The plotly figures a page carries (``data-figure`` attributes), parsed."""
    return [json.loads(unescape(raw)) for raw in re.findall(r"data-figure='([^']*)'", html)]


def stored_run(world: World, store: RunStore, text: str) -> str:
    """Run a scenario through the library's Runner into the store, as ``geoshift run`` does; its run id."""
    return Runner(world, store).run(parse_scenario(text, "test")).record.run_id


@pytest.mark.parametrize(("path", "expected"), [
    ("/", ["geoshift: what a geopolitical realignment costs", "west_embargo_russia", "0 stored runs"]),
    ("/world", ["The World, 2022 baseline", "Russian Federation", "Crude petroleum and natural gas"]),
    ("/world/RUS", ["Russian Federation (RUS): exports to its partners", "Largest partners", "US$ bn"]),
    ("/scenarios", ["Scenarios", "west_embargo_russia", "two_blocs", "Write a new scenario"]),
    ("/scenarios/new", ["A new scenario", "name: my_scenario"]),
    ("/scenarios/us_russia_detente", ["Scenario us_russia_detente", "extends: west_embargo_russia"]),
    ("/runs", ["Runs", "No runs stored yet"]),
    ("/games", ["Will Russia pivot?", "rho", "package", "probability"]),
    ("/claims", ["Claims and verdicts", "China is Russia's largest trading partner."]),
])
def test_every_page_renders_with_its_key_text(client: TestClient, path: str, expected: list[str]) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    text = text_of(response.text)
    for words in expected:
        assert words in text, f"{path}: {words!r} not on the page"
    assert '<script src="/static/geoshift.js" defer></script>' in response.text
    for href, label in pages.NAV:
        assert f'<a href="{href}"' in response.text and label in text


def test_world_page_names_every_country_and_sector_next_to_its_code(client: TestClient) -> None:
    world = example_world()
    html = client.get("/world").text
    rows = re.findall(r"<tr data-search=\"([^\"]*)\">(.*?)</tr>", html, flags=re.S)
    by_code = {search.split()[0]: text_of(row) for search, row in rows}
    for code in world.countries:
        assert by_code[code].startswith(f"{code} {country_name(code)} "), by_code[code]
    for code, name, group in zip(world.sectors, world.sector_names, world.sector_group, strict=True):
        assert by_code[code].startswith(f"{code} {name} {group} "), by_code[code]
    # value added in US$ bn: the World's income (US$ million) / 1,000
    for n, code in enumerate(world.countries):
        assert f"{world.income[n] / 1e3:,.2f}" in by_code[code].split(country_name(code))[1]


def test_world_search_filters_on_the_server_and_escapes_the_words(client: TestClient) -> None:
    text = text_of(client.get("/world", params={"q": "russ"}).text)
    assert "Russian Federation" in text and "United States" not in text and "1 country and 0 sectors match" in text
    html = client.get("/world", params={"q": HOSTILE}).text
    assert HOSTILE not in html and "&lt;img src=x" in html


def test_profile_page_shows_partners_by_name_with_the_library_numbers(client: TestClient) -> None:
    api = client.get("/api/v1/profile/RUS").json()
    html = client.get("/world/RUS").text
    table = re.search(r'<table id="partners">(.*?)</table>', html, flags=re.S)
    assert table is not None
    rows = [text_of(r) for r in re.findall(r"<tr><td class=\"num\">.*?</tr>", table.group(1), flags=re.S)]
    assert len(rows) == len(api["partners"])
    for n, (row, partner) in enumerate(zip(rows, api["partners"], strict=True), start=1):
        assert row == (f"{n} {country_name(partner['iso3'])} {partner['iso3']} {partner['value_usd'] / 1e9:,.2f} "
                       f"{100 * partner['share']:.1f} % {100 * partner['reverse_share']:.1f} %")
    (chart,) = figures(html)
    assert chart["data"][0]["type"] == "bar"
    assert chart["data"][0]["y"][::-1] == [country_name(p["iso3"]) for p in api["partners"]]
    assert 'href="/api/v1/profile/RUS?source=icio&amp;group=all&amp;flow=exports"' in html
    sectors = text_of(re.search(r'<table id="leads">(.*?)</table>', html, flags=re.S).group(1))  # type: ignore[union-attr]
    assert "B06 (Crude petroleum and natural gas)" in sectors


def test_unknown_country_is_a_404_page_with_the_apis_message(client: TestClient) -> None:
    api = client.get("/api/v1/profile/RUSSIAX")
    page = client.get("/world/RUSSIAX")
    assert api.status_code == page.status_code == 404
    message = re.search(r'<p class="error-page" role="alert" id="error-message">(.*?)</p>', page.text, flags=re.S)
    assert message is not None and unescape(message.group(1)) == api.json()["error"]
    assert "closest" in api.json()["error"]
    bad = client.get("/world/RUS", params={"year": "soon"})
    assert bad.status_code == 422 and "year 'soon' is not a year" in text_of(bad.text)
    hostile = client.get("/world/" + HOSTILE)
    assert hostile.status_code == 404 and HOSTILE not in hostile.text


def test_scenario_editor_holds_the_shipped_file_escaped(client: TestClient) -> None:
    html = client.get("/scenarios/west_embargo_russia").text
    area = re.search(r'<textarea id="scenario-yaml"[^>]*>\n(.*?)</textarea>', html, flags=re.S)
    assert area is not None
    shipped = (GAMES.parent / "scenarios" / "west_embargo_russia.yaml").read_text(encoding="utf-8")
    assert unescape(area.group(1)) == shipped
    missing = client.get("/scenarios/" + HOSTILE)
    assert missing.status_code == 404 and HOSTILE not in missing.text
    assert "shipped: baseline, west_embargo_russia" in text_of(missing.text)


def test_run_pages_show_the_headline_map_and_winners_from_the_store(client: TestClient, store: RunStore) -> None:
    world = example_world()
    run_id = stored_run(world, store, SCENARIO.format(hostile=HOSTILE))
    record = store.get(run_id)
    income = dict(zip(record.metric("real_income_change_pct")["country"],
                      record.metric("real_income_change_pct")["value"], strict=True))

    listing = client.get("/runs").text
    assert HOSTILE not in listing and "&lt;img src=x" in listing
    assert f'href="/runs/{run_id}"' in listing and pages.pct(income["RUS"]) in text_of(listing)

    html = client.get(f"/runs/{run_id}").text
    assert HOSTILE not in html
    headline = text_of(re.search(r'<table class="headline".*?</table>', html, flags=re.S).group(0))  # type: ignore[union-attr]
    assert f"World WORLD {pages.pct(income['WORLD'])}" in headline
    for code in world.countries:
        assert f"{country_name(code)} {code} {pages.pct(income[code])}" in headline
    (world_map,) = figures(html)
    trace = world_map["data"][0]
    assert trace["type"] == "choropleth" and trace["locationmode"] == "ISO-3"
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {c: income[c] for c in world.countries}
    assert trace["zmin"] == -trace["zmax"] == -map_bound([record])  # as the HTML report draws it
    winner = max(world.countries, key=lambda c: income[c])
    loser = min(world.countries, key=lambda c: income[c])
    assert text_of(re.search(r'<table class="winners">.*?</table>', html, flags=re.S).group(0)).endswith(  # type: ignore[union-attr]
        f"{country_name(winner)} {winner} {pages.pct(income[winner])}")
    assert text_of(re.search(r'<table class="losers">.*?</table>', html, flags=re.S).group(0)).endswith(  # type: ignore[union-attr]
        f"{country_name(loser)} {loser} {pages.pct(income[loser])}")
    assert client.get("/runs/nope").status_code == 404


def test_compare_page_puts_two_runs_side_by_side_with_their_difference(client: TestClient, store: RunStore) -> None:
    world = example_world()
    a = stored_run(world, store, SCENARIO.format(hostile=""))
    b = stored_run(world, store, SCENARIO.format(hostile="").replace("both_ways: false", "both_ways: true"))
    va = dict(zip(store.get(a).metric("real_income_change_pct")["country"],
                  store.get(a).metric("real_income_change_pct")["value"], strict=True))
    vb = dict(zip(store.get(b).metric("real_income_change_pct")["country"],
                  store.get(b).metric("real_income_change_pct")["value"], strict=True))
    html = client.get("/runs/compare", params={"a": a, "b": b}).text
    table = text_of(re.search(r'<table id="compare-table">.*?</table>', html, flags=re.S).group(0))  # type: ignore[union-attr]
    for code in world.countries:
        assert (f"{country_name(code)} {code} {pages.pct(va[code])} {pages.pct(vb[code])} "
                f"{pages.points(vb[code] - va[code])}") in table
    difference = figures(html)[0]["data"][0]
    assert difference["z"] == pytest.approx([vb[c] - va[c] for c in difference["locations"]])
    assert client.get("/runs/compare", params={"a": a}).status_code == 422


def wait_for(client: TestClient, job_id: str, seconds: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_a_run_job_renders_as_the_run_fragment(client: TestClient, store: RunStore) -> None:
    text = SCENARIO.format(hostile="")
    accepted = client.post("/api/v1/scenarios/run", json={"yaml": text, "draws": 0})
    assert accepted.status_code == 202
    job = wait_for(client, accepted.json()["job"]["id"])
    assert job["status"] == "done", job
    fragment = client.get(f"/fragments/jobs/{job['id']}")
    assert fragment.status_code == 200
    assert f'data-run="{job["result"]["run_id"]}"' in fragment.text
    assert fragment.text == client.get(f"/fragments/runs/{job['result']['run_id']}").text
    assert client.get("/fragments/jobs/nope").status_code == 404


# --- a game solved with hand-set payoffs: Russia pivots west exactly when trust rho > 1/2 -------------------------

def economics(scenario: Scenario) -> dict[str, float]:
    """Russia gains 2 from relief; aligning west costs it 1 and hedging 1.5; China loses 1 if it retaliates; the
    U.S. gains 0.5 when Russia leaves China (every subjective term of the file set to 0)."""
    _, _offer, align, response, *relief = scenario.name.split(".")
    return {"USA": 0.5 if align == "west" else 0.0,
            "RUS": (2.0 if relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 1.5}[align],
            "CHN": -1.0 if response == "retaliate" else 0.0}


def hand_game() -> AlignmentGame:
    raw = load_game(GAMES / "detente.yaml").model_dump()
    for name, parameter in raw["parameters"].items():
        if name not in ("rho", "package"):
            parameter["value"] = 0.0
    return AlignmentGame(GameSpec.model_validate(raw), Scenario(name="base"), economics)


def finished_job(client: TestClient, kind: str, result: dict[str, Any]) -> str:
    jobs: JobManager = client.app.state.jobs  # type: ignore[attr-defined]

    def work(context: JobContext) -> dict[str, Any]:
        return result

    job = jobs.submit(kind, {"test": kind}, work)
    assert wait_for(client, job.id)["status"] == "done"
    return job.id


def test_a_game_result_reads_in_words_with_the_pivot_map(client: TestClient) -> None:
    game = hand_game()
    grid = solve_map(game, "rho", "package", n=21, overrides={"rho": 1.0})  # rho = 0, 0.05, ..., 1
    result = result_dict(game, solve_game(game, {"rho": 1.0}), grid)
    html = client.get(f"/fragments/jobs/{finished_job(client, 'game', result)}").text
    text = text_of(html)
    assert "The U.S. offers the deal, Russia aligns west and China keeps its ties with Russia." in text
    assert "Russia aligns west if the U.S. offers the deal; otherwise it stays with China." in text
    assert "China keeps its ties with Russia whatever the others do." in text
    assert not re.search(r"[{}\[\]]|': |\('", text), "a Python dict, list or tuple on the page"  # sentences
    assert "the United States +0.500 %, Russia +1.000 %, China +0.000 %" in text  # Russia: 2 rho - 1 at rho = 1
    # at rho <= 1/2 Russia stays with China (11 of 21 columns: the tie at 1/2 reads "china"), above it aligns west
    legend = text_of(re.search(r'<ul class="legend" id="map-legend">.*?</ul>', html, flags=re.S).group(0))  # type: ignore[union-attr]
    assert legend == (f"red: Russia stays with China in {100 * 11 / 21:.1f} % of the cells yellow: Russia hedges in "
                      f"0.0 % of the cells blue: Russia aligns west in {100 * 10 / 21:.1f} % of the cells")
    heatmap, default, point = figures(html)[0]["data"]
    assert heatmap["type"] == "heatmap" and heatmap["z"] == grid.russia_moves.tolist()
    assert (point["x"], point["y"]) == ([1.0], [game.spec.parameters["package"].value])  # solved at rho = 1
    shipped = load_game(GAMES / "detente.yaml").parameters
    assert (default["x"], default["y"]) == ([shipped["rho"].value], [shipped["package"].value])


def test_a_stored_game_run_lists_its_payoffs_by_name_and_unit(client: TestClient, store: RunStore) -> None:
    game = hand_game()
    result = result_dict(game, solve_game(game, {"rho": 1.0}))
    text = (GAMES / "detente.yaml").read_text(encoding="utf-8")
    record = game_record(example_world(), game.spec, text, result, request={"set": {"rho": 1.0}})
    store.save(record)
    html = client.get(f"/runs/{record.run_id}").text
    assert "headline-table" not in html
    rows = [text_of(r) for r in re.findall(r"<tr><td>payoff in the alignment game.*?</tr>", html, flags=re.S)]
    assert len(rows) == len(result["payoffs"]) * 3
    expected = result["payoffs"]["deal/west/keep"]["RUS"]
    assert f"payoff in the alignment game Russian Federation RUS deal/west/keep {expected:,.3f} % real income" in rows


def test_claims_render_as_the_verdict_table(client: TestClient, tmp_path: Path) -> None:
    claims = tmp_path / "toy.yaml"
    claims.write_text(yaml.safe_dump({
        "name": "toy", "sources": {"op": {"title": "An op-ed"}},
        "claims": [
            {"id": "T1", "source": "op", "claim": f"The U.S. is Russia's largest trading partner. {HOSTILE}",
             "proposition": {"measure": {"kind": "partner", "country": "RUS", "partner": "USA", "source": "icio",
                                         "flow": "trade", "stat": "rank"},
                             "compare": "==", "threshold": 1, "unit": "rank", "why": "first by trade"}},
            {"id": "T2", "source": "op", "claim": "Russia does not care.", "status": "not_measurable",
             "reason": "A statement about motives."}]}), encoding="utf-8")
    results = check_claims(example_world(), [load_claims(claims)], draws=0)
    rows = [verdict_row(r) for r in results]
    job_id = finished_job(client, "check", {"claims": rows, "evidence_page": "/api/v1/jobs/x/evidence"})
    html = client.get(f"/fragments/jobs/{job_id}").text
    assert HOSTILE not in html
    table = re.search(r'<table id="verdict-table">.*?</table>', html, flags=re.S)
    assert table is not None
    got = [text_of(r) for r in re.findall(r"<tr data-claim=.*?</tr>", table.group(0), flags=re.S)]
    assert got == [f"{r['id']} {r['claim']} {r['verdict']} {r['likelihood']} {r['number']} {r['flip']}" for r in rows]
    # on the example World the U.S. takes 52 % of Russia's two-way trade, China 48 % (see its profile)
    assert [r.verdict for r in results] == ["supported", "not measurable"]
    assert 'href="/api/v1/jobs/x/evidence#claim-T1"' in html


def test_plotly_js_and_the_map_outlines_are_served_from_the_app(client: TestClient) -> None:
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert response.content == pages.plotly_js_path().read_bytes()
    assert response.content.startswith(b"/**\n* plotly.js v")
    outlines = client.get("/static/topojson/world_110m.json").json()
    ids = {g.get("id") for g in outlines["objects"]["countries"]["geometries"]}
    assert {"RUS", "CHN", "USA", "DEU", "IND", "UKR"} <= ids
    assert client.get("/static/geoshift.css").status_code == 200


@pytest.mark.parametrize(("value", "text"), [(0.5123, "+0.51 %"), (-0.5, "-0.50 %"), (0.0, "+0.00 %"),
                                             (-0.0012, "-0.0012 %"), (4.7e-05, "+0.000047 %"), (1e-9, "+0.00 %"),
                                             (None, "–"), (float("nan"), "–")])
def test_percentages_carry_sign_and_unit(value: float | None, text: str) -> None:
    assert pages.pct(value) == text


def test_with_a_token_a_page_opened_once_with_it_lets_its_scripts_call_the_api(tmp_path: Path) -> None:
    """Behind a token, a browser opens a page once with ``?token=``; the cookie it gets carries the token for the
    page's own requests (its script's fetches to /api/v1 are same-origin and send it), so the pages work."""
    app = create_app(world_loader=example_world, store=RunStore(tmp_path / "runs.duckdb"), token="s3cret")
    with TestClient(app) as c:
        refused = c.get("/world")
        assert refused.status_code == 401 and refused.json()["status"] == 401
        assert c.get("/world", params={"token": "s3cret"}).status_code == 200
        assert c.get("/world/RUS").status_code == 200
        assert c.get("/static/geoshift.js").status_code == 200
        valid = c.post("/api/v1/scenarios/validate", json={"yaml": SCENARIO.format(hostile="")})
        assert valid.status_code == 200 and valid.json()["valid"] is True
    with TestClient(app) as stranger:
        assert stranger.get("/world", params={"token": "wrong"}).status_code == 401
