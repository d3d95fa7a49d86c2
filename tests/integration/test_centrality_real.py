"""Centrality and value-added trade on the real World (ICIO 2022, 80 economies x 50 sectors): the TiVA identities
to 1e-9, the structured solver against an exact dense LU, the network measures against networkx, a scenario solved
through the Runner, and the ``centrality`` command as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from geoshift.engines.network import centrality as cn
from geoshift.results.run import Runner
from geoshift.scenario.spec import load_scenario
from geoshift.world import World

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[2]
DETENTE = ROOT / "scenarios" / "us_russia_detente.yaml"


def relative_gap(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1.0)))


@pytest.fixture(scope="module")
def baseline(real_world: World) -> cn.CentralityScores:
    return cn.baseline_centrality(real_world)


@pytest.fixture(scope="module")
def detente_flows(real_world: World) -> np.ndarray:
    results = Runner(real_world, draws=0).run(load_scenario(DETENTE))
    assert results.ge is not None
    flows: np.ndarray = results.ge.X_new
    return flows


def test_value_added_identities_hold_to_1e_9(real_world: World, baseline: cn.CentralityScores) -> None:
    tiva = baseline.value_added
    assert relative_gap(tiva.va.sum(axis=1), real_world.value_added.sum(axis=1)) < 1e-9  # by origin = its VA
    assert relative_gap(tiva.va.sum(axis=0), real_world.final.sum(axis=(0, 2))) < 1e-9  # by destination = its FD
    assert relative_gap(tiva.content.sum(axis=0), real_world.exports.sum(axis=1)) < 1e-9  # VA content = exports
    assert tiva.residual <= cn.LEONTIEF_RTOL
    assert np.all(tiva.upstreamness >= 1.0 - 1e-12)
    assert np.all((tiva.gvc_backward > 0) & (tiva.gvc_backward < 100))
    assert float(tiva.va_exports.sum()) == pytest.approx(float(tiva.va_imports.sum()), rel=1e-12)


def test_the_structured_solver_matches_an_exact_dense_lu(real_world: World, baseline: cn.CentralityScores) -> None:
    dense = cn.value_added_trade(cn.world_io_table(real_world), method="dense")
    tiva = baseline.value_added
    assert relative_gap(tiva.va, dense.va) < 1e-10
    assert relative_gap(tiva.content, dense.content) < 1e-10
    assert relative_gap(tiva.upstreamness, dense.upstreamness) < 1e-10


def test_network_measures_match_networkx(real_world: World, baseline: cn.CentralityScores) -> None:
    T = cn.trade_matrix(real_world.X)
    n = len(T)
    G = nx.from_numpy_array(T, create_using=nx.DiGraph)
    pr = nx.pagerank(G, weight="weight", tol=1e-15, max_iter=100_000)
    hubs, authorities = nx.hits(G, tol=1e-15, max_iter=100_000)
    ev = nx.eigenvector_centrality_numpy(nx.from_numpy_array(T + T.T), weight="weight", tol=0)
    ev_array = np.array([ev[i] for i in range(n)])
    for key, theirs in (("pagerank", np.array([pr[i] for i in range(n)])), ("eigenvector", ev_array / ev_array.sum()),
                        ("hubs", np.array([hubs[i] for i in range(n)])),
                        ("authorities", np.array([authorities[i] for i in range(n)]))):
        assert np.allclose(baseline.scores[key], theirs, rtol=1e-8, atol=1e-13), key


def test_the_big_economies_lead(real_world: World, baseline: cn.CentralityScores) -> None:
    top = {key: [real_world.countries[i] for i in np.argsort(-baseline.scores[key])[:3]]
           for key in ("pagerank", "va_exports", "hubs")}
    for key, leaders in top.items():
        assert {"USA", "CHN"} <= set(leaders), (key, leaders)


def test_a_scenario_keeps_the_identities_and_moves_russia(real_world: World, detente_flows: np.ndarray,
                                                          baseline: cn.CentralityScores) -> None:
    after = cn.scenario_centrality(real_world, detente_flows)
    table = cn.counterfactual_io_table(cn.world_io_table(real_world), real_world.X, detente_flows)
    tiva = after.value_added
    assert relative_gap(tiva.va.sum(axis=1), table.value_added.sum(axis=1)) < 1e-9
    assert relative_gap(tiva.va.sum(axis=0), table.final_demand) < 1e-9
    assert table.negative_final < 1e-6 * float(table.output.sum())
    rus = real_world.countries.index("RUS")
    assert after.scores["pagerank"][rus] < baseline.scores["pagerank"][rus]  # the coalition's embargo stays
    assert after.scores["va_exports"][rus] < baseline.scores["va_exports"][rus]
    metrics = cn.centrality_metrics(real_world, detente_flows)
    assert len(metrics) == 2 * len(cn.MEASURES) * len(real_world.countries)
    assert set(metrics["partner"]) == {"baseline", "scenario"}


def run_command(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``geoshift centrality`` as a process: through the main CLI once it registers the command, else alone."""
    from geoshift.cli import app

    registered = any(c.name == "centrality" for c in app.registered_commands)
    module = ["-m", "geoshift"] if registered else ["-m", "geoshift.commands.centrality"]
    return subprocess.run([sys.executable, *module, "centrality", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300, check=False)


def test_the_command_as_a_process(cli_env: dict[str, str]) -> None:
    result = run_command("--measure", "pagerank", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    rows = data["measures"][0]["rows"]
    assert len(rows) == 80 and [r["rank_before"] for r in rows] == list(range(1, 81))
    assert sum(r["score_before"] for r in rows) == pytest.approx(1.0)
    table = run_command("--measure", "va_exports", "--top", "5", "--scenario", str(DETENTE), env=cli_env)
    assert table.returncode == 0, table.stderr
    assert "value-added exports (US$ bn), largest movers first: us_russia_detente" in table.stdout
    assert "RUS" in table.stdout and "rank change" in table.stdout


def test_a_bad_measure_is_one_line_and_exit_2(cli_env: dict[str, str]) -> None:
    result = run_command("--measure", "closeness", env=cli_env)
    assert result.returncode == 2
    assert "--measure 'closeness' is not a centrality measure" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
