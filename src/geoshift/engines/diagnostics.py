"""The one diagnostics type every engine's result carries: whether it converged (or found an optimum), how many
iterations, the final residual, the time, and the solver's own status and message. Non-convergence is loud: the
engines raise (``ConvergenceError``, ``InfeasibleError``) unless asked for the raw result."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Diagnostics:
    converged: bool  # converged (iterative solvers) or optimal (LP)
    iterations: int
    residual: float  # the stopping criterion's value at the end (0 for an LP solved to optimality)
    seconds: float
    message: str = ""
    engine: str = ""  # trade_ge | energy_lp | bargain | ...
    status: str = ""  # the solver's own word: converged, not converged, optimal, settled, ...

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
