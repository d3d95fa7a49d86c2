"""The perturbation behind the bargaining model's sensitivity, draw by draw: capabilities and saliences scaled by
U(1 - s, 1 + s) (saliences capped at 1), positions moved by U(-s, s) x span and kept in the original range, in
that order from one seeded generator; the defaults and limits of
``perturbed_forecasts``; and the share of forecasts strictly above a threshold."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.bargain.actors import from_columns
from geoshift.engines.bargain.sensitivity import Sensitivity, perturb, perturbed_forecasts
from geoshift.errors import InputError


def actors() -> object:
    return from_columns(["A", "B", "C"], capability=[2.0, 1.0, 0.5], position=[20.0, 60.0, 100.0],
                        salience=[0.98, 0.5, 0.95])


def test_one_perturbation_by_hand() -> None:
    a = actors()
    got = perturb(a, 0.1, np.random.default_rng(3))  # type: ignore[arg-type]
    rng = np.random.default_rng(3)
    cap, sal, move = rng.uniform(0.9, 1.1, 3), rng.uniform(0.9, 1.1, 3), rng.uniform(-0.1, 0.1, 3)
    np.testing.assert_allclose(got.capability, [2.0, 1.0, 0.5] * cap, rtol=1e-15)
    np.testing.assert_allclose(got.salience, np.minimum([0.98, 0.5, 0.95] * sal, 1.0), rtol=1e-15)
    np.testing.assert_allclose(got.position, np.clip([20.0, 60.0, 100.0] + move * 80.0, 20.0, 100.0), rtol=1e-15)


def test_capped_saliences_and_clipped_positions_occur() -> None:
    a = actors()
    rng = np.random.default_rng(0)
    draws = [perturb(a, 0.1, rng) for _ in range(40)]  # type: ignore[arg-type]
    assert any(d.salience[0] == 1.0 for d in draws)  # 0.98 x up to 1.1 is capped at 1
    assert any(d.position[2] == 100.0 for d in draws) and any(d.position[0] == 20.0 for d in draws)
    assert all(d.position.min() >= 20.0 and d.position.max() <= 100.0 for d in draws)


def test_forecast_defaults_limits_and_fields() -> None:
    a = actors()
    default = perturbed_forecasts(a)  # type: ignore[arg-type]
    assert (default.spread, default.draws, default.seed) == (0.1, 200, 0)
    explicit = perturbed_forecasts(a, spread=0.1, draws=200, seed=0, max_rounds=1000, tol=1e-6)  # type: ignore[arg-type]
    np.testing.assert_array_equal(default.median, explicit.median)
    np.testing.assert_array_equal(default.mean, explicit.mean)
    assert default.converged.dtype == np.bool_
    np.testing.assert_array_equal(default.converged, explicit.converged)
    one = perturbed_forecasts(a, draws=1, max_rounds=1)  # type: ignore[arg-type]
    assert one.draws == 1 and len(one.median) == 1 and not one.converged.any()
    for spread in (0.0, 1.0):
        with pytest.raises(InputError) as exc:
            perturbed_forecasts(a, spread=spread)  # type: ignore[arg-type]
        assert str(exc.value) == f"spread={spread}: give a relative perturbation in (0, 1), e.g. 0.1 for +/-10 %"
    with pytest.raises(InputError) as exc:
        perturbed_forecasts(a, draws=0)  # type: ignore[arg-type]
    assert str(exc.value) == "draws=0: give at least 1 draw"


def test_share_strictly_above() -> None:
    s = Sensitivity(0.1, 3, 0, np.array([1.0, 2.0, 3.0]), np.zeros(3), np.ones(3, dtype=bool))
    assert s.share_above(2.0) == pytest.approx(1 / 3)
