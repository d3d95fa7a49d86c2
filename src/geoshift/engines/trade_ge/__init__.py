"""Trade general equilibrium: one-sector structural gravity and multi-sector Caliendo–Parro (hat algebra)."""

from geoshift.engines.diagnostics import Diagnostics
from geoshift.engines.trade_ge.elasticities import sector_elasticities, theta_for
from geoshift.engines.trade_ge.gravity import solve_gravity, solve_gravity_batch
from geoshift.engines.trade_ge.multisector import (
    Calibration,
    calibrate,
    calibrate_arrays,
    remove_deficits,
    solve_multisector,
    solve_multisector_batch,
)
from geoshift.engines.trade_ge.results import GravityResult, MultiSectorResult

__all__ = [
    "Calibration",
    "Diagnostics",
    "GravityResult",
    "MultiSectorResult",
    "calibrate",
    "calibrate_arrays",
    "remove_deficits",
    "sector_elasticities",
    "solve_gravity",
    "solve_gravity_batch",
    "solve_multisector",
    "solve_multisector_batch",
    "theta_for",
]
