"""Who is central: network centrality of gross trade, and value-added trade through the Leontief inverse.

**The trade network.** ``T[i, j] = sum_s X[i, j, s]``: gross flows (intermediate + final, US$ million) from
exporter ``i`` to importer ``j`` summed over sectors, domestic sales (the diagonal) left out. Edges point from
exporter to importer, in the direction the goods travel (money travels the other way), weighted by ``T``.

* **PageRank** (``pagerank``, damping 0.85): a random walk that follows goods from seller to buyer, leaving each
  country along its exports in proportion to their value. A country scores high when it takes a large share of
  the exports of countries that themselves score high: centrality *as a market*, a sink of the world's goods.
* **Eigenvector centrality** (``eigenvector``): the leading eigenvector of the *two-way* trade matrix ``T + T'``
  (direction ignored): a country is central when it trades much with central countries.
* **HITS** (``hits``): *hubs* and *authorities* of the directed network, the leading left and right singular
  vectors of ``T``. A hub exports much to good authorities (centrality *as a supplier*); an authority imports
  much from good hubs (centrality *as a market*, like PageRank but without damping).

All four are scaled to add up to one over the countries. PageRank is solved exactly as a linear system
(LAPACK); the eigenvectors come from ARPACK (``scipy.sparse.linalg.eigsh``). The tests check them against networkx.

**Value-added trade (TiVA-style).** The World keeps intermediate flows by origin and destination country,
``intermediate[i, n, k]`` (sector-k goods from ``i`` used by any sector of ``n``), and input use by sector,
``use[n, k, j]`` (sector-k inputs, all origins, used by sector ``j`` of ``n``), but not the flows from node
``(i, k)`` to node ``(n, j)``. They are derived by the *import-proportionality* assumption: every using sector of
``n`` buys its sector-k inputs from the origins in the same proportions as ``n`` as a whole,
``share[i, n, k] = intermediate[i, n, k] / sum_i intermediate[i, n, k]``. (The World's build, ``geoshift.data.icio``,
keeps only these two margins of the source's node-to-node matrix; in the same spirit it allocates the embedded
network's final demand to destinations in proportion to each node's intermediate sales.) With
``gamma[n, k, j] = use[n, k, j] / Y[n, j]``:

    A[(i, k), (n, j)] = share[i, n, k] * gamma[n, k, j]      inputs from (i, k) per unit of output of (n, j)
    L = (I - A)^-1,   v[n, j] = VA[n, j] / Y[n, j] = 1 - sum_k gamma[n, k, j]

* value added of origin ``o`` embodied in the final demand of ``d``: ``VA[o, d] = sum over o's nodes of
  v (L F_d)``, ``F_d[(i, k)] = final[i, d, k]``. Summed over destinations it is ``o``'s value added; summed over
  origins, ``d``'s final demand. *VA exports* ``sum_{d != o} VA[o, d]`` (domestic value added in foreign final
  demand); *VA imports* ``sum_{o != d} VA[o, d]`` (foreign value added in domestic final demand).
* GVC participation (Koopman-Wang-Wei style, per cent of the country's gross exports ``EX_c``): ``content[o, c]``
  is the value added of ``o`` in the gross exports of ``c``; *backward* = foreign value added in ``c``'s exports,
  ``sum_{o != c} content[o, c] / EX_c``; *forward* = ``c``'s value added in its partners' exports,
  ``sum_{p != c} content[c, p] / EX_c``.
* upstreamness (Antràs-Chor, through the Ghosh inverse): ``U = (I - B)^-1 1`` with output coefficients
  ``B[(i, k), (n, j)] = Z[(i, k), (n, j)] / Y[i, k]``: 1 for a node that sells only to final demand, growing with
  the number of production stages between it and final use; by country, weighted by gross output.

The ``4000 x 4000`` systems are never formed: products with ``A`` and ``A'`` follow the structure above (a
sector-by-sector origin split, then a country-by-country technology), and a block-Jacobi iteration whose blocks,
the countries' domestic input-output blocks, are inverted exactly solves all 80 right-hand sides at once; the
true residual is checked (relative 1e-12) after the last step. About 20 steps of two small batched products each
take some 0.1 s, where an exact dense LU of ``I - A`` takes 2-5 s on two cores; ``method="dense"`` does that
instead, and the tests check that both agree.

**Scenarios.** For counterfactual flows ``X_new`` (e.g. ``MultiSectorResult.X_new``) the input coefficients
``gamma`` stay those of the calibration (Cobb-Douglas technology, as in the GE engine), gross output is
``Y' = sum_n X_new[:, n, :]``, and each buyer's intermediate origin shares move with its trade shares:
``share'[i, n, k] ∝ share[i, n, k] * pi'[i, n, k] / pi[i, n, k]`` with ``pi = X / sum_i X`` (the GE engine changes
the shares of one origin by the same factor for all buyers of a cell). Then ``intermediate' = share' * sum_j
gamma Y'`` and final demand is the rest of the flow, ``final' = X_new - intermediate'``. This keeps the GE
engine's flows, gross output and value added ``gamma_va Y'`` exactly (so the identities hold in the scenario too)
and reproduces the baseline when ``X_new`` equals the baseline flows. A cell's remainder can turn negative when
a buyer's intermediate origin shares are far from its overall ones; it is kept (the decomposition does not need
signs, as the OECD tables' negative inventory changes show) and its total is reported in
``IOTable.negative_final`` (0.03 US$ million, against 100 trillion of world output, for us_russia_detente).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg
import scipy.stats

from geoshift.errors import ConvergenceError, InputError
from geoshift.world.world import World

#: ICIO values are US$ million; the ``*_usd`` metrics are in US$
ICIO_UNIT_USD = 1e6
#: the columns of a metrics table (as ``geoshift.results.records.METRIC_COLUMNS``)
METRIC_COLUMNS = ("metric", "country", "partner", "sector", "value", "unit")
BASELINE, SCENARIO = "baseline", "scenario"
DAMPING = 0.85
LEONTIEF_RTOL = 1e-12
#: the block-Jacobi steps stop when a step moves no entry by more than this, relative to the largest
STEP_TOL = 1e-13
Method = Literal["iterative", "dense"]


@dataclass(frozen=True)
class Measure:
    """One measure: its command-line name, stored metric name and unit, a short label and its definition."""

    key: str
    metric: str
    unit: str
    label: str
    definition: str


MEASURES: tuple[Measure, ...] = (
    Measure("pagerank", "centrality_pagerank", "share", "PageRank",
            "PageRank (damping 0.85) of the gross-trade network, edges exporter -> importer weighted by trade: high "
            "for a country that takes much of the exports of central countries (centrality as a market); sums to 1"),
    Measure("eigenvector", "centrality_eigenvector", "share", "eigenvector centrality",
            "leading eigenvector of two-way gross trade (exports + imports between each pair): high for a country "
            "that trades much with central countries; sums to 1"),
    Measure("hubs", "centrality_hubs", "share", "HITS hub score",
            "HITS hub score of the gross-trade network: high for a country that exports much to the big markets "
            "(centrality as a supplier); sums to 1"),
    Measure("authorities", "centrality_authorities", "share", "HITS authority score",
            "HITS authority score of the gross-trade network: high for a country that imports much from the big "
            "suppliers (centrality as a market); sums to 1"),
    Measure("va_exports", "centrality_va_exports_usd", "USD", "value-added exports",
            "domestic value added embodied in foreign final demand (TiVA-style, through the Leontief inverse), US$"),
    Measure("va_imports", "centrality_va_imports_usd", "USD", "value-added imports",
            "foreign value added embodied in the country's own final demand (TiVA-style), US$"),
    Measure("gvc_backward", "centrality_gvc_backward", "%", "GVC backward participation",
            "foreign value added in the country's gross exports, % of its gross exports"),
    Measure("gvc_forward", "centrality_gvc_forward", "%", "GVC forward participation",
            "the country's domestic value added in its partners' gross exports, % of its own gross exports"),
    Measure("upstreamness", "centrality_upstreamness", "stages", "upstreamness",
            "Antràs-Chor upstreamness (Ghosh inverse), gross-output-weighted over the country's sectors: 1 = sells "
            "only to final demand, higher = more production stages from final use"),
)
MEASURE_BY_KEY: Mapping[str, Measure] = {m.key: m for m in MEASURES}


# -- the trade network -------------------------------------------------------------------------------------------


def trade_matrix(X: np.ndarray) -> np.ndarray:
    """``T[i, j] = sum_s X[i, j, s]`` with a zero diagonal: gross trade from exporter ``i`` to importer ``j``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        X = X[:, :, None]
    if X.ndim != 3 or X.shape[0] != X.shape[1]:
        raise InputError(f"X must have shape (countries, countries, sectors), got {X.shape}")
    if not np.all(np.isfinite(X)) or np.any(X < 0):
        raise InputError("X must be finite and non-negative")
    T: np.ndarray = X.sum(axis=2)
    np.fill_diagonal(T, 0.0)
    return T


