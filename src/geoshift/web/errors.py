"""Errors the API answers with their own status: a resource named in the path that does not exist (404)."""

from __future__ import annotations

from geoshift.errors import GeoshiftError


class NotFoundError(GeoshiftError):
    """The country, run, scenario or job the path names does not exist (404); in a request body the same
    mistake is a 422."""
