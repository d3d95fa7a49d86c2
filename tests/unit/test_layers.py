"""Data flows one way: data -> world -> scenario -> engines -> results -> analysis/report -> CLI. A module may
import its own layer or a lower one, never a higher one, and never another module's private (``_name``) names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "geoshift"
#: layer of each top-level module or subpackage; foundations (errors, config, version) are below everything
LAYERS = {"errors": 0, "config": 0, "version": 0, "data": 1, "world": 2, "scenario": 3, "engines": 4,
          "results": 5, "analysis": 6, "report": 6, "claims": 6, "commands": 7, "cli": 7, "web": 7, "__main__": 7,
          "__init__": 8}


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every ``geoshift`` import in ``path``."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "geoshift":
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.split(".")[0] == "geoshift"]
    return out


def layer_of(parts: list[str]) -> str:
    """``['engines', 'energy', 'lp']`` -> ``engines``; the package itself -> ``__init__``."""
    return parts[0] if parts else "__init__"


def violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("").parts
        own = layer_of(list(rel))
        for module, names in imports(path):
            parts = module.split(".")[1:] or names[:1]  # ``from geoshift import config``: the module is the name
            target = layer_of(parts)
            if target not in LAYERS or own not in LAYERS:
                found.append(f"{'/'.join(rel)}: layer of {target if target not in LAYERS else own!r} unknown; "
                             f"add it to LAYERS")
            elif LAYERS[target] > LAYERS[own]:
                found.append(f"{'/'.join(rel)} ({own}) imports {module} ({target}), a higher layer")
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private and module != "geoshift." + ".".join(rel):
                found.append(f"{'/'.join(rel)} imports private {', '.join(private)} from {module}")
    return found


def test_no_module_imports_a_higher_layer_or_private_names() -> None:
    assert violations() == []


@pytest.mark.parametrize(("source", "message"), [
    ("from geoshift.engines.energy.lp import EnergyOptions\n", "(scenario) imports geoshift.engines.energy.lp"),
    ("from geoshift.scenario.spec import _explain\n", "imports private _explain"),
])
def test_the_check_catches_an_upward_or_private_import(tmp_path: Path, source: str, message: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "geoshift"
    (fake / "scenario").mkdir(parents=True)
    (fake / "scenario" / "bad.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE", fake)
    assert any(message in v for v in violations())
