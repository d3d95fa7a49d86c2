"""The alignment game with hand-set economic payoffs (no engines): thresholds computable by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geoshift.engines.strategy.alignment import AlignmentGame, GameSpec, game_map, load_game, solve_game
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import Scenario

GAMES = Path(__file__).resolve().parents[2] / "games"
PAYOFF_TOL = 1e-12  # sums of a few hand-set payoffs


def spec(file: str = "detente.yaml", **overrides: dict[str, float]) -> GameSpec:
    """The shipped game with every subjective term at 0 (except trust and the package), then ``overrides``."""
    raw = load_game(GAMES / file).model_dump()
    for name in raw["parameters"]:
        if name not in ("rho", "package"):
            raw["parameters"][name]["value"] = 0.0
    raw["parameters"].update({k: {**raw["parameters"][k], **v} for k, v in overrides.items()})
    return GameSpec.model_validate(raw)


def economics(scenario: Scenario) -> dict[str, float]:
    """Russia gains 2 from relief; aligning west costs it 1 and hedging 1.5 (both sides distrust a hedger);
    China loses 1 if it retaliates; the U.S. gains 0.5 when Russia leaves China."""
    _, _offer, align, response, *relief = scenario.name.split(".")
    rus = (2.0 if relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 1.5}[align]
    usa = 0.5 if align == "west" else 0.0
    chn = -1.0 if response == "retaliate" else 0.0
    return {"USA": usa, "RUS": rus, "CHN": chn}


def game(**overrides: dict[str, float]) -> AlignmentGame:
    return AlignmentGame(spec(**overrides), Scenario(name="base"), economics)


def test_russia_pivots_above_the_trust_threshold_computable_by_hand() -> None:
    """After a deal Russia earns 2 rho - 1 by aligning west, 2 rho - 1.5 by hedging, 0 by staying: it pivots
    iff rho >= 1/2. Below that the U.S. is indifferent between offering and not (a tie at the root)."""
    g = game()
    assert [row["outcome"] for row in solve_game(g, {"rho": 1.0}).spe] == ["deal/west/keep"]
    low = solve_game(g, {"rho": 0.0}).spe
    assert {row["outcome"] for row in low} == {"deal/china/keep", "none/china/keep"}
    assert all("start" in row["ties"] for row in low)
    assert solve_game(g, {"rho": 0.51}).spe[0]["strategies"]["RUS"]["deal"] == "west"
    assert solve_game(g, {"rho": 0.49}).spe[0]["strategies"]["RUS"]["deal"] == "china"
    at_threshold = solve_game(g, {"rho": 0.5})
    assert {row["strategies"]["RUS"]["deal"] for row in at_threshold.spe} == {"west", "china"}  # a tie, reported
    assert all("deal" in row["ties"] for row in at_threshold.spe)
    grid = game_map(g, "rho", "package", n=21)  # rho = 0, 0.05, ..., 1; at exactly 0.5 the tie reads "china"
    switch = grid.x_values[np.argmax(grid.russia_moves[0] == 2)]
    assert switch == pytest.approx(0.55)
    assert np.all(grid.russia_moves[:, grid.x_values < 0.5] == 0)
    assert np.all(grid.russia_moves[:, grid.x_values > 0.5] == 2)


def test_security_terms_move_the_threshold() -> None:
    """With Russia valuing the reduced NATO threat at 0.4 (half when hedging), west pays 2 rho - 0.6: rho* = 0.3."""
    g = game(rus_security_west={"value": 0.4})
    assert solve_game(g, {"rho": 0.31}).spe[0]["strategies"]["RUS"]["deal"] == "west"
    assert solve_game(g, {"rho": 0.29}).spe[0]["strategies"]["RUS"]["deal"] == "china"


def tempted(scenario: Scenario) -> dict[str, float]:
    """As ``economics``, but hedging costs Russia only 0.25 (taking the package and hedging tempts it) and the
    U.S. loses 0.4 when its relief is delivered (breaking the promise tempts it)."""
    _, _offer, align, response, *relief = scenario.name.split(".")
    rus = (2.0 if relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 0.25}[align]
    usa = (0.5 if align == "west" else 0.0) - (0.4 if relief else 0.0)
    return {"USA": usa, "RUS": rus, "CHN": -1.0 if response == "retaliate" else 0.0}


def pure_profiles(rows: list[dict[str, object]]) -> dict[tuple[str, str], tuple[float, float]]:
    """(U.S. strategy, Russia's strategy) -> (U.S., Russia) payoffs of the mixed-equilibrium rows, all pure here."""
    out = {}
    for row in rows:
        usa, rus = row["strategies"]["USA"], row["strategies"]["RUS"]  # type: ignore[index]
        assert list(usa.values()) == [1.0] and list(rus.values()) == [1.0]
        out[(next(iter(usa)), next(iter(rus)))] = (row["payoffs"]["USA"], row["payoffs"]["RUS"])  # type: ignore[index]
    return out


def test_equilibria_and_delta_star_computed_by_hand() -> None:
    """rho = 0.8, subjective terms 0. After a deal Russia earns 2 rho - 1 = 0.6 (west), 2 rho - 1.5 = 0.1 (hedge) or
    0 (china); without one 0, -1.5, -1. China never retaliates (-1). The U.S. gets 0.5 iff Russia aligns west, so it
    offers: the SPE is deal/west/keep with payoffs (0.5, 0.6, 0). Pure Nash outcomes: that one and none/china/keep
    (Russia's off-path answer to a deal china or hedge leaves the U.S. nothing to gain). U.S. x Russia with China
    keeping: (none; china, china|hedge) pay (0, 0) and (deal; any, west) pay (0.5, 0.6); the U.S. never mixes, since
    a mixing U.S. needs Russia to answer china and west, which makes the deal strictly better."""
    solution = solve_game(game(), {"rho": 0.8})
    assert len(solution.spe) == 1
    spe = solution.spe[0]
    assert spe["outcome"] == "deal/west/keep" and spe["ties"] == []
    assert spe["payoffs"] == pytest.approx({"USA": 0.5, "RUS": 0.6, "CHN": 0.0}, abs=PAYOFF_TOL)
    assert spe["strategies"]["RUS"] == {"none": "china", "deal": "west"}
    assert set(spe["strategies"]["CHN"].values()) == {"keep"}
    assert {row["outcome"] for row in solution.nash} == {"deal/west/keep", "none/china/keep"}
    expected = {("start: none", "none: china, deal: china"): (0.0, 0.0),
                ("start: none", "none: china, deal: hedge"): (0.0, 0.0),
                **{("start: deal", f"none: {a}, deal: west"): (0.5, 0.6) for a in ("china", "hedge", "west")}}
    found = pure_profiles(solution.mixed)
    assert set(found) == set(expected)
    for key, payoffs in expected.items():
        assert found[key] == pytest.approx(payoffs, abs=PAYOFF_TOL), key
    # R = 2 - 1 (west, relief) >= T = 2 - 1.5 (hedge, relief): no temptation; the U.S. payoff ignores relief
    assert solution.delta_star_by_player == {"RUS": 0.0, "USA": 0.0} and solution.delta_star == 0.0
    # tempted: Russia T = 2 - 0.25, R = 2 - 1, P = 0 -> (T - R) / (T - P) = 3/7; the U.S. T = 0.5 (promise broken,
    # Russia west), R = 0.5 - 0.4, P = 0 -> 0.8; the game's threshold is the larger
    solution = solve_game(AlignmentGame(spec(), Scenario(name="base"), tempted), {"rho": 0.8})
    assert solution.delta_star_by_player == pytest.approx({"RUS": 3 / 7, "USA": 0.8}, abs=PAYOFF_TOL)
    assert solution.delta_star == pytest.approx(0.8, abs=PAYOFF_TOL)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("{value: 0.5, min: 0.0, max: 1.0", "{value: 1.5, min: 0.0, max: 1.0"),
         r"rho: value 1.5 is outside its range \[0.0, 1.0\]"),
        (lambda t: t.replace("  retaliation:\n", "  retaliations:\n"), "missing component"),
        (lambda t: t.replace("base: west_embargo_russia", "base: west_embargo_rusia"), "not found"),
        (lambda t: t.replace("  rho:\n", "  trust:\n"), "missing parameter"),
        (lambda t: t.replace("economic_weight: {USA: 1.0", "economic_weight: {USX: 1.0"), "unknown player"),
        (lambda t: t.replace("players: [USA, RUS, CHN, EU27]", "players: [USA, RUS, EU27]"), r"players \["),
        (lambda t: t.replace("  eu_deal:\n", "  eu_deals:\n"), "missing component.*eu_deal"),
        (lambda t: t.replace("  eu_sanctions_value:\n", "  eu_leverage:\n"), "missing parameter.*eu_sanctions_value"),
    ],
)
def test_bad_game_files(tmp_path: Path, edit: object, message: str) -> None:
    from geoshift.engines.strategy.alignment import build_game

    path = tmp_path / "bad.yaml"
    text = (GAMES / "detente.yaml").read_text()
    edited = edit(text)  # type: ignore[operator]
    if edited == text:  # an edit of the four-player file
        edited = edit((GAMES / "detente_eu.yaml").read_text())  # type: ignore[operator]
    path.write_text(edited)
    with pytest.raises(ScenarioError, match=message):
        build_game(load_game(path), economics)


