"""Energy Institute Statistical Review of World Energy (2024 edition, 2023 data): the bilateral trade matrices
for pipeline gas and LNG (bcm), crude oil and oil products (million tonnes) and coal (exajoules), read from the
"All data" workbook (``EI-Stats-Review-All-Data.xlsx``) into one tidy table.

Columns: ``fuel`` (``pipeline_gas``, ``lng``, ``crude``, ``products``, ``coal``), ``exporter``, ``importer``
(EI area names, whitespace-normalised), ``exporter_iso3``, ``importer_iso3`` (ISO3 where the area is one
country, else ``None``), ``value`` (float, never zero), ``unit`` (``bcm``, ``Mt``, ``EJ``), ``year``.

Regional subtotal rows and the ``Total ...`` rows and columns are dropped, so the tidy rows sum without double
counting; residual areas (``Other ...``, ``Rest of ...``, ``EU``) are kept. Every dropped subtotal and total is
checked against the sum of its members while parsing, so a changed layout fails loudly instead of silently."""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

from geoshift.errors import DataError

COLUMNS = ["fuel", "exporter", "importer", "exporter_iso3", "importer_iso3", "value", "unit", "year"]


@dataclass(frozen=True)
class _Sheet:
    fuel: str
    unit: str
    rows_are_exporters: bool
    # regional sums among the rows: each equals the sum of the area rows since the previous subtotal (checked)
    subtotals: frozenset[str] = frozenset()


SHEETS: dict[str, _Sheet] = {
    "Gas trade - pipeline": _Sheet("pipeline_gas", "bcm", False, frozenset(
        {"North America", "S. & Cent. America", "Europe", "CIS", "Middle East", "Africa", "Asia Pacific"})),
    "Gas trade - LNG": _Sheet("lng", "bcm", False, frozenset(
        {"North America", "S. & Cent. America", "Europe", "Middle East & Africa", "Asia Pacific"})),
    "Oil - Inter-area movements": _Sheet("crude", "Mt", True),  # crude block, then a "Product (...)" block
    "Coal trade movements 2023": _Sheet("coal", "EJ", True),
}
_BLOCKS = {"crude": "crude", "product": "products", "products": "products"}
_BLOCK_RE = re.compile(r"^(crude|products?)\s*\(", re.IGNORECASE)

# EI spellings that pycountry does not resolve (or resolves only fuzzily)
EI_ISO3: dict[str, str] = {
    "US": "USA", "USA": "USA", "Russian Federation": "RUS", "Russia": "RUS", "South Korea": "KOR",
    "Taiwan": "TWN", "Turkey": "TUR", "Iran": "IRN", "UAE": "ARE", "United Arab Emirates": "ARE",
    "Trinidad & Tobago": "TTO", "China Hong Kong SAR": "HKG", "China Macau SAR": "MAC", "Brunei": "BRN",
    "Vietnam": "VNM", "Venezuela": "VEN", "Syria": "SYR", "Czech Republic": "CZE", "Bolivia": "BOL",
    "Netherlands": "NLD", "United Kingdom": "GBR",
}
# areas that are groups of countries, never one country
EI_REGIONS = frozenset({
    "EU", "Europe", "CIS", "Middle East", "Africa", "Asia Pacific", "North America", "S. & Cent. America",
    "Middle East & Africa", "North Africa", "West Africa", "East & S. Africa", "Australasia",
})
_TOL_REL, _TOL_ABS = 1e-6, 1e-6


def area_iso3(name: str) -> str | None:
    """ISO3 code of an EI area that is a single country; ``None`` for regions, residuals and aggregates."""
    return _area_iso3(_norm(name))


@cache
def _area_iso3(name: str) -> str | None:
    if name in EI_REGIONS or name.startswith(("Other ", "Rest of ", "Total")):
        return None
    if name in EI_ISO3:
        return EI_ISO3[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def _norm(text: object) -> str:
    """Collapse whitespace (non-breaking spaces included) and drop trailing footnote marks ('*', '†')."""
    return re.sub(r"[\s*†]+$", "", re.sub(r"\s+", " ", str(text)).strip())


def _col(j: int) -> str:
    letters = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _strings(row: tuple[object, ...]) -> int:
    return sum(isinstance(c, str) and c.strip() != "" for c in row[1:])


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_TOL_REL, abs_tol=_TOL_ABS)


