"""The World: the frozen real-data baseline, its build (through the cache) and its consistency checks."""

from geoshift.world.build import load_world
from geoshift.world.checks import WorldConsistencyWarning, check_world
from geoshift.world.example import example_world
from geoshift.world.world import World

__all__ = ["World", "WorldConsistencyWarning", "check_world", "example_world", "load_world"]
