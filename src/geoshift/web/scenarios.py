"""Scenarios as the API receives them: YAML text (validated by the same parser as scenario files, with the same
one-line errors and line numbers) or the name of a shipped scenario. ``extends`` may name a shipped scenario only:
no request makes the server read a file of the client's choosing."""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
from pathlib import Path

from geoshift.errors import ScenarioError
from geoshift.scenario.shipped import shipped_dir, shipped_folder
from geoshift.scenario.spec import Scenario, load_scenario
from geoshift.scenario.spec import scenario_from_text as spec_from_text
from geoshift.web.errors import NotFoundError

#: how the request's YAML is named in messages ("scenario:7: shocks[0].percent: ...")
SOURCE = "scenario"
SHIPPED_KINDS = ("scenarios", "games", "claims")


class UnknownScenarioError(NotFoundError):
    """No shipped scenario by that name (404 where the name is the resource asked for)."""


def shipped_paths() -> dict[str, Path]:
    """Every shipped scenario file by name."""
    return {p.stem: p for p in sorted(shipped_dir().glob("*.yaml"))}


def shipped_scenario(name: str) -> Scenario:
    paths = shipped_paths()
    if name not in paths:
        hint = difflib.get_close_matches(name, list(paths), n=1)
        raise ScenarioError(f"no shipped scenario {name!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                            + f"; shipped: {', '.join(paths)}")
    return load_scenario(paths[name])


def scenario_from_text(text: str) -> Scenario:
    """Validate scenario YAML text and resolve ``extends`` among the shipped scenarios (the library's reader: the
    same one-line errors as the CLI, the request named ``scenario``)."""
    return spec_from_text(text, SOURCE)


#: an absolute file path in a message (not the path part of a URL: no letter, colon, slash or dot before it)
SERVER_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s/:;,'\"()]+/)*[^\s/:;,'\"()]+")


def server_roots() -> tuple[str, ...]:
    """Folders of this server that a message must not show: the home and temporary folders (the store, the data
    and cache folders live there by default), the working folder, the Python environment and the package."""
    roots = {str(Path.home()), tempfile.gettempdir(), str(Path.cwd()), sys.prefix, str(Path(__file__).parents[1])}
    return tuple(sorted((r.rstrip("/") for r in roots if len(r) > 1), key=len, reverse=True))


def public_message(message: str) -> str:
    """A message without the server's folders: shipped files are named as in the source tree
    (``scenarios/west_embargo_russia.yaml``), any other path under one of the server's folders by its last part
    (the store's ``runs.duckdb``, the data folder's ``unga``); a path the client sent is left as it was."""
    for kind in SHIPPED_KINDS:
        message = message.replace(str(shipped_folder(kind)), kind)
    roots = server_roots()

    def scrub(match: re.Match[str]) -> str:
        path = match.group(0)
        under = any(path == root or path.startswith(root + "/") for root in roots)
        return path.rsplit("/", 1)[-1] if under else path

    return SERVER_PATH.sub(scrub, message)


def error_line(message: str) -> int | None:
    """The line of the request's YAML an error message points at (``scenario:LINE``), if any."""
    match = re.match(rf"^{SOURCE}:(\d+)", message)
    return int(match.group(1)) if match else None
