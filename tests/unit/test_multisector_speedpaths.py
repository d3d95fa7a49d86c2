"""The fast paths of ``solve_multisector`` pinned against the plain formulas they replace.

The solver keeps sector-major copies of ``pi`` and baseline route counts on the calibration, computes the shock
weights only on the cells a shock changes, checks its domain from counts, and skips the idle-cell masks in a step
where every price term is positive; it reuses its weight arrays between solves, and its accelerator keeps the Gram
matrix of its history instead of forming it again. Each of these must give what the plain forms give: below, those
are written out again (as the solver had them before), and the solver is run against them on worlds with idle
cells, embargoes, tariffs, cost changes and a domestic cost so large that a weight underflows.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest

from geoshift.engines.trade_ge import calibrate, calibrate_arrays, solve_multisector, theta_for, validate
from geoshift.engines.trade_ge.anderson import anderson
from geoshift.engines.trade_ge.multisector import (
    Calibration,
    counterfactual,
    fixed_point_step,
    shock_weights,
    wage_damping,
)
from geoshift.errors import InputError
from geoshift.scenario import shocks
from geoshift.world import World

TOL = 1e-10
AGREE = 1e-12  # fast against plain: the map is the same cell by cell; the accelerator's kept Gram adds rounding
THETA2 = np.array([4.0, 8.0])
EXAMPLE_THETA = np.array([10.0, 4.0, 6.0])
Map = Callable[[np.ndarray], tuple[np.ndarray, float]]
# three countries: nobody buys sector S2 in AAA (an idle cell), CCC does not produce S2
X3 = np.array([
    [[10.0, 0.0], [2.0, 1.5], [3.0, 0.8]],
    [[1.0, 0.0], [20.0, 6.0], [0.5, 5.0]],
    [[4.0, 0.0], [1.0, 0.0], [30.0, 0.0]],
])


def cal3() -> Calibration:
    """``X3`` with each country spending 30 % of its purchases on inputs, spread by output."""
    Y, E = X3.sum(axis=1), X3.sum(axis=0)
    use = 0.3 * E[:, :, None] * (Y / Y.sum(axis=1, keepdims=True))[:, None, :]
    return calibrate_arrays(X3, use, Y - use.sum(axis=1), E - use.sum(axis=2), countries=["AAA", "BBB", "CCC"],
                            sectors=["S1", "S2"])


@dataclass(frozen=True)
class Plain:
    """The counterfactual's arrays from the dense formulas (every cell, masks for idle cells)."""

    theta: np.ndarray
    B: np.ndarray  # [j, n, i]
    BT: np.ndarray  # [j, i, n]
    BR: np.ndarray  # [j, n, i]
    rate: np.ndarray  # [i, n, j]
    cal: Calibration
    D: np.ndarray
    kappa: np.ndarray
    reachable: np.ndarray  # [j, n]
    open_exports: np.ndarray  # (N,)
    open_imports: np.ndarray  # (N,)


def plain(cal: Calibration, tau: np.ndarray, theta: np.ndarray, rate: np.ndarray | None = None,
          D: np.ndarray | None = None) -> Plain:
    rate = np.zeros(tau.shape) if rate is None else rate
    with np.errstate(invalid="ignore"):  # inf x 0 in BR where a weight overflows (BR is not read then)
        weights = shock_weights(cal.pi, tau, rate, theta)
        BR = np.ascontiguousarray(np.transpose(weights * rate / (1.0 + rate), (2, 1, 0)))
    B = np.ascontiguousarray(np.transpose(weights, (2, 1, 0)))
    N = len(cal.countries)
    used = (B * cal.E.T[:, :, None] > 0) & ~np.eye(N, dtype=bool)[None, :, :]
    return Plain(theta, B, np.ascontiguousarray(np.transpose(weights / (1.0 + rate), (2, 0, 1))),
                 BR, rate, cal,
                 cal.D if D is None else D, wage_damping(cal.gamma_va, cal.Y, theta), B.sum(axis=2) > 0,
                 used.any(axis=(0, 1)), used.any(axis=(0, 2)))


