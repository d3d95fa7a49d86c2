"""The HTTP API's request and response bodies (pydantic). Requests forbid unknown fields: a misspelt option is a
422 naming it, never silently ignored. Payloads that the library already builds as dicts (a profile, an engine's
result) are passed through as JSON objects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

NAME_PATTERN = r"^[A-Za-z0-9_.\-]+$"
#: a scenario or game file is a few KiB; the body limit (Limits.max_body_bytes) caps it in bytes as well
MAX_TEXT = 200_000


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioText(Request):
    yaml: str = Field(max_length=MAX_TEXT, description="Scenario YAML text, as in a scenario file.")


class ScenarioChoice(Request):
    """A scenario given as YAML text or as the name of a shipped scenario (exactly one of the two)."""

    yaml: str | None = Field(default=None, max_length=MAX_TEXT, description="Scenario YAML text.")
    name: str | None = Field(default=None, max_length=80, pattern=NAME_PATTERN,
                             description="A shipped scenario's name (GET /api/v1/scenarios).")

    @model_validator(mode="after")
    def _one_of(self) -> ScenarioChoice:
        if (self.yaml is None) == (self.name is None):
            raise ValueError("give exactly one of 'yaml' (scenario text) or 'name' (a shipped scenario)")
        return self


class RunRequest(ScenarioChoice):
    draws: int | None = Field(default=None, ge=0, le=100_000,
                              description="Ensemble draws (default: the scenario's; 0 = no ensemble).")
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1, description="Seed of the draws (default: the file's).")


class EnsembleRequest(ScenarioChoice):
    draws: int | None = Field(default=None, ge=2, le=100_000, description="Draws (default: the scenario's).")
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)
    default_uncertainty: bool = Field(default=False, description="Draw every elasticity over its published range "
                                      "if the scenario declares no uncertainty.")


class EnergyRequest(Request):
    exporter: str = Field(default="RUS", min_length=2, max_length=60, description="Exporter (ISO3), e.g. RUS.")
    scenario_yaml: str | None = Field(default=None, max_length=MAX_TEXT,
                                      description="Scenario YAML (its embargoes and energy: section).")
    scenario: str | None = Field(default=None, max_length=80, pattern=NAME_PATTERN,
                                 description="A shipped scenario's name (default: no shock).")
    year: int | None = Field(default=None, ge=1995, le=2024, description="BACI year of the baseline.")

    @model_validator(mode="after")
    def _at_most_one(self) -> EnergyRequest:
        if self.scenario_yaml is not None and self.scenario is not None:
            raise ValueError("give at most one of 'scenario_yaml' (text) or 'scenario' (a shipped scenario)")
        return self


class GameRequest(Request):
    game: str = Field(default="detente", max_length=80, pattern=NAME_PATTERN,
                      description="A shipped game (games/NAME.yaml), e.g. detente.")
    set: dict[str, float] = Field(default_factory=dict, max_length=64,
                                  description="Parameter overrides, e.g. {\"rho\": 0.3}.")
    map: list[str] | None = Field(default=None, min_length=2, max_length=2,
                                  description="Two parameters to sweep for the pivot map, e.g. [\"rho\", \"package\"].")
    n: int = Field(default=40, ge=2, le=1000, description="Grid points per map axis.")
    draws: int = Field(default=0, ge=0, le=100_000, description="Draws of the game's parameters (0 = none).")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class BargainRequest(Request):
    actors: str = Field(default="russia_alignment_actors", max_length=80, pattern=NAME_PATTERN,
                        description="A shipped actors file (games/NAME.csv).")
    set: dict[str, float] = Field(default_factory=dict, max_length=64,
                                  description="Overrides ACTOR.FIELD -> value, e.g. {\"Kremlin.salience\": 0.8}.")
    rounds: int | None = Field(default=None, ge=1, le=1000, description="Play exactly this many rounds.")
    perturb: float = Field(default=0.1, ge=0.0, lt=1.0, description="Relative perturbation (0 = off).")
    draws: int = Field(default=100, ge=1, le=100_000, description="Perturbed runs.")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)


class CheckRequest(Request):
    draws: int | None = Field(default=None, ge=0, le=100_000,
                              description="Ensemble draws per scenario (default: the files'; 0 = central only).")


# --- responses -------------------------------------------------------------------------------------------------

class ErrorBody(BaseModel):
    error: str = Field(description="One line: what, where, the value and the fix (the CLI's message).")
    status: int
    line: int | None = Field(default=None, description="Line of the YAML text the error is on, where known.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Country(BaseModel):
    code: str
    name: str


class Sector(BaseModel):
    code: str
    name: str
    group: str


class WorldInfo(BaseModel):
    source: str
    year: int
    unit: str
    countries: list[Country]
    sectors: list[Sector]


class ScenarioInfo(BaseModel):
    name: str
    description: str
    yaml: str


class Validated(BaseModel):
    valid: Literal[True]
    name: str
    description: str
    scenario_hash: str


JobState = Literal["queued", "running", "done", "failed", "cancelled"]


class JobStatus(BaseModel):
    id: str
    kind: str
    status: JobState
    progress: float = Field(ge=0.0, le=1.0)
    message: str
    run_ids: list[str]
    result: dict[str, Any] | None
    error: str | None
    created: str
    finished: str | None


class JobAccepted(BaseModel):
    job: JobStatus


class Band(BaseModel):
    q05: float
    q50: float
    q95: float


class MetricRow(BaseModel):
    metric: str
    unit: str
    country: str
    country_name: str
    partner: str
    partner_name: str
    sector: str
    sector_name: str
    value: float | None
    q05: float | None = Field(description="5 % of the metric over the run's draws (null without draws).")
    q50: float | None
    q95: float | None


class RunSummary(BaseModel):
    run_id: str
    kind: str
    name: str
    description: str
    created: str
    scenario_hash: str
    real_income_change_pct: dict[str, float] = Field(description="Headline: real income, % change, key countries.")


class RunDetail(BaseModel):
    run_id: str
    kind: str
    name: str
    description: str
    parent: str | None
    created: str
    scenario_hash: str
    data_key: str
    code_key: str
    spec_yaml: str
    diagnostics: dict[str, Any]
    real_income_change_pct: dict[str, float] = Field(description="Real income, % change, by country code.")
    real_income_change_pct_bands: dict[str, Band] = Field(
        description="5/50/95 % of the real-income change over the run's draws, by country (empty without draws).")
    metrics: list[MetricRow]
    metric_labels: dict[str, str] = Field(description="What each metric measures (the metrics registry).")


class RunRef(BaseModel):
    run_id: str
    name: str


class CompareRow(BaseModel):
    metric: str
    unit: str
    country: str
    country_name: str
    partner: str
    partner_name: str
    sector: str
    sector_name: str
    value_a: float | None
    value_b: float | None
    difference: float | None


class Comparison(BaseModel):
    a: RunRef
    b: RunRef
    rows: list[CompareRow]
