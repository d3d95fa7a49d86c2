"""Declared uncertainty: distributions honoured (sample moments), draws reproducible by seed, zero uncertainty gives
a zero-width band, sensitivity indices find a known driver, bad specs are one-line errors with file and line."""

from __future__ import annotations

import numpy as np
import pytest

import geoshift
from geoshift.engines.trade_ge import sector_elasticities
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import parse_scenario
from geoshift.scenario.uncertainty import Distribution, UncertainParameter, design, draw, first_order_indices
from geoshift.world import World

N = 4000
MOMENT_RTOL = 0.02  # LHS stratifies every margin: moments of 4,000 draws sit well within 2 %


@pytest.mark.parametrize(("spec", "mean", "sd"), [
    ({"dist": "uniform", "low": 3.0, "high": 9.0}, 6.0, 6.0 / np.sqrt(12.0)),
    ({"dist": "loguniform", "low": 2.0, "high": 8.0}, 6.0 / np.log(4.0), None),
    ({"dist": "lognormal", "median": 5.0, "sigma": 0.3}, 5.0 * np.exp(0.045), None),
    ({"dist": "normal", "mean": 4.0, "sd": 0.5}, 4.0, 0.5),
    ({"dist": "triangular", "low": 2.0, "mode": 3.0, "high": 7.0}, 4.0, np.sqrt((4 + 9 + 49 - 6 - 14 - 21) / 18)),
])
def test_distributions_are_honoured(spec: dict[str, float], mean: float, sd: float | None) -> None:
    values = draw([UncertainParameter("p", Distribution.model_validate(spec), "test")], N, "lhs", 7)[:, 0]
    assert values.mean() == pytest.approx(mean, rel=MOMENT_RTOL)
    if sd is not None:
        assert values.std() == pytest.approx(sd, rel=MOMENT_RTOL)


def test_fixed_and_truncated_normal() -> None:
    fixed = draw([UncertainParameter("p", Distribution(dist="fixed", value=2.5), "t")], 10, "sobol", 0)
    assert np.all(fixed == 2.5)
    cut = draw([UncertainParameter("p", Distribution(dist="normal", mean=0.0, sd=1.0, low=0.0), "t")], N, "lhs", 1)
    assert cut.min() >= 0.0 and cut.mean() == pytest.approx(np.sqrt(2.0 / np.pi), rel=MOMENT_RTOL)


