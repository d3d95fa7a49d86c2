"""Quick command-line shocks as a scenario: ``geoshift ge --embargo RUS:NATO`` is sugar for a scenario file, so it
runs through the same runner, group-membership year and metrics as ``geoshift run`` (``--print-scenario`` shows
the file it stands for)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from geoshift.errors import InputError
from geoshift.scenario.spec import DataSettings, Scenario

QUICK_NAME = "ge_quick"


def parse_pair(text: str, option: str) -> tuple[list[str], list[str]]:
    """``'RUS:USA,EU27'`` -> (``['RUS']``, ``['USA', 'EU27']``)."""
    if text.count(":") != 1 or not all(part.strip() for part in text.split(":")):
        raise InputError(f"{option} {text!r} must look like SIDE_A:SIDE_B, e.g. RUS:USA,EU27")
    a, b = text.split(":")
    return [x.strip() for x in a.split(",") if x.strip()], [x.strip() for x in b.split(",") if x.strip()]


def parse_cost(text: str) -> tuple[list[str], list[str], float]:
    """``'CHN:USA=25'`` -> (``['CHN']``, ``['USA']``, 25.0)."""
    pair, _, pct = text.partition("=")
    try:
        change = float(pct.strip().rstrip("%"))
    except ValueError:
        raise InputError(f"--trade-cost {text!r} must end in =PCT, e.g. CHN:USA=25") from None
    if change <= -100:
        raise InputError(f"--trade-cost {text!r}: a change of {change:g}% would make trade costs <= 0; use > -100")
    a, b = parse_pair(pair, "--trade-cost")
    return a, b, change


def quick_scenario(*, embargo: Sequence[str] = (), cost: Sequence[str] = (), sectors: str = "all",
                   one_way: bool = False, theta: Mapping[str, float] | None = None, deficits: str = "fixed",
                   group_year: int | None = None, name: str = QUICK_NAME) -> Scenario:
    """The scenario that the quick flags describe (embargoes first, then trade-cost changes, in the given order)."""
    if not embargo and not cost:
        raise InputError("give at least one --embargo SIDE_A:SIDE_B or --trade-cost SIDE_A:SIDE_B=PCT")
    if deficits not in ("fixed", "removed"):
        raise InputError(f"--deficits {deficits!r} must be fixed or removed")
    picked = [s.strip() for s in sectors.split(",") if s.strip()] or ["all"]
    shocks: list[dict[str, Any]] = []
    for item in embargo:
        a, b = parse_pair(item, "--embargo")
        shocks.append({"kind": "embargo", "exporters": a, "importers": b, "sectors": picked,
                       "both_ways": not one_way})
    for item in cost:
        a, b, change = parse_cost(item)
        shocks.append({"kind": "trade_cost", "exporters": a, "importers": b, "sectors": picked,
                       "percent": change, "both_ways": not one_way})
    for sector, value in (theta or {}).items():
        if not value > 0:
            raise InputError(f"--elasticity {sector}={value:g}: an elasticity must be > 0")
    described = "; ".join([*(f"embargo {e}" for e in embargo), *(f"trade costs {c} %" for c in cost)])
    raw = {"name": name, "description": f"geoshift ge: {described} ({'one way' if one_way else 'both ways'}, "
                                        f"sectors {', '.join(picked)})",
           "data": {"group_year": group_year if group_year is not None else DataSettings().group_year},
           "engine": {"deficits": deficits}, "elasticities": dict(theta or {}), "shocks": shocks}
    try:
        return Scenario.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"geoshift ge: {where}: {first['msg']}") from None
