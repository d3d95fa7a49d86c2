"""Property-based tests of the trade GE solvers on random small worlds (hypothesis).

Every world is drawn from scratch: 2-6 countries, 1-3 sectors, positive flows with home bias, input-output
shares that keep value added and final demand positive, elasticities in [2, 12], trade-cost factors in
[0.7, 2] with occasional embargo cells (never on the diagonal, so every importer keeps its domestic supplier)
and, for the multi-sector model, occasional ad valorem tariffs. The checks recompute the model's accounting
and pricing equations here, from the raw world arrays and the returned arrays, not with the solver's helpers.

Set the environment variable ``CI`` for derandomised (reproducible) runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from geoshift.engines.trade_ge import (
    GravityResult,
    MultiSectorResult,
    calibrate_arrays,
    solve_gravity,
    solve_multisector,
)
from geoshift.errors import ConvergenceError, InputError

ZERO_SHOCK_TOL = 1e-10  # a zero shock returns the baseline: hats equal one, flows unchanged
IDENTITY_RTOL = 1e-8  # adding-up, trade balance, factor market, numéraire after a solve (solver tol is 1e-10)
PRICE_RTOL = 1e-8  # price indices and trade shares against the model's pricing equations
SYMMETRY_RTOL = 1e-8  # a permutation-invariant world and shock give a permutation-invariant answer
SCALE_RTOL = 1e-8  # hats do not depend on the units of the flows
# Comparisons between two solves (symmetry, units) use a tighter solver tolerance: at the default residual
# tolerance (1e-10) hats are accurate to ~1e-8 only (1.2e-8 seen with theta = 11).
DEFAULT_SOLVER_TOL = 1e-10  # the solvers' default
TIGHT_SOLVER_TOL = 1e-12
# numéraire of the one-sector solver: Anderson-mixed iterates are not renormalised, and under balanced trade the
# residual does not see the price level; the solver renormalises its result (test at the end).
GRAVITY_NUMERAIRE_RTOL = IDENTITY_RTOL

MIN_FLOW, MAX_FLOW = 0.1, 10.0  # off-diagonal flows
MIN_HOME_BIAS, MAX_HOME_BIAS = 1.0, 10.0  # domestic flow = home bias × the mean of foreign sales and purchases
MIN_BALANCE, MAX_BALANCE = 0.35, 0.5  # foreign flows blended with their mirror image: 0.5 = balanced trade
MIN_IO_INTENSITY, MAX_IO_INTENSITY = 0.05, 0.7  # inputs' share of gross output and of expenditure (at most)
MIN_THETA, MAX_THETA = 2.0, 12.0
MIN_FACTOR, MAX_FACTOR = 0.7, 2.0  # trade-cost change factors
MAX_TARIFF = 0.3
FEASIBILITY_MARGIN = 2.0  # open routes of a bloc carry at least this multiple of its fixed imbalance
MIN_SCALE, MAX_SCALE = 1e-3, 1e3

CI = bool(os.environ.get("CI"))
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("GE_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    derandomize=CI,
    database=None if CI else settings().database,  # locally, failing examples are replayed first
    suppress_health_check=[HealthCheck.too_slow],
)


# ---------------------------------------------------------------------------------------------------- worlds


@dataclass(frozen=True, eq=False)
class RawWorld:
    """Flows ``X[i, n, j]``, input use ``use[n, k, j]``, ``value_added[n, j]``, ``final_demand[n, j]`` and
    elasticities ``theta[j]``; they satisfy the adding-up identities of a World."""

    X: np.ndarray
    use: np.ndarray
    value_added: np.ndarray
    final_demand: np.ndarray
    theta: np.ndarray

    @property
    def N(self) -> int:
        return int(self.X.shape[0])

    @property
    def S(self) -> int:
        return int(self.X.shape[2])

    def scaled(self, factor: float) -> RawWorld:
        return RawWorld(self.X * factor, self.use * factor, self.value_added * factor,
                        self.final_demand * factor, self.theta)


@dataclass(frozen=True, eq=False)
class Shares:
    """Baseline shares recomputed here from a raw world (independent of ``calibrate_arrays``)."""

    Y: np.ndarray  # (N, S) gross output = sales
    E: np.ndarray  # (N, S) expenditure = purchases
    pi: np.ndarray  # (N, N, S) import shares
    gamma_va: np.ndarray  # (N, S)
    gamma: np.ndarray  # (N, S, S) [country, input k, user j]
    alpha: np.ndarray  # (N, S)
    VA: np.ndarray  # (N,)
    D: np.ndarray  # (N,) deficit = final demand - value added

    @classmethod
    def of(cls, world: RawWorld) -> Shares:
        Y = world.X.sum(axis=1)
        E = world.X.sum(axis=0)
        fd_total = world.final_demand.sum(axis=1)
        VA = world.value_added.sum(axis=1)
        return cls(Y=Y, E=E, pi=world.X / E[None, :, :], gamma_va=world.value_added / Y,
                   gamma=world.use / Y[:, None, :], alpha=world.final_demand / fd_total[:, None], VA=VA,
                   D=fd_total - VA)


def diagonal(N: int, S: int) -> tuple[np.ndarray, ...]:
    """Index of the domestic cells ``[i, i, j]`` of an (N, N, S) array."""
    i, j = np.meshgrid(np.arange(N), np.arange(S), indexing="ij")
    return i.ravel(), i.ravel(), j.ravel()


def positive(shape: tuple[int, ...], low: float, high: float) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high))


@st.composite
def raw_worlds(draw: st.DrawFn, sectors: int | None = None, min_countries: int = 2,
               balanced: bool = False) -> RawWorld:
    N = draw(st.integers(min_countries, 6))
    S = draw(st.integers(1, 3)) if sectors is None else sectors
    # Well-conditioned worlds: home bias, and fixed deficits of at most (1 - 2 × balance) of the foreign flows.
    # Large fixed deficits make many shocks infeasible (no equilibrium with positive expenditure everywhere).
    X = draw(positive((N, N, S), MIN_FLOW, MAX_FLOW))
    balance = 0.5 if balanced else draw(st.floats(MIN_BALANCE, MAX_BALANCE))
    X = (1.0 - balance) * X + balance * np.transpose(X, (1, 0, 2))
    X[diagonal(N, S)] = 0.0
    foreign = 0.5 * (X.sum(axis=1) + X.sum(axis=0))  # (N, S)
    X[diagonal(N, S)] = (draw(positive((N, S), MIN_HOME_BIAS, MAX_HOME_BIAS)) * foreign).ravel()
    Y, E = X.sum(axis=1), X.sum(axis=0)
    # input use: raw weights, at most Y[n, j] per using sector, then shrunk per country so that inputs take at
    # most the drawn intensity (< 1) of every sector's output (value added > 0) and of every sector's
    # expenditure (final demand > 0)
    weights = draw(positive((N, S, S), 0.01, 1.0))
    with_io = draw(st.sampled_from([True, True, True, False]))  # most worlds have input-output links
    intensity = draw(positive((N,), MIN_IO_INTENSITY, MAX_IO_INTENSITY)) if with_io else np.zeros(N)
    use = weights / S * Y[:, None, :]
    row = use.sum(axis=2)  # (N, S): intermediate purchases of each sector's good
    with np.errstate(over="ignore"):  # subnormal weights
        room = np.min(np.divide(E, row, out=np.full_like(E, np.inf), where=row > 0), axis=1)
    use *= (intensity * np.minimum(1.0, room))[:, None, None]
    value_added = Y - use.sum(axis=1)
    final_demand = E - use.sum(axis=2)
    theta = draw(positive((S,), MIN_THETA, MAX_THETA))
    return RawWorld(X, use, value_added, final_demand, theta)


def shortfall(cells: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """A bloc of countries (any proper subset) whose open routes cannot carry its fixed trade balance, as
    ``(members, outward)``, or None. With fixed deficits a bloc cut off from every export market must pay for
    its imports with its deficit (and vice versa): with a surplus or balanced trade no equilibrium exists (its
    wages would have to fall to zero, see the regression tests at the end), and a bloc whose open markets are
    small against its fixed surplus has none with positive expenditure everywhere. So every bloc keeps open
    exports and imports, at least ``FEASIBILITY_MARGIN`` times the part of its imbalance they must carry."""
    N = X.shape[0]
    open_flows = np.where(cells, 0.0, X).sum(axis=2)  # (N, N) baseline flows on open routes
    deficit = X.sum(axis=(0, 2)) - X.sum(axis=(1, 2))
    for code in range(1, 2 ** N - 1):
        members = np.array([(code >> i) & 1 == 1 for i in range(N)])
        out = open_flows[np.ix_(members, ~members)].sum()
        into = open_flows[np.ix_(~members, members)].sum()
        D = deficit[members].sum()
        if out <= max(0.0, -FEASIBILITY_MARGIN * D):
            return members, True
        if into <= max(0.0, FEASIBILITY_MARGIN * D):
            return members, False
    return None


def lift_embargoes(cells: np.ndarray, X: np.ndarray, keep: tuple[int, int, int] | None = None) -> np.ndarray:
    """Lift embargo cells (the largest baseline flow first) until no bloc falls short (see ``shortfall``).
    ``keep``: a cell that stays embargoed."""
    cells = cells.copy()
    while (short := shortfall(cells, X)) is not None:
        members, outward = short
        src, dst = (members, ~members) if outward else (~members, members)
        liftable = cells & src[:, None, None] & dst[None, :, None]
        if keep is not None:
            liftable[keep] = False
        assert liftable.any(), "no embargo left to lift: draw balanced worlds with 3+ countries for `keep`"
        cells[np.unravel_index(np.argmax(np.where(liftable, X, -1.0)), X.shape)] = False
    return cells


@st.composite
def embargoes(draw: st.DrawFn, X: np.ndarray, at_least_one: bool = False) -> np.ndarray:
    """Sparse embargo cells: never on the diagonal (a country never embargoes itself, so every importer keeps
    a supplier), and lifted where a bloc would have no equilibrium (``shortfall``)."""
    N, _, S = X.shape
    cells = draw(hnp.arrays(np.bool_, (N, N, S), elements=st.booleans(), fill=st.just(False)))
    cells[diagonal(N, S)] = False
    keep = None
    if at_least_one:
        i = draw(st.integers(0, N - 1))
        n = draw(st.integers(0, N - 2))
        keep = (i, n + (n >= i), draw(st.integers(0, S - 1)))  # n + (n >= i) != i
        cells[keep] = True
    return lift_embargoes(cells, X, keep)


def with_embargoes(tau: np.ndarray, cells: np.ndarray) -> np.ndarray:
    return np.where(cells, np.inf, tau)


@st.composite
def tariffs(draw: st.DrawFn, N: int, S: int) -> np.ndarray | None:
    if not draw(st.booleans()):
        return None
    rate = draw(hnp.arrays(np.float64, (N, N, S), elements=st.floats(0.0, MAX_TARIFF), fill=st.just(0.0)))
    rate[diagonal(N, S)] = 0.0
    return rate


@st.composite
def world_and_shock(draw: st.DrawFn, sectors: int | None = None, with_tariffs: bool = False,
                    at_least_one_embargo: bool = False) -> tuple[RawWorld, np.ndarray, np.ndarray | None]:
    """A world, trade-cost changes ``tau[i, n, j]`` (inf = embargo) and optional new tariffs. A forced embargo
    comes with a balanced world of 3+ countries, where the other cells can always be lifted instead."""
    if at_least_one_embargo:
        world = draw(raw_worlds(sectors, min_countries=3, balanced=True))
    else:
        world = draw(raw_worlds(sectors))
    tau = draw(positive((world.N, world.N, world.S), MIN_FACTOR, MAX_FACTOR))
    tau = with_embargoes(tau, draw(embargoes(world.X, at_least_one_embargo)))
    rate = draw(tariffs(world.N, world.S)) if with_tariffs else None
    return world, tau, rate


def orbit_average(array: np.ndarray, perm: np.ndarray, country_axes: int) -> np.ndarray:
    """Average of ``array`` over the cyclic group generated by the country permutation ``perm`` (the first
    ``country_axes`` axes index countries): the result is invariant under ``perm``. The diagonal maps to
    itself, so zero tariffs and finite trade costs there stay so."""
    total = np.zeros_like(array)
    power = np.arange(len(perm))
    copies = 0
    while True:
        inv = np.argsort(power)
        moved = array[inv] if country_axes == 1 else array[inv][:, inv]
        total = total + moved
        copies += 1
        power = perm[power]
        if np.array_equal(power, np.arange(len(perm))):
            return total / copies


@st.composite
def symmetric_cases(draw: st.DrawFn, sectors: int | None = None,
                    with_tariffs: bool = False) -> tuple[RawWorld, np.ndarray, np.ndarray | None, np.ndarray]:
    """A world, shock and tariff invariant under a (non-identity) permutation of countries."""
    world = draw(raw_worlds(sectors))
    N, S = world.N, world.S
    tau = draw(positive((N, N, S), MIN_FACTOR, MAX_FACTOR))
    cells = draw(embargoes(world.X))
    rate = draw(tariffs(N, S)) if with_tariffs else None
    perm = np.array(draw(st.permutations(range(world.N))))
    if np.array_equal(perm, np.arange(world.N)):
        perm[[0, 1]] = perm[[1, 0]]
    sym = RawWorld(orbit_average(world.X, perm, 2), orbit_average(world.use, perm, 1),
                   orbit_average(world.value_added, perm, 1), orbit_average(world.final_demand, perm, 1),
                   world.theta)
    rate_sym = None if rate is None else orbit_average(rate, perm, 2)
    cells_sym = orbit_average(cells.astype(np.float64), perm, 2) > 0  # an embargo spreads to its orbit
    if shortfall(cells_sym, sym.X) is not None:  # lifting cells one by one would break the symmetry: lift all
        cells_sym[:] = False
    return sym, with_embargoes(orbit_average(tau, perm, 2), cells_sym), rate_sym, perm


# ---------------------------------------------------------------------------------------------------- solves


def solve_one_sector(world: RawWorld, tau: np.ndarray, tol: float = DEFAULT_SOLVER_TOL) -> GravityResult:
    return solve_gravity(world.X[:, :, 0], tau[:, :, 0], float(world.theta[0]), tol=tol)


def solve_multi(world: RawWorld, tau: np.ndarray, rate: np.ndarray | None = None,
                tol: float = DEFAULT_SOLVER_TOL) -> MultiSectorResult:
    cal = calibrate_arrays(world.X, world.use, world.value_added, world.final_demand)
    return solve_multisector(cal, tau, world.theta, tariff=rate, tol=tol)


def shock_weights(pi: np.ndarray, cost: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``pi * cost^-theta`` with exact zeros where the cost is infinite (embargo)."""
    finite = np.isfinite(cost)
    safe = np.where(finite, cost, 1.0)
    return np.where(finite, pi * safe ** (-theta), 0.0)


