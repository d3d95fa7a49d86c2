"""Build ``src/geoshift/data/files/eurostat_gas_from_russia.csv`` from the Eurostat nrg_ti_gas extraction.

Usage: ``python tools/build_eurostat_gas.py [--raw XLSX] [--out CSV]``. The defaults read
``../shared/data/eurostat_gas_imports_by_partner/custom-table-imports-of-natural-gas-by-partner-country.xlsx``
(PROVENANCE §6) and write the packaged table. Attribution: Eurostat (nrg_ti_gas), reuse under Commission Decision
2011/833/EU; extraction of 2022-04-05 from github.com/hblasum/stop-gas-imports (CC0). Changes: Russian pipeline gas
= natural gas minus LNG; TJ (GCV) converted to bcm at 40 MJ/m3 GCV (``geoshift.data.eurostat.TJ_PER_BCM``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from geoshift.data.eurostat import GAS_TABLE, gas_from_russia_table, parse_gas_workbook

ROOT = Path(__file__).resolve().parents[1]
RAW = (ROOT.parent / "shared" / "data" / "eurostat_gas_imports_by_partner"
       / "custom-table-imports-of-natural-gas-by-partner-country.xlsx")
OUT = ROOT / "src" / "geoshift" / "data" / "files" / GAS_TABLE


def build(raw: Path = RAW, out: Path = OUT) -> pd.DataFrame:
    """Parse ``raw``, derive the table and write it to ``out``; returns the table."""
    table = gas_from_russia_table(parse_gas_workbook(raw))
    table.to_csv(out, index=False, lineterminator="\n")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=RAW)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    table = build(args.raw, args.out)
    print(f"wrote {len(table)} rows to {args.out}")


if __name__ == "__main__":
    main()
