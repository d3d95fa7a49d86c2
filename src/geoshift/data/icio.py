"""OECD Inter-Country Input-Output (ICIO) parsers into one canonical form, :class:`IcioTables`.

Two sources:

* the 2022 network embedded in the ``sanction-simulator`` wheel (``bench_cache.npz``): input shares ``A``,
  intermediate cost shares ``omb``, output ``s`` and final sales ``z``, nodes in sector-major order. It has
  no final demand by destination, which is allocated here by the *proportionality rule*: a node's final
  sales go to destination countries in proportion to its intermediate sales to them (nodes with no
  intermediate sales sell all final goods at home). Totals per node are preserved exactly.
* the official OECD ICIO CSV (2025 release layout), which carries exact final demand by destination.

Units: US$ million, as in the OECD tables. Value added is gross output less intermediate inputs (so it
includes net taxes on intermediate products when the source has a ``TLS`` row).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from geoshift.errors import DataError

FinalRule = Literal["proportional", "exact"]

#: final-demand categories of the OECD ICIO 2025 layout
FINAL_DEMAND_CODES = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
#: split economies of the OECD ICIO (processing-trade splits) folded into their ISO3 country
SPLIT_CODES = {"CN1": "CHN", "CN2": "CHN", "MX1": "MEX", "MX2": "MEX"}


@dataclass(frozen=True)
class IcioTables:
    """Canonical ICIO content, arrays indexed by position in ``countries`` and ``sectors``.

    intermediate[i, j, s]: sector-s goods from exporter i used as inputs by any sector in importer j.
    final[i, j, s]:        sector-s goods from exporter i sold to final demand in importer j.
    use[j, k, s]:          sector-k inputs (all origins) used by sector s of country j.
    gross_output[i, s], value_added[i, s].
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    intermediate: np.ndarray
    final: np.ndarray
    use: np.ndarray
    gross_output: np.ndarray
    value_added: np.ndarray
    final_rule: FinalRule
    year: int
    source_totals: dict[str, float]
    audit: str = ""


def allocate_final_demand(intermediate: np.ndarray, final_sales: np.ndarray) -> np.ndarray:
    """Spread each node's final sales over destinations in proportion to its intermediate sales.

    ``intermediate[i, j, s]`` and ``final_sales[i, s]``; returns ``final[i, j, s]`` with
    ``final.sum(axis=1) == final_sales``. A node with no intermediate sales sells its final goods at home.
    """
    C = intermediate.shape[0]
    totals = intermediate.sum(axis=1)  # [i, s]
    shares = np.zeros_like(intermediate)
    has_sales = totals > 0
    np.divide(intermediate, totals[:, None, :], out=shares, where=has_sales[:, None, :])
    home = np.eye(C)[:, :, None] * (~has_sales)[:, None, :]
    final: np.ndarray = (shares + home) * final_sales[:, None, :]
    return final


def parse_icio_npz(source: str | Path | IO[bytes], *, year: int = 2022) -> IcioTables:
    """Parse the sector-major ICIO network cache (``bench_cache.npz``)."""
    try:
        if isinstance(source, (str, Path)):
            arrays = np.load(source, allow_pickle=False)
        else:
            arrays = np.load(io.BytesIO(source.read()), allow_pickle=False)
        A = np.asarray(arrays["A"], dtype=np.float64)
        omb = np.asarray(arrays["omb"], dtype=np.float64)
        s = np.asarray(arrays["s"], dtype=np.float64)
        z = np.asarray(arrays["z"], dtype=np.float64)
        countries = tuple(str(c) for c in arrays["countries"])
        sectors = tuple(str(c) for c in arrays["sectors"])
        audit = str(arrays["audit"]) if "audit" in arrays.files else ""
    except KeyError as exc:
        raise DataError(
            f"ICIO npz {source!r} lacks array {exc}; expected A, omb, s, z, countries, sectors"
        ) from exc
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"ICIO npz {source!r} is not a readable npz file ({exc})") from exc
    C, S = len(countries), len(sectors)
    N = C * S
    if A.shape != (N, N) or omb.shape != (N,) or s.shape != (N,) or z.shape != (N,):
        raise DataError(
            f"ICIO npz arrays do not match {C} countries x {S} sectors: A {A.shape}, omb {omb.shape}, "
            f"s {s.shape}, z {z.shape}"
        )
    for name, arr in (("A", A), ("omb", omb), ("s", s), ("z", z)):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise DataError(f"ICIO npz array {name!r} has negative or non-finite entries")
    # Z[(r, u), (k, v)]: sector r of country u sells to sector k of country v (sector-major nodes).
    Z4 = (A * (omb * s)[None, :]).reshape(S, C, S, C)
    intermediate = np.einsum("sikj->ijs", Z4)
    use = np.einsum("sikj->jsk", Z4)
    gross_output = s.reshape(S, C).T.copy()
    final_sales = z.reshape(S, C).T.copy()
    final = allocate_final_demand(intermediate, final_sales)
    value_added = gross_output - use.sum(axis=1)
    totals = {"gross_output": float(s.sum()), "intermediate": float(Z4.sum()), "final": float(z.sum())}
    return IcioTables(countries, sectors, intermediate, final, use, gross_output, value_added,
                      "proportional", year, totals, audit)


