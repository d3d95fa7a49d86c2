"""A tiny deterministic World (3 countries x 3 sectors, two BACI years) for tests and docs.

All accounting identities hold exactly; the numbers are made up and carry no meaning."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoshift.data.store import Provenance
from geoshift.world.checks import enforce
from geoshift.world.world import World

COUNTRIES = ("CHN", "RUS", "USA")
SECTORS = ("B06", "C24A", "G")


def example_world() -> World:
    C, S = len(COUNTRIES), len(SECTORS)
    i, j, s = np.meshgrid(np.arange(C), np.arange(C), np.arange(S), indexing="ij")
    home = i == j
    intermediate = 4.0 + 2.0 * i + 1.0 * j + 3.0 * s + 20.0 * home
    final = 6.0 + 1.0 * i + 2.0 * j + 1.0 * s + 30.0 * home
    intermediate[1, 2, 0] = 1.0  # Russia sells little oil to the U.S. ...
    intermediate[1, 0, 0] = 25.0  # ... and much to China
    # split each country's purchases of input k across its using sectors s in fixed shares
    split = np.array([0.5, 0.3, 0.2])
    bought = intermediate.sum(axis=0)  # [j, k]
    use = bought[:, :, None] * split[None, None, :]
    gross_output = intermediate.sum(axis=1) + final.sum(axis=1)
    value_added = gross_output - use.sum(axis=1)
    baci = pd.DataFrame(
        [
            (2022, "RUS", "CHN", 270900, 60.0e9, 86.0e6),
            (2022, "RUS", "USA", 270900, 1.0e9, 1.4e6),
            (2022, "RUS", "CHN", 271121, 10.0e9, 15.0e6),
            (2022, "USA", "CHN", 270900, 5.0e9, 7.0e6),
            (2023, "RUS", "CHN", 270900, 61.0e9, 107.0e6),
            (2023, "RUS", "CHN", 271121, 11.0e9, 17.0e6),
            (2023, "RUS", "USA", 271111, 0.5e9, 1.0e6),
            (2023, "USA", "CHN", 270900, 4.0e9, 6.0e6),
            (2023, "CHN", "USA", 280530, 0.2e9, 0.01e6),
        ],
        columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"],
    )
    mining = pd.DataFrame({"mineral": ["Cobalt", "Cobalt"], "iso3": ["CHN", "RUS"], "year": [2023, 2023],
                           "production": [3.0, 1.0], "unit": ["metr. t", "metr. t"], "share": [0.75, 0.25]})
    governance = pd.DataFrame({"iso3": list(COUNTRIES), "year": [2023] * 3, "estimate": [-0.5, -1.0, 0.0]})
    world = World(
        countries=COUNTRIES, sectors=SECTORS,
        sector_names=("Crude petroleum and natural gas", "Basic iron and steel", "Trade"),
        sector_group=("energy", "metals", "services"),
        intermediate=intermediate, final=final, use=use, gross_output=gross_output, value_added=value_added,
        year=2022, final_rule="exact", baci=baci, mining=mining, governance=governance,
        provenance=(Provenance("example", "1", "CC0", "-", "geoshift.world.example", "made-up numbers"),),
        source_totals={"gross_output": float(gross_output.sum())},
    )
    return enforce(world, strict=True)
