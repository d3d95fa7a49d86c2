"""How stable are alignments (issue 13 part 3): distance between UNGA ideal points, its trend and volatility, by
hand on toy series and against plain pandas on the real file; ATOP ties; bad input as one-line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoshift.analysis.alignment import (
    NOT_COVERED,
    Window,
    distance_series,
    pair_alignment,
    parse_window,
    reference_alignments,
    trend_per_decade,
    volatility,
)
from geoshift.data.atop import parse_atop
from geoshift.data.unga import find_unga_file, parse_unga
from geoshift.errors import DataError, InputError, UnknownCountryError, UnknownValueError
from geoshift.report.alignment import render_alignment_section
from tests.conftest import SHARED_DATA

UNGA_DIR = SHARED_DATA / "unga_ideal_points"
UNGA_DTA = UNGA_DIR / "IdealpointsJuly2025.dta"
UNGA_CSV = UNGA_DIR / "idealpoints_july2025.csv"
ATOP_CSV = SHARED_DATA / "peacesciencer_cow_atop" / "atop_alliance.csv.gz"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"fixture not found at {path} (see shared/data/PROVENANCE.md)")
    return path


@pytest.fixture(scope="module")
def dta_points() -> pd.DataFrame:
    return parse_unga(need(UNGA_DTA))


@pytest.fixture(scope="module")
def atop() -> pd.DataFrame:
    return parse_atop(need(ATOP_CSV))


def toy_points(rows: dict[str, dict[int, float]]) -> pd.DataFrame:
    """A tidy ideal-points frame as ``parse_unga`` returns it, from ``{iso3: {year: ideal point}}``."""
    records = [{"iso3": iso3, "ccode": n, "country": iso3, "year": year, "ideal_point": value}
               for n, (iso3, by_year) in enumerate(rows.items(), start=1) for year, value in by_year.items()]
    frame = pd.DataFrame(records)
    frame["ccode"] = frame["ccode"].astype("Int64")
    return frame


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


# -- by hand on a three-year toy series ----------------------------------------------------------------------------

def test_trend_and_volatility_by_hand() -> None:
    # A: 1.0, 1.5, 1.2 and B: 0.0, 0.0, 0.5 in 2000-2002, so the distance is 1.0, 1.5, 0.7
    points = toy_points({"USA": {2000: 1.0, 2001: 1.5, 2002: 1.2}, "RUS": {2000: 0.0, 2001: 0.0, 2002: 0.5}})
    pair = pair_alignment(points, "USA", "RUS", Window(2000, 2002))
    assert pair.history["distance"].tolist() == pytest.approx([1.0, 1.5, 0.7])
    # OLS on years 0, 1, 2: mean distance 3.2/3; sum (x - 1)(d - mean) = -(1.0 - 3.2/3) + (0.7 - 3.2/3) = -0.3,
    # sum (x - 1)^2 = 2, so the slope is -0.15 a year, -1.5 a decade
    assert pair.trend_per_decade == pytest.approx(-1.5)
    # changes +0.5 and -0.8: mean -0.15, deviations +-0.65, sample variance 2 x 0.4225 / 1 = 0.845
    assert pair.volatility == pytest.approx(0.845 ** 0.5)
    assert pair.history["change"].tolist()[1:] == pytest.approx([0.5, -0.8])
    assert (pair.last_year, pair.years) == (2002, 3) and pair.last_distance == pytest.approx(0.7)
    assert pair.mean_distance == pytest.approx(3.2 / 3)


def test_a_missing_year_breaks_the_chain_of_changes() -> None:
    series = pd.Series({2000: 1.0, 2001: 2.0, 2003: 5.0, 2004: 4.0})
    # changes counted: 2001-2000 = +1 and 2004-2003 = -1 (not 2003-2001); sd of (+1, -1) with n - 1 = sqrt(2)
    assert volatility(series) == pytest.approx(2 ** 0.5)
    assert trend_per_decade(series) == pytest.approx(10 * np.polyfit(series.index, series.to_numpy(), 1)[0])
    with pytest.raises(InputError):
        volatility(pd.Series({2000: 1.0, 2001: 2.0, 2003: 5.0}))


def test_the_window_selects_the_years_and_its_default_starts_in_2000() -> None:
    years = range(1995, 2006)
    points = toy_points({"USA": dict.fromkeys(years, 2.0), "CHN": {y: 2.0 - 0.1 * (y - 1995) for y in years}})
    pair = pair_alignment(points, "USA", "CHN")
    assert (pair.start, pair.end, pair.years) == (2000, 2005, 6)
    assert pair.trend_per_decade == pytest.approx(1.0)  # the distance grows by 0.1 a year
    assert pair.volatility == pytest.approx(0.0, abs=1e-12)
    assert parse_window("1990:1999") == Window(1990, 1999)
    assert parse_window(":1991") == Window(None, 1991)
    assert parse_window("2010:") == Window(2010, None)
    assert len(pair.window_rows()) == 6 and len(pair.history) == 11


# -- the real file: USA-RUS against plain pandas on the raw CSV ----------------------------------------------------

def expected_from_csv(a: str, b: str, column: str, start: int) -> dict[str, float]:
    raw = pd.read_csv(need(UNGA_CSV))
    left = raw.loc[raw["iso3c"] == a, ["year", column]].dropna().rename(columns={column: "a"})
    right = raw.loc[raw["iso3c"] == b, ["year", column]].dropna().rename(columns={column: "b"})
    both = left.merge(right, on="year").sort_values("year")
    both = both[both["year"] >= start]
    both["d"] = (both["a"] - both["b"]).abs()
    assert both["year"].diff().dropna().eq(1).all()  # no gap after 2000, so diff() is the year-on-year change
    slope = both["year"].cov(both["d"]) / both["year"].var()
    return {"last_year": float(both["year"].iloc[-1]), "last": float(both["d"].iloc[-1]), "trend": 10 * slope,
            "volatility": float(both["d"].diff().std()), "years": float(len(both))}


@pytest.mark.parametrize(("measure", "column", "last_year"), [("fp", "idealpointfp", 2024),
                                                              ("all", "idealpointall", 2023)])
def test_usa_rus_matches_plain_pandas_on_the_raw_csv(measure: str, column: str, last_year: int) -> None:
    expected = expected_from_csv("USA", "RUS", column, 2000)
    for path, tol in ((UNGA_CSV, 1e-9), (UNGA_DTA, 1e-5)):  # the .dta stores float32
        pair = pair_alignment(parse_unga(need(path), measure=measure), "USA", "RUS", Window(2000, None),
                              measure=measure)
        assert (pair.last_year, pair.years) == (last_year, last_year - 1999) == (expected["last_year"],
                                                                                  expected["years"])
        assert pair.last_distance == pytest.approx(expected["last"], abs=tol)
        assert pair.trend_per_decade == pytest.approx(expected["trend"], abs=tol)
        assert pair.volatility == pytest.approx(expected["volatility"], abs=tol)


def test_real_reference_pairs(dta_points: pd.DataFrame) -> None:
    pairs = {p.label: p for p in reference_alignments(dta_points, parse_window("2000:"))}
    assert list(pairs) == ["USA–RUS", "CHN–RUS", "USA–CHN"]
    # measured on IdealpointsJuly2025.dta, final-passage votes, 2000-2024
    assert pairs["USA–RUS"].last_distance == pytest.approx(2.805, abs=1e-3)
    assert pairs["CHN–RUS"].last_distance == pytest.approx(0.255, abs=1e-3)
    assert pairs["USA–CHN"].last_distance == pytest.approx(3.060, abs=1e-3)
    assert pairs["USA–RUS"].trend_per_decade == pytest.approx(0.069, abs=1e-3)
    assert pairs["CHN–RUS"].trend_per_decade == pytest.approx(-0.215, abs=1e-3)
    assert pairs["USA–RUS"].volatility == pytest.approx(0.163, abs=1e-3)
    assert pairs["CHN–RUS"].name_b == "Russia" and pairs["USA–CHN"].name_a == "United States"
    series = distance_series(list(pairs.values()))
    assert series["CHN–RUS"].index.min() == 1971  # the PRC holds China's seat from the 26th session
    assert 1964 not in series["USA–RUS"].index  # the 19th session (1964) held no recorded votes


def test_country_codes_of_the_file(dta_points: pd.DataFrame) -> None:
    assert dta_points.columns.tolist() == ["iso3", "ccode", "country", "year", "ideal_point"]
    assert not dta_points.duplicated(["iso3", "year"]).any()
    russia = dta_points[dta_points["iso3"] == "RUS"]
    assert set(russia["ccode"]) == {365} and russia["year"].min() == 1946  # the USSR's seat, COW 365
    germany = dta_points[dta_points["iso3"] == "DEU"]  # COW 260 (FRG) to 1989, then 255
    assert set(germany.loc[germany["year"] <= 1989, "ccode"]) == {260}
    assert set(germany.loc[germany["year"] >= 1990, "ccode"]) == {255}
    assert set(dta_points.loc[dta_points["iso3"] == "YMD", "ccode"]) == {680}  # coded YAR in the file
    assert set(dta_points.loc[dta_points["iso3"] == "YAR", "ccode"]) == {678}
    serbia = pair_alignment(dta_points, "SRB", "RUS")  # the file carries Serbia as YUG (COW 345)
    assert serbia.a == "YUG" and serbia.end == 2024


# -- ATOP alliance ties --------------------------------------------------------------------------------------------

def test_atop_ties_by_year(dta_points: pd.DataFrame, atop: pd.DataFrame) -> None:
    usa_rus = pair_alignment(dta_points, "USA", "RUS", Window(1946, None), atop=atop).history["ties"]
    assert usa_rus[1962] == "consultation" and usa_rus[1970] == "none"
    assert usa_rus[2000] == "non-aggression" and usa_rus[2018] == "non-aggression"
    assert usa_rus[2019] == NOT_COVERED  # ATOP v5 ends in 2018
    chn_rus = pair_alignment(dta_points, "CHN", "RUS", atop=atop)
    assert chn_rus.history["ties"][1975] == "defense, non-aggression"  # the 1950 treaty, in force to 1980
    assert chn_rus.history["ties"][2001] == "non-aggression, consultation"
    assert chn_rus.ties_in_window == ("non-aggression", "consultation")
    usa_deu = pair_alignment(dta_points, "USA", "DEU", Window(1973, 2018), atop=atop).history
    assert (usa_deu.loc[1973:2018, "defense"] == 1).all()  # across Germany's COW code change in 1990


def test_atop_bad_input(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found") as exc:
        parse_atop(tmp_path / "none.csv")
    one_line(exc)
    bad = tmp_path / "atop.csv"
    bad.write_text("ccode1,ccode2,year,atop_defense\n2,20,1990,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks column 'atop_offense'") as exc:
        parse_atop(bad)
    assert str(bad) in one_line(exc)
    bad.write_text("ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n"
                   "2,20,1990,yes,0,0,0,0\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 'atop_defense' row 1 holds 'yes', not 0 or 1") as exc:
        parse_atop(bad)
    one_line(exc)


# -- bad input: one-line errors naming the file, the column and the fix --------------------------------------------

def test_missing_file_says_what_to_get(tmp_path: Path) -> None:
    with pytest.raises(DataError) as exc:
        parse_unga(tmp_path / "IdealpointsJuly2025.dta")
    text = one_line(exc)
    assert str(tmp_path / "IdealpointsJuly2025.dta") in text and "not found" in text
    assert "doi:10.7910/DVN/LEJUQZ" in text and "--unga FILE" in text and "GEOSHIFT_UNGA" in text


def test_no_file_given_and_none_in_the_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEOSHIFT_UNGA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with pytest.raises(DataError) as exc:
        find_unga_file()
    text = one_line(exc)
    assert "Estimating Dynamic State Preferences from UN Voting Data" in text
    assert f"save it in {tmp_path / 'geoshift' / 'unga'}" in text
    folder = tmp_path / "geoshift" / "unga"
    folder.mkdir(parents=True)
    (folder / "IdealpointsJuly2025.dta").write_bytes(b"")
    assert find_unga_file() == folder / "IdealpointsJuly2025.dta"
    monkeypatch.setenv("GEOSHIFT_UNGA", str(tmp_path / "x.csv"))
    assert find_unga_file() == tmp_path / "x.csv"
    assert find_unga_file(tmp_path / "y.dta") == tmp_path / "y.dta"


def test_malformed_files(tmp_path: Path) -> None:
    raw = pd.read_csv(need(UNGA_CSV))
    no_iso = tmp_path / "no_iso.csv"
    raw.drop(columns=["iso3c"]).to_csv(no_iso, index=False)
    with pytest.raises(DataError, match=r"lacks column 'iso3c'") as exc:
        parse_unga(no_iso)
    assert str(no_iso) in one_line(exc) and "pass the ideal-points file itself" in str(exc.value)
    no_fp = tmp_path / "no_fp.csv"
    raw.drop(columns=["idealpointfp"]).to_csv(no_fp, index=False)
    with pytest.raises(DataError, match=r"lacks column 'idealpointfp'.*use --measure all") as exc:
        parse_unga(no_fp)
    one_line(exc)
    text_year = tmp_path / "text_year.csv"
    raw.head(3).assign(year=["1946", "forty-seven", "1948"]).to_csv(text_year, index=False)
    with pytest.raises(DataError, match=r"column 'year' row 2 holds 'forty-seven', not a number") as exc:
        parse_unga(text_year)
    one_line(exc)
    garbage = tmp_path / "garbage.dta"
    garbage.write_bytes(b"\x00not a stata file\n" * 10)
    with pytest.raises(DataError, match=r"garbage\.dta cannot be read") as exc:
        parse_unga(garbage)
    one_line(exc)
    wrong = tmp_path / "ideal.xlsx"
    wrong.write_bytes(b"PK")
    with pytest.raises(DataError, match=r"neither \.dta nor \.csv") as exc:
        parse_unga(wrong)
    one_line(exc)
    twice = tmp_path / "twice.csv"
    pd.concat([raw.head(2), raw.head(1)]).to_csv(twice, index=False)
    with pytest.raises(DataError, match="has USA twice in 1946") as exc:
        parse_unga(twice)
    one_line(exc)


def test_unknown_country_names_the_closest(dta_points: pd.DataFrame) -> None:
    with pytest.raises(UnknownCountryError, match=r"unknown country B 'RUX'; closest codes: RUS") as exc:
        pair_alignment(dta_points, "USA", "RUX")
    one_line(exc)
    assert pair_alignment(dta_points, "United States", "Russia").label == "USA–RUS"  # names are accepted
    with pytest.raises(InputError, match="both USA"):
        pair_alignment(dta_points, "USA", "us")


def test_a_window_without_data(dta_points: pd.DataFrame) -> None:
    with pytest.raises(UnknownValueError, match=r"--window 2030:2040 holds 0 year\(s\).*1946-2024") as exc:
        pair_alignment(dta_points, "USA", "RUS", parse_window("2030:2040"))
    one_line(exc)
    with pytest.raises(UnknownValueError, match=r"holds 2 year\(s\)"):  # too few for a volatility
        pair_alignment(dta_points, "USA", "RUS", parse_window("2023:2024"))
    with pytest.raises(UnknownValueError, match=r"CHN and RUS .* 1971-2024"):
        pair_alignment(dta_points, "CHN", "RUS", parse_window("1950:1960"))
    for text, message in (("2000-2024", "not START:END"), ("20:2024", "four-digit year"),
                          ("2024:2000", "starts after it ends")):
        with pytest.raises(InputError, match=message) as bad:
            parse_window(text)
        one_line(bad)


# -- the report section --------------------------------------------------------------------------------------------

def test_report_section_side_by_side(dta_points: pd.DataFrame) -> None:
    pairs = reference_alignments(dta_points)
    html = render_alignment_section(distance_series(pairs), window=(pairs[0].start, pairs[0].end))
    assert html.startswith('<section id="alignment">') and html.endswith("</section>")
    for label in ("USA–RUS", "CHN–RUS", "USA–CHN"):
        assert label in html
    assert "USA–RUS 2.80 in 2024" in html and "doi:10.7910/DVN/LEJUQZ" in html
    assert "absolute difference of their ideal points" in html and "2000–2024" in html
    assert '"xaxis3"' in html  # three panels
    toy = render_alignment_section({"<b>A–B</b>": {2000: 1.0, 2001: 1.5}}, include_plotlyjs=False)
    assert "<b>A–B</b>" not in toy and "&lt;b&gt;A–B&lt;/b&gt; 1.50 in 2001" in toy