def describe(world: RawWorld, tau: np.ndarray, rate: np.ndarray | None = None) -> None:
    """Statistics of the drawn cases (``pytest --hypothesis-show-statistics``)."""
    event(f"{world.N} countries, {world.S} sectors")
    event("input-output links" if world.use.sum() > 0 else "no input-output links")
    event("with embargoes" if np.isinf(tau).any() else "no embargo")
    event("with tariffs" if rate is not None and np.any(rate > 0) else "no tariff")


def check_gravity(world: RawWorld, tau: np.ndarray, r: GravityResult) -> None:
    X, t, theta = world.X[:, :, 0], tau[:, :, 0], float(world.theta[0])
    Y, E = X.sum(axis=1), X.sum(axis=0)
    D = E - Y
    scale = E.sum()
    assert np.all(np.isfinite(r.X_new)) and np.all(r.X_new >= 0.0)
    assert np.all(r.w_hat > 0) and np.all(r.P_hat > 0)
    np.testing.assert_allclose(r.X_new.sum(axis=1), r.w_hat * Y, rtol=IDENTITY_RTOL)  # output = sales
    np.testing.assert_allclose(r.X_new.sum(axis=0), r.E_new, rtol=IDENTITY_RTOL)  # expenditure = purchases
    np.testing.assert_allclose(r.E_new, r.w_hat * Y + D, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    domestic = np.diag(r.X_new)
    imports, exports = r.X_new.sum(axis=0) - domestic, r.X_new.sum(axis=1) - domestic
    np.testing.assert_allclose(imports - exports, D, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    np.testing.assert_allclose(r.w_hat @ Y, Y.sum(), rtol=GRAVITY_NUMERAIRE_RTOL)  # numéraire: world output
    # pricing: P^-theta = sum_i pi (w tau)^-theta, pi' = pi (w tau)^-theta / P^-theta
    weights = shock_weights(X / E[None, :], r.w_hat[:, None] * t, theta)
    np.testing.assert_allclose(r.P_hat ** (-theta), weights.sum(axis=0), rtol=PRICE_RTOL)
    np.testing.assert_allclose(r.X_new / r.E_new[None, :], weights / r.P_hat[None, :] ** (-theta),
                               rtol=PRICE_RTOL, atol=PRICE_RTOL)  # shares
    np.testing.assert_allclose(r.real_income_hat, (r.E_new / E) / r.P_hat, rtol=PRICE_RTOL)
    assert np.all(r.X_new[np.isinf(t)] == 0.0)


def check_multisector(world: RawWorld, tau: np.ndarray, rate: np.ndarray | None, r: MultiSectorResult) -> None:
    sh = Shares.of(world)
    theta = world.theta
    rate = np.zeros_like(tau) if rate is None else rate
    scale = sh.E.sum()
    assert np.all(np.isfinite(r.X_new)) and np.all(r.X_new >= 0.0)
    assert np.all(r.w_hat > 0) and np.all(r.P_hat > 0)
    Y_new = r.X_new.sum(axis=1)  # gross output = sum of sales (at cost)
    np.testing.assert_allclose(r.gross_output_new, Y_new, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    np.testing.assert_allclose(r.gross_output_hat, Y_new / sh.Y, rtol=IDENTITY_RTOL)
    # tariff revenue collected by the importer, joining its income
    revenue = (r.X_new * rate).sum(axis=(0, 2))
    assert r.tariff_revenue is not None
    np.testing.assert_allclose(r.tariff_revenue, revenue, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    income = r.w_hat * sh.VA + sh.D + revenue
    # expenditure (buyers' prices) = intermediate use + alpha × income
    E_new = (r.X_new * (1.0 + rate)).sum(axis=0)
    expected = np.einsum("nkj,nj->nk", sh.gamma, Y_new) + sh.alpha * income[:, None]
    np.testing.assert_allclose(E_new, expected, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    # factor market clearing: value added paid = w_hat × baseline value added
    np.testing.assert_allclose(r.value_added_new, sh.gamma_va * Y_new, rtol=IDENTITY_RTOL,
                               atol=IDENTITY_RTOL * scale)
    np.testing.assert_allclose((sh.gamma_va * Y_new).sum(axis=1), r.w_hat * sh.VA, rtol=IDENTITY_RTOL)
    # trade balance at cost: imports - exports = the fixed deficit
    domestic = np.einsum("iij->i", r.X_new)
    imports, exports = r.X_new.sum(axis=(0, 2)) - domestic, r.X_new.sum(axis=(1, 2)) - domestic
    np.testing.assert_allclose(imports - exports, sh.D, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    np.testing.assert_allclose(r.w_hat @ sh.VA, sh.VA.sum(), rtol=IDENTITY_RTOL)  # numéraire: world VA
    # pricing: unit costs from wages and the producer's input prices; sector price indices; trade shares
    log_c = sh.gamma_va * np.log(r.w_hat)[:, None] + np.einsum("ikj,ik->ij", sh.gamma, np.log(r.P_hat))
    cost = np.exp(log_c)[:, None, :] * tau * (1.0 + rate)
    weights = shock_weights(sh.pi, cost, theta[None, None, :])
    P_theta = r.P_hat ** (-theta[None, :])
    np.testing.assert_allclose(P_theta, weights.sum(axis=0), rtol=PRICE_RTOL)
    np.testing.assert_allclose(r.X_new * (1.0 + rate) / E_new[None, :, :], weights / P_theta[None, :, :],
                               rtol=PRICE_RTOL, atol=PRICE_RTOL)  # shares
    # welfare: nominal income over the Cobb-Douglas consumer price index with the final-demand shares
    np.testing.assert_allclose(r.income_hat, income / (sh.VA + sh.D), rtol=IDENTITY_RTOL)
    cpi = np.exp((sh.alpha * np.log(r.P_hat)).sum(axis=1))
    np.testing.assert_allclose(r.price_index_hat, cpi, rtol=PRICE_RTOL)
    np.testing.assert_allclose(r.real_income_hat, income / (sh.VA + sh.D) / cpi, rtol=PRICE_RTOL)
    assert np.all(r.X_new[np.isinf(tau)] == 0.0)


# ---------------------------------------------------------------------------------------------------- zero shock


@PROPERTY_SETTINGS
@given(world=raw_worlds(sectors=1))
def test_gravity_zero_shock_returns_the_baseline(world: RawWorld) -> None:
    X = world.X[:, :, 0]
    r = solve_gravity(X, np.ones_like(X), float(world.theta[0]))
    for hat in (r.w_hat, r.P_hat, r.real_income_hat):
        np.testing.assert_allclose(hat, 1.0, rtol=0, atol=ZERO_SHOCK_TOL)
    np.testing.assert_allclose(r.X_new, X, rtol=ZERO_SHOCK_TOL)
    np.testing.assert_allclose(r.E_new, X.sum(axis=0), rtol=ZERO_SHOCK_TOL)


@PROPERTY_SETTINGS
@given(world=raw_worlds())
def test_multisector_zero_shock_returns_the_baseline(world: RawWorld) -> None:
    r = solve_multi(world, np.ones_like(world.X))
    for hat in (r.w_hat, r.P_hat, r.price_index_hat, r.income_hat, r.real_income_hat, r.gross_output_hat):
        np.testing.assert_allclose(hat, 1.0, rtol=0, atol=ZERO_SHOCK_TOL)
    np.testing.assert_allclose(r.X_new, world.X, rtol=ZERO_SHOCK_TOL)
    np.testing.assert_allclose(r.value_added_new, world.value_added, rtol=ZERO_SHOCK_TOL)


# ---------------------------------------------------------------------------------------------------- identities


@PROPERTY_SETTINGS
@given(case=world_and_shock(sectors=1))
def test_gravity_equilibrium_identities(case: tuple[RawWorld, np.ndarray, None]) -> None:
    world, tau, _ = case
    describe(world, tau)
    check_gravity(world, tau, solve_one_sector(world, tau))


@PROPERTY_SETTINGS
@given(case=world_and_shock(with_tariffs=True))
def test_multisector_equilibrium_identities(case: tuple[RawWorld, np.ndarray, np.ndarray | None]) -> None:
    world, tau, rate = case
    describe(world, tau, rate)
    check_multisector(world, tau, rate, solve_multi(world, tau, rate))


# ---------------------------------------------------------------------------------------------------- embargo


@PROPERTY_SETTINGS
@given(case=world_and_shock(sectors=1, at_least_one_embargo=True))
def test_gravity_embargo_gives_exact_zeros(case: tuple[RawWorld, np.ndarray, None]) -> None:
    world, tau, _ = case
    r = solve_one_sector(world, tau)
    t = tau[:, :, 0]
    assert np.any(np.isinf(t))
    assert np.all(r.X_new[np.isinf(t)] == 0.0)
    assert np.all(r.X_new[np.isfinite(t)] > 0.0)  # every other route keeps trading
    check_gravity(world, tau, r)


@PROPERTY_SETTINGS
@given(case=world_and_shock(with_tariffs=True, at_least_one_embargo=True))
def test_multisector_embargo_gives_exact_zeros(case: tuple[RawWorld, np.ndarray, np.ndarray | None]) -> None:
    world, tau, rate = case
    r = solve_multi(world, tau, rate)
    assert np.any(np.isinf(tau))
    assert np.all(r.X_new[np.isinf(tau)] == 0.0)
    assert np.all(r.X_new[np.isfinite(tau)] > 0.0)  # every other route keeps trading
    check_multisector(world, tau, rate, r)


# ---------------------------------------------------------------------------------------------------- symmetry


@PROPERTY_SETTINGS
@given(case=symmetric_cases(sectors=1))
def test_gravity_symmetric_world_gives_symmetric_answers(
        case: tuple[RawWorld, np.ndarray, None, np.ndarray]) -> None:
    world, tau, _, perm = case
    note(f"permutation {perm.tolist()}")
    r = solve_one_sector(world, tau, TIGHT_SOLVER_TOL)
    inv = np.argsort(perm)
    for hat in (r.w_hat, r.P_hat, r.real_income_hat):
        np.testing.assert_allclose(hat[inv], hat, rtol=SYMMETRY_RTOL)
    np.testing.assert_allclose(r.X_new[inv][:, inv], r.X_new, rtol=SYMMETRY_RTOL, atol=SYMMETRY_RTOL * r.X_new.max())


@PROPERTY_SETTINGS
@given(case=symmetric_cases(with_tariffs=True))
def test_multisector_symmetric_world_gives_symmetric_answers(
        case: tuple[RawWorld, np.ndarray, np.ndarray | None, np.ndarray]) -> None:
    world, tau, rate, perm = case
    note(f"permutation {perm.tolist()}")
    r = solve_multi(world, tau, rate, TIGHT_SOLVER_TOL)
    inv = np.argsort(perm)
    for hat in (r.w_hat, r.income_hat, r.price_index_hat, r.real_income_hat, r.P_hat, r.gross_output_hat):
        np.testing.assert_allclose(hat[inv], hat, rtol=SYMMETRY_RTOL)
    np.testing.assert_allclose(r.X_new[inv][:, inv], r.X_new, rtol=SYMMETRY_RTOL, atol=SYMMETRY_RTOL * r.X_new.max())


# ---------------------------------------------------------------------------------------------------- units


@PROPERTY_SETTINGS
@given(case=world_and_shock(sectors=1), factor=st.floats(MIN_SCALE, MAX_SCALE))
def test_gravity_hats_do_not_depend_on_units(case: tuple[RawWorld, np.ndarray, None], factor: float) -> None:
    world, tau, _ = case
    base = solve_one_sector(world, tau, TIGHT_SOLVER_TOL)
    scaled = solve_one_sector(world.scaled(factor), tau, TIGHT_SOLVER_TOL)
    for a, b in ((base.w_hat, scaled.w_hat), (base.P_hat, scaled.P_hat),
                 (base.real_income_hat, scaled.real_income_hat)):
        np.testing.assert_allclose(b, a, rtol=SCALE_RTOL)
    np.testing.assert_allclose(scaled.pi_new, base.pi_new, rtol=SCALE_RTOL, atol=SCALE_RTOL)  # shares
    np.testing.assert_allclose(scaled.X_new / factor, base.X_new, rtol=SCALE_RTOL, atol=SCALE_RTOL * base.X_new.max())


def ill_conditioned_case() -> tuple[RawWorld, np.ndarray, None]:
    """Found by hypothesis: at the default solver tolerance the hats of this world and of its scaled copy differ
    by 1.2e-8 (theta = 11)."""
    N = 4
    X = np.ones((N, N, 1))
    X[np.arange(N), np.arange(N), 0] = 3.0
    value_added = np.full((N, 1), 5.90625)
    world = RawWorld(X, np.full((N, 1, 1), 0.09375), value_added, value_added.copy(), np.array([11.0]))
    tau = np.full((N, N, 1), 2.0)
    tau[[0, 1, 3], [0, 1, 3], 0] = [0.75, 0.71875, 0.75]
    tau[2, 0, 0] = np.inf
    return world, tau, None


@PROPERTY_SETTINGS
@given(case=world_and_shock(with_tariffs=True), factor=st.floats(MIN_SCALE, MAX_SCALE))
@example(case=ill_conditioned_case(), factor=0.001)
def test_multisector_hats_do_not_depend_on_units(
        case: tuple[RawWorld, np.ndarray, np.ndarray | None], factor: float) -> None:
    world, tau, rate = case
    base = solve_multi(world, tau, rate, TIGHT_SOLVER_TOL)
    scaled = solve_multi(world.scaled(factor), tau, rate, TIGHT_SOLVER_TOL)
    for name in ("w_hat", "P_hat", "price_index_hat", "income_hat", "real_income_hat", "gross_output_hat"):
        np.testing.assert_allclose(getattr(scaled, name), getattr(base, name), rtol=SCALE_RTOL, err_msg=name)
    np.testing.assert_allclose(scaled.X_new / factor, base.X_new, rtol=SCALE_RTOL, atol=SCALE_RTOL * base.X_new.max())


# ---------------------------------------------------------------------------------------------------- no equilibrium
# With fixed deficits, a country cut off from every export market must pay for its imports with its deficit:
# with a surplus (D < 0) or balanced trade (D = 0) no equilibrium exists (its wage would have to fall to zero).
# The strategies above never draw such a shock (``shortfall``); these examples pin down what the solver does.


def test_surplus_country_cut_off_from_every_export_market_fails_loudly() -> None:
    X = np.array([[2.0, 2.0], [1.0, 2.0]])  # country 0 runs a surplus of 1
    tau = np.array([[1.0, np.inf], [1.0, 1.0]])
    with pytest.raises((ConvergenceError, InputError)):
        solve_gravity(X, tau, 2.0)


def test_balanced_country_cut_off_from_every_export_market_fails_loudly() -> None:
    """Found by these properties: the solver used to report convergence with w_hat[0] ~ 2e-5 here, where no
    equilibrium exists; now both solvers refuse the input."""
    X = np.array([[2.0, 1.0], [1.0, 2.0]])  # balanced trade
    tau = np.array([[1.0, np.inf], [1.0, 1.0]])
    with pytest.raises(InputError, match="cuts 0 off from every foreign buyer while it can still import"):
        solve_gravity(X, tau, 2.0)
    cal = calibrate_arrays(X[:, :, None], np.zeros((2, 1, 1)), X.sum(axis=1)[:, None], X.sum(axis=0)[:, None])
    with pytest.raises(InputError, match="cuts 0 off from every foreign buyer while it can still import"):
        solve_multisector(cal, tau[:, :, None], [2.0])


def test_gravity_numeraire_holds_under_balanced_trade() -> None:
    """Found by these properties: under balanced trade the Anderson-mixed iterate drifted off the numéraire by
    4e-8; the solver now puts it back exactly."""
    X = np.array([[5.578125, 1.0], [1.0, 5.984375]])  # balanced: D = 0
    tau = np.array([[0.87890625, 0.79774238], [1.61328125, 0.95]])
    r = solve_gravity(X, tau, 4.453125)
    np.testing.assert_allclose(r.w_hat @ X.sum(axis=1), X.sum(), rtol=IDENTITY_RTOL)
