from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from geoshift.data.icio import allocate_final_demand, parse_icio_csv, parse_icio_npz
from geoshift.errors import DataError

RTOL = 1e-12


def test_final_demand_allocation_is_proportional_and_preserves_totals() -> None:
    rng = np.random.default_rng(0)
    intermediate = rng.uniform(0, 10, size=(4, 4, 3))
    intermediate[2, :, 1] = 0.0  # a node with final sales but no intermediate sales
    final_sales = rng.uniform(1, 5, size=(4, 3))
    final = allocate_final_demand(intermediate, final_sales)
    np.testing.assert_allclose(final.sum(axis=1), final_sales, rtol=RTOL)
    share = intermediate[0, :, 0] / intermediate[0, :, 0].sum()
    np.testing.assert_allclose(final[0, :, 0], share * final_sales[0, 0], rtol=RTOL)
    expected_home = np.zeros(4)
    expected_home[2] = final_sales[2, 1]
    np.testing.assert_allclose(final[2, :, 1], expected_home, rtol=RTOL)


def _sector_major_npz(C: int, S: int, seed: int = 1) -> tuple[bytes, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    N = C * S
    Z = rng.uniform(0, 1, size=(N, N))
    Z[:, 3] = 0.0  # a node that buys nothing
    z = rng.uniform(0.5, 2, size=N)
    s = Z.sum(axis=1) + z
    omb = np.where(s > 0, Z.sum(axis=0) / s, 0.0)
    A = np.divide(Z, Z.sum(axis=0, keepdims=True), out=np.zeros_like(Z), where=Z.sum(axis=0) > 0)
    buf = io.BytesIO()
    np.savez(buf, A=A, omb=omb, s=s, z=z, go=s, countries=np.array(["AAA", "BBB", "CCC"][:C]),
             sectors=np.array([f"S{k}" for k in range(S)]))
    return buf.getvalue(), {"Z": Z, "z": z, "s": s}


def test_npz_parser_matches_direct_indexing() -> None:
    C, S = 3, 2
    raw, ref = _sector_major_npz(C, S)
    tables = parse_icio_npz(io.BytesIO(raw))
    Z = ref["Z"]
    node = lambda r, u: r * C + u  # noqa: E731 - sector-major node index
    for i in range(C):
        for j in range(C):
            for s in range(S):
                expected = sum(Z[node(s, i), node(k, j)] for k in range(S))
                assert tables.intermediate[i, j, s] == pytest.approx(expected, rel=RTOL)
    for j in range(C):
        for k in range(S):
            for s in range(S):
                expected = sum(Z[node(k, i), node(s, j)] for i in range(C))
                assert tables.use[j, k, s] == pytest.approx(expected, rel=RTOL)
    np.testing.assert_allclose(tables.gross_output, ref["s"].reshape(S, C).T, rtol=RTOL)
    np.testing.assert_allclose(tables.final.sum(axis=1), ref["z"].reshape(S, C).T, rtol=RTOL)
    np.testing.assert_allclose(tables.value_added + tables.use.sum(axis=1), tables.gross_output, rtol=RTOL)
    assert tables.final_rule == "proportional"


def test_npz_parser_rejects_wrong_shapes_and_garbage(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.savez(buf, A=np.ones((3, 3)), omb=np.ones(2), s=np.ones(2), z=np.ones(2),
             countries=np.array(["AAA"]), sectors=np.array(["S0", "S1"]))
    with pytest.raises(DataError, match="do not match 1 countries x 2 sectors"):
        parse_icio_npz(io.BytesIO(buf.getvalue()))
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not an npz")
    with pytest.raises(DataError, match=r"junk\.npz"):
        parse_icio_npz(junk)


FD = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")


def write_oecd_csv(path: Path) -> dict[str, np.ndarray]:
    """A small table in the OECD ICIO 2025 CSV layout: countries AUS, CN1, CN2, ROW; sectors A01, B06."""
    codes = ["AUS", "CN1", "CN2", "ROW"]
    sectors = ["A01", "B06"]
    rows = [f"{c}_{s}" for c in codes for s in sectors]
    rng = np.random.default_rng(7)
    Z = rng.integers(0, 50, size=(len(rows), len(rows))).astype(float)
    F = rng.integers(20, 60, size=(len(rows), len(codes) * len(FD))).astype(float)
    out = Z.sum(axis=1) + F.sum(axis=1)
    tls = rng.integers(0, 3, size=len(rows)).astype(float)
    va = out - Z.sum(axis=0) - tls
    header = ["V1", *rows, *[f"{c}_{fd}" for c in codes for fd in FD], "OUT"]
    lines = [",".join(header)]
    for n, label in enumerate(rows):
        lines.append(",".join([label, *map(str, Z[n]), *map(str, F[n]), str(out[n])]))
    blank = ["0"] * (len(codes) * len(FD)) + ["0"]
    lines.append(",".join(["TLS", *map(str, tls), *blank]))
    lines.append(",".join(["VA", *map(str, va), *blank]))
    lines.append(",".join(["OUT", *map(str, out), *blank]))
    path.write_text("\n".join(lines) + "\n")
    return {"Z": Z, "F": F, "out": out}


def test_oecd_csv_parser_folds_splits_and_keeps_exact_final_demand(tmp_path: Path) -> None:
    path = tmp_path / "ICIO_small.csv"
    ref = write_oecd_csv(path)
    tables = parse_icio_csv(path, year=2020)
    assert tables.countries == ("AUS", "CHN", "ROW")
    assert tables.sectors == ("A01", "B06")
    assert tables.final_rule == "exact"
    Z, F = ref["Z"], ref["F"]
    # rows: AUS_A01=0, AUS_B06=1, CN1_A01=2, CN1_B06=3, CN2_A01=4, CN2_B06=5, ROW_A01=6, ROW_B06=7
    cn_rows_b06 = [3, 5]
    cn_cols_all = [2, 3, 4, 5]
    expected = Z[np.ix_(cn_rows_b06, cn_cols_all)].sum()
    assert tables.intermediate[1, 1, 1] == pytest.approx(expected, rel=RTOL)
    # inputs of B06 (rows 1, 3, 5, 7, all origins) used by China's A01 (columns CN1_A01=2, CN2_A01=4)
    assert tables.use[1, 1, 0] == pytest.approx(Z[np.ix_([1, 3, 5, 7], [2, 4])].sum(), rel=RTOL)
    # AUS_A01 final demand of CHN = CN1 and CN2 final demand columns (6 categories each)
    fd_chn = list(range(6, 18))
    assert tables.final[0, 1, 0] == pytest.approx(F[0, fd_chn].sum(), rel=RTOL)
    np.testing.assert_allclose(tables.gross_output.sum(), ref["out"].sum(), rtol=RTOL)
    np.testing.assert_allclose(tables.intermediate.sum(axis=1) + tables.final.sum(axis=1),
                               tables.gross_output, rtol=RTOL)
    assert "out_row_vs_row_identity" in tables.audit


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda text: text.replace("AUS_A01,", "AUSA01,", 1), "not of the form CCC_SECTOR"),
        (lambda text: text.replace("\nAUS_B06,", "\nAUS_B06,abc", 1), "non-numeric"),
        (lambda text: text.replace("\nAUS_B06,", "\nAUS_B06,-5", 1), "negative intermediate flow"),
    ],
)
def test_oecd_csv_parser_errors_name_the_problem(tmp_path: Path, mutate: object, message: str) -> None:
    path = tmp_path / "bad.csv"
    write_oecd_csv(path)
    path.write_text(mutate(path.read_text()))  # type: ignore[operator]
    with pytest.raises(DataError, match=message):
        parse_icio_csv(path, year=2020)


def test_oecd_csv_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv"):
        parse_icio_csv(tmp_path / "nope.csv", year=2020)