def test_bad_overrides_and_maps() -> None:
    g = game()
    with pytest.raises(ScenarioError, match=r"parameter rho = 2.0 is outside its range"):
        solve_game(g, {"rho": 2.0})
    with pytest.raises(ScenarioError, match="map parameter 'trust' is not a parameter"):
        game_map(g, "trust", "package", n=3)


# -- the EU as a fourth player ---------------------------------------------------------------------------------


def eu_economics(scenario: Scenario) -> dict[str, float]:
    """Russia gains 1 from U.S. relief and 1 more from EU relief; aligning west costs it 1, hedging 1.5; the EU
    gains 0.5 from trade when its relief is delivered; China loses 1 if it retaliates; the U.S. gains 0.5 when
    Russia aligns west."""
    parts = scenario.name.split(".")
    align, response = (parts[3], parts[4]) if parts[1] == "deal" else (parts[2], parts[3])
    us_relief, eu_relief = any(p.startswith("relief") for p in parts), parts[-1] == "eu"
    rus = (1.0 if us_relief else 0.0) + (1.0 if eu_relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 1.5}[align]
    return {"USA": 0.5 if align == "west" else 0.0, "RUS": rus, "CHN": -1.0 if response == "retaliate" else 0.0,
            "EU27": 0.5 if eu_relief else 0.0}


