"""``geoshift ge``: a quick what-if in the multi-sector GE model. The flags are sugar for a scenario file (the same
names as the file's fields: ``--embargo``, ``--cost``, ``--sectors``, ``--one-way``, ``--elasticity``,
``--deficits``, ``--group-year``), solved by the same runner as ``geoshift run``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
from rich.table import Table

from geoshift.commands.common import err, out, place_text, print_json, sector_text
from geoshift.engines.trade_ge import theta_for
from geoshift.errors import InputError
from geoshift.results.records import KEY_COUNTRIES
from geoshift.results.run import Runner
from geoshift.scenario.apply import resolve_sectors
from geoshift.scenario.quick import quick_scenario
from geoshift.world import World

COUNTRY_COLUMNS = ("real_income_change_pct", "wage_change_pct", "price_index_change_pct", "exports_change_pct",
                   "imports_change_pct")


def assignments(items: list[str], option: str, example: str) -> dict[str, float]:
    """``["NAME=VALUE", ...]`` -> ``{NAME: VALUE}``, with a one-line error naming the option."""
    overrides = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"{option} {item!r} must look like NAME=VALUE, e.g. {example}") from None
    return overrides


def country_table(metrics: pd.DataFrame, countries: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per-country changes (%) read from a run's metrics, in the World's order."""
    rows = metrics[metrics["metric"].isin(COUNTRY_COLUMNS) & metrics["country"].isin(countries)]
    values = {(str(c), str(m)): float(v) for c, m, v in zip(rows["country"], rows["metric"], rows["value"],
                                                              strict=True)}
    return [{"iso3": c, **{m: values[(c, m)] for m in COUNTRY_COLUMNS}} for c in countries
            if (c, COUNTRY_COLUMNS[0]) in values]


def ge_main(load: Callable[[], World], *, embargo: list[str], cost: list[str], sectors: str, one_way: bool,
            elasticity: list[str], deficits: str, group_year: int | None, print_scenario: bool, top: int,
            as_json: bool) -> None:
    scenario = quick_scenario(embargo=embargo, cost=cost, sectors=sectors, one_way=one_way,
                              theta=assignments(elasticity, "--elasticity", "C19=10"), deficits=deficits,
                              group_year=group_year)
    if print_scenario:
        sys.stdout.write(scenario.to_file_yaml())
        return
    world = load()
    runner = Runner(world)
    runner.prepare(scenario)
    with err.status("Solving the multi-sector equilibrium...", spinner="dots"):
        results = runner.run(scenario)
    metrics = results.metrics
    changes = country_table(metrics, world.countries)
    income = metrics[metrics["metric"] == "real_income_change_pct"].set_index("country")["value"]
    world_pct = float(income["WORLD"])
    th = theta_for(world.sectors, scenario.elasticities)
    sector_idx = resolve_sectors(world, scenario.shocks[0].sectors, "--sectors")
    year = scenario.data.group_year
    if as_json:
        print_json({"scenario": scenario.spec(), "shocks": [s.model_dump(mode="json") for s in scenario.shocks],
                    "sectors": [world.sectors[s] for s in sector_idx], "one_way": one_way,
                    "deficits": scenario.engine.deficits, "group_year": year,
                    "theta": dict(zip(world.sectors, th.tolist(), strict=True)),
                    "world_real_income_change_pct": world_pct, "diagnostics": results.diagnostics,
                    "countries": changes, "metrics": metrics.to_dict(orient="records")})
        return
    ranked = sorted(changes, key=lambda c: c["real_income_change_pct"])
    shown = [c for c in changes if c["iso3"] in KEY_COUNTRIES]
    shown += [c for c in ranked[:top] + ranked[-top:][::-1] if c not in shown]
    table = Table(title=f"Real income and trade, % change (world {world_pct:+.4f} %)")
    for column in ("country", "real income", "wage", "price index", "exports", "imports"):
        table.add_column(column, justify="left" if column == "country" else "right")
    for c in shown:
        table.add_row(place_text(c["iso3"]), f"{c['real_income_change_pct']:+.3f}", f"{c['wage_change_pct']:+.3f}",
                      f"{c['price_index_change_pct']:+.3f}", f"{c['exports_change_pct']:+.2f}",
                      f"{c['imports_change_pct']:+.2f}")
    out.print(table)
    d = results.record.diagnostics
    names = dict(zip(world.sectors, world.sector_names, strict=True))
    overridden = ", ".join(f"{k}={v:g} ({sector_text(k, names).removeprefix(k).strip(' ()') or k})"
                           for k, v in scenario.elasticities.items()) or "none"
    hit = [world.sectors[s] for s in sector_idx]
    hit_text = "all sectors" if len(hit) == len(world.sectors) else ", ".join(sector_text(s, names) for s in hit)
    out.print(f"[dim]key countries, then the {top} biggest losers and winners; shocks on {hit_text}; groups at their "
              f"{year} membership; elasticities: Caliendo-Parro by sector (overrides: {overridden}); deficits "
              f"{scenario.engine.deficits}; solver: converged={d.get('converged')}, {d.get('iterations')} "
              f"iterations, residual {float(d.get('residual', 0.0)):.1e}[/]", highlight=False)
