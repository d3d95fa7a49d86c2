"""Scenarios as the API receives them: YAML text (validated by the same parser as scenario files, with the same
one-line errors and line numbers) or the name of a shipped scenario. ``extends`` may name a shipped scenario only:
no request makes the server read a file of the client's choosing."""

from __future__ import annotations

import difflib
import re
import sys
import tempfile
from pathlib import Path

from yaml.reader import Reader

from geoshift.errors import ScenarioError
from geoshift.scenario.shipped import shipped_dir, shipped_folder
from geoshift.scenario.spec import Scenario, load_scenario, parse_scenario
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


def _line_of_extends(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^extends\s*:", line):
            return number
    return None


def check_printable(text: str) -> None:
    """YAML allows no control characters; PyYAML's reader refuses them before ``parse_yaml`` can name the line
    (see the report: ``parse_yaml`` should build its loader inside its ``try``)."""
    found = Reader.NON_PRINTABLE.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        raise ScenarioError(f"{SOURCE}:{line}:{column}: YAML error: character #x{ord(found.group()):04x} is not "
                            f"allowed (control characters cannot appear in YAML text); remove it")


def scenario_from_text(text: str) -> Scenario:
    """Validate scenario YAML text and resolve ``extends`` among the shipped scenarios."""
    check_printable(text)
    scenario = parse_scenario(text, SOURCE)
    if scenario.extends is None:
        return scenario
    paths = shipped_paths()
    if scenario.extends not in paths:
        line = _line_of_extends(text)
        hint = difflib.get_close_matches(scenario.extends, list(paths), n=1)
        raise ScenarioError(f"{SOURCE}{'' if line is None else f':{line}'}: extends {scenario.extends!r}: not a "
                            f"shipped scenario" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                            + f"; a scenario sent to the server may extend only these: {', '.join(paths)}")
    with tempfile.TemporaryDirectory(prefix="geoshift-request-") as folder:
        path = Path(folder) / f"{SOURCE}.yaml"  # extends names a shipped stem, never this file
        path.write_text(text, encoding="utf-8")
        loaded = load_scenario(path)
    here = str(path)
    return loaded.model_copy(update={
        "source": SOURCE, "shock_origins": [o.replace(here, SOURCE) for o in loaded.shock_origins]})


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
