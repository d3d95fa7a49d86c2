"""The command line starts light and speaks the files' vocabulary.

- ``import geoshift.cli`` (what ``geoshift --help`` pays) imports no pandas, numpy, duckdb, plotly, scipy, FastAPI
  nor the engines: a check on ``sys.modules`` in a fresh interpreter (the timing is in benchmarks/cli_bench.py).
- The defaults the light command modules spell out for their help agree with the modules they stand for.
- Option names are the scenario files' field names with ``-`` for ``_`` (``--elasticity`` / ``elasticities``,
  ``--both-ways`` / ``both_ways``, ``--group-year`` / ``data.group_year``); the old spellings still work, hidden.
- ``geoshift serve`` is registered: a public address without a token is refused in one line before anything
  starts, and ``$GEOSHIFT_TOKEN`` reaches the server as its token.
"""

from __future__ import annotations

import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from geoshift.cli import app
from geoshift.scenario.spec import Scenario

HEAVY = ("pandas", "numpy", "duckdb", "plotly", "scipy", "fastapi", "uvicorn", "openpyxl", "networkx", "nashpy",
         "geoshift.engines", "geoshift.results", "geoshift.world", "geoshift.web", "geoshift.report",
         "geoshift.scenario", "geoshift.claims", "geoshift.analysis")


def loaded_after(statement: str) -> list[str]:
    code = (f"import sys\n{statement}\n"
            f"print('\\n'.join(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in {HEAVY!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return [line for line in done.stdout.splitlines() if line]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    assert loaded_after("import geoshift.cli") == []


def test_importing_the_package_is_lazy_but_complete() -> None:
    assert loaded_after("import geoshift") == []
    assert "pandas" in loaded_after("import geoshift; geoshift.load_world")  # a public name loads its module
    import geoshift

    for name in geoshift.__all__:
        assert getattr(geoshift, name) is not None
    assert set(geoshift.__all__) <= set(dir(geoshift))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = geoshift.nope


def test_help_lists_every_command_without_loading_them() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys\nsys.argv = ['geoshift', '--help']\n"
                           "from geoshift.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
                           "print('LOADED', 'pandas' in sys.modules)"],
                          capture_output=True, text=True, check=True, timeout=120, env={"COLUMNS": "120"})
    for command in ("run", "runs", "compare", "ge", "game", "energy", "ensemble", "check", "serve", "world"):
        assert f" {command} " in done.stdout
    assert "LOADED False" in done.stdout


def test_help_defaults_agree_with_the_modules_they_stand_for() -> None:
    from geoshift.commands import alignment, centrality, minerals
    from geoshift.data import unga
    from geoshift.engines.minerals import risk
    from geoshift.engines.network.centrality import MEASURE_BY_KEY

    assert tuple(MEASURE_BY_KEY) == centrality.MEASURE_KEYS
    assert (alignment.UNGA_ENV_VAR, alignment.DEFAULT_MEASURE) == (unga.ENV_VAR, unga.DEFAULT_MEASURE)
    assert (minerals.CU_REFERENCE_CF, minerals.MISSING_INSTABILITY) == (risk.CU_REFERENCE_CF,
                                                                       risk.MISSING_INSTABILITY)


