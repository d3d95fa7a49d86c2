"""Scenario files: YAML validated by pydantic into frozen specs with a content hash.

A scenario names the shocks of a geopolitical shift. ``extends`` builds on another scenario (its shocks come
first, then this file's; settings set here win). Errors name the file, the line and the field, and suggest the
allowed values.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from geoshift.errors import ScenarioError
from geoshift.scenario.minerals import MineralShock
from geoshift.scenario.uncertainty import Distribution, UncertaintySettings, parse_uncertainty
from geoshift.scenario.yamlio import line_of, parse_yaml, path_text, read_text

Selector = str | list[str]
PERCENT_MAX = 1000.0
#: the one default year of country-group membership (NATO, EU27, ...) for every path: files, flags and the API
DEFAULT_GROUP_YEAR = 2024


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Pair(_Frozen):
    exporters: Selector
    importers: Selector
    sectors: Selector = "all"
    note: str = ""


class TradeCost(_Pair):
    """Iceberg trade costs between exporters and importers change by ``percent`` (both ways by default)."""

    kind: Literal["trade_cost"]
    percent: float = Field(gt=-100.0, le=PERCENT_MAX)
    both_ways: bool = True


class Tariff(_Pair):
    """Importers levy an ad valorem tariff of ``percent`` on goods from the exporters; they keep the revenue."""

    kind: Literal["tariff"]
    percent: float = Field(ge=0.0, le=PERCENT_MAX)
    both_ways: bool = False


class Embargo(_Pair):
    """Trade between exporters and importers stops (both ways by default)."""

    kind: Literal["embargo"]
    both_ways: bool = True


class SanctionsRelief(_Pair):
    """Undo earlier barriers (embargo, bloc, trade cost, tariff) on these cells, e.g. from an extended scenario."""

    kind: Literal["sanctions_relief"]
    both_ways: bool = True


class Bloc(_Frozen):
    """Trade costs rise by ``percent`` between any two different named blocs."""

    kind: Literal["bloc"]
    blocs: dict[str, Selector] = Field(min_length=2)
    sectors: Selector = "all"
    percent: float = Field(gt=-100.0, le=PERCENT_MAX)
    note: str = ""


Shock = Annotated[TradeCost | Tariff | Embargo | SanctionsRelief | Bloc, Field(discriminator="kind")]
#: the shock kinds, from the one union above: kind name -> its model
SHOCK_MODELS: dict[str, type[_Frozen]] = {get_args(model.model_fields["kind"].annotation)[0]: model
                                          for model in get_args(get_args(Shock)[0])}
SHOCK_KINDS = tuple(SHOCK_MODELS)


FuelName = Literal["crude", "products", "pipeline_gas", "lng", "coal"]


class EnergyClosure(_Frozen):
    """Buyers that stop buying the listed fuels from the exporter."""

    buyers: Selector
    fuels: list[FuelName] | Literal["all"] = "all"


class EnergyBound(_Frozen):
    """A cap (``max``) or contract floor (``min``) on a buyer's purchases of one fuel, in Mt or bcm per year."""

    buyers: Selector
    fuel: FuelName
    max: float | None = Field(default=None, ge=0.0)
    min: float | None = Field(default=None, ge=0.0)


class RouteOpening(_Frozen):
    """A planned or sanctioned route made available (optionally with a capacity, Mt or bcm per year)."""

    route: str
    start_year: int | None = Field(default=None, ge=1990, le=2100)
    capacity: float | None = Field(default=None, ge=0.0)


class EnergySettings(_Frozen):
    """The energy-rerouting part of a scenario. Closures are also derived from the scenario's embargoes on the
    exporter's energy sectors (B05 coal; B06 crude, gas, LNG; C19 products) unless ``from_trade_shocks`` is off."""

    exporter: str = "RUS"
    year: int | None = Field(default=None, ge=1995, le=2024)  # BACI year; default: the latest
    from_trade_shocks: bool = True
    closures: list[EnergyClosure] = []
    bounds: list[EnergyBound] = []
    openings: list[RouteOpening] = []
    close_routes: list[str] = []
    route_capacity: dict[str, Annotated[float, Field(ge=0.0)]] = {}
    price_change_pct: dict[FuelName, Annotated[float, Field(gt=-100.0, le=PERCENT_MAX)]] = {}
    supply_change_pct: dict[FuelName, Annotated[float, Field(ge=-100.0, le=PERCENT_MAX)]] = {}
    max_supplier_share: float = Field(default=0.5, gt=0.0, le=1.0)
    #: [[share bracket upper bound, discount], ...], e.g. [[0.1, 0.02], [0.25, 0.05], [0.5, 0.1], [1.0, 0.2]]
    discount: list[tuple[Annotated[float, Field(gt=0.0, le=1.0)],
                         Annotated[float, Field(ge=0.0, lt=1.0)]]] | None = None


