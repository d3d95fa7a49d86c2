"""Argument checks of the trade GE engines: each error names the argument, the first offending entry and its value;
accepted input comes back as float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from geoshift.engines.trade_ge import validate
from geoshift.errors import InputError


def test_accepted_input_comes_back_as_floats() -> None:
    X = validate.flows([[1, 2], [3, 4]])
    assert X.dtype == np.float64 and X.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    tau = validate.tau_hat([[1, 2], [3, 1]], (2, 2))
    assert tau.dtype == np.float64 and tau.tolist() == [[1.0, 2.0], [3.0, 1.0]]
    theta = validate.theta([2, 5], 2)
    assert theta.dtype == np.float64 and theta.tolist() == [2.0, 5.0]
    assert validate.theta(0.5) == 0.5  # an elasticity below one is allowed


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: validate.flows([["a", "b"], ["c", "d"]]), r"^X must be a numeric array \("),
        (lambda: validate.flows(np.ones((2, 2)), "flows", ndim=3), r"^flows must have shape \(N, N, S\) with N >= 2"),
        (lambda: validate.flows(np.ones((1, 1))), r"^X must have shape \(N, N\) with N >= 2, got \(1, 1\)"),
        (lambda: validate.flows([[0.0, -1.5], [1.0, 1.0]]), r"^X has a negative flow -1\.5 at \(0, 1\)"),
        (lambda: validate.flows([[1.0, 1.0], [np.inf, 1.0]]), r"^X has a non-finite entry \(NaN or inf\) at \(1, 0\)"),
        (lambda: validate.tau_hat([["a", "b"]], (1, 2)), r"^tau_hat must be a numeric array \("),
        (lambda: validate.tau_hat([[1.0, 1.0], [np.nan, 1.0]], (2, 2)), r"^tau_hat has a NaN at \(1, 0\)$"),
        (lambda: validate.tau_hat([[0.5, 0.0], [1.0, 1.0]], (2, 2)),
         r"^tau_hat must be > 0 \(1 = no change, inf = embargo\), got 0 at \(0, 1\)$"),
        (lambda: validate.tau_hat([[1.0, 1.0], [1.0, np.inf]], (2, 2)),
         r"^tau_hat is inf on the diagonal at \(1,\): a country cannot embargo itself$"),
        (lambda: validate.tau_hat(np.array([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, np.inf]]]), (2, 2, 2)),
         r"^tau_hat is inf on the diagonal at \(1, 1\)"),
        (lambda: validate.theta("abc"), r"^theta must be a positive number \("),
        (lambda: validate.theta([4.0, 5.0]), r"^theta must be a scalar trade elasticity, got shape \(2,\)$"),
        (lambda: validate.theta([4.0], 2), r"^theta must have one value per sector, shape \(2,\), got \(1,\)$"),
        (lambda: validate.theta(0.0), r"^theta must be finite and > 0"),
    ],
)
def test_errors_name_the_argument_and_the_entry(call: Callable[[], object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()


def test_trade_balance_feasibility_by_case() -> None:
    labels = ("AAA", "BBB")
    shut, both = np.array([False, True]), np.array([True, True])
    scale = np.ones(2)
    # AAA cannot sell abroad: it may still run a deficit (import what it is given), but not a surplus or balance
    validate.trade_balance_feasible(shut, both, np.array([0.5, -0.5]), scale, labels)
    for d in (0.0, -0.25, validate.BALANCED):  # exactly BALANCED x scale still counts as balanced
        with pytest.raises(InputError, match=r"^tau_hat cuts AAA off from every foreign buyer while it can still "
                                             r"import, with a fixed deficit of "):
            validate.trade_balance_feasible(shut, both, np.array([d, -d]), scale, labels)
    # AAA cannot buy abroad: it may run a surplus, but not a deficit or balance
    validate.trade_balance_feasible(both, shut, np.array([-0.5, 0.5]), scale, labels)
    for d in (0.0, 0.5):
        with pytest.raises(InputError, match=r"^tau_hat cuts AAA off from every foreign supplier while it can still "
                                             rf"export, with a fixed deficit of {d:g} \(>= 0\): no equilibrium"):
            validate.trade_balance_feasible(both, shut, np.array([d, -d]), scale, labels)
    # no foreign trade at all: only a balanced country has an equilibrium
    validate.trade_balance_feasible(shut, shut, np.array([0.0, 0.0]), scale, labels)
    with pytest.raises(InputError, match=r"^tau_hat closes all of 1's foreign trade but its fixed deficit is 0\.5, "
                                         r"not 0: no equilibrium exists"):
        closed_1 = np.array([True, False])
        validate.trade_balance_feasible(closed_1, closed_1, np.array([-0.5, 0.5]), scale)
