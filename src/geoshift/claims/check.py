"""Check claim files: every proposition measured through the one runner, compared with its threshold, its
likelihood over the ensemble's draws, and the parameter value at which its verdict flips."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from geoshift.claims.measures import Context, Evidence, NeedsData, evaluate
from geoshift.claims.spec import Claim, ClaimFile
from geoshift.claims.verdict import (
    NEEDS_DATA,
    NOT_MEASURABLE,
    FlipPoint,
    find_flip,
    holds,
    likelihood,
    share_holding,
    verdict,
)
from geoshift.results.run import Runner
from geoshift.world import World


@dataclass(frozen=True)
class ClaimResult:
    file: str
    id: str
    claim: str
    where: str  # file:line
    verdict: str
    value: float | None = None
    unit: str = ""
    compare: str = ""
    threshold: float | None = None
    why: str = ""
    detail: str = ""
    share: float | None = None  # share of draws in which the proposition holds
    draws: int = 0
    likelihood: str = ""
    flip: str = ""
    flip_at: float | None = None
    flip_parameter: str = ""
    reason: str = ""
    assumption: str = ""
    source: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    scenario_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sources"], out["runs"] = list(self.sources), list(self.runs)
        return out


def _flip(evidence: Evidence, claim: Claim, search: bool) -> tuple[str, FlipPoint | None]:
    """The first parameter (declared, or the evidence's candidates in order) at which the verdict flips."""
    p = claim.proposition
    assert p is not None
    candidates = list(evidence.flips)
    if p.flip is not None:
        known = {name: (low, high, central) for name, low, high, central in evidence.flips}
        low, high, central = known.get(p.flip.parameter, (0.0, 1.0, None))
        candidates = [(p.flip.parameter, p.flip.low if p.flip.low is not None else low,
                       p.flip.high if p.flip.high is not None else high, central)]
    at = evidence.at
    if at is None or not candidates or not (search or p.flip is not None):
        return (f"a data fact: no model parameter moves it; it flips only if the threshold passes "
                f"{evidence.value:.4g}", None)
    tried = []
    for parameter, low, high, central in candidates:
        def test(value: float, name: str = parameter) -> bool:
            return holds(at(name, value), p.compare, p.threshold)

        point = find_flip(test, parameter, low, high, central=central)
        if point.at is not None:
            return point.words(), point
        tried.append(f"{parameter} [{low:.4g}, {high:.4g}]")
    return f"does not flip for {'; '.join(tried)} (each alone, the others at their values)", None


def check_claim(ctx: Context, claim_file: ClaimFile, claim: Claim, *, flip: bool = True) -> ClaimResult:
    source = claim_file.sources[claim.source].model_dump() if claim.source in claim_file.sources else {}
    base: dict[str, Any] = {"file": claim_file.name, "id": claim.id, "claim": claim.claim,
                            "where": claim_file.where(claim.id), "reason": claim.reason,
                            "assumption": claim.assumption, "source": source}
    if claim.status == "not_measurable":
        return ClaimResult(verdict=NOT_MEASURABLE, **base)
    if claim.status == "needs_data":
        return ClaimResult(verdict=NEEDS_DATA, **base)
    p = claim.proposition
    assert p is not None
    try:
        evidence = evaluate(ctx, p.measure)
    except NeedsData as exc:
        return ClaimResult(verdict=NEEDS_DATA, **{**base, "reason": f"{claim.reason} {exc}".strip()})
    central = holds(evidence.value, p.compare, p.threshold)
    share = share_holding(evidence.draws, p.compare, p.threshold) if evidence.draws is not None else None
    words, point = _flip(evidence, claim, flip)
    return ClaimResult(
        verdict=verdict(central, share), value=evidence.value, unit=p.unit, compare=p.compare,
        threshold=p.threshold, why=p.why, detail=evidence.detail, share=share,
        draws=0 if evidence.draws is None else len(evidence.draws),
        likelihood="" if share is None or math.isnan(share) else likelihood(share), flip=words,
        flip_at=None if point is None else point.at, flip_parameter="" if point is None else point.parameter,
        sources=evidence.sources, runs=evidence.runs, scenario_text=evidence.scenario_text, **base)


def check_claims(world: World, files: Sequence[ClaimFile], *, runner: Runner | None = None, draws: int | None = None,
                 flip: bool = True, progress: Callable[[str], None] | None = None) -> list[ClaimResult]:
    """Every claim of every file, in order."""
    runner = runner or Runner(world, draws=draws)
    out = []
    for claim_file in files:
        ctx = Context(world, runner, claim_file, draws=draws)
        for claim in claim_file.claims:
            if progress is not None:
                progress(f"{claim_file.name}: {claim.id}")
            out.append(check_claim(ctx, claim_file, claim, flip=flip))
    return out