def _network(T: np.ndarray) -> np.ndarray:
    """The validated weight matrix (a copy, zero diagonal)."""
    W = np.array(T, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 2:
        raise InputError(f"the trade matrix must be square with at least two countries, got shape {W.shape}")
    if not np.all(np.isfinite(W)) or np.any(W < 0):
        raise InputError("the trade matrix must be finite and non-negative")
    np.fill_diagonal(W, 0.0)
    if W.sum() <= 0:
        raise InputError("the trade matrix has no trade between countries")
    return W


def _share(values: np.ndarray) -> np.ndarray:
    """Scale a Perron vector (any sign) to non-negative entries adding up to one."""
    scaled: np.ndarray = np.abs(values) / np.abs(values).sum()
    return scaled


def pagerank(T: np.ndarray, *, alpha: float = DAMPING) -> np.ndarray:
    """Weighted PageRank on exporter -> importer edges (``T[i, j]``: trade from ``i`` to ``j``), summing to one.

    The stationary distribution of the random walk that leaves ``i`` along its exports in proportion to their value
    with probability ``alpha`` and jumps to a uniformly drawn country otherwise (a country that exports nothing
    jumps uniformly). Solved exactly as the linear system ``(I - alpha (P' + 1 d'/n)) x = (1 - alpha)/n`` (LAPACK),
    the same fixed point that networkx's ``pagerank`` iterates towards."""
    if not 0 < alpha < 1:
        raise InputError(f"the PageRank damping must be in (0, 1), got {alpha}")
    W = _network(T)
    n = len(W)
    out = W.sum(axis=1)
    P = np.divide(W, out[:, None], out=np.zeros_like(W), where=out[:, None] > 0)  # row-stochastic
    dangling = (out <= 0).astype(np.float64)
    system = np.eye(n) - alpha * (P.T + np.outer(np.ones(n), dangling) / n)
    x = scipy.linalg.solve(system, np.full(n, (1.0 - alpha) / n))
    return _share(x)


def _leading(M: np.ndarray) -> np.ndarray:
    """The leading eigenvector of a symmetric non-negative matrix (ARPACK through scipy.sparse.linalg, from a
    fixed start, so the result is reproducible; it stays clear of the multi-threaded LAPACK drivers, which are
    slow on a shared machine for a matrix this small)."""
    n = len(M)
    if n < 3:  # ARPACK needs k < n
        _, vectors = np.linalg.eigh(M)
        return _share(vectors[:, -1])
    _, vectors = scipy.sparse.linalg.eigsh(M, k=1, which="LA", v0=np.ones(n), tol=0.0, maxiter=100 * n)
    return _share(vectors[:, 0])


def eigenvector(T: np.ndarray) -> np.ndarray:
    """Eigenvector centrality of two-way trade ``T + T'`` (direction ignored), summing to one: the leading
    eigenvector of the symmetric matrix. Refuses a network in several pieces, where it is not unique."""
    W = _network(T)
    W = W + W.T
    pieces, _ = scipy.sparse.csgraph.connected_components(scipy.sparse.csr_array(W > 0), directed=False)
    if pieces > 1:
        raise InputError(f"the trade network falls into {pieces} unconnected pieces, so eigenvector centrality is "
                         f"not unique")
    return _leading(W)


def hits(T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HITS ``(hubs, authorities)`` on exporter -> importer edges, each summing to one: authorities ``a`` the
    leading eigenvector of ``T' T`` (the leading right singular vector of ``T``), hubs ``T a`` (as networkx's
    ``hits``)."""
    W = _network(T)
    authorities = _leading(W.T @ W)
    return _share(W @ authorities), authorities


def network_scores(T: np.ndarray, *, alpha: float = DAMPING) -> dict[str, np.ndarray]:
    """PageRank, eigenvector, hub and authority scores of the trade matrix ``T`` by measure key."""
    hub, authority = hits(T)
    return {"pagerank": pagerank(T, alpha=alpha), "eigenvector": eigenvector(T), "hubs": hub,
            "authorities": authority}


# -- the input-output table --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class IOTable:
    """A multi-regional input-output table in factored form (module docstring): ``gamma[n, k, j]`` input
    coefficients, ``share[i, n, k]`` origin shares of intermediate purchases, ``final[i, n, k]`` final demand by
    origin and destination, ``output[i, k]`` gross output; ``negative_final``: the total of negative final-demand
    cells (a table derived from counterfactual flows can have a few), as a positive number."""

    gamma: np.ndarray
    share: np.ndarray
    final: np.ndarray
    output: np.ndarray
    negative_final: float = 0.0

    @property
    def shape(self) -> tuple[int, int]:
        C, S = self.output.shape
        return C, S

    @property
    def va_coefficients(self) -> np.ndarray:
        """``v[n, j] = 1 - sum_k gamma[n, k, j]`` (zero where nothing is produced)."""
        v: np.ndarray = np.where(self.output > 0, 1.0 - self.gamma.sum(axis=1), 0.0)
        return v

    @property
    def value_added(self) -> np.ndarray:
        va: np.ndarray = self.va_coefficients * self.output
        return va

    @property
    def bought(self) -> np.ndarray:
        """Intermediate purchases ``[n, k]`` of sector-k goods (all origins) by country ``n``."""
        bought: np.ndarray = np.einsum("nkj,nj->nk", self.gamma, self.output)
        return bought

    @property
    def intermediate(self) -> np.ndarray:
        inter: np.ndarray = self.share * self.bought[None, :, :]
        return inter

    @property
    def gross_exports(self) -> np.ndarray:
        """Gross exports ``[i, k]``: sales to other countries, intermediate and final."""
        flows = self.intermediate + self.final
        exports: np.ndarray = flows.sum(axis=1) - np.einsum("iik->ik", flows)
        return exports

    @property
    def final_demand(self) -> np.ndarray:
        """Final demand per destination country (all origins and sectors)."""
        fd: np.ndarray = self.final.sum(axis=(0, 2))
        return fd


def _array(name: str, value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise InputError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} has non-finite entries")
    return array


def _origin_shares(purchases: np.ndarray) -> np.ndarray:
    """``purchases[i, n, k]`` normalised over origins ``i``; a buyer with no purchases buys at home."""
    C = purchases.shape[0]
    total = purchases.sum(axis=0)
    share = np.divide(purchases, total[None], out=np.zeros_like(purchases), where=total[None] > 0)
    home = np.eye(C)[:, :, None] * (total <= 0)[None, :, :]
    shares: np.ndarray = share + home
    return shares


def io_table(intermediate: np.ndarray, final: np.ndarray, use: np.ndarray, gross_output: np.ndarray) -> IOTable:
    """The factored table of World-style arrays (``intermediate[i, n, k]``, ``final[i, n, k]``, ``use[n, k, j]``,
    ``gross_output[i, k]``) under import proportionality. The VA identities hold to rounding when the arrays add
    up as a World's do (output = sales; inputs bought = inputs used)."""
    Y = np.asarray(gross_output, dtype=np.float64)
    if Y.ndim != 2:
        raise InputError(f"gross_output must be (countries, sectors), got shape {Y.shape}")
    C, S = Y.shape
    intermediate = _array("intermediate", intermediate, (C, C, S))
    final = _array("final", final, (C, C, S))
    use = _array("use", use, (C, S, S))
    Y = _array("gross_output", Y, (C, S))
    if np.any(intermediate < 0) or np.any(use < 0) or np.any(Y < 0):
        raise InputError("intermediate, use and gross_output must be non-negative")
    gamma = np.divide(use, Y[:, None, :], out=np.zeros_like(use), where=Y[:, None, :] > 0)
    return IOTable(gamma=gamma, share=_origin_shares(intermediate), final=final, output=Y)


def world_io_table(world: World) -> IOTable:
    """The World's baseline table."""
    return io_table(world.intermediate, world.final, world.use, world.gross_output)


def counterfactual_io_table(base: IOTable, X_base: np.ndarray, X_new: np.ndarray) -> IOTable:
    """The table of counterfactual flows ``X_new[i, n, k]`` from the baseline table and flows ``X_base`` (the rule
    in the module docstring: fixed input coefficients, origin shares moved with the trade shares)."""
    C, S = base.shape
    X0 = _array("X_base", X_base, (C, C, S))
    X1 = _array("X_new", X_new, (C, C, S))
    if np.any(X1 < 0):
        raise InputError("X_new must be non-negative")
    E0, E1 = X0.sum(axis=0), X1.sum(axis=0)
    pi0 = np.divide(X0, E0[None], out=np.zeros_like(X0), where=E0[None] > 0)
    pi1 = np.divide(X1, E1[None], out=np.zeros_like(X1), where=E1[None] > 0)
    ratio = np.divide(pi1, pi0, out=np.zeros_like(pi1), where=pi0 > 0)
    weighted = base.share * ratio
    total = weighted.sum(axis=0)
    moved = np.divide(weighted, total[None], out=np.zeros_like(weighted), where=total[None] > 0)
    # a buyer whose intermediate suppliers all lost their sales takes its overall trade shares (or buys at home)
    fallback = np.where((E1 > 0)[None], pi1, np.eye(C)[:, :, None])
    share = np.where((total > 0)[None], moved, fallback)
    Y1 = X1.sum(axis=1)
    bought = np.einsum("nkj,nj->nk", base.gamma, Y1)
    final = X1 - share * bought[None]
    return IOTable(gamma=base.gamma, share=share, final=final, output=Y1,
                   negative_final=float(-final[final < 0].sum()))


# -- the Leontief systems ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray
    iterations: int
    residual: float  # max-norm of b - (I - A) x relative to that of b


class _Leontief:
    """Solves ``(I - A) x = b`` and ``(I - A)' x = b`` for many columns at once (arrays ``[country, sector,
    column]``) without forming the ``CS x CS`` matrix: block-Jacobi iteration whose blocks are the countries'
    domestic input-output blocks ``I - D_n``, ``D_n[k, j] = share[n, n, k] gamma[n, k, j]``, inverted exactly
    (LAPACK). Each step propagates one more round of foreign purchases; it contracts by the spectral radius of
    ``(I - D)^-1 O`` (``O = A - D``, the imported inputs), about 0.23 on the ICIO World, so some twenty steps reach
    rounding error. The true residual is computed after the last step and checked."""

    def __init__(self, table: IOTable, *, rtol: float, max_iter: int) -> None:
        S = table.shape[1]
        self.rtol, self.max_iter = rtol, max_iter
        self.gamma = table.gamma  # [n, k, j]
        self.gamma_t = np.ascontiguousarray(np.transpose(table.gamma, (0, 2, 1)))  # [n, j, k]
        self.by_sector = np.ascontiguousarray(np.transpose(table.share, (2, 0, 1)))  # [k, i, n]
        self.by_sector_t = np.ascontiguousarray(np.transpose(table.share, (2, 1, 0)))  # [k, n, i]
        self.home = np.einsum("nnk->nk", table.share)[:, :, None]  # [n, k, 1]
        block = np.eye(S)[None, :, :] - self.home * table.gamma  # I - D_n
        try:
            self.inverse = np.linalg.inv(block)  # [n, k, j]
        except np.linalg.LinAlgError as exc:
            raise InputError("a country's domestic input-output block I - A_nn is singular (a sector with no "
                             "value added that buys only from itself?)") from exc
        self.inverse_t = np.ascontiguousarray(np.transpose(self.inverse, (0, 2, 1)))
        self.gamma_inverse = np.matmul(self.gamma, self.inverse)  # gamma_n (I - D_n)^-1
        self.inverse_gamma_t = np.matmul(self.inverse_t, self.gamma_t)  # (I - D_n)^-T gamma_n'

    def _sold(self, u: np.ndarray) -> np.ndarray:
        """``(S u)[i, k] = sum_n share[i, n, k] u[n, k]``: purchases ``u`` of each buyer assigned to origins."""
        out: np.ndarray = np.matmul(self.by_sector, np.transpose(u, (1, 0, 2))).transpose(1, 0, 2)
        return out

    def _bought(self, y: np.ndarray) -> np.ndarray:
        """``(S' y)[n, k] = sum_i share[i, n, k] y[i, k]``."""
        out: np.ndarray = np.matmul(self.by_sector_t, np.transpose(y, (1, 0, 2))).transpose(1, 0, 2)
        return out

    def _check(self, b: np.ndarray, x: np.ndarray, residual: np.ndarray, iterations: int) -> _Solution:
        scale = float(np.abs(b).max())
        rel = float(np.abs(residual).max()) / scale if scale > 0 else 0.0
        if not rel <= self.rtol:
            raise ConvergenceError(f"the Leontief system did not converge: relative residual {rel:.2e} > "
                                   f"{self.rtol:.0e} after {iterations} block-Jacobi steps")
        return _Solution(x, iterations, rel)

    def solve(self, b: np.ndarray) -> _Solution:
        """``(I - A) x = b``. Iterates on the input purchases ``u = gamma x``:
        ``u <- gamma (I - D)^-1 (b + S u - home u)``, then ``x = (I - D)^-1 (b + S u - home u)``."""
        base = np.matmul(self.gamma_inverse, b)
        u = base
        iterations = 0
        for iterations in range(1, self.max_iter + 1):  # noqa: B007 (the count is reported)
            new = base + np.matmul(self.gamma_inverse, self._sold(u) - self.home * u)
            step = float(np.abs(new - u).max())
            u = new
            if step <= STEP_TOL * float(np.abs(u).max()):
                break
        x = np.matmul(self.inverse, b + self._sold(u) - self.home * u)
        return self._check(b, x, b - x + self._sold(np.matmul(self.gamma, x)), iterations)

    def solve_t(self, b: np.ndarray) -> _Solution:
        """``(I - A)' x = b``: ``x <- (I - D)^-T (b + gamma' (S' x - home x))``."""
        base = np.matmul(self.inverse_t, b)
        x = base
        iterations = 0
        for iterations in range(1, self.max_iter + 1):  # noqa: B007 (the count is reported)
            new = base + np.matmul(self.inverse_gamma_t, self._bought(x) - self.home * x)
            step = float(np.abs(new - x).max())
            x = new
            if step <= STEP_TOL * float(np.abs(x).max()):
                break
        return self._check(b, x, b - x + np.matmul(self.gamma_t, self._bought(x)), iterations)


@dataclass(frozen=True, eq=False)
class ValueAddedTrade:
    """Value-added trade of one table (arrays by position in the countries): ``va[o, d]`` value added of ``o`` in
    the final demand of ``d``; ``content[o, c]`` value added of ``o`` in the gross exports of ``c``;
    ``gross_exports[c]``; ``upstreamness[i, k]`` by node; ``output[i, k]``; all in the table's units."""

    va: np.ndarray
    content: np.ndarray
    gross_exports: np.ndarray
    upstreamness: np.ndarray
    output: np.ndarray
    method: str
    iterations: int
    residual: float
    seconds: float

    @property
    def va_exports(self) -> np.ndarray:
        """Domestic value added in foreign final demand, per country."""
        out: np.ndarray = self.va.sum(axis=1) - np.diag(self.va)
        return out

    @property
    def va_imports(self) -> np.ndarray:
        """Foreign value added in domestic final demand, per country."""
        out: np.ndarray = self.va.sum(axis=0) - np.diag(self.va)
        return out

    def _per_exports(self, values: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.divide(100.0 * values, self.gross_exports, out=np.zeros_like(values),
                                    where=self.gross_exports > 0)
        return out

    @property
    def gvc_backward(self) -> np.ndarray:
        """Foreign value added in the country's gross exports, % of them."""
        return self._per_exports(self.content.sum(axis=0) - np.diag(self.content))

    @property
    def gvc_forward(self) -> np.ndarray:
        """The country's value added in its partners' gross exports, % of its own gross exports."""
        return self._per_exports(self.content.sum(axis=1) - np.diag(self.content))

    @property
    def country_upstreamness(self) -> np.ndarray:
        """Upstreamness weighted by gross output over each country's sectors."""
        total = self.output.sum(axis=1)
        out: np.ndarray = np.divide((self.upstreamness * self.output).sum(axis=1), total, out=np.ones_like(total),
                                    where=total > 0)
        return out


def _dense_leontief(table: IOTable) -> tuple[np.ndarray, np.ndarray]:
    C, S = table.shape
    N = C * S
    A = np.einsum("ink,nkj->iknj", table.share, table.gamma).reshape(N, N)
    lu, piv = scipy.linalg.lu_factor(np.eye(N) - A, check_finite=False)
    return lu, piv


def value_added_trade(table: IOTable, *, method: Method = "iterative", rtol: float = LEONTIEF_RTOL,
                      max_iter: int = 1_000) -> ValueAddedTrade:
    """Value added by origin in final demand and in gross exports, and upstreamness, through the Leontief and
    Ghosh inverses of ``table``. ``method``: ``iterative`` (structured block-Jacobi, residual checked against
    ``rtol``) or ``dense`` (LU of the full ``I - A``, exact but some seconds on the ICIO World)."""
    start = time.perf_counter()
    C, S = table.shape
    Y = table.output
    rhs = np.zeros((C, S, C))  # column o: the value-added coefficients of country o's sectors
    rhs[np.arange(C), :, np.arange(C)] = table.va_coefficients
    if method == "dense":
        lu = _dense_leontief(table)
        q = scipy.linalg.lu_solve(lu, rhs.reshape(C * S, C), trans=1, check_finite=False).reshape(C, S, C)
        z = scipy.linalg.lu_solve(lu, Y.reshape(C * S), check_finite=False).reshape(C, S)
        iterations, residual = 0, 0.0
    elif method == "iterative":
        solver = _Leontief(table, rtol=rtol, max_iter=max_iter)
        va_side = solver.solve_t(rhs)
        output_side = solver.solve(Y[:, :, None])
        q, z = va_side.x, output_side.x[:, :, 0]
        iterations = va_side.iterations + output_side.iterations
        residual = max(va_side.residual, output_side.residual)
    else:
        raise InputError(f"method must be 'iterative' or 'dense', got {method!r}")
    # q[i, k, o]: value added of origin o per unit of final sales of node (i, k), i.e. (V L)'
    final = np.transpose(table.final, (0, 2, 1)).reshape(C * S, C)  # [(i, k), d]
    va = q.reshape(C * S, C).T @ final
    exports = table.gross_exports
    content = np.einsum("cko,ck->oc", q, exports)
    # Ghosh: (I - B)^-1 1 = diag(1/Y) L Y; a node with no output sells nothing, so its row of B is zero: U = 1
    upstream = np.divide(z, Y, out=np.ones_like(Y), where=Y > 0)
    return ValueAddedTrade(va=va, content=content, gross_exports=exports.sum(axis=1), upstreamness=upstream,
                           output=Y, method=method, iterations=iterations, residual=residual,
                           seconds=time.perf_counter() - start)


# -- all measures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CentralityScores:
    """Every measure of one state of the world (baseline or counterfactual), by measure key, one value per country
    (in the order of ``countries``; value-added measures in US$ million here, US$ in the metrics)."""

    countries: tuple[str, ...]
    scores: Mapping[str, np.ndarray]
    value_added: ValueAddedTrade = field(repr=False)
    network_seconds: float = 0.0
    leontief_seconds: float = 0.0
    negative_final: float = 0.0

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({key: self.scores[key] for key in MEASURE_BY_KEY}, index=list(self.countries))


def centrality_scores(countries: Sequence[str], X: np.ndarray, table: IOTable, *, alpha: float = DAMPING,
               method: Method = "iterative") -> CentralityScores:
    """All measures for flows ``X[i, n, s]`` (network) and ``table`` (value added, consistent with ``X``)."""
    start = time.perf_counter()
    scores = network_scores(trade_matrix(X), alpha=alpha)
    network_s = time.perf_counter() - start
    tiva = value_added_trade(table, method=method)
    scores |= {"va_exports": tiva.va_exports, "va_imports": tiva.va_imports, "gvc_backward": tiva.gvc_backward,
               "gvc_forward": tiva.gvc_forward, "upstreamness": tiva.country_upstreamness}
    if len(countries) != len(tiva.va):
        raise InputError(f"{len(countries)} country labels for {len(tiva.va)} countries")
    return CentralityScores(tuple(countries), scores, tiva, network_s, tiva.seconds, table.negative_final)


_BASELINES: weakref.WeakKeyDictionary[World, tuple[IOTable, CentralityScores]] = weakref.WeakKeyDictionary()


def _baseline(world: World) -> tuple[IOTable, CentralityScores]:
    if world not in _BASELINES:
        table = world_io_table(world)
        _BASELINES[world] = (table, centrality_scores(world.countries, world.X, table))
    return _BASELINES[world]


def baseline_centrality(world: World) -> CentralityScores:
    """The World's baseline measures (computed once per World and kept while it lives)."""
    return _baseline(world)[1]


def scenario_centrality(world: World, X_new: np.ndarray) -> CentralityScores:
    """The measures of counterfactual flows ``X_new`` (e.g. ``MultiSectorResult.X_new``) on ``world``."""
    table, _ = _baseline(world)
    return centrality_scores(world.countries, X_new, counterfactual_io_table(table, world.X, X_new))


def ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 = the largest value; ties share the better rank."""
    ranked: np.ndarray = scipy.stats.rankdata(-np.asarray(values, dtype=np.float64), method="min").astype(np.int64)
    return ranked


def comparison(countries: Sequence[str], before: np.ndarray, after: np.ndarray | None = None) -> pd.DataFrame:
    """Score and rank per country before (and after) a scenario, and the rank change (> 0 = moved up). Sorted by
    rank without a scenario, by the largest movers (rank change, then relative score change) with one."""
    frame = pd.DataFrame({"country": list(countries), "score_before": before, "rank_before": ranks(before)})
    if after is None:
        return frame.sort_values(["rank_before", "country"]).reset_index(drop=True)
    frame["score_after"] = after
    frame["rank_after"] = ranks(after)
    frame["rank_change"] = frame["rank_before"] - frame["rank_after"]
    frame["score_change_pct"] = np.divide(100.0 * (after - before), np.abs(before), out=np.zeros_like(before),
                                          where=before != 0)
    key = pd.DataFrame({"a": -frame["rank_change"].abs(), "b": -frame["score_change_pct"].abs(),
                        "c": frame["rank_before"]})
    order = np.lexsort((key["c"].to_numpy(), key["b"].to_numpy(), key["a"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def metric_rows(scores: CentralityScores, partner: str) -> pd.DataFrame:
    """One row per measure and country: ``(metric, country, partner, "", value, unit)``."""
    frames = []
    for m in MEASURES:
        values = scores.scores[m.key] * (ICIO_UNIT_USD if m.unit == "USD" else 1.0)
        frames.append(pd.DataFrame({"metric": m.metric, "country": list(scores.countries), "partner": partner,
                                    "sector": "", "value": values.astype(np.float64), "unit": m.unit}))
    return pd.concat(frames, ignore_index=True)[list(METRIC_COLUMNS)]


def centrality_metrics(world: World, X_new: np.ndarray | None = None) -> pd.DataFrame:
    """The stored centrality metrics of a run: every measure for every country at baseline (partner
    ``baseline``) and, given counterfactual flows, in the scenario (partner ``scenario``). The baseline is
    computed once per World."""
    frames = [metric_rows(baseline_centrality(world), BASELINE)]
    if X_new is not None:
        frames.append(metric_rows(scenario_centrality(world, X_new), SCENARIO))
    return pd.concat(frames, ignore_index=True)
