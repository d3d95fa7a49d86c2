"""The shipped realignment scenarios (``scenarios/`` in the source tree, ``geoshift/_scenarios`` when installed)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SHIPPED_ORDER = (
    "baseline",
    "west_embargo_russia",
    "us_russia_detente",
    "russia_pivots_west",
    "china_russia_decouple",
    "two_blocs",
)


def shipped_dir() -> Path:
    installed = Path(str(resources.files("geoshift"))) / "_scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "scenarios"  # a source checkout (editable install)


def shipped_scenarios() -> list[Path]:
    folder = shipped_dir()
    return [folder / f"{name}.yaml" for name in SHIPPED_ORDER if (folder / f"{name}.yaml").is_file()]
