"""Where geoshift keeps data packs and caches. Resolution order: explicit argument, environment
variable (``GEOSHIFT_DATA_DIR`` / ``GEOSHIFT_CACHE_DIR``), then the platform's user directories."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "geoshift"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Folder holding the data-pack wheels."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("GEOSHIFT_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "packs"


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Folder holding the parsed-table cache (DuckDB files)."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get("GEOSHIFT_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME))


def offline() -> bool:
    """True when ``GEOSHIFT_OFFLINE`` is set (to anything but 0/empty): never fetch data packs."""
    return os.environ.get("GEOSHIFT_OFFLINE", "") not in ("", "0")
