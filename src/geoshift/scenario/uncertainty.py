"""Declared uncertainty: the distributions a scenario file gives its parameters, and the draws from them.

A file declares::

    uncertainty:
      elasticities: default              # every sector's theta uniform over its published low-high range
      # or, per sector or sector group (overriding the default for those sectors):
      #   elasticities: {default: true, C19: {dist: loguniform, low: 3, high: 65}, energy: {dist: fixed, value: 10}}
      energy:                            # energy LP parameters
        max_supplier_share: {dist: uniform, low: 0.3, high: 0.7}
        discount_scale: {dist: uniform, low: 0.5, high: 1.5}     # multiplies every discount bracket
      draws: 200                         # default draws
      sampler: lhs                       # lhs (Latin hypercube) | sobol (scrambled), scipy.stats.qmc
      seed: 0

or just ``uncertainty: default``. Distributions (``DISTRIBUTIONS``, data not code paths) map a point of the unit
cube to a value by their inverse CDF, so one quasi-random design serves every parameter.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scipy import stats
from scipy.stats import qmc

from geoshift.errors import ScenarioError


class Distribution(BaseModel):
    """One parameter's distribution. ``uniform``/``loguniform``: low, high; ``lognormal``: median, sigma;
    ``normal``: mean, sd (truncated to low/high if given); ``triangular``: low, mode, high; ``fixed``: value."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dist: Literal["uniform", "loguniform", "lognormal", "normal", "triangular", "fixed"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    median: float | None = Field(default=None, gt=0.0)
    sigma: float | None = Field(default=None, gt=0.0)
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0.0)
    value: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = REQUIRED[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(need)}; missing {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.dist == "loguniform" and self.low is not None and self.low <= 0:
            raise ValueError(f"a loguniform distribution needs low > 0, got {self.low:g}")
        if self.dist == "triangular" and not (self.low or 0.0) <= (self.mode or 0.0) <= (self.high or 0.0):
            raise ValueError(f"mode ({self.mode:g}) must lie within [low, high]")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at unit-cube coordinates ``u`` (the inverse CDF)."""
        return np.asarray(PPF[self.dist](self, np.asarray(u, dtype=np.float64)), dtype=np.float64)


def _uniform(d: Distribution, u: np.ndarray) -> np.ndarray:
    return (d.low or 0.0) + u * ((d.high or 0.0) - (d.low or 0.0))


def _loguniform(d: Distribution, u: np.ndarray) -> np.ndarray:
    return np.asarray(np.exp(np.log(d.low or 1.0) + u * (np.log(d.high or 1.0) - np.log(d.low or 1.0))))


def _lognormal(d: Distribution, u: np.ndarray) -> np.ndarray:
    return np.asarray((d.median or 1.0) * np.exp((d.sigma or 0.0) * stats.norm.ppf(u)))


def _normal(d: Distribution, u: np.ndarray) -> np.ndarray:
    if d.low is None and d.high is None:
        return np.asarray((d.mean or 0.0) + (d.sd or 1.0) * stats.norm.ppf(u))
    a = -np.inf if d.low is None else (d.low - (d.mean or 0.0)) / (d.sd or 1.0)
    b = np.inf if d.high is None else (d.high - (d.mean or 0.0)) / (d.sd or 1.0)
    return np.asarray(stats.truncnorm.ppf(u, a, b, loc=d.mean or 0.0, scale=d.sd or 1.0))


def _triangular(d: Distribution, u: np.ndarray) -> np.ndarray:
    low, high = d.low or 0.0, d.high or 0.0
    c = ((d.mode or 0.0) - low) / (high - low)
    return np.asarray(stats.triang.ppf(u, c, loc=low, scale=high - low))


def _fixed(d: Distribution, u: np.ndarray) -> np.ndarray:
    return np.full(np.shape(u), d.value or 0.0)


#: the distributions, as data: name -> (required fields, inverse CDF)
DISTRIBUTIONS: dict[str, tuple[tuple[str, ...], Callable[[Distribution, np.ndarray], np.ndarray]]] = {
    "uniform": (("low", "high"), _uniform),
    "loguniform": (("low", "high"), _loguniform),
    "lognormal": (("median", "sigma"), _lognormal),
    "normal": (("mean", "sd"), _normal),
    "triangular": (("low", "mode", "high"), _triangular),
    "fixed": (("value",), _fixed),
}
REQUIRED = {name: spec[0] for name, spec in DISTRIBUTIONS.items()}
PPF = {name: spec[1] for name, spec in DISTRIBUTIONS.items()}

EnergyParameter = Literal["max_supplier_share", "discount_scale"]


class UncertaintySettings(BaseModel):
    """The ``uncertainty:`` section of a scenario file."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    #: sector code or group -> distribution; the key ``default`` (true) draws every other sector over its range
    elasticities: dict[str, Distribution | bool] = {}
    energy: dict[EnergyParameter, Distribution] = {}
    draws: Annotated[int, Field(ge=2, le=1_000_000)] = 200
    sampler: Literal["lhs", "sobol"] = "lhs"
    seed: Annotated[int, Field(ge=0)] = 0

    @field_validator("elasticities", mode="before")
    @classmethod
    def _default_word(cls, value: Any) -> Any:
        return {"default": True} if value == "default" else value

    @model_validator(mode="after")
    def _default_is_a_flag(self) -> UncertaintySettings:
        for key, value in self.elasticities.items():
            if isinstance(value, bool) and key != "default":
                raise ValueError(f"elasticities.{key}: give a distribution, e.g. {{dist: uniform, low: 3, high: 10}}")
            if key == "default" and not isinstance(value, bool):
                raise ValueError("elasticities.default: true or false (draw every other sector over its range)")
        return self


def parse_uncertainty(value: Any) -> Any:
    """``uncertainty: default`` is short for default elasticity ranges."""
    return {"elasticities": {"default": True}} if value == "default" else value


@dataclass(frozen=True)
class UncertainParameter:
    name: str  # e.g. theta.C19, energy.max_supplier_share
    distribution: Distribution
    source: str  # where the distribution comes from


def design(n: int, d: int, sampler: str, seed: int) -> np.ndarray:
    """``n`` points in the unit cube ``[0, 1)^d``: a Latin hypercube or a scrambled Sobol sequence (balanced when
    ``n`` is a power of two)."""
    if d == 0:
        return np.zeros((n, 0))
    engine: qmc.QMCEngine = (qmc.LatinHypercube(d=d, seed=seed) if sampler == "lhs"
                             else qmc.Sobol(d=d, scramble=True, seed=seed))
    with warnings.catch_warnings():  # Sobol's balance needs n = 2^m; other n are allowed, and documented
        warnings.filterwarnings("ignore", message="The balance properties of Sobol", category=UserWarning)
        points = engine.random(n)
    return np.clip(np.asarray(points, dtype=np.float64), 1e-12, 1.0 - 1e-12)


def draw(parameters: list[UncertainParameter], n: int, sampler: str, seed: int) -> np.ndarray:
    """``(n, len(parameters))`` values, column ``k`` from parameter ``k``'s distribution."""
    u = design(n, len(parameters), sampler, seed)
    return np.column_stack([p.distribution.ppf(u[:, k]) for k, p in enumerate(parameters)]) if parameters else u


def elasticity_parameters(settings: UncertaintySettings, sectors: tuple[str, ...], groups: Mapping[str, list[int]],
                          ranges: Mapping[str, tuple[float, float]], where: str) -> list[UncertainParameter]:
    """One parameter per uncertain sector: named sectors or groups first, then (with ``default``) every other sector
    uniform over its published range."""
    chosen: dict[str, UncertainParameter] = {}
    for key, value in settings.elasticities.items():
        if key == "default" or isinstance(value, bool):
            continue
        if key in sectors:
            targets = [key]
        elif key in groups:
            targets = [sectors[s] for s in groups[key]]
        else:
            raise ScenarioError(f"{where}: uncertainty.elasticities.{key}: unknown sector or group; use an ICIO code "
                                f"or one of {', '.join(groups)}")
        for code in targets:
            chosen[code] = UncertainParameter(f"theta.{code}", value, f"scenario file ({key})")
    if settings.elasticities.get("default") is True:
        for code in sectors:
            low, high = ranges[code]
            if code not in chosen and high > low:
                chosen[code] = UncertainParameter(f"theta.{code}", Distribution(dist="uniform", low=low, high=high),
                                                  "sector_elasticities.csv published range (uniform)")
    return [chosen[c] for c in sectors if c in chosen]


def first_order_indices(x: np.ndarray, y: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Given-data estimate of each input's first-order sensitivity index ``Var(E[y | x_k]) / Var(y)``: draws sorted
    by ``x_k`` into ``b`` equal-count bins, the variance of the bin means over the variance of ``y``, less the
    ``(b - 1) / n`` an input unrelated to ``y`` scores by chance (then clipped to [0, 1]; 0 when ``y`` does not
    vary). ``x``: (n, k), ``y``: (n,)."""
    n, k = x.shape
    total = float(np.var(y))
    if total <= 1e-24 * max(1.0, float(np.mean(y * y))):
        return np.zeros(k)
    b = bins or max(2, int(np.sqrt(n)))
    out = np.empty(k)
    for j in range(k):
        order = np.argsort(x[:, j], kind="stable")
        groups = np.array_split(y[order], b)
        means = np.array([g.mean() for g in groups])
        sizes = np.array([len(g) for g in groups])
        out[j] = float(np.sum(sizes * (means - y.mean()) ** 2) / n / total)
    chance = (b - 1) / n
    return np.asarray(np.clip((out - chance) / (1.0 - chance), 0.0, 1.0))
