"""The stacked solver (many elasticity draws of one shock at once) against ``solve_multisector`` draw by draw: the
same warm start and tolerance must give the same equilibrium, on the example World and on the real ICIO."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import calibrate, sector_elasticities, solve_multisector, theta_for
from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.engines.trade_ge.stacked import StackedResult, solve_multisector_stacked
from geoshift.errors import ConvergenceError, InputError
from geoshift.scenario import shocks
from geoshift.world import World

TOL = 1e-10  # both solvers stop at this residual
# Two solves of the same equilibrium to a residual of 1e-10 agree to about that much; in practice the stacked
# solver follows the one-draw iteration step for step (same iteration counts, differences ~1e-15).
AGREE_RTOL = 1e-9
EXAMPLE_THETA = np.array([10.0, 4.0, 6.0])


def example_thetas(draws: int, seed: int = 3) -> np.ndarray:
    return EXAMPLE_THETA * np.random.default_rng(seed).uniform(0.6, 1.4, size=(draws, 3))


def example_tariff(world: World) -> np.ndarray:
    rate = np.zeros(world.X.shape)
    rate[0, 2, :] = 0.25  # the U.S. taxes imports from China
    rate[1, 0, 0] = 0.10  # China taxes Russian energy
    return rate


def example_cases(world: World) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    one = shocks.no_change(world)
    return {
        "energy embargo RUS-CHN,USA": (shocks.apply_cost_change(one, [1], [0, 2], [0], np.inf), None),
        "steel cost +30 % CHN->USA": (shocks.apply_cost_change(one, [0], [2], [1], 1.3, both_ways=False), None),
        "tariffs USA<-CHN, CHN<-RUS": (one, example_tariff(world)),
        "tariffs on top of a cost cut": (shocks.apply_cost_change(one, [2], [1], [0, 1, 2], 0.8),
                                         example_tariff(world)),
    }


def assert_same_as_one_by_one(cal: Calibration, tau: np.ndarray, thetas: np.ndarray, tariff: np.ndarray | None,
                              x0: np.ndarray | None, stacked: StackedResult) -> None:
    assert len(stacked) == thetas.shape[0]
    assert stacked.converged.all()
    assert np.all(stacked.residual <= TOL)
    for d, theta in enumerate(thetas):
        ref = solve_multisector(cal, tau, theta, tariff=tariff, x0=x0, tol=TOL)
        np.testing.assert_allclose(stacked.real_income_hat[d], ref.real_income_hat, rtol=AGREE_RTOL, atol=0,
                                   err_msg=f"draw {d}")
        np.testing.assert_allclose(stacked.w_hat[d], ref.w_hat, rtol=AGREE_RTOL, err_msg=f"draw {d}")
        np.testing.assert_allclose(stacked.P_hat[d], ref.P_hat, rtol=AGREE_RTOL, err_msg=f"draw {d}")
        np.testing.assert_allclose(stacked.income_hat[d], ref.income_hat, rtol=AGREE_RTOL, err_msg=f"draw {d}")
        np.testing.assert_allclose(stacked.price_index_hat[d], ref.price_index_hat, rtol=AGREE_RTOL)
        assert ref.tariff_revenue is not None
        np.testing.assert_allclose(stacked.tariff_revenue[d], ref.tariff_revenue, rtol=AGREE_RTOL,
                                   atol=AGREE_RTOL * float(cal.E.max()))
        assert abs(int(stacked.iterations[d]) - ref.iterations) <= 2


# --- the example world -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["energy embargo RUS-CHN,USA", "steel cost +30 % CHN->USA",
                                  "tariffs USA<-CHN, CHN<-RUS", "tariffs on top of a cost cut"])
def test_example_world_draws_equal_one_by_one_warm_started(small_world: World, name: str) -> None:
    cal = calibrate(small_world)
    tau, tariff = example_cases(small_world)[name]
    central = solve_multisector(cal, tau, EXAMPLE_THETA, tariff=tariff)
    thetas = example_thetas(12)
    stacked = solve_multisector_stacked(cal, tau, thetas, tariff=tariff, x0=central.state, tol=TOL, block=5)
    assert_same_as_one_by_one(cal, tau, thetas, tariff, central.state, stacked)


def test_a_tariff_that_offsets_a_cost_cut_still_moves_spending(small_world: World) -> None:
    """Where ``tau (1 + t)`` is exactly 1 the buyer's price is unchanged, but the importer collects the tariff."""
    cal = calibrate(small_world)
    tau = shocks.no_change(small_world)
    tau[0, 2, :] = 0.8
    rate = np.zeros(tau.shape)
    rate[0, 2, :] = 0.25
    assert np.all(tau[0, 2, :] * (1.0 + rate[0, 2, :]) == 1.0)
    thetas = example_thetas(3, seed=19)
    stacked = solve_multisector_stacked(cal, tau, thetas, tariff=rate)
    assert np.all(stacked.tariff_revenue[:, 2] > 0)
    assert_same_as_one_by_one(cal, tau, thetas, rate, None, stacked)


