"""Build ``src/geoshift/data/files/comext_products_from_russia.csv`` from the Eurostat Comext extraction.

Usage: ``python tools/build_comext_products.py [--raw CSV_GZ] [--out CSV]``. The defaults read
``../shared/data/eurostat_comext_energy_imports/comext_energy_imports_2019_2021.csv.gz`` (PROVENANCE §7) and write
the packaged table. Attribution: Eurostat Comext (reuse under Commission Decision 2011/833/EU), as extracted by
energyandcleanair/fossil_shipment_tracker_r (MIT). Changes: the EU members' monthly imports of HS 2710 from
Russia summed by year; 100 kg converted to tonnes; US$ at the ECB annual average euro rate
(``geoshift.data.eurostat.USD_PER_EUR``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from geoshift.data.eurostat import PRODUCTS_TABLE, parse_comext, products_from_russia_table

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data" / "eurostat_comext_energy_imports" / "comext_energy_imports_2019_2021.csv.gz"
OUT = ROOT / "src" / "geoshift" / "data" / "files" / PRODUCTS_TABLE


def build(raw: Path = RAW, out: Path = OUT) -> pd.DataFrame:
    """Parse ``raw``, derive the table and write it to ``out``; returns the table."""
    table = products_from_russia_table(parse_comext(raw))
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
