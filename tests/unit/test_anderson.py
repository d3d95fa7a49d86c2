"""The Anderson fixed-point iteration on maps whose iterates can be followed by hand.

On an affine map ``g(x) = M x + b`` Anderson mixing with ``m`` stored differences is exact once it holds ``dim(x)``
independent differences: a 1-D map converges at the second evaluation after the start, a 2-D one at the third,
while plain iteration only contracts by the spectral radius of ``M`` per step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from geoshift.engines.trade_ge.anderson import anderson

Map = Callable[[np.ndarray], tuple[np.ndarray, float]]


def affine(M: np.ndarray, b: np.ndarray) -> Map:
    def g(x: np.ndarray) -> tuple[np.ndarray, float]:
        gx = M @ x + b
        return gx, float(np.max(np.abs(gx - x)))

    return g


HALF = affine(np.array([[0.5]]), np.array([1.0]))  # fixed point 2
M2 = np.array([[0.5, 0.2], [0.1, -0.3]])
B2 = np.array([1.0, 2.0])
X2 = np.array([170.0, 110.0]) / 63.0  # (I - M2)^-1 B2 by hand: det 0.63, inverse [[1.3, 0.2], [0.1, 0.5]] / 0.63


def test_one_dimensional_affine_map_is_solved_by_the_first_secant_step() -> None:
    # x0 = 0 -> plain step to 1 -> secant through (0, 1), (1, 1.5) hits 2 exactly (step 1 = max_step)
    out = anderson(HALF, np.array([0.0]), tol=1e-12, max_iter=100)
    assert out.converged and out.iterations == 2
    np.testing.assert_allclose(out.x, [2.0], rtol=1e-12)
    assert out.residual <= 1e-12
    one = anderson(HALF, np.array([0.0]), tol=1e-12, max_iter=100, memory=1)
    assert one.converged and one.iterations == 2


def test_plain_iteration_halves_the_error_each_step() -> None:
    # memory 0: x_k = 2 - 2^(1-k); the residual |g(x) - x| = 2^-k first drops to 1e-12 or less at k = 40
    out = anderson(HALF, np.array([0.0]), tol=1e-12, max_iter=100, memory=0)
    assert out.converged and out.iterations == 40
    np.testing.assert_allclose(out.x, [2.0 - 2.0**-39], rtol=0, atol=1e-15)


def test_two_dimensional_affine_map_needs_two_differences() -> None:
    for memory in (2, 6):
        out = anderson(affine(M2, B2), np.zeros(2), tol=1e-10, max_iter=100, memory=memory, max_step=10.0)
        assert out.converged and out.iterations == 3
        np.testing.assert_allclose(out.x, X2, rtol=1e-10)
    one = anderson(affine(M2, B2), np.zeros(2), tol=1e-10, max_iter=100, memory=1, max_step=10.0)
    assert one.converged and one.iterations > 3


def test_a_step_longer_than_max_step_is_replaced_by_the_plain_step() -> None:
    # from -1: plain step to 0.5, then the secant step to 2 is 1.5 long > max_step = 1, so the plain step to 1.25
    # is taken and the history restarts; from 1.25 the secant step (0.75) is accepted and lands on 2.
    out = anderson(HALF, np.array([-1.0]), tol=1e-12, max_iter=100)
    assert out.converged and out.iterations == 3
    wide = anderson(HALF, np.array([-1.0]), tol=1e-12, max_iter=100, max_step=2.0)
    assert wide.converged and wide.iterations == 2


def test_integer_start_is_read_as_floats() -> None:
    out = anderson(HALF, np.array([2]), tol=1e-12, max_iter=5)
    assert out.converged and out.iterations == 0 and out.x.dtype == np.float64


def test_tolerance_is_inclusive() -> None:
    out = anderson(lambda x: (x, 0.5), np.array([1.0]), tol=0.5, max_iter=5)
    assert out.converged and out.iterations == 0 and out.residual == 0.5


def test_without_progress_the_first_best_point_is_kept() -> None:
    # the residual never improves: the start stays the best point, and the outcome reports max_iter
    out = anderson(lambda x: (x + 1.0, 1.0), np.array([0.0]), tol=1e-9, max_iter=3, memory=0)
    assert not out.converged and out.iterations == 3 and out.residual == 1.0
    np.testing.assert_array_equal(out.x, [0.0])


def test_a_map_undefined_at_the_start_gives_up_at_once() -> None:
    calls: list[float] = []

    def nowhere(x: np.ndarray) -> tuple[np.ndarray, float]:
        calls.append(float(x[0]))
        return x, np.inf

    out = anderson(nowhere, np.array([3.0]), tol=1e-9, max_iter=10)
    assert out.converged is False and out.iterations == 0 and out.residual == np.inf
    np.testing.assert_array_equal(out.x, [3.0])
    assert calls == [3.0]


def test_leaving_the_domain_sends_the_iteration_back_to_the_best_point() -> None:
    # the third evaluation (at the secant step's 2) fails once; the iteration restarts from the best point so far
    # (1, residual 0.5) with a plain step to 1.5, then a fresh secant step lands on 2
    evaluated: list[float] = []

    def flaky(x: np.ndarray) -> tuple[np.ndarray, float]:
        evaluated.append(float(x[0]))
        if len(evaluated) == 3:
            return x, np.inf
        return HALF(x)

    out = anderson(flaky, np.array([0.0]), tol=1e-12, max_iter=100)
    assert out.converged and out.iterations == 5
    np.testing.assert_allclose(out.x, [2.0], rtol=1e-12)
    np.testing.assert_allclose(evaluated, [0.0, 1.0, 2.0, 1.0, 1.5, 2.0], rtol=1e-12)