def test_plain_iteration_equals_plain_iteration(small_world: World) -> None:
    cal = calibrate(small_world)
    tau, tariff = example_cases(small_world)["tariffs on top of a cost cut"]
    thetas = example_thetas(3, seed=23)
    stacked = solve_multisector_stacked(cal, tau, thetas, tariff=tariff, anderson_memory=0)
    for d, theta in enumerate(thetas):
        ref = solve_multisector(cal, tau, theta, tariff=tariff, anderson_memory=0)
        assert stacked.iterations[d] == ref.iterations > 20
        np.testing.assert_allclose(stacked.real_income_hat[d], ref.real_income_hat, rtol=AGREE_RTOL)


def test_example_world_cold_start_and_a_world_on_the_way_in(small_world: World) -> None:
    tau, _ = example_cases(small_world)["steel cost +30 % CHN->USA"]
    thetas = example_thetas(4, seed=5)
    stacked = solve_multisector_stacked(small_world, tau, thetas)
    assert_same_as_one_by_one(calibrate(small_world), tau, thetas, None, None, stacked)


def test_blocks_do_not_change_the_answer(small_world: World) -> None:
    """Each draw starts from x0 and follows its own iteration, whatever shares its block or how the block is
    compacted as draws finish."""
    cal = calibrate(small_world)
    tau, tariff = example_cases(small_world)["tariffs on top of a cost cut"]
    thetas = example_thetas(9, seed=11)
    runs = [solve_multisector_stacked(cal, tau, thetas, tariff=tariff, block=b) for b in (1, 2, 4, 100)]
    for run in runs[1:]:
        np.testing.assert_allclose(run.real_income_hat, runs[0].real_income_hat, rtol=1e-12)
        np.testing.assert_allclose(run.state, runs[0].state, rtol=1e-11, atol=1e-13)
        np.testing.assert_array_equal(run.iterations, runs[0].iterations)
    assert {run.block for run in runs} == {1, 2, 4, 100}


def test_an_embargo_leaves_exact_zeros_and_the_full_result_matches(small_world: World) -> None:
    cal = calibrate(small_world)
    tau, _ = example_cases(small_world)["energy embargo RUS-CHN,USA"]
    thetas = example_thetas(3, seed=7)
    stacked = solve_multisector_stacked(cal, tau, thetas)
    embargoed = np.isinf(tau)
    assert embargoed.any()
    for d, full in enumerate(stacked.results()):
        assert np.all(full.X_new[embargoed] == 0.0)
        ref = solve_multisector(cal, tau, thetas[d])
        np.testing.assert_allclose(full.X_new, ref.X_new, rtol=1e-8, atol=1e-12 * float(cal.E.max()))
        np.testing.assert_allclose(full.real_income_hat, stacked.real_income_hat[d], rtol=1e-12)
        assert full.converged and full.iterations == stacked.iterations[d]
        assert full.residual == stacked.residual[d]
        np.testing.assert_array_equal(full.state, stacked.state[d])


