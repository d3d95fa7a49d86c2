"""The fast paths of ``solve_multisector_stacked`` pinned against the plain formulas they replace.

The stacked solver starts its draw-free weights from the calibration's sector-major copies of ``pi``; its step
works in five reused arrays per block (each written once its previous content is no longer read), folds the sign
of ``-theta`` into the elasticities, computes the new spending with the final demand as one more row of the
input-output product, writes ``g(x) - x`` once for both the residual and the accelerator, and checks the price
terms of idle cells on their own (elsewhere a non-finite one shows in the log prices); its accelerator tests the
step length without an array of absolute values and drops finished draws in place. Below, the plain
forms are written out again and compared (to 1e-12, or exactly where the shortcut is exact) on worlds with idle
cells, embargoes, tariffs and cost changes, and on the real 80 x 50 ICIO embargo.
"""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import calibrate, calibrate_arrays, solve_multisector, theta_for
from geoshift.engines.trade_ge.multisector import (
    Calibration,
    counterfactual,
    fixed_point_step,
    tariff_array,
    tau_array,
)
from geoshift.engines.trade_ge.stacked import (
    MAX_STEP,
    Mixer,
    Workspace,
    draws,
    solve_multisector_stacked,
    stack,
    stacked_step,
    within,
)
from geoshift.scenario import shocks
from geoshift.world import World

AGREE = 1e-12
EXAMPLE_THETA = np.array([10.0, 4.0, 6.0])
# three countries, two sectors: nobody buys sector T2 in XXX (an idle cell), ZZZ does not produce T2
FLOWS = np.array([
    [[12.0, 0.0], [2.0, 1.0], [3.0, 0.5]],
    [[1.0, 0.0], [25.0, 7.0], [0.4, 4.0]],
    [[5.0, 0.0], [1.5, 0.0], [28.0, 0.0]],
])


def idle_cal() -> Calibration:
    """``FLOWS`` with a quarter of each country's purchases spent on inputs, in proportion to its output."""
    Y, E = FLOWS.sum(axis=1), FLOWS.sum(axis=0)
    use = 0.25 * E[:, :, None] * (Y / Y.sum(axis=1, keepdims=True))[:, None, :]
    return calibrate_arrays(FLOWS, use, Y - use.sum(axis=1), E - use.sum(axis=2), countries=["XXX", "YYY", "ZZZ"],
                            sectors=["T1", "T2"])


def example_cases(world: World) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    one = shocks.no_change(world)
    rate = np.zeros(world.X.shape)
    rate[0, 2, :] = 0.25
    rate[1, 0, 0] = 0.10
    return {
        "embargo": (shocks.apply_cost_change(one, [1], [0, 2], [0], np.inf), None),
        "cost change": (shocks.apply_cost_change(one, [0], [2], [1], 1.3, both_ways=False), None),
        "tariffs on a cost cut and an embargo": (
            shocks.apply_cost_change(shocks.apply_cost_change(one, [2], [1], [0, 1, 2], 0.8), [1], [0], [2], np.inf),
            rate),
    }