# -- one vocabulary ----------------------------------------------------------------------------------------------


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def file_vocabulary(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    """Every field name of a scenario file at any depth, and every shock kind."""
    seen = set() if seen is None else seen
    if model in seen:
        return set()
    seen.add(model)
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if name == "kind":
            names.update(str(k) for k in typing.get_args(info.annotation))
        for inner in _models(info.annotation):
            names |= file_vocabulary(inner, seen)
    return names


def options(command: str) -> dict[str, Any]:
    """The command's parameters by name (typer's click objects: ``opts``, ``secondary_opts``, ``hidden``)."""
    group: Any = typer.main.get_command(app)
    found = group.commands[command]
    return {p.name: p for p in found.params if p.name}


#: options of the commands that are not fields of a scenario file, and why
CLI_ONLY = {"print_scenario", "top", "as_json", "out_dir", "store", "force", "report", "claims", "backend",
            "scheduler", "csv_dir", "parquet", "xlsx", "scenario_file", "files", "file"}


def _spelled(param: Any) -> list[str]:
    return [o.lstrip("-").split("/")[0] for o in (*param.opts, *getattr(param, "secondary_opts", ()))
            if o.startswith("--")]


@pytest.mark.parametrize("command", ["ge", "run", "ensemble", "energy"])
def test_scenario_flags_are_the_files_field_names(command: str) -> None:
    vocabulary = file_vocabulary(Scenario)
    for name, param in options(command).items():
        if name in CLI_ONLY or getattr(param, "hidden", False):
            continue
        field = name if name != "default_uncertainty" else "uncertainty"
        assert field in vocabulary or f"{field}s" in vocabulary or f"{field[:-1]}ies" in vocabulary, (command, name)
        for flag in _spelled(param):  # the flag is the parameter's name with - for _ (or its --no-/--one- pair)
            assert flag.replace("-", "_") == name or flag in ("one-way", "no-" + name.replace("_", "-")), flag


def test_ge_flags_by_name() -> None:
    visible = {p.opts[0]: p for p in options("ge").values() if not getattr(p, "hidden", False)}
    assert {"--embargo", "--trade-cost", "--sectors", "--both-ways", "--elasticity", "--deficits",
            "--group-year"} <= set(visible)
    assert "--theta" not in visible and "--cost" not in visible and "--one-way" not in visible


def test_group_names_are_the_same_in_the_cli_and_the_files() -> None:
    from geoshift.commands.world import GROUP_NAMES
    from geoshift.data.groups import ALIASES

    # the groups file says EU where scenario files, metrics and game players say EU27: the CLI shows EU27
    assert {v: k for k, v in ALIASES.items() if k == "EU27"} == GROUP_NAMES


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--embargo", "RUS:USA", "--elasticity", "C19=10"], {"elasticities": {"C19": 10.0}, "both_ways": True}),
        (["--embargo", "RUS:USA", "--theta", "C19=10", "--one-way"], {"elasticities": {"C19": 10.0},
                                                                       "both_ways": False}),
        (["--trade-cost", "CHN:USA=25", "--group-year", "2020"], {"percent": 25.0, "group_year": 2020}),
        (["--cost", "CHN:USA=25", "--deficits", "removed"], {"percent": 25.0, "deficits": "removed"}),
    ],
)
def test_ge_flags_write_the_fields_of_the_same_name(args: list[str], expected: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["ge", *args, "--print-scenario"])
    assert result.exit_code == 0, result.output
    spec = yaml.safe_load(result.stdout)
    flat: dict[str, Any] = {**spec, **spec.get("data", {}), **spec.get("engine", {}), **spec["shocks"][0]}
    for key, value in expected.items():
        assert flat[key] == value, (key, flat)


# -- geoshift serve ------------------------------------------------------------------------------------------------


def test_serve_refuses_a_public_address_without_a_token_in_one_line() -> None:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "geoshift", "serve", "--host", "0.0.0.0", "--port", "0"],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "token" in lines[0].lower() and "0.0.0.0" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_serve_passes_its_options_and_the_token_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    import geoshift.commands.serve as serve_module

    calls: list[tuple[Any, ...]] = []
    loaders: list[Any] = []

    def fake_serve(*args: Any, world_loader: Any) -> None:
        calls.append(args)
        loaders.append(world_loader)

    monkeypatch.setattr(serve_module, "serve", fake_serve)
    result = CliRunner().invoke(app, ["--cache-dir", str(tmp_path / "nowhere"), "serve", "--port", "8123",
                                      "--store", str(tmp_path / "runs.duckdb")], env={"GEOSHIFT_TOKEN": "s3cret"})
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 8123, "s3cret", tmp_path / "runs.duckdb")]
    # the World the server loads honours the root options (--data-dir, --cache-dir)
    import geoshift.world as world_module

    seen: dict[str, Any] = {}
    monkeypatch.setattr(world_module, "load_world", lambda **kw: seen.update(kw))
    loaders[0]()
    assert seen == {"data_dir": None, "cache_dir": tmp_path / "nowhere"}
    result = CliRunner().invoke(app, ["serve", "--host", "::1", "--token", "t"], env={"GEOSHIFT_TOKEN": ""})
    assert calls[-1] == ("::1", 8000, "t", None)
    assert isinstance(serve_module, types.ModuleType)
