"""Claim files (``claims/*.yaml``): each claim in words, its source, and either a proposition (what is measured,
compared with which threshold in which unit, and why that threshold) or a declaration that it is not measurable
or needs data, with where the assumption lives. Validated like scenarios: one-line errors with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from geoshift.errors import ScenarioError
from geoshift.scenario.spec import explain_validation_error
from geoshift.scenario.yamlio import line_of, parse_yaml, path_text, read_text

Comparison = Literal[">=", "<=", ">", "<", "=="]
#: measure kinds, as data: kind -> the unit(s) its value can carry
MEASURE_UNITS: dict[str, tuple[str, ...]] = {
    "partner": ("rank", "share", "USD"),
    "run_metric": ("%", "share", "USD", "RUB trn", "percentage points"),
    "game": ("indicator", "% real income"),
    "centrality": ("rank", "rank change", "score"),
    "minerals": ("score", "share", "score change"),
    "alignment": ("ideal-point distance", "volatility ratio"),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    title: str
    outlet: str = ""
    url: str = ""
    date: str = ""


class Measure(_Frozen):
    """What is measured. ``kind`` picks the evaluator (``geoshift.claims.measures.MEASURES``); the other keys are
    its arguments (country, partner, scenario, metric, game, ...)."""

    kind: Literal["partner", "run_metric", "game", "centrality", "minerals", "alignment"]
    country: str = ""
    partner: str = ""
    sector: str = ""
    source: Literal["icio", "baci"] = "icio"
    year: int | None = None
    group: str = "all"
    flow: Literal["exports", "imports", "trade"] = "trade"
    stat: str = ""
    scenario: str = ""
    minus_scenario: str = ""  # the measure is the difference scenario - minus_scenario
    minus_country: str = ""  # the measure is the difference country - minus_country (same run)
    metric: str = ""
    game: str = ""
    set: dict[str, float] = {}
    measure: str = ""  # centrality measure, e.g. pagerank
    material: str = ""


class Flip(_Frozen):
    """The parameter searched for the value at which the verdict changes."""

    parameter: str  # theta.SECTOR (a scenario's elasticity) or a game parameter
    low: float | None = None  # default: the published (or declared) range
    high: float | None = None


class Proposition(_Frozen):
    measure: Measure
    compare: Comparison
    threshold: float
    unit: str
    why: str = Field(min_length=1)  # why this threshold, in words
    flip: Flip | None = None

    @model_validator(mode="after")
    def _unit_fits(self) -> Proposition:
        allowed = MEASURE_UNITS[self.measure.kind]
        if self.unit not in allowed:
            raise ValueError(f"unit {self.unit!r} does not fit a {self.measure.kind} measure; use one of "
                             f"{', '.join(allowed)}")
        return self


class Claim(_Frozen):
    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    claim: str = Field(min_length=1)
    source: str = ""  # a key of the file's sources
    status: Literal["testable", "not_measurable", "needs_data"] = "testable"
    proposition: Proposition | None = None
    reason: str = ""  # for not measurable / needs data: why, and which data (where to get it)
    assumption: str = ""  # where the assumption lives in the model (e.g. games/detente.yaml: usa_presence_cost)

    @model_validator(mode="after")
    def _complete(self) -> Claim:
        if self.status == "testable" and self.proposition is None:
            raise ValueError("a testable claim needs a proposition (measure, compare, threshold, unit, why)")
        if self.status != "testable" and not self.reason:
            raise ValueError(f"a {self.status.replace('_', ' ')} claim needs a reason")
        return self


class ClaimFile(_Frozen):
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$")
    description: str = ""
    sources: dict[str, Source] = {}
    claims: list[Claim] = Field(min_length=1)
    path: str = Field(default="", exclude=True)
    lines: dict[str, int] = Field(default={}, exclude=True)  # claim id -> line in the file

    @model_validator(mode="after")
    def _ids_and_sources(self) -> ClaimFile:
        ids = [c.id for c in self.claims]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"claim ids must be unique; repeated: {', '.join(repeated)}")
        unknown = sorted({c.source for c in self.claims if c.source and c.source not in self.sources})
        if unknown:
            raise ValueError(f"claims cite unknown source(s) {', '.join(unknown)}; sources: "
                             f"{', '.join(self.sources) or 'none'}")
        return self

    def where(self, claim_id: str) -> str:
        line = self.lines.get(claim_id)
        return f"{self.path}:{line}" if line else self.path or self.name


def parse_claims(text: str, source: str) -> ClaimFile:
    raw, tree = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{source}: a claim file is a YAML mapping with name and claims")
    lines: dict[str, int] = {}
    claims = raw.get("claims")
    if isinstance(claims, list):
        for i, c in enumerate(claims):
            if isinstance(c, dict) and "id" in c:
                lines[str(c["id"])] = line_of(tree, ("claims", i)) or 0
    try:
        return ClaimFile.model_validate({**raw, "path": source, "lines": lines})
    except ValidationError as exc:
        error = exc.errors()[0]
        loc, message = explain_validation_error(error, raw)
        where = line_of(tree, loc)
        raise ScenarioError(f"{source}{f':{where}' if where else ''}: {path_text(loc) or 'claims'}: "
                            f"{message}") from None


def load_claims(path: str | Path) -> ClaimFile:
    """Read and validate a claim file."""
    return parse_claims(read_text(Path(path), "claim"), str(path))


def reference_path(claim_file: ClaimFile, name: str, kind: str = "scenarios") -> Path | None:
    """A file a claim names: a path, a file next to the claim file, or a shipped one of ``kind`` (scenarios, games)
    by name."""
    from geoshift.scenario.shipped import shipped_folder

    folder = Path(claim_file.path).parent if claim_file.path else Path()
    for candidate in (Path(name), folder / name, folder / f"{name}.yaml", shipped_folder(kind) / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    return None


