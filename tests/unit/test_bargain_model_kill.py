"""The bargaining model's run in detail on the hand example of test_bargain_model: one round is a valid horizon, the
rounds are numbered from 1, the result carries its actors and the weighted mean, the run times itself, and a run
that does not settle names the actor that moved most in its last round, in full."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.bargain.model import mean_position, median_voter, run_bargaining
from geoshift.errors import ConvergenceError, InputError
from tests.unit.test_bargain_model import _hand


def test_one_round_and_the_result_fields() -> None:
    actors = _hand()
    one = run_bargaining(actors, max_rounds=1, raise_on_failure=False)
    assert one.iterations == 1 and [r.number for r in one.rounds] == [1]
    assert one.actors is actors
    assert one.mean == pytest.approx(mean_position(one.positions, actors.weight), rel=1e-15)
    assert one.median == median_voter(one.positions, actors.weight)
    assert 0.0 <= one.seconds < 60.0
    settled = run_bargaining(actors)
    assert settled.converged and [r.number for r in settled.rounds] == list(range(1, settled.iterations + 1))
    np.testing.assert_array_equal(settled.rounds[0].positions, actors.position)


def test_limits_and_the_unsettled_message_in_full() -> None:
    actors = _hand()
    with pytest.raises(InputError) as exc:
        run_bargaining(actors, tol=0.0)
    assert str(exc.value) == "tol=0.0: give a positive tolerance"
    fixed = run_bargaining(actors, max_rounds=3, raise_on_failure=False)
    last = fixed.rounds[-1]
    mover = actors.name[int(np.argmax(np.abs(last.new_positions - last.positions)))]  # C: only C still moves
    with pytest.raises(ConvergenceError) as exc:
        run_bargaining(actors, max_rounds=3)
    assert str(exc.value) == (
        f"{actors.source}: the bargaining model did not settle in 3 rounds (largest move in the last round: {mover}, "
        f"{fixed.residual:.3g} of the span); run a fixed number of rounds instead (geoshift bargain --rounds N) and "
        "read the trajectory")
