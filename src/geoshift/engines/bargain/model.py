"""The Bueno de Mesquita expected-utility bargaining model, in the Scholz, Calbert & Smith (2011) specification as
reconstructed here from the public record (the paper's full text was not at hand; the equations below are this
module's definition, and the tests check them by hand computation, not against the paper's published numbers).

Actors i = 1..n hold positions x_i on one issue, with capability c_i, salience s_i in [0, 1] and a risk exponent
r_i in [0.5, 2]. Distances are normalised by the span of the initial positions, d_ij = |x_i - x_j| / span. One
round:

1. **Votes.** Actor k's vote for position a over b is v_k(a, b) = c_k s_k (d_kb^r_k - d_ka^r_k); the
   probability that a prevails over b is the share of the votes for a,
   P(a, b) = sum_k max(v_k(a, b), 0) / sum_k |v_k(a, b)|, so P(a, b) + P(b, a) = 1 (and P = 0 for a = b).
2. **Utilities** (with the exponent r of whoever evaluates): success U_s = 2 - 4 (0.5 - 0.5 d)^r, failure
   U_f = 2 - 4 (0.5 + 0.5 d)^r, status quo U_sq = 2 - 4 (0.5)^r, where d is the distance between challenger and
   challenged.
3. **Expected utility of a challenge** of i against j: j resists with probability s_j, and i then wins with
   P(x_i, x_j); if j does not resist, i succeeds; not challenging keeps the status quo (Q = 1):
   EU_i(i -> j) = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - U_sq.
4. **Risk.** With every exponent set to 1, an actor's exposure is D_i = sum_(j != i) EU_j(j -> i), the others'
   expected gain from challenging it; R_i = (2 D_i - D_max - D_min) / (D_max - D_min) and
   r_i = (1 - R_i / 3) / (1 + R_i / 3), so the most exposed actor gets 0.5 and the least exposed 2 (all 1 if
   every D_i is equal). A risk exponent given in the actors file is kept.
5. **Offers.** Actor i weighs each j (x_j != x_i) with its own exponent: a = EU_i(i -> j) and its estimate of j's
   b = EU_i(j -> i). If a > 0 and b > a, i expects to lose the conflict and j's proposal is x_j; if a < 0 < b and
   |a| < b, they compromise at x_i + (x_j - x_i) |a| / b; if a < 0 < b and |a| >= b, i capitulates to x_j.
6. **Moves.** Each actor accepts, among the proposals it receives, the one that moves it least (ties: the
   proposer with the larger b, then file order); all actors move at once.

The forecast is the median voter position: the position held by an actor that beats every other held position in
the pairwise vote sum_k c_k s_k (|x_k - b| - |x_k - a|) (linear utilities), i.e. the weighted median of the
positions with weights c_k s_k; the weighted mean sum c s x / sum c s is reported beside it. Rounds repeat until
no actor moves by more than ``tol`` x span; the model need not settle (Scholz et al. discuss cycling), which is
reported, and an error unless the caller asked for a fixed number of rounds.

Two public replications of Scholz et al. differ from each other in two places: the denominator of P (all votes on
the pair, as here, so that P(a, b) + P(b, a) = 1; or the votes on every pair) and the choice among offers (the
least move, as here and as one replication reports the paper's text, or a priority of conflicts over compromises,
as it reports the paper's code). Neither replication claims to reproduce the paper's published trajectory, and
neither does this one: its tests are a hand computation of whole rounds (exact fractions) and closed forms. Q (the
probability that the status quo holds when nobody challenges) is 1, so the paper's 'better/worse' status-quo terms
drop out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from geoshift.engines.bargain.actors import Actors
from geoshift.engines.diagnostics import Diagnostics
from geoshift.errors import ConvergenceError, InputError

CONFLICT, COMPROMISE, CAPITULATION = "conflict", "compromise", "capitulation"
KINDS = ("", CONFLICT, COMPROMISE, CAPITULATION)


@dataclass(frozen=True)
class Offer:
    """A proposal that ``receiver`` accepts or weighs: move to ``position``."""

    receiver: str
    proposer: str
    kind: str  # conflict | compromise | capitulation
    eu_receiver: float  # a = EU_receiver(receiver -> proposer)
    eu_proposer: float  # b = EU_receiver(proposer -> receiver), as the receiver sees it
    position: float


@dataclass(frozen=True, eq=False)
class BargainRound:
    """One round: the positions it started from, the exponents used, every offer (as n x n arrays indexed
    [receiver, proposer]) and each actor's pick."""

    number: int
    names: tuple[str, ...]
    positions: np.ndarray  # before the moves
    risk: np.ndarray
    exposure: np.ndarray  # D_i
    eu_receiver: np.ndarray  # a[i, j] = EU_i(i -> j)
    eu_proposer: np.ndarray  # b[i, j] = EU_i(j -> i)
    kind: np.ndarray  # int codes into KINDS; 0 = no offer
    target: np.ndarray  # the position j proposes to i (NaN where no offer)
    pick: np.ndarray  # the proposer each actor accepts (-1: none)
    new_positions: np.ndarray
    median: float  # forecast before the moves
    mean: float

    def _offer(self, i: int, j: int) -> Offer:
        return Offer(self.names[i], self.names[j], KINDS[int(self.kind[i, j])], float(self.eu_receiver[i, j]),
                     float(self.eu_proposer[i, j]), float(self.target[i, j]))

    @property
    def offers(self) -> tuple[Offer, ...]:
        return tuple(self._offer(int(i), int(j)) for i, j in zip(*np.nonzero(self.kind), strict=True))

    @property
    def accepted(self) -> tuple[Offer, ...]:
        return tuple(self._offer(i, int(j)) for i, j in enumerate(self.pick) if j >= 0)