def test_one_warm_start_per_draw_and_new_deficits(small_world: World) -> None:
    cal = calibrate(small_world)
    tau, tariff = example_cases(small_world)["tariffs USA<-CHN, CHN<-RUS"]
    thetas = example_thetas(3, seed=13)
    balanced = np.zeros(len(cal.countries))
    starts = np.vstack([solve_multisector(cal, tau, th, tariff=tariff, D_new=balanced).state for th in thetas])
    stacked = solve_multisector_stacked(cal, tau, thetas, tariff=tariff, D_new=balanced, x0=starts)
    np.testing.assert_array_equal(stacked.iterations, 0)  # every draw starts at its own solution
    for d, theta in enumerate(thetas):
        ref = solve_multisector(cal, tau, theta, tariff=tariff, D_new=balanced)
        np.testing.assert_allclose(stacked.real_income_hat[d], ref.real_income_hat, rtol=AGREE_RTOL)


def test_no_draws_is_an_empty_result(small_world: World) -> None:
    stacked = solve_multisector_stacked(small_world, shocks.no_change(small_world), np.zeros((0, 3)))
    assert len(stacked) == 0
    assert stacked.real_income_hat.shape == (0, 3)


def test_a_draw_that_misses_the_tolerance_is_named(small_world: World) -> None:
    tau, _ = example_cases(small_world)["energy embargo RUS-CHN,USA"]
    thetas = example_thetas(3, seed=17)
    with pytest.raises(ConvergenceError, match=r"^solve_multisector_stacked: draw 0 did not converge \(residual "
                                               r".* after 2 iterations; 3 of 3 draws failed\)") as caught:
        solve_multisector_stacked(small_world, tau, thetas, max_iter=2)
    assert isinstance(caught.value.result, StackedResult)
    raw = solve_multisector_stacked(small_world, tau, thetas, max_iter=2, raise_on_failure=False)
    assert not raw.converged.any()
    assert np.all(raw.residual > TOL) and np.all(np.isfinite(raw.residual))
    np.testing.assert_array_equal(raw.iterations, 2)


