from __future__ import annotations

import pytest

from geoshift.data.groups import country_groups, group_members
from geoshift.errors import UnknownValueError


def test_groups_carry_sources_and_flags() -> None:
    frame = country_groups()
    assert {"group", "iso3", "joined_year", "left_year", "source", "verified"} <= set(frame.columns)
    assert frame["source"].notna().all()
    assert set(frame["verified"]) <= {"found", "derived", "memory"}


def test_membership_respects_years() -> None:
    eu_2019 = group_members("EU27", 2019)
    eu_2022 = group_members("EU", 2022)
    assert "GBR" in eu_2019 and "GBR" not in eu_2022
    assert len(eu_2022) == 27
    assert "HRV" not in group_members("EU", 2012) and "HRV" in group_members("EU", 2013)
    assert {"USA", "JPN", "DEU"} <= set(group_members("G7"))
    assert "FIN" in group_members("NATO", 2023) and "SWE" not in group_members("NATO", 2023)
    assert "SWE" in group_members("NATO", 2024)


def test_unknown_group_suggests_names() -> None:
    with pytest.raises(UnknownValueError, match="NATO"):
        group_members("NAT0")
