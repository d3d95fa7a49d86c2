"""Bargaining forecasts on one issue dimension: the Bueno de Mesquita expected-utility model."""

from geoshift.engines.bargain.actors import Actors, load_actors
from geoshift.engines.bargain.model import BargainResult, BargainRound, Offer, run_bargaining
from geoshift.engines.bargain.sensitivity import Sensitivity, perturbed_forecasts

__all__ = [
    "Actors",
    "BargainResult",
    "BargainRound",
    "Offer",
    "Sensitivity",
    "load_actors",
    "perturbed_forecasts",
    "run_bargaining",
]
