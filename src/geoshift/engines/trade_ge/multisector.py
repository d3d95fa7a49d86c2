"""Multi-sector gravity with input-output links: Caliendo & Parro (2015) in hat form.

Calibration from the baseline (country n, exporter i, sectors j and k):

* ``pi[i, n, j] = X[i, n, j] / E[n, j]``, expenditure ``E[n, j] = sum_i X[i, n, j]``;
* ``gamma_va[n, j]`` value-added share and ``gamma[n, k, j]`` share of sector-k inputs in the gross output
  of sector j (they add up to one);
* ``alpha[n, j]`` final-demand shares; income ``I_n = VA_n + D_n`` with the deficit ``D_n`` held fixed (or
  set by ``D_new``).

Equilibrium in changes, for ``tau_hat[i, n, j]`` (inf = embargo) and elasticities ``theta[j]``:

    c[i, j]  = w_i^gamma_va[i, j] * prod_k P[i, k]^gamma[i, k, j]
    P[n, j]  = (sum_i pi[i, n, j] (c[i, j] tau[i, n, j])^-theta_j)^(-1/theta_j)
    pi'      = pi (c tau)^-theta / P^-theta
    E'[n, j] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] (w_n VA_n + D_n),  Y'[i, j] = sum_n pi'[i, n, j] E'[n, j]
    w_n VA_n = sum_j gamma_va[n, j] Y'[n, j]                                   (factor market clearing)

with world value added as numéraire. Ad valorem tariffs ``t[i, n, j]`` (the baseline has none: the ICIO records
no tariffs) enter prices as ``tau (1 + t)``; exporters receive ``pi' E' / (1 + t)`` and importer n collects the
revenue ``R_n = sum_ij pi' E' t / (1 + t)``, which joins its income. Real income is ``I'_n / I_n`` deflated by
the Cobb-Douglas consumer price index ``prod_j P[n, j]^alpha[n, j]``. The unknowns (log w, log P, E'/E) are
solved jointly by one fixed-point map (``fixed_point_step``) with Anderson acceleration: new sector prices from
(2), new expenditures from (4) and a damped wage step ``log w += kappa_n log(labour demand / supply)`` with
``kappa_n = 1 / (1 + theta_n s_n)``, ``theta_n`` the country's value-added-weighted elasticity and ``s_n`` its
value-added share of gross output (unit costs move with wages in proportion to it). Each equation is one small
pure function below; ``solve_multisector`` validates, assembles a ``Counterfactual`` and iterates.

What keeps one 80 x 50 ICIO solve short without changing a single operation on any cell: the calibration keeps
sector-major copies of ``pi`` and its baseline route counts; a shock's weights are computed only on the cells it
changes (elsewhere they are ``pi`` exactly) and the domain checks correct the baseline counts on those cells; the
weight arrays are reused from one solve to the next instead of being faulted in afresh; and a step whose price
terms are all positive replaces the idle-cell masks by plain operations: the map is evaluated as by the dense,
masked formulas (tests/unit/test_multisector_speedpaths.py writes those out and compares). The accelerator keeps
its Gram matrix between iterations (``kept_gram``), which changes the iterates by rounding only (the solution by
~1e-13 on the ICIO, the same iteration counts).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from geoshift.engines.trade_ge import validate
from geoshift.engines.trade_ge.anderson import anderson
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.errors import ConvergenceError, InputError
from geoshift.world.world import World

DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 3_000
SPARE_WEIGHTS = 4  # weight arrays a calibration keeps for reuse: two solves at once (B and BT each)


@dataclass(frozen=True, eq=False)
class Calibration:
    """Baseline shares of the Caliendo–Parro model (arrays as in the module docstring)."""

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    X: np.ndarray  # (N, N, S)
    E: np.ndarray  # (N, S) expenditure by importer and sector
    Y: np.ndarray  # (N, S) gross output
    pi: np.ndarray  # (N, N, S)
    gamma_va: np.ndarray  # (N, S)
    gamma: np.ndarray  # (N, S, S): [country, input sector k, using sector j]
    alpha: np.ndarray  # (N, S)
    VA: np.ndarray  # (N,)
    D: np.ndarray  # (N,)

    @property
    def income(self) -> np.ndarray:
        income: np.ndarray = self.VA + self.D
        return income

    # Sector-major copies that every counterfactual of this calibration starts from, made on first use and kept
    # (the arrays above are never changed in place). Pickles leave them out: a worker rebuilds them once.
    @cached_property
    def pi_jni(self) -> np.ndarray:
        """``pi`` as ``[j, n, i]`` (sector, importer, exporter), C-contiguous."""
        return np.ascontiguousarray(np.transpose(self.pi, (2, 1, 0)))

    @cached_property
    def pi_jin(self) -> np.ndarray:
        """``pi`` as ``[j, i, n]`` (sector, exporter, importer), C-contiguous."""
        return np.ascontiguousarray(np.transpose(self.pi, (2, 0, 1)))

    @cached_property
    def gamma_jk(self) -> np.ndarray:
        """``gamma`` as ``[country, user j, input k]``, C-contiguous."""
        return np.ascontiguousarray(np.transpose(self.gamma, (0, 2, 1)))

    @cached_property
    def sources(self) -> np.ndarray:
        """``[j, n]``: how many exporters have a positive baseline share of n's purchases of sector j."""
        counts: np.ndarray = np.count_nonzero(self.pi_jni > 0, axis=2)
        return counts

    @cached_property
    def foreign_routes(self) -> tuple[np.ndarray, np.ndarray]:
        """Baseline foreign routes in use (``pi E > 0``, exporter != importer, any sector), counted by exporter
        ``(N,)`` and by importer ``(N,)``."""
        N = len(self.countries)
        used = (self.pi * self.E[None, :, :] > 0) & ~np.eye(N, dtype=bool)[:, :, None]  # [i, n, j]
        return used.sum(axis=(1, 2)), used.sum(axis=(0, 2))

    @cached_property
    def weight_buffers(self) -> list[np.ndarray]:
        """Spare ``(S, N, N)`` arrays that ``solve_multisector`` fills with a shock's weights and hands back when
        it is done: a fresh 2.5 MB array per solve (the 80 x 50 ICIO) costs its page faults every time."""
        return []

    def __getstate__(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def calibrate_arrays(
    X: np.ndarray,
    use: np.ndarray,
    value_added: np.ndarray,
    final_demand: np.ndarray,
    *,
    countries: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
) -> Calibration:
    """Calibrate from flows ``X[i, n, j]``, input use ``use[n, k, j]``, ``value_added[n, j]`` and final
    expenditure ``final_demand[n, j]`` (which must satisfy the World's adding-up identities)."""
    X = validate.flows(X, "X", ndim=3)
    N, _, S = X.shape
    use = np.asarray(use, dtype=np.float64)
    value_added = np.asarray(value_added, dtype=np.float64)
    final_demand = np.asarray(final_demand, dtype=np.float64)
    for name, array, shape in (("use", use, (N, S, S)), ("value_added", value_added, (N, S)),
                               ("final_demand", final_demand, (N, S))):
        if array.shape != shape:
            raise InputError(f"{name} must have shape {shape}, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise InputError(f"{name} has non-finite entries")
    E = X.sum(axis=0)
    Y = X.sum(axis=1)
    pi = np.divide(X, E[None, :, :], out=np.zeros_like(X), where=E[None, :, :] > 0)
    idle = E <= 0  # nobody buys: a domestic share of one keeps the price index defined
    n_idx, j_idx = np.nonzero(idle)
    pi[n_idx, n_idx, j_idx] = 1.0
    producing = Y > 0
    gamma_va = np.divide(value_added, Y, out=np.ones_like(Y), where=producing)
    gamma = np.divide(use, Y[:, None, :], out=np.zeros_like(use), where=producing[:, None, :])
    fd_total = final_demand.sum(axis=1)
    alpha = np.divide(final_demand, fd_total[:, None], out=np.zeros_like(final_demand),
                      where=fd_total[:, None] != 0)
    VA = value_added.sum(axis=1)
    if np.any(VA <= 0):
        raise InputError(f"value_added: country {int(np.argmax(VA <= 0))} has no value added")
    D = fd_total - VA
    labels_c = tuple(countries) if countries is not None else tuple(str(n) for n in range(N))
    labels_s = tuple(sectors) if sectors is not None else tuple(str(j) for j in range(S))
    return Calibration(labels_c, labels_s, X, E, Y, pi, gamma_va, gamma, alpha, VA, D)


def calibrate(world: World) -> Calibration:
    """The Caliendo–Parro calibration of a World."""
    return calibrate_arrays(world.X, world.use, world.value_added, world.final_demand,
                            countries=world.countries, sectors=world.sectors)


def tau_array(cal: Calibration, tau_hat: np.ndarray) -> np.ndarray:
    N, _, S = cal.X.shape
    tau = np.asarray(tau_hat, dtype=np.float64)
    if tau.shape == (N, N):
        tau = np.broadcast_to(tau[:, :, None], (N, N, S))
    return validate.tau_hat(tau, (N, N, S))


def tariff_array(cal: Calibration, tariff: np.ndarray) -> np.ndarray:
    N, _, S = cal.X.shape
    rate = np.asarray(tariff, dtype=np.float64)
    if rate.shape == (N, N):
        rate = np.broadcast_to(rate[:, :, None], (N, N, S))
    if rate.shape != (N, N, S):
        raise InputError(f"tariff must have shape {(N, N, S)} or {(N, N)}, got {rate.shape}")
    if not np.all(np.isfinite(rate)) or np.any(rate < 0):
        raise InputError("tariff rates must be finite and >= 0 (0.25 = 25 %)")
    if np.any(np.einsum("iis->is", rate) != 0):
        raise InputError("tariff must be zero on the diagonal: a country does not tax its own goods")
    return rate


@dataclass(frozen=True, eq=False)
class Counterfactual:
    """The fixed inputs of one counterfactual, arranged for the fixed point (sector-major: ``[j, n, i]``)."""

    theta: np.ndarray  # (S,)
    B: np.ndarray  # [j, n, i]: pi (tau (1 + t))^-theta, the shocked baseline share weights (0 if embargoed)
    BT: np.ndarray  # [j, i, n]: B / (1 + t), the exporter's share of the buyer's spending
    BR: np.ndarray  # [j, n, i]: B t / (1 + t), the importer's tariff revenue share
    has_tariffs: bool
    gamma_va: np.ndarray  # (N, S)
    gamma: np.ndarray  # (N, S, S) [country, input k, user j]
    gamma_jk: np.ndarray  # (N, S, S) [country, user j, input k]
    alpha: np.ndarray  # (N, S)
    VA: np.ndarray  # (N,)
    D: np.ndarray  # (N,)
    E0: np.ndarray  # [j, n] baseline expenditure
    active: np.ndarray  # [j, n] somebody buys
    kappa: np.ndarray  # (N,) wage-step damping
    idle: tuple[np.ndarray, ...]  # sector and buyer of the cells nobody buys
    E0_or_one: np.ndarray  # [j, n] E0, 1 where nobody buys (a divisor)

    @property
    def shape(self) -> tuple[int, int]:
        S, N = self.E0.shape
        return N, S


def cell_weights(pi: np.ndarray, tau: np.ndarray, rate: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``pi (tau (1 + t))^-theta`` cell by cell (arrays that broadcast together), exactly 0 where ``tau`` is
    infinite (an embargo)."""
    with np.errstate(divide="ignore", over="ignore"):
        weights: np.ndarray = np.where(np.isinf(tau), 0.0, pi * (tau * (1.0 + rate)) ** (-theta))
    return weights


def shock_weights(pi: np.ndarray, tau: np.ndarray, rate: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``pi (tau (1 + t))^-theta`` by cell ``[i, n, j]``, exactly 0 where ``tau`` is infinite (an embargo)."""
    return cell_weights(pi, tau, rate, theta[None, None, :])


def wage_damping(gamma_va: np.ndarray, Y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``kappa_n = 1 / (1 + theta_n s_n)``: ``theta_n`` value-added-weighted, ``s_n`` value added / gross output."""
    va = gamma_va * Y
    theta_n = (va * theta[None, :]).sum(axis=1) / np.maximum(va.sum(axis=1), 1e-300)
    va_share = va.sum(axis=1) / np.maximum(Y.sum(axis=1), 1e-300)
    kappa: np.ndarray = 1.0 / (1.0 + theta_n * va_share)
    return kappa


def _filled(spare: list[np.ndarray] | None, source: np.ndarray) -> np.ndarray:
    """A copy of ``source``, written into a spare array of its shape if there is one (``list.pop`` is atomic, so two
    threads never get the same one)."""
    while spare:
        try:
            buffer = spare.pop()
        except IndexError:  # another thread took the last one
            break
        if buffer.shape == source.shape:
            np.copyto(buffer, source)
            return buffer
    return source.copy()


def counterfactual(cal: Calibration, tau: np.ndarray, theta: np.ndarray, rate: np.ndarray | None,
                   D: np.ndarray, *, spare: list[np.ndarray] | None = None) -> Counterfactual:
    """Assemble the fixed inputs (``rate``: tariffs, None for none); raise if an embargo leaves a buyer with no
    source of a sector at all, or a fixed deficit that no open route can carry.

    The weights are ``shock_weights`` everywhere, evaluated only where they can differ from ``pi``: a cell with
    ``tau = 1`` and no tariff weighs ``pi * 1.0 ** -theta = pi`` exactly, so the arrays start from the calibration's
    sector-major copies of ``pi`` and only the changed cells (a few hundred for an embargo) are computed. The
    domain checks count, per buyer and sector, the sources with a positive weight and, per country, the foreign
    routes in use (``weight E > 0``), from the calibration's baseline counts corrected on the changed cells: the
    same cell-by-cell tests as on the dense arrays (which are used instead if a weight is not finite). ``spare``:
    arrays to reuse for ``B`` and ``BT`` (``Calibration.weight_buffers``)."""
    N = len(cal.countries)
    has_tariffs = rate is not None and bool(np.any(rate > 0))
    changed = (tau != 1.0) | (rate != 0.0) if has_tariffs and rate is not None else tau != 1.0
    i, n, j = np.unravel_index(np.flatnonzero(changed), changed.shape)  # np.nonzero's cells, 15x faster in 3-D
    cell_rate = rate[i, n, j] if has_tariffs and rate is not None else np.zeros(i.size)
    cell_pi = cal.pi[i, n, j]
    weight = cell_weights(cell_pi, tau[i, n, j], cell_rate, theta[j])
    B = _filled(spare, cal.pi_jni)
    B[j, n, i] = weight
    BT = _filled(spare, cal.pi_jin)
    BT[j, i, n] = weight / (1.0 + cell_rate)
    BR: np.ndarray = np.broadcast_to(0.0, B.shape)  # never read without tariffs
    if has_tariffs:
        BR = np.zeros(B.shape)
        BR[j, n, i] = weight * cell_rate / (1.0 + cell_rate)
    E0 = cal.E.T
    if np.all(np.isfinite(weight)):
        sources = cal.sources.copy()
        np.add.at(sources, (j, n), (weight > 0).astype(np.int64) - (cell_pi > 0))
        reachable = sources > 0  # [j, n]; a sum of finite weights >= 0 is > 0 exactly when one of them is
        cell_E = cal.E[n, j]
        foreign = i != n
        moved = ((weight * cell_E > 0) & foreign).astype(np.int64) - ((cell_pi * cell_E > 0) & foreign)
        exports, imports = (count.copy() for count in cal.foreign_routes)
        np.add.at(exports, i, moved)
        np.add.at(imports, n, moved)
        open_exports, open_imports = exports > 0, imports > 0
    else:
        reachable = B.sum(axis=2) > 0
        used = (B * E0[:, :, None] > 0) & ~np.eye(N, dtype=bool)[None, :, :]  # [j, n, i]: open, used routes
        open_exports, open_imports = used.any(axis=(0, 1)), used.any(axis=(0, 2))
    stranded = (E0 > 0) & ~reachable
    if stranded.any():
        jj, nn = (int(v) for v in np.argwhere(stranded)[0])
        raise InputError(f"tau_hat leaves {cal.countries[nn]} with no source of sector {cal.sectors[jj]} "
                         f"(every supplier, domestic included, is embargoed)")
    validate.trade_balance_feasible(open_exports, open_imports, D, cal.VA, cal.countries)
    active = E0 > 0
    return Counterfactual(
        theta=theta, B=B, BT=BT, BR=BR, has_tariffs=has_tariffs, gamma_va=cal.gamma_va, gamma=cal.gamma,
        gamma_jk=cal.gamma_jk, alpha=cal.alpha, VA=cal.VA, D=D, E0=np.ascontiguousarray(E0), active=active,
        kappa=wage_damping(cal.gamma_va, cal.Y, theta), idle=np.nonzero(~active),
        E0_or_one=np.where(active, E0, 1.0))


def log_unit_costs(log_w: np.ndarray, log_P: np.ndarray, gamma_va: np.ndarray, gamma_jk: np.ndarray) -> np.ndarray:
    """(1) ``log c[j, i] = gamma_va[i, j] log w_i + sum_k gamma[i, k, j] log P[k, i]`` (``log_P`` is ``[k, i]``)."""
    log_c: np.ndarray = (gamma_va * log_w[:, None] + np.matmul(gamma_jk, log_P.T[:, :, None])[:, :, 0]).T
    return log_c


def cost_terms(cf: Counterfactual, log_w: np.ndarray, log_P: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A[j, i] = c^-theta`` and (2) ``Phi[j, n] = P^-theta = sum_i B[j, n, i] A[j, i]``."""
    A = np.exp(-cf.theta[:, None] * log_unit_costs(log_w, log_P, cf.gamma_va, cf.gamma_jk))
    Phi: np.ndarray = np.matmul(cf.B, A[:, :, None])[:, :, 0]
    return A, Phi


def _spending_ratio(Phi: np.ndarray, spend: np.ndarray) -> np.ndarray:
    ratio: np.ndarray = np.divide(spend, Phi, out=np.zeros_like(spend), where=Phi > 0)
    return ratio


def _sales(cf: Counterfactual, A: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    Y_new: np.ndarray = A * np.matmul(cf.BT, ratio[:, :, None])[:, :, 0]
    return Y_new


def _revenue(cf: Counterfactual, A: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    collected: np.ndarray = (ratio * np.matmul(cf.BR, A[:, :, None])[:, :, 0]).sum(axis=0)
    return collected


def sales(cf: Counterfactual, A: np.ndarray, Phi: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """(3) and (5): ``Y'[j, i] = sum_n pi'[i, n, j] E'[n, j] / (1 + t)``, exporters' receipts at cost."""
    return _sales(cf, A, _spending_ratio(Phi, spend))


def tariff_revenue(cf: Counterfactual, A: np.ndarray, Phi: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """``R_n = sum_ij pi' E' t / (1 + t)``, collected by the importer (zeros without tariffs)."""
    if not cf.has_tariffs:
        return np.zeros(cf.shape[0])
    return _revenue(cf, A, _spending_ratio(Phi, spend))


def expenditure(cf: Counterfactual, Y_new: np.ndarray, income: np.ndarray) -> np.ndarray:
    """(4) ``E'[j, n] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] I'_n``."""
    spend: np.ndarray = np.matmul(cf.gamma, Y_new.T[:, :, None])[:, :, 0].T + cf.alpha.T * income[None, :]
    return spend


def flows_at_cost(cf: Counterfactual, A: np.ndarray, ratio: np.ndarray, rate: np.ndarray | None) -> np.ndarray:
    """``X'[i, n, j] = B[j, n, i] A[j, i] ratio[j, n] / (1 + t)``: the new flows at buyers' prices, less the tariff,
    written straight into the ``[i, n, j]`` layout (``ratio`` is ``E' / Phi``)."""
    N, S = cf.shape
    X_new: np.ndarray = np.multiply(np.transpose(cf.B, (2, 1, 0)), A.T[:, None, :], out=np.empty((N, N, S)))
    X_new *= ratio.T[None, :, :]
    if cf.has_tariffs and rate is not None:
        X_new /= 1.0 + rate
    return X_new


def _in_domain(cf: Counterfactual, Phi: np.ndarray) -> bool:
    """Every price term finite and every bought good's positive."""
    return not (np.any(Phi[cf.active] <= 0) or not np.all(np.isfinite(Phi)))


def fixed_point_step(cf: Counterfactual, x: np.ndarray) -> tuple[np.ndarray, float]:
    """One step of the map on ``x = (log w, log P[j, n], E'/E [j, n])`` and the residual of ``x``: the largest of
    the excess labour demand, the change of log prices and the change of relative expenditures.

    The new point is written piece by piece into one array. Where every price term is finite and positive (one
    min and one max tell; a NaN fails them), which is every step of a solve that stays in the domain, the masks
    that keep cells nobody buys at zero are replaced by plain array operations and the few idle cells are set to
    zero afterwards: the same values, cell by cell, as the masked forms in the other branch."""
    N, S = cf.shape
    log_w, log_P, e_hat = x[:N], x[N:N + S * N].reshape(S, N), x[N + S * N:].reshape(S, N)
    A, Phi = cost_terms(cf, log_w, log_P)
    positive = bool(Phi.min() > 0.0 and Phi.max() < np.inf)
    if not positive and not _in_domain(cf, Phi):
        return x, np.inf
    spend = e_hat * cf.E0
    ratio = np.divide(spend, Phi) if positive else _spending_ratio(Phi, spend)
    Y_new = _sales(cf, A, ratio)
    supply = np.exp(log_w) * cf.VA
    income = supply + cf.D
    if cf.has_tariffs:
        income += _revenue(cf, A, ratio)
    labour = (cf.gamma_va.T * Y_new).sum(axis=0)  # (5) value added paid out
    if np.any(labour <= 0) or np.any(income <= 0):
        return x, np.inf
    excess = labour / supply
    gx = np.empty_like(x)
    log_w_new = gx[:N]
    np.add(log_w, cf.kappa * np.log(excess), out=log_w_new)
    log_w_new -= np.log(np.exp(log_w_new) @ cf.VA / cf.VA.sum())  # numéraire: world value added
    log_P_new = gx[N:N + S * N].reshape(S, N)
    e_new = gx[N + S * N:].reshape(S, N)
    spend_new = expenditure(cf, Y_new, income)
    if positive:
        np.negative(np.log(Phi, out=log_P_new), out=log_P_new)
        np.divide(log_P_new, cf.theta[:, None], out=log_P_new)
        np.divide(spend_new, cf.E0_or_one, out=e_new)
        log_P_new[cf.idle] = 0.0
        e_new[cf.idle] = 0.0
    else:
        log_P_new[:] = np.where(cf.active, -np.log(np.where(Phi > 0, Phi, 1.0)) / cf.theta[:, None], 0.0)
        e_new[:] = np.divide(spend_new, cf.E0, out=np.zeros_like(cf.E0), where=cf.active)
    change = np.abs(np.subtract(gx[N:], x[N:]))  # prices, then spending
    residual = max(float(np.max(np.abs(excess - 1.0))), float(np.max(change[:S * N])),
                   float(np.max(change[S * N:])))
    return gx, residual


def solve_multisector(
    cal: Calibration | World,
    tau_hat: np.ndarray,
    theta: np.ndarray | Sequence[float],
    *,
    tariff: np.ndarray | None = None,
    D_new: np.ndarray | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    x0: np.ndarray | None = None,
    raise_on_failure: bool = True,
    anderson_memory: int = 6,
) -> MultiSectorResult:
    """Counterfactual equilibrium for trade-cost changes ``tau_hat[i, n, j]`` (or ``[i, n]`` for all
    sectors) with sector elasticities ``theta[j]``; ``tariff[i, n, j]``: new ad valorem tariffs (0.25 = 25 %)
    collected by the importer; ``D_new`` replaces the fixed deficits (e.g. zeros to
    remove them). ``x0``: warm start (``result.state`` of an earlier solve); ``anderson_memory``: iterates
    mixed by the accelerator (0 = plain iteration)."""
    start = time.perf_counter()
    if isinstance(cal, World):
        cal = calibrate(cal)
    N, _, S = cal.X.shape
    tau = tau_array(cal, tau_hat)
    th = validate.theta(theta, S)
    D = cal.D if D_new is None else np.asarray(D_new, dtype=np.float64)
    if D.shape != (N,) or not np.all(np.isfinite(D)):
        raise InputError(f"D_new must be a finite array of shape ({N},), got {D.shape}")
    rate = None if tariff is None else tariff_array(cal, tariff)
    cf = counterfactual(cal, tau, th, rate, D, spare=cal.weight_buffers)
    if x0 is None:
        x0 = np.concatenate([np.zeros(N + S * N), np.where(cf.active, 1.0, 0.0).ravel()])
    outcome = anderson(lambda x: fixed_point_step(cf, x), np.asarray(x0, dtype=np.float64), tol=tol,
                       max_iter=max_iter, max_step=2.0, memory=anderson_memory, kept_gram=True)
    log_w, log_P, e_hat = outcome.x[:N], outcome.x[N:N + S * N].reshape(S, N), outcome.x[N + S * N:].reshape(S, N)
    A, Phi = cost_terms(cf, log_w, log_P)
    spend = e_hat * cf.E0
    X_new = flows_at_cost(cf, A, _spending_ratio(Phi, spend), rate)
    Y_new = X_new.sum(axis=1)  # [i, j]
    w = np.exp(log_w)
    revenue = tariff_revenue(cf, A, Phi, spend)
    income_hat = (w * cal.VA + D + revenue) / cal.income
    price_index_hat = np.exp((cal.alpha * log_P.T).sum(axis=1))  # (7) Cobb-Douglas over final-demand shares
    output_hat = np.divide(Y_new, cal.Y, out=np.ones_like(Y_new), where=cal.Y > 0)
    result = MultiSectorResult(
        w_hat=w, P_hat=np.exp(log_P).T, price_index_hat=price_index_hat, income_hat=income_hat,
        real_income_hat=income_hat / price_index_hat, X_new=X_new, gross_output_hat=output_hat,
        value_added_hat=output_hat, gross_output_new=Y_new, value_added_new=cal.gamma_va * Y_new,
        converged=outcome.converged, iterations=outcome.iterations, residual=outcome.residual,
        seconds=time.perf_counter() - start, state=outcome.x, tariff_revenue=revenue,
    )
    if len(cal.weight_buffers) < SPARE_WEIGHTS:  # nothing holds the weights now: the next solve reuses them
        cal.weight_buffers.extend((cf.B, cf.BT))
    if raise_on_failure and not result.converged:
        raise ConvergenceError(
            f"solve_multisector did not converge: residual {result.residual:.3e} > tol {tol:.1e} after "
            f"{result.iterations} iterations; pass raise_on_failure=False for the raw result", result)
    return result


def solve_multisector_batch(
    cal: Calibration | World, tau_hats: Sequence[np.ndarray] | np.ndarray, theta: np.ndarray | Sequence[float],
    **options: object,
) -> list[MultiSectorResult]:
    """Solve several shocks on one calibration, each warm-started from the previous solution."""
    if isinstance(cal, World):
        cal = calibrate(cal)
    results: list[MultiSectorResult] = []
    for tau in tau_hats:
        x0 = results[-1].state if results and results[-1].converged else None
        results.append(solve_multisector(cal, tau, theta, x0=x0, **options))  # type: ignore[arg-type]
    return results


def remove_deficits(cal: Calibration, theta: np.ndarray | Sequence[float], **options: object) -> Calibration:
    """The Dekle–Eaton–Kortum first step: the equilibrium of the same economy with every trade deficit set
    to zero, returned as a new (balanced) baseline calibration. Counterfactuals from it are free of the
    large fixed transfers that an ICIO without a rest of the world implies."""
    N, _, S = cal.X.shape
    r = solve_multisector(cal, np.ones((N, N, S)), theta, D_new=np.zeros(N), **options)  # type: ignore[arg-type]
    Y_new = r.gross_output_new
    use = cal.gamma * Y_new[:, None, :]
    value_added = cal.gamma_va * Y_new
    final = cal.alpha * (r.w_hat * cal.VA)[:, None]
    return calibrate_arrays(r.X_new, use, value_added, final, countries=cal.countries, sectors=cal.sectors)
