"""geoshift: simulate geopolitical realignments and what they cost.

Data flows one way: data sources -> World (baseline) -> scenarios -> engines -> results -> reports/CLI.
"""

from geoshift.errors import (
    ChecksumError,
    ConsistencyError,
    DataError,
    DataPackError,
    GeoshiftError,
    UnknownCountryError,
)
from geoshift.results.run import Results, run
from geoshift.scenario.spec import Scenario, load_scenario, parse_scenario
from geoshift.version import __version__
from geoshift.world import World, example_world, load_world

__all__ = [
    "ChecksumError",
    "ConsistencyError",
    "DataError",
    "DataPackError",
    "GeoshiftError",
    "Results",
    "Scenario",
    "UnknownCountryError",
    "World",
    "__version__",
    "example_world",
    "load_scenario",
    "load_world",
    "parse_scenario",
    "run",
]