@dataclass(frozen=True, eq=False)
class BargainResult:
    """The trajectory, the forecast and the solver's diagnostics."""

    actors: Actors
    rounds: tuple[BargainRound, ...]
    positions: np.ndarray  # final
    median: float  # forecast: the median voter position at the end
    mean: float
    converged: bool  # settled: the last round moved nobody by more than tol x span
    iterations: int
    residual: float  # largest move in the last round, in units of the span
    seconds: float

    @property
    def diagnostics(self) -> Diagnostics:
        return Diagnostics(self.converged, self.iterations, self.residual, self.seconds, engine="bargain",
                           status="settled" if self.converged else "not settled")

    def __repr__(self) -> str:  # the rounds hold every actor's offers: far more than a screen
        state = "settled" if self.converged else "not settled"
        return (f"<BargainResult: forecast {self.median:.3g} (median voter; mean {self.mean:.3g}) on the issue scale; "
                f"{len(self.actors.name)} actors, {self.iterations} rounds, {state} (largest last move "
                f"{self.residual:.1e} of the span); .trajectory() gives the positions by round>")

    def trajectory(self) -> np.ndarray:
        """Positions by round, shape (rounds + 1, n): row 0 is the input."""
        return np.vstack([r.positions for r in self.rounds] + [self.positions])


# -- the equations, as pure functions ------------------------------------------------------------------------


def distances(x: np.ndarray, span: float) -> np.ndarray:
    """d[i, j] = |x_i - x_j| / span."""
    return np.asarray(np.abs(x[:, None] - x[None, :]) / span, dtype=float)