_LABEL = re.compile(r"^([A-Z0-9]{3})_(.+)$")


def _split_label(label: str, what: str, path: str) -> tuple[str, str]:
    match = _LABEL.match(label)
    if not match:
        raise DataError(f"ICIO CSV {path}: {what} label {label!r} is not of the form CCC_SECTOR")
    return SPLIT_CODES.get(match.group(1), match.group(1)), match.group(2)


def parse_icio_csv(path: str | Path, *, year: int) -> IcioTables:
    """Parse an official OECD ICIO CSV (rows and columns ``CCC_SECTOR``, final demand columns
    ``CCC_HFCE|NPISH|GGFC|GFCF|INVNT|DPABR``, an ``OUT`` column, ``TLS``/``VA``/``OUT`` rows)."""
    name = str(path)
    try:
        frame = pd.read_csv(path, index_col=0)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"ICIO CSV {name} cannot be read ({exc})") from exc
    frame.index = frame.index.astype(str)
    frame.columns = frame.columns.astype(str)
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataError(f"ICIO CSV {name}: column {non_numeric[0]!r} holds non-numeric values")
    if frame.isna().to_numpy().any():
        row, col = np.argwhere(frame.isna().to_numpy())[0]
        raise DataError(f"ICIO CSV {name}: empty cell at row {frame.index[row]!r}, column {frame.columns[col]!r}")
    footer_rows = {"TLS", "VA", "OUT"}
    body_rows = [r for r in frame.index if r not in footer_rows]
    fd_suffix = tuple("_" + code for code in FINAL_DEMAND_CODES)
    z_cols = [c for c in frame.columns if c != "OUT" and not c.endswith(fd_suffix)]
    fd_cols = [c for c in frame.columns if c.endswith(fd_suffix)]
    if not body_rows or not fd_cols:
        raise DataError(f"ICIO CSV {name}: expected CCC_SECTOR rows and CCC_HFCE-style final demand columns")
    row_keys = [_split_label(r, "row", name) for r in body_rows]
    col_keys = [_split_label(c, "column", name) for c in z_cols]
    fd_countries = [_split_label(c, "final demand column", name)[0] for c in fd_cols]
    countries = tuple(dict.fromkeys(c for c, _ in row_keys))
    sectors = tuple(dict.fromkeys(s for _, s in row_keys))
    if set(col_keys) != set(row_keys):
        raise DataError(f"ICIO CSV {name}: intermediate columns do not match the CCC_SECTOR rows")
    C, S = len(countries), len(sectors)
    c_pos = {c: n for n, c in enumerate(countries)}
    s_pos = {s: n for n, s in enumerate(sectors)}
    r_c = np.array([c_pos[c] for c, _ in row_keys])
    r_s = np.array([s_pos[s] for _, s in row_keys])
    k_c = np.array([c_pos[c] for c, _ in col_keys])
    k_s = np.array([s_pos[s] for _, s in col_keys])
    f_c = np.array([c_pos.get(c, -1) for c in fd_countries])
    if np.any(f_c < 0):
        bad = fd_cols[int(np.argmax(f_c < 0))]
        raise DataError(f"ICIO CSV {name}: final demand column {bad!r} names a country with no rows")
    Zb = frame.loc[body_rows, z_cols].to_numpy(dtype=np.float64)
    Fb = frame.loc[body_rows, fd_cols].to_numpy(dtype=np.float64)
    if np.any(Zb < 0):
        # inventory changes may be negative in final demand; intermediate flows may not
        row, col = np.argwhere(Zb < 0)[0]
        raise DataError(f"ICIO CSV {name}: negative intermediate flow at {body_rows[row]!r} -> {z_cols[col]!r}")
    Z4 = np.zeros((C, S, C, S))
    np.add.at(Z4, (r_c[:, None], r_s[:, None], k_c[None, :], k_s[None, :]), Zb)
    F3 = np.zeros((C, S, C))
    np.add.at(F3, (r_c[:, None], r_s[:, None], f_c[None, :]), Fb)
    # Z4[i, s, j, k]: sector s of country i sells to sector k of country j
    intermediate = np.einsum("isjk->ijs", Z4)
    use = np.einsum("isjk->jsk", Z4)
    final = np.transpose(F3, (0, 2, 1)).copy()
    gross_output = intermediate.sum(axis=1) + final.sum(axis=1)
    value_added = gross_output - use.sum(axis=1)
    audit = ""
    if "OUT" in frame.index:
        out_row = np.zeros((C, S))
        np.add.at(out_row, (k_c, k_s), frame.loc["OUT", z_cols].to_numpy(dtype=np.float64))
        gap = np.abs(out_row - gross_output).max() / max(gross_output.max(), 1.0)
        audit = f'{{"out_row_vs_row_identity_max_reldiff": {gap:.3e}}}'
    totals = {"gross_output": float(Zb.sum() + Fb.sum()), "intermediate": float(Zb.sum()),
              "final": float(Fb.sum())}
    return IcioTables(countries, sectors, intermediate, final, use, gross_output, value_added,
                      "exact", year, totals, audit)