def test_designs_are_reproducible_and_stratified() -> None:
    a, b, c = design(64, 3, "lhs", 5), design(64, 3, "lhs", 5), design(64, 3, "lhs", 6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    for k in range(3):  # a Latin hypercube puts exactly one point in each of the 64 strata of every margin
        assert sorted(np.floor(a[:, k] * 64).astype(int)) == list(range(64))
    assert np.array_equal(design(32, 2, "sobol", 1), design(32, 2, "sobol", 1))


def test_sensitivity_indices_recover_a_known_driver() -> None:
    """y = 3 x1 + x2 + 0 x3 with independent uniforms: S1 = 9/10, S2 = 1/10, S3 = 0."""
    x = design(4000, 3, "lhs", 11)
    y = 3.0 * x[:, 0] + x[:, 1]
    s = first_order_indices(x, y)
    assert s[0] == pytest.approx(0.9, abs=0.03) and s[1] == pytest.approx(0.1, abs=0.03) and s[2] <= 0.02
    assert np.all(first_order_indices(x, np.full(4000, 2.0)) == 0.0)


ENSEMBLE = """\
name: ens
uncertainty:
  elasticities:
    B06: {dist: uniform, low: 3, high: 12}
    C24A: {dist: fixed, value: 4}
  draws: 24
  seed: 3
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
"""


def band(world: World, text: str, **runner: int) -> tuple[np.ndarray, np.ndarray]:
    from geoshift.results.run import Runner

    m = Runner(world, **runner).run(parse_scenario(text)).metrics  # type: ignore[arg-type]
    q = m[m["metric"].isin(["real_income_change_pct_q05", "real_income_change_pct_q95"])]
    rus = q[q["country"] == "RUS"].set_index("metric")["value"]
    draws = m[(m["metric"] == "ensemble_draw_real_income_change_pct") & (m["country"] == "RUS")]["value"]
    return np.array([rus["real_income_change_pct_q05"], rus["real_income_change_pct_q95"]]), draws.to_numpy()


def test_ensemble_on_the_example_world(small_world: World) -> None:
    (low, high), draws = band(small_world, ENSEMBLE)
    assert len(draws) == 24 and low < high < 0.0
    again = band(small_world, ENSEMBLE)[1]
    assert np.array_equal(draws, again)  # same file, seed and data: identical draws
    other = band(small_world, ENSEMBLE, seed=4)[1]
    assert not np.array_equal(draws, other)
    assert len(band(small_world, ENSEMBLE, draws=10)[1]) == 10


def test_zero_uncertainty_gives_a_zero_width_band(small_world: World) -> None:
    """Every parameter fixed at its central value: every draw is the central run, the band has zero width."""
    central_theta = sector_elasticities()["theta"]
    text = ENSEMBLE.replace("{dist: uniform, low: 3, high: 12}", f"{{dist: fixed, value: {central_theta['B06']}}}")
    text = text.replace("{dist: fixed, value: 4}", f"{{dist: fixed, value: {central_theta['C24A']}}}")
    (low, high), draws = band(small_world, text)
    assert low == high and np.all(draws == draws[0])
    central = geoshift.run(parse_scenario(text), small_world).metrics
    value = central[(central["metric"] == "real_income_change_pct") & (central["country"] == "RUS")]["value"]
    assert draws[0] == pytest.approx(float(value.iloc[0]), abs=1e-12)


@pytest.mark.parametrize(("body", "message"), [
    ("  elasticities:\n    C19: {dist: uniform, low: 9, high: 3}\n", r"f\.yaml:4: uncertainty\.elasticities\.C19: "
                                                                      r"low \(9\) must be below high \(3\)"),
    ("  elasticities:\n    C19: {dist: lognormal, median: 5, sigma: -1}\n", r"f\.yaml:4: .*sigma.*greater than 0"),
    ("  elasticities:\n    C19: {dist: uniform, low: 3}\n", r"f\.yaml:4: .*needs low, high; missing high"),
    ("  energy:\n    pipeline_capacity: {dist: uniform, low: 1, high: 3}\n", r"f\.yaml:4: uncertainty\.energy"),
    ("  drawz: 10\n", r"f\.yaml:3: uncertainty\.drawz: unknown key 'drawz' \(did you mean 'draws'\?\)"),
])
def test_bad_distribution_specs_are_one_line_errors(body: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(f"name: x\nuncertainty:\n{body}", "f.yaml")


def test_an_unknown_sector_in_uncertainty_names_the_file(small_world: World) -> None:
    text = "name: x\nuncertainty:\n  elasticities:\n    C99: {dist: uniform, low: 1, high: 2}\n"
    with pytest.raises(ScenarioError, match=r"f\.yaml: uncertainty\.elasticities\.C99: unknown sector or group"):
        geoshift.run(parse_scenario(text, "f.yaml"), small_world)


def test_energy_lp_uncertainty_is_drawn(small_world: World) -> None:
    """The LP's declared parameters are drawn too: a band on the exporter's revenue change, a zero-width one when
    the parameter is fixed at its central value (max_supplier_share 0.5)."""
    text = ("name: e\nuncertainty:\n  energy:\n    max_supplier_share: {dist: uniform, low: 0.2, high: 0.9}\n"
            "  draws: 16\nshocks:\n  - {kind: embargo, exporters: RUS, importers: CHN, sectors: [B06]}\n")
    m = geoshift.run(parse_scenario(text), small_world).metrics
    q = m[m["metric"].str.startswith("energy_revenue_change_pct_q")].set_index("metric")["value"]
    draws = m[m["metric"] == "ensemble_draw_energy_revenue_change_pct"]["value"]
    assert len(draws) == 16 and q["energy_revenue_change_pct_q05"] <= q["energy_revenue_change_pct_q95"]
    fixed = geoshift.run(parse_scenario(text.replace("{dist: uniform, low: 0.2, high: 0.9}",
                                                     "{dist: fixed, value: 0.5}")), small_world).metrics
    central = fixed[fixed["metric"] == "energy_revenue_change_pct"]["value"].iloc[0]
    fixed_draws = fixed[fixed["metric"] == "ensemble_draw_energy_revenue_change_pct"]["value"]
    assert np.allclose(fixed_draws, central, rtol=0, atol=1e-9)