def _parse_sheet(rows: list[tuple[object, ...]], name: str, spec: _Sheet, source: str) -> list[tuple[object, ...]]:
    where = f"EI workbook {source}: sheet {name!r}"
    title = next((c for r in rows for c in r if isinstance(c, str) and c.strip()), "")
    found = re.search(r"\b(?:19|20)\d{2}\b", title) or re.search(r"\b(?:19|20)\d{2}\b", name)
    if found is None:
        raise DataError(f"{where} has no year in its title {title!r}; pass the Statistical Review 'All data' workbook")
    year = int(found.group())
    head = next((i for i, r in enumerate(rows) if _strings(r) >= 3), None)
    if head is None:
        raise DataError(f"{where} has no header row of area names; pass the Statistical Review 'All data' workbook")
    end = head + 1
    while end < len(rows) and _strings(rows[end]) >= 3:  # wrapped headers ('Russian ' + 'Federation')
        end += 1
    width = max(len(r) for r in rows)
    headers = [_norm(" ".join(str(r[j]) for r in rows[head:end] if j < len(r) and isinstance(r[j], str)))
               for j in range(width)]
    total_col = next((j for j in range(1, width) if headers[j].lower().startswith("total")), None)
    cols = [j for j in range(1, width) if headers[j] and j != total_col and headers[j] not in spec.subtotals]
    numeric = [*cols, *([total_col] if total_col is not None else [])]

    fuel = spec.fuel
    records: list[tuple[object, ...]] = []
    block: list[list[float]] = []  # area rows of the current block
    group: list[list[float]] = []  # area rows since the previous regional subtotal
    for i, row in enumerate(rows[end:], start=end):
        label = _norm(row[0]) if row and isinstance(row[0], str) else ""
        cells = [row[j] if j < len(row) else None for j in numeric]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            marker = _BLOCK_RE.match(label)  # a label-only row: block title ('Product (million tonnes)'), 'From', note
            if marker:
                fuel, block, group = _BLOCKS[marker.group(1).lower()], [], []
            continue
        if not label:
            raise DataError(f"{where} row {i + 1} holds numbers but no area name in column A; check the sheet")
        values: list[float] = []
        for j, cell in zip(numeric, cells, strict=True):
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                values.append(0.0)
            elif isinstance(cell, int | float) and not isinstance(cell, bool) and math.isfinite(cell) and cell >= 0:
                values.append(float(cell))
            else:
                raise DataError(f"{where} row {i + 1} ({label!r}) column {_col(j)} ({headers[j]!r}) holds {cell!r}, "
                                "expected a non-negative number; fix the cell or use the original EI file")
        flows = values[:len(cols)]
        if total_col is not None and label not in spec.subtotals and not label.lower().startswith("total") \
                and not _close(sum(flows), values[-1]):
            raise DataError(f"{where} row {i + 1} ({label!r}): the areas sum to {sum(flows):g} but column "
                            f"{_col(total_col)} says {values[-1]:g}; the layout changed, update geoshift.data.ei")
        if label in spec.subtotals or label.lower().startswith("total"):
            members = group if label in spec.subtotals else block
            for k, j in enumerate(cols):
                expected = sum(m[k] for m in members)
                if not _close(expected, flows[k]):
                    raise DataError(f"{where} row {i + 1} ({label!r}) column {_col(j)} ({headers[j]!r}) is "
                                    f"{flows[k]:g} but its member rows sum to {expected:g}; the subtotal layout "
                                    "changed, update SHEETS in geoshift.data.ei")
            group = []
            continue
        block.append(flows)
        group.append(flows)
        for k, j in enumerate(cols):
            if flows[k] != 0.0:
                exporter, importer = (label, headers[j]) if spec.rows_are_exporters else (headers[j], label)
                records.append((fuel, exporter, importer, flows[k], spec.unit, year))
    return records


def parse_ei_workbook(path: str | Path) -> pd.DataFrame:
    """Tidy bilateral energy trade (see the module docstring) from the EI Statistical Review 'All data' xlsx."""
    path = Path(path)
    fix = "pass the Statistical Review 'All data' workbook (EI-Stats-Review-All-Data.xlsx, 2024 edition)"
    if not path.is_file():
        raise DataError(f"EI workbook {path} not found; {fix}")
    try:
        import openpyxl  # type: ignore[import-untyped]
        from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - openpyxl ships with the pandas Excel extra
        raise DataError(f"reading EI workbook {path} needs openpyxl; run `pip install openpyxl`") from exc
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DataError(f"EI workbook {path} is not a readable .xlsx file ({type(exc).__name__}: {exc}); {fix}") \
            from exc
    try:
        missing = [name for name in SHEETS if name not in book.sheetnames]
        if missing:
            raise DataError(f"EI workbook {path} lacks sheet(s) {', '.join(map(repr, missing))}; {fix}")
        records: list[tuple[object, ...]] = []
        for name, spec in SHEETS.items():
            rows = [tuple(r) for r in book[name].iter_rows(values_only=True)]
            records += _parse_sheet(rows, name, spec, str(path))
    finally:
        book.close()
    tidy = pd.DataFrame.from_records(records, columns=["fuel", "exporter", "importer", "value", "unit", "year"])
    for side in ("exporter", "importer"):
        tidy[f"{side}_iso3"] = pd.Series([_area_iso3(a) for a in tidy[side]], index=tidy.index, dtype=object)
    tidy["value"] = tidy["value"].astype("float64")
    tidy["year"] = tidy["year"].astype("int64")
    return tidy.loc[:, COLUMNS].reset_index(drop=True)
