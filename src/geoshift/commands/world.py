"""``geoshift world info | sectors | countries``: the baseline World, its sectors (code, name, group) and its
countries (code, name, the country groups they belong to in a year)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rich import box
from rich.table import Table

from geoshift.commands.common import out, print_json
from geoshift.data.countries import country_name
from geoshift.data.groups import country_groups
from geoshift.world import World

#: the name a group has in scenario files and metrics where the groups file spells it otherwise
GROUP_NAMES = {"EU": "EU27"}


def world_info(world: World) -> dict[str, Any]:
    return {
        **world.summary(),
        "countries_list": list(world.countries),
        "sectors_list": sectors(world),
        "provenance": [asdict(p) for p in world.provenance],
    }


def sectors(world: World) -> list[dict[str, str]]:
    """Every ICIO sector of the World: code, name and sector group (as scenario files name the groups)."""
    return [{"code": c, "name": n, "group": g}
            for c, n, g in zip(world.sectors, world.sector_names, world.sector_group, strict=True)]


def countries(world: World, year: int) -> list[dict[str, Any]]:
    """Every economy of the World: ISO3 code, name and the country groups it belongs to in ``year`` (the names
    scenario files use, e.g. EU27, NATO, G7). ``ROW`` is the ICIO's rest of the world."""
    frame = country_groups()
    active = frame[(frame["joined_year"] <= year) & ~(frame["left_year"] <= year)]
    groups: dict[str, list[str]] = {}
    for group, iso3 in zip(active["group"], active["iso3"], strict=True):
        groups.setdefault(str(iso3), []).append(GROUP_NAMES.get(str(group), str(group)))
    return [{"code": c, "name": "Rest of the world" if c == "ROW" else country_name(c),
             "groups": sorted(groups.get(c, []))} for c in world.countries]


def show_world(world: World) -> None:
    info = world.summary()
    table = Table(title=f"The World, {info['year']} baseline")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("economies x sectors", f"{info['countries']} x {info['sectors']}")
    table.add_row("world gross output (US$ trn)", f"{info['world_gross_output'] / 1e6:,.2f}")
    table.add_row("world value added (US$ trn)", f"{info['world_value_added'] / 1e6:,.2f}")
    table.add_row("world trade among them (US$ trn)", f"{info['world_trade'] / 1e6:,.2f}")
    table.add_row("  of which energy (US$ trn)", f"{info['world_trade_energy'] / 1e6:,.2f}")
    table.add_row("final demand by destination", info["final_demand_rule"])
    table.add_row("BACI rows (years)", f"{info['baci_rows']:,} ({info['baci_years'][0]}-{info['baci_years'][-1]})"
                  if info["baci_years"] else "0")
    table.add_row("minerals with mine production", str(info["mining_minerals"]))
    table.add_row("countries with governance scores", str(info["governance_countries"]))
    out.print(table)
    for p in world.provenance:
        out.print(f"[dim]{p.source} {p.version} ({p.note}); licence: {p.licence}; sha256 {p.sha256[:12]}…[/]")
    out.print("[dim]geoshift world sectors | geoshift world countries: the lists with names[/]")


def info_main(world: World, as_json: bool) -> None:
    if as_json:
        print_json(world_info(world))
    else:
        show_world(world)


def sectors_main(world: World, as_json: bool) -> None:
    rows = sectors(world)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"ICIO sectors of the World ({len(rows)}); scenario files name them by code or group",
                  box=box.SIMPLE_HEAD)
    for column in ("code", "name", "group"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["code"], row["name"], row["group"])
    out.print(table)
    groups = sorted({row["group"] for row in rows})
    out.print(f"[dim]sector groups: {', '.join(groups)}, all[/]")


def countries_main(world: World, year: int, as_json: bool) -> None:
    rows = countries(world, year)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Economies of the World ({len(rows)}), with their country groups in {year}",
                  box=box.SIMPLE_HEAD)
    for column in ("code", "name", "groups"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["code"], row["name"], ", ".join(row["groups"]))
    out.print(table)