def test_eu_player_decides_the_pivot_at_a_threshold_computable_by_hand() -> None:
    """After a deal the EU joins or holds. Russia earns rho - 1 from aligning west if the EU holds (< 0: it stays
    with China) and 2 rho - 1 if the EU joins (it pivots iff rho >= 1/2; hedging pays 2 rho - 1.5, less). With
    rho = 0.8 the EU joins iff 0.5 rho + v - rho s >= 0, i.e. s <= 0.5 + v / rho: with v = 0.1, s* = 0.625."""
    def solve(s: float) -> dict[str, object]:
        g = AlignmentGame(spec("detente_eu.yaml", eu_security_west={"value": 0.1}, eu_sanctions_value={"value": s}),
                          Scenario(name="base"), eu_economics)
        return solve_game(g, {"rho": 0.8}).spe[0]

    joins = solve(0.6)
    assert joins["outcome"] == "deal/join/west/keep"
    assert joins["payoffs"]["EU27"] == pytest.approx(0.5 * 0.8 + 0.1 - 0.8 * 0.6)
    holds = solve(0.65)
    assert holds["strategies"]["EU27"]["deal"] == "hold"
    assert holds["strategies"]["RUS"]["deal/hold"] == "china" and holds["strategies"]["RUS"]["deal/join"] == "west"


def eu_tempted(scenario: Scenario) -> dict[str, float]:
    """As ``eu_economics``, but hedging costs Russia 0.5 and the U.S. loses 0.2 when its relief is delivered."""
    values = eu_economics(scenario)
    parts = scenario.name.split(".")
    align = parts[3] if parts[1] == "deal" else parts[2]
    us_relief = any(p.startswith("relief") for p in parts)
    values["RUS"] += 1.0 if align == "hedge" else 0.0
    values["USA"] -= 0.2 if us_relief else 0.0
    return values


