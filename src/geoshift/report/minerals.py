"""The critical-minerals section of an HTML report: the GeoPolRisk table of one country and year (highest score
first), what each column means, the materials left out and why, and the scenario's sourcing shocks before and
after."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from geoshift.engines.minerals.risk import (
    CU_REFERENCE_CF,
    MISSING_INSTABILITY,
    RiskTable,
    ShockOutcome,
    SupplyRisk,
)
from geoshift.report.html import text_table

COLUMNS = ("material", "HHI", "import risk", "score", "CF (kg Cu-eq/kg)", "price (US$/kg)", "imports (t)",
           "Russia: production", "China: production", "Russia: imports", "China: imports", "Russia could cover")
SHOCK_COLUMNS = ("material", "shock", "tonnes moved", "shortfall (t)", "import risk", "score", "CF (kg Cu-eq/kg)",
                 "Russia: imports", "China: imports", "notes")


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None or math.isnan(value) else escape(fmt.format(value))


def _pct(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.1f} %"


def _tonnes(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def _row(r: SupplyRisk) -> list[str]:
    return [escape(r.material.replace("_", " ")), f"{r.hhi:.3f}", f"{r.import_risk:.3f}", f"{r.score:.4f}",
            _num(r.characterisation_factor, "{:,.4g}"), _num(r.price, "{:,.4g}"), _tonnes(r.imports_t),
            _pct(r.russia_production_share), _pct(r.china_production_share), _pct(r.russia_import_share),
            _pct(r.china_import_share), _pct(r.russia_coverage)]


def _shock_row(o: ShockOutcome) -> list[str]:
    b, a, r = o.before, o.after, o.reallocation
    notes = [*r.notes, *(f"at its cap: {s}" for s in r.capped)]
    return [escape(o.material.replace("_", " ")), escape(o.text.split(": ", 1)[-1]),
            _tonnes(r.moved_t + r.displaced_t), _tonnes(r.shortfall_t),
            f"{b.import_risk:.3f} → {a.import_risk:.3f}", f"{b.score:.4f} → {a.score:.4f}",
            f"{_num(b.characterisation_factor, '{:,.4g}')} → {_num(a.characterisation_factor, '{:,.4g}')}",
            f"{_pct(b.russia_import_share)} → {_pct(a.russia_import_share)}",
            f"{_pct(b.china_import_share)} → {_pct(a.china_import_share)}",
            escape("; ".join(notes))]


def render_minerals_section(table: RiskTable, outcomes: Sequence[ShockOutcome] = (), *,
                            top: int | None = None) -> str:
    """HTML (a fragment, no ``<section>`` wrapper) for ``table`` (its ``top`` rows, default all) and the scenario's
    sourcing-shock ``outcomes``."""
    rows = table.risks if top is None else table.risks[:top]
    parts = [f"<p>{escape(table.country)}, {table.year}: GeoPolRisk supply risk of {len(table.risks)} raw "
             f"materials, highest score first.</p>",
             text_table(COLUMNS, (_row(r) for r in rows))]
    definitions = [
        ("HHI", "concentration of world mine production (World Mining Data): the producing countries' squared "
                "shares, summed (0-1)"),
        ("import risk", "each supplier's tonnes times its political instability, summed, over the country's own "
                        "mine production plus its imports (0-1)"),
        ("political instability", f"the WGI political-stability estimate PV rescaled to (2.5 − PV) / 5, clipped to "
                                  f"0 (stable) … 1; {MISSING_INSTABILITY} where a supplier has no score; 0 for the "
                                  f"country itself"),
        ("score", "HHI × import risk (0-1)"),
        ("CF", f"characterisation factor: score × price / {CU_REFERENCE_CF} (copper's average factor), kg Cu-eq "
               f"per kg"),
        ("price", "the country's average import unit value (BACI rows that report tonnes), US$ per kg"),
        ("Russia / China: production", "share of world mine production"),
        ("Russia / China: imports", "share of the country's imports, by tonnes"),
        ("Russia could cover", "Russia's exports of the material's HS6 codes to all countries over the country's "
                               "imports, at most 100 %"),
    ]
    parts.append("<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in definitions) + "</dl>")
    if table.skipped:
        parts.append("<p>Not computed:</p><ul>" + "".join(f"<li>{escape(m)}: {escape(why)}</li>"
                                                        for m, why in table.skipped) + "</ul>")
    if outcomes:
        parts.append("<h3>Sourcing shocks (before → after)</h3>")
        parts.append(text_table(SHOCK_COLUMNS, (_shock_row(o) for o in outcomes)))
        parts.append("<p>A closed supplier's tonnes go to the remaining suppliers in proportion to their world "
                     "exports of the product, none beyond the larger of its mine production and its world exports; "
                     "an opened supplier takes the stated share of the country's purchases, displacing the others "
                     "in proportion. World production, and so the HHI, does not change.</p>")
    return "\n".join(parts)
