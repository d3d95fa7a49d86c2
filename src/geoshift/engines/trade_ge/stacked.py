"""Many elasticity draws of one shock, solved together: the Caliendo–Parro fixed point of ``multisector`` stacked
over a block of draws, so that each iteration is a few batched matrix products instead of one small solve per draw.

The shock weights ``B = pi (tau (1 + t))^-theta`` depend on the draw only on the cells whose cost changes (finite
``tau (1 + t) != 1``, or a tariff): every other cell keeps its baseline share ``pi`` whatever theta is, and an
embargoed one is exactly 0. So ``B_d = B0 + Delta_d`` with one dense, draw-free ``B0[j, n, i]`` and ``Delta_d`` on
the changed cells only (none for an embargo). The price terms of all draws of a block,
``Phi[j, d, n] = sum_i B0[j, n, i] A[j, d, i]``, are then one matrix product per sector
(``(draws x i) @ (i x n)``), as are sales; the unit costs and the input-output demand are one product per country;
the changed cells add a gather and a sparse sum of ``nnz x draws`` values. No ``[draw, j, n, i]`` array is ever
formed: memory is ``O(block x (nnz + 17 N S))`` (about 1.4 MB per draw of a block on the 80 x 50 ICIO, 0.8 MB of
it the accelerator's history).

What keeps an iteration short, each shortcut pinned against the plain formula in
tests/unit/test_stacked_speedpaths.py: ``B0`` starts from the calibration's sector-major copies of ``pi``; the step
writes into five reused arrays per block, each taken over once its content is no longer read (a working set that
stays in cache); the new spending (4) is one product per country, with income as one more column of the sales and
the final-demand shares as one more row of the input-output shares; ``g(x) - x`` is written once, straight into
the accelerator's buffer, and serves for both the residual and the accelerator; the step length is tested from
each row's largest and smallest entries; and finished draws leave the block in place, in the memory the block
already has (fresh arrays cost their page faults again). All but the spending product are exact; that one sums
in another order, which moves the solutions by ~1e-13 (the same iteration counts on the ICIO embargo's draws).

Each draw runs the same safeguarded type-II Anderson mixing as ``anderson.anderson`` (memory 6, step cap 2,
Tikhonov term ``1e-12 trace``), vectorised over the block (``Mixer``): every draw has its own history, its own
Gram matrix (one new row per iteration) and its own small normal equations (one batched ``np.linalg.solve``). A
draw stops when its residual is at most ``tol`` and leaves the active set (the block is compacted once a tenth of
it is done). Every draw is warm-started from ``x0`` (the central solution), never from another draw, so the
results do not depend on the block size or on which draws share a block, and each draw takes the iterations that
``solve_multisector`` takes for it.

``solve_multisector_stacked`` returns per-draw headline arrays and diagnostics (``StackedResult``); the full
``MultiSectorResult`` of a draw (flows, outputs) is rebuilt from its state by ``StackedResult.result(d)``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from geoshift.engines.trade_ge.multisector import (
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    Calibration,
    calibrate,
    counterfactual,
    solve_multisector,
    tariff_array,
    tau_array,
)
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.errors import ConvergenceError, InputError
from geoshift.world.world import World

#: draws solved together: 25-50 were fastest on the 80 x 50 ICIO on 2 cores (benchmarks/stacked_bench.py); larger
#: blocks no longer keep the accelerator's history and the step's arrays in cache
DEFAULT_BLOCK = 32
MAX_STEP = 2.0  # as solve_multisector: an accelerated step longer than this (max-abs) falls back to the plain one
REGULARISATION = 1e-12
COMPACT_SHARE = 0.1  # drop finished draws from the arrays once this share of the active block is done


@dataclass(frozen=True, eq=False)
class Stack:
    """The draw-free inputs (sector-major, as ``multisector.Counterfactual``), plus the changed cells."""

    B0T: np.ndarray  # [j, i, n] pi on unchanged cells, 0 on changed or embargoed ones
    B0E: np.ndarray  # [j, n, i] the same times the baseline expenditure E0[j, n]
    cell_j: np.ndarray  # (nnz,) sector of each changed cell
    cell_jn: np.ndarray  # (nnz,) row j N + n (sector, importer) of each changed cell
    cell_ji: np.ndarray  # (nnz,) row j N + i (sector, exporter)
    cell_pi: np.ndarray  # (nnz,) baseline share
    cell_log_cost: np.ndarray  # (nnz,) log(tau (1 + t))
    cell_keep: np.ndarray  # (nnz,) 1 / (1 + t): the exporter's part of the buyer's spending
    cell_levy: np.ndarray  # (nnz,) t / (1 + t): the importer's tariff revenue
    cell_E0: np.ndarray  # (nnz,) baseline expenditure of the cell's buyer
    levied: np.ndarray  # positions of the changed cells with a tariff
    to_jn: sparse.csr_matrix  # (S N, nnz) sums cells into [j, n]
    to_ji: sparse.csr_matrix  # (S N, nnz) sums cells into [j, i]
    to_n: sparse.csr_matrix  # (N, levied) sums levied cells into importer n
    gamma_va: np.ndarray  # (N, S)
    cost_shares: np.ndarray  # (N, S + 1, S) [country, input k or value added (S), user j]
    # (N, S + 1, S) [country, user j or final demand (S), input k]: gamma[n, k, j] / E0[k, n], then alpha[n, k] /
    # E0[k, n]: the new spending relative to the baseline is [sales, income] @ spend_shares, country by country
    spend_shares: np.ndarray
    VA: np.ndarray  # (N,)
    D: np.ndarray  # (N,)
    E0: np.ndarray  # [j, n]
    active: np.ndarray  # [j, n]
    idle_j: np.ndarray  # sector and buyer of the cells nobody buys (their price is not pinned down: log P = 0)
    idle_n: np.ndarray
    va: np.ndarray  # (N, S) value added by sector, for the wage damping
    Y: np.ndarray  # (N, S) baseline gross output

    @property
    def shape(self) -> tuple[int, int]:
        S, N = self.E0.shape
        return N, S

    @property
    def nnz(self) -> int:
        return int(self.cell_pi.size)


def stack(cal: Calibration, tau: np.ndarray, rate: np.ndarray, D: np.ndarray) -> Stack:
    """Split the shock into draw-free weights and the cells whose weight depends on theta."""
    N, _, S = cal.X.shape
    cost = tau * (1.0 + rate)  # [i, n, j]; inf where embargoed
    unchanged = (cost == 1.0) & (rate == 0.0)  # a tariff changes who gets the spending even at an unchanged price
    changed = np.isfinite(cost) & ~unchanged & (cal.pi > 0)
    # pi where the cost is unchanged, 0 elsewhere: the calibration's sector-major copies of pi, with the other
    # cells (changed or embargoed: a few thousand at most) cleared
    i, n, j = np.unravel_index(np.flatnonzero(~unchanged), unchanged.shape)
    B0 = cal.pi_jni.copy()  # [j, n, i]
    B0[j, n, i] = 0.0
    B0T = cal.pi_jin.copy()  # [j, i, n]
    B0T[j, i, n] = 0.0
    E0 = cal.E.T
    E0_inv = np.divide(1.0, E0, out=np.zeros_like(E0), where=E0 > 0)  # E'/E is 0 where nobody buys
    i, n, j = np.unravel_index(np.flatnonzero(changed), changed.shape)  # np.nonzero's cells, faster in 3-D
    order = np.lexsort((i, n, j))  # sector-major, as the arrays
    i, n, j = i[order], n[order], j[order]
    nnz = i.size
    ones = np.ones(nnz)
    columns = np.arange(nnz)
    cell_rate = rate[i, n, j]
    levied = np.flatnonzero(cell_rate > 0)
    idle_j, idle_n = np.nonzero(cal.E.T <= 0)
    use_shares = np.transpose(cal.gamma * E0_inv.T[:, :, None], (0, 2, 1))  # [country, user j, input k]
    final_shares = cal.alpha.T * E0_inv  # [k, n]
    return Stack(
        B0T=B0T, B0E=np.multiply(B0, E0[:, :, None], out=B0), cell_j=j,
        cell_jn=j * N + n, cell_ji=j * N + i, cell_pi=cal.pi[i, n, j], cell_log_cost=np.log(cost[i, n, j]),
        cell_keep=1.0 / (1.0 + cell_rate), cell_levy=cell_rate / (1.0 + cell_rate), cell_E0=E0[j, n], levied=levied,
        to_jn=sparse.csr_matrix((ones, (j * N + n, columns)), shape=(S * N, nnz)),
        to_ji=sparse.csr_matrix((ones, (j * N + i, columns)), shape=(S * N, nnz)),
        to_n=sparse.csr_matrix((ones[levied], (n[levied], np.arange(levied.size))), shape=(N, levied.size)),
        gamma_va=cal.gamma_va, cost_shares=np.concatenate([cal.gamma, cal.gamma_va[:, None, :]], axis=1),
        spend_shares=np.concatenate([use_shares, final_shares.T[:, None, :]], axis=1),
        VA=cal.VA, D=D, E0=E0, active=E0 > 0, idle_j=idle_j, idle_n=idle_n,
        va=cal.gamma_va * cal.Y, Y=cal.Y)


@dataclass(frozen=True, eq=False)
class Draws:
    """The per-draw inputs of a block of draws (draws on the last axis of the cell arrays)."""

    theta: np.ndarray  # (m, S)
    theta_inv: np.ndarray  # (m, S) -1 / theta
    minus_theta: np.ndarray  # (m, S) -theta (negation is exact: log c (-theta) is -(log c theta) bit for bit)
    weight: np.ndarray  # (nnz, m) pi (tau (1 + t))^-theta on the changed cells
    sold: np.ndarray  # (nnz, m) weight E0 / (1 + t)
    levy: np.ndarray  # (levied, m) weight E0 t / (1 + t) on the cells with a tariff
    kappa: np.ndarray  # (m, N) wage-step damping

    def take(self, rows: np.ndarray) -> Draws:
        return Draws(self.theta[rows], self.theta_inv[rows], self.minus_theta[rows], self.weight[:, rows],
                     self.sold[:, rows], self.levy[:, rows], self.kappa[rows])


def draws(st: Stack, theta: np.ndarray) -> Draws:
    """Per-draw weights of the changed cells and wage damping (``multisector.wage_damping`` for every row)."""
    weight = st.cell_pi[:, None] * np.exp(-theta.T[st.cell_j] * st.cell_log_cost[:, None])
    va_n = st.va.sum(axis=1)
    theta_n = (theta @ st.va.T) / np.maximum(va_n, 1e-300)
    share = va_n / np.maximum(st.Y.sum(axis=1), 1e-300)
    spent = weight * st.cell_E0[:, None]
    return Draws(theta, -1.0 / theta, -theta, weight, spent * st.cell_keep[:, None],
                 spent[st.levied] * st.cell_levy[st.levied, None], 1.0 / (1.0 + theta_n * share[None, :]))


@dataclass(frozen=True)
class Evaluation:
    """One stacked step: the map's value, each draw's residual (inf outside the domain) and what the headline
    numbers need at the evaluated point."""

    gx: np.ndarray  # (m, n_x)
    residual: np.ndarray  # (m,)
    income: np.ndarray  # (m, N) new income, baseline units
    revenue: np.ndarray  # (m, N) tariff revenue
    f: np.ndarray  # (m, n_x) gx - x


class Workspace:
    """The arrays one stacked step writes, allocated once per block (fresh multi-megabyte arrays every iteration
    cost page faults that were a fifth of the run time). ``gx`` alternates between two buffers, because the
    accelerator still reads the previous step's value. ``shrink`` gives the same memory to fewer draws when a
    block drops its finished ones (the pages are already in place; fresh ones cost their faults again)."""

    def __init__(self, m: int, N: int, S: int, storage: np.ndarray | None = None) -> None:
        self.shape = (m, N, S)
        n_x = N + 2 * S * N
        sizes = [N * m * (S + 1), N * m * S, S * m * N, S * m * N, S * m * N, m * n_x, m * n_x]
        self.storage = storage if storage is not None else np.empty(sum(sizes))
        ends = np.cumsum(sizes)
        part = [self.storage[end - size:end] for size, end in zip(sizes, ends, strict=True)]
        # five arrays of about S N values per draw, two of them reused once their content is no longer read (a
        # smaller working set stays in cache): logs -> log_c -> A, Phi; ratio -> demand (on log_c) -> Y (on logs,
        # with income as a last column) -> inputs (on log_c); ratio then takes log Phi
        self.logs = part[0].reshape(N, m, S + 1)  # [i, d, k]: log P of the inputs, then log w
        self.log_c = part[1].reshape(N, m, S)  # [i, d, j]
        self.A = part[2].reshape(S, m, N)  # [j, d, i]
        self.Phi = part[3].reshape(S, m, N)  # [j, d, n]
        self.ratio = part[4].reshape(S, m, N)  # [j, d, n]
        self.demand = part[1].reshape(S, m, N)  # [j, d, i], on log_c (read only by A)
        self.Y = part[0].reshape(N, m, S + 1)  # [i, d, j] sales, then income (on logs, read only by log_c)
        self.inputs = part[1].reshape(N, m, S)  # [n, d, k] new spending, on demand (read only by Y)
        self.gx = (part[5].reshape(m, n_x), part[6].reshape(m, n_x))
        self.turn = 0

    def next_gx(self) -> np.ndarray:
        self.turn = 1 - self.turn
        return self.gx[self.turn]

    def shrink(self, m: int) -> Workspace:
        """A workspace for ``m`` draws (no more than this one's) on this one's memory; this one is not used again."""
        _, N, S = self.shape
        return Workspace(m, N, S, self.storage)


def _rows(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows ``j N + k`` of a ``[j, d, k]`` array as ``(len(rows), m)``: the values of the changed cells."""
    S, m, N = array.shape
    picked: np.ndarray = np.take(np.transpose(array, (0, 2, 1)).reshape(S * N, m), rows, axis=0)
    return picked


def _add_rows(array: np.ndarray, to: sparse.csr_matrix, terms: np.ndarray) -> None:
    """``array[j, d, k] += sum`` of the cell ``terms`` that ``to`` maps to row ``j N + k``."""
    S, m, N = array.shape
    array += np.transpose(np.asarray(to @ terms).reshape(S, N, m), (0, 2, 1))


def cost_terms(st: Stack, dr: Draws, log_w: np.ndarray, log_P: np.ndarray,
               ws: Workspace) -> tuple[np.ndarray, np.ndarray]:
    """``A[j, d, i] = c^-theta`` from (1) and ``Phi[j, d, n] = P^-theta`` from (2), for every draw ``d``."""
    S = st.shape[1]
    ws.logs[:, :, :S] = np.transpose(log_P, (2, 0, 1))
    ws.logs[:, :, S] = log_w.T
    np.matmul(ws.logs, st.cost_shares, out=ws.log_c)  # log c [i, d, j]
    A, Phi = ws.A, ws.Phi
    np.multiply(np.transpose(ws.log_c, (2, 1, 0)), dr.minus_theta.T[:, :, None], out=A)  # = -(log c theta)
    np.exp(A, out=A)
    np.matmul(A, st.B0T, out=Phi)
    if st.nnz:
        _add_rows(Phi, st.to_jn, dr.weight * _rows(A, st.cell_ji))
    return A, Phi


def sales(st: Stack, dr: Draws, A: np.ndarray, ratio: np.ndarray, ws: Workspace) -> tuple[np.ndarray, np.ndarray]:
    """(3), (5): ``Y'[j, d, i] = A sum_n B[j, n, i] / (1 + t) E'/Phi``, exporters' receipts at cost, returned as
    ``[i, d, j]``; and ``ratio = (E'/E) / Phi`` on the changed cells (``(nnz, m)``, for the tariff revenue)."""
    demand = np.matmul(ratio, st.B0E, out=ws.demand)
    on_cells = np.empty((0, A.shape[1]))
    if st.nnz:
        on_cells = _rows(ratio, st.cell_jn)
        _add_rows(demand, st.to_ji, dr.sold * on_cells)
    Y = ws.Y[:, :, :-1]
    np.multiply(demand, A, out=np.transpose(Y, (2, 1, 0)))
    return Y, on_cells


def tariff_revenue(st: Stack, dr: Draws, A: np.ndarray, on_cells: np.ndarray) -> np.ndarray:
    """``R[d, n] = sum_ij pi' E' t / (1 + t)`` (zeros without tariffs); ``on_cells`` from ``sales``."""
    m = A.shape[1]
    if not st.levied.size:
        return np.zeros((m, st.shape[0]))
    terms = dr.levy * on_cells[st.levied] * _rows(A, st.cell_ji[st.levied])
    collected: np.ndarray = np.asarray(st.to_n @ terms).T
    return collected


def split(st: Stack, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x[d] = (log w, log P[j, n], E'/E [j, n])`` as views ``(m, N)``, ``(m, S, N)``, ``(m, S, N)``."""
    N, S = st.shape
    m = x.shape[0]
    return x[:, :N], x[:, N:N + S * N].reshape(m, S, N), x[:, N + S * N:].reshape(m, S, N)


def stacked_step(st: Stack, dr: Draws, x: np.ndarray, ws: Workspace | None = None,
                 f: np.ndarray | None = None) -> Evaluation:
    """``multisector.fixed_point_step`` for every row of ``x`` (draws x unknowns) at once. A draw is outside the
    map's domain (residual inf, ``gx = x``) where a price term is not finite, a bought good's is not positive,
    labour demand or income is not positive: here those show up as non-finite logarithms. ``ws``: the block's
    buffers (the returned ``gx`` is one of them). ``f``: where to write ``gx - x`` (the accelerator's next
    difference, 0 outside the domain), whose price and spending part is also the residual's."""
    N, S = st.shape
    m = x.shape[0]
    ws = ws if ws is not None else Workspace(m, N, S)
    log_w, log_P, e_hat = split(st, x)
    A, Phi = cost_terms(st, dr, log_w, log_P, ws)
    gx = ws.next_gx()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.divide(np.transpose(e_hat, (1, 0, 2)), Phi, out=ws.ratio)  # [j, d, n]: (E'/E) / P^-theta
        Y_new, on_cells = sales(st, dr, A, ratio, ws)  # [i, d, j]
        supply = np.exp(log_w) * st.VA
        revenue = tariff_revenue(st, dr, A, on_cells)
        income = supply + st.D + revenue
        excess = np.einsum("idj,ij->di", Y_new, st.gamma_va) / supply  # (5) labour demand over supply
        log_w_new = gx[:, :N]
        np.log(excess, out=log_w_new)
        log_w_new *= dr.kappa
        log_w_new += log_w
        log_w_new -= np.log(np.exp(log_w_new) @ st.VA / st.VA.sum())[:, None]  # numéraire: world value added
        P_new = gx[:, N:N + S * N].reshape(m, S, N)  # (2): log P = -log(Phi) / theta
        log_Phi = np.log(Phi, out=ws.ratio)  # the spending ratio is no longer needed
        np.multiply(log_Phi, dr.theta_inv.T[:, :, None], out=np.transpose(P_new, (1, 0, 2)))
        P_new[:, st.idle_j, st.idle_n] = 0.0
        e_new = gx[:, N + S * N:].reshape(m, S, N)  # (4), relative to the baseline
        ws.Y[:, :, -1] = income.T  # (4) in one product: sum_j Y' gamma / E0 + income alpha / E0
        np.copyto(e_new, np.transpose(np.matmul(ws.Y, st.spend_shares, out=ws.inputs), (1, 2, 0)))
        # the largest |change| of log prices and spending at once (they follow each other in x and gx): the
        # largest of the largest increase and the largest decrease (a NaN propagates through both)
        f = np.subtract(gx, x, out=f)
        change = f[:, N:]
        residual = np.max(change, axis=1)
        np.maximum(residual, np.negative(np.min(change, axis=1)), out=residual)
        np.maximum(residual, np.max(np.abs(excess - 1.0), axis=1), out=residual)
        outside = (~np.isfinite(residual) | ~np.all(np.isfinite(log_w_new), axis=1)
                   | ~np.all(np.isfinite(Phi[st.idle_j, :, st.idle_n]), axis=0) | np.any(income <= 0, axis=1))
    # a price term that is not finite where somebody buys has a non-finite log price and residual already; where
    # nobody buys (log P = 0 there) it is checked on its own
    residual[outside] = np.inf
    gx[outside] = x[outside]  # as fixed_point_step: outside the domain the map stays put
    f[outside] = 0.0  # gx - x there
    return Evaluation(gx, residual, income, revenue, f)


@dataclass(frozen=True, eq=False)
class StackedResult:
    """Every draw's headline changes and solver diagnostics (row ``d`` is ``thetas[d]``); ``result(d)`` rebuilds
    that draw's full ``MultiSectorResult`` from its state."""

    thetas: np.ndarray  # (m, S)
    w_hat: np.ndarray  # (m, N)
    P_hat: np.ndarray  # (m, N, S)
    price_index_hat: np.ndarray  # (m, N)
    income_hat: np.ndarray  # (m, N)
    real_income_hat: np.ndarray  # (m, N)
    tariff_revenue: np.ndarray  # (m, N)
    converged: np.ndarray  # (m,) bool
    iterations: np.ndarray  # (m,) int
    residual: np.ndarray  # (m,)
    state: np.ndarray  # (m, n_x): the solver's unknowns of each draw
    seconds: float  # the whole solve
    block: int
    cal: Calibration
    tau_hat: np.ndarray
    tariff: np.ndarray  # (N, N, S) rates
    D: np.ndarray
    tol: float

    def __len__(self) -> int:
        return int(self.thetas.shape[0])

    def result(self, d: int) -> MultiSectorResult:
        """Draw ``d`` as ``solve_multisector`` reports it (flows, outputs), evaluated at its solved state, with
        the stacked solve's diagnostics."""
        raw = solve_multisector(self.cal, self.tau_hat, self.thetas[d], tariff=self.tariff, D_new=self.D,
                                tol=self.tol, max_iter=0, x0=self.state[d], raise_on_failure=False)
        return dataclasses.replace(raw, converged=bool(self.converged[d]), iterations=int(self.iterations[d]),
                                   residual=float(self.residual[d]), seconds=self.seconds / len(self))

    def results(self) -> list[MultiSectorResult]:
        return [self.result(d) for d in range(len(self))]


def _thetas(thetas: object, S: int) -> np.ndarray:
    try:
        array = np.asarray(thetas, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"thetas must be a numeric array of shape (draws, {S}) ({exc})") from exc
    if array.ndim != 2 or array.shape[1] != S:
        raise InputError(f"thetas must have shape (draws, {S}): one row of sector elasticities per draw, "
                         f"got {array.shape}")
    bad = ~np.isfinite(array) | (array <= 0)
    if bad.any():
        d, j = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(f"thetas must be finite and > 0 (trade elasticities, typically 2-15), got {array[d, j]} "
                         f"for draw {d}, sector {j}")
    return array


def _start(x0: object, m: int, size: int, default: np.ndarray) -> np.ndarray:
    if x0 is None:
        return np.broadcast_to(default, (m, size)).copy()
    try:
        start = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"x0 must be a numeric array of shape ({size},) ({exc})") from exc
    if start.shape == (size,):
        start = np.broadcast_to(start, (m, size))
    if start.shape != (m, size):
        raise InputError(f"x0 must have shape ({size},) (one warm start for all draws) or ({m}, {size}), "
                         f"got {start.shape}")
    if not np.all(np.isfinite(start)):
        raise InputError("x0 has non-finite entries")
    return start.copy()


@dataclass
class _Out:
    """Where a block's finished draws are written."""

    w_hat: np.ndarray
    log_P: np.ndarray  # (m, S, N)
    income: np.ndarray
    revenue: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    residual: np.ndarray
    state: np.ndarray


class Mixer:
    """Type-II Anderson mixing for every draw of a block. The last ``k`` differences of iterates live in one ring
    buffer shared by the block (``[slot, draw, unknown]``, so a new difference is one contiguous write); each draw
    keeps its own Gram matrix (one new row per iteration) and the mask of slots it may use (cleared when its
    history restarts), which makes it the same least-squares problem ``anderson.anderson`` solves for one draw.
    ``f = g(x) - x`` and the proposed iterates alternate between two preallocated buffers each."""

    def __init__(self, memory: int, m: int, size: int) -> None:
        k = max(memory, 1)
        self.history = np.zeros(2 * k * m * size)  # the differences of f = g(x) - x (dF), then of g(x) (dG)
        self.scratch = np.zeros(5 * m * size)  # f and the proposed iterates (two each), the step
        self._views(m, size, k)
        self.gram = np.zeros((m, k, k))
        self.rhs = np.zeros((m, k))  # dF[a] . f_prev, kept up to date by one product per iteration
        self.valid = np.zeros((m, k), dtype=bool)  # slots holding a difference of the draw's current history
        self.g_prev = self.f[1]  # replaced before it is read
        self.has_prev = np.zeros(m, dtype=bool)
        self.slot = 0
        self.turn = 0

    def _views(self, m: int, size: int, k: int) -> None:
        """The history and scratch arrays for ``m`` draws, at the start of the buffers."""
        block = k * m * size
        self.dF: np.ndarray = self.history[:block].reshape(k, m, size)
        self.dG: np.ndarray = self.history[block:2 * block].reshape(k, m, size)
        one = m * size
        self.f = (self.scratch[:one].reshape(m, size), self.scratch[one:2 * one].reshape(m, size))
        self.proposed = (self.scratch[2 * one:3 * one].reshape(m, size),
                         self.scratch[3 * one:4 * one].reshape(m, size))
        self.step = self.scratch[4 * one:5 * one].reshape(m, size)

    @property
    def f_prev(self) -> np.ndarray:
        return self.f[1 - self.turn]

    @property
    def f_next(self) -> np.ndarray:
        """Where the step writes the next ``f = g(x) - x`` (``stacked_step(..., f=)``), which ``propose`` reads."""
        return self.f[self.turn]

    def take(self, keep: np.ndarray) -> Mixer:
        """Keep the draws ``keep`` (a mask), in place: each slot's kept rows move to the front of the buffers, in
        increasing order of position, so no row is overwritten before it is read (``np.take`` buffers its output
        where it overlaps the input). The previous ``g(x)`` is copied (it lives in the step's workspace)."""
        rows = np.flatnonzero(keep)
        k, _, size = self.dF.shape
        n = len(rows)
        dF, dG, f_prev = self.dF, self.dG, self.f_prev
        g_prev = self.g_prev[rows]
        block = k * n * size
        for history, offset in ((dF, 0), (dG, block)):
            kept = self.history[offset:offset + block].reshape(k, n, size)
            for a in range(k):
                np.take(history[a], rows, axis=0, out=kept[a])
        # dG's old place starts at or after its new one and after dF's new end: dF never overwrites it first
        kept_f = self.scratch[n * size:2 * n * size].reshape(n, size)  # the new f[1]
        np.take(f_prev, rows, axis=0, out=kept_f)
        self._views(n, size, k)
        self.gram, self.rhs, self.valid, self.has_prev = (self.gram[rows], self.rhs[rows], self.valid[rows],
                                                          self.has_prev[rows])
        self.g_prev = g_prev
        self.turn = 0  # f_prev is f[1]
        return self

    def restart(self, rows: np.ndarray) -> None:
        """Forget the history of ``rows`` (a mask)."""
        self.valid[rows] = False
        self.has_prev[rows] = False

    def propose(self, gx: np.ndarray, mix: np.ndarray) -> np.ndarray:
        """Store the newest difference of the ``mix`` rows and return their accelerated iterates (``gx`` on the
        other rows, and where the accelerated step is non-finite or longer than ``MAX_STEP``, which also
        restarts that draw's history). ``f_next`` must hold ``gx - x`` (the step wrote it there), and ``gx`` must
        stay untouched until the next call."""
        k = self.gram.shape[1]
        f_prev = self.f_prev
        f = self.f_next
        candidate = self.proposed[self.turn]
        self.turn = 1 - self.turn
        slot = self.slot
        newest = self.dF[slot]
        np.subtract(f, f_prev, out=newest)  # rows that do not mix hold no valid slot: harmless
        np.subtract(gx, self.g_prev, out=self.dG[slot])
        self.valid[:, slot] = mix
        self.slot = (slot + 1) % k
        # the one pass over the history: the new Gram row; dF[a] . f = dF[a] . f_prev + dF[a] . (f - f_prev)
        new = np.matmul(np.transpose(self.dF, (1, 0, 2)), newest[:, :, None])[:, :, 0]
        self.gram[:, slot, :] = new
        self.gram[:, :, slot] = new
        self.rhs += new
        self.rhs[:, slot] = np.einsum("dx,dx->d", newest, f)
        pair = self.valid[:, :, None] & self.valid[:, None, :]
        G = np.where(pair, self.gram, 0.0)
        trace = np.maximum(np.trace(G, axis1=1, axis2=2), 1e-300)
        diagonal = np.arange(k)
        G[:, diagonal, diagonal] += np.where(self.valid, REGULARISATION * trace[:, None], 1.0)
        rhs = np.where(self.valid, self.rhs, 0.0)
        weights = _solve_small(G, rhs)
        np.matmul(weights[:, None, :], np.transpose(self.dG, (1, 0, 2)), out=candidate[:, None, :])
        step = np.subtract(f, candidate, out=self.step)  # candidate - x = f - weights . dG
        np.subtract(gx, candidate, out=candidate)
        ok = within(step, MAX_STEP)
        self.valid[mix & ~ok] = False
        self.g_prev = gx
        self.has_prev[:] = True
        plain = ~(mix & ok)
        candidate[plain] = gx[plain]
        return candidate


def within(step: np.ndarray, limit: float) -> np.ndarray:
    """Rows of ``step`` whose largest absolute value is at most ``limit`` (False where one is NaN or infinite),
    from the rows' largest and smallest values: no array of absolute values is written."""
    with np.errstate(invalid="ignore"):
        ok: np.ndarray = (np.max(step, axis=1) <= limit) & (np.min(step, axis=1) >= -limit)
    return ok


def _solve_small(G: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Each draw's normal equations ``G w = rhs``; a singular one gives NaN weights (a plain step)."""
    try:
        weights: np.ndarray = np.linalg.solve(G, rhs[:, :, None])[:, :, 0]
        return weights
    except np.linalg.LinAlgError:
        weights = np.full(rhs.shape, np.nan)
        for d in range(G.shape[0]):
            with contextlib.suppress(np.linalg.LinAlgError):
                weights[d] = np.linalg.solve(G[d], rhs[d])
        return weights


def _solve_block(st: Stack, dr: Draws, x: np.ndarray, ids: np.ndarray, out: _Out, *, tol: float, max_iter: int,
                 memory: int) -> None:
    """Anderson mixing for the draws ``ids`` from ``x`` (rows), as ``anderson.anderson`` does for one draw."""
    m, size = x.shape
    mixer = Mixer(memory, m, size)
    ws = Workspace(m, *st.shape)
    best_x = x.copy()
    best_res = np.full(m, np.inf)
    done = np.zeros(m, dtype=bool)  # finished but not yet dropped from the arrays

    def finish(which: np.ndarray, iteration: int, ev: Evaluation | None) -> None:
        where = ids[which]
        converged = ev is not None
        at = x[which] if converged else best_x[which]
        out.state[where] = at
        out.converged[where] = converged
        out.iterations[where] = iteration
        out.residual[where] = ev.residual[which] if ev is not None else best_res[which]
        log_w, log_P, _ = split(st, at)
        out.w_hat[where] = np.exp(log_w)
        out.log_P[where] = log_P
        if ev is not None:
            out.income[where] = ev.income[which]
            out.revenue[where] = ev.revenue[which]
        else:  # the income at the point returned: a failed draw's best point, evaluated again
            again = stacked_step(st, dr.take(which), at)
            out.income[where] = again.income
            out.revenue[where] = again.revenue
        done[which] = True

    for iteration in range(max_iter + 1):
        ev = stacked_step(st, dr, x, ws, mixer.f_next)
        res = ev.residual
        live = ~done
        bad = live & ~np.isfinite(res)
        stuck = bad & ~mixer.has_prev  # outside the domain at the start: no best point to return to
        if stuck.any():
            finish(np.flatnonzero(stuck), iteration, None)
        better = live & (res < best_res)
        np.copyto(best_x, x, where=better[:, None])  # one pass, no gathered copy (most draws improve)
        np.copyto(best_res, res, where=better)
        converged = live & (res <= tol)
        if converged.any():
            finish(np.flatnonzero(converged), iteration, ev)
        if done.all() or iteration == max_iter:
            break
        reset = bad & mixer.has_prev  # back to the best point, history cleared
        mix = ~done & ~reset & mixer.has_prev
        if memory > 0:
            x_next = mixer.propose(ev.gx, mix)
        else:
            x_next = ev.gx
            mixer.has_prev[:] = True
        x_next[reset] = best_x[reset]
        mixer.restart(reset)
        x = x_next
        if done.sum() >= max(1.0, COMPACT_SHARE * len(done)):
            keep = ~done
            x, ids, best_x, best_res = x[keep], ids[keep], best_x[keep], best_res[keep]
            mixer = mixer.take(keep)
            ws = ws.shrink(len(ids))
            dr = dr.take(keep)
            done = np.zeros(len(ids), dtype=bool)
    live = np.flatnonzero(~done)
    if live.size:
        finish(live, max_iter, None)


def solve_multisector_stacked(
    cal: Calibration | World,
    tau_hat: np.ndarray,
    thetas: np.ndarray,
    *,
    tariff: np.ndarray | None = None,
    D_new: np.ndarray | None = None,
    x0: np.ndarray | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    block: int = DEFAULT_BLOCK,
    anderson_memory: int = 6,
    raise_on_failure: bool = True,
) -> StackedResult:
    """The counterfactual of one shock (``tau_hat``, ``tariff``, ``D_new`` as in ``solve_multisector``) for every
    row of ``thetas`` (draws x sectors), ``block`` draws at a time; ``x0``: warm start of every draw (a state of
    ``solve_multisector``, e.g. the central solution), or one row per draw. Raises ``ConvergenceError`` naming the
    first draw that missed ``tol`` (with the ``StackedResult`` attached) unless ``raise_on_failure`` is False."""
    start = time.perf_counter()
    if isinstance(cal, World):
        cal = calibrate(cal)
    N, _, S = cal.X.shape
    th = _thetas(thetas, S)
    m = th.shape[0]
    if not isinstance(block, int | np.integer) or block < 1:
        raise InputError(f"block must be a positive number of draws, got {block!r}")
    tau = tau_array(cal, tau_hat)
    D = cal.D if D_new is None else np.asarray(D_new, dtype=np.float64)
    if D.shape != (N,) or not np.all(np.isfinite(D)):
        raise InputError(f"D_new must be a finite array of shape ({N},), got {D.shape}")
    rate = np.zeros_like(tau) if tariff is None else tariff_array(cal, tariff)
    # the shock's own checks (a buyer left with no source, infeasible trade balances) do not depend on theta
    counterfactual(cal, tau, th[0] if m else np.ones(S), rate, D)
    st = stack(cal, tau, rate, D)
    size = N + 2 * S * N
    x = _start(x0, m, size, np.concatenate([np.zeros(N + S * N), np.where(st.active, 1.0, 0.0).ravel()]))
    out = _Out(w_hat=np.empty((m, N)), log_P=np.empty((m, S, N)), income=np.empty((m, N)),
               revenue=np.empty((m, N)), converged=np.zeros(m, dtype=bool), iterations=np.zeros(m, dtype=np.int64),
               residual=np.empty(m), state=np.empty((m, size)))
    for first in range(0, m, block):
        ids = np.arange(first, min(first + block, m))
        _solve_block(st, draws(st, th[ids]), x[ids], ids, out, tol=tol, max_iter=max_iter, memory=anderson_memory)
    income_hat = out.income / cal.income
    price_index_hat = np.exp(np.einsum("nj,djn->dn", cal.alpha, out.log_P))
    result = StackedResult(
        thetas=th, w_hat=out.w_hat, P_hat=np.exp(np.transpose(out.log_P, (0, 2, 1))),
        price_index_hat=price_index_hat, income_hat=income_hat, real_income_hat=income_hat / price_index_hat,
        tariff_revenue=out.revenue, converged=out.converged, iterations=out.iterations, residual=out.residual,
        state=out.state, seconds=time.perf_counter() - start, block=block, cal=cal, tau_hat=tau, tariff=rate, D=D,
        tol=tol)
    failed = np.flatnonzero(~out.converged)
    if raise_on_failure and failed.size:
        d = int(failed[0])
        raise ConvergenceError(
            f"solve_multisector_stacked: draw {d} did not converge (residual {out.residual[d]:.3e} > tol {tol:.1e} "
            f"after {out.iterations[d]} iterations; {failed.size} of {m} draws failed); pass raise_on_failure=False "
            f"for the raw result", result)
    return result
