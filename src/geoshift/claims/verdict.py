"""Verdict rules, as pure functions: does a value meet its threshold, how likely is the proposition over an
ensemble's draws (the IPCC calibrated-language scale), and where does the verdict flip (bracketing search)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t, ">": lambda v, t: v > t, "<": lambda v, t: v < t,
    "==": lambda v, t: abs(v - t) <= 1e-9 * max(1.0, abs(t)),
}
#: IPCC AR5/AR6 likelihood scale: the narrowest band that holds the share of draws, as (lower bound, words)
LIKELIHOOD = ((0.99, "virtually certain"), (0.90, "very likely"), (0.66, "likely"), (0.33, "about as likely as not"),
              (0.10, "unlikely"), (0.01, "very unlikely"), (0.0, "exceptionally unlikely"))
SUPPORTED, NOT_SUPPORTED, DEPENDS = "supported", "not supported", "depends"
NOT_MEASURABLE, NEEDS_DATA = "not measurable", "needs data"
ROBUST = 0.9  # a verdict needs the central value and at least this share of draws on the same side


def holds(value: float, compare: str, threshold: float) -> bool:
    return bool(COMPARE[compare](value, threshold))


def share_holding(draws: np.ndarray, compare: str, threshold: float) -> float:
    """Share of draws in which the proposition holds."""
    return float(np.mean([holds(float(v), compare, threshold) for v in draws])) if len(draws) else float("nan")


def likelihood(share: float) -> str:
    """The IPCC words for a probability (here: the share of draws in which the proposition holds)."""
    for lower, words in LIKELIHOOD:
        if share >= lower:
            return words
    return LIKELIHOOD[-1][1]


def verdict(central_holds: bool, share: float | None) -> str:
    """Supported / not supported when the central value and (with draws) at least ROBUST of the draws agree;
    depends otherwise."""
    if share is None or np.isnan(share):
        return SUPPORTED if central_holds else NOT_SUPPORTED
    if central_holds and share >= ROBUST - 1e-12:
        return SUPPORTED
    if not central_holds and 1.0 - share >= ROBUST - 1e-12:
        return NOT_SUPPORTED
    return DEPENDS


@dataclass(frozen=True)
class FlipPoint:
    parameter: str
    low: float
    high: float
    at: float | None  # the value at which the verdict changes, None if it does not within [low, high]
    evaluations: int

    def words(self) -> str:
        if self.at is None:
            return f"does not flip for {self.parameter} in [{self.low:.4g}, {self.high:.4g}]"
        return f"flips at {self.parameter} = {self.at:.4g} (searched [{self.low:.4g}, {self.high:.4g}])"


def find_flip(test: Callable[[float], bool], parameter: str, low: float, high: float, *, central: float | None = None,
              rtol: float = 1e-3, max_evaluations: int = 24) -> FlipPoint:
    """The parameter value where ``test`` (does the proposition hold at this value?) changes, by bracketing: the
    range ends (and the central value) are evaluated; where two neighbours disagree, bisection narrows the bracket
    to ``rtol`` of the range. Assumes at most one change between neighbours; reports the one nearest the centre."""
    points = sorted({low, high} | ({central} if central is not None and low < central < high else set()))
    results = {p: test(p) for p in points}
    evaluations = len(points)
    brackets = [(a, b) for a, b in pairwise(points) if results[a] != results[b]]
    if not brackets:
        return FlipPoint(parameter, low, high, None, evaluations)
    pivot = central if central is not None else (low + high) / 2.0
    a, b = min(brackets, key=lambda ab: min(abs(ab[0] - pivot), abs(ab[1] - pivot)))
    left = results[a]
    while b - a > rtol * (high - low) and evaluations < max_evaluations:
        mid = (a + b) / 2.0
        evaluations += 1
        if test(mid) == left:
            a = mid
        else:
            b = mid
    return FlipPoint(parameter, low, high, (a + b) / 2.0, evaluations)