def plain_stack_weights(cal: Calibration, tau: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The draw-free weights as the dense formula has them: pi where ``tau (1 + t) = 1`` and no tariff, else 0;
    ``[j, i, n]`` and ``[j, n, i]`` times the baseline expenditure."""
    unchanged = (tau * (1.0 + rate) == 1.0) & (rate == 0.0)
    B0 = np.transpose(np.where(unchanged, cal.pi, 0.0), (2, 1, 0))
    return np.transpose(B0, (0, 2, 1)), B0 * cal.E.T[:, :, None]


def thetas_around(theta: np.ndarray, draws_: int, seed: int) -> np.ndarray:
    return theta * np.random.default_rng(seed).uniform(0.6, 1.4, size=(draws_, theta.size))


def points(cal: Calibration, tau: np.ndarray, theta: np.ndarray, rate: np.ndarray | None, m: int,
           seed: int) -> np.ndarray:
    """``m`` points near an equilibrium of the shock (so that every cell's price term is in play)."""
    central = solve_multisector(cal, tau, theta, tariff=rate, raise_on_failure=False)
    noise = np.random.default_rng(seed).normal(0.0, 0.05, size=(m, central.state.size))
    x = central.state[None, :] + noise
    N, _, S = cal.X.shape
    idle = np.concatenate([np.zeros(N + S * N, dtype=bool), (cal.E.T <= 0).ravel()])
    x[:, idle] = 0.0  # nobody buys: E'/E is 0 there
    return x


def assert_step_is_plain(cal: Calibration, tau: np.ndarray, rate: np.ndarray | None, thetas: np.ndarray,
                         x: np.ndarray) -> None:
    """Every row of one stacked step (gx, residual, g(x) - x) against ``multisector.fixed_point_step`` for that
    draw alone, the plain one-draw map."""
    rates = np.zeros(tau.shape) if rate is None else rate
    st = stack(cal, tau, rates, cal.D)
    ev = stacked_step(st, draws(st, thetas), x, Workspace(len(thetas), *st.shape), np.full(x.shape, np.nan))
    for d, theta in enumerate(thetas):
        gx, residual = fixed_point_step(counterfactual(cal, tau, theta, rate, cal.D), x[d])
        np.testing.assert_allclose(ev.gx[d], gx, rtol=AGREE, atol=AGREE, err_msg=f"draw {d}")
        if np.isfinite(residual):
            assert ev.residual[d] == pytest.approx(residual, rel=AGREE, abs=AGREE)
        else:
            assert ev.residual[d] == np.inf
        np.testing.assert_array_equal(ev.f[d], ev.gx[d] - x[d])  # exactly the accelerator's difference


@pytest.mark.parametrize("case", ["embargo", "cost change", "tariffs on a cost cut and an embargo"])
def test_draw_free_weights_from_the_cached_copies_equal_the_dense_formula(small_world: World, case: str) -> None:
    cal = calibrate(small_world)
    tau_hat, tariff = example_cases(small_world)[case]
    tau = tau_array(cal, tau_hat)
    rate = np.zeros(tau.shape) if tariff is None else tariff_array(cal, tariff)
    st = stack(cal, tau, rate, cal.D)
    B0T, B0E = plain_stack_weights(cal, tau, rate)
    np.testing.assert_array_equal(st.B0T, B0T)  # the same values: copies of pi or 0, and one product
    np.testing.assert_array_equal(st.B0E, B0E)
    assert st.B0T.flags.c_contiguous and st.B0E.flags.c_contiguous
    assert not np.shares_memory(st.B0T, cal.pi_jin) and not np.shares_memory(st.B0E, cal.pi_jni)
    np.testing.assert_array_equal(cal.pi_jin, np.transpose(cal.pi, (2, 0, 1)))  # the cache is left as it was


def test_the_spending_row_is_the_plain_final_and_input_demand(small_world: World) -> None:
    cal = calibrate(small_world)
    tau = tau_array(cal, example_cases(small_world)["embargo"][0])
    st = stack(cal, tau, np.zeros(tau.shape), cal.D)
    N, S = st.shape
    E0 = cal.E.T
    E0_inv = np.divide(1.0, E0, out=np.zeros_like(E0), where=E0 > 0)
    assert st.spend_shares.shape == (N, S + 1, S)
    np.testing.assert_array_equal(st.spend_shares[:, :S, :], np.transpose(cal.gamma, (0, 2, 1)) * E0_inv.T[:, None, :])
    np.testing.assert_array_equal(st.spend_shares[:, S, :], cal.alpha * E0_inv.T)
    # one product with income as the last column = final demand + input demand, each over the baseline
    rng = np.random.default_rng(0)
    Y, income = rng.uniform(0.5, 2.0, size=(N, 4, S)), rng.uniform(0.5, 2.0, size=(4, N))
    one = np.matmul(np.concatenate([Y, income.T[:, :, None]], axis=2), st.spend_shares)  # [n, d, k]
    plain = (np.einsum("ndj,njk->dkn", Y, cal.gamma.transpose(0, 2, 1)) + cal.alpha.T[None] * income[:, None, :])
    np.testing.assert_allclose(np.transpose(one, (1, 2, 0)), plain * E0_inv[None], rtol=AGREE, atol=AGREE)


@pytest.mark.parametrize("case", ["embargo", "cost change", "tariffs on a cost cut and an embargo"])
def test_a_stacked_step_is_the_one_draw_map_for_every_draw(small_world: World, case: str) -> None:
    cal = calibrate(small_world)
    tau_hat, tariff = example_cases(small_world)[case]
    tau = tau_array(cal, tau_hat)
    rate = None if tariff is None else tariff_array(cal, tariff)
    thetas = thetas_around(EXAMPLE_THETA, 5, seed=4)
    assert_step_is_plain(cal, tau, rate, thetas, points(cal, tau, EXAMPLE_THETA, rate, 5, seed=5))


def test_a_world_with_idle_cells() -> None:
    cal = idle_cal()
    assert np.any(cal.E.T <= 0)
    tau = np.ones(cal.X.shape)
    tau[1, 0, 0] = tau[0, 1, 0] = 1.2  # YYY <-> XXX dearer in T1
    tau[2, 1, 0] = np.inf  # ZZZ's T1 embargoed in YYY
    thetas = thetas_around(np.array([5.0, 8.0]), 4, seed=6)
    assert_step_is_plain(cal, tau, None, thetas, points(cal, tau, np.array([5.0, 8.0]), None, 4, seed=7))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_outside_the_domain_the_map_stays_put_and_its_difference_is_zero(small_world: World) -> None:
    """A draw whose prices overflow or vanish is outside the domain exactly when the one-draw map says so: the
    idle-cell check and the non-finite log prices together stand for the check of every price term."""
    cal = calibrate(small_world)
    tau = tau_array(cal, example_cases(small_world)["embargo"][0])
    thetas = thetas_around(EXAMPLE_THETA, 4, seed=8)
    x = points(cal, tau, EXAMPLE_THETA, None, 4, seed=9)
    N = len(cal.countries)
    x[1, N:N + 3] = 800.0  # enormous input prices: c^-theta underflows to 0 for some sectors
    x[2, :N] = -800.0  # no wages to speak of: labour demand and income vanish
    x[3, N:] = -60.0  # prices near 0: price terms overflow
    assert_step_is_plain(cal, tau, None, thetas, x)
    st = stack(cal, tau, np.zeros(tau.shape), cal.D)
    ev = stacked_step(st, draws(st, thetas), x)
    outside = ~np.isfinite(ev.residual)
    assert outside[1:].any() and not outside[0]
    np.testing.assert_array_equal(ev.gx[outside], x[outside])
    assert np.all(ev.f[outside] == 0.0)


def test_the_step_length_test_is_max_abs() -> None:
    rng = np.random.default_rng(10)
    step = rng.uniform(-3.0, 3.0, size=(12, 7)) * rng.uniform(0.0, 1.0, size=(12, 1))
    step[0] = [2.0, -2.0, 0.0, 1.0, 1.0, 1.0, 1.0]  # at the limit both ways: inside
    step[1, 3] = -2.0000000001  # just past it, downwards
    step[2, 5] = np.nan
    step[3, 0] = np.inf
    step[4, 1] = -np.inf
    with np.errstate(invalid="ignore"):
        plain = np.max(np.abs(step), axis=1) <= MAX_STEP
    np.testing.assert_array_equal(within(step, MAX_STEP), plain)
    assert within(step, MAX_STEP)[0] and not within(step, MAX_STEP)[1:5].any()


def filled_mixer(m: int, size: int, iterations: int, seed: int) -> Mixer:
    rng = np.random.default_rng(seed)
    mixer = Mixer(3, m, size)
    x = rng.normal(size=(m, size))
    for _ in range(iterations):
        gx = x + 0.1 * rng.normal(size=(m, size))
        np.subtract(gx, x, out=mixer.f_next)
        x = mixer.propose(gx, np.ones(m, dtype=bool)).copy()
    return mixer


@pytest.mark.parametrize("drop", [[0], [4], [1, 3], [0, 2, 4, 5]])
def test_dropping_draws_in_place_keeps_what_fresh_copies_keep(drop: list[int]) -> None:
    """``Mixer.take`` moves the kept rows to the front of the same buffers; the plain form copies them out."""
    for iterations in (2, 5):  # the turn of the alternating buffers differs
        mixer = filled_mixer(6, 11, iterations, seed=iterations)
        keep = np.ones(6, dtype=bool)
        keep[drop] = False
        rows = np.flatnonzero(keep)
        plain = {"dF": mixer.dF[:, rows].copy(), "dG": mixer.dG[:, rows].copy(), "f_prev": mixer.f_prev[rows].copy(),
                 "g_prev": mixer.g_prev[rows].copy(), "gram": mixer.gram[rows].copy(), "rhs": mixer.rhs[rows].copy(),
                 "valid": mixer.valid[rows].copy(), "has_prev": mixer.has_prev[rows].copy()}
        slot, history = mixer.slot, mixer.history
        kept = mixer.take(keep)
        for name, value in plain.items():
            np.testing.assert_array_equal(getattr(kept, name), value, err_msg=name)
        assert kept.slot == slot and kept.history is history  # the same memory, no fresh pages
        assert not np.shares_memory(kept.f_next, kept.f_prev)


def test_a_smaller_workspace_reuses_the_memory() -> None:
    ws = Workspace(8, 5, 3)
    small = ws.shrink(3)
    assert small.storage is ws.storage
    assert small.A.shape == (3, 3, 5) and small.gx[0].shape == (3, 5 + 2 * 3 * 5)
    for array in (small.logs, small.log_c, small.A, small.Phi, small.ratio, small.demand, small.Y, small.inputs,
                  *small.gx):
        assert np.shares_memory(array, ws.storage) and array.flags.c_contiguous


def test_dropping_finished_draws_does_not_change_any_draw(small_world: World) -> None:
    """A block that drops its finished draws (in place) gives each draw what it gets alone (block 1, never
    compacted), to the last bit of the state."""
    cal = calibrate(small_world)
    tau_hat, tariff = example_cases(small_world)["tariffs on a cost cut and an embargo"]
    thetas = thetas_around(EXAMPLE_THETA, 24, seed=11)
    together = solve_multisector_stacked(cal, tau_hat, thetas, tariff=tariff, block=24)
    alone = solve_multisector_stacked(cal, tau_hat, thetas, tariff=tariff, block=1)
    assert len(set(together.iterations.tolist())) > 1  # draws finish at different iterations: compaction ran
    np.testing.assert_array_equal(together.iterations, alone.iterations)
    np.testing.assert_allclose(together.state, alone.state, rtol=AGREE, atol=AGREE)


@pytest.fixture(scope="module")
def real_cal(real_world: World) -> Calibration:
    return calibrate(real_world)


@pytest.mark.realdata
def test_real_icio_embargo_step_is_the_one_draw_map(real_world: World, real_cal: Calibration) -> None:
    """The 80 x 50 ICIO Russia-West embargo of the ensemble benchmark: a stacked step at draws around the
    central solution equals the one-draw map draw by draw."""
    tau = shocks.apply_cost_change(shocks.no_change(real_world), shocks.countries(real_world, "RUS"),
                                   shocks.countries(real_world, "USA,CAN,GBR,JPN,DEU,FRA,ITA"),
                                   shocks.sectors(real_world, "all"), np.inf)
    theta = theta_for(real_world.sectors)
    thetas = thetas_around(theta, 3, seed=12)
    x = points(real_cal, tau, theta, None, 3, seed=13)
    assert_step_is_plain(real_cal, tau_array(real_cal, tau), None, thetas, x)
