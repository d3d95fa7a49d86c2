"""Read-only analyses of the baseline World (dependency profiles)."""

from geoshift.analysis.profile import Profile, profile

__all__ = ["Profile", "profile"]
