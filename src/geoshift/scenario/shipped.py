"""The shipped files: realignment scenarios, games and claims (``scenarios/``, ``games/``, ``claims/`` in the source
tree; ``geoshift/_scenarios``, ``_games``, ``_claims`` when installed)."""

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


def shipped_folder(kind: str) -> Path:
    """The folder of shipped ``scenarios``, ``games`` or ``claims``."""
    installed = Path(str(resources.files("geoshift"))) / f"_{kind}"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / kind  # a source checkout (editable install)


def shipped_dir() -> Path:
    return shipped_folder("scenarios")


SHIPPED_CLAIMS = ("detente_rebuttal", "detente_proposal")


def shipped_claims() -> list[Path]:
    folder = shipped_folder("claims")
    return [folder / f"{name}.yaml" for name in SHIPPED_CLAIMS if (folder / f"{name}.yaml").is_file()]


def shipped_scenarios() -> list[Path]:
    folder = shipped_dir()
    return [folder / f"{name}.yaml" for name in SHIPPED_ORDER if (folder / f"{name}.yaml").is_file()]