@pytest.mark.parametrize(("thetas", "message"), [
    (EXAMPLE_THETA, r"^thetas must have shape \(draws, 3\): one row of sector elasticities per draw, got \(3,\)$"),
    (np.ones((2, 4)), r"^thetas must have shape \(draws, 3\): .*got \(2, 4\)$"),
    (np.array([[10.0, 4.0, 6.0], [10.0, 0.0, 6.0]]), r"^thetas must be finite and > 0 .* got 0.0 for draw 1, "
                                                      r"sector 1$"),
    (np.array([[10.0, 4.0, -6.0]]), r"^thetas must be finite and > 0 .* got -6.0 for draw 0, sector 2$"),
    (np.array([[10.0, np.nan, 6.0]]), r"^thetas must be finite and > 0 .* got nan for draw 0, sector 1$"),
    ([["a", "b", "c"]], r"^thetas must be a numeric array of shape \(draws, 3\)"),
])
def test_bad_elasticities(small_world: World, thetas: object, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        solve_multisector_stacked(small_world, shocks.no_change(small_world), thetas)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("options", "message"), [
    ({"block": 0}, r"^block must be a positive number of draws, got 0$"),
    ({"x0": np.zeros(5)}, r"^x0 must have shape \(21,\) \(one warm start for all draws\) or \(2, 21\), got \(5,\)$"),
    ({"x0": np.full(21, np.nan)}, r"^x0 has non-finite entries$"),
    ({"D_new": np.zeros(2)}, r"^D_new must be a finite array of shape \(3,\), got \(2,\)$"),
    ({"tariff": -np.ones((3, 3))}, r"^tariff rates must be finite and >= 0"),
])
def test_bad_options(small_world: World, options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        solve_multisector_stacked(small_world, shocks.no_change(small_world), example_thetas(2),
                                  **options)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_the_shock_is_checked_as_for_one_draw(small_world: World) -> None:
    tau = shocks.apply_cost_change(shocks.no_change(small_world), [1], [0, 2], [0, 1, 2], np.inf, both_ways=False)
    with pytest.raises(InputError, match=r"^tau_hat cuts RUS off from every foreign buyer") as caught:
        solve_multisector(small_world, tau, EXAMPLE_THETA)
    with pytest.raises(InputError, match=r"^tau_hat cuts RUS off from every foreign buyer") as stacked:
        solve_multisector_stacked(small_world, tau, example_thetas(2))
    assert str(stacked.value) == str(caught.value)
    with pytest.raises(InputError, match=r"^tau_hat must be > 0"):
        solve_multisector_stacked(small_world, np.zeros((3, 3, 3)), example_thetas(2))


# --- the real World --------------------------------------------------------------------------------------------

EMBARGO_COALITION = "USA,EU27,GBR,JPN,CAN"
ENERGY = "B05,B06,C19"


def uniform_draws(world: World, draws: int, seed: int) -> np.ndarray:
    table = sector_elasticities().loc[list(world.sectors)]
    low = table["theta_low"].to_numpy(dtype=np.float64)
    high = table["theta_high"].to_numpy(dtype=np.float64)
    return np.random.default_rng(seed).uniform(low, high, size=(draws, len(low)))


@pytest.fixture(scope="module")
def real_cal(real_world: World) -> Calibration:
    return calibrate(real_world)


@pytest.mark.realdata
def test_real_world_energy_embargo_draws_equal_one_by_one(real_world: World, real_cal: Calibration) -> None:
    tau = shocks.apply_cost_change(shocks.no_change(real_world), shocks.countries(real_world, "RUS"),
                                   shocks.countries(real_world, EMBARGO_COALITION),
                                   shocks.sectors(real_world, ENERGY), np.inf)
    central = solve_multisector(real_cal, tau, theta_for(real_world.sectors))
    thetas = uniform_draws(real_world, 20, seed=1)
    stacked = solve_multisector_stacked(real_cal, tau, thetas, x0=central.state, tol=TOL, block=8)
    assert_same_as_one_by_one(real_cal, tau, thetas, None, central.state, stacked)
    full = stacked.result(3)
    assert np.all(full.X_new[np.isinf(tau)] == 0.0)


@pytest.mark.realdata
def test_real_world_bloc_costs_with_tariffs_equal_one_by_one(real_world: World, real_cal: Calibration) -> None:
    """A shock whose weights depend on theta on many cells (the sparse part of the stacked weights)."""
    tau = shocks.apply_cost_change(shocks.no_change(real_world), shocks.countries(real_world, "USA,CAN,GBR,JPN"),
                                   shocks.countries(real_world, "CHN,RUS"), shocks.sectors(real_world, "all"), 1.5)
    rate = np.zeros(tau.shape)
    usa, chn = shocks.countries(real_world, "USA"), shocks.countries(real_world, "CHN")
    rate[np.ix_(chn, usa, shocks.sectors(real_world, "manufacturing"))] = 0.25
    rate[np.ix_(usa, chn, shocks.sectors(real_world, "agriculture"))] = 0.10
    central = solve_multisector(real_cal, tau, theta_for(real_world.sectors), tariff=rate)
    thetas = uniform_draws(real_world, 4, seed=2)
    stacked = solve_multisector_stacked(real_cal, tau, thetas, tariff=rate, x0=central.state, tol=TOL)
    assert_same_as_one_by_one(real_cal, tau, thetas, rate, central.state, stacked)