def price_terms(m: Plain, log_w: np.ndarray, log_P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A[j, i] = c^-theta`` and ``Phi[j, n] = P^-theta`` (the same matrix products as the solver)."""
    gamma_jk = np.transpose(m.cal.gamma, (0, 2, 1))
    log_c = (m.cal.gamma_va * log_w[:, None] + np.matmul(gamma_jk, log_P.T[:, :, None])[:, :, 0]).T  # [j, i]
    A = np.exp(-m.theta[:, None] * log_c)
    return A, np.matmul(m.B, A[:, :, None])[:, :, 0]


def plain_step(m: Plain, x: np.ndarray) -> tuple[np.ndarray, float]:
    """The fixed-point map as the module docstring writes it, every idle cell masked."""
    cal, theta = m.cal, m.theta
    N, S = len(cal.countries), len(cal.sectors)
    E0, active = cal.E.T, cal.E.T > 0
    log_w, log_P, e_hat = x[:N], x[N:N + S * N].reshape(S, N), x[N + S * N:].reshape(S, N)
    A, Phi = price_terms(m, log_w, log_P)
    if np.any(Phi[active] <= 0) or not np.all(np.isfinite(Phi)):
        return x, np.inf
    spend = e_hat * E0
    ratio = np.divide(spend, Phi, out=np.zeros_like(spend), where=Phi > 0)
    Y_new = A * np.matmul(m.BT, ratio[:, :, None])[:, :, 0]
    revenue = (ratio * np.matmul(m.BR, A[:, :, None])[:, :, 0]).sum(axis=0)
    supply = np.exp(log_w) * cal.VA
    income = supply + m.D + revenue
    labour = (cal.gamma_va.T * Y_new).sum(axis=0)
    if np.any(labour <= 0) or np.any(income <= 0):
        return x, np.inf
    excess = labour / supply
    log_w_new = log_w + m.kappa * np.log(excess)
    log_w_new -= np.log(np.exp(log_w_new) @ cal.VA / cal.VA.sum())
    log_P_new = np.where(active, -np.log(np.where(Phi > 0, Phi, 1.0)) / theta[:, None], 0.0)
    spend_new = np.matmul(cal.gamma, Y_new.T[:, :, None])[:, :, 0].T + cal.alpha.T * income[None, :]
    e_new = np.divide(spend_new, E0, out=np.zeros_like(E0), where=active)
    residual = max(float(np.max(np.abs(excess - 1.0))), float(np.max(np.abs(log_P_new - log_P))),
                   float(np.max(np.abs(e_new - e_hat))))
    return np.concatenate([log_w_new, log_P_new.ravel(), e_new.ravel()]), residual


def plain_solve(m: Plain) -> np.ndarray:
    N, S = len(m.cal.countries), len(m.cal.sectors)
    x0 = np.concatenate([np.zeros(N + S * N), np.where(m.cal.E.T > 0, 1.0, 0.0).ravel()])
    out = anderson(lambda x: plain_step(m, x), x0, tol=TOL, max_iter=3000, max_step=2.0)
    assert out.converged
    return out.x


def assert_counterfactual_is_plain(cal: Calibration, tau: np.ndarray, theta: np.ndarray,
                                   rate: np.ndarray | None = None) -> None:
    cf = counterfactual(cal, tau, theta, rate, cal.D)
    m = plain(cal, tau, theta, rate)
    assert cf.has_tariffs == bool(rate is not None and np.any(rate > 0))
    pairs = [(cf.B, m.B), (cf.BT, m.BT)] + ([(cf.BR, m.BR)] if cf.has_tariffs else [])  # BR is read with tariffs
    for fast, dense in pairs:
        np.testing.assert_allclose(fast, dense, rtol=AGREE, atol=0)
        assert np.array_equal(fast == 0, dense == 0)  # embargoes and underflows stay exact zeros
    if not cf.has_tariffs:
        assert not cf.BR.any()


def assert_solve_is_plain(cal: Calibration, tau: np.ndarray, theta: np.ndarray,
                          rate: np.ndarray | None = None) -> None:
    m = plain(cal, tau, theta, rate)
    r = solve_multisector(cal, tau, theta, tariff=rate, tol=TOL)
    assert r.state is not None
    np.testing.assert_allclose(r.state, plain_solve(m), rtol=AGREE, atol=AGREE)
    # the flows written straight into [i, n, j] against the plain product and transpose
    N, S = len(cal.countries), len(cal.sectors)
    log_w, log_P, e_hat = r.state[:N], r.state[N:N + S * N].reshape(S, N), r.state[N + S * N:].reshape(S, N)
    A, Phi = price_terms(m, log_w, log_P)
    ratio = np.divide(e_hat * cal.E.T, Phi, out=np.zeros_like(Phi), where=Phi > 0)
    flows = np.transpose(m.B * A[:, None, :] * ratio[:, :, None], (2, 1, 0)) / (1.0 + m.rate)
    np.testing.assert_allclose(r.X_new, flows, rtol=AGREE, atol=AGREE * float(cal.E.max()))
    assert r.X_new.flags.c_contiguous


# --- the cached calibration arrays --------------------------------------------------------------------------------

def test_cached_layouts_and_counts_equal_their_fresh_computation() -> None:
    cal = cal3()
    np.testing.assert_array_equal(cal.pi_jni, np.transpose(cal.pi, (2, 1, 0)))
    np.testing.assert_array_equal(cal.pi_jin, np.transpose(cal.pi, (2, 0, 1)))
    np.testing.assert_array_equal(cal.gamma_jk, np.transpose(cal.gamma, (0, 2, 1)))
    assert cal.pi_jni.flags.c_contiguous and cal.pi_jin.flags.c_contiguous and cal.gamma_jk.flags.c_contiguous
    # sources by hand: AAA buys S2 from nobody (its idle cell gets the domestic share 1), CCC's S2 from AAA and BBB
    np.testing.assert_array_equal(cal.sources, [[3, 3, 3], [1, 2, 2]])
    exports, imports = cal.foreign_routes
    # foreign routes in use (pi E > 0, i != n): AAA sells both sectors to BBB and CCC (4), BBB S1 to AAA and both to
    # CCC (3), CCC S1 to AAA and BBB (2); AAA buys S1 from BBB and CCC (2), BBB three, CCC four
    np.testing.assert_array_equal(exports, [4, 3, 2])
    np.testing.assert_array_equal(imports, [2, 3, 4])
    assert cal.pi_jni is cal.pi_jni  # made once


def test_a_pickled_calibration_leaves_its_caches_behind_and_rebuilds_them() -> None:
    cal = cal3()
    bare = len(pickle.dumps(cal))
    assert cal.pi_jni.size and cal.gamma_jk.size and cal.sources.size and cal.foreign_routes
    assert len(pickle.dumps(cal)) == bare  # the caches are not shipped to workers
    again = pickle.loads(pickle.dumps(cal))
    assert "pi_jni" not in vars(again)
    np.testing.assert_array_equal(again.pi_jni, cal.pi_jni)
    np.testing.assert_array_equal(again.foreign_routes[0], cal.foreign_routes[0])
    tau = np.ones((3, 3, 2))
    tau[0, 1, :] = 1.4
    np.testing.assert_array_equal(solve_multisector(again, tau, THETA2).w_hat,
                                  solve_multisector(cal, tau, THETA2).w_hat)


def test_spare_weight_arrays_are_reused_overwritten_and_never_shared() -> None:
    cal = cal3()
    tau1, tau2 = np.ones((3, 3, 2)), np.ones((3, 3, 2))
    tau1[0, 1, :] = 1.4
    tau2[2, 1, 0] = np.inf
    solve_multisector(cal, tau1, THETA2)
    assert len(cal.weight_buffers) == 2  # B and BT, handed back
    held = sorted(id(b) for b in cal.weight_buffers)
    for spare in cal.weight_buffers:
        spare.fill(np.nan)  # whatever a spare holds is overwritten
    second = solve_multisector(cal, tau2, THETA2)
    np.testing.assert_array_equal(second.state, solve_multisector(cal3(), tau2, THETA2).state)  # no spares there
    assert sorted(id(b) for b in cal.weight_buffers) == held
    first = counterfactual(cal, tau1, THETA2, None, cal.D, spare=cal.weight_buffers)
    other = counterfactual(cal, tau2, THETA2, None, cal.D, spare=cal.weight_buffers)
    assert cal.weight_buffers == []
    arrays = [first.B, first.BT, other.B, other.BT]
    assert not any(np.shares_memory(a, b) for k, a in enumerate(arrays) for b in arrays[k + 1:])
    assert_counterfactual_is_plain(cal, tau1, THETA2)
    np.testing.assert_array_equal(first.B, plain(cal, tau1, THETA2).B)


def test_threads_solving_on_one_calibration_get_their_own_weights() -> None:
    cal = cal3()
    shocks_ = []
    for k in range(8):
        tau = np.ones((3, 3, 2))
        tau[0, 1, :] = tau[1, 0, :] = 1.1 + 0.1 * k
        shocks_.append(tau)
    alone = [solve_multisector(cal3(), tau, THETA2).state for tau in shocks_]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda tau: solve_multisector(cal, tau, THETA2).state, shocks_ * 4))
    for k, state in enumerate(together):
        np.testing.assert_array_equal(state, alone[k % len(shocks_)])


# --- the shock weights on the changed cells and the domain checks from counts ----------------------------------

def test_weights_on_changed_cells_equal_the_dense_weights(small_world: World) -> None:
    cal = calibrate(small_world)
    tau = shocks.apply_cost_change(shocks.no_change(small_world), [1], [0, 2], [0], np.inf)  # embargo RUS
    tau = shocks.apply_cost_change(tau, [0], [2], [1, 2], 1.3, both_ways=False)  # and a cost rise CHN->USA
    assert_counterfactual_is_plain(cal, tau, EXAMPLE_THETA)
    rate = np.zeros(tau.shape)
    rate[0, 2, :] = 0.25  # USA taxes Chinese goods, also where tau is 1
    rate[2, 0, 2] = 0.1
    assert_counterfactual_is_plain(cal, tau, EXAMPLE_THETA, rate)
    assert_counterfactual_is_plain(cal, tau, EXAMPLE_THETA, np.zeros(tau.shape))  # zero tariffs: none


def test_a_weight_that_underflows_or_overflows_is_what_the_dense_formula_gives() -> None:
    cal = cal3()
    tau = np.ones((3, 3, 2))
    tau[0, 0, 1] = 1e300  # AAA's own S2 (its idle cell) costs so much that the weight underflows to 0
    assert_counterfactual_is_plain(cal, tau, THETA2)
    tau[1, 2, 0] = 1e-80  # a cost cut whose weight overflows to inf: the dense checks take over
    assert_counterfactual_is_plain(cal, tau, THETA2)
    assert np.isinf(counterfactual(cal, tau, THETA2, None, cal.D).B[0, 2, 1])


def dense_outcome(cal: Calibration, tau: np.ndarray) -> str | None:
    """The message the dense checks give for an embargo pattern (None: it passes)."""
    m = plain(cal, tau, THETA2)
    stranded = (cal.E.T > 0) & ~m.reachable
    if stranded.any():
        j, n = (int(v) for v in np.argwhere(stranded)[0])
        return f"tau_hat leaves {cal.countries[n]} with no source of sector {cal.sectors[j]}"
    try:
        validate.trade_balance_feasible(m.open_exports, m.open_imports, cal.D, cal.VA, cal.countries)
    except InputError as exc:
        return str(exc)
    return None


def test_domain_checks_from_counts_agree_with_the_dense_checks() -> None:
    """Random embargo patterns on the idle-cell world: each passes both ways or fails with the same message (a
    stranded buyer, a country cut off from its buyers or suppliers)."""
    cal = cal3()
    off_diagonal = [(i, n, j) for i in range(3) for n in range(3) for j in range(2) if i != n]
    rng = np.random.default_rng(11)
    outcomes = set()
    for _ in range(300):
        tau = np.ones((3, 3, 2))
        for k in rng.choice(len(off_diagonal), size=int(rng.integers(1, 8)), replace=False):
            tau[off_diagonal[k]] = np.inf
        want = dense_outcome(cal, tau)
        try:
            counterfactual(cal, tau, THETA2, None, cal.D)
            got = None
        except InputError as exc:
            got = str(exc)
        if want is not None and got is not None and want.startswith("tau_hat leaves"):
            assert got.startswith(want)
        else:
            assert got == want
        outcomes.add(None if got is None else got.split(" ")[1])
    assert outcomes == {None, "leaves", "cuts", "closes"}  # every kind of outcome was met


def anderson_recomputing_the_gram(g: Map, x0: np.ndarray, *, tol: float, max_iter: int, memory: int,
                                  max_step: float) -> tuple[np.ndarray, int]:
    """Type-II Anderson mixing written out with ``F F^T`` formed anew every iteration from the ring of differences,
    as ``anderson`` does without ``kept_gram`` (no domain handling: the map below never leaves it)."""
    x = x0.copy()
    dF, dG = np.empty((memory, x.size)), np.empty((memory, x.size))
    stored = slot = 0
    f_prev = g_prev = None
    for iteration in range(max_iter + 1):
        gx, res = g(x)
        if res <= tol:
            return x, iteration
        f = gx - x
        x_next = gx
        if f_prev is not None and g_prev is not None:
            dF[slot], dG[slot] = f - f_prev, gx - g_prev
            slot, stored = (slot + 1) % memory, min(stored + 1, memory)
            F, G = dF[:stored], dG[:stored]
            gram = F @ F.T
            gram[np.diag_indices_from(gram)] += 1e-12 * max(float(np.trace(gram)), 1e-300)
            candidate = gx - np.linalg.solve(gram, F @ f) @ G
            if np.all(np.isfinite(candidate)) and float(np.max(np.abs(candidate - x))) <= max_step:
                x_next = candidate
            else:
                stored = slot = 0
        f_prev, g_prev = f, gx
        x = x_next
    raise AssertionError("no convergence")


@pytest.mark.parametrize(("memory", "max_step"), [(6, 2.0), (3, 2.0), (4, 0.05)])  # the ring wraps; restarts
def test_the_kept_gram_matrix_gives_the_iterates_of_the_recomputed_one(memory: int, max_step: float) -> None:
    rng = np.random.default_rng(memory)
    M = rng.normal(0.0, 1.0, (40, 40))
    M *= 0.95 / np.max(np.abs(np.linalg.eigvals(M)))  # a contraction that plain iteration solves slowly
    b = rng.normal(0.0, 1.0, 40)

    def affine(x: np.ndarray) -> tuple[np.ndarray, float]:
        gx = M @ x + b
        return gx, float(np.max(np.abs(gx - x)))

    out = anderson(affine, np.zeros(40), tol=1e-11, max_iter=500, memory=memory, max_step=max_step, kept_gram=True)
    formed = anderson(affine, np.zeros(40), tol=1e-11, max_iter=500, memory=memory, max_step=max_step)
    want, iterations = anderson_recomputing_the_gram(affine, np.zeros(40), tol=1e-11, max_iter=500, memory=memory,
                                                     max_step=max_step)
    assert out.converged and out.iterations == iterations > memory + 2
    np.testing.assert_allclose(out.x, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(formed.x, want)  # without kept_gram: the same operations as before
    np.testing.assert_allclose(out.x, np.linalg.solve(np.eye(40) - M, b), rtol=1e-9, atol=1e-9)


def test_a_non_finite_accelerated_step_falls_back_to_the_plain_step() -> None:
    """x -> 2x from 1e300: the second step's differences overflow the Gram matrix, the mixed iterate is NaN and the
    plain step (4e300) is taken instead, as with memory 0 (the map reports a residual that falls as x grows)."""
    def double(x: np.ndarray) -> tuple[np.ndarray, float]:
        return 2.0 * x, float(1e300 / x[0])

    with np.errstate(over="ignore", invalid="ignore"):
        mixed = anderson(double, np.array([1e300]), tol=1e-30, max_iter=2)
        kept = anderson(double, np.array([1e300]), tol=1e-30, max_iter=2, kept_gram=True)
        plain_ = anderson(double, np.array([1e300]), tol=1e-30, max_iter=2, memory=0)
    assert mixed.x.tolist() == kept.x.tolist() == plain_.x.tolist() == [4e300]
    assert mixed.residual == plain_.residual == 0.25


# --- the step without masks and the whole solve ------------------------------------------------------------------

def test_the_unmasked_step_equals_the_masked_step_on_a_world_with_idle_cells() -> None:
    cal = cal3()
    tau = np.ones((3, 3, 2))
    tau[0, 1, :] = tau[1, 0, :] = 1.4
    cf = counterfactual(cal, tau, THETA2, None, cal.D)
    assert cf.idle[0].tolist() == [1] and cf.idle[1].tolist() == [0]  # AAA does not buy S2
    m = plain(cal, tau, THETA2)
    rng = np.random.default_rng(5)
    for _ in range(5):
        x = np.concatenate([rng.normal(0, 0.1, 3 + 6), rng.uniform(0.5, 1.5, 6)])
        x[3 + 6 + 3] = 0.0  # E'/E of the idle cell
        got, residual = fixed_point_step(cf, x)
        want, plain_residual = plain_step(m, x)
        np.testing.assert_allclose(got, want, rtol=AGREE, atol=1e-15)
        assert got[3 + 3] == 0.0 and got[3 + 6 + 3] == 0.0  # the idle cell's log price and spending
        assert residual == pytest.approx(plain_residual, rel=AGREE)


def test_the_masked_branch_runs_where_an_idle_cell_has_no_price() -> None:
    """AAA's own S2, which nobody buys, made infinitely dear: its price term is 0, the step takes the masked branch
    every iteration, and the solve still equals the plain one."""
    cal = cal3()
    tau = np.ones((3, 3, 2))
    tau[0, 0, 1] = 1e300
    tau[0, 1, 0] = tau[1, 0, 0] = 1.3
    cf = counterfactual(cal, tau, THETA2, None, cal.D)
    x0 = np.concatenate([np.zeros(9), np.where(cal.E.T > 0, 1.0, 0.0).ravel()])
    got, _ = fixed_point_step(cf, x0)
    want, _ = plain_step(plain(cal, tau, THETA2), x0)
    np.testing.assert_allclose(got, want, rtol=AGREE, atol=1e-15)
    assert_solve_is_plain(cal, tau, THETA2)


def test_a_step_outside_the_domain_stays_put() -> None:
    cal = cal3()
    cf = counterfactual(cal, np.ones((3, 3, 2)), THETA2, None, cal.D)
    x = np.concatenate([np.zeros(9), np.ones(6)])
    x[3] = np.nan  # a NaN price reaches every price term
    got, residual = fixed_point_step(cf, x)
    assert got is x and residual == np.inf
    x[3] = 0.0
    x[0] = 300.0  # AAA's wage so high that its costs underflow: nobody pays it, labour demand is 0
    got, residual = fixed_point_step(cf, x)
    assert got is x and residual == np.inf


@pytest.mark.parametrize("case", ["embargo", "cost rise", "tariffs", "tariffs and an embargo"])
def test_the_solve_equals_the_plain_solve_on_the_example_world(small_world: World, case: str) -> None:
    cal = calibrate(small_world)
    tau = shocks.no_change(small_world)
    rate = None
    if case in ("embargo", "tariffs and an embargo"):
        tau = shocks.apply_cost_change(tau, [1], [0, 2], [0], np.inf)
    if case == "cost rise":
        tau = shocks.apply_cost_change(tau, [0], [2], [1], 1.3, both_ways=False)
    if case.startswith("tariffs"):
        rate = np.zeros(tau.shape)
        rate[0, 2, 1] = 0.25
        rate[1, 0, 0] = 0.1
    assert_solve_is_plain(cal, tau, EXAMPLE_THETA, rate)


def test_the_solve_equals_the_plain_solve_on_a_world_with_idle_cells() -> None:
    cal = cal3()
    tau = np.ones((3, 3, 2))
    tau[0, 1, :] = tau[1, 0, :] = 1.4
    tau[2, 1, 0] = np.inf
    rate = np.zeros(tau.shape)
    rate[1, 2, 1] = 0.2
    assert_solve_is_plain(cal, tau, THETA2)
    assert_solve_is_plain(cal, tau, THETA2, rate)


@pytest.mark.realdata
def test_the_icio_embargo_equals_the_plain_solve(real_world: World) -> None:
    """The benchmark's kind of shock on the real 80 x 50 ICIO (sector T is bought by nobody in ten countries: idle
    cells), fast path against plain path."""
    cal = calibrate(real_world)
    assert (cal.E <= 0).any()
    tau = shocks.apply_cost_change(shocks.no_change(real_world), shocks.countries(real_world, "RUS"),
                                   shocks.countries(real_world, "USA,EU27,GBR,JPN,CAN"),
                                   shocks.sectors(real_world, "all"), np.inf)
    theta = theta_for(real_world.sectors)
    assert_counterfactual_is_plain(cal, tau, theta)
    assert_solve_is_plain(cal, tau, theta)
