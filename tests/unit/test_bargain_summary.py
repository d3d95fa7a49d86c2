"""A bargaining run as plain data: every field of ``result_dict`` from hand-made results (no model run), so that
each value in the JSON can be traced to the one it copies."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.bargain.actors import Actors, from_columns
from geoshift.engines.bargain.model import KINDS, BargainResult, BargainRound
from geoshift.engines.bargain.sensitivity import Sensitivity
from geoshift.engines.bargain.summary import MODEL, result_dict


def actors() -> Actors:
    base = from_columns(["Kremlin", "Army", "Oligarchs"], [60.0, 30.0, 10.0], [80.0, 40.0, 20.0], [0.9, 0.5, 0.25],
                        [np.nan, 1.5, np.nan], source="games/hand.csv")
    return Actors(base.name, base.capability, base.position, base.salience, base.risk,
                  coded_by=("me", "me", "you"), basis=("speech", "budget", "press"), meta={"issue": "alignment"},
                  source=base.source)


def one_round(positions: list[float], new: list[float]) -> BargainRound:
    kind = np.array([[0, 0, 0], [2, 0, 3], [0, 1, 0]])  # Army: compromise with Kremlin, Oligarchs: conflict with Army
    target = np.full((3, 3), np.nan)
    target[1, 0], target[1, 2], target[2, 1] = 56.0, 20.0, 40.0
    a = np.arange(9.0).reshape(3, 3) / 10.0
    return BargainRound(1, ("Kremlin", "Army", "Oligarchs"), np.array(positions), np.array([0.5, 1.5, 2.0]),
                        np.zeros(3), a, a + 1.0, kind, target, np.array([-1, 0, 1]), np.array(new), 40.0, 62.0)


def result() -> BargainResult:
    r = one_round([80.0, 40.0, 20.0], [80.0, 56.0, 40.0])
    return BargainResult(actors(), (r,), np.array([80.0, 56.0, 40.0]), 80.0, 70.5, True, 1, 0.0, 0.25)


def test_actors_rounds_and_forecast_are_copied() -> None:
    out = result_dict(result())
    assert out["model"] == MODEL and out["file"] == "games/hand.csv" and out["issue"] == {"issue": "alignment"}
    assert out["actors"] == [
        {"actor": "Kremlin", "capability": 60.0, "position": 80.0, "salience": 0.9, "risk": None,
         "final_position": 80.0, "coded_by": "me", "basis": "speech"},
        {"actor": "Army", "capability": 30.0, "position": 40.0, "salience": 0.5, "risk": 1.5,
         "final_position": 56.0, "coded_by": "me", "basis": "budget"},
        {"actor": "Oligarchs", "capability": 10.0, "position": 20.0, "salience": 0.25, "risk": None,
         "final_position": 40.0, "coded_by": "you", "basis": "press"},
    ]
    assert out["forecast"] == {"median": 80.0, "mean": 70.5}
    assert out["diagnostics"] == {"converged": True, "iterations": 1, "residual": 0.0, "seconds": 0.25}
    assert out["sensitivity"] is None
    (played,) = out["rounds"]
    assert played["round"] == 1 and played["median"] == 40.0 and played["mean"] == 62.0
    assert played["positions"] == {"Kremlin": 80.0, "Army": 40.0, "Oligarchs": 20.0}
    assert played["risk"] == {"Kremlin": 0.5, "Army": 1.5, "Oligarchs": 2.0}
    assert played["moves"] == [
        {"actor": "Army", "to": 56.0, "kind": "compromise", "proposer": "Kremlin", "eu_actor": 0.3,
         "eu_proposer": 1.3},
        {"actor": "Oligarchs", "to": 40.0, "kind": "conflict", "proposer": "Army", "eu_actor": pytest.approx(0.7),
         "eu_proposer": pytest.approx(1.7)},
    ]
    assert KINDS == ("", "conflict", "compromise", "capitulation")


def test_actors_without_coding_columns_give_empty_strings() -> None:
    bare = from_columns(["A", "B"], [1.0, 2.0], [0.0, 10.0], [1.0, 1.0])
    r = BargainRound(1, ("A", "B"), np.array([0.0, 10.0]), np.ones(2), np.zeros(2), np.zeros((2, 2)),
                     np.zeros((2, 2)), np.zeros((2, 2), dtype=int), np.full((2, 2), np.nan), np.array([-1, -1]),
                     np.array([0.0, 10.0]), 10.0, 20.0 / 3.0)
    out = result_dict(BargainResult(bare, (r,), np.array([0.0, 10.0]), 10.0, 20.0 / 3.0, True, 1, 0.0, 0.0))
    assert [(a["coded_by"], a["basis"]) for a in out["actors"]] == [("", ""), ("", "")]
    assert out["rounds"][0]["moves"] == [] and out["file"] == "<memory>" and out["issue"] == {}


def test_sensitivity_block() -> None:
    median = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    sens = Sensitivity(0.1, 5, 7, median, median + 1.0, np.array([True, True, False, True, False]))
    block = result_dict(result(), sens)["sensitivity"]
    assert block["spread"] == 0.1 and block["draws"] == 5 and block["seed"] == 7
    # numpy's default (linear) quantiles of 10..50: 5 % -> 12, 50 % -> 30, 95 % -> 48
    assert block["quantiles"] == {"q": [0.05, 0.5, 0.95], "median": pytest.approx([12.0, 30.0, 48.0]),
                                  "mean": pytest.approx([13.0, 31.0, 49.0])}
    assert block["settled_share"] == pytest.approx(0.6)
    assert block["median_draws"] == [10.0, 20.0, 30.0, 40.0, 50.0]
