"""The store's reuse key is everything that made a run: the spec, the World, the code and the run kind. A run stored
by older code used to be reused after the code changed (a new metric then showed "–" until --force)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import geoshift
from geoshift.results import run as run_module
from geoshift.results.codekey import code_key
from geoshift.results.records import RunRecord
from geoshift.results.store import RunStore
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World

SCENARIO = "name: reuse\nshocks:\n  - {kind: trade_cost, exporters: CHN, importers: USA, percent: 10}\n"


def test_code_key_is_the_version_and_a_source_hash() -> None:
    key = code_key()
    version, _, digest = key.partition("+")
    assert version == geoshift.__version__ and len(digest) == 16 and int(digest, 16) >= 0


def test_a_run_by_other_code_is_not_reused(tmp_path: Path, small_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    scenario = parse_scenario(SCENARIO)
    first = geoshift.run(scenario, small_world, store=store)
    assert (first.record.kind, first.record.code_key) == ("scenario", code_key())
    assert geoshift.run(scenario, small_world, store=store).reused
    monkeypatch.setattr(run_module, "code_key", lambda: "0.1.0+0000000000000000")
    changed = geoshift.run(scenario, small_world, store=store)
    assert not changed.reused and changed.record.code_key == "0.1.0+0000000000000000"
    assert geoshift.run(scenario, small_world, store=store).reused  # now the new code's run is reused
    assert len(store.list()) == 2


def test_a_game_run_with_the_same_hash_is_not_a_scenario_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    store.save(RunRecord(run_id="g1", name="reuse", description="", spec_yaml="", scenario_hash="h", created="t",
                         metrics=pd.DataFrame(columns=["metric", "country", "partner", "sector", "value", "unit"]),
                         data_key="w", kind="game", code_key=code_key()))
    assert store.find("h", "w", code_key()) is None
    found = store.find("h", "w", code_key(), kind="game")
    assert found is not None and found.run_id == "g1"
    with pytest.raises(ValueError, match="run kind 'gme' is not one of scenario, outcome, game, bargain"):
        RunRecord(run_id="x", name="x", description="", spec_yaml="", scenario_hash="h", created="t",
                  metrics=pd.DataFrame(), kind="gme")


def test_a_store_from_before_kinds_reads_and_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR,
        parent VARCHAR, scenario_hash VARCHAR NOT NULL, data_key VARCHAR NOT NULL, created VARCHAR NOT NULL,
        spec_yaml VARCHAR NOT NULL, diagnostics VARCHAR NOT NULL, provenance VARCHAR NOT NULL)""")
    con.execute("CREATE TABLE metrics (run_id VARCHAR NOT NULL, metric VARCHAR NOT NULL, country VARCHAR, "
                "partner VARCHAR, sector VARCHAR, value DOUBLE, unit VARCHAR)")
    for run_id, name in (("a1", "game:detente"), ("b1", "bargain:ec"), ("s1", "two_blocs")):
        con.execute("INSERT INTO runs VALUES (?, ?, '', NULL, 'h', 'w', '2025', '', '{}', '[]')", [run_id, name])
    con.close()
    store = RunStore(path)
    kinds = {r.run_id: (r.kind, r.name, r.code_key) for r in store.list()}
    assert kinds == {"a1": ("game", "detente", ""), "b1": ("bargain", "ec", ""), "s1": ("scenario", "two_blocs", "")}
    assert store.get("game:detente").run_id == "a1"
    assert store.find("h", "w", code_key()) is None  # a legacy run never stands in for the current code's


def test_an_outcome_run_has_headline_metrics_only_and_is_keyed_apart(tmp_path: Path, small_world: World) -> None:
    """A game's outcome scenarios need real income and the budget term, not the evidence metrics (elasticity
    sensitivity, centrality) every headline run computes; their stored runs never stand in for each other."""
    store = RunStore(tmp_path / "runs.duckdb")
    scenario = parse_scenario(SCENARIO)
    outcome = run_module.Runner(small_world, store, kind="outcome").run(scenario)
    full = run_module.Runner(small_world, store).run(scenario)
    assert not full.reused and full.record.kind == "scenario" and outcome.record.kind == "outcome"
    names = set(outcome.metrics["metric"])
    assert "real_income_change_pct" in names and "energy_budget_share_after_pct" in set(full.metrics["metric"])
    assert not names & {"real_income_change_pct_theta_low", "centrality_pagerank"}
    assert {"real_income_change_pct_theta_low", "centrality_pagerank"} <= set(full.metrics["metric"])
    same = outcome.metrics.set_index(["metric", "country", "partner", "sector"])["value"]
    other = full.metrics.set_index(["metric", "country", "partner", "sector"])["value"]
    shared = same.index.intersection(other.index)
    assert len(shared) == len(same) and (same[shared] - other[shared]).abs().max() == 0.0
    assert run_module.Runner(small_world, store, kind="outcome").run(scenario).reused
    with pytest.raises(ValueError, match="a Runner solves scenario or outcome runs, not 'game'"):
        run_module.Runner(small_world, kind="game")

