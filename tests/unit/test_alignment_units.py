"""The alignment analysis on toy ideal points and a toy ATOP table (the shapes ``unga.parse_unga`` and
``atop.parse_atop`` return), every value worked out by hand: window labels, alliance ties by year, the JSON form
of a pair, the reference pairs, and the one-line errors in full."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geoshift.analysis.alignment import (
    NOT_COVERED,
    Window,
    alliance_ties,
    distance_series,
    distance_table,
    in_window,
    pair_alignment,
    parse_window,
    reference_alignments,
    resolve_code,
    trend_per_decade,
    volatility,
    year_on_year,
)
from geoshift.data.atop import FLAGS
from geoshift.errors import InputError, UnknownCountryError, UnknownValueError

NAMES = ("defense", "offense", "neutrality", "non-aggression", "consultation")
CCODE = {"USA": 2, "RUS": 365, "CHN": 710, "GBR": 200, "YUG": 345}
COUNTRY = {"USA": "United States", "RUS": "Russia", "CHN": "China", "GBR": "United Kingdom", "YUG": "Serbia"}


def points(rows: dict[str, dict[int, float]], *, renamed: dict[str, str] | None = None) -> pd.DataFrame:
    """Tidy ideal points ``{iso3: {year: ideal point}}``; ``renamed`` gives a country a different name in its last
    year (the name of the latest row is the one shown)."""
    records = []
    for iso3, by_year in rows.items():
        last = max(by_year)
        for year, value in by_year.items():
            name = (renamed or {}).get(iso3) if year == last and iso3 in (renamed or {}) else COUNTRY[iso3]
            records.append({"iso3": iso3, "ccode": CCODE[iso3], "country": name, "year": year, "ideal_point": value})
    frame = pd.DataFrame(records)
    frame["ccode"] = frame["ccode"].astype("Int64")
    return frame


def atop_rows(rows: list[tuple[int, int, int, dict[str, int]]]) -> pd.DataFrame:
    """ATOP directed dyad-years: (ccode1, ccode2, year, {flag column: 1})."""
    records = [{"ccode1": c1, "ccode2": c2, "year": y, **dict.fromkeys(FLAGS, 0), **flags} for c1, c2, y, flags in rows]
    return pd.DataFrame(records, columns=["ccode1", "ccode2", "year", *FLAGS]).astype("int64")


def test_window_labels() -> None:
    assert Window().label() == "2000:"
    assert Window(2000, 2024).label() == "2000:2024"
    assert Window(None, 1991).label() == ":1991"
    assert Window(None, None).label() == ":"


def test_parse_window_edges_and_messages_in_full() -> None:
    assert parse_window("2000:2000") == Window(2000, 2000)  # a one-year window is a window
    assert parse_window(" :1991 ") == Window(None, 1991)
    with pytest.raises(InputError) as exc:
        parse_window("2000")
    assert str(exc.value) == "--window '2000' is not START:END; give years such as 2000:2024, 2000: or :1991"
    with pytest.raises(InputError) as exc:
        parse_window("20001:2024")  # digits, but not four
    assert str(exc.value) == ("--window '20001:2024': '20001' is not a four-digit year; give years such as "
                              "2000:2024")
    with pytest.raises(InputError) as exc:
        parse_window("20x0:2024")  # four characters, not digits
    assert str(exc.value) == "--window '20x0:2024': '20x0' is not a four-digit year; give years such as 2000:2024"
    with pytest.raises(InputError) as exc:
        parse_window("2010:2009")
    assert str(exc.value) == "--window '2010:2009' starts after it ends; give START:END with START <= END"


def test_in_window_applies_both_ends() -> None:
    series = pd.Series([1.0, 2.0, np.nan, 4.0, 5.0], index=[1999, 2000, 2001, 2002, 2003])
    assert list(in_window(series, Window(2000, 2002)).index) == [2000, 2002]
    assert list(in_window(series, Window(None, 2000)).index) == [1999, 2000]
    assert list(in_window(series, Window(2002, None)).index) == [2002, 2003]
    assert list(in_window(series, Window(None, None)).index) == [1999, 2000, 2002, 2003]


def test_distance_table_keeps_only_common_years_named_year() -> None:
    table = distance_table(points({"USA": {2001: 1.0, 2000: 2.0, 2003: 0.5}, "RUS": {2000: -1.0, 2001: 0.0,
                                                                                      2002: 1.0}}), "USA", "RUS")
    assert table.index.name == "year"
    assert list(table.index) == [2000, 2001]
    assert list(table["distance"]) == [3.0, 1.0]
    assert list(table["ccode_a"]) == [2, 2] and list(table["ccode_b"]) == [365, 365]
    assert math.isnan(table["change"].iloc[0]) and table["change"].iloc[1] == -2.0


def test_year_on_year_is_float_and_needs_the_previous_year() -> None:
    changes = year_on_year(pd.Series([1, 4, 9], index=[2000, 2001, 2003]))
    assert changes.dtype == np.float64
    assert math.isnan(changes[2000]) and changes[2001] == 3.0 and math.isnan(changes[2003])


def test_trend_and_volatility_by_hand_and_their_minimum_years() -> None:
    # y = 5 + 2 (year - 2000) with a level far from zero: 2 per year = 20 per decade
    assert trend_per_decade(pd.Series([5.0, 7.0], index=[2000, 2001])) == pytest.approx(20.0, rel=1e-12)
    assert trend_per_decade(pd.Series([105.0, 103.0, 101.0], index=[2000, 2001, 2002])) == pytest.approx(-20.0)
    with pytest.raises(InputError) as exc:
        trend_per_decade(pd.Series([1.0, np.nan], index=[2000, 2001]))
    assert str(exc.value) == "a trend needs at least 2 years of data, got 1"
    with pytest.raises(InputError) as exc:
        volatility(pd.Series([1.0, 2.0], index=[2000, 2001]))
    assert str(exc.value) == "a volatility needs at least 2 year-on-year changes, got 1"


def test_resolve_code_by_name_alias_and_case() -> None:
    frame = points({"USA": {2000: 1.0}, "RUS": {2000: 0.0}, "YUG": {2000: 0.5}})
    assert resolve_code(frame, "rus") == "RUS"
    assert resolve_code(frame, " srb") == "YUG"  # the file's code for Serbia, in either case
    assert resolve_code(frame, "Srb") == "YUG"
    assert resolve_code(frame, " usa ") == "USA"
    assert resolve_code(frame, "Russia") == "RUS"
    with pytest.raises(UnknownCountryError) as exc:
        resolve_code(frame, "Atlantis")
    assert str(exc.value).startswith("unknown country 'Atlantis'; closest codes: ")
    with pytest.raises(UnknownCountryError) as exc:
        resolve_code(frame, "Atlantis", field="country B")
    assert str(exc.value).startswith("unknown country B 'Atlantis'")


def test_alliance_ties_by_year_either_direction_and_coverage() -> None:
    years = list(range(2014, 2021))
    a = pd.Series([2] * len(years), index=years, dtype="Int64")
    b = pd.Series([pd.NA, 365, 365, 365, 365, 365, 365], index=years, dtype="Int64")  # 2014: no code, dropped
    atop = atop_rows([
        (2, 365, 2015, {"atop_defense": 1}),
        (365, 2, 2016, {"atop_consul": 1}),  # the other direction counts too
        (2, 365, 2016, {"atop_nonagg": 1}),
        (2, 710, 2017, {"atop_defense": 1}),  # another pair
        (710, 365, 2017, {"atop_offense": 1}),  # another pair, both codes known elsewhere
        (2, 365, 2015, {"atop_neutral": 1}),
        (999, 998, 2018, {}),  # the file covers 2018 at most
    ])
    ties = alliance_ties(atop, a, b)
    assert ties.index.name == "year" and list(ties.index) == [2015, 2016, 2017, 2018, 2019, 2020]
    assert list(ties.columns) == [*NAMES, "ties"]
    assert list(ties["ties"]) == ["defense, neutrality", "non-aggression, consultation", "none", "none",
                                  NOT_COVERED, NOT_COVERED]
    assert ties.loc[2015, "defense"] == 1 and ties.loc[2015, "offense"] == 0 and ties.loc[2015, "neutrality"] == 1
    assert ties.loc[2016, "consultation"] == 1 and ties.loc[2016, "non-aggression"] == 1
    assert ties.loc[2017, "defense"] == 0 and ties.loc[2017, "offense"] == 0
    assert all(str(ties[n].dtype) == "Int64" for n in NAMES)
    assert all(ties.loc[2019, n] is pd.NA for n in NAMES)


def test_alliance_ties_with_an_empty_file_cover_nothing() -> None:
    years = [2000, 2001]
    ties = alliance_ties(atop_rows([]), pd.Series([2, 2], index=years), pd.Series([365, 365], index=years))
    assert list(ties["ties"]) == [NOT_COVERED, NOT_COVERED]


USA_RUS = {"USA": {2014: 1.0, 2015: 1.5, 2016: 1.2, 2017: 1.4, 2018: 2.0, 2019: 2.1},
           "RUS": {2014: 0.0, 2015: 0.1, 2016: -0.3, 2017: -0.2, 2018: 0.0, 2019: -0.4},
           "CHN": {2014: -0.5, 2015: -0.5, 2016: -0.6, 2017: -0.6, 2018: -0.7, 2019: -0.8}}


def test_pair_with_alliance_ties_in_the_window_and_its_json() -> None:
    atop = atop_rows([(2, 365, 2014, {"atop_consul": 1}), (365, 2, 2016, {"atop_defense": 1, "atop_consul": 1}),
                      (2, 365, 2017, {"atop_nonagg": 1})])
    pair = pair_alignment(points(USA_RUS, renamed={"RUS": "Russian Federation"}), "usa", "Russia",
                          Window(2015, None), measure="IdealPointAll", atop=atop)
    assert (pair.a, pair.b, pair.name_a, pair.name_b) == ("USA", "RUS", "United States", "Russian Federation")
    assert (pair.measure, pair.start, pair.end, pair.years, pair.last_year) == ("IdealPointAll", 2015, 2019, 5, 2019)
    distances = [1.4, 1.5, 1.6, 2.0, 2.5]  # 2015-2019
    assert pair.last_distance == pytest.approx(2.5)
    assert pair.mean_distance == pytest.approx(sum(distances) / 5)
    # the consultation of 2014 is outside the window; 2016 lists defense before consultation
    assert pair.ties_in_window == ("defense", "consultation", "non-aggression")
    assert list(pair.history["ties"]) == ["consultation", "none", "defense, consultation", "non-aggression",
                                          NOT_COVERED, NOT_COVERED]
    data = pair.to_dict()
    assert data["pair"] == "USA–RUS" and data["a"] == "USA" and data["b"] == "RUS"
    assert (data["name_a"], data["name_b"], data["measure"]) == ("United States", "Russian Federation",
                                                                 "IdealPointAll")
    assert data["window"] == {"start": 2015, "end": 2019, "years": 5}
    assert data["last_year"] == 2019 and data["last_distance"] == pytest.approx(2.5)
    assert data["trend_per_decade"] == pair.trend_per_decade and data["volatility"] == pair.volatility
    assert data["mean_distance"] == pair.mean_distance
    assert data["ties_in_window"] == ["defense", "consultation", "non-aggression"]
    first, third, last = data["series"][0], data["series"][2], data["series"][-1]
    assert first["year"] == 2014 and isinstance(first["year"], int)
    assert first["ideal_a"] == 1.0 and first["ideal_b"] == 0.0 and first["distance"] == 1.0
    assert first["change"] is None  # NaN -> None
    assert first["ccode_a"] == 2 and type(first["ccode_a"]) is int and type(first["ccode_b"]) is int
    assert first["consultation"] == 1 and first["defense"] == 0 and first["ties"] == "consultation"
    assert third["change"] == pytest.approx(0.1) and third["defense"] == 1
    assert last["ties"] == NOT_COVERED and last["defense"] is None  # NA -> None
    assert [row["year"] for row in data["series"]] == list(range(2014, 2020))


def test_pair_json_turns_infinities_into_null_and_keeps_plain_values() -> None:
    pair = pair_alignment(points(USA_RUS), "USA", "CHN", Window(2014, 2016))
    history = pair.history.copy()
    history.loc[2015, "distance"] = math.inf
    history["ccode_b"] = pd.array([pd.NA] * len(history), dtype="Int64")
    series = type(pair)(**{**pair.__dict__, "history": history}).to_dict()["series"]
    assert series[1]["distance"] is None and series[0]["distance"] == pytest.approx(1.5)
    assert series[0]["ccode_b"] is None and series[0]["ccode_a"] == 2
    assert pair.ties_in_window == () and "ties" not in pair.history.columns


def test_reference_pairs_and_their_distance_series() -> None:
    frame = points(USA_RUS)
    pairs = reference_alignments(frame, Window(2015, 2018))
    assert [p.label for p in pairs] == ["USA–RUS", "CHN–RUS", "USA–CHN"]
    assert [(p.start, p.end, p.years) for p in pairs] == [(2015, 2018, 4)] * 3
    assert pairs[1].last_distance == pytest.approx(0.7) and pairs[1].measure == "fp"
    series = distance_series(pairs)
    assert list(series) == ["USA–RUS", "CHN–RUS", "USA–CHN"]
    assert series["CHN–RUS"].name == "CHN–RUS"
    assert list(series["USA–CHN"].index) == list(range(2014, 2020))  # the whole history, not only the window
    assert series["USA–CHN"][2019] == pytest.approx(2.9)
    chosen = reference_alignments(frame, Window(2014, 2016), pairs=[("RUS", "USA")], measure="m2")
    assert [(p.label, p.measure) for p in chosen] == [("RUS–USA", "m2")]


def test_pair_errors_in_full() -> None:
    frame = points({"USA": {2014: 1.0, 2015: 1.5, 2016: 1.0}, "RUS": {2015: 0.0, 2016: 0.0}, "GBR": {2000: 1.0},
                    "CHN": {2014: 0.0, 2015: 0.0, 2016: 0.0}})
    with pytest.raises(InputError) as exc:
        pair_alignment(frame, "USA", "usa")
    assert str(exc.value) == "countries A and B are both USA; give two different countries"
    with pytest.raises(UnknownValueError) as exc:
        pair_alignment(frame, "USA", "GBR", measure="m1")
    assert str(exc.value) == "USA and GBR never both have an ideal point (--measure m1); choose another pair"
    with pytest.raises(UnknownValueError) as exc:
        pair_alignment(frame, "USA", "RUS", Window(2014, None))
    assert str(exc.value) == ("--window 2014: holds 2 year(s) with ideal points of both USA and RUS (--measure "
                              "fp), need 3; the pair has data for 2015-2016, so choose a window within it")
    with pytest.raises(UnknownCountryError) as exc:
        pair_alignment(frame, "Atlantis", "USA")
    assert str(exc.value).startswith("unknown country A 'Atlantis'")
    with pytest.raises(UnknownCountryError) as exc:
        pair_alignment(frame, "USA", "Atlantis")
    assert str(exc.value).startswith("unknown country B 'Atlantis'")
    assert pair_alignment(frame, "USA", "CHN", Window(2014, 2016)).years == 3