def success_probability(d: np.ndarray, weight: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P[a, b]: the probability that actor a's position prevails over actor b's (0 on the diagonal)."""
    e = d ** r[:, None]  # e[k, a] = d_ka^r_k
    votes = weight[:, None, None] * (e[:, None, :] - e[:, :, None])  # votes[k, a, b] = v_k(a, b)
    support = np.clip(votes, 0.0, None).sum(axis=0)
    total = np.abs(votes).sum(axis=0)
    p = np.divide(support, total, out=np.full_like(support, 0.5), where=total > 0)
    np.fill_diagonal(p, 0.0)
    return np.asarray(p, dtype=float)


def utilities(d: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(U_s, U_f, U_sq) for distances d, with exponents r broadcast against d."""
    u_s = 2.0 - 4.0 * (0.5 - 0.5 * d) ** r
    u_f = 2.0 - 4.0 * (0.5 + 0.5 * d) ** r
    u_sq = 2.0 - 4.0 * 0.5**r
    return u_s, u_f, u_sq


def challenge_utility(d: np.ndarray, p: np.ndarray, salience: np.ndarray, r: np.ndarray) -> np.ndarray:
    """EU[i, j] = EU_i(i -> j): i challenges j, evaluated with i's exponent r_i."""
    u_s, u_f, u_sq = utilities(d, r[:, None])
    s = salience[None, :]
    return np.asarray(s * (p * u_s + (1.0 - p) * u_f) + (1.0 - s) * u_s - u_sq, dtype=float)


def challenged_utility(d: np.ndarray, p: np.ndarray, salience: np.ndarray, r: np.ndarray) -> np.ndarray:
    """EU[i, j] = EU_i(j -> i): j challenges i, as i sees it (i's exponent)."""
    u_s, u_f, u_sq = utilities(d, r[:, None])
    s = salience[:, None]
    pt = p.T
    return np.asarray(s * (pt * u_s + (1.0 - pt) * u_f) + (1.0 - s) * u_s - u_sq, dtype=float)


def risk_exponents(d: np.ndarray, weight: np.ndarray, salience: np.ndarray, fixed: np.ndarray,
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(r, D): exponents from the exposures D_i computed with every exponent at 1; fixed entries kept."""
    ones = np.ones(len(weight))
    eu = challenge_utility(d, success_probability(d, weight, ones), salience, ones)
    exposure = eu.sum(axis=0) - np.diag(eu)
    hi, lo = exposure.max(), exposure.min()
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        r = ones.copy()
    else:
        big_r = (2.0 * exposure - hi - lo) / (hi - lo)
        r = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    return np.where(np.isfinite(fixed), fixed, r), exposure


def median_voter(x: np.ndarray, weight: np.ndarray) -> float:
    """The held position that wins every pairwise vote (linear utilities): argmin_a sum_k w_k |x_k - a|."""
    loss = (weight[None, :] * np.abs(x[None, :] - x[:, None])).sum(axis=1)
    best = np.flatnonzero(loss <= loss.min() * (1 + 1e-12) + 1e-300)
    return float(x[best].min())


def mean_position(x: np.ndarray, weight: np.ndarray) -> float:
    return float((weight * x).sum() / weight.sum())


def play_round(actors: Actors, x: np.ndarray, number: int) -> BargainRound:
    """One round of the model from positions x (steps 1-6)."""
    d = distances(x, actors.span)
    r, exposure = risk_exponents(d, actors.weight, actors.salience, actors.risk)
    p = success_probability(d, actors.weight, r)
    a = challenge_utility(d, p, actors.salience, r)
    b = challenged_utility(d, p, actors.salience, r)
    apart = d > 0
    conflict = apart & (a > 0) & (b > a)
    yields = apart & (a < 0) & (b > 0)
    compromise = yields & (-a < b)
    capitulation = yields & ~compromise
    kind = np.select([conflict, compromise, capitulation], [1, 2, 3], 0)
    share = np.where(compromise, -a / np.where(compromise, b, 1.0), 1.0)
    target = np.where(kind > 0, x[:, None] + (x[None, :] - x[:, None]) * share, np.nan)
    move = np.where(kind > 0, np.abs(target - x[:, None]), np.inf)
    proposer = np.broadcast_to(np.arange(actors.n), move.shape)
    first = np.lexsort((proposer, -b, move), axis=-1)[:, 0]  # least move, then larger b, then file order
    rows = np.arange(actors.n)
    pick = np.where(np.isfinite(move[rows, first]), first, -1)
    new = np.where(pick >= 0, target[rows, np.maximum(pick, 0)], x)
    return BargainRound(number, actors.name, x.copy(), r, exposure, a, b, kind, target, pick, new,
                        median_voter(x, actors.weight), mean_position(x, actors.weight))


def run_bargaining(actors: Actors, *, max_rounds: int = 1000, tol: float = 1e-6,
                   raise_on_failure: bool = True) -> BargainResult:
    """Play rounds until no actor moves by more than ``tol`` x span, at most ``max_rounds``.

    With ``raise_on_failure`` (the default) a model that has not settled raises :class:`ConvergenceError`
    (carrying the result); pass False to run a fixed horizon of ``max_rounds`` rounds and read ``converged``.
    """
    if max_rounds < 1:
        raise InputError(f"max_rounds={max_rounds}: give at least 1 round")
    if not tol > 0:
        raise InputError(f"tol={tol}: give a positive tolerance")
    start = time.perf_counter()
    x = np.array(actors.position, dtype=float)
    rounds: list[BargainRound] = []
    residual = np.inf
    for number in range(1, max_rounds + 1):
        played = play_round(actors, x, number)
        rounds.append(played)
        residual = float(np.abs(played.new_positions - x).max() / actors.span)
        x = played.new_positions
        if residual <= tol:
            break
    result = BargainResult(actors, tuple(rounds), x, median_voter(x, actors.weight),
                           mean_position(x, actors.weight), residual <= tol, len(rounds), residual,
                           time.perf_counter() - start)
    if raise_on_failure and not result.converged:
        moved = int(np.argmax(np.abs(rounds[-1].new_positions - rounds[-1].positions)))
        raise ConvergenceError(
            f"{actors.source}: the bargaining model did not settle in {max_rounds} rounds (largest move in the last "
            f"round: {actors.name[moved]}, {residual:.3g} of the span); run a fixed number of rounds instead "
            "(geoshift bargain --rounds N) and read the trajectory", result)
    return result
