"""Critical-minerals supply risk (the GeoPolRisk method) and sourcing shocks as pure functions."""

from geoshift.engines.minerals.risk import (
    CU_REFERENCE_CF,
    MISSING_INSTABILITY,
    Material,
    MineralShockLike,
    Reallocation,
    ShockOutcome,
    Supplier,
    SupplyRisk,
    apply_shock,
    default_year,
    materials,
    reallocate,
    resolve_material,
    risk_table,
    supply_risk,
)
from geoshift.scenario.minerals import MineralShock, Tonnes, parse_opening

__all__ = [
    "CU_REFERENCE_CF",
    "MISSING_INSTABILITY",
    "Material",
    "MineralShock",
    "MineralShockLike",
    "Reallocation",
    "ShockOutcome",
    "Supplier",
    "SupplyRisk",
    "Tonnes",
    "apply_shock",
    "default_year",
    "materials",
    "parse_opening",
    "reallocate",
    "resolve_material",
    "risk_table",
    "supply_risk",
]