class EngineSettings(_Frozen):
    model: Literal["multisector"] = "multisector"
    deficits: Literal["fixed", "removed"] = "fixed"
    tol: float = Field(default=1e-10, gt=0.0, le=1e-4)
    max_iter: int = Field(default=3000, ge=1, le=1_000_000)


class DataSettings(_Frozen):
    world: Literal["default"] = "default"
    group_year: int = Field(default=DEFAULT_GROUP_YEAR, ge=1949, le=2100)  # year of country-group membership


class Scenario(_Frozen):
    name: str = Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=80)
    description: str = ""
    extends: str | None = None
    data: DataSettings = DataSettings()
    engine: EngineSettings = EngineSettings()
    elasticities: dict[str, Annotated[float, Field(gt=0.0, le=1000.0)]] = {}
    energy: EnergySettings | None = None
    minerals: list[MineralShock] = []  # critical-minerals sourcing shocks (geoshift minerals --scenario)
    uncertainty: UncertaintySettings | None = None  # declared distributions (``uncertainty: default`` for theta)
    inherited_shocks: list[Shock] = []  # filled by ``extends``; not written in files
    shocks: list[Shock] = []
    comment: str = Field(default="", exclude=True)  # the file's leading comment block; not part of the hash
    source: str = Field(default="", exclude=True)  # the file it was read from; not part of the hash
    shock_origins: list[str] = Field(default=[], exclude=True)  # "file:line" of each of all_shocks, where known

    @field_validator("uncertainty", mode="before")
    @classmethod
    def _uncertainty_word(cls, value: Any) -> Any:
        return parse_uncertainty(value)

    @field_validator("shocks", mode="before")
    @classmethod
    def _shocks_are_a_list(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def all_shocks(self) -> list[Shock]:
        return [*self.inherited_shocks, *self.shocks]

    def origin(self, position: int) -> str:
        """Where shock ``position`` of ``all_shocks`` was written (``file:line``), or the scenario's file or name."""
        if 0 <= position < len(self.shock_origins) and self.shock_origins[position]:
            return self.shock_origins[position]
        return self.source or self.name

    def spec(self) -> dict[str, Any]:
        """The resolved spec as plain data (what the hash covers); no ``minerals`` key when there are none, so
        that the hashes of scenarios without mineral shocks stay what they were."""
        return self.model_dump(mode="json", exclude=set() if self.minerals else {"minerals"})

    def content_hash(self) -> str:
        payload = json.dumps(self.spec(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def to_file_yaml(self) -> str:
        """This scenario as a file that loads back to it: inherited shocks come again from ``extends``."""
        body = self.model_dump(mode="json", exclude={"inherited_shocks", "comment"} | (set() if self.minerals else
                                                                                      {"minerals"}), exclude_none=True)
        text = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
        return f"{self.comment}\n{text}" if self.comment else text

    def to_yaml(self) -> str:
        """The resolved spec as YAML, under the file's own leading comments."""
        body = yaml.safe_dump(self.spec(), sort_keys=False, allow_unicode=True)
        return f"{self.comment}\n{body}" if self.comment else body


# --- loading -------------------------------------------------------------------------------------------------

def explain_validation_error(error: Any, raw: Any) -> tuple[tuple[int | str, ...], str]:
    # drop pydantic's union-branch labels ("list[literal[...]]", shock kinds) from the location
    loc = tuple(k for k in error["loc"] if isinstance(k, int) or (k not in SHOCK_KINDS and "[" not in k))
    kind = error["type"]
    if kind == "extra_forbidden":
        field = str(loc[-1])
        parent = loc[:-1]
        allowed = _allowed_keys(parent, raw)
        hint = difflib.get_close_matches(field, allowed, n=1)
        return loc, (f"unknown key {field!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                     + f"; allowed: {', '.join(allowed)}")
    if kind == "union_tag_invalid":
        given = error.get("ctx", {}).get("tag", "?")
        hint = difflib.get_close_matches(str(given), SHOCK_KINDS, n=1)
        return (*loc, "kind"), (f"unknown shock kind {given!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                + f"; allowed: {', '.join(SHOCK_KINDS)}")
    if kind == "union_tag_not_found":
        return (*loc, "kind"), f"a shock needs a kind: one of {', '.join(SHOCK_KINDS)}"
    if kind == "value_error" and "ctx" in error:
        return loc, str(error["ctx"]["error"])
    if kind == "missing":
        return loc, f"missing required key {str(loc[-1])!r}"
    if kind == "float_parsing" and isinstance(error.get("input"), str) and error["input"].strip().endswith("%"):
        number = error["input"].strip().rstrip("%").strip()
        return loc, f"{error['input']!r} is not a number: write {number} (the field is already in percent)"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        return loc, f"{error['input']!r} is out of range: {error['msg'].lower()}"
    return loc, error["msg"]


def _allowed_keys(parent: tuple[int | str, ...], raw: Any) -> list[str]:
    model: type[BaseModel] = Scenario
    if parent and parent[0] in ("shocks", "inherited_shocks") and len(parent) >= 2:
        try:
            kind = raw["shocks"][parent[1]]["kind"]
        except (KeyError, IndexError, TypeError):
            kind = None
        model = SHOCK_MODELS.get(str(kind), TradeCost)
    elif parent and parent[0] == "engine":
        model = EngineSettings
    elif parent and parent[0] == "data":
        model = DataSettings
    elif parent and parent[0] == "minerals":
        model = MineralShock
    elif parent and parent[0] == "uncertainty":
        model = UncertaintySettings if len(parent) == 1 else Distribution
    elif parent and parent[0] == "energy":
        nested: dict[str, type[BaseModel]] = {"closures": EnergyClosure, "bounds": EnergyBound,
                                              "openings": RouteOpening}
        model = nested.get(str(parent[1]), EnergySettings) if len(parent) >= 2 else EnergySettings
    return [name for name in model.model_fields if name != "inherited_shocks"]


def _leading_comments(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario ``text`` (YAML) without resolving ``extends``."""
    raw, tree = parse_yaml(text, source)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{source}: a scenario is a YAML mapping with at least a 'name' key")
    for reserved in ("inherited_shocks", "comment", "source", "shock_origins"):
        if reserved in raw:
            raise ScenarioError(f"{source}: {reserved!r} is not a scenario key (document a scenario with # comments)")
    comment = "\n".join(line for line in _leading_comments(text))
    try:
        shocks = raw.get("shocks")
        count = len(shocks) if isinstance(shocks, list) else 0
        origins = [f"{source}:{line_of(tree, ('shocks', i))}" for i in range(count)]
        return Scenario.model_validate({**raw, "comment": comment, "source": source, "shock_origins": origins})
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a misspelt key first
        loc, message = explain_validation_error(errors[0], raw)
        line = line_of(tree, loc)
        where = f"{source}:{line}" if line is not None else source
        raise ScenarioError(f"{where}: {path_text(loc) or 'scenario'}: {message}") from None


def _find_parent(name: str, folder: Path) -> Path:
    from geoshift.scenario.shipped import shipped_dir

    for candidate in (folder / name, folder / f"{name}.yaml", shipped_dir() / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    known = sorted({p.stem for p in (*folder.glob("*.yaml"), *shipped_dir().glob("*.yaml"))})
    hint = difflib.get_close_matches(name, known, n=1)
    raise ScenarioError(f"extends {name!r}: no file {name}.yaml next to the scenario or among the shipped ones"
                        + (f" (did you mean {hint[0]!r}?)" if hint else "") + f"; known: {', '.join(known)}")


def load_scenario(path: str | Path, *, _seen: tuple[Path, ...] = ()) -> Scenario:
    """Load a scenario file and resolve ``extends`` (recursively; cycles are an error)."""
    path = Path(path)
    scenario = parse_scenario(read_text(path, "scenario"), str(path))
    if scenario.extends is None:
        return scenario
    parent_path = _find_parent(scenario.extends, path.parent)
    if parent_path.resolve() in _seen or parent_path.resolve() == path.resolve():
        raise ScenarioError(f"{path}: extends {scenario.extends!r} makes a cycle")
    return _merge(scenario, load_scenario(parent_path, _seen=(*_seen, path.resolve())))


def scenario_from_text(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario ``text`` (YAML; e.g. sent to the web API) and resolve ``extends`` among the shipped
    scenarios only: no file of the caller's choosing is ever read. Errors name ``source`` and the line."""
    from geoshift.scenario.shipped import shipped_dir

    scenario = parse_scenario(text, source)
    if scenario.extends is None:
        return scenario
    shipped = {p.stem: p for p in sorted(shipped_dir().glob("*.yaml"))}
    if scenario.extends not in shipped:
        line = next((n for n, row in enumerate(text.splitlines(), start=1) if re.match(r"^extends\s*:", row)), None)
        hint = difflib.get_close_matches(scenario.extends, list(shipped), n=1)
        raise ScenarioError(f"{source}{'' if line is None else f':{line}'}: extends {scenario.extends!r}: not a "
                            f"shipped scenario" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                            + f"; a scenario given as text may extend only these: {', '.join(shipped)}")
    return _merge(scenario, load_scenario(shipped[scenario.extends]))


def _merge(scenario: Scenario, parent: Scenario) -> Scenario:
    """``scenario`` on top of the ``parent`` it extends."""
    own = scenario.model_fields_set
    merged: dict[str, Any] = {}
    for name in Scenario.model_fields:  # every field: the child's where it sets it, else the parent's
        merged[name] = getattr(scenario if name in own else parent, name)
    merged.update(  # the fields whose merge is not "child wins"
        extends=parent.name,
        elasticities={**parent.elasticities, **scenario.elasticities},
        inherited_shocks=parent.all_shocks,
        shocks=scenario.shocks,
        comment=scenario.comment,
        source=scenario.source,
        shock_origins=[parent.origin(i) for i in range(len(parent.all_shocks))] + scenario.shock_origins,
    )
    return Scenario(**merged)
