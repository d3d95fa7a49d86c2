"""The evidence page of ``geoshift check``: the verdict table first, then one section per claim with its number
against the threshold, the likelihood over the draws, what flips it, the sources and years, the scenario text and
run ids, and the assumptions; plus schema.org ``ClaimReview`` JSON-LD for each claim."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import plotly.graph_objects as go  # type: ignore[import-untyped]
from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

from geoshift.claims.check import ClaimResult
from geoshift.claims.verdict import DEPENDS, NEEDS_DATA, NOT_MEASURABLE, NOT_SUPPORTED, SUPPORTED
from geoshift.report.html import CSS, text_table, write_html

#: verdict -> (rating value on a 1-5 scale, or None where the claim is not rated, rating words)
RATING: dict[str, tuple[int | None, str]] = {
    SUPPORTED: (5, "Supported by the evidence"), DEPENDS: (3, "Depends on an uncertain assumption"),
    NOT_SUPPORTED: (1, "Not supported by the evidence"), NOT_MEASURABLE: (None, "Not measurable"),
    NEEDS_DATA: (None, "Needs data"),
}
COLOUR = {SUPPORTED: "#1b7f3b", NOT_SUPPORTED: "#b42318", DEPENDS: "#b54708", NOT_MEASURABLE: "#52606d",
          NEEDS_DATA: "#52606d"}


def _number(r: ClaimResult) -> str:
    if r.value is None:
        return "–"
    return f"{r.value:.4g} {r.unit} (threshold {r.compare} {r.threshold:.4g})"


def claim_review(r: ClaimResult, *, published: str | None = None) -> dict[str, Any]:
    """A schema.org ClaimReview for one checked claim (the rating maps the verdict onto 1-5; unrated verdicts carry
    only their words)."""
    value, words = RATING[r.verdict]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": words}
    if value is not None:
        rating.update({"ratingValue": value, "bestRating": 5, "worstRating": 1})
    item: dict[str, Any] = {"@type": "Claim", "appearance": {"@type": "CreativeWork",
                                                             "headline": r.source.get("title", ""),
                                                             **({"url": r.source["url"]} if r.source.get("url")
                                                                else {})}}
    if r.source.get("outlet"):
        item["author"] = {"@type": "Organization", "name": r.source["outlet"]}
    body = " ".join(x for x in (r.detail, _number(r) if r.value is not None else "", r.why, r.flip, r.reason) if x)
    return {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": r.claim,
            "itemReviewed": item, "author": {"@type": "Organization", "name": "geoshift"},
            "reviewRating": rating, "reviewBody": body,
            "datePublished": published or datetime.now(UTC).date().isoformat()}


def _chart(r: ClaimResult, draws: Sequence[float] | None) -> str:
    if r.value is None or r.threshold is None:
        return ""
    fig = go.Figure(go.Bar(x=["value", "threshold"], y=[r.value, r.threshold],
                           marker_color=[COLOUR.get(r.verdict, "#52606d"), "#9aa5b1"],
                           hovertemplate="%{x}: %{y:.4g}<extra></extra>"))
    fig.update_layout(template="plotly_white", height=260, margin={"l": 50, "r": 10, "t": 30, "b": 30},
                      title=f"{escape(r.id)}: the measure against its threshold ({escape(r.unit)})")
    return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False},
                           div_id=f"chart-{r.id}"))


def render_evidence_page(results: Sequence[ClaimResult], *, title: str = "geoshift check") -> str:
    summary = [[f'<a href="#claim-{escape(r.id)}">{escape(r.id)}</a>', escape(r.claim),
                f'<b style="color:{COLOUR.get(r.verdict, "#000")}">{escape(r.verdict)}</b>',
                escape(r.likelihood or "–"), escape(_number(r)), escape(r.flip or r.reason)] for r in results]
    sections = []
    for r in results:
        held = (f"{r.likelihood} ({100 * r.share:.0f} % of {r.draws} draws hold)" if r.share is not None and r.draws
                else "no draws (central value only)")
        facts = [("verdict", r.verdict), ("likelihood", held),
                 ("measure", r.detail or "–"), ("number", _number(r)), ("why this threshold", r.why or "–"),
                 ("what flips it", r.flip or "–"), ("reason", r.reason or "–"),
                 ("assumption in the model", r.assumption or "–"), ("data sources", "; ".join(r.sources) or "–"),
                 ("stored runs", ", ".join(r.runs) or "–"), ("claim made in", " — ".join(
                     x for x in (r.source.get("title", ""), r.source.get("outlet", ""), r.source.get("url", "")) if x)
                  or "–"), ("claim file", r.where)]
        rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in facts)
        scenario = (f"<details><summary>scenario text</summary><pre>{escape(r.scenario_text)}</pre></details>"
                    if r.scenario_text else "")
        jsonld = json.dumps(claim_review(r), ensure_ascii=False).replace("</", "<\\/")
        sections.append(f'<section id="claim-{escape(r.id)}" class="claim"><h2>{escape(r.id)}: {escape(r.claim)}</h2>'
                        f"<dl>{rows}</dl>{_chart(r, None)}{scenario}"
                        f'<script type="application/ld+json">{jsonld}</script></section>')
    plotly_js = f"<script>{get_plotlyjs()}</script>"  # inline: the page opens offline
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{CSS}</style>{plotly_js}</head><body><main><h1>{escape(title)}</h1>"
            '<p class="note">Each claim in words, the proposition geoshift tests, the verdict (supported, not '
            "supported, depends, not measurable, needs data), its likelihood over the ensemble's draws on the IPCC "
            "scale, and the value of a parameter at which the verdict would flip.</p>"
            + text_table(["claim", "in words", "verdict", "likelihood", "number", "what flips it / why not tested"],
                         summary)
            + "".join(sections) + "</main></body></html>\n")


def write_evidence_page(results: Sequence[ClaimResult], path: Path, *, title: str = "geoshift check") -> Path:
    return write_html(render_evidence_page(results, title=title), path)
