"""The code a run was computed with: the package version plus a hash of the package's source and data files.
Part of the store's reuse key, so a run computed by older code is never reused for a new one."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from geoshift.version import __version__

SOURCE_SUFFIXES = (".py", ".csv", ".yaml", ".json", ".md")


@functools.cache
def code_key() -> str:
    """``VERSION+HASH16`` over every source and data file of the installed package (not caches)."""
    root = Path(__file__).resolve().parents[1]  # the geoshift package folder
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"
