"""Every `geoshift …` command line in the README's shell blocks names a real command with real options, and the
first screen has exactly the two set-up commands: a README sentence that is not true is a bug."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from geoshift.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def shell_lines() -> list[str]:
    """The commands of the README's ```bash blocks, without comments; pipelines split into their commands."""
    text = README.read_text(encoding="utf-8")
    lines: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = line.split(" #", 1)[0].strip()
            lines += [part.strip() for part in re.split(r"\s(?:\||&&)\s", command) if part.strip()]
    return lines


def geoshift_lines() -> list[str]:
    return [line for line in shell_lines() if line.startswith("geoshift ")]


def is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The (sub)command the words name (typer's own click objects), and the words after it."""
    command: Any = typer.main.get_command(app)
    rest = list(words)
    while is_group(command) and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


def test_the_first_screen_has_exactly_the_two_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)```", text, flags=re.S)
    assert first is not None and text.index(first.group(0)) < 1500  # before the first screen ends
    commands = [line.split(" #", 1)[0].strip() for line in first.group(1).splitlines() if line.strip()]
    assert commands == ['pip install . && geoshift run', 'pip install ".[test]" && pytest']
    assert "geoshift serve" in text[:text.index("\n## ")]  # the web app is named on the first screen


def test_the_readme_shows_many_commands() -> None:
    assert len(geoshift_lines()) >= 40


@pytest.mark.parametrize("line", geoshift_lines())
def test_every_readme_command_and_option_exists(line: str) -> None:
    words = shlex.split(line.replace("[", "").replace("]", ""))[1:]
    root_options = {o for p in typer.main.get_command(app).params for o in getattr(p, "opts", [])}
    while words and words[0] in root_options:  # geoshift --data-dir D COMMAND ...
        words = words[2:]
    command, rest = resolve(words)
    assert not is_group(command), f"{line!r}: {words[:1]} is not a command of {command.name or 'geoshift'}"
    known = {opt for p in command.params for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]}
    for word in rest:
        if word.startswith("--"):
            assert word.split("=", 1)[0] in known, f"{line!r}: {command.name} has no option {word}"
