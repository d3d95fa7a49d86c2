"""The evidence page of ``geoshift check`` in a real browser: headless Chromium (Debian's, driven by Playwright)
opens a page built from real ``ClaimResult``s on the example World and must show every claim's section with its
verdict, one verdict-table row per claim, a plotly chart drawn as SVG for every measured claim, JSON-LD that parses
as ClaimReview, no console or page errors, and nothing loaded from outside the file."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest

from geoshift.claims import check_claims, load_claims
from geoshift.claims.check import ClaimResult
from geoshift.claims.verdict import NOT_MEASURABLE
from geoshift.report.claims import write_evidence_page
from geoshift.world import World

INSTALL = "apt-get install -y chromium (Debian's package; .ci/run installs it when missing)"

SCENARIO = """\
name: cut_off
description: Russia stops selling mining products (B06) to the United States; nothing else changes.
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06], both_ways: false}
"""

CLAIMS = """\
name: browser_toy
description: Three claims on the example World, one of each kind of evidence.
sources:
  op: {title: "An op-ed on Russia's trade", outlet: A paper, url: "https://example.org/op"}
claims:
  - id: T1
    source: op
    claim: China is Russia's largest trading partner.
    proposition:
      measure: {kind: partner, country: RUS, partner: CHN, source: icio, flow: trade, stat: rank}
      compare: "=="
      threshold: 1
      unit: rank
      why: first by exports plus imports of all goods and services
  - id: T2
    source: op
    claim: Cutting the U.S. off from Russian mining products would cost Russia real income.
    proposition:
      measure: {kind: run_metric, scenario: cut_off, metric: real_income_change_pct, country: RUS}
      compare: "<"
      threshold: 0
      unit: "%"
      why: any loss of real income
      # the example World has sectors B06, C24A and G only: name the flip parameter (the default is theta.C19)
      flip: {parameter: theta.B06, low: 1, high: 20}
  - id: T3
    source: op
    claim: Russia does not care what the U.S. buys.
    status: not_measurable
    reason: A statement about motives; geoshift has no data on it.
"""


def chromium_path() -> str:
    """Debian's chromium; without it the test cannot run (under CI the skip counts as a failure)."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip(f"no chromium on PATH: the browser test needs it; install it with `{INSTALL}`")
    return path


def checked_results(world: World, folder: Path) -> list[ClaimResult]:
    (folder / "cut_off.yaml").write_text(SCENARIO, encoding="utf-8")
    claim_path = folder / "browser_toy.yaml"
    claim_path.write_text(CLAIMS, encoding="utf-8")
    return check_claims(world, [load_claims(claim_path)], draws=0)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_evidence_page_renders_every_claim_in_chromium(small_world: World, tmp_path: Path) -> None:
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install "
                                   "-e '.[test]'")
    results = checked_results(small_world, tmp_path)
    assert [r.id for r in results] == ["T1", "T2", "T3"]
    assert results[2].verdict == NOT_MEASURABLE
    measured = [r for r in results if r.value is not None and r.threshold is not None]
    assert [r.id for r in measured] == ["T1", "T2"], [(r.id, r.verdict, r.reason) for r in results]
    page_path = write_evidence_page(results, tmp_path / "out" / "check-browser_toy.html", title="browser test")

    errors: list[str] = []
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)  # a loaded 2-core machine
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "about:", "blob:"))
                    else outside.append(r.url))
            page.goto(page_path.resolve().as_uri(), wait_until="load")

            # every claim: a visible section with its id in the heading and its verdict first in the facts
            sections = page.locator("section.claim")
            assert sections.count() == len(results)
            for r in results:
                section = page.locator(f'section.claim[id="claim-{r.id}"]')
                assert section.count() == 1 and section.is_visible(), f"claim {r.id}: no visible section"
                heading = section.locator("h2").inner_text()
                assert heading.startswith(f"{r.id}: ") and r.claim in heading
                assert section.locator("dt").first.inner_text() == "verdict"
                assert section.locator("dd").first.inner_text() == r.verdict
                assert section.locator("dd").first.is_visible()

            # the verdict table: one row per claim, in order, each linking to its section, with its verdict
            rows = page.locator("main > table > tbody > tr")
            assert rows.count() == len(results)
            for i, r in enumerate(results):
                cells = rows.nth(i).locator("td")
                assert cells.nth(0).inner_text() == r.id
                assert cells.nth(0).locator("a").get_attribute("href") == f"#claim-{r.id}"
                assert cells.nth(2).inner_text() == r.verdict

            # a chart for each measured claim, drawn by plotly as SVG with its two bars (value, threshold)
            assert page.evaluate("typeof window.Plotly") == "object", (
                "the page carries no plotly.js, so no chart is drawn: " + "; ".join(errors))
            for r in measured:
                chart = f'section.claim[id="claim-{r.id}"] [id="chart-{r.id}"]'
                try:
                    page.wait_for_selector(f"{chart} .main-svg", state="visible")
                except sync_api.TimeoutError:
                    pytest.fail(f"claim {r.id}: plotly drew no SVG chart; page errors: {'; '.join(errors) or 'none'}")
                assert page.locator(f"{chart} .main-svg").first.bounding_box() is not None
                assert page.locator(f"{chart} g.point").count() == 2, f"claim {r.id}: not two bars"
            assert page.locator(".plotly-graph-div").count() == len(measured)

            # JSON-LD: one ClaimReview per claim, in order
            blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
            reviews = [json.loads(b) for b in blocks]
            assert [x["@type"] for x in reviews] == ["ClaimReview"] * len(results)
            assert [x["claimReviewed"] for x in reviews] == [r.claim for r in results]
            assert all(x["@context"] == "https://schema.org" for x in reviews)

            shot = tmp_path / "evidence.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert not errors, "\n".join(errors)
    assert not outside, f"the page loaded from outside its file: {outside}"
    width, height = png_size(shot)
    assert shot.stat().st_size > 10_000 and width >= 1280 and height > 900
