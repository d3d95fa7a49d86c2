"""Claims -> verdicts: written claims as tested propositions, with evidence, likelihood and what flips them."""

from geoshift.claims.check import ClaimResult, check_claims
from geoshift.claims.spec import ClaimFile, load_claims

__all__ = ["ClaimFile", "ClaimResult", "check_claims", "load_claims"]
