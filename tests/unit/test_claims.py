"""Claims -> verdicts: the verdict rules on toy propositions, the flip search on a toy model with a known breakpoint,
claim-file bad input as one-line errors, and the ClaimReview JSON-LD fields."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geoshift.claims.check import ClaimResult, check_claims
from geoshift.claims.spec import load_claims, parse_claims
from geoshift.claims.verdict import (
    DEPENDS,
    NOT_SUPPORTED,
    SUPPORTED,
    find_flip,
    holds,
    likelihood,
    share_holding,
    verdict,
)
from geoshift.errors import ScenarioError
from geoshift.report.claims import claim_review, render_evidence_page
from geoshift.scenario.shipped import shipped_claims
from geoshift.world import World


@pytest.mark.parametrize(("value", "compare", "threshold", "expected"), [
    (5.0, ">=", 5.0, True), (4.9, ">=", 5.0, False), (5.0, ">", 5.0, False), (-5.0, "<=", -5.0, True),
    (-4.0, "<=", -5.0, False), (-5.1, "<", -5.0, True), (1.0, "==", 1.0, True), (2.0, "==", 1.0, False),
])
def test_comparisons_both_directions_and_ties(value: float, compare: str, threshold: float, expected: bool) -> None:
    assert holds(value, compare, threshold) is expected


def test_verdict_rules() -> None:
    assert verdict(True, None) == SUPPORTED and verdict(False, None) == NOT_SUPPORTED
    assert verdict(True, 1.0) == SUPPORTED and verdict(False, 0.0) == NOT_SUPPORTED  # all draws hold / none hold
    assert verdict(True, 0.9) == SUPPORTED and verdict(True, 0.89) == DEPENDS
    assert verdict(False, 0.1) == NOT_SUPPORTED and verdict(False, 0.11) == DEPENDS
    assert verdict(True, 0.05) == DEPENDS  # the central value and the draws disagree


@pytest.mark.parametrize(("share", "words"), [
    (1.0, "virtually certain"), (0.99, "virtually certain"), (0.95, "very likely"), (0.7, "likely"),
    (0.5, "about as likely as not"), (0.2, "unlikely"), (0.05, "very unlikely"), (0.0, "exceptionally unlikely"),
])
def test_ipcc_likelihood_scale(share: float, words: str) -> None:
    assert likelihood(share) == words


def test_share_of_draws_holding() -> None:
    assert share_holding(np.array([-6.0, -4.0, -5.0, -7.0]), "<=", -5.0) == 0.75


def test_flip_search_finds_a_known_breakpoint() -> None:
    """y = 2 x - 3 >= 0 holds from x = 1.5: the search over [0, 10] around the centre 4 finds it to 1e-3 of the
    range; a monotone test that never changes does not flip."""
    point = find_flip(lambda x: 2 * x - 3 >= 0, "x", 0.0, 10.0, central=4.0)
    assert point.at == pytest.approx(1.5, abs=1e-2) and point.evaluations <= 24
    assert point.words().startswith("flips at x = 1.49") or point.words().startswith("flips at x = 1.50")
    never = find_flip(lambda x: True, "x", 0.0, 10.0, central=4.0)
    assert never.at is None and "does not flip" in never.words()


GOOD = """\
name: toy
sources: {op: {title: An op-ed, outlet: A paper, url: https://example.org/op}}
claims:
  - id: T1
    source: op
    claim: China is Russia's largest trading partner.
    proposition:
      measure: {kind: partner, country: RUS, partner: CHN, source: icio, flow: trade, stat: rank}
      compare: "=="
      threshold: 1
      unit: rank
      why: first by total trade
"""


@pytest.mark.parametrize(("edit", "message"), [
    (("kind: partner", "kind: partnr"), r"toy\.yaml:8: claims\[0\]\.proposition\.measure\.kind"),
    (("      threshold: 1\n", ""), r"toy\.yaml:\d+: claims\[0\]\.proposition\.threshold: missing required key"),
    (("unit: rank", "unit: '%'"), r"toy\.yaml:\d+: claims\[0\]\.proposition: unit '%' does not fit a partner "
                                  r"measure; use one of rank, share, USD"),
    (("source: op\n", "source: oped\n"), r"toy\.yaml:1: claims: claims cite unknown source\(s\) oped"),
    (("compare: \"==\"", "compare: \"=>\""), r"toy\.yaml:\d+: claims\[0\]\.proposition\.compare"),
])
def test_bad_claim_files_are_one_line_errors(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_claims(GOOD.replace(*edit), "toy.yaml")


def test_unknown_scenario_and_country_are_named(small_world: World, tmp_path: Path) -> None:
    text = GOOD.replace("{kind: partner, country: RUS, partner: CHN, source: icio, flow: trade, stat: rank}",
                        "{kind: run_metric, scenario: no_such_scenario, metric: real_income_change_pct, "
                        "country: RUS}").replace("unit: rank", "unit: '%'")
    path = tmp_path / "toy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"toy\.yaml: scenario 'no_such_scenario': no file"):
        check_claims(small_world, [load_claims(path)], draws=0)


def test_shipped_claim_files_validate_and_cover_every_claim() -> None:
    files = [load_claims(p) for p in shipped_claims()]
    ids = [c.id for f in files for c in f.claims]
    assert {f"R{i}" for i in range(1, 12)} <= set(ids) and {"P12", "P13", "P14"} <= set(ids)
    assert all(c.proposition is not None or c.reason for f in files for c in f.claims)


def test_claim_review_fields_and_the_evidence_page() -> None:
    r = ClaimResult(file="toy", id="T1", claim="China is Russia's largest trading partner.", where="toy.yaml:4",
                    verdict=SUPPORTED, value=1.0, unit="rank", compare="==", threshold=1.0, why="first by trade",
                    source={"title": "An op-ed", "outlet": "A paper", "url": "https://example.org/op"})
    review = claim_review(r, published="2026-11-29")
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == r.claim and review["datePublished"] == "2026-11-29"
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (5, 5, 1)
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.org/op"
    assert review["author"] == {"@type": "Organization", "name": "geoshift"}
    unrated = claim_review(ClaimResult(file="t", id="T2", claim="c", where="t", verdict="needs data"))
    assert "ratingValue" not in unrated["reviewRating"]
    page = render_evidence_page([r])
    assert '<section id="claim-T1"' in page and "application/ld+json" in page
    embedded = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert json.loads(embedded.replace("<\\/", "</"))["claimReviewed"] == r.claim
