"""The expected-utility bargaining model against hand computations (exact fractions) and closed forms.

Reference: the equations listed in ``geoshift.engines.bargain.model`` (Scholz, Calbert & Smith 2011 reading of
Bueno de Mesquita). The reference below is a separate scalar transcription in exact rational arithmetic; the
3-actor round is also worked by hand in the comments, and its numbers are asserted literally.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from geoshift.engines.bargain.actors import from_columns
from geoshift.engines.bargain.model import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    challenge_utility,
    challenged_utility,
    distances,
    median_voter,
    play_round,
    risk_exponents,
    run_bargaining,
    success_probability,
    utilities,
)
from geoshift.engines.bargain.sensitivity import perturbed_forecasts
from geoshift.errors import ConvergenceError, InputError

EXACT = 1e-12  # float engine vs exact fractions
FLOAT_REF = 1e-9  # float engine vs the reference once exponents are not integers (positions: x100, span ~100)
RISK_TIE = 1e-12  # exposures this close (relative) count as equal, as the model states


# -- an independent scalar reference in exact arithmetic (integer exponents only) -------------------------------


def ref_probability(x, w, r, a, b, span):
    support = total = F(0)
    for k in range(len(x)):
        v = w[k] * ((F(abs(x[k] - b)) / span) ** r[k] - (F(abs(x[k] - a)) / span) ** r[k])
        support += max(v, F(0))
        total += abs(v)
    return support / total


def ref_eu(d, p, s_target, r):
    u_s = 2 - 4 * (F(1, 2) - F(1, 2) * d) ** r
    u_f = 2 - 4 * (F(1, 2) + F(1, 2) * d) ** r
    u_sq = 2 - 4 * F(1, 2) ** r
    return s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s - u_sq


def ref_round(x, c, s, r, span=None):
    """New positions and accepted (receiver, proposer, kind) after one round with fixed exponents r; distances
    are measured in units of the span of the initial positions (``span``; default: that of x)."""
    n, span = len(x), F(max(x) - min(x)) if span is None else span
    w = [c[k] * s[k] for k in range(n)]
    new, picks = list(x), {}
    for i in range(n):
        options = []
        for j in range(n):
            if x[i] == x[j]:
                continue
            d = F(abs(x[i] - x[j])) / span
            a = ref_eu(d, ref_probability(x, w, r, x[i], x[j], span), s[j], r[i])
            b = ref_eu(d, ref_probability(x, w, r, x[j], x[i], span), s[i], r[i])
            if a > 0 and b > a:
                options.append((abs(x[j] - x[i]), -b, j, CONFLICT, F(x[j])))
            elif a < 0 < b and -a < b:
                target = x[i] + (x[j] - x[i]) * (-a) / b
                options.append((abs(target - x[i]), -b, j, COMPROMISE, target))
            elif a < 0 < b:
                options.append((abs(x[j] - x[i]), -b, j, CAPITULATION, F(x[j])))
        if options:
            _, _, j, kind, target = min(options)
            new[i], picks[i] = target, (j, kind)
    return new, picks


# -- one round by hand ---------------------------------------------------------------------------------------

# A at 0 (c 0.4, s 0.8), B at 50 (c 0.2, s 0.5), C at 100 (c 0.4, s 0.6), every exponent fixed at 1.
# Vote weights c s: A 0.32, B 0.10, C 0.24. Span 100, so d_AB = d_BC = 1/2, d_AC = 1.
# P(A over B): A votes 0.32 (1/2 - 0) = 0.16 for; B 0.10 (0 - 1/2) = -0.05; C 0.24 (1/2 - 1) = -0.12
#   -> 0.16 / 0.33 = 16/33. P(A over C) = 0.32 / (0.32 + 0.24) = 4/7 (B is indifferent).
#   P(B over C): A 0.32 (1 - 1/2) = 0.16, B 0.05, C -0.12 -> 0.21 / 0.33 = 7/11.
# With r = 1: U_s = 2d, U_f = -2d, U_sq = 0, so EU(i -> j) = 2d (1 - 2 s_j (1 - P_ij)).
#   EU(A -> B) = 1 - 17/33 = 16/33        EU(B -> A) = 1 - 1.6 (16/33) = 37/165
#   EU(A -> C) = 2 (1 - 1.2 (3/7)) = 34/35 EU(C -> A) = 2 (1 - 1.6 (4/7)) = 6/35
#   EU(B -> C) = 1 - 1.2 (4/11) = 31/55    EU(C -> B) = 1 - (7/11) = 20/55
# B vs A: a = 37/165 > 0, b = 80/165 > a: B expects to lose the conflict -> offer 0.
# C vs A: a = 6/35, b = 34/35 > a -> offer 0; C vs B: a = 20/55, b = 31/55 -> offer 50. C takes the smaller
# move, 50. A receives nothing (it expects to win both). New positions: A 0, B 0, C 50.
HAND = {"name": "ABC", "c": [0.4, 0.2, 0.4], "x": [0.0, 50.0, 100.0], "s": [0.8, 0.5, 0.6], "r": [1.0, 1.0, 1.0]}


def _hand():
    return from_columns(HAND["name"], HAND["c"], HAND["x"], HAND["s"], HAND["r"])


def test_hand_round_probabilities_and_utilities():
    actors = _hand()
    d = distances(actors.position, actors.span)
    p = success_probability(d, actors.weight, actors.risk)
    assert p[0, 1] == pytest.approx(16 / 33, abs=EXACT)
    assert p[0, 2] == pytest.approx(4 / 7, abs=EXACT)
    assert p[1, 2] == pytest.approx(7 / 11, abs=EXACT)
    np.testing.assert_allclose(p + p.T, 1 - np.eye(3), atol=EXACT)
    eu = challenge_utility(d, p, actors.salience, actors.risk)
    expected = {(0, 1): 16 / 33, (1, 0): 37 / 165, (0, 2): 34 / 35, (2, 0): 6 / 35, (1, 2): 31 / 55, (2, 1): 20 / 55}
    for (i, j), value in expected.items():
        assert eu[i, j] == pytest.approx(value, abs=EXACT), (i, j)
    # with equal exponents the receiver's estimate of the proposer's EU is the proposer's own EU
    np.testing.assert_allclose(challenged_utility(d, p, actors.salience, actors.risk), eu.T, atol=EXACT)


def test_hand_round_offers_and_moves():
    played = play_round(_hand(), _hand().position, 1)
    assert [(o.receiver, o.proposer, o.kind, o.position) for o in played.accepted] == [
        ("B", "A", CONFLICT, 0.0), ("C", "B", CONFLICT, 50.0)]
    assert {(o.receiver, o.proposer) for o in played.offers} == {("B", "A"), ("C", "A"), ("C", "B")}
    np.testing.assert_allclose(played.new_positions, [0.0, 0.0, 50.0])
    assert played.median == 50.0  # weights 0.32 | 0.10 | 0.24: the middle actor is the median voter
    assert played.mean == pytest.approx((0.10 * 50 + 0.24 * 100) / 0.66, abs=EXACT)


def test_hand_exposures_and_risk_exponents():
    # D_i = sum of the others' EU of challenging i (exponents 1): from the table above.
    d_a, d_b, d_c = F(37, 165) + F(6, 35), F(16, 33) + F(20, 55), F(34, 35) + F(31, 55)
    hi, lo = max(d_a, d_b, d_c), min(d_a, d_b, d_c)
    r_exact = []
    for dd in (d_a, d_b, d_c):
        big_r = (2 * dd - hi - lo) / (hi - lo)
        r_exact.append((1 - big_r / 3) / (1 + big_r / 3))
    actors = from_columns(HAND["name"], HAND["c"], HAND["x"], HAND["s"])  # exponents computed
    r, exposure = risk_exponents(distances(actors.position, actors.span), actors.weight, actors.salience,
                                 actors.risk)
    np.testing.assert_allclose(exposure, [float(d_a), float(d_b), float(d_c)], atol=EXACT)
    np.testing.assert_allclose(r, [float(v) for v in r_exact], atol=EXACT)
    assert r[2] == pytest.approx(0.5) and r[0] == pytest.approx(2.0)  # C most exposed, A least
    # a fixed exponent in the file is kept, the others still come from the exposures
    fixed = from_columns(HAND["name"], HAND["c"], HAND["x"], HAND["s"], [np.nan, 1.5, np.nan])
    r2, _ = risk_exponents(distances(fixed.position, fixed.span), fixed.weight, fixed.salience, fixed.risk)
    np.testing.assert_allclose(r2, [2.0, 1.5, 0.5], atol=EXACT)


# Four actors with exponents 2 and 1 (all quantities rational): a conflict, a compromise and a capitulation.
FOUR = {"x": [0, 20, 40, 80], "c": [2, 1, 4, 3], "s": [F(1), F(1, 5), F(4, 5), F(2, 5)], "r": [2, 2, 1, 2]}


def test_four_actor_round_matches_exact_reference():
    new, picks = ref_round(FOUR["x"], FOUR["c"], FOUR["s"], FOUR["r"])
    assert picks == {0: (1, CONFLICT), 1: (2, COMPROMISE), 3: (2, CAPITULATION)}
    actors = from_columns("ABCD", FOUR["c"], FOUR["x"], [float(v) for v in FOUR["s"]], FOUR["r"])
    played = play_round(actors, actors.position, 1)
    assert [(o.receiver, o.proposer, o.kind) for o in played.accepted] == [
        ("A", "B", CONFLICT), ("B", "C", COMPROMISE), ("D", "C", CAPITULATION)]
    np.testing.assert_allclose(played.new_positions, [float(v) for v in new], atol=EXACT)
    assert 20 < played.new_positions[1] < 40


def test_whole_runs_match_exact_reference_for_several_rounds():
    x = [F(v) for v in FOUR["x"]]
    actors = from_columns("ABCD", FOUR["c"], FOUR["x"], [float(v) for v in FOUR["s"]], FOUR["r"])
    result = run_bargaining(actors, max_rounds=4, raise_on_failure=False)
    for played in result.rounds:
        np.testing.assert_allclose(played.positions, [float(v) for v in x], atol=1e-9)
        x, _ = ref_round(x, FOUR["c"], FOUR["s"], FOUR["r"], span=F(80))


# -- closed forms and invariances ----------------------------------------------------------------------------


def test_utilities_closed_forms():
    d = np.array([0.0, 0.5, 1.0])
    u_s, u_f, u_sq = utilities(d, np.array(1.0))
    np.testing.assert_allclose(u_s, 2 * d)
    np.testing.assert_allclose(u_f, -2 * d)
    assert u_sq == 0
    u_s, u_f, u_sq = utilities(d, np.array(2.0))
    np.testing.assert_allclose(u_s, 1 + 2 * d - d**2)
    np.testing.assert_allclose(u_f, 1 - 2 * d - d**2)
    assert u_sq == 1
    u_s, _, u_sq = utilities(d, np.array(0.5))
    np.testing.assert_allclose(u_s, 2 - 4 * np.sqrt(0.5 - 0.5 * d))
    assert u_sq == pytest.approx(2 - 2 * np.sqrt(2))


def test_two_equal_actors_split_the_probability():
    actors = from_columns("AB", [1, 1], [0, 10], [0.5, 0.5], [1, 1])
    p = success_probability(distances(actors.position, actors.span), actors.weight, actors.risk)
    assert p[0, 1] == pytest.approx(0.5) and p[1, 0] == pytest.approx(0.5)
    twice = from_columns("AB", [2, 1], [0, 10], [0.5, 0.5], [1, 1])
    p = success_probability(distances(twice.position, twice.span), twice.weight, twice.risk)
    assert p[0, 1] == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", range(20))
def test_median_voter_is_the_weighted_median(seed):
    rng = np.random.default_rng(seed)
    x, w = rng.uniform(0, 100, 9), rng.uniform(0.01, 1, 9)
    order = np.argsort(x)
    cumulative = np.cumsum(w[order])
    expected = x[order][np.searchsorted(cumulative, w.sum() / 2)]
    assert median_voter(x, w) == expected
    # and it wins every pairwise vote sum_k w_k (|x_k - b| - |x_k - a|)
    for b in x:
        assert (w * (np.abs(x - b) - np.abs(x - expected))).sum() >= -1e-12


def test_affine_rescaling_of_the_scale_and_of_capabilities_changes_nothing():
    rng = np.random.default_rng(3)
    x, c, s = rng.uniform(0, 100, 7), rng.uniform(0.1, 1, 7), rng.uniform(0.1, 1, 7)
    base = run_bargaining(from_columns("ABCDEFG", c, x, s), max_rounds=15, raise_on_failure=False)
    moved = run_bargaining(from_columns("ABCDEFG", 7 * c, 3 - 2 * x, s), max_rounds=15, raise_on_failure=False)
    np.testing.assert_allclose(moved.trajectory(), 3 - 2 * base.trajectory(), atol=1e-9)
    assert moved.median == pytest.approx(3 - 2 * base.median)


def ref_exposures(x, c, s, span):
    """D_i = sum_(j != i) EU_j(j -> i) with every exponent 1, and the exponents r_i = (1 - R_i/3) / (1 + R_i/3) with
    R_i = (2 D_i - D_max - D_min) / (D_max - D_min) (all 1 when the exposures are equal)."""
    n, ones = len(x), [1] * len(x)
    w = [c[k] * s[k] for k in range(n)]
    exposure = []
    for i in range(n):
        total = F(0)
        for j in range(n):
            if x[j] != x[i]:  # an actor at the same position gains nothing by challenging
                d = F(abs(x[i] - x[j])) / span
                total += ref_eu(d, ref_probability(x, w, ones, x[j], x[i], span), s[i], 1)
        exposure.append(total)
    hi, lo = max(exposure), min(exposure)
    if hi - lo <= RISK_TIE * max(1, abs(hi)):
        return exposure, [1.0] * n
    big_r = [(2 * e - hi - lo) / (hi - lo) for e in exposure]
    return exposure, [float((1 - b / 3) / (1 + b / 3)) for b in big_r]


def test_every_round_with_computed_exponents_matches_the_reference():
    """Twelve actors, exponents computed each round from the exposures: every round's exposures, exponents and
    moves equal the scalar reference (exact fractions for the votes and the exposures, floats once an exponent is
    not an integer), with distances in units of the initial span throughout."""
    rng = np.random.default_rng(5)
    c, x0, s = rng.uniform(0, 1, 12), rng.uniform(0, 100, 12), rng.uniform(0, 1, 12)
    actors = from_columns([f"a{k}" for k in range(12)], c, x0, s)
    result = run_bargaining(actors, max_rounds=30, raise_on_failure=False)
    assert len(result.rounds) == 30
    span = F(float(x0.max() - x0.min()))
    cf, sf = [F(float(v)) for v in c], [F(float(v)) for v in s]
    moved = 0
    for k, played in enumerate(result.rounds):
        x = [F(float(v)) for v in played.positions]
        exposure, r = ref_exposures(x, cf, sf, span)
        np.testing.assert_allclose(played.exposure, [float(e) for e in exposure], rtol=0, atol=FLOAT_REF)
        np.testing.assert_allclose(played.risk, r, rtol=0, atol=FLOAT_REF)
        assert min(r) == pytest.approx(0.5, abs=FLOAT_REF) and max(r) == pytest.approx(2.0, abs=FLOAT_REF)
        new, picks = ref_round(x, cf, sf, r, span=span)
        np.testing.assert_allclose(played.new_positions, [float(v) for v in new], rtol=0, atol=FLOAT_REF * 100,
                                   err_msg=f"round {k + 1}")
        assert [int(j) for j in played.pick] == [picks[i][0] if i in picks else -1 for i in range(12)]
        moved += len(picks)
    assert moved > 30  # the check covers real moves, not a frozen model


# -- diagnostics and errors ----------------------------------------------------------------------------------


def test_settled_run_reports_diagnostics_and_consensus():
    result = run_bargaining(_hand())  # C's compromises shrink geometrically: settles after 298 rounds
    assert result.converged and result.iterations == 298 and result.residual <= 1e-6
    assert result.iterations == len(result.rounds)
    assert result.median == 0.0 and result.positions.max() < 0.01  # consensus on A's position


def test_unsettled_run_is_loud_unless_a_fixed_horizon_is_asked():
    rng = np.random.default_rng(5)
    actors = from_columns([f"a{k}" for k in range(12)], rng.uniform(0, 1, 12), rng.uniform(0, 100, 12),
                          rng.uniform(0, 1, 12))
    with pytest.raises(ConvergenceError, match="did not settle in 2 rounds") as info:
        run_bargaining(actors, max_rounds=2)
    assert info.value.result is not None and not info.value.result.converged
    fixed = run_bargaining(actors, max_rounds=2, raise_on_failure=False)
    assert fixed.iterations == 2 and not fixed.converged and fixed.residual > 1e-6
    with pytest.raises(InputError, match="max_rounds=0"):
        run_bargaining(actors, max_rounds=0)


def test_sensitivity_forecasts_are_the_perturbed_position_of_the_winner():
    """In the hand example A expects to win against both others and never moves, B concedes to it in the first
    round, and A and B together hold more than half of the vote weight (0.42 of 0.66; with every value perturbed by
    at most 5 % still 0.38 of at most 0.73): every draw's forecast is A's perturbed position. The draws, per the
    documented recipe and seed: capabilities x U(0.95, 1.05), saliences x U(0.95, 1.05) capped at 1, positions
    + U(-0.05, 0.05) x span, clipped to the original range [0, 100]."""
    actors = _hand()
    one = perturbed_forecasts(actors, spread=0.05, draws=30, seed=7)
    rng = np.random.default_rng(7)
    expected = np.empty(30)
    for k in range(30):
        rng.uniform(0.95, 1.05, 3)  # capabilities
        rng.uniform(0.95, 1.05, 3)  # saliences
        expected[k] = min(max(0.0 + rng.uniform(-0.05, 0.05, 3)[0] * 100.0, 0.0), 100.0)
    np.testing.assert_allclose(one.median, expected, rtol=0, atol=FLOAT_REF)
    assert np.count_nonzero(expected == 0.0) == 16  # 16 draws push A below the range: clipped to 0
    np.testing.assert_array_equal(perturbed_forecasts(actors, spread=0.05, draws=30, seed=7).median, one.median)
    q = one.quantiles((0.05, 0.5, 0.95))
    np.testing.assert_allclose(q["median"], np.quantile(expected, [0.05, 0.5, 0.95]), rtol=0, atol=FLOAT_REF)
    threshold = float(np.sort(expected)[20]) + FLOAT_REF  # 21 draws at or below it (no ties above zero)
    assert one.share_above(threshold) == pytest.approx(9 / 30, abs=EXACT)
    with pytest.raises(InputError, match=r"spread=1\.5"):
        perturbed_forecasts(actors, spread=1.5)
