"""``geoshift profile COUNTRY``: a country's dependency profile (top partners, concentration, largest buyers per
sector or commodity, asymmetry, series); and the energy-export totals as each source counts them (shared with
``geoshift energy``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from rich.table import Table

from geoshift.analysis.profile import Profile, profile
from geoshift.analysis.reconcile import GROUPS, Reconciliation, energy_export_totals
from geoshift.commands.common import out, pct, print_json, sector_names, sector_text, usd_bn
from geoshift.world import World


def profile_payload(world: World, country: str, *, year: int | None = None, group: str = "all",
                    flow: str = "exports", source: str = "icio") -> tuple[Profile, Reconciliation | None]:
    """The profile and, for a country's energy exports, the totals as each source counts them."""
    result = profile(world, country, source=source, year=year, group=group, flow=flow)  # type: ignore[arg-type]
    reconciliation = None
    if group == "energy" and flow == "exports" and result.country in world.baci_countries:
        reconciliation = energy_export_totals(world, result.country, year if source == "baci" and year else
                                              world.baci_years[-1])
    return result, reconciliation


def profile_dict(result: Profile, reconciliation: Reconciliation | None) -> dict[str, Any]:
    """``geoshift profile --json``'s payload (the web API's ``/profile/{country}`` too)."""
    return {**result.to_dict(), **({"totals_by_source": totals_dict(reconciliation)} if reconciliation else {})}


def profile_main(load: Callable[[], World], country: str, *, year: int | None, group: str, flow: str, source: str,
                 top: int, as_json: bool) -> None:
    world = load()
    result, reconciliation = profile_payload(world, country, year=year, group=group, flow=flow, source=source)
    if as_json:
        print_json(profile_dict(result, reconciliation))
        return
    show_profile(result, top, sector_names(world))
    if reconciliation is not None:
        show_totals(reconciliation)


def totals_dict(reconciliation: Reconciliation) -> dict[str, Any]:
    return {"totals": [{"source": t.source, "year": t.year, "values_usd": t.values_usd, "total_usd": t.total_usd,
                        "coverage": t.coverage} for t in reconciliation.totals],
            "explanations": list(reconciliation.explanations)}


def show_totals(reconciliation: Reconciliation) -> None:
    table = Table(title=f"{reconciliation.exporter}'s energy exports as each source counts them (US$ bn)")
    for column in ("source", *GROUPS, "total"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for t in reconciliation.totals:
        table.add_row(t.source, *["not counted" if t.values_usd[g] is None else f"{(t.values_usd[g] or 0) / 1e9:,.1f}"
                                  for g in GROUPS], f"{t.total_usd / 1e9:,.1f}")
    out.print(table)
    for t in reconciliation.totals:
        out.print(f"[dim]{t.source}: {t.coverage}[/]")
    for line in reconciliation.explanations:
        out.print(f"[dim]{line}[/]")


def show_profile(result: Profile, top: int, names: dict[str, str] | None = None) -> None:
    verb = "to" if result.flow == "exports" else "from"
    out.print(f"[bold]{result.country}[/] {result.flow} of [bold]{result.group}[/] ({result.source.upper()}, "
              f"{result.year}): US$ {usd_bn(result.total_usd)} bn, HHI {result.hhi:.3f}")
    if result.coverage:
        out.print(f"[bold]Figures:[/] {escape(result.coverage)}", highlight=False)
    table = Table(title=f"Top partners ({result.flow} {verb})")
    table.add_column("#", justify="right")
    table.add_column("partner")
    table.add_column("US$ bn", justify="right")
    table.add_column("share", justify="right")
    other = "share of partner's imports" if result.flow == "exports" else "share of partner's exports"
    table.add_column(f"{result.country}'s {other}", justify="right")
    if result.source == "baci":
        table.add_column("Mt", justify="right")
    for n, p in enumerate(result.partners[:top], start=1):
        row = [str(n), p.iso3, usd_bn(p.value_usd), pct(p.share), pct(p.reverse_share)]
        if result.source == "baci":
            row.append("" if p.quantity_t is None else f"{p.quantity_t / 1e6:,.2f}")
        table.add_row(*row)
    out.print(table)
    baci = result.source == "baci"
    leads = Table(title="Largest partner per " + ("commodity" if baci else "sector"))
    for column in ("item", "US$ bn", "by value", "share") + (("by quantity", "share (t)") if baci else ()):
        leads.add_column(column, justify="left" if column == "item" else "right")
    for lead in result.leads[:top]:
        item = lead.commodity if baci else sector_text(lead.commodity, names)
        row = [escape(item), usd_bn(lead.total_usd), lead.by_value_iso3, pct(lead.by_value_share)]
        if baci:
            row += [lead.by_quantity_iso3 or "", pct(lead.by_quantity_share)]
        leads.add_row(*row)
    out.print(leads)
    asym = Table(title=f"Asymmetry of two-way {result.group} trade")
    asym.add_column("partner")
    asym.add_column(f"partner's share of {result.country}'s trade", justify="right")
    asym.add_column(f"{result.country}'s share of partner's trade", justify="right")
    for a in result.asymmetry:
        asym.add_row(a.iso3, pct(a.partner_share_of_country_trade), pct(a.country_share_of_partner_trade))
    out.print(asym)
    years = sorted({p.year for p in result.series})
    if len(years) > 1:
        shown = years[-6:]
        listed = {p.iso3 for p in result.series}
        partners = [p.iso3 for p in result.partners if p.iso3 in listed] + ["ALL"]
        series = Table(title=f"US$ bn by year, top partners of {result.year}")
        series.add_column("partner")
        for y in shown:
            series.add_column(str(y), justify="right")
        values = {(p.iso3, p.year): p.value_usd for p in result.series}
        for name in partners:
            series.add_row(name, *[usd_bn(values[(name, y)]) if (name, y) in values else "" for y in shown])
        out.print(series)
    if result.fuel_series:
        latest = [f for f in result.fuel_series if f.year == result.year]
        fuels = Table(title=f"Physical quantities by fuel, {result.year} (BACI tonnes converted)")
        for column in ("fuel", "partner", "US$ bn", "Mt or bcm", "unit", "b/d (crude)"):
            fuels.add_column(column, justify="left" if column in ("fuel", "partner", "unit") else "right")
        for f in latest:
            fuels.add_row(f.fuel, f.iso3, usd_bn(f.value_usd), "" if f.quantity is None else f"{f.quantity:,.2f}",
                          f.unit, "" if f.barrels_per_day is None else f"{f.barrels_per_day:,.0f}")
        out.print(fuels)
    for note in result.notes:
        out.print(f"[dim]{note}[/]")
