"""Centrality and value-added trade (``geoshift.engines.network``) on hand-made networks and input-output tables
with known answers, the scenario rule, the stored metrics, the report section and the ``centrality`` command
(through ``typer.testing.CliRunner`` on a local app it is registered into, on the small example World)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from geoshift.commands import centrality as command
from geoshift.engines.network import centrality as cn
from geoshift.errors import ConvergenceError, InputError
from geoshift.report.centrality import render_centrality_section
from geoshift.results.records import RunRecord
from geoshift.world import World, example_world

# -- networks --------------------------------------------------------------------------------------------------


def star(leaves: int, weight: float = 5.0) -> np.ndarray:
    """Hub 0 trading both ways with every leaf, equally."""
    T = np.zeros((leaves + 1, leaves + 1))
    T[0, 1:] = T[1:, 0] = weight
    return T


def ring(n: int) -> np.ndarray:
    """Each country exports only to the next one, equal values."""
    return np.roll(np.eye(n), 1, axis=1) * 7.0


def two_blocs() -> np.ndarray:
    """Bloc A (0, 1, 2) trades 10 within each pair, bloc B (3, 4, 5) 4; every cross pair trades 1, both ways."""
    T = np.ones((6, 6))
    T[:3, :3] = 10.0
    T[3:, 3:] = 4.0
    np.fill_diagonal(T, 0.0)
    return T


def networkx_scores(T: np.ndarray) -> dict[str, np.ndarray]:
    n = len(T)
    G = nx.from_numpy_array(T, create_using=nx.DiGraph)
    pr = nx.pagerank(G, weight="weight", tol=1e-15, max_iter=100_000)
    ev = nx.eigenvector_centrality_numpy(nx.from_numpy_array(T + T.T), weight="weight", tol=0)
    hubs, authorities = nx.hits(G, tol=1e-15, max_iter=100_000)
    ev_array = np.array([ev[i] for i in range(n)])
    return {"pagerank": np.array([pr[i] for i in range(n)]), "eigenvector": ev_array / ev_array.sum(),
            "hubs": np.array([hubs[i] for i in range(n)]), "authorities": np.array([authorities[i] for i in range(n)])}


@pytest.mark.parametrize("leaves", [3, 4, 9])
def test_star_hub_pagerank_has_the_closed_form(leaves: int) -> None:
    # hub = (1 - a)/(n + 1) + a * n * leaf, leaf = (1 - a)/(n + 1) + a * hub / n  =>  hub = (1 + a n) / ((n + 1)(1 + a))
    alpha = 0.85
    scores = cn.pagerank(star(leaves), alpha=alpha)
    assert scores[0] == pytest.approx((1 + alpha * leaves) / ((leaves + 1) * (1 + alpha)), rel=1e-12)
    assert np.allclose(scores[1:], (1 - scores[0]) / leaves, rtol=1e-12, atol=0)
    assert scores.sum() == pytest.approx(1.0, rel=1e-14)
    assert cn.pagerank(star(leaves), alpha=0.5)[0] == pytest.approx((1 + 0.5 * leaves) / ((leaves + 1) * 1.5))


def test_star_eigenvector_and_hits_by_hand() -> None:
    # two-way trade 10 between hub and each of n leaves: eigenvector (sqrt n, 1, ..., 1), scaled to sum 1
    n = 4
    ev = cn.eigenvector(star(n))
    assert ev[0] == pytest.approx(np.sqrt(n) / (np.sqrt(n) + n), rel=1e-12)
    # HITS on a star whose leaves export to the hub only: the hub is the one authority, every leaf an equal hub
    inward = np.zeros((n + 1, n + 1))
    inward[1:, 0] = 3.0
    hubs, authorities = cn.hits(inward)
    assert authorities[0] == pytest.approx(1.0, abs=1e-12) and hubs[0] == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(hubs[1:], 1.0 / n, rtol=1e-12)


@pytest.mark.parametrize("n", [3, 5, 8])
def test_ring_every_country_is_equal(n: int) -> None:
    assert np.allclose(cn.pagerank(ring(n)), 1.0 / n, rtol=1e-12, atol=0)
    assert np.allclose(cn.eigenvector(ring(n)), 1.0 / n, rtol=1e-10, atol=0)


def test_two_blocs_are_symmetric_within_and_the_heavier_bloc_leads() -> None:
    for key, scores in cn.network_scores(two_blocs()).items():
        assert np.allclose(scores[:3], scores[0], rtol=1e-10, atol=0), key
        assert np.allclose(scores[3:], scores[3], rtol=1e-10, atol=0), key
        assert scores[0] > scores[3], key
        assert scores.sum() == pytest.approx(1.0, rel=1e-12), key


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_network_measures_match_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    T = rng.gamma(0.5, 10.0, size=(12, 12)) * (rng.random((12, 12)) < 0.6)
    np.fill_diagonal(T, 0.0)
    T[3, :] = 0.0  # a country that exports nothing (a dangling node for PageRank)
    T[:, 3] += 1.0
    T[3, 3] = 0.0
    ours, theirs = cn.network_scores(T), networkx_scores(T)
    for key in theirs:
        assert np.allclose(ours[key], theirs[key], rtol=1e-9, atol=1e-12), key


def test_bad_networks_are_refused() -> None:
    with pytest.raises(InputError, match="non-negative"):
        cn.pagerank(-star(3))
    with pytest.raises(InputError, match="no trade between countries"):
        cn.pagerank(np.eye(3))
    split = np.zeros((4, 4))
    split[0, 1] = split[2, 3] = 1.0
    with pytest.raises(InputError, match="2 unconnected pieces"):
        cn.eigenvector(split)
    with pytest.raises(InputError, match="damping"):
        cn.pagerank(star(3), alpha=1.0)
    with pytest.raises(InputError, match="shape"):
        cn.trade_matrix(np.ones((2, 3, 1)))


def test_ranks_and_comparison_put_the_largest_movers_first() -> None:
    assert cn.ranks(np.array([0.2, 0.5, 0.2, 0.1])).tolist() == [2, 1, 2, 4]
    before, after = np.array([4.0, 3.0, 2.0, 1.0]), np.array([4.0, 1.5, 2.0, 3.5])
    frame = cn.comparison(["A", "B", "C", "D"], before, after)
    assert frame["country"].tolist() == ["D", "B", "A", "C"]  # D up 2 (+250 %), B down 2 (-50 %), then by rank
    assert frame.set_index("country")["rank_change"].to_dict() == {"D": 2, "B": -2, "C": 0, "A": 0}
    assert cn.comparison(["A", "B"], np.array([1.0, 2.0]))["country"].tolist() == ["B", "A"]


# -- input-output: a 2-country, 2-sector table solvable by hand --------------------------------------------------
# Countries H, F; sectors a, b. H.a buys 30 of b inputs, all from F.b; F.a buys 20 of b inputs, all from H.b; nothing
# else is an input, so A has two entries, A^2 = 0 and L = I + A. Final sales: H.a 70 at home, 30 to F; H.b 30 at
# home; F.a 50 at home, 30 to H; F.b 30 at home.


def toy_table() -> cn.IOTable:
    intermediate = np.zeros((2, 2, 2))
    intermediate[1, 0, 1] = 30.0  # F.b -> H
    intermediate[0, 1, 1] = 20.0  # H.b -> F
    use = np.zeros((2, 2, 2))
    use[0, 1, 0] = 30.0  # H: input b used by sector a
    use[1, 1, 0] = 20.0
    final = np.zeros((2, 2, 2))
    final[0, 0, 0], final[0, 1, 0], final[0, 0, 1] = 70.0, 30.0, 30.0
    final[1, 1, 0], final[1, 0, 0], final[1, 1, 1] = 50.0, 30.0, 30.0
    output = np.array([[100.0, 50.0], [80.0, 60.0]])
    return cn.io_table(intermediate, final, use, output)


@pytest.mark.parametrize("method", ["iterative", "dense"])
def test_value_added_trade_of_the_toy_by_hand(method: cn.Method) -> None:
    table = toy_table()
    assert table.value_added.tolist() == [[70.0, 50.0], [60.0, 60.0]]
    tiva = cn.value_added_trade(table, method=method)
    # L f_H = (70, 37.5, 30, 21): H gets 0.7*70 + 37.5, F 0.75*30 + 21; L f_F = (30, 12.5, 50, 39)
    assert np.allclose(tiva.va, [[86.5, 33.5], [43.5, 76.5]], rtol=1e-13, atol=0)
    assert np.allclose(tiva.va.sum(axis=1), table.value_added.sum(axis=1), rtol=1e-13)  # = each country's VA
    assert np.allclose(tiva.va.sum(axis=0), table.final_demand, rtol=1e-13)  # = each country's final demand
    assert np.allclose(tiva.va_exports, [33.5, 43.5]) and np.allclose(tiva.va_imports, [43.5, 33.5])
    # gross exports: H 30 (a, final) + 20 (b, inputs) = 50; F 30 + 30 = 60
    # L e_H = (30, 20, 0, 9), L e_F = (0, 7.5, 30, 30)
    assert np.allclose(tiva.gross_exports, [50.0, 60.0])
    assert np.allclose(tiva.content, [[41.0, 7.5], [9.0, 52.5]], rtol=1e-13, atol=0)
    assert np.allclose(tiva.gvc_backward, [100 * 9 / 50, 100 * 7.5 / 60])
    assert np.allclose(tiva.gvc_forward, [100 * 7.5 / 50, 100 * 9 / 60])
    # Ghosh: B[F.b, H.a] = 30/60, B[H.b, F.a] = 20/50, B^2 = 0: U = 1 + B 1
    assert np.allclose(tiva.upstreamness, [[1.0, 1.4], [1.0, 1.5]], rtol=1e-13)
    assert np.allclose(tiva.country_upstreamness, [170 / 150, 170 / 140], rtol=1e-13)


def explicit_leontief(intermediate: np.ndarray, use: np.ndarray, output: np.ndarray) -> np.ndarray:
    """L from the node-to-node matrix built cell by cell under import proportionality (an independent path)."""
    C, S = output.shape
    Z = np.zeros((C * S, C * S))
    for i in range(C):
        for k in range(S):
            for n in range(C):
                bought = intermediate[:, n, k].sum()
                for j in range(S):
                    if bought > 0 and use[n, k, :].sum() > 0:
                        Z[i * S + k, n * S + j] = intermediate[i, n, k] * use[n, k, j] / use[n, k, :].sum()
    A = Z / np.where(output.ravel() > 0, output.ravel(), 1.0)[None, :]
    L: np.ndarray = np.linalg.inv(np.eye(C * S) - A)
    return L


def test_the_example_world_against_an_explicit_inverse(small_world: World) -> None:
    w = small_world
    table = cn.world_io_table(w)
    L = explicit_leontief(w.intermediate, w.use, w.gross_output)
    C, S = w.gross_output.shape
    v = (w.value_added / w.gross_output).ravel()
    F = np.transpose(w.final, (0, 2, 1)).reshape(C * S, C)
    VL = np.zeros((C, C * S))
    for o in range(C):
        VL[o, o * S:(o + 1) * S] = v[o * S:(o + 1) * S]
    VL = VL @ L
    for method in ("iterative", "dense"):
        tiva = cn.value_added_trade(table, method=method)  # type: ignore[arg-type]
        assert np.allclose(tiva.va, VL @ F, rtol=1e-11, atol=0), method
        assert np.allclose(tiva.va.sum(axis=1), w.income, rtol=1e-12), method
        assert np.allclose(tiva.va.sum(axis=0), w.expenditure, rtol=1e-12), method
        up = (L @ w.gross_output.ravel()) / w.gross_output.ravel()
        assert np.allclose(tiva.upstreamness.ravel(), up, rtol=1e-11), method
        assert np.all(tiva.upstreamness >= 1.0)
    assert cn.value_added_trade(table).iterations > 0


def test_the_block_jacobi_solver_reports_non_convergence(small_world: World) -> None:
    with pytest.raises(ConvergenceError, match=r"did not converge: relative residual .* after 1 block-Jacobi steps"):
        cn.value_added_trade(cn.world_io_table(small_world), max_iter=1)
    with pytest.raises(InputError, match="method"):
        cn.value_added_trade(toy_table(), method="magic")  # type: ignore[arg-type]


# -- scenarios ----------------------------------------------------------------------------------------------------


def test_the_baseline_flows_give_back_the_baseline(small_world: World) -> None:
    base = cn.world_io_table(small_world)
    same = cn.counterfactual_io_table(base, small_world.X, small_world.X)
    assert np.allclose(same.share, base.share, rtol=0, atol=1e-14)
    assert np.allclose(same.final, small_world.final, rtol=1e-12)
    metrics = cn.centrality_metrics(small_world, small_world.X)
    before = metrics[metrics["partner"] == "baseline"].reset_index(drop=True)
    after = metrics[metrics["partner"] == "scenario"].reset_index(drop=True)
    assert np.allclose(after["value"], before["value"], rtol=1e-10, atol=1e-12)


def test_the_scenario_rule_keeps_the_flows_and_moves_origin_shares(small_world: World) -> None:
    w = small_world
    base = cn.world_io_table(w)
    X_new = np.array(w.X)
    X_new[1, 0, 0] *= 0.5  # Russia sells half the oil to China ...
    X_new[2, 0, 0] *= 1.5  # ... the U.S. more
    table = cn.counterfactual_io_table(base, w.X, X_new)
    assert np.allclose(table.intermediate + table.final, X_new, rtol=1e-13)
    assert np.allclose(table.output, X_new.sum(axis=1), rtol=1e-13)
    assert np.allclose(table.gamma, base.gamma)  # Cobb-Douglas: input coefficients as calibrated
    E0, E1 = w.X[:, 0, 0].sum(), X_new[:, 0, 0].sum()
    ratio = (X_new[:, 0, 0] / E1) / (w.X[:, 0, 0] / E0)
    expected = base.share[:, 0, 0] * ratio / (base.share[:, 0, 0] * ratio).sum()
    assert np.allclose(table.share[:, 0, 0], expected, rtol=1e-13)
    assert np.allclose(table.share[:, 1:, :], base.share[:, 1:, :])  # other buyers unchanged
    tiva = cn.value_added_trade(table)
    assert np.allclose(tiva.va.sum(axis=1), table.value_added.sum(axis=1), rtol=1e-12)
    assert np.allclose(tiva.va.sum(axis=0), table.final_demand, rtol=1e-12)
    with pytest.raises(InputError, match="X_new must have shape"):
        cn.counterfactual_io_table(base, w.X, X_new[:, :, :2])


def test_metrics_rows_units_and_the_baseline_cache(small_world: World) -> None:
    metrics = cn.centrality_metrics(small_world)
    assert list(metrics.columns) == list(cn.METRIC_COLUMNS)
    assert set(metrics["partner"]) == {"baseline"} and set(metrics["sector"]) == {""}
    assert len(metrics) == len(cn.MEASURES) * len(small_world.countries)
    units = dict(zip(metrics["metric"], metrics["unit"], strict=False))
    assert units["centrality_pagerank"] == "share" and units["centrality_va_exports_usd"] == "USD"
    va = metrics[metrics["metric"] == "centrality_va_exports_usd"].set_index("country")["value"]
    tiva = cn.baseline_centrality(small_world).value_added
    assert np.allclose(va.to_numpy(), tiva.va_exports * 1e6)
    assert cn.baseline_centrality(small_world) is cn.baseline_centrality(small_world)  # computed once per World
    pagerank = metrics[metrics["metric"] == "centrality_pagerank"]["value"]
    assert pagerank.sum() == pytest.approx(1.0)


# -- the report section ------------------------------------------------------------------------------------------


def record(metrics: pd.DataFrame, name: str = "a<b>") -> RunRecord:
    return RunRecord(run_id="r1", name=name, description="", spec_yaml="", scenario_hash="h",
                     created="2026-01-01T00:00:00+00:00", metrics=metrics)


def test_report_section_from_stored_metrics(small_world: World) -> None:
    X_new = np.array(small_world.X)
    X_new[:, 1, :] *= 3.0  # everybody sells much more to Russia
    metrics = cn.centrality_metrics(small_world, X_new)
    html = render_centrality_section([record(metrics)])
    assert "<h3>a&lt;b&gt;</h3>" in html and "<b>" not in html
    assert "PageRank" in html and "value-added exports" in html and "RUS rank" in html
    assert "→" in html
    empty = render_centrality_section([record(pd.DataFrame(columns=list(cn.METRIC_COLUMNS)))])
    assert "no run here carries centrality metrics" in empty


# -- the command -------------------------------------------------------------------------------------------------

SCENARIO = """\
name: oil_embargo
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
"""


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    world = example_world()
    monkeypatch.setattr(command, "load_world", lambda **_: world)
    local = typer.Typer(add_completion=False)

    @local.callback()
    def _root() -> None:  # a callback keeps "centrality" a subcommand, as in geoshift's own app
        """Local test app."""

    command.register(local)
    return local


def test_the_cli_loader_is_used_when_given(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: object) -> World:
        raise AssertionError("load_world called although a loader was given")

    monkeypatch.setattr(command, "load_world", refuse)
    loaded: list[bool] = []
    world = example_world()
    local = typer.Typer(add_completion=False)

    @local.callback()
    def _root() -> None:
        """Local test app."""

    command.register(local, load=lambda: loaded.append(True) or world)
    result = CliRunner().invoke(local, ["centrality", "--measure", "upstreamness", "--json"])
    assert result.exit_code == 0, result.output
    assert loaded == [True] and json.loads(result.stdout)["measures"][0]["unit"] == "stages"


def test_command_table_by_rank(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["centrality", "--measure", "pagerank"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "PageRank (% of world), by rank" in result.stdout and "exporter -> importer" in result.stdout
    assert "rank 1 = the highest score" in result.stdout


def test_command_json_with_a_scenario(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "oil.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(app, ["centrality", "--scenario", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == "oil_embargo" and data["order"] == "largest movers first"
    assert [m["measure"] for m in data["measures"]] == [m.key for m in cn.MEASURES]
    for m in data["measures"]:
        rows = m["rows"]
        assert sorted(r["country"] for r in rows) == ["CHN", "RUS", "USA"]
        moves = [abs(r["rank_change"]) for r in rows]
        assert moves == sorted(moves, reverse=True)
        assert all(r["rank_change"] == r["rank_before"] - r["rank_after"] for r in rows)
    va = next(m for m in data["measures"] if m["measure"] == "va_exports")
    assert va["unit"] == "USD" and all(r["score_before"] > 1e6 for r in va["rows"])  # US$, not US$ million


@pytest.mark.parametrize(("args", "message"), [
    (["--measure", "betweenness"], "--measure 'betweenness' is not a centrality measure; use one of pagerank"),
    (["--top", "0"], "--top 0: give at least 1"),
    (["--scenario", "no-such-file.yaml"], "no-such-file.yaml"),
])
def test_bad_input_is_one_line_and_exit_2(app: typer.Typer, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["centrality", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
