"""Bargaining-model benchmark: the vectorised rounds against an anchor measured in the same run, a plain-Python
scalar transcription of the same equations (one round of the EC emissions example). Also: whole runs of the
shipped actors files, a 100-actor problem, and the perturbation spread of ``geoshift bargain`` (100 draws).

    python benchmarks/bargain_bench.py
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

import numpy as np

from geoshift.engines.bargain import load_actors, perturbed_forecasts, run_bargaining
from geoshift.engines.bargain.actors import Actors, from_columns
from geoshift.engines.bargain.model import play_round
from timing import timed

GAMES = Path(__file__).resolve().parents[1] / "games"


def scalar_round(actors: Actors) -> list[float]:
    """One round in plain Python loops (exponents from the exposures, offers, least move)."""
    n, span = actors.n, actors.span
    x = [float(v) for v in actors.position]
    c, s, fixed = list(actors.capability), list(actors.salience), list(actors.risk)

    def prob(a: float, b: float, r: list[float]) -> float:
        support = total = 0.0
        for k in range(n):
            v = c[k] * s[k] * ((abs(x[k] - b) / span) ** r[k] - (abs(x[k] - a) / span) ** r[k])
            support += max(v, 0.0)
            total += abs(v)
        return support / total if total > 0 else 0.5

    def eu(d: float, p: float, s_target: float, r: float) -> float:
        u_s, u_f, u_sq = 2 - 4 * (0.5 - 0.5 * d) ** r, 2 - 4 * (0.5 + 0.5 * d) ** r, 2 - 4 * 0.5**r
        return float(s_target * (p * u_s + (1 - p) * u_f) + (1 - s_target) * u_s - u_sq)

    ones = [1.0] * n
    exposure = [sum(eu(abs(x[j] - x[i]) / span, prob(x[j], x[i], ones) if x[i] != x[j] else 0.0, s[i], 1.0)
                    for j in range(n) if j != i) for i in range(n)]
    hi, lo = max(exposure), min(exposure)
    r = [(1 - rr / 3) / (1 + rr / 3) for rr in ((2 * e - hi - lo) / (hi - lo) for e in exposure)]
    r = [f if f == f else v for f, v in zip(fixed, r, strict=True)]
    new = list(x)
    for i in range(n):
        best = None
        for j in range(n):
            if x[i] == x[j]:
                continue
            d = abs(x[i] - x[j]) / span
            a = eu(d, prob(x[i], x[j], r), s[j], r[i])
            b = eu(d, prob(x[j], x[i], r), s[i], r[i])
            if a > 0 and b > a:
                target = x[j]
            elif a < 0 < b:
                target = x[i] + (x[j] - x[i]) * min(1.0, -a / b)
            else:
                continue
            key = (abs(target - x[i]), -b, j)
            if best is None or key < best[0]:
                best = (key, target)
        if best is not None:
            new[i] = best[1]
    return new


def main() -> None:
    ec = load_actors(GAMES / "ec_emissions_actors.csv")
    russia = load_actors(GAMES / "russia_alignment_actors.csv")
    assert np.allclose(scalar_round(ec), play_round(ec, ec.position, 1).new_positions, atol=1e-12)
    anchor = timed(lambda: scalar_round(ec), 20)
    vector = timed(lambda: play_round(ec, ec.position, 1), 50)
    rng = np.random.default_rng(0)
    big = from_columns([f"a{k}" for k in range(100)], rng.uniform(0, 1, 100), rng.uniform(0, 100, 100),
                       rng.uniform(0, 1, 100))
    rows = [("anchor: one round, plain Python (EC example, n = 10)", anchor)]
    rows.append(("one round, vectorised (EC example)", vector))
    runs = {}
    for label, actors in (("EC example", ec), ("Russia alignment, n = 11", russia)):
        result = run_bargaining(actors)
        runs[label] = result
        rows.append((f"whole run, {label} ({result.iterations} rounds)", timed(partial(run_bargaining, actors), 5)))
    result = run_bargaining(big, max_rounds=50, raise_on_failure=False)
    rows.append(("50 rounds, 100 actors", timed(lambda: run_bargaining(big, max_rounds=50, raise_on_failure=False),
                                                 3)))
    start = time.perf_counter()
    spread = perturbed_forecasts(russia, spread=0.1, draws=100, seed=0)
    rows.append(("spread of the Russia forecast, 100 perturbed runs", time.perf_counter() - start))
    print(f"{'measure':<60} {'ms':>9} {'x anchor':>9}")
    for label, seconds in rows:
        print(f"{label:<60} {1e3 * seconds:>9.2f} {seconds / anchor:>9.2f}")
    q = spread.quantiles()["median"]
    print(f"Russia forecast {runs['Russia alignment, n = 11'].median:.2f} (90 % of perturbed runs in "
          f"[{q[0]:.2f}, {q[2]:.2f}]); EC forecast {runs['EC example'].median:.4f}")
    print(f"bargain_bench: round_ms={1e3 * vector:.3f} anchor_ms={1e3 * anchor:.3f} speedup={anchor / vector:.1f} "
          f"spread_s={rows[-1][1]:.2f}")


if __name__ == "__main__":
    main()