def test_eu_game_equilibria_maps_and_delta_star() -> None:
    """rho = 0.8, the EU's security value v = 0.1, other subjective terms 0. After join Russia earns 2 rho - 1 = 0.6
    (west), 2 rho - 1.5 (hedge), 0 (china); after hold rho - 1 < 0 (west): it stays with China. The EU joins
    (0.5 rho + v = 0.5 > 0), the U.S. offers (0.5 > 0): SPE deal/join/west/keep. Pure Nash outcomes: that one,
    none/china/keep, and deal/hold/china/keep (Russia's off-path answer to join china, so joining gains the EU
    nothing)."""
    g = AlignmentGame(spec("detente_eu.yaml", eu_security_west={"value": 0.1}), Scenario(name="base"), eu_economics)
    solution = solve_game(g, {"rho": 0.8})
    assert len(solution.spe) == 1
    spe = solution.spe[0]
    assert spe["outcome"] == "deal/join/west/keep" and spe["ties"] == []
    assert spe["payoffs"] == pytest.approx({"USA": 0.5, "RUS": 0.6, "CHN": 0.0, "EU27": 0.5}, abs=PAYOFF_TOL)
    assert spe["strategies"]["RUS"] == {"none": "china", "deal/hold": "china", "deal/join": "west"}
    assert spe["strategies"]["EU27"] == {"deal": "join"}
    assert {row["outcome"] for row in solution.nash} == {"deal/join/west/keep", "none/china/keep",
                                                          "deal/hold/china/keep"}
    # U.S. x Russia with China keeping and the EU joining; Russia's strategies that differ only after hold (never
    # reached) are merged into the first of them, which answers hold with china
    expected = {("start: none", "none: china, deal/hold: china, deal/join: china"): (0.0, 0.0),
                ("start: none", "none: china, deal/hold: china, deal/join: hedge"): (0.0, 0.0),
                **{("start: deal", f"none: {a}, deal/hold: china, deal/join: west"): (0.5, 0.6)
                   for a in ("china", "hedge", "west")}}
    found = pure_profiles(solution.mixed)
    assert set(found) == set(expected)
    for key, payoffs in expected.items():
        assert found[key] == pytest.approx(payoffs, abs=PAYOFF_TOL), key
    assert solution.delta_star_by_player == {"RUS": 0.0, "USA": 0.0}  # R = 2 - 1 >= T = 2 - 1.5
    # map over rho (0, 0.25, ..., 1) and the sanctions value s (0, 0.5, ..., 2): Russia pivots iff rho > 1/2 (at 1/2
    # a tie, read as the first action, china) and the EU joins, i.e. rho (0.5 - s) + 0.1 > 0; otherwise nobody moves
    grid = game_map(g, "rho", "eu_sanctions_value", n=5)
    np.testing.assert_array_equal(grid.x_values, [0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_array_equal(grid.y_values, [0.0, 0.5, 1.0, 1.5, 2.0])
    rho, s = np.meshgrid(grid.x_values, grid.y_values)
    pivots = (rho > 0.5) & (rho * (0.5 - s) + 0.1 > 0)
    np.testing.assert_array_equal(grid.russia_moves, np.where(pivots, 2, 0))
    assert grid.outcomes == [["deal/join/west/keep" if p else "none/china/keep" for p in row] for row in pivots]
    # tempted: Russia T = 1 + 1 - 0.5, R = 1 + 1 - 1, P = 0 -> 1/3; the U.S. T = 0.5, R = 0.5 - 0.2, P = 0 -> 0.4
    tempted_game = AlignmentGame(spec("detente_eu.yaml"), Scenario(name="base"), eu_tempted)
    solution = solve_game(tempted_game, {"rho": 0.8})
    assert solution.delta_star_by_player == pytest.approx({"RUS": 1 / 3, "USA": 0.4}, abs=PAYOFF_TOL)
    assert solution.delta_star == pytest.approx(0.4, abs=PAYOFF_TOL)
    params = g.parameters({"rho": 0.8})
    with pytest.raises(ScenarioError, match="after a deal the EU moves"):
        g.payoffs("deal", "west", "keep", params)
    with pytest.raises(ScenarioError, match="has no EU player"):
        game().payoffs("deal", "west", "keep", params, "join")


def test_a_player_the_world_does_not_cover_is_named() -> None:
    from geoshift.engines.strategy.alignment import weighted

    g = AlignmentGame(spec("detente_eu.yaml"), Scenario(name="base"),
                      lambda s: {k: v for k, v in eu_economics(s).items() if k != "EU27"})
    g.economics = weighted(g)
    with pytest.raises(ScenarioError, match=r"no real income for player.*EU27"):
        solve_game(g)
