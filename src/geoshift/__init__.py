"""geoshift: simulate geopolitical realignments and what they cost.

Data flows one way: data sources -> World (baseline) -> scenarios -> engines -> results -> reports/CLI.

The public names below are loaded on first use (PEP 562), so ``import geoshift`` -- and with it the command line's
``geoshift --help`` -- does not pay for pandas, numpy or the engines until they are needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from geoshift.version import __version__

if TYPE_CHECKING:
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
    from geoshift.world import World, example_world, load_world

#: public name -> the module that defines it
_WHERE = {
    "ChecksumError": "geoshift.errors",
    "ConsistencyError": "geoshift.errors",
    "DataError": "geoshift.errors",
    "DataPackError": "geoshift.errors",
    "GeoshiftError": "geoshift.errors",
    "UnknownCountryError": "geoshift.errors",
    "Results": "geoshift.results.run",
    "run": "geoshift.results.run",
    "Scenario": "geoshift.scenario.spec",
    "load_scenario": "geoshift.scenario.spec",
    "parse_scenario": "geoshift.scenario.spec",
    "World": "geoshift.world",
    "example_world": "geoshift.world",
    "load_world": "geoshift.world",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and cache the name in this module."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'geoshift' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
